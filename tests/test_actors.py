"""The organisations directory: list with filters and counts, detail with participation."""

import datetime as dt
import re

import pytest
from django.contrib.admin.sites import site as admin_site
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from leitbild.actors.models import Organisation
from leitbild.concept.models import Edition, FieldOfAction
from leitbild.participation.models import Contribution, Process
from leitbild.participation.services import (
    contribution_submit,
    event_create,
    registration_cancel,
    registration_create,
)

pytestmark = pytest.mark.django_db

LIST = "/organisationen/"


def names_in(html: str) -> set[str]:
    return set(re.findall(r'class="org-name" href="[^"]+" lang="de">([^<]+)</a>', html))


def test_url_names():
    assert reverse("actors:list") == LIST
    assert reverse("actors:detail", kwargs={"slug": "polizei"}) == "/organisationen/polizei/"


def test_list_shows_all_103_demo_organisations(client, demo):
    response = client.get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert Organisation.objects.count() == 103
    shown = names_in(html)
    assert len(shown) == 103
    assert "AFAQ e.V." in shown
    for organisation in Organisation.objects.all()[:5]:
        assert organisation.get_absolute_url() in html
    assert "<h1>Organisationen</h1>" in html or "<h1>Organisations</h1>" in html
    # every category present, with its number visible next to the bar
    assert 'class="org-chart-fill org-chart-p100"' in html  # the largest category
    assert re.search(r">\s*26\s*<", html)  # 26 associations, as text
    assert "<caption>" in html and "<table" in html  # the table alternative
    assert "style=" not in html  # nothing the CSP would block


def test_category_filter(client, demo):
    html = client.get(LIST, {"kategorie": "city_office"}).content.decode()
    shown = names_in(html)
    expected = set(
        Organisation.objects.filter(category="city_office").values_list("name", flat=True)
    )
    assert shown == expected
    assert len(shown) == 18
    assert "AFAQ e.V." not in shown
    # an unknown category is ignored rather than an error
    assert len(names_in(client.get(LIST, {"kategorie": "nonsense"}).content.decode())) == 103


def test_field_filter_uses_the_field_number(client, demo):
    field = FieldOfAction.objects.get(edition__year=2019, number="6.3")
    html = client.get(LIST, {"handlungsfeld": "6.3"}).content.decode()
    shown = names_in(html)
    expected = set(field.organisations.values_list("name", flat=True))
    assert expected and shown == expected
    assert len(shown) < 103
    assert 'value="6.3" lang="de" dir="ltr" selected' in html


def test_filters_combine_with_text(client, demo):
    html = client.get(LIST, {"q": "stadt münster", "kategorie": "city_office"}).content.decode()
    shown = names_in(html)
    assert shown
    assert all("Stadt Münster" in name for name in shown)
    assert all(o.category == "city_office" for o in Organisation.objects.filter(name__in=shown))
    html = client.get(LIST, {"q": "zzz-no-such-name"}).content.decode()
    assert not names_in(html)
    assert "zzz-no-such-name" in html  # echoed, escaped by the template


def test_list_query_count_does_not_grow(client, demo):
    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(LIST).status_code == 200
        return len(ctx)

    queries()  # warm per-process caches (content types)
    before = queries()
    city = Organisation.objects.first().city
    fields = list(FieldOfAction.objects.filter(edition__year=2019)[:4])
    for n in range(30):
        organisation = Organisation.objects.create(
            city=city, name=f"Testverein {n}", slug=f"testverein-{n}", category="association"
        )
        organisation.fields.set(fields)
    assert queries() == before
    assert before <= 10


@pytest.fixture
def process():
    return Process.objects.get(slug="fortschreibung-2023-2025")


@pytest.fixture
def future_event(process):
    starts = timezone.now() + dt.timedelta(days=30)
    return event_create(
        process=process,
        title="Werkstatt Zukunft",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        capacity=20,
    )


def test_detail_shows_fields_and_aggregate_participation_only(client, demo, process, future_event):
    organisation = Organisation.objects.get(name="AFAQ e.V.")
    # Start from no participation: drop the demo's synthetic registrations.
    organisation.registrations.all().delete()
    html = client.get(organisation.get_absolute_url()).content.decode()
    assert "AFAQ e.V." in html
    for field in organisation.fields.all():
        assert field.get_absolute_url() in html
        assert field.edition.slug == "2019"
    assert future_event.get_absolute_url() not in html  # nothing yet

    registration_create(
        event=future_event,
        name="Erika Mustermann",
        email="erika.mustermann@example.org",
        consent=True,
        organisation=organisation,
    )
    registration_create(
        event=future_event,
        name="Hans Beispiel",
        email="hans.beispiel@example.org",
        consent=True,
        organisation=organisation,
    )
    cancelled = registration_create(
        event=future_event,
        name="Nina Abgesagt",
        email="nina@example.org",
        consent=True,
        organisation=organisation,
    )
    registration_cancel(registration=cancelled)
    field = process.draft_edition.fields.exclude(cross_cutting=True).first()
    contribution_submit(
        process=process,
        kind=Contribution.Kind.IDEA,
        field=field,
        body="Mehr Sprachkurse am Abend.",
        email="erika.mustermann@example.org",
        author_name="Erika Mustermann",
        email_confirmed=True,
        organisation=organisation,
    )
    contribution_submit(  # not confirmed: not counted
        process=process,
        kind=Contribution.Kind.IDEA,
        field=field,
        body="Noch nicht bestätigt.",
        email="pending@example.org",
        organisation=organisation,
    )

    response = client.get(organisation.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert process.get_absolute_url() in html
    assert future_event.get_absolute_url() in html
    row = re.search(
        rf'<a href="{re.escape(future_event.get_absolute_url())}">Werkstatt Zukunft</a>(.*?)</tr>',
        html,
        re.S,
    )
    # Two registrations and one contribution: too few to show exactly.
    assert row and "&lt;&nbsp;5" in row.group(1)
    assert '<td class="org-number">2</td>' not in html

    for n in range(5):
        registration_create(
            event=future_event,
            name=f"Beispiel {n}",
            email=f"beispiel{n}@example.org",
            consent=True,
            organisation=organisation,
        )
    html = client.get(organisation.get_absolute_url()).content.decode()
    row = re.search(
        rf'<a href="{re.escape(future_event.get_absolute_url())}">Werkstatt Zukunft</a>(.*?)</tr>',
        html,
        re.S,
    )
    assert row and '<td class="org-number">7</td>' in row.group(1)
    for private in ("Mustermann", "Erika", "Beispiel", "Abgesagt", "example.org", "Sprachkurse"):
        assert private not in html


def test_detail_of_unknown_organisation_is_404(client, demo):
    assert client.get("/organisationen/gibt-es-nicht/").status_code == 404


def test_detail_query_count_is_small(client, demo, future_event):
    organisation = Organisation.objects.get(name="AFAQ e.V.")
    for n in range(3):
        registration_create(
            event=future_event,
            name=f"Person {n}",
            email=f"p{n}@example.org",
            consent=True,
            organisation=organisation,
        )
    client.get(organisation.get_absolute_url())
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(organisation.get_absolute_url()).status_code == 200
    assert len(ctx) <= 8


def test_admin_lists_and_limits_fields_to_non_draft_editions(admin_client, demo):
    assert admin_site.is_registered(Organisation)
    response = admin_client.get("/admin/actors/organisation/?category__exact=police")
    assert response.status_code == 200
    assert "Polizei" in response.content.decode()
    response = admin_client.get("/admin/actors/organisation/?q=AFAQ")
    assert "AFAQ e.V." in response.content.decode()
    organisation = Organisation.objects.get(name="AFAQ e.V.")
    response = admin_client.get(f"/admin/actors/organisation/{organisation.pk}/change/")
    assert response.status_code == 200
    choices = response.context["adminform"].form.fields["fields"].queryset
    assert choices.exists()
    assert not choices.filter(edition__status=Edition.Status.DRAFT).exists()
