"""Rate limits for public forms and API endpoints, counted in the database.

``rate_limited(request, "contribution")`` counts the request and says whether the
client is over the limit that ``settings.RATE_LIMITS`` sets for that action.
"""

import datetime as dt
import hashlib
import ipaddress

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import RateLimitCounter


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


def hit(*, action: str, ident: str, now: dt.datetime | None = None) -> int:
    """Count one request and return the count in the current window."""
    _limit, seconds = settings.RATE_LIMITS[action]
    now = now or timezone.now()
    window = int(now.timestamp()) // seconds
    key = f"{action}:{window}:{ident}"[:128]
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
