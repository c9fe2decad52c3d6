"""Demo data: Münster's 2014 (partial) and 2019 editions, from the shipped texts.

The texts are © Stadt Münster (see ``demo/README.md``); nothing here is synthetic.
"""

import datetime as dt
import json
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from .models import District, Edition, GlossaryEntry
from .services import ImportResult, edition_import_text

DEMO_DIR = Path(__file__).resolve().parent / "demo"
CITY = "Münster"
# Münster's six boroughs (Stadtbezirke), in the city's official order.
BOROUGHS = ["Mitte", "Nord", "Ost", "West", "Südost", "Hiltrup"]


@transaction.atomic
def demo_load() -> list[ImportResult]:
    results = [
        edition_import_text(
            data=(DEMO_DIR / "muenster-2014-uebergeordnete-leitziele.txt").read_bytes(),
            source_name="muenster-2014-uebergeordnete-leitziele.txt",
            city_name=CITY,
            year=2014,
            title="Leitbild Migration und Integration Münster",
            number=2,
            status=Edition.Status.ARCHIVED,
            council_paper="V/0193/2014",
            valid_until=dt.date(2019, 4, 3),
        ),
        edition_import_text(
            data=(DEMO_DIR / "muenster-2019.txt").read_bytes(),
            source_name="muenster-2019.txt",
            city_name=CITY,
            year=2019,
            title="Leitbild Migration und Integration Münster",
            status=Edition.Status.ADOPTED,
            adopted_on=dt.date(2019, 4, 3),
            council_paper="V/0203/2019",
        ),
    ]
    edition = results[1].edition
    entries = json.loads((DEMO_DIR / "glossary-2019.json").read_text(encoding="utf-8"))
    chapters = {c.number: c for c in edition.chapters.all() if c.number}
    for position, entry in enumerate(entries, start=1):
        GlossaryEntry.objects.update_or_create(
            edition=edition,
            slug=slugify(entry["term"].replace("ß", "ss")),
            defaults={
                "term": entry["term"],
                "definition": entry["definition"],
                "position": position,
                "chapter": chapters.get(entry.get("chapter")),
            },
        )
    for number, name in enumerate(BOROUGHS, start=1):
        District.objects.update_or_create(
            city=edition.city,
            level=District.Level.BOROUGH,
            name=name,
            defaults={"number": str(number)},
        )
    return results
