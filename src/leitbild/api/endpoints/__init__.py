"""The API's endpoints, one router per part of the platform (see ``api.py``)."""
