"""Registration: capacity, waiting list, cancellation, e-mails, the task worker, privacy."""

import pytest
from django.core import mail
from django.urls import reverse

from leitbild.participation.models import Registration
from leitbild.participation.services import registration_cancel, registration_create


def _register(event, n, **extra):
    return registration_create(
        event=event, name=f"Person {n}", email=f"person{n}@example.org", consent=True, **extra
    )


def test_waiting_list_and_cancellation(make_event):
    event = make_event(capacity=2)
    first, second, third, fourth = (_register(event, n) for n in range(4))
    assert [r.status for r in (first, second, third, fourth)] == [
        "confirmed",
        "confirmed",
        "waiting",
        "waiting",
    ]
    assert "Warteliste" in mail.outbox[2].subject or "waiting" in mail.outbox[2].subject
    mail.outbox.clear()
    assert registration_cancel(registration=second).pk == third.pk
    assert registration_cancel(registration=second) is None  # twice is harmless
    assert [m.to[0] for m in mail.outbox] == [third.email]
    # A waiting person who cancels frees nothing.
    assert registration_cancel(registration=fourth) is None


def test_raising_capacity_moves_people_up(make_event):
    from leitbild.participation.services import event_update

    event = make_event(capacity=1)
    _register(event, 1)
    waiting = _register(event, 2)
    event_update(event=event, capacity=2)
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"


def test_registration_errors_name_the_field(make_event):
    from django.core.exceptions import ValidationError

    event = make_event()
    with pytest.raises(ValidationError) as info:
        registration_create(event=event, name="", email="", consent=False)
    assert set(info.value.message_dict) == {"name", "email", "consent"}
    _register(event, 1)
    with pytest.raises(ValidationError) as info:
        registration_create(event=event, name="Again", email="PERSON1@example.org", consent=True)
    assert "email" in info.value.message_dict


def test_registration_form_with_honeypot_and_cancel_link(client, make_event):
    event = make_event(capacity=5)
    url = event.get_absolute_url()
    data = {"name": "Ada", "email": "ada@example.org", "consent": "on", "website": ""}
    response = client.post(url, {**data, "website": "http://spam.example"})
    assert response.status_code == 200
    assert not Registration.objects.filter(event=event).exists()
    response = client.post(url, data)
    assert response.status_code == 302
    registration = Registration.objects.get(event=event)
    assert registration.status == "confirmed"
    (message,) = mail.outbox
    assert message.to == ["ada@example.org"]
    cancel_url = registration.get_cancel_url()
    assert cancel_url in message.body
    assert client.get(cancel_url).status_code == 200
    registration.refresh_from_db()
    assert registration.status == "confirmed"  # GET only asks
    client.post(cancel_url)
    registration.refresh_from_db()
    assert registration.status == "cancelled"


def test_registration_form_is_rate_limited(client, make_event, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "registration": (2, 3600)}
    event = make_event()
    for n in range(3):
        response = client.post(
            event.get_absolute_url(),
            {"name": f"P{n}", "email": f"p{n}@example.org", "consent": "on"},
        )
    assert response.status_code == 429  # the form again, with the message
    assert Registration.objects.filter(event=event).count() == 2


# Privacy: who sees registrations ------------------------------------------------------


@pytest.fixture
def registered(make_event):
    event = make_event()
    registration_create(
        event=event,
        name="Geheim Person",
        email="geheim@example.org",
        consent=True,
        needs_interpreting="Arabisch",
    )
    return event


def _staff_urls(event):
    kwargs = {"process": event.process.slug, "event": event.pk}
    return [
        reverse("participation:registrations", kwargs=kwargs),
        reverse("participation:registrations_export", kwargs={**kwargs, "fmt": "csv"}),
        reverse("participation:registrations_export", kwargs={**kwargs, "fmt": "xlsx"}),
    ]


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 302), ("other_staff", 403), ("process_staff", 200), ("superuser", 200)],
)
def test_registration_pages_and_exports_by_role(
    client, registered, request, django_user_model, who, expected
):
    if who == "superuser":
        client.force_login(django_user_model.objects.create_superuser("root", password="x"))
    elif who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    for url in _staff_urls(registered):
        response = client.get(url)
        assert response.status_code == expected, url
        body = response.content
        if expected == 200:
            if url.endswith(".xlsx"):
                assert body[:2] == b"PK"
            else:
                assert b"geheim@example.org" in body
        else:
            assert b"geheim@example.org" not in body


def test_public_pages_never_show_registrants(client, registered):
    process = registered.process
    for url in [
        registered.get_absolute_url(),
        process.get_absolute_url(),
        reverse("participation:calendar", args=[process.slug]),
        reverse("participation:event_stats", args=[process.slug, registered.pk]),
        reverse("participation:process_stats", args=[process.slug]),
        registered.get_calendar_url(),
        f"/api/v1/events/{registered.pk}/",
    ]:
        body = client.get(url).content
        assert b"geheim@example.org" not in body, url
        assert b"Geheim Person" not in body, url


def test_admin_lists_registrations_only_to_process_staff(client, registered, other_staff):
    from django.contrib.auth.models import Permission

    other_staff.user_permissions.add(Permission.objects.get(codename="view_registration"))
    client.force_login(other_staff)
    response = client.get("/admin/participation/registration/")
    assert response.status_code == 200
    assert b"Geheim Person" not in response.content
    registration = Registration.objects.get(event=registered)
    assert client.get(
        f"/admin/participation/registration/{registration.pk}/change/"
    ).status_code in (
        302,
        403,
    )


def test_attendance_is_marked_by_staff(client, registered, process_staff):
    client.force_login(process_staff)
    registration = Registration.objects.get(event=registered)
    url = _staff_urls(registered)[0]
    response = client.post(url, {f"attended-{registration.pk}": "yes"})
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.attended is True
    csv_body = client.get(_staff_urls(registered)[1]).content.decode("utf-8-sig")
    assert "Arabisch" in csv_body


def test_personal_data_is_erased_after_the_process(process, make_event):
    from io import StringIO

    from django.core.management import CommandError, call_command

    from leitbild.participation.selectors import participation_stats

    event = make_event()
    registration_create(event=event, name="Zu Löschen", email="weg@example.org", consent=True)
    before = participation_stats(process=process)["total"]
    with pytest.raises(CommandError, match="has not ended"):
        process.ends_on = None
        process.save()
        call_command("purge_personal_data", process.slug)
    out = StringIO()
    call_command("purge_personal_data", process.slug, "--force", stdout=out)
    assert "Erased personal data" in out.getvalue()
    registration = Registration.objects.get(event=event)
    assert registration.name == "" and registration.email.endswith("@erased.invalid")
    assert not Registration.objects.filter(email__endswith="@example.org").exists()
    assert participation_stats(process=process)["total"] == before  # still counted once
    with pytest.raises(CommandError, match="Known processes"):
        call_command("purge_personal_data", "gibt-es-nicht")


def test_form_does_not_reveal_who_is_registered(client, make_event):
    """A repeated registration gets the same answer; the person gets their details again."""
    event = make_event()
    data = {"name": "Ada", "email": "ada@example.org", "consent": "on"}
    first = client.post(event.get_absolute_url(), data, follow=True)
    second = client.post(event.get_absolute_url(), {**data, "name": "Someone"}, follow=True)
    message = [str(m) for m in first.context["messages"]]
    assert message == [str(m) for m in second.context["messages"]]
    assert Registration.objects.filter(event=event).count() == 1
    assert [m.to for m in mail.outbox] == [["ada@example.org"], ["ada@example.org"]]
    assert Registration.objects.get(event=event).get_cancel_url() in mail.outbox[1].body


def test_admin_keeps_process_staff_and_seats_in_order(
    client, process, registered, other_staff, django_user_model
):
    from django.contrib.auth.models import Permission

    other_staff.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["change_process", "view_process", "delete_registration", "delete_event"]
        )
    )
    client.force_login(other_staff)
    # Not staff of the process: it is not even listed, and cannot be opened.
    assert process.title not in client.get("/admin/participation/process/").content.decode()
    assert client.get(f"/admin/participation/process/{process.pk}/change/").status_code in (
        302,
        403,
    )
    registration = Registration.objects.get(event=registered)
    response = client.get(f"/admin/participation/registration/{registration.pk}/delete/")
    assert response.status_code in (302, 403)
    assert "Geheim" not in str(registration)

    # Staff of the process may edit it, but not decide who else is staff.
    process.staff.add(other_staff)
    page = client.get(f"/admin/participation/process/{process.pk}/change/").content.decode()
    assert 'name="staff"' not in page

    # A raised capacity moves people up (the admin saves through event_update too).
    root = django_user_model.objects.create_superuser("root", password="x")
    client.force_login(root)
    full = registered
    full.capacity = 1
    full.save()
    waiting = registration_create(event=full, name="W", email="w@example.org", consent=True)
    assert waiting.status == "waiting"
    from leitbild.participation.services import event_update

    event_update(event=full, capacity=2)
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"


def test_mails_are_plain_text_and_carry_no_personal_data_in_the_queue(make_event):
    event = make_event(title="Familie & Beruf")
    registration_create(event=event, name="Renée O'Brien", email="r@example.org", consent=True)
    (message,) = mail.outbox
    assert "Familie & Beruf" in message.subject and "&amp;" not in message.subject
    assert "Renée O'Brien" in message.body


def test_nobody_moves_up_after_the_event(make_event):
    import datetime as dt

    from django.utils import timezone

    event = make_event(capacity=1)
    first = _register(event, 1)
    _register(event, 2)
    Event = type(event)
    Event.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - dt.timedelta(days=2),
        ends_at=timezone.now() - dt.timedelta(days=1),
    )
    mail.outbox.clear()
    assert registration_cancel(registration=first) is None
    assert mail.outbox == []
