"""Demo monitoring data for Münster: the 45 statistical districts with a schematic tile
layout, and SYNTHETIC observations 2010–2024 for the indicators the concept implies.

Only the integration council turnout of 2010 and 2014 is real (the implementation demo
loads it); every other number here is generated, and the indicators' source says
"Synthetische Demodaten".

The district shares of residents with migration background for 2017 come through the
register pipeline: a synthetic register of 309,429 residents calibrated to Münster 2017
(:mod:`.derivation.synth`) is validated, derived, aggregated, disclosure-checked and
published exactly as an uploaded extract would be (:func:`.services.register_results_publish`).
The other years are a synthetic trend from those 2017 figures. Naturalisations by
district (2022–2024) are disclosure-checked counts, so some districts' values are hidden
(``naturalisations_by_district_csv``).
"""

import json
import random
from pathlib import Path

from django.db import transaction

from leitbild.concept.models import District, Edition

from .derivation import register, synth
from .models import Indicator
from .services import REGISTER_INDICATORS, observations_import, register_results_publish

DEMO_DIR = Path(__file__).resolve().parent / "demo"
SYNTHETIC = "Synthetische Demodaten (nicht amtlich)"
# Stadtteil codes begin with the statistical area: 1–4 Mitte, 5 West, 6 Nord, 7 Ost,
# 8 Südost, 9 Hiltrup.
BOROUGH_BY_DIGIT = {
    "1": "Mitte",
    "2": "Mitte",
    "3": "Mitte",
    "4": "Mitte",
    "5": "West",
    "6": "Nord",
    "7": "Ost",
    "8": "Südost",
    "9": "Hiltrup",
}
YEARS = range(2010, 2025)

INDICATORS = [
    {
        "code": "anteil-migrationshintergrund",
        "name": "Anteil der Einwohnerinnen und Einwohner mit Migrationshintergrund",
        "definition": "Personen mit Migrationshintergrund (Definition des Leitbildes, "
        "Melderegister) je 100 Einwohnerinnen und Einwohner.",
        "numerator": "Einwohnerinnen und Einwohner mit Migrationshintergrund",
        "denominator": "Einwohnerinnen und Einwohner",
        "unit": "%",
        "disaggregations": ["gruppe"],
        "goals": [("6.1", "leitziel-4")],
        "position": 1,
    },
    {
        "code": "verwaltung-migrationsvorgeschichte",
        "name": "Beschäftigte der Stadtverwaltung mit Migrationsvorgeschichte",
        "definition": "Anteil der Beschäftigten mit Migrationsvorgeschichte an allen "
        "Beschäftigten der Stadtverwaltung, nach Laufbahngruppe.",
        "unit": "%",
        "disaggregations": ["laufbahn"],
        "target_value": 20,
        "target_year": 2030,
        "goals": [("6.11", "leitziel-2")],
        "position": 2,
    },
    {
        "code": "einbuergerungen",
        "name": "Einbürgerungen je Jahr",
        "unit": "Personen",
        "goals": [("6.3", "leitziel-1")],
        "target_value": 1200,
        "target_year": 2028,
        "position": 4,
    },
    {
        "code": "abitur-nach-migrationshintergrund",
        "name": "Schulabschlüsse mit allgemeiner Hochschulreife",
        "definition": "Anteil der Schulabgängerinnen und Schulabgänger mit allgemeiner "
        "Hochschulreife, nach Migrationshintergrund.",
        "unit": "%",
        "disaggregations": ["migrationshintergrund"],
        "goals": [("6.4", "leitziel-1")],
        "position": 5,
    },
    {
        "code": "arbeitslosenquote-nach-staatsangehoerigkeit",
        "name": "Arbeitslosenquote nach Staatsangehörigkeit",
        "unit": "%",
        "direction": Indicator.Direction.DECREASE,
        "disaggregations": ["staatsangehoerigkeit"],
        "goals": [("6.6", "leitziel-1")],
        "target_value": 6,
        "target_year": 2030,
        "position": 6,
    },
]


def districts_load(city) -> int:
    """The 45 Stadtteile under their boroughs, with the schematic tile positions."""
    boroughs = {d.name: d for d in District.objects.filter(city=city, level="borough")}
    entries = json.loads((DEMO_DIR / "districts-muenster.json").read_text(encoding="utf-8"))
    for entry in entries:
        District.objects.update_or_create(
            city=city,
            level=District.Level.DISTRICT,
            number=entry["code"],
            defaults={
                "name": entry["name"],
                "parent": boroughs.get(BOROUGH_BY_DIGIT[entry["code"][0]]),
                "tile_row": entry["row"],
                "tile_col": entry["col"],
            },
        )
    return len(entries)


REGISTER_YEAR = 2017


def register_demo(city, districts: list[str]) -> dict[tuple[str, str], float]:
    """Run the synthetic 2017 register through the pipeline into the monitoring; return
    the published shares by (area, group), hidden ones left out."""
    frame = synth.synthesize(districts=districts, year=REGISTER_YEAR)
    result = register.run(frame, year=REGISTER_YEAR)
    register_results_publish(
        city=city,
        aggregates=result.aggregates,
        year=REGISTER_YEAR,
        definition="muenster",
        source=SYNTHETIC,
    )
    code = REGISTER_INDICATORS["muenster"]["code"]
    indicator = Indicator.objects.get(city=city, code=code)
    published = indicator.observations.filter(period=REGISTER_YEAR, value__isnull=False)
    return {
        (o.area.number if o.area.level != "city" else "", o.disaggregation.get("gruppe", "")): (
            o.value
        )
        for o in published.select_related("area")
    }


def _rows(rng: random.Random, base: dict[tuple[str, str], float]) -> list[str]:
    lines = [
        "indicator,period,area,gruppe,laufbahn,migrationshintergrund,staatsangehoerigkeit,value"
    ]

    def add(code, year, area, value, laufbahn="", mig="", nat="", gruppe=""):
        lines.append(f"{code},{year},{area},{gruppe},{laufbahn},{mig},{nat},{value:.1f}")

    for year in YEARS:
        # Before and after the register year: a steady rise of about 0.45 points a year,
        # shared by the components in proportion.
        if year != REGISTER_YEAR:
            for (area, gruppe), value in base.items():
                total = base.get((area, ""))
                if total is None:
                    continue
                moved = total + (year - REGISTER_YEAR) * 0.45 + rng.uniform(-0.6, 0.6)
                add(
                    "anteil-migrationshintergrund", year, area, value * moved / total, gruppe=gruppe
                )
        for lauf, start in (("einfach", 14), ("mittel", 9), ("gehoben", 6), ("hoeher", 3)):
            add("verwaltung-migrationsvorgeschichte", year, "", start + (year - 2010) * 0.4, lauf)
        add("verwaltung-migrationsvorgeschichte", year, "", 7.5 + (year - 2010) * 0.42)
        naturalisations = 620 + (year - 2010) * 28 + rng.uniform(-40, 40)
        add("einbuergerungen", year, "", round(naturalisations))
        for mig, start in (("ja", 24), ("nein", 46)):
            add("abitur-nach-migrationshintergrund", year, "", start + (year - 2010) * 0.5, mig=mig)
        for nat, start in (("deutsch", 5.1), ("nichtdeutsch", 15.8)):
            rate = start - (year - 2010) * (0.08 if nat == "deutsch" else 0.3)
            add("arbeitslosenquote-nach-staatsangehoerigkeit", year, "", rate, nat=nat)
        add("arbeitslosenquote-nach-staatsangehoerigkeit", year, "", 6.4 - (year - 2010) * 0.1)
    return lines


NATURALISATION_DISTRICT_YEARS = (2022, 2023, 2024)


def naturalisations_by_district_csv(city, base: dict[tuple[str, str], float]) -> bytes:
    """SYNTHETIC naturalisations by district for recent years: the city's number of each
    year shared out in proportion to the square of a district's 2017 share with migration
    background (they cluster where many foreigners live), then disclosure-checked like
    the register table — counts below 3 hidden, and what would reveal them from the city
    total. So the demo's district tables have hidden cells, as real ones do."""
    from .derivation import disclosure

    rng = random.Random(2025)
    shares = {area: value for (area, group), value in base.items() if area and not group}
    totals = dict(
        Indicator.objects.get(city=city, code="einbuergerungen")
        .observations.filter(area__level=District.Level.CITY, disaggregation_key="")
        .values_list("period", "value")
    )
    lines = ["indicator,period,area,value,status"]
    for year in NATURALISATION_DISTRICT_YEARS:
        if year not in totals:
            continue
        weights = {area: share**2 * rng.uniform(0.8, 1.2) for area, share in shares.items()}
        exact = {area: totals[year] * w / sum(weights.values()) for area, w in weights.items()}
        counts = {area: int(value) for area, value in exact.items()}
        # Largest remainders, so the districts add up to the city's number.
        short = round(totals[year]) - sum(counts.values())
        for area in sorted(exact, key=lambda a: exact[a] - counts[a], reverse=True)[:short]:
            counts[area] += 1
        table = disclosure.with_margins({(area, "n"): n for area, n in counts.items()})
        hidden = disclosure.suppress(table, threshold=3)
        for area, n in sorted(counts.items()):
            if (area, "n") in hidden:
                lines.append(f"einbuergerungen,{year},{area},,suppressed")
            else:
                lines.append(f"einbuergerungen,{year},{area},{n},normal")
    return ("\n".join(lines) + "\n").encode()


@transaction.atomic
def demo_load(*, edition: Edition) -> int:
    city = edition.city
    districts_load(city)
    goals = {(g.field.number, g.slug): g for g in edition.goals.select_related("field")}
    for spec in INDICATORS:
        spec = dict(spec)
        goal_keys = spec.pop("goals")
        indicator, _created = Indicator.objects.update_or_create(
            city=city, code=spec.pop("code"), defaults={**spec, "source": SYNTHETIC}
        )
        indicator.goals.set([goals[k] for k in goal_keys if k in goals])
    codes = [d["code"] for d in json.loads((DEMO_DIR / "districts-muenster.json").read_text())]
    base = register_demo(city, codes)
    lines = _rows(random.Random(2024), base)
    report = observations_import(
        city=city, data=("\n".join(lines) + "\n").encode(), filename="demo-synthetisch.csv"
    )
    by_district = observations_import(
        city=city,
        data=naturalisations_by_district_csv(city, base),
        filename="demo-einbuergerungen-stadtteile.csv",
    )
    return sum(r.created + r.updated + r.unchanged for r in (report, by_district))
