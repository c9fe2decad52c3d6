"""The site's answer to an unexpected error (``handler500`` in ``leitbild.urls``).

When the database cannot be reached — it restarts, fails over, or the network to it is
down — every page would fail with a bare "Server Error (500)". Such errors are
temporary and not the page's fault: the visitor gets **503 Service Unavailable** with a
page saying so and when to try again (``Retry-After``), and the load balancer or proxy
sees a status it may retry elsewhere. Nothing about the error is shown; Django's
request logger records it with its traceback.

The 503 page is rendered without the request's context processors: they would ask the
unreachable database for the visitor's session, user and messages, and fail again.
Once the database answers again, the next request is served normally —
``CONN_HEALTH_CHECKS`` makes each worker replace its dead connection first.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.views import defaults

# Seconds after which a client may try again (Retry-After).
RETRY_AFTER = 30
# An OperationalError also means "database is locked" (SQLite) or a lock timeout: both
# temporary, and worth a retry as much as a lost connection.
UNAVAILABLE = (OperationalError, InterfaceError)


def database_unavailable(error: BaseException | None) -> bool:
    """Whether ``error`` — or an error it was raised from — says the database is away."""
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, UNAVAILABLE):
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


def service_unavailable() -> HttpResponse:
    response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request, *args, **kwargs):
    """``handler500``: 503 while the database is unavailable, Django's 500 otherwise."""
    if database_unavailable(sys.exc_info()[1]):
        return service_unavailable()
    return defaults.server_error(request, *args, **kwargs)
