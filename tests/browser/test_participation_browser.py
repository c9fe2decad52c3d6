"""The trail from a remark to the text, in the browser: a visitor comments on a draft
goal, staff take it up as an amendment, and the public sees the new text, the goal's
history and the consideration table. Every public page is checked with axe-core."""

import os
import re
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from .helpers import assert_accessible

pytestmark = pytest.mark.browser

PROCESS = "/beteiligung/fortschreibung-2023-2025"
GOAL = f"{PROCESS}/entwurf/6-2/teilziel-1/"
COMMENT = "Beratung sollte es auch in Leichter Sprache geben."
ADDITION = " Beratung wird auch in Leichter Sprache angeboten."
REASON = "Übernommen: Leichte Sprache erreicht mehr Menschen."
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "img"


@pytest.fixture
def staff_page(logged_in_page, django_user_model):
    """A second browser context, logged in as staff of the demo process."""
    from leitbild.participation.models import Process

    user = django_user_model.objects.create_user("kiz", password="pw-kiz-12345", is_staff=True)
    Process.objects.get().staff.add(user)
    return logged_in_page(user)


def test_from_comment_to_changed_text(page: Page, staff_page: Page):
    from leitbild.concept.models import Goal

    goal = Goal.objects.get(edition__slug="2025", field__slug="6-2", slug="teilziel-1")
    old_text = goal.text
    mail.outbox.clear()

    # A visitor selects a passage of the draft goal and comments on it.
    page.goto(GOAL)
    expect(page.locator("#goal-text")).to_contain_text(old_text[:40])
    assert_accessible(page)
    page.evaluate(
        """() => {
        const p = document.querySelector('#goal-text p');
        const range = document.createRange();
        range.setStart(p.firstChild, 0); range.setEnd(p.firstChild, 20);
        const selection = window.getSelection();
        selection.removeAllRanges(); selection.addRange(range);
        p.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
    }"""
    )
    expect(page.locator("#id_quote")).to_have_value(old_text[:20].strip())
    page.get_by_label("Ihr Beitrag").fill(COMMENT)
    page.get_by_label("E-Mail (wird nicht veröffentlicht)").fill("besucherin@example.org")
    page.get_by_role("button", name="Absenden").click()
    expect(page.locator(".message")).to_contain_text("E-Mail")
    expect(page.locator("main")).not_to_contain_text(COMMENT)

    # The link in the e-mail publishes it.
    (message,) = mail.outbox
    link = re.search(r"https?://\S+(/beteiligung/bestaetigen/\S+/)", message.body).group(1)
    page.goto(link)
    page.get_by_role("button", name="Bestätigen").click()
    expect(page.locator("main")).to_contain_text(COMMENT)
    contribution_url = page.url

    # Staff take it up as an amendment, with a public reason.
    staff_page.goto(contribution_url)
    staff_page.get_by_label("Neue Formulierung des Ziels").fill(old_text + ADDITION)
    staff_page.locator("form", has_text="Neue Formulierung").get_by_label(
        "Öffentliche Begründung"
    ).fill(REASON)
    assert_accessible(staff_page)
    staff_page.get_by_role("button", name="Ziel im Entwurf ändern").click()
    expect(staff_page.locator(".message")).to_contain_text("übernommen")

    # The public sees the new text …
    page.goto(GOAL)
    expect(page.locator("#goal-text")).to_contain_text(ADDITION.strip())
    expect(page.locator("main")).to_contain_text("Übernommen")

    # … how the goal came about: the comment, its disposition, the diff …
    page.get_by_role("link", name="Wie dieses Ziel entstanden ist").first.click()
    main = page.locator("main")
    expect(main).to_contain_text(COMMENT)
    expect(main).to_contain_text(REASON)
    expect(main).to_contain_text("Übernommen")
    expect(page.locator("ins").filter(has_text="Leichter Sprache").first).to_be_visible()
    assert_accessible(page)
    if os.environ.get("LEITBILD_SCREENSHOTS") == "1":
        page.screenshot(path=SCREENSHOTS / "goal-history.png", full_page=True)

    # … and the consideration table.
    page.goto(f"{PROCESS}/abwaegung/")
    row = page.locator("tr", has_text=COMMENT)
    expect(row).to_contain_text("Übernommen")
    expect(row).to_contain_text(REASON)
    assert_accessible(page)


def test_participation_pages_are_accessible(page: Page):
    for url in [
        "/beteiligung/",
        f"{PROCESS}/",
        f"{PROCESS}/termine/",
        f"{PROCESS}/termine/1/",
        f"{PROCESS}/beitraege/",
        f"{PROCESS}/entwurf/",
        f"{PROCESS}/abwaegung/",
        f"{PROCESS}/beteiligte/",
        f"{PROCESS}/abstimmung/priorisierung/",
        "/organisationen/",
        "/umsetzung/",
        "/umsetzung/stand/",
    ]:
        page.goto(url)
        expect(page.locator("h1")).to_be_visible()
        assert_accessible(page)


def test_register_with_the_keyboard(page: Page):
    import datetime as dt

    from django.utils import timezone

    from leitbild.participation.models import Process
    from leitbild.participation.services import event_create

    start = timezone.now() + dt.timedelta(days=20)
    event = event_create(
        process=Process.objects.get(),
        title="Tastatur-Workshop",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        capacity=1,
    )
    page.goto(event.get_absolute_url())
    assert_accessible(page)
    page.get_by_label(re.compile(r"^Name")).fill("Kim")
    page.get_by_label(re.compile(r"^E-Mail")).fill("kim@example.org")
    consent = page.get_by_role("checkbox", name=re.compile("Datenschutz|Angaben"))
    consent.focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Anmelden").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".message")).to_contain_text("kim@example.org")
    expect(page.locator("main")).to_contain_text("0 von 1 frei")


def test_monitoring_pages_are_accessible(page: Page):
    from leitbild.concept.models import City
    from leitbild.monitoring.models import Indicator
    from leitbild.monitoring.services import observations_import

    city = City.objects.get(name="Münster")
    Indicator.objects.create(city=city, code="turnout", name="Wahlbeteiligung", unit="%")
    observations_import(
        city=city,
        data=b"indicator,period,area,value\nturnout,2010,,9.4\nturnout,2014,,19.8\n"
        b"turnout,2014,Hiltrup,17.2\n",
        filename="turnout.csv",
    )
    for url in ["/monitoring/", "/monitoring/turnout/"]:
        page.goto(url)
        expect(page.locator("h1")).to_be_visible()
        assert_accessible(page)
    expect(page.locator("table")).to_contain_text("19,8")
