"""Who is calling the API: staff send ``Authorization: Bearer <token>``.

Tokens are made with ``leitbild api-token USERNAME``; only their SHA-256 digest is
stored (:class:`leitbild.participation.models.ApiToken`). A token counts only while
its user is active and staff; *which* processes the user may change is decided per
request by :mod:`leitbild.participation.permissions`.

The API never looks at the session cookie, so a logged-in browser cannot be made to
write through it (no CSRF exposure): write endpoints take the token only.
"""

import datetime as dt

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from ninja.security import HttpBearer

from leitbild.participation.models import ApiToken
from leitbild.participation.services import token_digest

USE_RECORDED_EVERY = dt.timedelta(minutes=1)


class StaffToken(HttpBearer):
    """``Authorization: Bearer <token>`` of an active staff user; the user is ``request.auth``."""

    def authenticate(self, request, token):
        token = token.strip()
        if not token:
            return None
        api_token = (
            ApiToken.objects.select_related("user").filter(digest=token_digest(token)).first()
        )
        if api_token is None:
            return None
        user = api_token.user
        if not (user.is_active and user.is_staff):
            return None
        now = timezone.now()
        # "Last used" to the minute is enough, and spares a database write (a lock on
        # SQLite) on every request of a client that reads a lot.
        if api_token.last_used_at is None or now - api_token.last_used_at > USE_RECORDED_EVERY:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        return user


def anonymous(request):
    """Lets a request without an ``Authorization`` header through as anonymous.

    Listed after :class:`StaffToken` on read endpoints: no header reads the public
    data, a valid token reads more, and a wrong token is refused (401) rather than
    silently downgraded.
    """
    if "authorization" in request.headers:
        return None
    return AnonymousUser()


staff_token = StaffToken()
# Read endpoints: public without a token, more with one.
optional_staff_token = [staff_token, anonymous]


def staff_write_limited(request) -> bool:
    """Count a staff write; ``True`` over ``RATE_LIMITS["api-staff-write"]``.

    Counted per user, not per address: a city's scripts may share one address, and a
    leaked token must not be able to write without bound.
    """
    from django.conf import settings

    from leitbild.core.ratelimit import hit

    limit, _seconds = settings.RATE_LIMITS["api-staff-write"]
    return hit(action="api-staff-write", ident=f"user:{request.auth.pk}") > limit
