"""Everything held about a person, found by their e-mail address (GDPR Art. 15)."""

from __future__ import annotations

from django.utils import timezone

from leitbild.participation.models import Contribution, PollBallot, Registration


def _when(value):
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _person(row) -> dict:
    return {
        "organisation": row.organisation.name if row.organisation_id else None,
        "taking_part_as": row.get_stakeholder_group_display() or None,
        "district": row.district.name if row.district_id else None,
        "target_groups": list(row.target_groups or []),
    }


def personal_data(*, email: str) -> dict:
    """A JSON-ready document with every registration, contribution and ballot under
    ``email`` (compared case-insensitively), with the fields as stored."""
    registrations = (
        Registration.objects.filter(email__iexact=email)
        .select_related("event__process", "organisation", "district")
        .order_by("created_at", "pk")
    )
    contributions = (
        Contribution.objects.filter(email__iexact=email)
        .select_related("process", "goal__field", "field", "organisation", "district")
        .order_by("created_at", "pk")
    )
    ballots = (
        PollBallot.objects.filter(email__iexact=email)
        .select_related("poll__process")
        .prefetch_related("poll__options")
        .order_by("created_at", "pk")
    )
    return {
        "email": email,
        "generated_at": _when(timezone.now()),
        "registrations": [
            {
                "process": r.event.process.title,
                "event": r.event.title,
                "event_starts_at": _when(r.event.starts_at),
                "name": r.name,
                "email": r.email,
                "status": r.get_status_display(),
                "registered_at": _when(r.created_at),
                "consent_given_at": _when(r.consent_at),
                "cancelled_at": _when(r.cancelled_at),
                "organisation_free_text": r.organisation_name or None,
                "needs_interpreting": r.needs_interpreting or None,
                "needs_childcare": r.needs_childcare,
                "needs_accessibility": r.needs_accessibility or None,
                "attended": r.attended,
                **_person(r),
            }
            for r in registrations
        ],
        "contributions": [
            {
                "process": c.process.title,
                "kind": c.get_kind_display(),
                "about": str(c.goal.field.number + " " + c.goal.slug)
                if c.goal_id
                else (str(c.field) if c.field_id else None),
                "submitted_at": _when(c.created_at),
                "confirmed_at": _when(c.confirmed_at),
                "status": c.get_status_display(),
                "author_name": c.author_name or None,
                "email": c.email,
                "text": c.body,
                "proposed_wording": c.proposed_text or None,
                "disposition": c.get_disposition_display() if c.disposition else None,
                "disposition_reason": c.disposition_reason or None,
                **_person(c),
            }
            for c in contributions
        ],
        "poll_ballots": [
            {
                "process": b.poll.process.title,
                "poll": b.poll.title,
                "email": b.email,
                "submitted_at": _when(b.created_at),
                "confirmed_at": _when(b.confirmed_at),
                "points": {
                    o.title: int(b.allocation.get(str(o.pk), 0))
                    for o in b.poll.options.all()
                    if int(b.allocation.get(str(o.pk), 0))
                },
            }
            for b in ballots
        ],
    }


def personal_data_counts(data: dict) -> dict[str, int]:
    return {key: len(data[key]) for key in ("registrations", "contributions", "poll_ballots")}
