"""Demo data: the measures seed 000 reports (real: titles, periods, results, © Stadt Münster)
linked to the 2019 goals they serve, the real integration council turnout of 2010 and
2014, and action goals, measures and progress reports that are SYNTHETIC examples
(marked "Beispiel")."""

import datetime as dt

from django.db import transaction

from leitbild.actors.models import Organisation
from leitbild.concept.models import Edition
from leitbild.monitoring.models import Indicator
from leitbild.monitoring.services import observations_import

from .models import ActionGoal, Measure, ProgressReport

KI = "Kommunales Integrationszentrum Münster"
IR = "Integrationsrat der Stadt Münster"

MEASURES = [
    {
        "title": "Runder Tisch „Münster für ein humanitäres Bleiberecht“",
        "description": "Vertreterinnen und Vertreter aus vielen Bereichen der Stadtgesellschaft "
        "erarbeiten Ansätze zur Integration von Menschen ohne gesicherten Aufenthalt. Das Gremium "
        "organisiert sich selbst, entscheidet über Themen und Arbeitskreise und gibt über seine "
        "Mitglieder Ergebnisse und Impulse zurück an die Stadtgesellschaft.",
        "status": Measure.Status.RUNNING,
        "goals": [("6.2", "teilziel-2-1")],
        "lead": [],
        "partners": [],
    },
    {
        "title": "Kampagne zur Steigerung der Wahlbeteiligung bei der Integrationsratswahl 2014",
        "description": "Auf Initiative des Integrationsrates und unter Federführung der "
        "Koordinierungsstelle; vom Rat der Stadt Münster beschlossen. Die Kampagne hob die "
        "Bedeutung des Gremiums als Vertretung aller Migrantinnen und Migranten hervor.",
        "status": Measure.Status.COMPLETED,
        "ends_on": dt.date(2014, 5, 25),
        "result": "Die Wahlbeteiligung stieg von 9,4 % (2010) auf 19,8 % (2014).",
        "goals": [("6.3", "teilziel-4")],
        "lead": [KI],
        "partners": [IR],
    },
    {
        "title": "Integrationsworkshop für Entscheidungsträger in der Stadt Münster",
        "description": "Projekt „Zur Verbesserung der Aufnahme und Integration von Zuwanderern "
        "in den Kommunen“ nach dem Konzept der Bertelsmann Stiftung: Integrationsbegleitung in "
        "allen Lebensbereichen beginnt mit der Einbindung der Entscheidungsträger.",
        "status": Measure.Status.COMPLETED,
        "starts_on": dt.date(2011, 12, 1),
        "ends_on": dt.date(2012, 6, 30),
        "funding_programme": "Konzept der Bertelsmann Stiftung",
        "goals": [("6.11", "leitziel-1")],
        "lead": [KI],
        "partners": [],
    },
    {
        "title": "Konzept für eine Einbürgerungskampagne für Münster",
        "description": "Mit breiter Beteiligung der Stadtgesellschaft entwickelt; auf einem "
        "Workshop im Januar 2010 wurde konsensual festgehalten, in Zukunft eine entsprechende "
        "Kampagne durchzuführen.",
        "status": Measure.Status.COMPLETED,
        "starts_on": dt.date(2009, 6, 1),
        "ends_on": dt.date(2010, 2, 28),
        "funding_programme": "KOMM-IN NRW",
        "goals": [("6.3", "leitziel-1")],
        "lead": [KI],
        "partners": [],
    },
]


# Synthetic examples, so that the monitoring's other indicators have measures too.
MEASURES += [
    {
        "title": "(Beispiel) Mentoring-Programm „Abitur mit Zukunft“",
        "description": "Synthetisches Beispiel: Studierende begleiten Schülerinnen und Schüler "
        "mit Migrationshintergrund in der Oberstufe.",
        "status": Measure.Status.RUNNING,
        "starts_on": dt.date(2024, 8, 1),
        "funding_programme": "Beispielprogramm (synthetisch)",
        "goals": [("6.4", "leitziel-1")],
        "lead": ["Amt für Schule und Weiterbildung, Stadt Münster"],
        "partners": ["Westfälische Wilhelms-Universität Münster"],
    },
    {
        "title": "(Beispiel) Anerkennungsberatung im Jobcenter",
        "description": "Synthetisches Beispiel: Beratung zur Anerkennung ausländischer "
        "Berufsabschlüsse direkt bei der Arbeitsvermittlung.",
        "status": Measure.Status.PLANNED,
        "starts_on": dt.date(2027, 1, 1),
        "goals": [("6.6", "leitziel-1")],
        "lead": ["Jobcenter Münster"],
        "partners": ["Handwerkskammer Münster"],
    },
]


@transaction.atomic
def demo_load(*, edition: Edition) -> int:
    city = edition.city
    goals = {(g.field.number, g.slug): g for g in edition.goals.select_related("field")}
    organisations = {o.name: o for o in Organisation.objects.filter(city=city)}
    turnout, _created = Indicator.objects.update_or_create(
        city=city,
        code="integrationsrat-wahlbeteiligung",
        defaults={
            "name": "Wahlbeteiligung bei der Integrationsratswahl",
            "definition": "Anteil der Wahlberechtigten, die bei der Wahl zum Integrationsrat "
            "ihre Stimme abgegeben haben.",
            "numerator": "Wählerinnen und Wähler",
            "denominator": "Wahlberechtigte",
            "unit": "%",
            "source": "Stadt Münster: 2010 und 2014 laut Leitbild; 2020 und 2025 synthetische "
            "Demodaten",
            "frequency": Indicator.Frequency.EVERY_FIVE_YEARS,
            "target_value": 25,
            "target_year": 2030,
        },
    )
    turnout.goals.set([goals[("6.3", "teilziel-4")]])
    observations_import(
        city=city,
        data=(
            b"indicator,period,area,value,comment\n"
            b"integrationsrat-wahlbeteiligung,2010,,9.4,laut Leitbild\n"
            b"integrationsrat-wahlbeteiligung,2014,,19.8,laut Leitbild\n"
        ),
        filename="demo.csv",
    )
    measures = []
    for spec in MEASURES:
        spec = dict(spec)
        goal_keys = spec.pop("goals")
        lead, partners = spec.pop("lead"), spec.pop("partners")
        measure, _created = Measure.objects.update_or_create(title=spec.pop("title"), defaults=spec)
        measure.goals.set([goals[key] for key in goal_keys])
        measure.lead.set([organisations[n] for n in lead if n in organisations])
        measure.partners.set([organisations[n] for n in partners if n in organisations])
        measures.append(measure)
    complete, _created = ActionGoal.objects.update_or_create(
        goal=goals[("6.3", "teilziel-4")],
        text="(Beispiel) Die Wahlbeteiligung bei der Integrationsratswahl steigt bis zur Wahl "
        "2030 auf mindestens 25 %.",
        defaults={
            "baseline_value": 19.8,
            "baseline_year": 2014,
            "target_value": 25,
            "deadline": dt.date(2030, 12, 31),
        },
    )
    complete.indicators.set([turnout])
    complete.responsible.set([organisations[n] for n in (KI, IR) if n in organisations])
    measures[1].action_goals.set([complete])
    indicators = {i.code: i for i in Indicator.objects.filter(city=city)}
    examples = [
        (
            ("6.11", "leitziel-2"),
            "(Beispiel) Der Anteil der Beschäftigten mit Migrationsvorgeschichte in der "
            "Stadtverwaltung steigt bis 2030 auf 20 %, in jeder Laufbahngruppe.",
            "verwaltung-migrationsvorgeschichte",
            (7.5, 2010, 20, dt.date(2030, 12, 31)),
            ["Personal- und Organisationsamt, Stadt Münster"],
            None,
        ),
        (
            ("6.3", "leitziel-1"),
            "(Beispiel) Die Zahl der Einbürgerungen steigt bis 2028 auf 1.200 im Jahr.",
            "einbuergerungen",
            (620, 2010, 1200, dt.date(2028, 12, 31)),
            ["Rechts- und Ausländeramt, Stadt Münster", KI],
            3,
        ),
    ]
    examples += [
        (
            ("6.4", "leitziel-1"),
            "(Beispiel) Der Anteil der Schulabgängerinnen und Schulabgänger mit "
            "Migrationshintergrund und allgemeiner Hochschulreife steigt bis 2030 auf 35 %.",
            "abitur-nach-migrationshintergrund",
            (24, 2010, 35, dt.date(2030, 7, 31)),
            ["Amt für Schule und Weiterbildung, Stadt Münster"],
            4,
        ),
        (
            ("6.6", "leitziel-1"),
            "(Beispiel) Die Arbeitslosenquote von Menschen ohne deutsche Staatsangehörigkeit "
            "sinkt bis 2030 auf höchstens 9 %.",
            "arbeitslosenquote-nach-staatsangehoerigkeit",
            (15.8, 2010, 9, dt.date(2030, 12, 31)),
            ["Jobcenter Münster"],
            5,
        ),
    ]
    for goal_key, text, code, (base, base_year, target, deadline), names, measure in examples:
        if goal_key not in goals or code not in indicators:
            continue
        item, _created = ActionGoal.objects.update_or_create(
            goal=goals[goal_key],
            text=text,
            defaults={
                "baseline_value": base,
                "baseline_year": base_year,
                "target_value": target,
                "deadline": deadline,
                # A target below the baseline is a decrease (unemployment falls to 9 %).
                "direction": (
                    ActionGoal.Direction.DECREASE
                    if target < base
                    else ActionGoal.Direction.INCREASE
                ),
            },
        )
        item.indicators.set([indicators[code]])
        item.responsible.set([organisations[n] for n in names if n in organisations])
        if measure is not None:
            measures[measure].action_goals.add(item)
    ActionGoal.objects.update_or_create(
        goal=goals[("6.2", "teilziel-4")],
        text="(Beispiel) Wir verbessern die Beratung zu rechtlichen Fragen.",
        defaults={},
    )
    mentoring = next(m for m in measures if m.title.startswith("(Beispiel) Mentoring"))
    for reported_on, percent, text in REPORTS:
        ProgressReport.objects.update_or_create(
            measure=mentoring, reported_on=reported_on, defaults={"text": text, "percent": percent}
        )
    naturalisation = ActionGoal.objects.filter(text__startswith="(Beispiel) Die Zahl der Einb")
    if naturalisation := naturalisation.first():
        ProgressReport.objects.update_or_create(
            action_goal=naturalisation,
            reported_on=dt.date(2026, 3, 31),
            defaults={
                "percent": 35,
                "text": "(Beispiel, synthetisch) 2025 wurden 830 Menschen eingebürgert. Die "
                "Beratung im Bürgerbüro Mitte läuft; Termine sind acht Wochen im Voraus "
                "vergeben. Nächster Schritt: eine zweite Sprechstunde im Stadtteilbüro.",
            },
        )
    return len(measures)


# Synthetic progress reports of the mentoring example, oldest first.
REPORTS = [
    (
        dt.date(2025, 2, 28),
        15,
        "(Beispiel, synthetisch) 24 Studierende sind geschult, 31 Schülerinnen und Schüler an "
        "vier Schulen haben ein Tandem. Zwei Schulen warten noch auf die Zustimmung der "
        "Schulkonferenz.",
    ),
    (
        dt.date(2025, 9, 30),
        45,
        "(Beispiel, synthetisch) Alle sechs Schulen nehmen teil, 58 Tandems. Die Hälfte der "
        "Tandems trifft sich wöchentlich; die Abbrüche (7) hatten meist Terminprobleme als "
        "Grund. Ab dem Winter gibt es Treffen auch online.",
    ),
    (
        dt.date(2026, 6, 30),
        70,
        "(Beispiel, synthetisch) Der erste Jahrgang hat das Abitur abgelegt: 21 von 24 "
        "begleiteten Schülerinnen und Schülern bestanden. Die Auswertung mit der Universität "
        "folgt im Herbst.",
    ),
]
