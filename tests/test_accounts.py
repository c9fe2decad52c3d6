"""The site's own account pages: forgotten password (by e-mail link, through the task
worker) and changing one's password. The login itself: tests/test_roles.py."""

import re

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def ask(client, django_capture_on_commit_callbacks):
    """Ask for the link for ``email``; the mail task is queued when the request's
    transaction commits, and runs then."""

    def post(email):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("account:password_reset"), {"email": email})

    return post


@pytest.fixture
def reporter(django_user_model):
    return django_user_model.objects.create_user(
        "bericht", email="bericht@example.org", password="alt-Passwort-1"
    )


def _link(body: str) -> str:
    return re.search(r"http://testserver(/konto/passwort/neu/\S+/\S+/)", body)[1]


def test_a_forgotten_password_is_set_anew_through_the_mailed_link(client, reporter, ask):
    response = ask("BERICHT@example.org")
    assert response["Location"] == reverse("account:password_reset_done")
    (message,) = mail.outbox
    assert message.to == ["bericht@example.org"] and "Passwort" in message.subject
    assert "3 Stunden" in message.body
    link = _link(message.body)

    form = client.get(link, follow=True)
    assert form.context["validlink"]
    page = form.redirect_chain[-1][0]  # Django moves the token out of the address
    done = client.post(
        page, {"new_password1": "neu-Passwort-2024", "new_password2": "neu-Passwort-2024"}
    )
    assert done["Location"] == reverse("account:password_reset_complete")
    reporter.refresh_from_db()
    assert reporter.check_password("neu-Passwort-2024")
    # Used once, the link is void.
    assert not client.get(link, follow=True).context["validlink"]


def test_the_page_tells_nobody_whether_an_address_has_an_account(reporter, ask):
    known = ask("bericht@example.org")
    unknown = ask("wer@example.org")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert len(mail.outbox) == 1


def test_asking_for_links_is_rate_limited(reporter, settings, ask):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "password-reset": (2, 3600)}
    for _ in range(2):
        assert ask("bericht@example.org").status_code == 302
    refused = ask("bericht@example.org")
    assert refused.status_code == 429 and "Zu viele Anfragen" in refused.text
    assert len(mail.outbox) == 2


def test_no_token_is_kept_in_the_task_queue(reporter, settings, ask):
    """The queued task holds the user's id only; the worker makes the link."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    from django.tasks import default_task_backend

    ask("bericht@example.org")
    (result,) = default_task_backend.results
    assert result.args == [reporter.pk] and not result.kwargs


def test_logged_in_accounts_change_their_password(client, reporter):
    url = reverse("account:password_change")
    assert client.get(url)["Location"].startswith(reverse("account:login"))
    client.force_login(reporter)
    response = client.post(
        url,
        {
            "old_password": "alt-Passwort-1",
            "new_password1": "neu-Passwort-2024",
            "new_password2": "neu-Passwort-2024",
        },
    )
    assert response["Location"] == reverse("account:password_change_done")
    reporter.refresh_from_db()
    assert reporter.check_password("neu-Passwort-2024")
