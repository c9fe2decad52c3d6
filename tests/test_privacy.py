"""Privacy by default: a person sees and erases their data by an e-mail link, registrations
are anonymised after their retention time, and staff access to personal data is logged."""

import datetime as dt
import io
import json
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from leitbild.audit.models import AuditEvent
from leitbild.participation.models import Contribution, PollBallot, Registration
from leitbild.privacy.models import PrivacyRequest

pytestmark = pytest.mark.django_db
EMAIL = "Erika.Beispiel@example.org"


@pytest.fixture
def person(process, make_event):
    """One synthetic person with a past registration, an upcoming one (with someone
    waiting for the seat), a published contribution and a confirmed vote."""
    past = process.events.order_by("starts_at").first()
    upcoming = make_event(title="Workshop mit Warteliste", capacity=1)
    base = {"consent_at": timezone.now(), "status": Registration.Status.CONFIRMED}
    Registration.objects.create(event=past, name="Erika Beispiel", email=EMAIL, **base)
    Registration.objects.create(
        event=upcoming, name="Erika Beispiel", email=EMAIL.lower(), needs_childcare=True, **base
    )
    waiting = Registration.objects.create(
        event=upcoming,
        name="Wartende Person",
        email="wartend@example.org",
        consent_at=timezone.now(),
        status=Registration.Status.WAITING,
    )
    goal = process.draft_edition.goals.first()
    contribution = Contribution.objects.create(
        process=process,
        kind=Contribution.Kind.COMMENT,
        goal=goal,
        field=goal.field,
        body="Mein Beitrag zum Ziel bleibt stehen.",
        author_name="Erika B.",
        email=EMAIL,
        stakeholder_group="resident",
        status=Contribution.Status.PUBLISHED,
        confirmed_at=timezone.now(),
    )
    poll = process.polls.first()
    option = poll.options.first()
    ballot = PollBallot.objects.create(
        poll=poll, email=EMAIL, allocation={str(option.pk): 3}, confirmed_at=timezone.now()
    )
    return {"contribution": contribution, "ballot": ballot, "waiting": waiting}


def link_from_mail() -> str:
    assert len(mail.outbox) == 1
    return re.search(r"http://testserver(/datenschutz/auskunft/\S+/)", mail.outbox[0].body)[1]


def test_request_export_and_erasure_by_e_mail_link(
    client, person, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/datenschutz/auskunft/", {"email": EMAIL})
    assert response.status_code == 200
    link = link_from_mail()
    assert mail.outbox[0].to == [EMAIL]

    page = client.get(link)
    assert page.status_code == 200
    assert page.context["counts"] == {"registrations": 2, "contributions": 1, "poll_ballots": 1}

    data = json.loads(client.get(link + "daten.json").content)
    assert {r["name"] for r in data["registrations"]} == {"Erika Beispiel"}
    assert data["registrations"][1]["needs_childcare"] is True
    assert data["contributions"][0]["text"] == "Mein Beitrag zum Ziel bleibt stehen."
    assert data["contributions"][0]["author_name"] == "Erika B."
    assert list(data["poll_ballots"][0]["points"].values()) == [3]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DISCLOSE).count() == 1

    # Erasure needs the confirmation box.
    assert client.post(link, {}).status_code == 200
    assert Registration.objects.filter(email__iexact=EMAIL).count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(link, {"confirm": "on"})
    assert done.status_code == 200
    assert done.context["counts"] == {"registrations": 2, "contributions": 1, "ballots": 1}

    assert not Registration.objects.filter(email__iexact=EMAIL).exists()
    contribution = Contribution.objects.get(pk=person["contribution"].pk)
    assert contribution.body == "Mein Beitrag zum Ziel bleibt stehen."
    assert (contribution.email, contribution.author_name, contribution.stakeholder_group) == (
        "",
        "",
        "",
    )
    ballot = PollBallot.objects.get(pk=person["ballot"].pk)
    assert ballot.email.endswith("@erased.invalid") and ballot.allocation
    # The freed seat went to the person waiting.
    waiting = Registration.objects.get(pk=person["waiting"].pk)
    assert waiting.status == Registration.Status.CONFIRMED
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ERASE).count() == 1
    # The link is spent.
    assert client.get(link).status_code == 404
    assert not PrivacyRequest.objects.exists()


def test_the_answer_does_not_tell_whether_an_address_is_known(
    client, person, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post("/datenschutz/auskunft/", {"email": EMAIL})
        unknown = client.post("/datenschutz/auskunft/", {"email": "niemand@example.org"})

    def visible(response):  # without the per-response CSRF token and CSP nonce
        return re.sub(r'(nonce|value)="[^"]*"', "", response.content.decode())

    assert visible(known) == visible(unknown)
    assert len(mail.outbox) == 2


def test_requests_are_rate_limited_and_links_expire(client, person, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "privacy-request": (2, 3600)}
    for _ in range(2):
        assert client.post("/datenschutz/auskunft/", {"email": EMAIL}).status_code == 200
    assert client.post("/datenschutz/auskunft/", {"email": EMAIL}).status_code == 429
    request = PrivacyRequest.objects.first()
    PrivacyRequest.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert client.get(f"/datenschutz/auskunft/{request.token}/").status_code == 404
    assert client.get("/datenschutz/auskunft/not-a-token/daten.json").status_code == 404
    bad = client.post("/datenschutz/auskunft/", {"email": "kein at"})
    assert bad.status_code in (200, 429)


def test_registrations_are_anonymised_after_their_retention_time(person, settings):
    settings.REGISTRATION_RETENTION_DAYS = 30
    old = Registration.objects.filter(email=EMAIL).get()  # the past event's
    recent = Registration.objects.get(email=EMAIL.lower())  # the upcoming event's
    call_command("anonymise_registrations", stdout=io.StringIO())
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.name, old.needs_accessibility) == ("", "")
    assert old.email.endswith("@erased.invalid")
    assert recent.name == "Erika Beispiel" and recent.email == EMAIL.lower()
    # Within the retention time nothing changes.
    settings.REGISTRATION_RETENTION_DAYS = 100000
    past = Registration.objects.exclude(email__endswith="@erased.invalid").filter(
        event__ends_at__lt=timezone.now()
    )
    before = past.count()
    call_command("anonymise_registrations", stdout=io.StringIO())
    assert past.count() == before


def test_staff_access_to_personal_data_is_logged_for_administrators(
    client, process, process_staff, django_user_model
):
    event = process.events.order_by("starts_at").first()
    client.force_login(process_staff)
    base = f"/beteiligung/{process.slug}/termine/{event.pk}/anmeldungen/"
    assert client.get(base).status_code == 200
    assert client.get(base + "anmeldungen.csv").status_code in (200, 404)
    events = list(AuditEvent.objects.order_by("pk"))
    assert events and events[0].username == "moderator"
    assert events[0].action == AuditEvent.Action.VIEW
    assert events[0].people == event.registrations.count()
    assert str(event.pk) in events[0].subject

    # Administrators read the log; nobody can change it.
    admin = django_user_model.objects.create_superuser("chef", password="pw-chef-123")
    client.force_login(admin)
    assert client.get("/admin/audit/auditevent/").status_code == 200
    assert client.get(f"/admin/audit/auditevent/{events[0].pk}/change/").status_code in (200, 403)
    assert client.post("/admin/audit/auditevent/add/").status_code == 403
    # Staff who are not administrators do not see it.
    client.force_login(process_staff)
    assert client.get("/admin/audit/auditevent/").status_code in (302, 403)


def test_the_privacy_notice_is_linked_from_every_page(client):
    page = client.get("/datenschutz/")
    assert page.status_code == 200
    html = client.get("/").content.decode()
    assert 'href="/datenschutz/"' in html
