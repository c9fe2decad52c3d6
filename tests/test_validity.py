"""Issue 6, item 4: edition history, validity of the adopted edition, the next revision.

The demo's 2019 edition was adopted on 3 April 2019 (V/0203/2019) and is valid until
3 April 2024; its revision "Fortschreibung 2023–2025" has a draft 2025 not yet adopted.
"""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.urls import resolve, reverse
from django.utils import timezone

from leitbild.concept.models import City, Edition, add_months
from leitbild.concept.selectors import ValidityState, edition_validity
from leitbild.concept.services import edition_record
from leitbild.participation.models import Process
from leitbild.participation.selectors import process_running_revision
from leitbild.participation.services import process_start_revision

pytestmark = pytest.mark.django_db

D = dt.date
END_2019 = D(2024, 4, 3)


def _state(city, today, **kwargs):
    return edition_validity(city=city, today=today, **kwargs)


# -- time logic -------------------------------------------------------------------------


def test_add_months_clamps_to_the_end_of_the_month():
    assert add_months(D(2024, 4, 3), -12) == D(2023, 4, 3)
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert add_months(D(2023, 3, 31), -1) == D(2023, 2, 28)
    assert add_months(D(2024, 2, 29), 60) == D(2029, 2, 28)
    assert add_months(D(2024, 12, 15), 1) == D(2025, 1, 15)
    assert add_months(D(2025, 1, 15), -1) == D(2024, 12, 15)


@pytest.mark.parametrize(
    ("today", "state", "days_left"),
    [
        (D(2019, 4, 3), ValidityState.OK, 1827),  # the day of adoption
        (D(2023, 3, 3), ValidityState.OK, 397),  # 13 months before
        (D(2023, 4, 2), ValidityState.OK, 367),  # the day before the warning period
        (D(2023, 4, 3), ValidityState.EXPIRING, 366),  # exactly 12 months before
        (D(2024, 4, 3), ValidityState.EXPIRING, 0),  # the last valid day
        (D(2024, 4, 4), ValidityState.EXPIRED, -1),
        (D(2026, 11, 23), ValidityState.EXPIRED, -964),
    ],
)
def test_validity_of_the_demo_edition_by_date(demo, today, state, days_left):
    validity = _state(demo[2019].city, today)
    assert validity.edition == demo[2019]
    assert validity.state == state
    assert validity.valid_until == END_2019 and not validity.derived
    assert validity.warn_from == D(2023, 4, 3)
    assert validity.days_left == days_left
    # The queryset and the selector agree on what is in force.
    in_force = set(Edition.objects.in_force(today))
    assert in_force == ({demo[2019]} if validity.valid else set())


def test_before_the_adoption_day_nothing_is_in_force(demo):
    # 2014 is archived, and 2019 had not been adopted yet on 2 April 2019.
    assert not Edition.objects.in_force(D(2019, 4, 2)).exists()
    assert _state(demo[2019].city, D(2019, 4, 2)).state == ValidityState.NONE


def test_warning_period_follows_the_setting(demo, settings):
    settings.LEITBILD_EXPIRY_WARNING_MONTHS = 6
    city = demo[2019].city
    assert _state(city, D(2023, 4, 3)).state == ValidityState.OK
    assert _state(city, D(2023, 10, 3)).state == ValidityState.EXPIRING
    assert _state(city, D(2023, 10, 2), warning_months=12).state == ValidityState.EXPIRING


def test_empty_valid_until_is_derived_from_adoption_plus_five_years(demo):
    Edition.objects.filter(pk=demo[2019].pk).update(valid_until=None)
    validity = _state(demo[2019].city, D(2023, 4, 3))
    assert validity.valid_until == END_2019 and validity.derived
    assert validity.state == ValidityState.EXPIRING
    assert list(Edition.objects.in_force(END_2019)) == [demo[2019]]
    assert not Edition.objects.in_force(END_2019 + dt.timedelta(days=1)).exists()
    assert _state(demo[2019].city, END_2019 + dt.timedelta(days=1)).state == "expired"


def test_derived_validity_across_29_february(db):
    city = City.objects.create(name="Schaltstadt", slug="schaltstadt")
    leap = Edition.objects.create(
        city=city,
        year=2024,
        slug="schalt-2024",
        title="L",
        status="adopted",
        adopted_on=D(2024, 2, 29),
    )
    assert leap.effective_valid_until == D(2029, 2, 28)
    assert list(Edition.objects.filter(city=city).in_force(D(2029, 2, 28))) == [leap]
    assert not Edition.objects.filter(city=city).in_force(D(2029, 3, 1)).exists()
    # On 29 February 2028 an edition adopted on 28 February 2023 has just expired.
    leap.adopted_on = D(2023, 2, 28)
    leap.save()
    assert not Edition.objects.filter(city=city).in_force(D(2028, 2, 29)).exists()
    leap.adopted_on = D(2023, 3, 1)
    leap.save()
    assert Edition.objects.filter(city=city).in_force(D(2028, 2, 29)).exists()


def test_no_adopted_edition_and_unknown_dates(db):
    city = City.objects.create(name="Neustadt", slug="neustadt")
    assert _state(city, D(2025, 1, 1)).state == ValidityState.NONE
    edition = Edition.objects.create(
        city=city, year=2020, slug="neustadt-2020", title="L", status="adopted"
    )
    validity = _state(city, D(2025, 1, 1))
    assert validity.state == ValidityState.UNKNOWN and validity.edition == edition
    assert not Edition.objects.filter(city=city).in_force(D(2025, 1, 1)).exists()


def test_newest_adopted_edition_counts_and_not_one_adopted_in_the_future(demo):
    city = demo[2019].city
    Edition.objects.filter(pk=demo[2025].pk).update(
        status="adopted", adopted_on=D(2025, 3, 27), council_paper="V/0056/2025"
    )
    assert _state(city, D(2025, 3, 26)).edition == demo[2019]
    later = _state(city, D(2025, 3, 27))
    assert later.edition == demo[2025] and later.valid_until == D(2030, 3, 27)
    assert later.derived and later.state == ValidityState.OK


# -- edition history --------------------------------------------------------------------


def test_history_address_comes_before_the_edition_pattern():
    assert reverse("concept:history") == "/leitbild/chronik/"
    assert resolve("/leitbild/chronik/").url_name == "history"


def test_history_lists_every_edition_with_its_council_paper(client, demo):
    response = client.get("/leitbild/chronik/")
    assert response.status_code == 200
    html = response.content.decode()
    positions = [html.index(f'href="/leitbild/{year}/"') for year in (2008, 2014, 2019, 2025)]
    assert positions == sorted(positions)  # oldest first
    for paper in ("V/0026/2008", "V/0193/2014", "V/0203/2019"):
        assert paper in html
    assert "1. Fassung" in html and "3. Fassung" in html and "4. Fassung" in html
    assert "3. April 2019" in html and "3. April 2024" in html  # adopted, valid until
    assert "Von dieser Fassung ist hier kein Text hinterlegt." in html  # 2008
    # The brochure only for adopted editions held in full; comparisons where both
    # editions hold goals (2008 holds none).
    assert 'href="/leitbild/2019/leitbild.pdf"' in html
    assert 'href="/leitbild/2014/leitbild.pdf"' not in html
    assert 'href="/leitbild/2025/leitbild.pdf"' not in html
    assert 'href="/vergleich/2014/2019/"' in html and 'href="/vergleich/2019/2025/"' in html
    assert "/vergleich/2008/" not in html
    assert "badge-in-force" not in html  # the 2019 edition expired in 2024
    assert 'id="derived-note"' not in html  # every end of validity is recorded


def test_history_marks_the_edition_in_force_and_derived_dates(client, demo):
    adopted = timezone.localdate() - dt.timedelta(days=30)
    Edition.objects.filter(pk=demo[2019].pk).update(adopted_on=adopted, valid_until=None)
    html = client.get("/leitbild/chronik/").content.decode()
    assert html.count("badge-in-force") == 1
    row = html[html.index('href="/leitbild/2019/"') : html.index('href="/leitbild/2025/"')]
    assert "badge-in-force" in row and "abgeleitet" in row
    assert 'id="derived-note"' in html
    # The edition page says the same.
    page = client.get("/leitbild/2019/").content.decode()
    assert "abgeleitet: Beschluss plus fünf Jahre" in page
    assert 'href="/leitbild/chronik/"' in page


def test_edition_known_only_from_council_papers(client, demo):
    edition = Edition.objects.get(city__name="Münster", year=2008)
    assert edition.is_partial and edition.status == "archived" and edition.number == 1
    assert not edition.goals.exists() and not edition.chapters.exists()
    html = client.get("/leitbild/2008/").content.decode()
    assert "V/0026/2008" in html and "kein Text hinterlegt" in html
    assert "/vergleich/2008/" not in html
    # Recording it again changes nothing; an edition with text is not overwritten.
    again = edition_record(
        city_name="Münster",
        year=2008,
        title=edition.title,
        number=1,
        status="archived",
        council_paper="V/0026/2008",
    )
    assert again.pk == edition.pk
    with pytest.raises(ValueError, match="holds text"):
        edition_record(city_name="Münster", year=2019, title="x", status="archived")


# -- dashboard --------------------------------------------------------------------------


@pytest.fixture
def office(db, django_user_model):
    """Staff of the integration centre who may start revisions."""
    user = django_user_model.objects.create_user("ki", password="pw-ki-12345", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="add_process"))
    return user


def test_dashboard_is_for_logged_in_staff(client, demo, django_user_model):
    response = client.get("/arbeitsbereich/")
    assert response.status_code == 302
    assert response.url == "/konto/anmelden/?next=/arbeitsbereich/"
    visitor = django_user_model.objects.create_user("besuch", password="pw-besuch-123")
    client.force_login(visitor)
    assert client.get("/arbeitsbereich/").status_code == 403
    html = client.get("/").content.decode()
    assert 'href="/arbeitsbereich/"' not in html  # nothing there for this account
    assert 'action="/konto/abmelden/"' in html


def _set_valid_until(edition, day):
    Edition.objects.filter(pk=edition.pk).update(valid_until=day)


def test_dashboard_warns_only_inside_the_warning_period(client, demo, office):
    client.force_login(office)
    today = timezone.localdate()
    assert 'href="/arbeitsbereich/"' in client.get("/").content.decode()  # header link

    _set_valid_until(demo[2019], add_months(today, 13))
    html = client.get("/arbeitsbereich/").content.decode()
    assert "data-state=" not in html
    assert "Gültige Fassung" in html and "V/0203/2019" in html

    _set_valid_until(demo[2019], add_months(today, 12))  # warning starts today
    html = client.get("/arbeitsbereich/").content.decode()
    assert 'data-state="expiring"' in html
    assert "Teilhabe- und Integrationsgesetz" in html

    _set_valid_until(demo[2019], today - dt.timedelta(days=1))
    html = client.get("/arbeitsbereich/").content.decode()
    assert 'data-state="expired"' in html and 'data-state="expiring"' not in html


def test_dashboard_shows_the_running_revision(client, demo, office, process):
    client.force_login(office)
    html = client.get("/arbeitsbereich/").content.decode()
    assert f'href="{process.get_absolute_url()}"' in html
    assert "Die Beteiligung endete am 24. Januar 2025" in html  # draft awaits adoption
    assert "/arbeitsbereich/fortschreibung/" not in html  # no second start offered
    assert process_running_revision(base=demo[2019]) == process


def test_staff_without_permission_cannot_start_a_revision(client, demo, staff):
    url = "/arbeitsbereich/fortschreibung/2019/"
    assert client.get(url).status_code == 302  # anonymous: to the login
    client.force_login(staff)  # edits goals, may not add processes
    assert client.get("/arbeitsbereich/").status_code == 200
    assert client.get(url).status_code == 403
    count = Process.objects.count()
    assert (
        client.post(
            url, {"title": "x", "slug": "x", "starts_on": "2026-01-01", "draft_year": "2031"}
        ).status_code
        == 403
    )
    assert Process.objects.count() == count


def _adopt_2025(demo):
    """The council adopted the draft 2025: it is in force, 2019 is archived."""
    Edition.objects.filter(pk=demo[2019].pk).update(status="archived")
    Edition.objects.filter(pk=demo[2025].pk).update(
        status="adopted", adopted_on=D(2025, 3, 27), council_paper="V/0056/2025"
    )
    return Edition.objects.get(pk=demo[2025].pk)


def test_starting_a_revision_creates_the_process_and_its_draft(client, demo, office):
    base = _adopt_2025(demo)
    client.force_login(office)
    html = client.get("/arbeitsbereich/").content.decode()
    assert 'href="/arbeitsbereich/fortschreibung/2025/"' in html

    form = client.get("/arbeitsbereich/fortschreibung/2025/")
    assert form.status_code == 200
    today = timezone.localdate()
    year = max(2030, today.year + 1)
    assert form.context["form"].initial["draft_year"] == year
    assert 'name="csrfmiddlewaretoken"' in form.content.decode()

    data = {
        "title": "Fortschreibung 2028–2030",
        "slug": "fortschreibung-2028-2030",
        "starts_on": "2028-05-01",
        "draft_year": "2030",
    }
    response = client.post("/arbeitsbereich/fortschreibung/2025/", data)
    assert response.status_code == 302
    assert response.url == "/beteiligung/fortschreibung-2028-2030/"
    process = Process.objects.get(slug="fortschreibung-2028-2030")
    assert process.base_edition == base and process.starts_on == D(2028, 5, 1)
    draft = process.draft_edition
    assert draft.year == 2030 and draft.status == "draft" and draft.number == 5
    assert draft.goals.count() == base.goals.count()
    assert not draft.goals.exclude(predecessor__edition=base).exists()
    assert list(process.staff.all()) == [office]
    assert process_running_revision(base=base) == process
    assert client.get(response.url).status_code == 200

    # A second start of the same edition is refused, with the reason.
    again = client.post(
        "/arbeitsbereich/fortschreibung/2025/", {**data, "slug": "noch-eine", "draft_year": 2031}
    )
    assert again.status_code == 200
    assert "„Fortschreibung 2028–2030“ dieser Fassung läuft bereits" in again.content.decode()
    assert not Process.objects.filter(slug="noch-eine").exists()
    assert not Edition.objects.filter(year=2031).exists()
    html = client.get("/arbeitsbereich/").content.decode()
    assert 'href="/beteiligung/fortschreibung-2028-2030/"' in html


def test_service_refuses_what_cannot_be_a_revision(demo, office):
    start = {"title": "T", "starts_on": D(2026, 1, 1), "user": office}
    # 2019 is being revised already (the demo process, draft 2025 not adopted).
    with pytest.raises(ValidationError, match="läuft bereits"):
        process_start_revision(base=demo[2019], slug="a", draft_year=2031, **start)
    # 2014 was superseded.
    with pytest.raises(ValidationError) as error:
        process_start_revision(base=demo[2014], slug="b", draft_year=2031, **start)
    assert "2014" in str(error.value)
    base = _adopt_2025(demo)
    with pytest.raises(ValidationError) as error:
        process_start_revision(base=base, slug="fortschreibung-2023-2025", draft_year=2025, **start)
    assert set(error.value.message_dict) == {"draft_year", "slug"}
    assert Process.objects.filter(base_edition=base).count() == 0


def test_the_form_page_explains_a_refusal_before_posting(client, demo, office, process):
    client.force_login(office)
    html = client.get("/arbeitsbereich/fortschreibung/2019/").content.decode()
    assert "läuft bereits" in html and '<form method="post" class="form-box"' not in html
    assert f'href="{process.get_absolute_url()}"' in html
    html = client.get("/arbeitsbereich/fortschreibung/2014/").content.decode()
    assert "Nur die beschlossene Fassung kann fortgeschrieben werden" in html
