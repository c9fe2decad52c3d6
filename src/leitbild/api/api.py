"""The public API under /api/v1/; its OpenAPI schema is at /api/v1/openapi.json.

Every answer is JSON, errors included: ``{"detail": "..."}`` (400, 401, 403, 404, 429),
and for input that does not validate ``{"errors": {"field": ["message", ...]}}``
(422; 409 for a duplicate registration). See ``docs/api.md``.

The endpoints live in :mod:`.endpoints`, one router per part of the platform; their
reads in :mod:`.selectors`, their shapes in :mod:`.schemas`.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponsePermanentRedirect
from django.http.multipartparser import MultiPartParserError
from django.urls import Resolver404, resolve
from django.utils.translation import get_language
from ninja import NinjaAPI, Router
from ninja.errors import ValidationError as NinjaValidationError

from .endpoints import actors, concept, implementation, monitoring, participation


class LeitbildAPI(NinjaAPI):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._schemas = {}

    def get_openapi_operation_id(self, operation) -> str:
        # "event_list" rather than "leitbild_api_endpoints_participation_event_list":
        # the names client generators turn into method names.
        return operation.url_name or super().get_openapi_operation_id(operation)

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        # The endpoints are fixed once the URLs are loaded: the schema (some 170 ms of
        # work) is built once per process, prefix and language, not on every request.
        key = (path_prefix, tuple(sorted((path_params or {}).items())), get_language())
        if key not in self._schemas:
            self._schemas[key] = super().get_openapi_schema(
                path_prefix=path_prefix, path_params=path_params
            )
        return self._schemas[key]


api = LeitbildAPI(
    title="leitbild API",
    version="1",
    description=(
        "The integration concept as open data: editions, their goals with lineage, "
        "organisations; participation processes and their events, with registration; "
        "monitoring indicators and their observations; action goals and measures with "
        "their progress. Lists take `limit` (at most 500) and `offset` and answer "
        '`{"items": [...], "count": N}`. Errors are JSON: `{"detail": "..."}`, or '
        '`{"errors": {"field": ["..."]}}` for input that does not validate. '
        "Staff write events and import observations with `Authorization: Bearer <token>` "
        "(`leitbild api-token`). Never personal data: no registrations, no e-mail "
        "addresses, no authors."
    ),
    urls_namespace="api-1",
    docs_url=None,  # the interactive docs load assets from a CDN; the schema is enough
)


# Errors -------------------------------------------------------------------------------

# The sources ninja puts first in an error's location, and the name our views give
# their request body: neither is a field the client knows.
_LOCATIONS = {"body", "query", "path", "header", "cookie", "form", "file"}
_BODY_PARAM = "payload"


def _field_name(loc) -> str:
    parts = [str(part) for part in loc if isinstance(part, str)]
    source = parts.pop(0) if parts and parts[0] in _LOCATIONS else ""
    if parts and parts[0] == _BODY_PARAM:
        parts.pop(0)
    return ".".join(parts) or source or "__all__"


def _message(error: dict) -> str:
    if error.get("type") == "value_error" and error.get("ctx", {}).get("error"):
        return str(error["ctx"]["error"])  # our own validators' text, without "Value error, "
    return error.get("msg", "Invalid value.")


@api.exception_handler(NinjaValidationError)
def request_invalid(request, exc):
    """Input that does not match the schema: 422 with messages per field."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        errors.setdefault(_field_name(error.get("loc", ())), []).append(_message(error))
    return api.create_response(request, {"errors": errors}, status=422)


@api.exception_handler(Http404)
def not_found_error(request, exc):
    """404 with the endpoint's own message ("No such goal."); ninja's default handler
    shows it only with DEBUG on. The messages name no data, only what was not found."""
    return api.create_response(request, {"detail": str(exc) or "Not Found"}, status=404)


@api.exception_handler(MultiPartParserError)
def upload_unreadable(request, exc):
    """A multipart body Django cannot parse (no boundary, cut off): 400, as JSON."""
    return api.create_response(request, {"detail": f"Cannot parse the upload: {exc}"}, status=400)


@api.exception_handler(DjangoValidationError)
def service_invalid(request, exc):
    """A service refused the input (``ValidationError`` keyed by field): 422."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, {"errors": errors}, status=422)


# Endpoints ------------------------------------------------------------------------------

api.add_router("", concept.router)
api.add_router("", actors.router)
api.add_router("", participation.router)
api.add_router("", monitoring.router)
api.add_router("", implementation.router)


# Anything else under /api/v1/ ------------------------------------------------------------

# Added last: ninja matches routers in order, so this sees only paths no endpoint has.
unmatched = Router()


@unmatched.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"],
    "/{path:rest}",
    include_in_schema=False,
    url_name="unmatched",
)
def not_found(request, rest: str):
    """A JSON 404 instead of Django's HTML page; a path that only lacks its final slash
    is redirected as Django's ``APPEND_SLASH`` would (which no longer sees it, since
    this route matches), with 308 so that a POST stays a POST."""
    if not request.path.endswith("/"):
        try:
            match = resolve(request.path_info + "/")
        except Resolver404:
            match = None
        if match is not None and match.url_name != "unmatched":
            query = request.META.get("QUERY_STRING", "")
            location = request.path + "/" + (f"?{query}" if query else "")
            return HttpResponsePermanentRedirect(location, preserve_request=True)
    return api.create_response(request, {"detail": "Not Found"}, status=404)


@unmatched.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/", include_in_schema=False, url_name="root"
)
def root(request):
    return api.create_response(
        request, {"detail": "Not Found. The API is described at openapi.json."}, status=404
    )


api.add_router("", unmatched)
