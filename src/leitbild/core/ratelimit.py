"""Rate limits for public forms and API endpoints, counted in the database.

``rate_limited(request, "contribution")`` counts the request and says whether the
client is over the limit that ``settings.RATE_LIMITS`` sets for that action; a view
that says no answers with status 429 (``TOO_MANY_REQUESTS``). Counting in the database
(not per process) makes the limits hold across every worker and app server.
"""

import datetime as dt
import hashlib
import ipaddress

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.shortcuts import render
from django.utils import timezone

from .models import RateLimitCounter

TOO_MANY_REQUESTS = 429
RATE_LIMITED = "rate_limited"  # the code of a form's error when the client is over a limit


def client_fingerprint(request) -> str:
    """A salted hash of the client address: enough to count, useless to identify.

    Behind a reverse proxy, set ``SECURE_PROXY_SSL_HEADER`` and let the proxy
    overwrite ``REMOTE_ADDR`` (e.g. uvicorn/gunicorn ``--forwarded-allow-ips``).
    """
    address = request.META.get("REMOTE_ADDR", "") or "unknown"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        pass
    else:
        if ip.version == 6 and not ip.ipv4_mapped:
            # One connection usually owns a whole /64: count the network, not the address.
            address = str(ipaddress.ip_network(f"{ip}/64", strict=False))
        elif ip.version == 6:
            address = str(ip.ipv4_mapped)
    return hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()


def _window(action: str, now: dt.datetime) -> tuple[int, int]:
    _limit, seconds = settings.RATE_LIMITS[action]
    return int(now.timestamp()) // seconds, seconds


def _key(action: str, window: int, ident: str) -> str:
    return f"{action}:{window}:{ident}"[:128]


def hit(*, action: str, ident: str, now: dt.datetime | None = None) -> int:
    """Count one request and return the count in the current window."""
    now = now or timezone.now()
    window, seconds = _window(action, now)
    key = _key(action, window, ident)
    with transaction.atomic():
        if not RateLimitCounter.objects.filter(key=key).update(count=F("count") + 1):
            try:
                with transaction.atomic():
                    RateLimitCounter.objects.create(
                        key=key,
                        count=1,
                        expires_at=dt.datetime.fromtimestamp((window + 1) * seconds, dt.UTC),
                    )
                RateLimitCounter.objects.filter(expires_at__lt=now).delete()
            except IntegrityError:  # another request created it first
                RateLimitCounter.objects.filter(key=key).update(count=F("count") + 1)
        return RateLimitCounter.objects.get(key=key).count


def rate_limited(request, action: str) -> bool:
    """Count this request; ``True`` when the client went over the action's limit."""
    limit, _seconds = settings.RATE_LIMITS[action]
    return hit(action=action, ident=client_fingerprint(request)) > limit


def count(*, action: str, ident: str, now: dt.datetime | None = None) -> int:
    """The count in the current window, without counting this look."""
    now = now or timezone.now()
    window, _seconds = _window(action, now)
    row = RateLimitCounter.objects.filter(key=_key(action, window, ident)).first()
    return row.count if row is not None else 0


def forget(*, action: str, ident: str, now: dt.datetime | None = None) -> None:
    """Drop the count of the current window (e.g. after a successful login)."""
    now = now or timezone.now()
    window, _seconds = _window(action, now)
    RateLimitCounter.objects.filter(key=_key(action, window, ident)).delete()


def form_refuse(form, message: str) -> None:
    """Show the limit's message on the form, which keeps what the visitor typed."""
    form.add_error(None, ValidationError(message, code=RATE_LIMITED))


def form_status(*forms) -> int:
    """429 when a form was refused by :func:`form_refuse`, else 200."""
    for form in forms:
        if form is not None and form.has_error(NON_FIELD_ERRORS, code=RATE_LIMITED):
            return TOO_MANY_REQUESTS
    return 200


def too_many_requests(request, message: str, *, back_url: str = ""):
    """A page saying so, with status 429, for limited actions without a form to re-show."""
    return render(
        request,
        "core/too_many_requests.html",
        {"message": message, "back_url": back_url},
        status=TOO_MANY_REQUESTS,
    )
