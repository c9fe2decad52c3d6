"""The accessibility audit (BITV 2.0 / WCAG 2.1 AA): every public page type, in German and
in a right-to-left content language (Arabic), checked by axe-core; and the two things a
visitor comes to do — register for an event, comment on a draft goal — done with the
keyboard alone.

``PAGES`` names one address per public page type; ``NOT_AUDITED`` says why every other
URL pattern is left out (staff pages, downloads, API). A test without the browser fails
when a URL pattern is in neither, so a new page cannot skip the audit unnoticed.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from playwright.sync_api import Page, expect

from .helpers import axe_violations

pytestmark = pytest.mark.browser

PROCESS = "/beteiligung/fortschreibung-2023-2025"

# URL name → a path, or a function of the demo data giving one.
PAGES = {
    "concept:home": "/",
    "concept:search": "/suche/?q=Sprache",
    "concept:compare_choose": "/vergleich/",
    "concept:compare": "/vergleich/2014/2019/",
    "concept:history": "/leitbild/chronik/",
    "concept:edition": "/leitbild/2019/",
    "concept:glossary": "/leitbild/2019/begriffe/",
    "concept:chapter": "/leitbild/2019/kapitel/1/",
    "concept:field": "/leitbild/2019/6-2/",
    "concept:goal": "/leitbild/2019/6-2/teilziel-1/",
    "goal_history": "/leitbild/2025/6-6/leitziel-1/entstehung/",
    "participation:process_list": "/beteiligung/",
    "participation:process": f"{PROCESS}/",
    "participation:calendar": f"{PROCESS}/termine/",
    "participation:event": lambda: _upcoming_event().get_absolute_url(),
    "participation:event_stats": lambda: _past_event().get_absolute_url() + "beteiligte/",
    "participation:contributions": f"{PROCESS}/beitraege/",
    "participation:contribution": lambda: _contribution().get_absolute_url(),
    "participation:draft": f"{PROCESS}/entwurf/",
    "participation:goal": f"{PROCESS}/entwurf/6-6/leitziel-1/",
    "participation:consideration": f"{PROCESS}/abwaegung/",
    "participation:process_stats": f"{PROCESS}/beteiligte/",
    "participation:poll": f"{PROCESS}/abstimmung/priorisierung/",
    "participation:registration_cancel": lambda: _registration().get_cancel_url(),
    "participation:contribution_confirm": lambda: (
        f"/beteiligung/bestaetigen/{_contribution().token}/"
    ),
    "participation:ballot_confirm": lambda: (
        f"/beteiligung/abstimmung/bestaetigen/{_ballot().token}/"
    ),
    "actors:list": "/organisationen/",
    "actors:detail": lambda: _organisation().get_absolute_url(),
    "monitoring:indicators": "/monitoring/",
    "monitoring:indicator": "/monitoring/anteil-migrationshintergrund/",
    "publishing:reports": "/monitoring/berichte/",
    "implementation:overview": "/umsetzung/",
    "implementation:status": "/umsetzung/stand/",
    "implementation:action_goal": lambda: _action_goal().get_absolute_url(),
    "implementation:measure": lambda: _measure().get_absolute_url(),
    "privacy:notice": "/datenschutz/",
    "privacy:request": "/datenschutz/auskunft/",
    "privacy:request_detail": lambda: _privacy_request().get_absolute_url(),
    "account:login": "/konto/anmelden/",
    "account:password_reset": "/konto/passwort/vergessen/",
    "account:password_reset_done": "/konto/passwort/vergessen/gesendet/",
    "account:password_reset_confirm": "/konto/passwort/neu/MQ/ungueltig/",
    "account:password_reset_complete": "/konto/passwort/neu/fertig/",
}

# Pages whose content carries translations; the others show the interface's German.
TRANSLATED = {"concept:chapter", "concept:field", "concept:goal"}

NOT_AUDITED = {
    # staff only (checked by their own browser tests where they exist)
    "participation:registrations": "staff: registration list",
    "participation:contribution_enter": "staff: workshop contributions",
    "participation:contribution_action": "POST only",
    "concept:lineage_edit": "staff: lineage correction",
    "actors:edit": "representatives: organisation profile form",
    "monitoring:upload": "staff: data upload",
    "monitoring:boundaries": "staff: boundary upload",
    "monitoring:register_runs": "staff: register extracts",
    "monitoring:register_run": "staff: register run",
    "implementation:smart_failures": "staff: SMART check list",
    "implementation:smart_check": "staff: live SMART check (JSON)",
    "implementation:action_goal_new": "staff: editor",
    "implementation:action_goal_edit": "staff: editor",
    "workspace:dashboard": "staff: dashboard (test_workspace_browser.py)",
    "workspace:revision_start": "staff: revision form (test_workspace_browser.py)",
    "translations:index": "staff: translations (test_browser.py)",
    "translations:status": "staff: translations (test_browser.py)",
    "translations:list": "staff: translations (test_browser.py)",
    "translations:edit": "staff: translations (test_browser.py)",
    "publishing:council_paper": "staff: council paper form",
    "publishing:report_create": "staff: POST only",
    "publishing:report": "a generated report's progress page (test_publishing_report.py)",
    # not HTML
    "publishing:edition_pdf": "PDF",
    "publishing:council_paper_download": "PDF, DOCX, JSON",
    "publishing:report_status": "JSON",
    "publishing:report_file": "PDF",
    "participation:process_ical": "iCalendar",
    "participation:event_ical": "iCalendar",
    "participation:registrations_export": "CSV/XLSX",
    "participation:consideration_export": "CSV/XLSX",
    "monitoring:register_run_status": "JSON",
    "monitoring:register_run_aggregates": "CSV",
    "monitoring:indicator_chart": "SVG/PNG/JSON",
    "monitoring:indicator_map": "SVG/PNG/JSON",
    "monitoring:indicator_download": "CSV/JSON",
    "privacy:request_download": "JSON",
    "healthz": "JSON",
    "account:logout": "POST only",
    "account:password_change": "logged in: one's own password",
    "account:password_change_done": "logged in: one's own password",
}


def _names(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from _names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace + pattern.name


def test_every_page_type_is_audited_or_says_why_not():
    names = {
        n
        for n in _names(get_resolver().url_patterns)
        if not n.startswith(("admin:", "api-")) and n != "set_language"
    }
    missing = sorted(names - set(PAGES) - set(NOT_AUDITED))
    assert not missing, f"add these URL names to PAGES or NOT_AUDITED: {missing}"
    stale = sorted((set(PAGES) | set(NOT_AUDITED)) - names - {"healthz"})
    assert not stale, f"no longer URL names: {stale}"


# Demo objects for the pages that need one ----------------------------------------------


def _upcoming_event():
    from django.utils import timezone

    from leitbild.participation.models import Event

    return Event.objects.public().filter(starts_at__gt=timezone.now()).order_by("starts_at")[0]


def _past_event():
    from django.utils import timezone

    from leitbild.participation.models import Event

    return Event.objects.public().filter(starts_at__lt=timezone.now()).order_by("starts_at")[0]


def _contribution():
    from leitbild.participation.models import Contribution

    return Contribution.objects.published().order_by("pk")[0]


def _registration():
    from leitbild.participation.models import Registration

    return Registration.objects.order_by("pk")[0]


def _ballot():
    from leitbild.participation.models import PollBallot

    return PollBallot.objects.order_by("pk")[0]


def _organisation():
    from leitbild.actors.models import Organisation

    return Organisation.objects.order_by("name")[0]


def _action_goal():
    from leitbild.implementation.models import ActionGoal

    return ActionGoal.objects.order_by("pk")[0]


def _measure():
    from leitbild.implementation.models import Measure

    return Measure.objects.order_by("pk")[0]


def _privacy_request():
    from leitbild.privacy.services import privacy_request_create

    return privacy_request_create(email="teilnahme-1@example.org")


def _with_language(path: str, language: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}lang={language}"


@pytest.mark.parametrize("language", ["de", "ar"])
def test_every_public_page_type_passes_axe(page: Page, language):
    found = {}
    for name, where in PAGES.items():
        path = where() if callable(where) else where
        page.goto(_with_language(path, language))
        expect(page.locator("h1").first).to_be_visible()
        if language == "ar" and name in TRANSLATED:
            # The content area declares the content language and lays out right to left.
            assert page.locator('.content-language[lang="ar"][dir="rtl"]').count(), path
        problems = axe_violations(page)
        if problems:
            found[f"{name} {path}"] = problems
    assert not found, "axe found WCAG 2.1 AA violations:\n" + "\n".join(
        f"{where}:\n  " + "\n  ".join(problems) for where, problems in found.items()
    )


# Keyboard only ----------------------------------------------------------------------------


def tab_to(page: Page, selector: str, *, limit: int = 150) -> None:
    """Press Tab until the focused element matches ``selector`` (as a visitor would)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement?.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_register_for_an_event_with_the_keyboard_alone(page: Page):
    event = _upcoming_event()
    page.goto(event.get_absolute_url())
    tab_to(page, "input[name=name]")
    page.keyboard.type("Kim Tastatur")
    tab_to(page, "input[name=email]")
    page.keyboard.type("kim.tastatur@example.org")
    tab_to(page, "input[name=consent]")
    page.keyboard.press("Space")
    tab_to(page, "button[type=submit]:not([name=action])")
    page.keyboard.press("Enter")
    expect(page.locator(".message")).to_contain_text("kim.tastatur@example.org")
    assert event.registrations.filter(email="kim.tastatur@example.org").exists()


def test_comment_on_a_draft_goal_with_the_keyboard_alone(page: Page):
    from leitbild.participation.models import Contribution

    page.goto(f"{PROCESS}/entwurf/6-6/leitziel-1/")
    tab_to(page, "textarea[name=body]")
    page.keyboard.type("Mit der Tastatur geschrieben: bitte Beratung auch abends.")
    tab_to(page, "input[name=email]")
    page.keyboard.type("tastatur@example.org")
    if page.locator("input[name=consent]").count():
        tab_to(page, "input[name=consent]")
        page.keyboard.press("Space")
    tab_to(page, "form:has(textarea[name=body]) button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator(".message")).to_be_visible()
    contribution = Contribution.objects.get(email="tastatur@example.org")
    assert contribution.body.startswith("Mit der Tastatur geschrieben")
    assert re.search(r"Tastatur", contribution.body)
