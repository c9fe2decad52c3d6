"""Scale the demo data up for load tests: ``leitbild scale-demo --factor 100``.

Adds SYNTHETIC rows on top of the loaded demo — every one marked as such in its text,
name or source, with example.org addresses — so that pages can be measured with the
data a large city collects over a revision:

* ``factor × 200`` contributions on the draft's goals: published, about one in six a
  reply, most top-level ones weighed (disposition and public reason), some said at an
  event, some with an organisation, group and district;
* ``factor × 50`` registrations for ``factor`` synthetic events (half past, half
  upcoming), never more confirmed than an event's capacity — the rest wait in line —
  and attendance recorded for past events;
* about ``factor × 5,000`` observations: synthetic indicators with the city, its
  boroughs and districts, 15 years and 18 breakdowns (sex × age group, with their
  totals), keyed exactly as the importer keys them (``models.disaggregation_key``).

Rows are written with ``bulk_create`` in batches, all in one transaction: a failure
leaves the database as it was. The demo must be loaded first, and scaling runs once —
a second run refuses (load a fresh database to scale again).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from leitbild.actors.models import Organisation
from leitbild.concept.models import District
from leitbild.monitoring.models import Indicator, Observation, disaggregation_key
from leitbild.participation.demo import DEMO_FILE
from leitbild.participation.models import (
    Contribution,
    Event,
    Process,
    Registration,
    StakeholderGroup,
    TargetGroup,
)

BERLIN = ZoneInfo("Europe/Berlin")
BATCH = 2000
# Markers: every synthetic row carries one of these, and their presence means "scaled".
MARK = "[Synthetisch, Lasttest]"
EVENT_TITLE = f"{MARK} Veranstaltung"
INDICATOR_CODE = "synthetisch-lasttest-"
SOURCE = "Synthetische Lasttestdaten (nicht amtlich)"

CONTRIBUTIONS_PER_FACTOR = 200
REGISTRATIONS_PER_FACTOR = 50
OBSERVATIONS_PER_FACTOR = 5000

YEARS = range(2010, 2025)
SEXES = ("weiblich", "maennlich")
AGE_GROUPS = ("unter-18", "18-29", "30-49", "50-64", "65-plus")
DISPOSITIONS = [
    (Contribution.Disposition.TAKEN_UP, "wird im Entwurf berücksichtigt."),
    (Contribution.Disposition.PARTLY, "wird teilweise berücksichtigt."),
    (Contribution.Disposition.NOT_TAKEN_UP, "wird nicht übernommen; das Ziel deckt es ab."),
    (Contribution.Disposition.NOT_APPLICABLE, "betrifft nicht das Leitbild."),
]

Progress = Callable[[int, int], None]


class AlreadyScaled(Exception):
    """The database holds scaled rows already."""


class DemoMissing(Exception):
    """The demo data is not loaded."""


@dataclass
class ScaleReport:
    contributions: int = 0
    replies: int = 0
    events: int = 0
    registrations: int = 0
    waiting: int = 0
    indicators: int = 0
    observations: int = 0


def breakdowns() -> list[dict[str, str]]:
    """The 18 breakdowns of a synthetic indicator: total, by sex, by age group, both."""
    combos: list[dict[str, str]] = [{}]
    combos += [{"geschlecht": s} for s in SEXES]
    combos += [{"altersgruppe": a} for a in AGE_GROUPS]
    combos += [{"geschlecht": s, "altersgruppe": a} for s in SEXES for a in AGE_GROUPS]
    return combos


def is_scaled() -> bool:
    return (
        Indicator.objects.filter(code__startswith=INDICATOR_CODE).exists()
        or Event.objects.filter(title__startswith=EVENT_TITLE).exists()
        or Contribution.objects.filter(body__startswith=MARK).exists()
    )


def planned(factor: int) -> dict[str, int]:
    """What ``scale(factor)`` adds, before it runs (for the progress total)."""
    per_indicator = _areas_count() * len(YEARS) * len(breakdowns())
    indicators = max(1, round(factor * OBSERVATIONS_PER_FACTOR / per_indicator))
    return {
        "contributions": factor * CONTRIBUTIONS_PER_FACTOR,
        "registrations": factor * REGISTRATIONS_PER_FACTOR,
        "events": factor,
        "indicators": indicators,
        "observations": indicators * per_indicator,
    }


def _areas_count() -> int:
    process = _demo_process()
    return District.objects.filter(city=process.base_edition.city).count()


def _demo_process() -> Process:
    slug = json.loads(DEMO_FILE.read_text(encoding="utf-8"))["slug"]
    process = (
        Process.objects.select_related("base_edition__city", "draft_edition")
        .filter(slug=slug)
        .first()
    )
    if process is None or process.draft_edition is None:
        raise DemoMissing("Load the demo data first (leitbild load-demo).")
    return process


def _batched(items: Iterator, size: int = BATCH) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


@transaction.atomic
def scale(*, factor: int, seed: int = 100, progress: Progress | None = None) -> ScaleReport:
    """Add the synthetic rows for ``factor`` (see the module docstring); all or nothing."""
    if factor < 1:
        raise ValueError("factor must be at least 1")
    process = _demo_process()
    if is_scaled():
        raise AlreadyScaled(
            "The database holds scaled demo data already; scale a freshly loaded demo instead."
        )
    plan = planned(factor)
    total = plan["contributions"] + plan["registrations"] + plan["observations"]
    done = 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(done, total)

    rng = random.Random(seed)
    report = ScaleReport()
    city = process.base_edition.city
    people = _people(rng, city, count=max(40, factor * 40))
    events = _events(rng, process, count=plan["events"])
    report.events = len(events)
    _registrations(rng, events, people, plan["registrations"], report, advance)
    _contributions(rng, process, events, people, plan["contributions"], report, advance)
    _observations(rng, process, plan["indicators"], report, advance)
    return report


def _people(rng: random.Random, city, *, count: int) -> list[dict]:
    """A pool of synthetic people (name, address, group, organisation, district)."""
    organisations = list(Organisation.objects.filter(city=city))
    districts = list(District.objects.filter(city=city, level=District.Level.BOROUGH))
    groups = list(StakeholderGroup.values)
    weights = [14, 4, 6, 12, 10, 5, 10, 5, 2, 12, 16, 4]
    people = []
    for n in range(1, count + 1):
        group = rng.choices(groups, weights)[0]
        people.append(
            {
                "name": f"Synthetische Lasttest-Person {n}",
                "email": f"lasttest-{n}@example.org",
                "stakeholder_group": group,
                "organisation": rng.choice(organisations)
                if organisations and group != "resident"
                else None,
                "district": rng.choice(districts) if districts and rng.random() < 0.8 else None,
                "target_groups": rng.sample(list(TargetGroup.values), rng.choice([0, 0, 1, 2])),
            }
        )
    return people


def _events(rng: random.Random, process: Process, *, count: int) -> list[Event]:
    """``count`` public events: the first half in the process's phases, the rest upcoming."""
    phases = list(process.phases.order_by("position"))
    fields = list(process.draft_edition.fields.order_by("position"))
    now = timezone.localtime(timezone.now(), BERLIN)
    events = []
    for n in range(count):
        if n < count // 2 and phases:
            phase = phases[n % len(phases)]
            days = max(0, ((phase.ends_on or phase.starts_on) - phase.starts_on).days)
            day = phase.starts_on + dt.timedelta(days=rng.randint(0, days))
        else:
            phase = None
            day = (now + dt.timedelta(days=14 + 3 * n)).date()
        starts = dt.datetime.combine(day, dt.time(17, 0), tzinfo=BERLIN)
        capacity = rng.choice([None, 40, 60, 80])
        events.append(
            Event(
                process=process,
                phase=phase,
                kind=rng.choice([Event.Kind.WORKSHOP, Event.Kind.SUBJECT_FORUM]),
                title=f"{EVENT_TITLE} {n + 1}",
                description=f"{MARK} Diese Veranstaltung gibt es nicht; sie dient dem Lasttest.",
                starts_at=starts,
                ends_at=starts + dt.timedelta(hours=2),
                place_name="Stadthaus 1",
                address="Klemensstraße 10, 48143 Münster",
                room=f"Raum {n % 12 + 1}",
                capacity=capacity,
            )
        )
    events = Event.objects.bulk_create(events)
    through = Event.fields.through
    through.objects.bulk_create(
        through(event_id=event.pk, fieldofaction_id=field.pk)
        for event in events
        for field in rng.sample(fields, min(2, len(fields)))
    )
    return events


def _registrations(rng, events, people, count, report, advance) -> None:
    """``count`` registrations spread over ``events``; confirmed up to each capacity."""
    now = timezone.now()
    per_event = [
        count // len(events) + (1 if i < count % len(events) else 0) for i in range(len(events))
    ]

    def rows() -> Iterator[Registration]:
        for event, n in zip(events, per_event, strict=True):
            past = event.ends_at < now
            confirmed = 0
            for person in rng.sample(people, min(n, len(people))):
                created = event.starts_at - dt.timedelta(days=rng.randint(2, 30))
                seat = event.capacity is None or confirmed < event.capacity
                confirmed += seat
                if not seat:
                    report.waiting += 1
                yield Registration(
                    event=event,
                    consent_at=created,
                    created_at=created,
                    status=Registration.Status.CONFIRMED if seat else Registration.Status.WAITING,
                    attended=(rng.random() < 0.85) if past and seat else None,
                    **person,
                )

    for batch in _batched(rows()):
        Registration.objects.bulk_create(batch)
        report.registrations += len(batch)
        advance(len(batch))


def _contributions(rng, process, events, people, count, report, advance) -> None:
    """Top-level contributions on the draft's goals (some ideas on a field), then replies."""
    goals = list(process.draft_edition.goals.select_related("field").order_by("pk"))
    # Some goals draw far more attention than others, as in real revisions.
    weights = [rng.paretovariate(1.5) for _ in goals]
    start = dt.datetime.combine(process.starts_on, dt.time(9), tzinfo=BERLIN)
    end = dt.datetime.combine(process.ends_on or process.starts_on, dt.time(18), tzinfo=BERLIN)
    span = max(1, int((end - start).total_seconds()))
    past_events = [e for e in events if e.phase_id]
    replies_count = count // 6
    roots_count = count - replies_count

    def person_fields() -> dict:
        person = rng.choice(people)
        return {
            "email": person["email"],
            "author_name": person["name"] if rng.random() < 0.5 else "",
            "stakeholder_group": person["stakeholder_group"],
            "organisation": person["organisation"],
            "district": person["district"],
            "target_groups": person["target_groups"],
        }

    def root(n: int) -> Contribution:
        goal = rng.choices(goals, weights)[0]
        created = start + dt.timedelta(seconds=rng.randrange(span))
        roll = rng.random()
        kind = (
            Contribution.Kind.IDEA
            if roll < 0.05
            else Contribution.Kind.AMENDMENT
            if roll < 0.15
            else Contribution.Kind.COMMENT
        )
        values = {
            "process": process,
            "kind": kind,
            "goal": None if kind == Contribution.Kind.IDEA else goal,
            "field": goal.field,
            "event": rng.choice(past_events) if past_events and rng.random() < 0.2 else None,
            "body": f"{MARK} Beitrag {n} zu {goal.field.number} {goal.slug}: "
            + "Dieser Text ist erfunden und steht für einen Hinweis aus der Beteiligung. " * 2,
            "proposed_text": f"{MARK} Neue Formulierung: {goal.text}"
            if kind == Contribution.Kind.AMENDMENT
            else "",
            "status": Contribution.Status.PUBLISHED,
            "created_at": created,
            "confirmed_at": created,
            **person_fields(),
        }
        if rng.random() < 0.6:
            disposition, reason = rng.choice(DISPOSITIONS)
            values.update(
                disposition=disposition,
                disposition_reason=f"{MARK} Der Hinweis {reason}",
                disposed_at=created + dt.timedelta(days=30),
            )
        return Contribution(**values)

    roots: list[Contribution] = []
    for batch in _batched(root(n) for n in range(1, roots_count + 1)):
        roots += Contribution.objects.bulk_create(batch)
        advance(len(batch))

    def reply(n: int) -> Contribution:
        parent = rng.choice(roots)
        created = parent.created_at + dt.timedelta(hours=rng.randint(1, 240))
        return Contribution(
            process=process,
            kind=Contribution.Kind.REPLY,
            goal=parent.goal,
            field=parent.field,
            parent=parent,
            body=f"{MARK} Antwort {n} auf Beitrag {parent.pk}: Ich stimme dem teilweise zu.",
            status=Contribution.Status.PUBLISHED,
            created_at=created,
            confirmed_at=created,
            **person_fields(),
        )

    for batch in _batched(reply(n) for n in range(1, replies_count + 1)):
        Contribution.objects.bulk_create(batch)
        advance(len(batch))
    report.contributions = roots_count + replies_count
    report.replies = replies_count


def _observations(rng, process, indicators_count, report, advance) -> None:
    """Synthetic indicators, each with a value for every area × year × breakdown."""
    city = process.base_edition.city
    areas = list(District.objects.filter(city=city).order_by("level", "number", "pk"))
    goals = list(process.base_edition.goals.order_by("pk"))
    combos = [(combo, disaggregation_key(combo)) for combo in breakdowns()]
    position = 100 + (Indicator.objects.filter(city=city).count())
    for i in range(1, indicators_count + 1):
        target = round(rng.uniform(20, 60), 1)
        indicator = Indicator.objects.create(
            city=city,
            code=f"{INDICATOR_CODE}{i:02d}",
            name=f"{MARK} Kennzahl {i}: Anteil einer erfundenen Gruppe an der Bevölkerung",
            definition=f"{MARK} Erfundene Kennzahl für den Lasttest; keine amtlichen Daten.",
            unit="%",
            source=SOURCE,
            disaggregations=["geschlecht", "altersgruppe"],
            target_value=target,
            target_year=2030,
            position=position + i,
        )
        if goals:
            indicator.goals.set([goals[(i * 7) % len(goals)]])
        base = {area.pk: rng.uniform(5, target) for area in areas}

        def rows(indicator=indicator, base=base) -> Iterator[Observation]:
            for year in YEARS:
                for area in areas:
                    level = base[area.pk] + (year - YEARS[0]) * 0.3
                    for combo, key in combos:
                        suppressed = bool(combo) and rng.random() < 0.03
                        yield Observation(
                            indicator=indicator,
                            period=year,
                            area=area,
                            disaggregation=combo,
                            disaggregation_key=key,
                            value=None if suppressed else round(level * rng.uniform(0.8, 1.2), 1),
                            status=Observation.Status.SUPPRESSED
                            if suppressed
                            else Observation.Status.NORMAL,
                        )

        for batch in _batched(rows()):
            Observation.objects.bulk_create(batch)
            report.observations += len(batch)
            advance(len(batch))
        report.indicators += 1
