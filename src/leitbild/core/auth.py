"""Login throttling: failed logins counted per client address and per username.

Two login pages lead in — the site's (``/konto/anmelden/``, ``LOGIN_URL``, for every
account) and the admin's (staff only) — and staff accounts can change the concept, see
personal data and mint API tokens, so guessing passwords must be slow. Failures are
counted in the database (``core.ratelimit``) under the actions ``login-address`` (the
salted client address) and ``login-username`` (a salted hash of the username, so the
counter table names nobody). Over either limit,
:class:`ThrottledModelBackend` refuses *before* checking the password — a throttled
guess learns nothing, even when it is right — and both login pages say so with status
429 (:mod:`leitbild.core.admin_site`, :mod:`leitbild.core.views`).

A successful login forgets the username's failures (typos earlier that day do not count
towards a lock-out later), never the address's: whoever knows one password must not
be able to reset the counter that slows their guessing at other accounts.
"""

import hashlib

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import ratelimit

THROTTLED_ATTRIBUTE = "leitbild_login_throttled"


def _username_ident(username: str) -> str:
    normalised = (username or "").strip().casefold()
    return hashlib.sha256(f"{settings.SECRET_KEY}:login:{normalised}".encode()).hexdigest()


def _counters(request, username: str) -> list[tuple[str, str]]:
    counters = [("login-address", ratelimit.client_fingerprint(request))]
    if (username or "").strip():
        counters.append(("login-username", _username_ident(username)))
    return counters


def login_throttled(request, username: str) -> bool:
    """Whether this client, or anyone trying this username, failed too often lately."""
    return any(
        ratelimit.count(action=action, ident=ident) >= settings.RATE_LIMITS[action][0]
        for action, ident in _counters(request, username)
    )


def login_failure_record(request, username: str) -> None:
    for action, ident in _counters(request, username):
        ratelimit.hit(action=action, ident=ident)


def login_success_record(username: str) -> None:
    ratelimit.forget(action="login-username", ident=_username_ident(username))


class ThrottledModelBackend(ModelBackend):
    """Django's model backend, refusing without a password check while throttled.

    Only requests are throttled: ``authenticate()`` without one (management commands,
    the test client's ``login``) has no client to count.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is not None:
            name = username if username is not None else kwargs.get("username", "")
            if login_throttled(request, name or ""):
                # The login form turns this into its own message and the page into a 429.
                setattr(request, THROTTLED_ATTRIBUTE, True)
                return None
        return super().authenticate(request, username=username, password=password, **kwargs)

    async def aauthenticate(self, request, username=None, password=None, **kwargs):
        # ModelBackend has its own async path; without this it would skip the throttle.
        return await sync_to_async(self.authenticate)(
            request, username=username, password=password, **kwargs
        )


_THROTTLED = _(
    "Too many failed logins from your connection or for this username. "
    "Wait %(minutes)d minutes, then try again."
)


class _SaysWhenThrottled:
    """A login form that says plainly when logins are paused rather than claiming the
    password was wrong (which a throttled attempt never checked)."""

    def get_invalid_login_error(self):
        if getattr(self.request, THROTTLED_ATTRIBUTE, False):
            minutes = max(settings.RATE_LIMITS[a][1] for a in ("login-address", "login-username"))
            return ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"minutes": max(1, minutes // 60)},
            )
        return super().get_invalid_login_error()


class ThrottledAuthenticationForm(_SaysWhenThrottled, AdminAuthenticationForm):
    """The admin's login form (staff accounts only)."""

    error_messages = {**AdminAuthenticationForm.error_messages, "throttled": _THROTTLED}


class ThrottledLoginForm(_SaysWhenThrottled, AuthenticationForm):
    """The site's login form (``/konto/anmelden/``), for every active account: also the
    organisation members who keep their profile and report progress without being
    staff."""

    error_messages = {**AuthenticationForm.error_messages, "throttled": _THROTTLED}


def on_login_failed(sender, credentials, request=None, **kwargs):
    """``user_login_failed``: count the failure (throttled attempts count too)."""
    if request is not None:
        login_failure_record(request, credentials.get("username", ""))


def on_logged_in(sender, request, user, **kwargs):
    """``user_logged_in``: forget the username's failures."""
    login_success_record(user.get_username())
