"""The API answers in JSON, errors included (``docs/api.md``). django-ninja answers a
method a path does not take with a plain-text 405; this turns it into the API's error
shape, keeping the ``Allow`` header."""

from django.http import JsonResponse

API_PREFIX = "/api/"


class JsonMethodNotAllowedMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code == 405
            and request.path.startswith(API_PREFIX)
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            allowed = response.get("Allow", "")
            json = JsonResponse(
                {"detail": f"Method {request.method} is not allowed here. Allowed: {allowed}."},
                status=405,
            )
            json["Allow"] = allowed
            return json
        return response
