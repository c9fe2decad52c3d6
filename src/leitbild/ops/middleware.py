"""Middleware that sits in front of everything else (see ``MIDDLEWARE`` in settings)."""

import ipaddress
import re
import uuid
from functools import cached_property

from django.conf import settings

from .logging import request_id

# What we accept from a proxy's X-Request-ID: short and free of anything a log line could
# be forged with (newlines, quotes).
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


class RequestIdMiddleware:
    """Give every request an id: the proxy's ``X-Request-ID`` if it sent a sane one (nginx
    ``$request_id``), else a new one. Log lines written while the request runs carry it
    (``LOG_FORMAT=json``), and the response returns it, so a visitor's error report can
    be matched with the log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        current = incoming if _REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        request.request_id = current
        token = request_id.set(current)
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response.headers["X-Request-ID"] = current
        return response


class ForwardedClientMiddleware:
    """Behind a reverse proxy, make ``REMOTE_ADDR`` the visitor's address again.

    gunicorn hands Django the proxy's address; rate limits (``core.ratelimit``) would
    then count all visitors as one. When the request comes from a trusted proxy
    (``FORWARDED_ALLOW_IPS``, the same variable gunicorn reads), the client is the
    right-most ``X-Forwarded-For`` entry that is not itself a trusted proxy: entries
    left of it were written by the visitor and could be anything.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    @cached_property
    def _trust(self) -> tuple[bool, list]:
        trust_any, networks = False, []
        for item in settings.FORWARDED_ALLOW_IPS:
            if item == "*":
                trust_any = True
            else:
                networks.append(ipaddress.ip_network(item, strict=False))
        return trust_any, networks

    def _trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self._trust[1])

    def __call__(self, request):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        peer = request.META.get("REMOTE_ADDR", "")
        if forwarded and (self._trust[0] or self._trusted(peer)):
            hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
            client = None
            for hop in reversed(hops):
                try:
                    ipaddress.ip_address(hop)
                except ValueError:
                    break  # garbage: stop at the last address a trusted hop vouched for
                client = hop
                if not self._trusted(hop):
                    break
            if client:
                request.META["REMOTE_ADDR"] = client
        return self.get_response(request)


class HealthCheckMiddleware:
    """Answer ``GET /healthz`` before host validation and the HTTPS redirect.

    Load balancers probe each app server by its own address and over plain HTTP:
    the Host header is then an IP that ``ALLOWED_HOSTS`` rightly refuses, and
    ``SECURE_SSL_REDIRECT`` would answer 301. The answer holds no personal data and
    does not depend on the host, so it is safe to give to any caller.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == "/healthz" and request.method in ("GET", "HEAD"):
            from .views import healthz

            return healthz(request)
        return self.get_response(request)
