"""What the staff dashboard shows: per city, the concept's validity and its revision."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from leitbild.actors.models import Organisation, OrganisationMember
from leitbild.concept.models import City
from leitbild.concept.selectors import Validity, edition_validity
from leitbild.implementation.models import ActionGoal, Measure
from leitbild.participation.models import Phase, Process
from leitbild.participation.selectors import process_running_revision


@dataclass(frozen=True)
class CityStatus:
    city: City
    validity: Validity
    revision: Process | None  # the running revision of the adopted edition
    phase: Phase | None  # its current phase
    participation_ended: bool  # its end date passed; the draft awaits adoption


def workspace_status(*, today: dt.date | None = None) -> list[CityStatus]:
    """One entry per city that has editions, in name order."""
    today = today or timezone.localdate()
    statuses = []
    for city in City.objects.filter(editions__isnull=False).distinct().order_by("name"):
        validity = edition_validity(city=city, today=today)
        revision = phase = None
        if validity.edition is not None:
            revision = process_running_revision(base=validity.edition)
        if revision is not None:
            phase = Phase.objects.filter(process=revision).current(today).first()
        statuses.append(
            CityStatus(
                city=city,
                validity=validity,
                revision=revision,
                phase=phase,
                participation_ended=bool(
                    revision and revision.ends_on and revision.ends_on < today
                ),
            )
        )
    return statuses


@dataclass(frozen=True)
class MemberWork:
    """What an organisation's representative or reporter can do, for their dashboard."""

    organisations: list[tuple[Organisation, list[str], bool]]  # roles, edits the profile
    measures: list[Measure]  # led or joined by an organisation they report for
    action_goals: list[ActionGoal]  # an organisation they report for is responsible


def member_work(user) -> MemberWork:
    """The organisations ``user`` acts for and what they report on (the same sets as
    ``actors/permissions.py`` and ``implementation/permissions.py`` allow)."""
    memberships = list(
        OrganisationMember.objects.filter(user=user)
        .select_related("organisation")
        .order_by("organisation__name", "role")
    )
    by_organisation: dict[int, tuple[Organisation, list[str], bool]] = {}
    for m in memberships:
        organisation, roles, edits = by_organisation.get(
            m.organisation_id, (m.organisation, [], False)
        )
        roles.append(m.get_role_display())
        edits = edits or m.role == OrganisationMember.Role.REPRESENTATIVE
        by_organisation[m.organisation_id] = (organisation, roles, edits)
    reporting = [
        m.organisation_id for m in memberships if m.role == OrganisationMember.Role.REPORTER
    ]
    measures = action_goals = []
    if reporting:
        measures = list(
            Measure.objects.filter(Q(lead__in=reporting) | Q(partners__in=reporting))
            .distinct()
            .order_by("title")
        )
        action_goals = list(
            ActionGoal.objects.filter(responsible__in=reporting)
            .distinct()
            .select_related("goal__field")
        )
    return MemberWork(
        organisations=list(by_organisation.values()), measures=measures, action_goals=action_goals
    )
