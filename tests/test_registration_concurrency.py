"""40 people register for 10 seats at the same moment, each on their own connection.

Runs on SQLite (transactions are IMMEDIATE: one writer at a time) and PostgreSQL (the
event row is locked with SELECT … FOR UPDATE). The test commits for real, so
pytest-django empties the tables afterwards; the module puts the demo data back.
"""

import datetime as dt
import threading

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import close_old_connections, connection
from django.test import override_settings
from django.utils import timezone

from leitbild.participation.models import Registration
from leitbild.participation.services import registration_cancel, registration_create


def _future_event(capacity):
    from leitbild.demo.loader import demo_load, demo_present
    from leitbild.participation.models import Process
    from leitbild.participation.services import event_create

    if not demo_present():
        demo_load()
    start = timezone.now() + dt.timedelta(days=10)
    return event_create(
        process=Process.objects.get(),
        title="Ansturm",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        capacity=capacity,
    )


def _register(event, n):
    return registration_create(
        event=event, name=f"Person {n}", email=f"person{n}@example.org", consent=True
    )


@pytest.fixture(autouse=True, scope="module")
def _restore_demo(django_db_blocker):
    yield
    from leitbild.demo.loader import demo_load, demo_present

    with django_db_blocker.unblock():
        if not demo_present():
            demo_load()


@pytest.mark.django_db(transaction=True)
def test_40_simultaneous_registrations_for_10_seats(django_db_blocker):
    """Threads with their own database connections register at the same moment."""
    event = _future_event(capacity=10)
    barrier = threading.Barrier(40)
    errors = []

    def worker(n):
        try:
            barrier.wait(timeout=30)
            _register(event, n)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(repr(error))
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    registrations = Registration.objects.filter(event=event)
    assert registrations.filter(status="confirmed").count() == 10
    assert registrations.filter(status="waiting").count() == 30
    assert len(mail.outbox) == 40

    # The first in line moves up when a seat is freed, and is told so.
    first_waiting = registrations.filter(status="waiting").order_by("created_at", "pk").first()
    mail.outbox.clear()
    promoted = registration_cancel(registration=registrations.filter(status="confirmed").first())
    assert promoted.pk == first_waiting.pk
    promoted.refresh_from_db()
    assert promoted.status == "confirmed" and promoted.promoted_at is not None
    assert registrations.filter(status="confirmed").count() == 10
    assert [m.to for m in mail.outbox] == [[promoted.email]]
    assert promoted.get_cancel_url() in mail.outbox[0].body


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_mail_is_sent_by_the_database_task_worker():
    """In production the e-mail is a queued task, committed with the registration."""
    event = _future_event(capacity=None)
    mail.outbox.clear()
    _register(event, 1)
    assert mail.outbox == []
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert [m.to for m in mail.outbox] == [["person1@example.org"]]
