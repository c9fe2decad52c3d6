"""Demo data: the institutions that took part in the 2019 revision (seed 003, chapter 7).

Names are as the 2019 edition lists them (© Stadt Münster). Categories and fields of
action are the project's own editorial assignment, made from the names alone; staff
correct them in the admin.
"""

import json
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from leitbild.concept.models import Edition

from .models import Organisation

DEMO_FILE = Path(__file__).resolve().parent / "demo" / "organisations-2019.json"


@transaction.atomic
def demo_load(*, edition: Edition) -> int:
    entries = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    fields = {f.number: f for f in edition.fields.all()}
    used = set(Organisation.objects.filter(city=edition.city).values_list("slug", flat=True))
    for entry in entries:
        organisation = Organisation.objects.filter(city=edition.city, name=entry["name"]).first()
        if organisation is None:
            base = slugify(entry["name"].replace("ß", "ss"))[:100] or "organisation"
            slug, n = base, 2
            while slug in used:
                slug, n = f"{base}-{n}", n + 1
            used.add(slug)
            organisation = Organisation(city=edition.city, name=entry["name"], slug=slug)
        organisation.category = entry["category"]
        organisation.save()
        organisation.fields.set([fields[number] for number in entry["fields"]])
    return len(entries)
