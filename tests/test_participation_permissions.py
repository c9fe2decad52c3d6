"""Who may do what in a process — the rules of ``participation/permissions.py`` as a matrix.

Roles: an anonymous visitor, a logged-in user who is not staff, city staff who are not
staff of this process, staff of the process, a superuser. Only the last two may see
personal data or act as moderators.
"""

import pytest
from django.urls import reverse

from leitbild.participation import services
from leitbild.participation.models import Contribution

ROLES = ["anonymous", "user", "other_staff", "process_staff", "superuser"]
ALLOWED = {"process_staff", "superuser"}


@pytest.fixture
def login(client, request, django_user_model):
    def as_role(role):
        if role == "anonymous":
            return client
        if role == "user":
            user = django_user_model.objects.create_user("visitor", password="x")
        elif role == "superuser":
            user = django_user_model.objects.create_superuser("root", password="x")
        else:
            user = request.getfixturevalue(role)
        client.force_login(user)
        return client

    return as_role


@pytest.fixture
def setting(process, make_event):
    event = make_event()
    services.registration_create(
        event=event, name="Privat Person", email="privat@example.org", consent=True
    )
    goal = process.draft_edition.goals.get(field__number="6.2", slug="teilziel-1")
    contribution = services.contribution_submit(
        process=process,
        kind="amendment",
        goal=goal,
        body="Vorschlag",
        proposed_text=goal.text + " Neu.",
        email="autor@example.org",
        email_confirmed=True,
    )
    return {"event": event, "goal": goal, "contribution": contribution}


def _reads(process, s):
    kw = {"process": process.slug, "event": s["event"].pk}
    return [
        reverse("participation:registrations", kwargs=kw),
        reverse("participation:registrations_export", kwargs={**kw, "fmt": "csv"}),
        reverse("participation:registrations_export", kwargs={**kw, "fmt": "xlsx"}),
        reverse("participation:contribution_enter", kwargs=kw),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_personal_data_pages(login, process, setting, role):
    client = login(role)
    for url in _reads(process, setting):
        response = client.get(url)
        if role in ALLOWED:
            assert response.status_code == 200, url
        else:
            assert response.status_code in (302, 403), url
            assert b"privat@example.org" not in response.content
    page = client.get(setting["contribution"].get_absolute_url()).content.decode()
    assert ("autor@example.org" in page) == (role in ALLOWED)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("ausblenden", {"hide-reason": "Test"}),
        ("abwaegen", {"dispose-disposition": "not_taken_up", "dispose-reason": "Test"}),
        ("uebernehmen", {"accept-text": "Neuer Text.", "accept-reason": "Test"}),
    ],
)
def test_moderation_and_disposition(login, process, setting, role, action, data):
    contribution = setting["contribution"]
    url = reverse(
        "participation:contribution_action",
        kwargs={"process": process.slug, "pk": contribution.pk, "action": action},
    )
    login(role).post(url, data)
    contribution.refresh_from_db()
    setting["goal"].refresh_from_db()
    changed = (
        contribution.status == Contribution.Status.HIDDEN
        or contribution.disposition != ""
        or setting["goal"].text == "Neuer Text."
    )
    assert changed == (role in ALLOWED)


@pytest.mark.parametrize("role", ROLES)
def test_rewording_a_draft_goal(login, process, setting, role):
    goal = setting["goal"]
    url = reverse(
        "participation:goal",
        kwargs={"process": process.slug, "field": goal.field.slug, "goal": goal.slug},
    )
    login(role).post(url, {"form": "revise", "text": "Umformuliert.", "note": "Test"})
    goal.refresh_from_db()
    assert (goal.text == "Umformuliert.") == (role in ALLOWED)


@pytest.mark.parametrize("role", ROLES)
def test_reporting_is_open_to_everyone(login, process, setting, role):
    contribution = setting["contribution"]
    url = reverse(
        "participation:contribution_action",
        kwargs={"process": process.slug, "pk": contribution.pk, "action": "melden"},
    )
    login(role).post(url)
    contribution.refresh_from_db()
    assert contribution.report_count == 1
