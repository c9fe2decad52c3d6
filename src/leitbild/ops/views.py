from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from .selectors import health_check


@never_cache
def healthz(request):
    """Health of this app server for load balancers and monitoring: 200 while it can serve
    (``ok``, or ``degraded`` when the task queue is stale), 503 when the database or the
    task table cannot be read. See docs/operations.md."""
    health = health_check()
    response = JsonResponse(health.as_dict(), status=health.http_status)
    # HealthCheckMiddleware answers before SecurityMiddleware adds this.
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
