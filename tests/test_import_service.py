"""Importing into the database: counts, idempotency, atomicity, lineage, commands."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from leitbild.concept.models import Chapter, Edition, FieldOfAction, Footnote, Goal
from leitbild.concept.services import edition_import_text, edition_link_lineage
from leitbild.concept.textimport import DocumentError

from .conftest import FIXTURES, SEED_2019

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        Edition.objects.count(),
        Chapter.objects.count(),
        FieldOfAction.objects.count(),
        Goal.objects.count(),
        Footnote.objects.count(),
    )


def test_imported_2019_edition(demo):
    edition = demo[2019]
    assert (edition.number, edition.status, edition.council_paper) == (3, "adopted", "V/0203/2019")
    assert str(edition.valid_until) == "2024-04-03"
    cross = edition.fields.get(cross_cutting=True)
    assert cross.number == "6.1" and cross.goals.count() == 8
    others = edition.fields.filter(cross_cutting=False)
    assert sorted(f.number for f in others) == sorted(f"6.{n}" for n in range(2, 12))
    assert Goal.objects.filter(field__in=others, kind="guiding").count() == 31
    f62 = edition.fields.get(number="6.2")
    assert f62.goals.sub().top_level().count() == 5
    assert f62.goals.sub().filter(parent__isnull=False).count() == 3
    split = f62.goals.get(slug="teilziel-4")
    assert split.text.endswith("Wohnen).") and not split.footnotes.exists()
    note = Footnote.objects.get(edition=edition, number=6)
    assert note.goal.slug == "teilziel-2-1" and "Runden Tisch" in note.goal.text
    assert note.goal.text[: note.offset].endswith("Bleiberecht“")
    assert note.goal.get_absolute_url() == "/leitbild/2019/6-2/teilziel-2-1/"
    assert edition.glossary.filter(term="Menschen mit Migrationsvorgeschichte").exists()


def test_partial_2014_edition(demo):
    edition = demo[2014]
    assert edition.is_partial and edition.status == "archived"
    cross = edition.fields.get()
    assert cross.cross_cutting and cross.slug == "querschnitt" and cross.goals.count() == 7


def test_reimport_updates_in_place(demo):
    goal = Goal.objects.get(edition=demo[2019], field__slug="6-2", slug="teilziel-4")
    before = snapshot()
    data = SEED_2019.read_bytes().replace(b"-zeiten in der Ausl", b"-zeiten in der neuen Ausl")
    result = edition_import_text(data=data, source_name="x", city_name="Münster", year=2019)
    assert not result.created
    assert snapshot() == before
    changed = Goal.objects.get(edition=demo[2019], field__slug="6-2", slug="teilziel-3")
    assert "neuen Ausländerbehörde" in changed.text
    goal.refresh_from_db()  # same row, same permalink
    assert goal.get_absolute_url() == "/leitbild/2019/6-2/teilziel-4/"
    # lineage survives re-import
    assert Goal.objects.get(edition=demo[2019], field__slug="6-1", slug="leitziel-1").predecessor


def test_bad_input_writes_nothing(demo):
    before = snapshot()
    original = Goal.objects.get(edition=demo[2019], field__slug="6-2", slug="teilziel-4").text
    broken = SEED_2019.read_bytes().replace(b"6.7 Wohnen", b"6.8 Wohnen")
    with pytest.raises(DocumentError) as info:
        edition_import_text(data=broken, source_name="broken.txt", city_name="Münster", year=2019)
    assert "broken.txt:" in str(info.value) and "6.8 is out of sequence" in str(info.value)
    assert snapshot() == before
    assert (
        Goal.objects.get(edition=demo[2019], field__slug="6-2", slug="teilziel-4").text == original
    )
    with pytest.raises(DocumentError):
        edition_import_text(data=broken, source_name="broken.txt", city_name="Neustadt", year=2030)
    assert snapshot() == before
    assert not Edition.objects.filter(year=2030).exists()


def test_import_command_reports_line_and_exits_nonzero(demo):
    with pytest.raises(CommandError) as info:
        call_command(
            "import_text", str(FIXTURES / "bad-sequence.txt"), city="Musterstadt", edition=2020
        )
    assert "bad-sequence.txt:9:" in str(info.value) and "nothing was written" in str(info.value)
    out = StringIO()
    call_command(
        "import_text",
        str(FIXTURES / "other-city.txt"),
        city="Musterstadt",
        edition=2019,
        stdout=out,
    )
    assert "Created musterstadt/2019" in out.getvalue().replace("Musterstadt/", "musterstadt/")
    other = Edition.objects.get(city__name="Musterstadt")
    assert other.slug == "musterstadt-2019"  # 2019 is Münster's already
    with pytest.raises(CommandError, match="ambiguous"):
        call_command("export_edition", "2019")
    out = StringIO()
    call_command("export_edition", "musterstadt/2019", stdout=out)
    assert json.loads(out.getvalue())["edition"]["city"] == "Musterstadt"


def test_compare_command_json(demo):
    out = StringIO()
    call_command("compare_editions", "2014", "2019", format="json", stdout=out)
    rows = json.loads(out.getvalue())
    assert {tuple(sorted(r)) for r in rows} == {("new", "old", "status")}
    by_old = {r["old"]: r for r in rows if r["old"]}
    q = "/leitbild/2014/querschnitt/"
    assert by_old[q + "leitziel-2/"] == {
        "status": "reworded",
        "old": q + "leitziel-2/",
        "new": "/leitbild/2019/6-1/leitziel-1/",
    }  # Stigmatisierung
    assert by_old[q + "leitziel-5/"]["new"] == "/leitbild/2019/6-1/leitziel-3/"  # Ehrenamt
    assert by_old[q + "leitziel-6/"]["new"] == "/leitbild/2019/6-1/leitziel-4/"  # Stadtteile
    assert by_old[q + "leitziel-4/"] == {"status": "removed", "old": q + "leitziel-4/", "new": None}
    by_new = {r["new"]: r for r in rows if r["new"]}
    disabilities = Goal.objects.get(edition=demo[2019], text__contains="Menschen mit Behinderung,")
    assert by_new[disabilities.permalink]["status"] == "new"
    assert len(rows) == 159 + 4


def test_relinking_keeps_manual_corrections(demo):
    from leitbild.concept.services import goal_set_predecessor

    goal = Goal.objects.get(edition=demo[2019], field__slug="6-1", slug="leitziel-2")
    gender = Goal.objects.get(edition=demo[2014], slug="leitziel-3")
    goal_set_predecessor(goal=goal, predecessor=gender)
    edition_link_lineage(old=demo[2014], new=demo[2019])
    goal.refresh_from_db()
    assert goal.predecessor == gender and goal.lineage == "manual"
    with pytest.raises(ValueError, match="earlier edition"):
        goal_set_predecessor(goal=gender, predecessor=goal)
