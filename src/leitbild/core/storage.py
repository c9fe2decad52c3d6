"""Storage for files that must never be served by the web server."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    """Files under ``settings.PRIVATE_ROOT``, outside MEDIA_ROOT and without a URL: they
    reach a user only through a view that checks permissions. The location is read from
    the settings on every use, so tests (and operators) can move it."""

    def __init__(self):
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return settings.PRIVATE_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files have no URL; serve them through a checking view.")

    def deconstruct(self):
        return ("leitbild.core.storage.PrivateStorage", (), {})


private_storage = PrivateStorage()
