"""A person's rights over their data: access and erasure, by a link sent to their address."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from leitbild.audit.models import AuditEvent
from leitbild.audit.services import audit_record
from leitbild.participation.models import Contribution, PollBallot, Registration
from leitbild.participation.services import registration_cancel

from .models import PrivacyRequest


def privacy_request_create(*, email: str, now=None) -> PrivacyRequest:
    """Record the request and mail the link, whether or not anything is held under the
    address: the answer on the page is the same, so nobody learns who took part."""
    from .tasks import send_privacy_request_mail

    now = now or timezone.now()
    request = PrivacyRequest.objects.create(
        email=email.strip(),
        expires_at=now + dt.timedelta(hours=settings.PRIVACY_REQUEST_HOURS),
    )
    transaction.on_commit(lambda: send_privacy_request_mail.enqueue(request_id=request.pk))
    return request


def privacy_request_get(*, token: str, now=None) -> PrivacyRequest | None:
    now = now or timezone.now()
    return PrivacyRequest.objects.valid(now).filter(token=token).first()


def privacy_requests_expire(*, now=None) -> int:
    now = now or timezone.now()
    deleted, _by_model = PrivacyRequest.objects.filter(expires_at__lte=now).delete()
    return deleted


def personal_data_erase(*, request: PrivacyRequest) -> dict[str, int]:
    """Erase what is held under the request's address (GDPR Art. 17).

    Registrations are deleted — a seat for an event still to come is first given up, so
    the waiting list moves on. Contributions stay, because the process and the council's
    consideration table rest on them, but lose everything that says who wrote them.
    Unconfirmed contributions and ballots were never published and are deleted; a
    confirmed ballot keeps its points under an address nobody can trace back.
    """
    email = request.email
    counts = {"registrations": 0, "contributions": 0, "ballots": 0}
    upcoming = Registration.objects.filter(
        email__iexact=email, event__ends_at__gt=timezone.now()
    ).exclude(status=Registration.Status.CANCELLED)
    for registration in upcoming:
        registration_cancel(registration=registration)
    with transaction.atomic():
        counts["registrations"], _ = Registration.objects.filter(email__iexact=email).delete()
        contributions = Contribution.objects.filter(email__iexact=email)
        contributions.filter(status=Contribution.Status.PENDING).delete()
        counts["contributions"] = contributions.update(
            author_name="",
            email="",
            organisation=None,
            stakeholder_group="",
            district=None,
            target_groups=[],
        )
        ballots = PollBallot.objects.filter(email__iexact=email)
        ballots.filter(confirmed_at__isnull=True).delete()
        for ballot in ballots:
            ballot.email = f"{secrets.token_hex(12)}@erased.invalid"
            ballot.pending_allocation = None
            ballot.save(update_fields=["email", "pending_allocation"])
            counts["ballots"] += 1
        PrivacyRequest.objects.filter(email__iexact=email).delete()
        audit_record(
            action=AuditEvent.Action.ERASE,
            subject="personal data erased on the person's request",
            people=1,
        )
    return counts
