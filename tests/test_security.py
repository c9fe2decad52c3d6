"""Security (issue 7, item 3): production headers, no inline script or style, throttled
logins, rate limits on every public form and API write, uploads checked by content,
user text always shown as text, staff HTML sanitised, and the dependency audit.

``check --deploy`` with production settings is tested in ``test_project.py``.
"""

import importlib.util
import inspect
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404

from leitbild.core.models import RateLimitCounter
from leitbild.core.uploads import detect
from leitbild.implementation.models import Measure, ProgressReport
from leitbild.participation import services
from leitbild.participation.forms import (
    BallotForm,
    ContributionForm,
    IdeaForm,
    RegistrationForm,
    ReplyForm,
    ReportForm,
)
from leitbild.participation.models import Contribution, PollBallot, Registration
from leitbild.privacy.forms import PrivacyRequestForm
from leitbild.privacy.models import PrivacyRequest

from .conftest import ROOT

pytestmark = pytest.mark.django_db
SRC = ROOT / "src" / "leitbild"


# --- helpers -------------------------------------------------------------------------


class TagScanner(HTMLParser):
    """Everything in a page that a Content Security Policy without 'unsafe-inline'
    blocks, or that a stored payload could have turned into: inline scripts, event
    handler attributes, style attributes and javascript: URLs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and not attributes.get("src"):
            self.problems.append("inline <script>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…> event handler")
            if name == "style":
                self.problems.append(f"<{tag} style=…> inline style")
            if name in ("href", "src", "action", "formaction") and (
                value or ""
            ).strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}=javascript:…>")
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])


def scan(html: str) -> TagScanner:
    scanner = TagScanner()
    scanner.feed(html)
    return scanner


def _limit(settings, action, count=2):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, action: (count, 3600)}


# --- production headers and cookies ------------------------------------------------------

PRODUCTION_PROBE = r"""
import json
import django
from django.test.utils import override_settings

django.setup()
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

call_command("migrate", verbosity=0)
get_user_model().objects.create_superuser("admin", password="Pw-admin-123456")
out = {}
# Static files are not collected in this throwaway data folder; everything else is
# production as configured.
files = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
with override_settings(STORAGES={"default": files, "staticfiles": plain}):
    client = Client(HTTP_HOST="leitbild.example.org")
    page = client.get("/datenschutz/auskunft/", secure=True)
    out["status"] = page.status_code
    out["headers"] = dict(page.headers)
    out["csrf_cookie"] = {k: str(v) for k, v in page.cookies["csrftoken"].items()}
    plain_http = client.get("/datenschutz/auskunft/")
    out["http"] = [plain_http.status_code, plain_http.headers.get("Location", "")]
    login = client.post(
        "/admin/login/?next=/admin/",
        {"username": "admin", "password": "Pw-admin-123456"},
        secure=True,
    )
    out["login"] = login.status_code
    out["session_cookie"] = {k: str(v) for k, v in login.cookies["sessionid"].items()}
print("PROBE" + json.dumps(out))
"""


@pytest.mark.slow
def test_production_responses_carry_the_security_headers(tmp_path):
    """The real production settings (not the test ones), through Django's whole stack."""
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_SETTINGS_MODULE"}}
    env.update(
        DJANGO_SETTINGS_MODULE="leitbild.settings.base",
        SECRET_KEY="a" * 20 + "-production-secret-" + "Zq8#x!" * 5,
        ALLOWED_HOSTS="leitbild.example.org",
        SITE_URL="https://leitbild.example.org",
        LEITBILD_DATA_DIR=str(tmp_path),
    )
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_PROBE],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    probe = json.loads(result.stdout.split("PROBE", 1)[1])
    headers = probe["headers"]
    assert probe["status"] == 200

    csp = dict(
        (part.split()[0], part.split()[1:])
        for part in headers["Content-Security-Policy"].split(";")
        if part.strip()
    )
    assert csp["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval'
    assert csp["style-src"] == ["'self'"]
    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"] and csp["form-action"] == ["'self'"]
    assert "unsafe" not in headers["Content-Security-Policy"]

    hsts = headers["Strict-Transport-Security"]
    max_age = int(re.search(r"max-age=(\d+)", hsts).group(1))
    assert max_age >= 365 * 24 * 3600 and "includeSubDomains" in hsts
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    # Plain HTTP is redirected to HTTPS.
    assert probe["http"] == [301, "https://leitbild.example.org/datenschutz/auskunft/"]

    for cookie in (probe["csrf_cookie"], probe["session_cookie"]):
        assert cookie["secure"] == "True"
        assert cookie["samesite"] == "Lax"
    assert probe["session_cookie"]["httponly"] == "True"
    assert probe["csrf_cookie"]["httponly"] == "True"
    assert probe["login"] == 302


PRINT_ONLY_TEMPLATES = {
    # Rendered to PDF by WeasyPrint, never served as a page: no CSP applies there.
    "publishing/templates/publishing/council_paper.html",
}


def test_no_template_has_inline_script_handlers_or_styles():
    """A static look at every template, including pages the crawl below cannot reach."""
    problems = []
    for path in sorted(SRC.glob("**/templates/**/*.html")):
        relative = str(path.relative_to(SRC))
        if relative in PRINT_ONLY_TEMPLATES:
            continue
        text = path.read_text()
        if re.search(r"<script(?![^>]*\ssrc=)[^>]*>", text):
            problems.append(f"{relative}: inline <script>")
        if re.search(r"<[a-zA-Z][^>]*\son[a-z]+\s*=", text):
            problems.append(f"{relative}: on…= event handler")
        if re.search(r"<[a-zA-Z][^>]*\sstyle\s*=", text):
            problems.append(f"{relative}: style= attribute")
        if "javascript:" in text.lower():
            problems.append(f"{relative}: javascript: URL")
    assert problems == []


def _crawl(client, start: list[str], *, per_view: int = 2, limit: int = 250) -> dict:
    """Follow the site's own links breadth-first, fetching at most ``per_view`` pages of
    each view (a goal page stands for all goal pages). Returns url -> problems."""
    seen_views: dict[str, int] = {}
    queue, visited, found = list(start), set(), {}
    while queue and len(visited) < limit:
        url = queue.pop(0)
        path = urlsplit(url).path
        if url in visited or path.startswith(("/static/", "/media/", "/admin/", "/api/")):
            continue
        try:
            match = resolve(path)
        except Resolver404:
            continue
        if seen_views.get(match.view_name, 0) >= per_view:
            continue
        seen_views[match.view_name] = seen_views.get(match.view_name, 0) + 1
        visited.add(url)
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        assert "script-src 'self'" in response["Content-Security-Policy"], url
        scanner = scan(response.content.decode())
        if scanner.problems:
            found[url] = scanner.problems
        for href in scanner.links:
            if href.startswith("/") and not href.startswith("//"):
                queue.append(href.split("#")[0])
    return {"visited": visited, "problems": found}


START_PAGES = [
    "/",
    "/beteiligung/",
    "/beteiligung/fortschreibung-2023-2025/beitraege/",
    "/beteiligung/fortschreibung-2023-2025/entwurf/",
    "/monitoring/",
    "/umsetzung/",
    "/organisationen/",
    "/datenschutz/",
    "/datenschutz/auskunft/",
    "/leitbild/chronik/",
    "/suche/?q=Sprache",
    "/vergleich/2014/2019/",
]


def test_rendered_pages_need_no_inline_script_or_style(client, demo, django_user_model):
    """Every kind of page a visitor (and then a superuser) can reach by links: nothing
    that the CSP would block, so nothing breaks and nothing needs 'unsafe-inline'."""
    public = _crawl(client, START_PAGES)
    assert public["problems"] == {}
    assert len(public["visited"]) > 40  # the crawl really went round the site
    admin = django_user_model.objects.create_superuser("root", password="pw-root-123456")
    client.force_login(admin)
    staff = _crawl(client, [*START_PAGES, "/arbeitsbereich/", "/uebersetzungen/"])
    assert staff["problems"] == {}


# --- login throttling ------------------------------------------------------------------

LOGIN = "/admin/login/"


@pytest.fixture
def admin_user(django_user_model):
    return django_user_model.objects.create_superuser("chef", password="Richtig-Passwort-1")


def _login(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def _throttled(response) -> bool:
    form = response.context["form"]
    return response.status_code == 429 and form.has_error(NON_FIELD_ERRORS, code="throttled")


def test_logins_are_throttled_per_username(client, admin_user, settings):
    _limit(settings, "login-username", 3)
    for _ in range(3):
        response = _login(client, "chef", "falsch")
        assert response.status_code == 200 and not _throttled(response)
    # Over the limit the right password is refused too — it is not even checked — and
    # the page says why, with 429. Another address does not help: the username counts.
    response = _login(client, "chef", "Richtig-Passwort-1", REMOTE_ADDR="192.0.2.44")
    assert _throttled(response)
    message = str(response.context["form"].non_field_errors()[0])
    assert message in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another account from the same address is not locked by these failures.
    other = _login(client, "niemand", "falsch")
    assert other.status_code == 200 and not _throttled(other)


def test_logins_are_throttled_per_address(client, admin_user, settings):
    _limit(settings, "login-address", 3)
    for name in ("a", "b", "c"):
        assert not _throttled(_login(client, name, "falsch"))
    assert _throttled(_login(client, "chef", "Richtig-Passwort-1"))
    # A visitor elsewhere still gets in.
    response = _login(client, "chef", "Richtig-Passwort-1", REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(admin_user.pk)


def test_a_successful_login_forgets_the_usernames_failures(client, admin_user, settings):
    _limit(settings, "login-username", 3)
    for _ in range(2):
        _login(client, "chef", "falsch")
    assert _login(client, "chef", "Richtig-Passwort-1").status_code == 302
    client.logout()
    for _ in range(2):
        assert not _throttled(_login(client, "chef", "falsch"))


def test_login_counters_name_nobody(client, admin_user):
    _login(client, "chef", "falsch")
    keys = list(RateLimitCounter.objects.values_list("key", flat=True))
    assert any(k.startswith("login-username:") for k in keys)
    assert any(k.startswith("login-address:") for k in keys)
    assert not any("chef" in k or "127.0.0.1" in k for k in keys)


# --- rate limits on every public form and API write ----------------------------------------


@pytest.fixture
def goal(process):
    return process.draft_edition.goals.select_related("field").get(
        field__number="6.2", slug="teilziel-1"
    )


def _goal_url(process, goal):
    return reverse(
        "participation:goal",
        kwargs={"process": process.slug, "field": goal.field.slug, "goal": goal.slug},
    )


@pytest.fixture
def published(process, goal):
    return services.contribution_submit(
        process=process,
        kind="comment",
        goal=goal,
        body="Ein veröffentlichter Beitrag.",
        email="veroeffentlicht@example.org",
        email_confirmed=True,
    )


def _pending(process, goal):
    return services.contribution_submit(
        process=process, kind="comment", goal=goal, body="Wartet.", email="w@example.org"
    )


class Ctx:
    """What the cases below post to, made once per test."""

    def __init__(self, process, goal, published, make_event):
        self.process, self.goal, self.published = process, goal, published
        self.event = make_event()
        self.poll = process.polls.get(slug="priorisierung")
        # All points, at most the per-option maximum on each: a valid ballot.
        options = list(self.poll.options.all())
        share = self.poll.max_per_option or self.poll.points
        self.allocation = {o.pk: share for o in options[: self.poll.points // share]}


# Each public POST: its url name -> (the action it counts under, request n -> response,
# whether request n took effect: True/False, or None where it cannot). Requests 1 and 2
# pass, request 3 is refused and changes nothing.
def _registration(client, ctx, n):
    return client.post(
        ctx.event.get_absolute_url(),
        {"name": f"P{n}", "email": f"p{n}@example.org", "consent": "on"},
    )


def _comment(client, ctx, n):
    return client.post(
        _goal_url(ctx.process, ctx.goal),
        {"form": "contribute", "kind": "comment", "body": f"Kommentar {n}", "email": "k@x.org"},
    )


def _idea(client, ctx, n):
    field = ctx.process.draft_edition.fields.first()
    return client.post(
        reverse("participation:contributions", args=[ctx.process.slug]),
        {"field": field.pk, "body": f"Idee {n}", "email": "i@example.org"},
    )


def _reply(client, ctx, n):
    return client.post(
        ctx.published.get_absolute_url(), {"body": f"Antwort {n}", "email": "r@example.org"}
    )


def _report(client, ctx, n):
    # A different contribution each time: one visitor may report each once.
    target = services.contribution_submit(
        process=ctx.process,
        kind="comment",
        goal=ctx.goal,
        body=f"Gemeldet {n}",
        email=f"g{n}@example.org",
        email_confirmed=True,
    )
    url = reverse("participation:contribution_action", args=[ctx.process.slug, target.pk, "melden"])
    return client.post(url, {"report-reason": f"Grund {n}"})


def _reported(ctx, n):
    return Contribution.objects.get(body=f"Gemeldet {n}").reports.exists()


def _ballot(client, ctx, n):
    points = {f"option_{pk}": value for pk, value in ctx.allocation.items()}
    return client.post(ctx.poll.get_absolute_url(), {"email": f"v{n}@example.org", **points})


def _privacy_request(client, ctx, n):
    return client.post("/datenschutz/auskunft/", {"email": f"d{n}@example.org"})


def _link(url_name, real_token, confirmed):
    """E-mail link buttons: wrong tokens count as well (guessing is slowed), and over the
    limit even the right token is refused."""

    def post(client, ctx, n):
        token = real_token(ctx) if n == 3 else f"falsch-{n}"
        return client.post(reverse(url_name, args=[token]), {"confirm": "on"})

    def took_effect(ctx, n):
        return confirmed(ctx) if n == 3 else None  # 1 and 2: no such token

    return post, took_effect


def _contribution_token(ctx):
    ctx.pending = _pending(ctx.process, ctx.goal)
    return ctx.pending.token


def _contribution_confirmed(ctx):
    ctx.pending.refresh_from_db()
    return ctx.pending.status != Contribution.Status.PENDING


def _ballot_token(ctx):
    ctx.ballot = services.ballot_submit(
        poll=ctx.poll, email="b@example.org", allocation=ctx.allocation
    )
    return ctx.ballot.token


def _ballot_confirmed(ctx):
    ctx.ballot.refresh_from_db()
    return ctx.ballot.confirmed_at is not None


def _cancel_token(ctx):
    ctx.registration = services.registration_create(
        event=ctx.event, name="X", email="c@example.org", consent=True
    )
    return ctx.registration.token


def _cancelled(ctx):
    ctx.registration.refresh_from_db()
    return ctx.registration.status == Registration.Status.CANCELLED


def _privacy_token(ctx):
    from leitbild.privacy.services import privacy_request_create

    services.registration_create(event=ctx.event, name="E", email="e@example.org", consent=True)
    return privacy_request_create(email="e@example.org").token


def _erased(ctx):
    return not Registration.objects.filter(email="e@example.org").exists()


def _api_registration(client, ctx, n):
    return client.post(
        f"/api/v1/events/{ctx.event.pk}/registrations",
        {"name": f"A{n}", "email": f"a{n}@example.org", "consent": True},
        content_type="application/json",
    )


def _exists(model, **lookup):
    """took_effect for requests that create a row: ``{n}`` in a value is the number."""

    def took_effect(ctx, n):
        return model.objects.filter(**{k: v.format(n=n) for k, v in lookup.items()}).exists()

    return took_effect


PUBLIC_POSTS = {
    "participation:event": (
        "registration",
        _registration,
        _exists(Registration, email="p{n}@example.org"),
    ),
    "participation:goal": ("contribution", _comment, _exists(Contribution, body="Kommentar {n}")),
    "participation:contributions": ("contribution", _idea, _exists(Contribution, body="Idee {n}")),
    "participation:contribution": (
        "contribution",
        _reply,
        _exists(Contribution, body="Antwort {n}"),
    ),
    "participation:contribution_action": ("report", _report, _reported),
    "participation:poll": ("ballot", _ballot, _exists(PollBallot, email="v{n}@example.org")),
    "privacy:request": (
        "privacy-request",
        _privacy_request,
        _exists(PrivacyRequest, email="d{n}@example.org"),
    ),
    "participation:contribution_confirm": (
        "email-link",
        *_link("participation:contribution_confirm", _contribution_token, _contribution_confirmed),
    ),
    "participation:ballot_confirm": (
        "email-link",
        *_link("participation:ballot_confirm", _ballot_token, _ballot_confirmed),
    ),
    "participation:registration_cancel": (
        "email-link",
        *_link("participation:registration_cancel", _cancel_token, _cancelled),
    ),
    "privacy:request_detail": (
        "email-link",
        *_link("privacy:request_detail", _privacy_token, _erased),
    ),
    "api:event_register": (
        "api-registration",
        _api_registration,
        _exists(Registration, email="a{n}@example.org"),
    ),
}


@pytest.mark.parametrize("name", sorted(PUBLIC_POSTS))
def test_every_public_post_is_rate_limited(
    client, name, settings, process, goal, published, make_event
):
    action, post, took_effect = PUBLIC_POSTS[name]
    ctx = Ctx(process, goal, published, make_event)
    _limit(settings, action, 2)
    for n in (1, 2):
        assert post(client, ctx, n).status_code != 429
        assert took_effect(ctx, n) in (True, None), f"request {n} was meant to pass"
    refused = post(client, ctx, 3)
    assert refused.status_code == 429, name
    assert took_effect(ctx, 3) is False, "the refused request changed something"


# Views that take POSTs but are not public forms, and how an anonymous POST is refused.
def _staff_urls(process, event, demo):
    from leitbild.actors.models import Organisation
    from leitbild.implementation.models import ActionGoal

    draft = process.draft_edition
    goal = draft.goals.select_related("field").first()
    contribution = process.contributions.first()
    action_goal = ActionGoal.objects.first()
    measure = Measure.objects.first()
    chapter = demo[2019].chapters.first()
    return {
        "publishing:council_paper": reverse("publishing:council_paper", args=[process.slug]),
        "publishing:report_create": reverse("publishing:report_create"),
        "participation:registrations": reverse(
            "participation:registrations", args=[process.slug, event.pk]
        ),
        "participation:contribution_enter": reverse(
            "participation:contribution_enter", args=[process.slug, event.pk]
        ),
        # The public parts of these two are in PUBLIC_POSTS; here their staff actions.
        "participation:goal#revise": _goal_url(process, goal),
        "participation:contribution_action#abwaegen": reverse(
            "participation:contribution_action", args=[process.slug, contribution.pk, "abwaegen"]
        ),
        "monitoring:upload": reverse("monitoring:upload"),
        "monitoring:boundaries": reverse("monitoring:boundaries"),
        "monitoring:register_runs": reverse("monitoring:register_runs"),
        "implementation:smart_check": reverse("implementation:smart_check"),
        "implementation:action_goal_new": reverse("implementation:action_goal_new"),
        "implementation:action_goal_edit": reverse(
            "implementation:action_goal_edit", args=[action_goal.pk]
        ),
        "implementation:action_goal": reverse("implementation:action_goal", args=[action_goal.pk]),
        "implementation:measure": reverse("implementation:measure", args=[measure.pk]),
        "workspace:revision_start": reverse("workspace:revision_start", args=["2019"]),
        "translations:edit": reverse(
            "translations:edit", args=["2019", "en", "chapter", chapter.pk, "title"]
        ),
        "concept:lineage_edit": reverse(
            "concept:lineage_edit", args=["2014", "2019", demo[2019].goals.first().pk]
        ),
        "actors:edit": reverse("actors:edit", args=[Organisation.objects.first().slug]),
    }


EXEMPT = {
    # Switches the interface language: sets a cookie, stores nothing, costs nothing.
    "set_language": "writes nothing on the server",
}


def _html_views():
    """(url name, view function) of every page outside the admin and the API."""

    def walk(patterns, namespace="", route=""):
        for pattern in patterns:
            here = route + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, inner, here)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield here, f"{namespace}{pattern.name}", pattern.callback

    for route, name, callback in walk(get_resolver().url_patterns):
        if not route.startswith(("admin/", "api/")):
            yield name, inspect.unwrap(callback)


def test_every_view_taking_posts_is_rate_limited_staff_only_or_exempt(
    client, process, make_event, demo
):
    """New views are caught: a view whose code reads POSTs must be listed above."""
    takes_posts = {
        name
        for name, view in _html_views()
        if re.search(r"request\.POST|require_POST|\"POST\"", inspect.getsource(view))
    }
    staff = _staff_urls(process, make_event(), demo)
    listed = set(PUBLIC_POSTS) | {n.split("#")[0] for n in staff} | set(EXEMPT)
    assert takes_posts - listed == set(), "a view takes POSTs but has no rate limit"
    assert {n for n in listed if not n.startswith("api:")} - takes_posts == set()
    for name, url in staff.items():
        data = {"form": "revise"} if name.endswith("#revise") else {}
        response = client.post(url, data)
        refused = response.status_code in (401, 403) or (
            response.status_code == 302
            and response["Location"].startswith(("/admin/login/", "/konto/anmelden/"))
        )
        assert refused, f"{name}: anonymous POST answered {response.status_code}"


def test_every_api_write_is_rate_limited_or_needs_a_staff_token(client, process, make_event):
    """API writes (the API itself is another engineer's; this only tests it): each is
    either public and in PUBLIC_POSTS (rate limited) or refuses a request without a
    staff token; the catch-all routes write nothing."""
    from leitbild.api.api import api

    event = make_event()
    writes = []
    for _prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for operation in view.operations:
                methods = set(operation.methods) - {"GET", "HEAD", "OPTIONS"}
                if methods:
                    writes.append((path, sorted(methods), operation))
    assert writes
    for path, methods, operation in writes:
        name = f"api:{operation.url_name}"
        if name in PUBLIC_POSTS or name == "api:event_register_slash":
            continue  # the same view with a trailing slash
        url = "/api/v1" + path.replace("{id}", str(event.pk)).replace("{path:rest}", "x/y")
        for method in methods:
            response = client.generic(method, url, "{}", content_type="application/json")
            if operation.url_name in ("unmatched", "root"):
                assert response.status_code in (404, 405), (method, url)
            else:
                assert operation.auth_callbacks, f"{method} {url} needs no token"
                assert response.status_code == 401, (method, url, response.status_code)


# --- uploads ----------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def _xlsx() -> bytes:
    from openpyxl import Workbook

    out = io.BytesIO()
    Workbook().save(out)
    return out.getvalue()


def _docx() -> bytes:
    import docx

    out = io.BytesIO()
    docx.Document().save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    "data, kind",
    [
        (PDF, "pdf"),
        (PNG, "png"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 16, "jpeg"),
        (HTML, "html"),
        (b"  <svg xmlns='http://www.w3.org/2000/svg'><script/></svg>", "html"),
        (b"\xef\xbb\xbfindicator;period\nx;2020\n", "text"),
        (b'{"type": "FeatureCollection"}', "json"),
        (b"\x00\x01\x02binary", "binary"),
        (b"PAR1....", "parquet"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 8, "ole"),
        (_zip({"a.txt": b"x"}), "zip"),
        (_zip({"mimetype": b"application/vnd.oasis.opendocument.text"}), "odt"),
        (b"PK\x03\x04 but no archive", "binary"),
    ],
)
def test_uploads_are_recognised_by_content(data, kind):
    assert detect(data).name == kind


def test_office_files_are_told_apart():
    assert detect(_xlsx()).name == "xlsx"
    assert detect(_docx()).name == "docx"


@pytest.fixture
def reporter(django_user_model):
    return django_user_model.objects.create_superuser("berichtet", password="pw-report-123456")


@pytest.mark.parametrize(
    "name, data, problem",
    [
        ("bericht.pdf", HTML, "wrong_kind"),  # a page renamed .pdf
        ("bild.pdf", PNG, "wrong_name"),  # a real image, but served as PDF by its name
        ("tabelle.docx", _zip({"evil.html": HTML}), "wrong_kind"),  # any zip named .docx
        ("tabelle.csv", HTML, "wrong_kind"),
        ("tabelle.xlsx", _docx(), "wrong_name"),
    ],
)
def test_attachments_are_checked_by_content(client, demo, reporter, name, data, problem):
    measure = Measure.objects.first()
    client.force_login(reporter)
    response = client.post(
        measure.get_absolute_url(),
        {
            "reported_on": "2026-11-01",
            "text": "Bericht",
            "attachment": SimpleUploadedFile(name, data),
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.has_error("attachment", code=problem)
    assert name in str(form.errors["attachment"])  # the message names the file
    assert not ProgressReport.objects.filter(text="Bericht").exists()


def test_a_real_attachment_is_accepted_and_size_is_limited(client, demo, reporter, settings):
    measure = Measure.objects.first()
    client.force_login(reporter)
    data = {"reported_on": "2026-11-01", "text": "Mit PDF"}
    ok = client.post(
        measure.get_absolute_url(),
        {**data, "attachment": SimpleUploadedFile("protokoll.pdf", PDF)},
    )
    assert ok.status_code == 302
    assert ProgressReport.objects.get(text="Mit PDF").attachment.name.endswith(".pdf")
    settings.ATTACHMENT_MAX_BYTES = 10
    big = client.post(
        measure.get_absolute_url(),
        {**data, "text": "Zu groß", "attachment": SimpleUploadedFile("gross.pdf", PDF)},
    )
    assert big.context["form"].has_error("attachment", code="too_large")


def test_monitoring_uploads_are_checked_by_content(client, demo, reporter, settings):
    client.force_login(reporter)
    observations = client.post(
        reverse("monitoring:upload"),
        {"fmt": "auto", "file": SimpleUploadedFile("werte.csv", HTML)},
    )
    assert observations.context["form"].has_error("file", code="wrong_kind")
    workbook_in_disguise = client.post(
        reverse("monitoring:upload"),
        {"fmt": "auto", "file": SimpleUploadedFile("werte.xlsx", _docx())},
    )
    assert workbook_in_disguise.context["form"].has_error("file", code="wrong_kind")
    boundaries = client.post(
        reverse("monitoring:boundaries"),
        {"level": "district", "file": SimpleUploadedFile("gebiete.geojson", PNG)},
    )
    assert boundaries.context["form"].has_error("file", code="wrong_kind")
    settings.BOUNDARIES_UPLOAD_MAX_BYTES = 5
    too_big = client.post(
        reverse("monitoring:boundaries"),
        {"level": "district", "file": SimpleUploadedFile("g.geojson", b'{"type": 1}')},
    )
    assert too_big.context["form"].has_error("file", code="too_large")
    for data in (HTML, b"a;b\n1;2\n"):  # a page, and text without the extract's header
        register = client.post(
            reverse("monitoring:register_runs"),
            {
                "file": SimpleUploadedFile("register.csv", data),
                "definition": "einwanderungsgeschichte",
                "year": 2017,
            },
        )
        assert "neither Parquet nor" in str(register.context["form"].errors["file"])


def test_api_observation_import_is_checked_by_content(client, demo, reporter):
    from leitbild.participation.services import api_token_create

    token = api_token_create(user=reporter)
    response = client.post(
        "/api/v1/observations/import",
        {"file": SimpleUploadedFile("werte.csv", HTML)},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 422
    assert "not a CSV or XLSX table" in response.json()["errors"]["file"][0]


def test_every_upload_field_is_checked():
    """Every file field of a form has a clean method (size and content); every file
    field of a model is either behind such a form or written by us."""
    import django.forms as forms
    from django.apps import apps
    from django.db import models

    for module in SRC.glob("*/forms.py"):
        importlib.import_module(f"leitbild.{module.parent.name}.forms")

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    checked_by_the_service = {
        # services.register_run_create: REGISTER_UPLOAD_MAX_BYTES, then Parquet or a
        # UTF-8 CSV whose header names person_id (extract_kind), stricter than a form.
        "leitbild.monitoring.forms.RegisterUploadForm.file",
    }
    unchecked = {
        f"{form.__module__}.{form.__name__}.{name}"
        for form in set(subclasses(forms.BaseForm))
        if form.__module__.startswith("leitbild.")
        for name, field in form.base_fields.items()
        if isinstance(field, forms.FileField) and not hasattr(form, f"clean_{name}")
    }
    assert unchecked == checked_by_the_service
    model_files = {
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    }
    assert model_files == {
        "implementation.ProgressReport.attachment",  # ProgressReportForm.clean_attachment
        "monitoring.RegisterRun.extract",  # services.register_run_create (size, content)
        "monitoring.RegisterRun.aggregates",  # written by the derivation, never uploaded
        "publishing.MonitoringReport.file",  # the PDF we lay out
    }


# --- user text is shown as text -----------------------------------------------------------


def _payloads(field: str) -> list[str]:
    number = sum(map(ord, field))  # tells the fields apart in the pages
    return [f"<script>alert({number})</script>", f"<img src=x onerror=alert({number})>"]


def _escaped(payload: str) -> str:
    return payload.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _text_fields(form) -> list[str]:
    """Every free-text field of the form: new ones are covered as they are added. The
    honeypot refuses any text by design; e-mail fields are checked separately."""
    import django.forms as forms

    return [
        name
        for name, field in form.fields.items()
        if isinstance(field, forms.CharField)
        and not isinstance(field, forms.EmailField)
        and name != "website"
    ]


def _email_fields(form) -> list[str]:
    import django.forms as forms

    return [name for name, f in form.fields.items() if isinstance(f, forms.EmailField)]


def _assert_text_only(pages: dict[str, str], stored: dict[str, str]):
    """No page turns a payload into markup; each stored text appears escaped somewhere."""
    for url, html in pages.items():
        assert scan(html).problems == [], url
        assert "<script>alert(" not in html and "<img src=x" not in html, url
    for field, value in stored.items():
        assert any(_escaped(value) in html for html in pages.values()), field


def _confirm(client):
    link = re.search(r"http://testserver(/beteiligung/bestaetigen/\S+/)", mail.outbox[-1].body)
    assert client.post(link.group(1)).status_code == 302


@pytest.fixture
def open_limits(settings):
    settings.RATE_LIMITS = {k: (10**6, window) for k, (_n, window) in settings.RATE_LIMITS.items()}


@pytest.mark.parametrize("variant", [0, 1])
def test_payloads_in_contributions_are_stored_and_shown_as_text(
    client, process, goal, variant, open_limits, process_staff
):
    from leitbild.concept.services import goal_update_text

    form = ContributionForm(city=process.base_edition.city)
    fields = _text_fields(form)
    assert {"body", "quote", "proposed_text", "author_name"} <= set(fields)
    values = {name: _payloads(name)[variant] for name in fields}
    # A quote must come from the goal's text: staff put the payload there first (goal
    # texts are shown as text too).
    goal_update_text(goal=goal, text=f"{goal.text} {values['quote']}")
    url = _goal_url(process, goal)
    response = client.post(
        url, {"form": "contribute", "kind": "amendment", "email": "x@example.org", **values}
    )
    assert response.status_code == 302, response.context["form"].errors
    contribution = Contribution.objects.get(email="x@example.org")
    confirm_page = client.get(
        reverse("participation:contribution_confirm", args=[contribution.token])
    )
    _confirm(client)
    contribution.refresh_from_db()
    for name, value in values.items():
        assert getattr(contribution, name) == value  # stored as typed
    pages = _pages(client, process, goal, contribution)
    pages["confirm"] = confirm_page.content.decode()
    client.force_login(process_staff)
    pages["staff detail"] = client.get(contribution.get_absolute_url()).content.decode()
    _assert_text_only(pages, values)


def _pages(client, process, goal, contribution) -> dict[str, str]:
    urls = {
        "goal": _goal_url(process, goal),
        "detail": contribution.get_absolute_url(),
        "list": reverse("participation:contributions", args=[process.slug]),
        "consideration": reverse("participation:consideration", args=[process.slug]),
        "history": reverse(
            "goal_history",
            kwargs={"edition": goal.edition.slug, "field": goal.field.slug, "goal": goal.slug},
        ),
    }
    pages = {}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, url
        pages[name] = response.content.decode()
    return pages


@pytest.mark.parametrize("variant", [0, 1])
def test_payloads_in_ideas_and_replies_are_shown_as_text(
    client, process, goal, published, variant, open_limits
):
    field = process.draft_edition.fields.first()
    idea_form = IdeaForm(fields=process.draft_edition.fields.all(), city=process.base_edition.city)
    idea_values = {name: _payloads(name)[variant] for name in _text_fields(idea_form)}
    response = client.post(
        reverse("participation:contributions", args=[process.slug]),
        {"field": field.pk, "email": "idee@example.org", **idea_values},
    )
    assert response.status_code == 302
    _confirm(client)
    idea = Contribution.objects.get(email="idee@example.org")

    reply_values = {name: _payloads("r" + name)[variant] for name in _text_fields(ReplyForm())}
    response = client.post(
        published.get_absolute_url(), {"email": "antwort@example.org", **reply_values}
    )
    assert response.status_code == 302
    mail.outbox.clear()
    reply = Contribution.objects.get(email="antwort@example.org")
    client.post(reverse("participation:contribution_confirm", args=[reply.token]))
    reply.refresh_from_db()
    assert idea.status == reply.status == Contribution.Status.PUBLISHED
    assert reply.body == reply_values["body"]

    pages = _pages(client, process, goal, idea)
    pages["reply thread"] = client.get(published.get_absolute_url()).content.decode()
    _assert_text_only(pages, {**idea_values, **reply_values})


def test_payload_in_a_report_reason_is_stored_as_text(client, process, published, process_staff):
    fields = _text_fields(ReportForm())
    values = {f"report-{name}": _payloads(name)[0] for name in fields}
    client.post(
        reverse("participation:contribution_action", args=[process.slug, published.pk, "melden"]),
        values,
    )
    assert published.reports.get().reason == values["report-reason"]
    client.force_login(process_staff)
    page = client.get(published.get_absolute_url()).content.decode()
    assert scan(page).problems == [] and "<script>alert(" not in page


@pytest.mark.parametrize("variant", [0, 1])
def test_payloads_in_a_registration_are_shown_as_text_to_staff(
    client, process, make_event, variant, process_staff
):
    event = make_event()
    form = RegistrationForm(city=process.base_edition.city)
    values = {name: _payloads(name)[variant] for name in _text_fields(form)}
    assert {"name", "organisation_name", "needs_interpreting", "needs_accessibility"} <= set(values)
    response = client.post(
        event.get_absolute_url(), {"email": "reg@example.org", "consent": "on", **values}
    )
    assert response.status_code == 302
    registration = Registration.objects.get(email="reg@example.org")
    assert registration.name == values["name"]
    pages = {"event": client.get(event.get_absolute_url()).content.decode()}
    client.force_login(process_staff)
    pages["registrations"] = client.get(
        reverse("participation:registrations", args=[process.slug, event.pk])
    ).content.decode()
    _assert_text_only(pages, values)


@pytest.mark.parametrize(
    "url, form_class",
    [
        ("poll", BallotForm),
        ("/datenschutz/auskunft/", PrivacyRequestForm),
        ("event", RegistrationForm),
        ("goal", ContributionForm),
        ("reply", ReplyForm),
    ],
)
def test_payloads_in_email_fields_are_refused_and_echoed_as_text(
    client, process, goal, published, make_event, url, form_class, open_limits
):
    """E-mail fields take no markup at all; the form shown again echoes it escaped."""
    poll = process.polls.get(slug="priorisierung")
    target = {
        "poll": poll.get_absolute_url(),
        "event": make_event().get_absolute_url(),
        "goal": _goal_url(process, goal),
        "reply": published.get_absolute_url(),
    }.get(url, url)
    kwargs = {"poll": poll} if form_class is BallotForm else {}
    names = _email_fields(form_class(**kwargs))
    assert names
    payload = _payloads("email")[0]
    response = client.post(target, {"form": "contribute", **{n: payload for n in names}})
    assert response.status_code == 200
    page = response.content.decode()
    assert all(response.context["form"].has_error(n) for n in names)
    assert "<script>alert(" not in page and _escaped(payload) in page


def test_staff_chapter_html_is_sanitised_on_save(client, demo, django_user_model):
    admin = django_user_model.objects.create_superuser("redaktion", password="pw-red-123456")
    client.force_login(admin)
    chapter = demo[2019].chapters.get(slug="1")
    url = reverse("admin:concept_chapter_change", args=[chapter.pk])
    data = _admin_form_data(client.get(url).content.decode())
    data["body"] = (
        '<p onclick="alert(1)">Neu <strong>fett</strong></p><script>alert(2)</script>'
        '<a href="javascript:alert(3)">Link</a><img src=x onerror=alert(4)>'
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    chapter.refresh_from_db()
    assert "<strong>fett</strong>" in chapter.body
    for bad in ("onclick", "<script", "javascript:", "onerror", "<img"):
        assert bad not in chapter.body
    assert "fett" in chapter.plain_text and " fett " in chapter.search_index
    page = client.get(chapter.get_absolute_url()).content.decode()
    assert "Neu <strong>fett</strong>" in page and scan(page).problems == []


class _FormFields(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.data, self._textarea, self._select = {}, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "checkbox", "file"):
            self.data[name] = a.get("value", "")
        elif tag == "input" and name and a.get("type") == "checkbox" and "checked" in a:
            self.data[name] = a.get("value", "on")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select] = a.get("value", "")

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def _admin_form_data(html: str) -> dict:
    parser = _FormFields()
    parser.feed(html)
    return {k: v.lstrip("\n") if isinstance(v, str) else v for k, v in parser.data.items()}


def test_html_is_rendered_unescaped_only_where_it_was_sanitised():
    """``|safe`` and ``safe_html=True`` only where the text passed sanitize_html when it
    was stored (chapter bodies: import, admin, translation_save) or is our own output."""
    allowed = {
        "concept/templates/concept/chapter_detail.html",  # chapter body
        "concept/templates/concept/translation_edit.html",  # chapter body (source)
        "publishing/templates/publishing/edition_print.html",  # chapter body, PDF
        "publishing/templates/publishing/report_print_indicator.html",  # our SVG chart, PDF
    }
    found = {
        str(path.relative_to(SRC))
        for path in SRC.glob("**/templates/**/*.html")
        if re.search(r"\|\s*safe\b|safe_html=True|autoescape off", path.read_text())
    }
    assert found == allowed
    in_python = {
        str(path.relative_to(SRC))
        for path in SRC.glob("**/*.py")
        if "mark_safe(" in path.read_text() and "/migrations/" not in str(path)
    }
    assert in_python == {
        "core/templatetags/leitbild.py",  # the tr tag, for chapter bodies
        # The fast <select>: every name, value and label goes through conditional_escape,
        # and a test compares its HTML with Django's template (tests/test_load_faults.py).
        "participation/forms.py",
    }


# --- dependency audit ---------------------------------------------------------------------


def _audit_module():
    spec = importlib.util.spec_from_file_location("audit", ROOT / "scripts" / "audit.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_audit_fails_on_a_known_vulnerability_and_only_warns_when_it_cannot_audit():
    verdict = _audit_module().verdict
    vulnerable = {
        "dependencies": [
            {
                "name": "django",
                "version": "4.2.0",
                "vulns": [{"id": "PYSEC-2023-1", "fix_versions": ["4.2.1"]}],
            },
            {"name": "nh3", "version": "0.3.0", "vulns": []},
        ]
    }
    status, message = verdict(vulnerable)
    assert status == 1 and "django 4.2.0: PYSEC-2023-1 (fixed in: 4.2.1)" in message
    clean = {"dependencies": [{"name": "nh3", "version": "0.3.0", "vulns": []}]}
    assert verdict(clean) == (0, "No known vulnerabilities in 1 locked packages.")
    unknown = {"dependencies": [{"name": "nh3", "skip_reason": "Dependency not found"}]}
    status, message = verdict(unknown)
    assert status == 0 and "AUDIT NOT DONE" in message
    partly = {"dependencies": [*clean["dependencies"], *unknown["dependencies"]]}
    status, message = verdict(partly)
    assert status == 0 and "could NOT be audited: nh3" in message


def test_make_test_runs_the_audit():
    makefile = (ROOT / "Makefile").read_text()
    test_recipe = makefile.split("\ntest: ", 1)[1].split("\n\n", 1)[0]
    assert "audit" in test_recipe
    assert "pip-audit" in (ROOT / "pyproject.toml").read_text()
    assert Path(sys.executable).with_name("pip-audit").exists()
