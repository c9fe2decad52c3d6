"""The participation API: processes, events, public registration, staff writes by token."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from leitbild.actors.models import Organisation
from leitbild.api.schemas import EventIn, EventPatchIn
from leitbild.concept.models import District
from leitbild.participation.demo import SYNTHETIC_EVENT
from leitbild.participation.models import (
    ApiToken,
    Event,
    Process,
    Registration,
    StakeholderGroup,
)
from leitbild.participation.services import EVENT_FIELDS, api_token_create, event_create

pytestmark = pytest.mark.django_db

PROCESS = "fortschreibung-2023-2025"
JSON = "application/json"


@pytest.fixture
def process(demo):
    return Process.objects.select_related("base_edition", "draft_edition").get(slug=PROCESS)


def in_days(days: int, hour: int = 17) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def future_event(process, **values) -> Event:
    values = {
        "title": "Werkstatt Zukunft",
        "starts_at": in_days(30),
        "ends_at": in_days(30, 19),
        "place_name": "Stadthaus 1",
        **values,
    }
    return event_create(process=process, phase=process.phases.get(position=1), **values)


@pytest.fixture
def event(process):
    """Public, in the future, one seat."""
    return future_event(process, capacity=1)


@pytest.fixture
def process_staff(staff, process):
    process.staff.add(staff)
    return staff


@pytest.fixture
def token(process_staff):
    return api_token_create(user=process_staff)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def person(n: int = 1, **values) -> dict:
    return {
        "name": f"Person Nummer{n}",
        "email": f"person{n}@example.org",
        "consent": True,
    } | values


def register(client, event_id, payload, **kwargs):
    url = f"/api/v1/events/{event_id}/registrations"
    return client.post(url, json.dumps(payload), content_type=JSON, **kwargs)


# Processes --------------------------------------------------------------------------


def test_process_list(client, process):
    response = client.get("/api/v1/processes/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["slug"] == PROCESS
    assert item["base_edition"] == process.base_edition.slug == "2019"
    assert item["draft_edition"] == process.draft_edition.slug
    assert item["starts_on"] == process.starts_on.isoformat()
    assert item["url"] == f"http://testserver/beteiligung/{PROCESS}/"
    assert item["calendar_url"] == f"http://testserver/beteiligung/{PROCESS}/kalender.ics"
    phases = item["phases"]
    assert [p["position"] for p in phases] == sorted(p["position"] for p in phases)
    assert {p["state"] for p in phases} == {"past"}  # the demo process ended in 2025
    assert any(p["priority_fields"] for p in phases)
    field = next(f for p in phases for f in p["priority_fields"])
    assert set(field) == {"number", "title"}

    calendar = client.get(item["calendar_url"])
    assert calendar.status_code == 200
    assert calendar["Content-Type"].startswith("text/calendar")


# Events: reading ----------------------------------------------------------------------


def test_event_list_and_detail(client, process, event):
    demo_count = Event.objects.filter(process=process).count() - 1  # the demo's, and ours
    assert demo_count >= 15
    body = client.get("/api/v1/events/", {"process": PROCESS, "limit": 100}).json()
    assert body["count"] == demo_count + 1
    first = body["items"][0]
    assert first["process"] == PROCESS
    assert first["starts_at"] == "2023-05-23T" + first["starts_at"][11:]
    assert first["starts_at"][-6:] in ("+02:00", "+01:00")  # local time with its offset
    assert first["phase"]["position"] == 1 and first["phase"]["title"]
    assert first["registration_open"] is False  # over

    upcoming = client.get("/api/v1/events/", {"upcoming": True}).json()
    synthetic = Event.objects.get(title=SYNTHETIC_EVENT)  # the demo's upcoming example
    assert {e["id"] for e in upcoming["items"]} == {event.pk, synthetic.pk}
    item = next(e for e in upcoming["items"] if e["id"] == event.pk)
    assert item["registration_open"] is True
    assert item["capacity"] == 1 and item["seats_left"] == 1 and item["waiting_count"] == 0
    assert item["url"] == f"http://testserver/beteiligung/{PROCESS}/termine/{event.pk}/"
    assert item["calendar_url"] == item["url"] + "termin.ics"
    assert item["visibility"] == "public" and item["mode"] == "in_person"
    past = client.get("/api/v1/events/", {"upcoming": False}).json()["count"]
    assert past == demo_count - 1
    assert client.get("/api/v1/events/", {"phase": 1}).json()["count"] >= 1
    kinds = client.get("/api/v1/events/", {"kind": "workshop", "limit": 100}).json()["items"]
    assert kinds and {e["kind"] for e in kinds} == {"workshop"}
    assert client.get("/api/v1/events/", {"process": "nope"}).json()["count"] == 0

    detail = client.get(f"/api/v1/events/{event.pk}/")
    assert detail.status_code == 200
    assert detail.json() == item
    assert client.get("/api/v1/events/999999/").status_code == 404
    assert client.get(item["calendar_url"]).status_code == 200


def test_event_fields_of_action(client, process):
    fields = list(process.draft_edition.fields.exclude(number="")[:2])
    event = future_event(process, fields=fields)
    item = client.get(f"/api/v1/events/{event.pk}/").json()
    assert item["fields"] == [{"number": f.number, "title": f.title} for f in fields]


def test_invitation_only_events_are_for_process_staff(client, process, token, staff):
    hidden = future_event(process, visibility=Event.Visibility.INVITATION, title="Intern")
    assert client.get(f"/api/v1/events/{hidden.pk}/").status_code == 404
    ids = [e["id"] for e in client.get("/api/v1/events/", {"limit": 100}).json()["items"]]
    assert hidden.pk not in ids

    response = client.get(f"/api/v1/events/{hidden.pk}/", headers=bearer(token))
    assert response.status_code == 200
    assert response.json()["visibility"] == "invitation"
    assert response.json()["registration_open"] is False
    listed = client.get("/api/v1/events/", {"limit": 100}, headers=bearer(token)).json()
    assert hidden.pk in [e["id"] for e in listed["items"]]

    process.staff.remove(staff)
    assert client.get(f"/api/v1/events/{hidden.pk}/", headers=bearer(token)).status_code == 404
    # A wrong token is refused rather than read as anonymous.
    assert client.get("/api/v1/events/", headers=bearer("lb_wrong")).status_code == 401


def test_event_list_queries_do_not_grow(client, process, django_assert_max_num_queries):
    other = Process.objects.create(
        title="Test",
        slug="test-queries",
        base_edition=process.base_edition,
        draft_edition=process.draft_edition,
        starts_on=timezone.localdate(),
    )
    phase = other.phases.create(position=1, title="Eins", starts_on=timezone.localdate())
    fields = list(process.draft_edition.fields.all()[:3])

    def add(n):
        for i in range(n):
            event = event_create(
                process=other,
                phase=phase,
                fields=fields,
                title=f"Termin {i}",
                starts_at=in_days(10 + i),
                ends_at=in_days(10 + i, 19),
                capacity=3,
            )
            Registration.objects.create(
                event=event,
                name="X",
                email=f"x{i}@example.org",
                consent_at=timezone.now(),
                status=Registration.Status.CONFIRMED,
            )

    add(2)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/api/v1/events/", {"process": other.slug}).json()["count"] == 2
    add(20)
    with django_assert_max_num_queries(len(few)):
        body = client.get("/api/v1/events/", {"process": other.slug, "limit": 100}).json()
    assert body["count"] == 22
    assert {e["seats_left"] for e in body["items"]} == {2}
    assert all(len(e["fields"]) == 3 for e in body["items"])


# Registration -------------------------------------------------------------------------


def test_registration_confirmed_then_waiting(process, event):
    client = Client(enforce_csrf_checks=True)  # public JSON: no CSRF token needed
    response = register(client, event.pk, person(1))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "confirmed" and body["waiting_position"] is None
    assert body["event"] == event.pk
    registration = Registration.objects.get(event=event, email="person1@example.org")
    assert body["cancel_url"] == f"http://testserver{registration.get_cancel_url()}"
    assert set(body) == {"status", "waiting_position", "event", "cancel_url"}
    assert [m.to for m in mail.outbox] == [["person1@example.org"]]

    second = register(client, event.pk, person(2)).json()
    assert second["status"] == "waiting" and second["waiting_position"] == 1
    third = register(client, event.pk, person(3)).json()
    assert third["status"] == "waiting" and third["waiting_position"] == 2
    # Nobody's answer carries anyone else's data.
    assert "person1" not in json.dumps(second) + json.dumps(third)

    item = client.get(f"/api/v1/events/{event.pk}/").json()
    assert item["seats_left"] == 0 and item["waiting_count"] == 2
    assert item["registration_open"] is True  # the waiting list stays open


def test_registration_with_person_fields(client, process, event):
    city = process.base_edition.city
    organisation = Organisation.objects.filter(city=city).first()
    district = District.objects.filter(city=city).first()
    assert organisation and district, "the demo data has organisations and districts"
    payload = person(
        organisation=organisation.slug,
        organisation_name="",
        stakeholder_group="migrant_org",
        district=district.name,
        target_groups=["young", "own_migration"],
        needs_interpreting="Arabisch",
        needs_childcare=True,
        needs_accessibility="Rollstuhl",
    )
    assert register(client, event.pk, payload).status_code == 201
    registration = Registration.objects.get(event=event)
    assert registration.organisation == organisation
    assert registration.district == district
    assert registration.stakeholder_group == StakeholderGroup.MIGRANT_ORG
    assert registration.target_groups == ["young", "own_migration"]
    assert registration.needs_childcare is True
    assert registration.needs_interpreting == "Arabisch"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"consent": None}, "consent"),  # missing
        ({"consent": False}, "consent"),
        ({"email": "no-address"}, "email"),
        ({"email": None}, "email"),
        ({"name": " "}, "name"),
        ({"stakeholder_group": "king"}, "stakeholder_group"),
        ({"target_groups": ["aliens"]}, "target_groups"),
        ({"organisation": "gibt-es-nicht"}, "organisation"),
        ({"district": "Atlantis"}, "district"),
    ],
)
def test_registration_validation_errors(client, event, change, field):
    payload = {k: v for k, v in (person() | change).items() if v is not None}
    response = register(client, event.pk, payload)
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    assert field in errors, errors
    assert all(isinstance(m, str) and m for m in errors[field])
    assert not Registration.objects.filter(event=event).exists()


def test_registration_email_message_is_readable(client, event):
    errors = register(client, event.pk, person(email="nope")).json()["errors"]
    assert not errors["email"][0].startswith("Value error")


def test_registration_twice_is_a_conflict(client, event):
    assert register(client, event.pk, person()).status_code == 201
    again = register(client, event.pk, person(email="PERSON1@example.org "))
    assert again.status_code == 409
    assert list(again.json()["errors"]) == ["email"]
    assert Registration.objects.filter(event=event).count() == 1


def test_registration_only_for_open_public_events(client, process):
    hidden = future_event(process, visibility=Event.Visibility.INVITATION)
    assert register(client, hidden.pk, person()).status_code == 404
    past = Event.objects.filter(process=process).first()
    response = register(client, past.pk, person())
    assert response.status_code == 422
    assert "event" in response.json()["errors"]
    closed = future_event(process, registration_deadline=timezone.now() - dt.timedelta(hours=1))
    assert register(client, closed.pk, person()).status_code == 422
    assert register(client, 999999, person()).status_code == 404
    # Nothing new was written (the past demo event has synthetic registrations already).
    assert not Registration.objects.filter(
        event__in=[hidden, past, closed], email__in=[person()["email"]]
    ).exists()


def test_registration_with_trailing_slash(client, event):
    url = f"/api/v1/events/{event.pk}/registrations/"
    response = client.post(url, json.dumps(person()), content_type=JSON)
    assert response.status_code == 201


def test_registration_rate_limited(client, event, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api-registration": (2, 3600)}
    assert register(client, event.pk, person(1)).status_code == 201
    assert register(client, event.pk, person(2)).status_code == 201
    response = register(client, event.pk, person(3))
    assert response.status_code == 429
    assert "detail" in response.json()
    assert Registration.objects.filter(event=event).count() == 2


def test_personal_data_is_not_exposed(client, process, event, token):
    register(client, event.pk, person(1, name="Geheime Erika", needs_accessibility="Rampe"))
    register(client, event.pk, person(2, name="Geheimer Max"))
    pages = [
        client.get("/api/v1/events/", {"limit": 100}),
        client.get("/api/v1/events/", {"limit": 100}, headers=bearer(token)),
        client.get(f"/api/v1/events/{event.pk}/"),
        client.get(f"/api/v1/events/{event.pk}/", headers=bearer(token)),
        client.get("/api/v1/processes/"),
        client.patch(
            f"/api/v1/events/{event.pk}/",
            json.dumps({"description": "neu"}),
            content_type=JSON,
            headers=bearer(token),
        ),
    ]
    for response in pages:
        assert response.status_code == 200
        text = response.content.decode()
        for secret in ("Geheim", "example.org", "Rampe", "person1", "cancel"):
            assert secret not in text


# Staff writes ---------------------------------------------------------------------------


def event_payload(process, **values):
    return {
        "process": process.slug,
        "title": "Fachforum Arbeit",
        "starts_at": in_days(40).isoformat(),
        "ends_at": in_days(40, 20).isoformat(),
        **values,
    }


def post_event(client, payload, **kwargs):
    return client.post("/api/v1/events/", json.dumps(payload), content_type=JSON, **kwargs)


def test_staff_write_needs_a_valid_token(client, process, event, staff, django_user_model):
    payload = event_payload(process)
    patch = json.dumps({"title": "Neu"})
    url = f"/api/v1/events/{event.pk}/"
    assert post_event(client, payload).status_code == 401
    assert post_event(client, payload, headers=bearer("lb_wrong")).status_code == 401
    assert post_event(client, payload, headers={"Authorization": "lb_wrong"}).status_code == 401
    assert client.patch(url, patch, content_type=JSON).status_code == 401

    # A logged-in session is not enough: the API takes tokens only.
    client.force_login(staff)
    process.staff.add(staff)
    assert post_event(client, payload).status_code == 401
    client.logout()

    # Staff, but not of this process.
    process.staff.remove(staff)
    token = api_token_create(user=staff)
    response = post_event(client, payload, headers=bearer(token))
    assert response.status_code == 403
    assert "detail" in response.json()
    assert client.patch(url, patch, content_type=JSON, headers=bearer(token)).status_code == 403

    # No longer staff: the token stops working.
    process.staff.add(staff)
    staff.is_staff = False
    staff.save()
    assert post_event(client, payload, headers=bearer(token)).status_code == 401
    staff.is_staff, staff.is_active = True, False
    staff.save()
    assert post_event(client, payload, headers=bearer(token)).status_code == 401
    assert Event.objects.get(pk=event.pk).title == event.title


def test_staff_create_event(process, token, process_staff):
    client = Client(enforce_csrf_checks=True)
    numbers = list(
        process.draft_edition.fields.exclude(number="").values_list("number", flat=True)[:2]
    )
    payload = event_payload(
        process,
        phase=2,
        fields=numbers,
        kind="subject_forum",
        mode="hybrid",
        online_url="https://meet.example.org/forum",
        capacity=30,
        description="Zum Handlungsfeld Arbeit.",
    )
    response = post_event(client, payload, headers=bearer(token))
    assert response.status_code == 201, response.content
    body = response.json()
    event = Event.objects.get(pk=body["id"])
    assert event.process == process and event.phase.position == 2
    assert body["phase"]["position"] == 2
    assert [f["number"] for f in body["fields"]] == numbers
    assert body["kind"] == "subject_forum" and body["mode"] == "hybrid"
    assert body["capacity"] == 30 and body["seats_left"] == 30
    assert event.starts_at == in_days(40)
    assert body["starts_at"] == timezone.localtime(in_days(40)).isoformat()
    assert ApiToken.objects.get(user=process_staff).last_used_at is not None

    # Times without an offset are Berlin time.
    naive = event_payload(process, starts_at="2030-07-01T18:00:00", ends_at="2030-07-01T20:00")
    body = post_event(client, naive, headers=bearer(token)).json()
    assert body["starts_at"] == "2030-07-01T18:00:00+02:00"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"process": "nope"}, "process"),
        ({"phase": 99}, "phase"),
        ({"fields": ["99.9"]}, "fields"),
        ({"title": None}, "title"),
        ({"kind": "party"}, "kind"),
        ({"online_url": "kein link"}, "online_url"),
        ({"capacity": -1}, "capacity"),
    ],
)
def test_staff_create_event_validation(client, process, token, change, field):
    payload = {k: v for k, v in (event_payload(process) | change).items() if v is not None}
    response = post_event(client, payload, headers=bearer(token))
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]
    assert not Event.objects.filter(title="Fachforum Arbeit").exists()


def test_staff_patch_changes_only_given_fields(client, process, event, token):
    url = f"/api/v1/events/{event.pk}/"
    before = client.get(url).json()
    response = client.patch(
        url, json.dumps({"title": "Werkstatt Zukunft II"}), content_type=JSON, headers=bearer(token)
    )
    assert response.status_code == 200, response.content
    after = response.json()
    assert after["title"] == "Werkstatt Zukunft II"
    assert {k: v for k, v in after.items() if k != "title"} == {
        k: v for k, v in before.items() if k != "title"
    }
    event.refresh_from_db()
    assert event.sequence == 1  # calendar clients pick up the change

    # Clearing: no phase, no fields of action, no limit.
    response = client.patch(
        url,
        json.dumps({"phase": None, "fields": [], "capacity": None}),
        content_type=JSON,
        headers=bearer(token),
    )
    body = response.json()
    assert body["phase"] is None and body["fields"] == [] and body["capacity"] is None
    assert body["seats_left"] is None
    assert body["title"] == "Werkstatt Zukunft II"

    bad = client.patch(
        url,
        json.dumps({"ends_at": "2000-01-01T00:00:00+01:00"}),
        content_type=JSON,
        headers=bearer(token),
    )
    assert bad.status_code == 422
    # The model's check constraint answers first, as a non-field error (see the report).
    assert {"ends_at", "__all__"} & set(bad.json()["errors"])
    missing = client.patch(
        "/api/v1/events/999999/", json.dumps({}), content_type=JSON, headers=bearer(token)
    )
    assert missing.status_code == 404


def test_capacity_increase_promotes_waiting_list(client, event, token):
    register(client, event.pk, person(1))
    assert register(client, event.pk, person(2)).json()["status"] == "waiting"
    waiting = Registration.objects.get(event=event, email="person2@example.org")
    mail.outbox.clear()

    response = client.patch(
        f"/api/v1/events/{event.pk}/",
        json.dumps({"capacity": 2}),
        content_type=JSON,
        headers=bearer(token),
    )
    assert response.status_code == 200
    assert response.json()["seats_left"] == 0 and response.json()["waiting_count"] == 0
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.CONFIRMED and waiting.promoted_at
    assert [m.to for m in mail.outbox] == [["person2@example.org"]]


def test_event_schemas_cover_the_service_fields():
    extra = {"process", "phase", "fields"}
    assert set(EventIn.model_fields) == set(EVENT_FIELDS) | extra
    assert set(EventPatchIn.model_fields) == set(EVENT_FIELDS) | {"phase", "fields"}


# The token command ----------------------------------------------------------------------


def test_api_token_command(client, process, process_staff, django_user_model):
    out, err = StringIO(), StringIO()
    call_command("api_token", process_staff.username, stdout=out, stderr=err)
    token = out.getvalue().strip()
    assert token.startswith("lb_") and "\n" not in token
    assert token not in err.getvalue()
    response = post_event(client, event_payload(process), headers=bearer(token))
    assert response.status_code == 201

    with pytest.raises(CommandError, match="No user"):
        call_command("api_token", "nobody", stdout=StringIO())
    django_user_model.objects.create_user("visitor", password="pw-visitor-123")
    with pytest.raises(CommandError, match="staff"):
        call_command("api_token", "visitor", stdout=StringIO())
    assert not ApiToken.objects.filter(user__username="visitor").exists()

    err = StringIO()
    call_command("api_token", process_staff.username, revoke=True, stdout=out, stderr=err)
    assert "Deleted 1 token" in err.getvalue()
    assert post_event(client, event_payload(process), headers=bearer(token)).status_code == 401


# Schema and errors ------------------------------------------------------------------------


def test_openapi_describes_participation(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    for path in (
        "/api/v1/processes/",
        "/api/v1/events/",
        "/api/v1/events/{id}/",
        "/api/v1/events/{id}/registrations",
    ):
        assert path in paths
    assert "/api/v1/events/{id}/registrations/" not in paths
    assert set(paths["/api/v1/events/"]) == {"get", "post"}
    assert set(paths["/api/v1/events/{id}/"]) == {"get", "patch"}
    assert "security" not in paths["/api/v1/events/{id}/registrations"]["post"]
    assert paths["/api/v1/events/"]["post"]["security"] == [{"StaffToken": []}]
    assert {} in paths["/api/v1/events/"]["get"]["security"]
    scheme = schema["components"]["securitySchemes"]["StaffToken"]
    assert scheme == {"type": "http", "scheme": "bearer"}
    components = schema["components"]["schemas"]
    assert {"ProcessOut", "EventOut", "RegistrationIn", "RegistrationOut"} <= set(components)
    assert reverse("api-1:event_register", kwargs={"id": 1}) == "/api/v1/events/1/registrations"


def test_query_errors_use_the_same_format(client, db):
    response = client.get("/api/v1/editions/", {"limit": 0})
    assert response.status_code == 422
    assert "limit" in response.json()["errors"]
    assert "upcoming" in client.get("/api/v1/events/", {"upcoming": "maybe"}).json()["errors"]


def test_staff_writes_are_rate_limited_per_token_user(client, process, token, settings):
    """A leaked token cannot write without bound: beyond RATE_LIMITS["api-staff-write"]
    writes an hour its user gets 429 and nothing more is created."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api-staff-write": (2, 3600)}
    answers = [
        post_event(client, event_payload(process, title=f"Forum {n}"), headers=bearer(token))
        for n in range(3)
    ]
    assert [a.status_code for a in answers] == [201, 201, 429]
    assert not process.events.filter(title="Forum 2").exists()
