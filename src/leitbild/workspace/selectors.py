"""What the staff dashboard shows: per city, the concept's validity and its revision."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from leitbild.concept.models import City
from leitbild.concept.selectors import Validity, edition_validity
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
