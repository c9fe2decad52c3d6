"""Demo data: Münster's 2014 (partial) and 2019 editions, from the shipped texts.

The texts are © Stadt Münster (see ``demo/README.md``). The first edition of 2008 is
recorded without text, from what the council papers say of it. Synthetic, and marked so
in their file: the translations of field of action 6.2 (``demo/translations-2019.json``).
"""

import datetime as dt
import json
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from leitbild.core.models import Translation, source_digest
from leitbild.core.services import translation_save

from .models import District, Edition, GlossaryEntry
from .services import ImportResult, edition_import_text, edition_record

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
    # Known from Annex A of V/0056/2025 (seed 004: adopted 2008 by V/0026/2008) and the
    # 2019 edition (seed 003: the first one, "Leitbild „Migration und Integration
    # Münster“", created in 2008). Neither gives the day of adoption or the end of
    # validity, so both stay empty.
    edition_record(
        city_name=CITY,
        year=2008,
        title="Leitbild Migration und Integration Münster",
        number=1,
        status=Edition.Status.ARCHIVED,
        council_paper="V/0026/2008",
        source_name="Vorlage V/0056/2025, Anlage A",
    )
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
    translations_load(edition=edition)
    for number, name in enumerate(BOROUGHS, start=1):
        District.objects.update_or_create(
            city=edition.city,
            level=District.Level.BOROUGH,
            name=name,
            defaults={"number": str(number)},
        )
    return results


def translations_load(*, edition: Edition) -> int:
    """The synthetic demo translations, through the same workflow as staff use: a
    published one is saved as reviewed first, then published."""
    data = json.loads((DEMO_DIR / "translations-2019.json").read_text(encoding="utf-8"))
    fields = {f.slug: f for f in edition.fields.all()}
    steps = {
        Translation.Status.DRAFT: [Translation.Status.DRAFT],
        Translation.Status.REVIEWED: [Translation.Status.REVIEWED],
        Translation.Status.PUBLISHED: [Translation.Status.REVIEWED, Translation.Status.PUBLISHED],
    }
    for entry in data["translations"]:
        field = fields[entry["field_of_action"]]
        obj = field.goals.get(slug=entry["goal"]) if "goal" in entry else field
        for status in steps[entry["status"]]:
            translation = translation_save(
                obj=obj,
                field=entry["attribute"],
                language=entry["language"],
                text=entry["text"],
                status=status,
            )
        if "translated_from" in entry:
            # The example of a source that changed after translation: the translation
            # was made from an earlier wording, which is what its digest records.
            Translation.objects.filter(pk=translation.pk).update(
                source_digest=source_digest(entry["translated_from"])
            )
    return len(data["translations"])
