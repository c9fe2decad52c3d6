"""The roles of ``workspace/roles.py``: the coordinators' group follows the declaration,
the demo has one working login per role, and members see their work on the dashboard.
What each role may do is ``tests/test_permission_matrix.py``."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.urls import reverse

from leitbild.actors.models import Organisation, OrganisationMember
from leitbild.implementation import permissions as implementation_permissions
from leitbild.implementation.models import Measure
from leitbild.participation import permissions as participation_permissions
from leitbild.participation.models import Process
from leitbild.workspace import roles
from leitbild.workspace.demo import DEMO_LOGINS, IR, KI
from leitbild.workspace.demo import demo_load as demo_logins_load


def _names(group) -> set[str]:
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in group.permissions.select_related("content_type")
    }


def test_setup_roles_gives_the_group_exactly_the_declared_permissions(db):
    group = Group.objects.get(name=roles.COORDINATORS)  # the demo loader set it up
    assert _names(group) == roles.COORDINATOR_PERMISSIONS
    # A permission added by hand goes again, a missing one comes back.
    group.permissions.add(Permission.objects.get(codename="view_auditevent"))
    group.permissions.remove(Permission.objects.get(codename="change_goal"))
    out = StringIO()
    call_command("setup_roles", stdout=out)
    assert _names(group) == roles.COORDINATOR_PERMISSIONS
    assert "+ concept.change_goal" in out.getvalue()
    assert "- audit.view_auditevent" in out.getvalue()
    # Idempotent: nothing to do the second time.
    (change,) = roles.roles_setup()
    assert (change.created, change.added, change.removed) == (False, (), ())


def test_a_misspelt_permission_is_an_error_not_a_silent_gap(db, monkeypatch):
    monkeypatch.setitem(
        roles.GROUPS, roles.COORDINATORS, roles.COORDINATOR_PERMISSIONS | {"concept.edit_goal"}
    )
    with pytest.raises(ImproperlyConfigured, match=r"concept\.edit_goal"):
        roles.roles_setup()


def test_coordinators_do_not_decide_who_holds_a_role(db):
    declared = roles.COORDINATOR_PERMISSIONS
    for name in ("auth.change_user", "auth.change_group", "actors.add_organisationmember"):
        assert name not in declared
    assert not any(name.startswith("audit.") for name in declared)


@pytest.fixture
def logins(process):
    return {login.username: login for login in demo_logins_load(process=process)}


def test_demo_logins_hold_their_roles(client, logins, process, demo):
    from django.contrib.auth import get_user_model

    users = {u.username: u for u in get_user_model().objects.filter(username__in=logins)}
    for username, login in logins.items():
        assert users[username].check_password(login.password)
        assert not users[username].is_superuser
        # Organisation members sign in on the site; city roles also use the admin.
        assert users[username].is_staff == (username in ("koordination", "moderation"))
    assert participation_permissions.is_process_staff(users["moderation"], process)
    other = Process.objects.create(
        title="Andere", slug="andere", base_edition=demo[2014], starts_on="2026-01-01"
    )
    assert not participation_permissions.is_process_staff(users["moderation"], other)
    assert participation_permissions.is_process_staff(users["koordination"], other)

    ki_measure = Measure.objects.filter(lead__name=KI).first()
    jobcenter = Measure.objects.get(title__contains="Anerkennungsberatung")
    assert implementation_permissions.can_report_on_measure(users["bericht"], ki_measure)
    assert not implementation_permissions.can_report_on_measure(users["bericht"], jobcenter)

    # Logged in with the printed password, the representative edits their profile.
    assert client.login(username="vertretung", password="demo-vertretung")
    council = Organisation.objects.get(name=IR)
    url = reverse("actors:edit", kwargs={"slug": council.slug})
    response = client.post(url, {"description": "Gewählt.", "contact": "Klemensstraße 10"})
    assert response.status_code == 302
    page = client.get(council.get_absolute_url()).content.decode()
    assert "Klemensstraße 10" in page and f'href="{url}"' in page
    ki = Organisation.objects.get(name=KI)
    assert client.get(reverse("actors:edit", kwargs={"slug": ki.slug})).status_code == 403


def test_demo_logins_are_idempotent(process):
    demo_logins_load(process=process)
    demo_logins_load(process=process)
    assert OrganisationMember.objects.filter(user__username="bericht").count() == 1
    assert {login.username for login in DEMO_LOGINS} == {
        "koordination",
        "moderation",
        "vertretung",
        "bericht",
    }


def test_the_dashboard_lists_a_reporters_work(client, logins):
    client.login(username="bericht", password="demo-bericht")
    html = client.get(reverse("workspace:dashboard")).content.decode()
    assert "Ihre Organisationen" in html
    ki_measure = Measure.objects.filter(lead__name=KI).first()
    assert f'href="{ki_measure.get_absolute_url()}#report-heading"' in html
    jobcenter = Measure.objects.get(title__contains="Anerkennungsberatung")
    assert jobcenter.get_absolute_url() not in html
    # A measure page offers the form to the reporter, not to a visitor.
    assert 'id="report-heading"' in client.get(ki_measure.get_absolute_url()).content.decode()
    client.logout()
    assert 'id="report-heading"' not in client.get(ki_measure.get_absolute_url()).content.decode()


def test_coordinators_see_every_process_in_the_admin_and_the_api(client, logins, demo, make_event):
    from leitbild.participation.services import api_token_create

    other = Process.objects.create(
        title="Andere", slug="andere", base_edition=demo[2014], starts_on="2026-01-01"
    )
    hidden = make_event(title="Geschlossene Runde", visibility="invitation")
    client.login(username="koordination", password="demo-koordination")
    listing = client.get(reverse("admin:participation_process_changelist")).content.decode()
    assert "Andere" in listing
    change = client.get(reverse("admin:participation_process_change", args=[other.pk]))
    assert change.status_code == 200
    token = api_token_create(user=Group.objects.get(name=roles.COORDINATORS).user_set.get())
    response = client.get(
        f"/api/v1/events/{hidden.pk}/", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200
    # Moderators hold no model permissions: they work on the pages, not in the admin.
    client.login(username="moderation", password="demo-moderation")
    assert client.get(reverse("admin:participation_process_changelist")).status_code == 403


def test_a_reporter_signs_in_on_the_site_without_a_staff_account(client, logins):
    """The site's login: a member of an organisation, not staff, lands on the workspace,
    reports on their measure, and logs out with the header's button."""
    reporter = get_user_model().objects.get(username="bericht")
    assert not reporter.is_staff  # the admin's login would refuse this account
    login = reverse("account:login")
    page = client.get(f"{login}?next=/arbeitsbereich/").content.decode()
    assert 'name="username"' in page and 'name="password"' in page

    response = client.post(login, {"username": "bericht", "password": "demo-bericht"})
    assert response.status_code == 302 and response["Location"] == "/arbeitsbereich/"
    html = client.get("/arbeitsbereich/").content.decode()
    assert "Ihre Organisationen" in html  # and none of the staff sections:
    assert "Gültigkeit" not in html and "Seiten für Mitarbeitende" not in html
    assert "noch keine Fassung" not in html
    ki_measure = Measure.objects.filter(lead__name=KI).first()
    response = client.post(
        ki_measure.get_absolute_url(),
        {"reported_on": "2026-11-01", "text": "Zwei neue Kurse.", "percent": "60"},
    )
    assert response.status_code == 302
    assert ki_measure.reports.filter(author=reporter, percent=60).exists()
    assert f'action="{reverse("account:logout")}"' in client.get("/").content.decode()

    assert client.post(reverse("account:logout")).status_code == 302
    assert client.get("/arbeitsbereich/")["Location"] == f"{login}?next=/arbeitsbereich/"


def test_the_site_login_refuses_wrong_passwords_and_pauses_guessing(client, logins, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login-username": (3, 900)}
    login = reverse("account:login")
    for _ in range(3):
        response = client.post(login, {"username": "bericht", "password": "falsch"})
        assert response.status_code == 200 and "und Passwort eingeben" in response.text
    # Over the limit even the right password is refused, and the page says why.
    response = client.post(login, {"username": "bericht", "password": "demo-bericht"})
    assert response.status_code == 429 and "Zu viele fehlgeschlagene" in response.text
    assert "_auth_user_id" not in client.session


def test_a_logged_in_account_without_a_role_or_staff_status_gets_no_dashboard(client, db):
    nobody = get_user_model().objects.create_user("niemand", password="pw-niemand-1")
    client.force_login(nobody)
    assert client.get("/arbeitsbereich/").status_code == 403
