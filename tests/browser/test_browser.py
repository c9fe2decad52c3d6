"""Browser tests: the public pages in the system Chromium, checked with axe-core.

Every public page a test opens is checked for WCAG 2.1 AA violations (axe tags
wcag2a, wcag2aa, wcag21a, wcag21aa); none are allowed.

The live server needs committed data, so these tests run in transactional mode,
and pytest-django empties every table after each of them. Each test therefore
reloads the demo data if it is gone, and the module reloads it once more when it
is done, so that database tests running later still find it.

``LEITBILD_SCREENSHOTS=1`` also writes the screenshots in ``docs/img/``.
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .helpers import assert_accessible, axe_violations

pytestmark = pytest.mark.browser

# Texts of the demo data (not interface strings, which are translated).
FIELD_6_2 = "6.2 Rechtliche Beratung und Integrationsbegleitung"
FIELD_6_4 = "Bildung und Sprachen"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "img"


def test_read_search_and_compare(page: Page):
    page.goto("/leitbild/2019/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Leitbild Migration")
    assert_accessible(page)

    # overview → field of action
    page.get_by_role("link", name=FIELD_6_2, exact=True).click()
    expect(page).to_have_url(re.compile(r"/leitbild/2019/6-2/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(FIELD_6_2)
    expect(page.locator("ol.goals.nested")).to_have_count(2)
    assert_accessible(page)

    # field → goal
    page.get_by_role("link", name=re.compile(r"teilziel-2-1$")).click()
    expect(page).to_have_url(re.compile(r"/leitbild/2019/6-2/teilziel-2-1/$"))
    expect(page.locator("blockquote.goal-text")).to_contain_text("Runden Tisch „Münster")
    assert_accessible(page)

    # search from the main navigation
    page.get_by_role("banner").locator('a[href="/suche/"]').click()
    expect(page).to_have_url(re.compile(r"/suche/$"))
    assert_accessible(page)
    search = page.get_by_role("searchbox")
    search.fill("Sprache")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"/suche/\?q=Sprache"))
    hits = page.locator("ol.hits")
    expect(hits.locator('a[href^="/leitbild/2019/6-4/"]').first).to_be_visible()
    expect(hits).to_contain_text(FIELD_6_4)
    assert_accessible(page)

    # choose the editions to compare, then the comparison itself
    page.goto("/vergleich/")
    assert_accessible(page)
    form = page.get_by_role("main").locator("form")
    form.locator("select[name=old]").select_option("2014")
    form.locator("select[name=new]").select_option("2019")
    form.get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"/vergleich/2014/2019/$"))
    expect(page.locator("table.comparison tbody .tag-reworded").first).to_be_visible()
    expect(page.locator("table.comparison tbody ins").first).to_be_visible()
    assert_accessible(page)


def test_keyboard_skip_link_and_navigation(page: Page):
    page.goto("/leitbild/2019/")
    skip = page.locator('a.skip-link[href="#main"]')

    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()

    target = page.get_by_role("link", name=FIELD_6_2, exact=True)
    for _ in range(40):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            break
    expect(target).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/leitbild/2019/6-2/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(FIELD_6_2)


MORE_PAGES = [
    "/",
    "/leitbild/2014/",
    "/leitbild/2019/kapitel/1/",
    "/leitbild/2019/begriffe/",
    "/leitbild/2019/6-1/leitziel-1/",  # shows the changes against its 2014 predecessor
    "/vergleich/",
]


def test_more_pages_are_accessible(page: Page):
    problems = []
    for url in MORE_PAGES:
        response = page.goto(url)
        assert response is not None
        assert response.ok, f"{url}: HTTP {response.status}"
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        problems += [f"{url}: {line}" for line in axe_violations(page)]
    assert not problems, "axe found WCAG 2.1 AA violations:\n  " + "\n  ".join(problems)


def test_arabic_translation_is_marked_right_to_left(page: Page):
    from leitbild.concept.models import Goal
    from leitbild.core.models import Translation, source_digest

    goal = Goal.objects.get(edition__year=2019, field__slug="6-2", slug="teilziel-2-1")
    arabic = "يتم تعزيز المائدة المستديرة لحق الإقامة"
    Translation.objects.create(
        content_object=goal,
        field="text",
        language="ar",
        text=arabic,
        status=Translation.Status.PUBLISHED,
        source_digest=source_digest(goal.text),
    )

    page.goto("/leitbild/2019/6-2/teilziel-2-1/?lang=ar")
    translated = page.locator('.goal-text [dir="rtl"][lang="ar"]')
    expect(translated).to_have_text(arabic)
    assert_accessible(page)


def _synthetic_event_url():
    from leitbild.participation.demo import SYNTHETIC_EVENT
    from leitbild.participation.models import Event

    return Event.objects.get(title=SYNTHETIC_EVENT).get_absolute_url()


@pytest.mark.skipif(
    os.environ.get("LEITBILD_SCREENSHOTS") != "1",
    reason=(
        "rewrites the committed screenshots in docs/img, so it runs only on request: "
        "LEITBILD_SCREENSHOTS=1 make test-sqlite (the pages it shows are checked by the "
        "other browser tests)"
    ),
)
def test_screenshots(page: Page):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for url, name in [
        ("/leitbild/2019/", "overview.png"),
        ("/leitbild/2019/6-2/", "field.png"),
        ("/vergleich/2014/2019/?status=reworded", "compare.png"),
        ("/beteiligung/fortschreibung-2023-2025/", "process.png"),
        ("/beteiligung/fortschreibung-2023-2025/termine/", "calendar.png"),
        ("/beteiligung/fortschreibung-2023-2025/abstimmung/priorisierung/", "poll.png"),
        ("/beteiligung/fortschreibung-2023-2025/beteiligte/", "who-took-part.png"),
        ("/organisationen/", "organisations.png"),
        (_synthetic_event_url(), "event-registration.png"),
        ("/monitoring/anteil-migrationshintergrund/", "indicator-map.png"),
        ("/umsetzung/stand/", "goal-status.png"),
    ]:
        page.goto(url)
        if "monitoring" in url:
            expect(page.locator(".vega-chart svg")).to_have_count(2)
        page.screenshot(path=SCREENSHOTS / name, full_page="monitoring" in url)
