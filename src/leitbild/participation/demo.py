"""Demo data: Münster's 2023–2025 revision with its complete published agenda.

The process, its phases and its 15 events come from the city's web page (seed 002),
see ``demo/process-2023-2025.json``. The draft 2025 edition starts as a copy of 2019.
The prioritisation poll's ballots, the registrations for the past events and the few
contributions are SYNTHETIC examples, marked as such in their texts and names and made
with example.org addresses; they exist so that statistics and charts show something.
"""

import datetime as dt
import json
import random
from pathlib import Path
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from leitbild.actors.models import Organisation
from leitbild.concept.models import District, Edition
from leitbild.concept.services import edition_create_draft

from .models import (
    Contribution,
    Event,
    Phase,
    Poll,
    PollBallot,
    Process,
    Registration,
    StakeholderGroup,
    TargetGroup,
)
from .services import amendment_accept, contribution_dispose

DEMO_FILE = Path(__file__).resolve().parent / "demo" / "process-2023-2025.json"
BERLIN = ZoneInfo("Europe/Berlin")
SYNTHETIC_EVENT = "Informationsabend zur Umsetzung des Leitbildes (synthetisches Beispiel)"

SYNTHETIC_CONTRIBUTIONS = [
    # (field number, goal slug, kind, author, body, proposed wording)
    (
        "6.6",
        "leitziel-1",
        Contribution.Kind.COMMENT,
        "Beispiel (synthetisch)",
        "[Synthetisches Beispiel] Die Anerkennung ausländischer Abschlüsse dauert zu lange; "
        "das Ziel sollte die Beratung dazu ausdrücklich nennen.",
        "",
    ),
    (
        "6.3",
        "leitziel-1",
        Contribution.Kind.COMMENT,
        "",
        "[Synthetisches Beispiel] Die Wahlbeteiligung bei der Integrationsratswahl sollte als "
        "Kennzahl beobachtet werden.",
        "",
    ),
    (
        "6.6",
        "leitziel-1",
        Contribution.Kind.AMENDMENT,
        "Beispiel (synthetisch)",
        "[Synthetisches Beispiel] Vorschlag: die Anerkennung ausländischer Abschlüsse im "
        "Leitziel ausdrücklich nennen.",
        "Wir erkennen die Kompetenzen, Leistungen und im Ausland erworbenen Abschlüsse von "
        "Menschen mit Migrationsvorgeschichte an. Wir fördern diese individuell und setzen uns "
        "dafür ein, dass die Rahmenbedingungen so gestaltet werden, dass ihre Fähigkeiten für "
        "die berufliche Entwicklung nutzbar gemacht werden.",
    ),
]

# How the integration centre weighed the synthetic contributions: (body prefix,
# disposition, public reason). The proposed rewording is taken up, so the draft's goal
# changes and the synopsis of the council paper has something to show.
SYNTHETIC_WEIGHING = [
    (
        "[Synthetisches Beispiel] Vorschlag:",
        "amendment",
        "[Synthetisches Beispiel] Übernommen: Die Anerkennung ausländischer Abschlüsse "
        "wird im Leitziel genannt.",
    ),
    (
        "[Synthetisches Beispiel] Die Anerkennung",
        Contribution.Disposition.TAKEN_UP,
        "[Synthetisches Beispiel] Mit dem Änderungsvorschlag zum selben Leitziel umgesetzt.",
    ),
    (
        "[Synthetisches Beispiel] Die Wahlbeteiligung",
        Contribution.Disposition.PARTLY,
        "[Synthetisches Beispiel] Die Wahlbeteiligung wird als Kennzahl im "
        "Integrationsmonitoring geführt; der Zieltext bleibt unverändert.",
    ),
]


def _at(date: str, time: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{date}T{time}").replace(tzinfo=BERLIN)


@transaction.atomic
def demo_load(*, base: Edition) -> Process:
    spec = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    draft = edition_create_draft(source=base, year=spec["draft_year"], title=spec["draft_title"])
    fields = {f.title: f for f in draft.fields.all()}
    process, _created = Process.objects.update_or_create(
        slug=spec["slug"],
        defaults={
            "title": spec["title"],
            "summary": spec["summary"],
            "contact": spec["contact"],
            "base_edition": base,
            "draft_edition": draft,
            "starts_on": dt.date.fromisoformat(spec["starts_on"]),
            "ends_on": dt.date.fromisoformat(spec["ends_on"]),
        },
    )
    for position, phase_spec in enumerate(spec["phases"], start=1):
        phase, _created = Phase.objects.update_or_create(
            process=process,
            position=position,
            defaults={
                "title": phase_spec["title"],
                "description": phase_spec["description"],
                "starts_on": dt.date.fromisoformat(phase_spec["starts_on"]),
                "ends_on": dt.date.fromisoformat(phase_spec["ends_on"]),
            },
        )
        phase.priority_fields.set([fields[t] for t in phase_spec["priority_fields"]])
        for item in phase_spec["events"]:
            event, _created = Event.objects.update_or_create(
                process=process,
                title=item["title"],
                defaults={
                    "phase": phase,
                    "kind": item["kind"],
                    "starts_at": _at(item["date"], item["start"]),
                    "ends_at": _at(item["date"], item["end"]),
                    "place_name": item.get("place_name", ""),
                    "address": item.get("address", ""),
                    "room": item.get("room", ""),
                    "capacity": item.get("capacity"),
                },
            )
            event.fields.set([fields[t] for t in item.get("fields", [])])

    # The published agenda lies in the past; one SYNTHETIC upcoming event lets visitors
    # of the demo try registering (placed four weeks after the demo is loaded).
    upcoming = (timezone.localtime() + dt.timedelta(days=28)).replace(
        hour=17, minute=0, second=0, microsecond=0
    )
    example, _created = Event.objects.update_or_create(
        process=process,
        title=SYNTHETIC_EVENT,
        defaults={
            "kind": Event.Kind.OTHER,
            "description": "Synthetisches Beispiel für die Demo: Diese Veranstaltung gibt es "
            "nicht. Sie zeigt Anmeldung, Warteliste und Kalendereintrag.",
            "starts_at": upcoming,
            "ends_at": upcoming + dt.timedelta(hours=2),
            "place_name": "Stadthaus 1",
            "address": "Klemensstraße 10, 48143 Münster",
            "room": "Beispielraum",
            "capacity": 25,
            "registration_deadline": upcoming - dt.timedelta(days=2),
        },
    )
    example.fields.set([fields[t] for t in spec["priority_fields"]])

    # A prioritisation poll like the one that chose the three fields, with synthetic votes.
    opens = _at("2023-08-24", "15:00")
    poll, _created = Poll.objects.update_or_create(
        process=process,
        slug="priorisierung",
        defaults={
            "title": "Priorisierung der Handlungsfelder",
            "question": "Verteilen Sie 10 Punkte auf die Handlungsfelder, die im neuen Leitbild "
            "zuerst bearbeitet werden sollen.",
            "points": 10,
            "max_per_option": 5,
            "opens_at": opens,
            "closes_at": _at("2030-12-31", "23:59"),
        },
    )
    options = [f for f in draft.fields.all() if not f.cross_cutting]
    poll.options.set(options)
    by_title = {f.title: f for f in options}
    weights = [
        ("Wirtschaft und Arbeit", 4),
        ("(Politische) Partizipation und zivilgesellschaftliches Engagement", 3),
        ("Interkulturelle Öffnung der öffentlichen Verwaltungen", 3),
    ]
    for n in range(1, 25):
        allocation = {}
        for offset, (title, points) in enumerate(weights):
            allocation[str(by_title[title].pk)] = points if (n + offset) % 4 else points - 1
        spare = 10 - sum(allocation.values())
        if spare:
            extra = options[n % len(options)]
            allocation[str(extra.pk)] = allocation.get(str(extra.pk), 0) + spare
        PollBallot.objects.update_or_create(
            poll=poll,
            email=f"synthetisch-{n}@example.org",
            defaults={"allocation": allocation, "confirmed_at": opens},
        )

    goals = {(g.field.number, g.slug): g for g in draft.goals.select_related("field")}
    for number, slug, kind, author, body, proposed in SYNTHETIC_CONTRIBUTIONS:
        goal = goals[(number, slug)]
        Contribution.objects.get_or_create(
            process=process,
            body=body,
            defaults={
                "kind": kind,
                "goal": goal,
                "field": goal.field,
                "author_name": author,
                "proposed_text": proposed,
                "email": "synthetisch@example.org",
                "status": Contribution.Status.PUBLISHED,
                "created_at": opens,
                "confirmed_at": opens,
            },
        )
    _synthetic_weighing(process)
    _synthetic_registrations(process)
    return process


def _synthetic_weighing(process: Process) -> None:
    for prefix, disposition, reason in SYNTHETIC_WEIGHING:
        contribution = process.contributions.filter(body__startswith=prefix).first()
        if contribution is None or contribution.disposition:
            continue  # loaded before: already weighed
        if disposition == "amendment":
            amendment_accept(contribution=contribution, user=None, reason=reason)
        else:
            contribution_dispose(
                contribution=contribution, user=None, disposition=disposition, reason=reason
            )


def _synthetic_registrations(process: Process) -> None:
    """A pool of 90 synthetic people, each registered for a few of the past events."""
    if Registration.objects.filter(event__process=process).exists():
        return
    rng = random.Random(2023)
    groups = list(StakeholderGroup.values)
    weights = [14, 4, 6, 12, 10, 5, 10, 5, 2, 12, 16, 4]
    organisations = list(Organisation.objects.filter(city=process.base_edition.city))
    districts = list(District.objects.filter(city=process.base_edition.city))
    people = []
    for n in range(1, 91):
        group = rng.choices(groups, weights)[0]
        people.append(
            {
                "name": f"Synthetische Person {n}",
                "email": f"teilnahme-{n}@example.org",
                "stakeholder_group": group,
                "organisation": rng.choice(organisations) if group != "resident" else None,
                "district": rng.choice(districts) if districts and rng.random() < 0.8 else None,
                "target_groups": rng.sample(list(TargetGroup.values), rng.choice([0, 0, 1, 1, 2])),
            }
        )
    rows = []
    for event in process.events.exclude(title=SYNTHETIC_EVENT).order_by("starts_at"):
        for person in rng.sample(people, rng.randint(12, 30)):
            rows.append(
                Registration(
                    event=event,
                    consent_at=event.starts_at - dt.timedelta(days=7),
                    created_at=event.starts_at - dt.timedelta(days=rng.randint(3, 20)),
                    status=Registration.Status.CONFIRMED,
                    attended=rng.random() < 0.85,
                    **person,
                )
            )
    Registration.objects.bulk_create(rows)
