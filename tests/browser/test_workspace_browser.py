"""Staff see the concept expiring on their dashboard and start the next revision there."""

import re

import pytest
from playwright.sync_api import Page, expect

from .helpers import assert_accessible


@pytest.fixture
def office_page(logged_in_page, django_user_model):
    """A browser context of integration-centre staff who may start revisions."""
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("ki-web", password="pw-ki-12345", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="add_process"))
    return logged_in_page(user)


def test_expiring_concept_and_the_next_revision(office_page: Page):
    from django.utils import timezone

    from leitbild.concept.models import Edition, add_months

    # The council adopted the draft 2025; it runs out in eleven months.
    today = timezone.localdate()
    Edition.objects.filter(year=2019).update(status="archived")
    Edition.objects.filter(year=2025).update(
        status="adopted", adopted_on=add_months(today, -49), valid_until=add_months(today, 11)
    )

    page = office_page
    page.goto("/")
    page.get_by_role("link", name="Arbeitsbereich").click()
    expect(page.locator("[data-state=expiring]")).to_contain_text("läuft am")
    assert_accessible(page)

    page.get_by_role("link", name="Nächste Fortschreibung beginnen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nächste Fortschreibung beginnen")
    assert_accessible(page)
    page.get_by_label("Titel des Prozesses").fill("Fortschreibung Test")
    page.get_by_label("Adresse").fill("fortschreibung-test")
    page.get_by_role("button", name="Fortschreibung beginnen").click()

    expect(page).to_have_url(re.compile(r"/beteiligung/fortschreibung-test/$"))
    expect(page.get_by_role("status")).to_contain_text("hat begonnen")
    page.goto("/arbeitsbereich/")
    expect(page.get_by_role("link", name="Fortschreibung Test")).to_be_visible()
