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
    "/leitbild/chronik/",
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


def _screenshot_dir() -> Path:
    """Screenshots of the language tests, to look at after a run (``var/`` by default)."""
    from django.conf import settings

    path = settings.DATA_DIR / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _text_gaps(locator) -> list[float]:
    """Space left and right of an element's text inside the element's box, in pixels."""
    return locator.evaluate(
        """el => {
            const range = document.createRange();
            range.selectNodeContents(el);
            const text = range.getBoundingClientRect(), box = el.getBoundingClientRect();
            return [text.left - box.left, box.right - text.right];
        }"""
    )


def test_goal_page_switches_to_arabic_and_easy_german(page: Page):
    """The content-language switcher on a goal page (the synthetic demo translations of
    6.2): Arabic lays the content out right to left, Leichte Sprache is German."""
    page.goto("/leitbild/2019/6-2/teilziel-1/")
    switcher = page.get_by_role("navigation", name="Sprache der Texte")
    content = page.locator("main .content-language")
    goal_text = page.locator("blockquote.goal-text p")
    expect(content).to_have_attribute("dir", "ltr")

    switcher.get_by_role("link", name="العربية").click()
    expect(page).to_have_url(re.compile(r"/leitbild/2019/6-2/teilziel-1/\?lang=ar$"))
    expect(switcher.get_by_role("link", name="العربية")).to_have_attribute("aria-current", "true")
    expect(content).to_have_attribute("dir", "rtl")
    expect(content).to_have_attribute("lang", "ar")
    expect(goal_text).to_contain_text("نواصل، في حدود الإمكانات القانونية، تطوير الهياكل")
    assert goal_text.evaluate("el => getComputedStyle(el).direction") == "rtl"
    # Laid out right to left, not just marked: the quote's bar is on the right (a logical
    # border), the heading starts at the right edge, list numbers stand on the right.
    quote = page.locator("blockquote.goal-text")
    assert quote.evaluate("el => getComputedStyle(el).borderRightWidth") == "5px"
    assert quote.evaluate("el => getComputedStyle(el).borderLeftWidth") == "0px"
    left, right = _text_gaps(page.locator("main h1"))
    assert right < 1 < left
    nested = content.locator("ul")
    assert nested.evaluate("el => getComputedStyle(el).paddingRight") != "0px"
    assert nested.evaluate("el => getComputedStyle(el).paddingLeft") == "0px"
    # The nested goal without an Arabic translation: German, left to right, marked.
    fallback = content.locator('li span[lang="de"][dir="ltr"]:not(.untranslated)')
    expect(fallback).to_contain_text("Wir erarbeiten mehrsprachige einführende")
    assert fallback.evaluate("el => getComputedStyle(el).direction") == "ltr"
    expect(content.locator(".untranslated")).to_have_text("(nicht übersetzt)")
    page.screenshot(path=_screenshot_dir() / "goal-ar.png", full_page=True)
    assert_accessible(page)

    # Leichte Sprache, this time by keyboard.
    easy = switcher.get_by_role("link", name="Leichte Sprache")
    easy.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"\?lang=de-easy$"))
    expect(content).to_have_attribute("dir", "ltr")
    expect(content).to_have_attribute("lang", "de")
    expect(goal_text).to_have_text(
        "Menschen brauchen gute Informationen und eine gute Beratung. "
        "Darum machen wir unsere Angebote immer besser. Dabei halten wir uns an die Gesetze."
    )
    assert goal_text.evaluate("el => el.closest('[lang]').lang") == "de"
    assert goal_text.evaluate("el => getComputedStyle(el).direction") == "ltr"
    page.screenshot(path=_screenshot_dir() / "goal-de-easy.png", full_page=True)
    assert_accessible(page)

    # The choice stays while reading on: the field of action in Leichte Sprache.
    page.locator("main .kicker a").click()
    expect(page).to_have_url(re.compile(r"/leitbild/2019/6-2/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "6.2 Beratung zum Recht und Begleitung bei der Integration"
    )
    assert_accessible(page)


def test_field_page_in_arabic_is_accessible(page: Page):
    page.goto("/leitbild/2019/6-2/?lang=ar")
    expect(page.locator("main .content-language")).to_have_attribute("dir", "rtl")
    expect(page.get_by_role("heading", level=1)).to_contain_text("الاستشارة القانونية")
    page.screenshot(path=_screenshot_dir() / "field-ar.png", full_page=True)
    assert_accessible(page)


def test_translation_workspace(logged_in_page, django_user_model):
    """Staff: the status page with its bars, a language's texts, and the edit form."""
    from django.contrib.auth.models import Permission

    translator = django_user_model.objects.create_user("translator", is_staff=True)
    translator.user_permissions.add(Permission.objects.get(codename="change_translation"))
    page = logged_in_page(translator)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/uebersetzungen/2019/")
    table = page.locator("table.coverage")
    expect(table.locator("tbody tr")).to_have_count(8)
    expect(table.locator("svg.coverage-bar rect.bar-published").first).to_be_visible()
    page.screenshot(path=_screenshot_dir() / "translation-status.png", full_page=True)
    assert_accessible(page)

    table.get_by_role("link", name="Arabisch").click()
    expect(page).to_have_url(re.compile(r"/uebersetzungen/2019/ar/$"))
    page.screenshot(path=_screenshot_dir() / "translation-list.png")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(r"^Fehlt \d+$")).click()
    row = page.locator("table.translations tbody tr[id^='t-goal-']").first
    row.get_by_role("link", name=re.compile("^Übersetzen")).click()
    text = page.get_by_label("Übersetzung (Arabisch)")
    expect(text).to_have_attribute("dir", "rtl")
    page.screenshot(path=_screenshot_dir() / "translation-edit.png", full_page=True)
    assert_accessible(page)
    text.fill("نص تجريبي")
    page.get_by_label("Status").select_option("published")
    page.get_by_role("button", name="Speichern").click()
    expect(page.locator(".errorlist")).to_contain_text("zuerst als geprüft")
    page.get_by_label("Status").select_option("reviewed")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("status")).to_contain_text("Die Übersetzung wurde gespeichert.")
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
