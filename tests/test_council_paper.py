"""The council paper package of the demo revision: PDF, DOCX and OParl 1.1 JSON (valid
against the schema in ../shared/data/oparl-1.1/), the staff form, and who may open it."""

import copy
import io
import json
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.core.management import CommandError, call_command

from leitbild.participation.models import Contribution
from leitbild.publishing.models import CouncilPaper

OPARL = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "oparl-1.1"
SLUG = "fortschreibung-2023-2025"
AMENDED = "im Ausland erworbenen Abschlüsse"  # the demo's accepted rewording adds this


def squash(text: str) -> str:
    text = re.sub(r"[-\u2010\u00ad]\s*\n\s*(?=[a-zäöüß])", "", text)
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def package_files(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo package in all three formats, made by ``leitbild export-council-paper``."""
    folder = tmp_path_factory.mktemp("council")
    files = {}
    with django_db_blocker.unblock():
        for fmt, name in (("pdf", "paper.pdf"), ("docx", "paper.docx"), ("oparl", "paper.json")):
            files[fmt] = folder / name
            call_command(
                "export_council_paper",
                "--format",
                fmt,
                "--out",
                str(files[fmt]),
                "--base-url",
                "https://leitbild.example.org",
                stdout=io.StringIO(),
                stderr=io.StringIO(),
            )
    return files


# OParl 1.1 schema --------------------------------------------------------------------------


def oparl_validator(name: str):
    """A validator for the OParl 1.1 schema ``name``.

    The published schema names embedded objects with its own keyword (``"schema":
    "File.json"``) and uses the format ``url``; both are mapped to what JSON Schema
    validators understand (``$ref`` and a format check) without loosening anything.
    """
    from jsonschema import Draft4Validator, FormatChecker
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    schemas = {}
    for path in OPARL.glob("*.json"):
        raw = json.loads(path.read_text(encoding="utf-8"))

        def fix_refs(node, raw=raw):
            if isinstance(node, dict):
                if "schema" in node and isinstance(node["schema"], str):
                    target = node["schema"]
                    rest = {k: fix_refs(v) for k, v in node.items() if k not in {"schema", "type"}}
                    return {**rest, "$ref": target}
                return {k: fix_refs(v) for k, v in node.items()}
            if isinstance(node, list):
                return [fix_refs(v) for v in node]
            return node

        schemas[path.name] = fix_refs(copy.deepcopy(raw))
    registry = Registry().with_resources(
        (name_, Resource(contents=schema, specification=DRAFT4))
        for name_, schema in schemas.items()
    )
    checker = FormatChecker()

    @checker.checks("url")
    def is_url(value):
        parts = urlparse(value)
        return parts.scheme in {"http", "https"} and bool(parts.netloc)

    return Draft4Validator(schemas[f"{name}.json"], registry=registry, format_checker=checker)


def test_oparl_json_validates_against_the_oparl_schema(package_files):
    document = json.loads(package_files["oparl"].read_text(encoding="utf-8"))
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in oparl_validator("Paper").iter_errors(document)
    ]
    assert errors == []
    assert document["type"] == "https://schema.oparl.org/1.1/Paper"
    assert document["reference"] == "V/0056/2025"
    main = document["mainFile"]
    assert main["mimeType"] == "application/pdf"
    assert main["accessUrl"].startswith("https://leitbild.example.org/")
    assert [f["fileName"] for f in document["auxiliaryFile"]] == [f"ratsvorlage-{SLUG}.docx"]


def test_the_validator_rejects_a_broken_paper(package_files):
    """The schema check can fail: a File without accessUrl and a bad type are caught."""
    document = json.loads(package_files["oparl"].read_text(encoding="utf-8"))
    del document["mainFile"]["accessUrl"]
    document["type"] = "https://schema.oparl.org/1.0/Paper"
    document["auxiliaryFile"][0]["accessUrl"] = "not a url"
    messages = [e.message for e in oparl_validator("Paper").iter_errors(document)]
    assert any("accessUrl" in m and "required" in m for m in messages), messages
    assert any("does not match" in m for m in messages), messages
    assert any("is not a 'url'" in m for m in messages), messages


# PDF ---------------------------------------------------------------------------------------


def test_the_pdf_package_has_every_part_with_the_right_pages(package_files):
    from pypdf import PdfReader

    pages = [squash(p.extract_text() or "") for p in PdfReader(package_files["pdf"]).pages]
    text = " ".join(pages)
    assert "Anlage A zur V/0056/2025" in text
    for heading in (
        "Kurzüberblick",
        "Ziele, Teilziele und Messung der Zielerreichung",
        "Finanzierung",
        "Pflichtigkeitsgrad",
        "Querschnittsthemen",
    ):
        assert heading in text, heading
    assert "0116" in text and "Migration und Integration" in text
    assert AMENDED in text  # the synopsis shows the accepted rewording
    assert "Mit dem Änderungsvorschlag zum selben Leitziel umgesetzt" in text  # part D
    assert "Priorisierung der Handlungsfelder" in text  # part C: the poll
    # The contents on the first page name the page each part starts on.
    contents = re.findall(r"([A-D])\. [^.]+?\.{3,}\s*(\d+)", pages[0])
    assert [letter for letter, _page in contents] == ["A", "B", "C", "D"], pages[0]
    starts = {"A": "A. Anlage", "B": "B. Synopse", "C": "C. Bericht", "D": "D. Abwägung"}
    for letter, page in contents:
        first = next(n + 1 for n in range(1, len(pages)) if pages[n].find(starts[letter]) >= 0)
        assert int(page) == first, (letter, page, first)


# DOCX --------------------------------------------------------------------------------------


def test_the_docx_package_is_editable_with_marked_changes(package_files, db):
    import docx

    document = docx.Document(str(package_files["docx"]))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading 1")]
    assert [h[:2] for h in headings] == ["A.", "B.", "C.", "D."], headings
    runs = [
        run
        for table in document.tables
        for row in table.rows
        for cell in row.cells
        for paragraph in cell.paragraphs
        for run in paragraph.runs
    ]
    inserted = "".join(r.text for r in runs if r.underline)
    deleted = "".join(r.text for r in runs if r.font.strike)
    assert "erworbenen" in inserted
    assert deleted.strip()
    # Part D has a row per contribution (after its header row).
    consideration = document.tables[-1]
    assert (
        len(consideration.rows) - 1
        == Contribution.objects.filter(process__slug=SLUG)
        .exclude(status=Contribution.Status.PENDING)
        .count()
    )
    assert document.core_properties.language == "de-DE"


# Command -----------------------------------------------------------------------------------


def test_the_command_names_what_is_wrong(db, tmp_path, process):
    out = tmp_path / "x.pdf"
    with pytest.raises(CommandError, match="No process 'nope'"):
        call_command("export_council_paper", "--process", "nope", "--out", str(out))
    process.draft_edition = None
    process.save(update_fields=["draft_edition"])
    with pytest.raises(CommandError, match="produced no new edition"):
        call_command("export_council_paper", "--process", SLUG, "--out", str(out))
    with pytest.raises(CommandError, match="No process has produced a new edition"):
        call_command("export_council_paper", "--out", str(out))
    assert not out.exists()


# Web ---------------------------------------------------------------------------------------


@pytest.fixture
def clerk(db, django_user_model):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("clerk", password="pw-clerk-123", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_councilpaper", "change_councilpaper"])
    )
    return user


def test_staff_fill_in_the_annex_and_release_the_package(client, clerk, process):
    url = f"/beteiligung/{SLUG}/ratsvorlage/"
    client.force_login(clerk)
    page = client.get(url)
    assert page.status_code == 200
    assert "V/0056/2025" in page.content.decode()
    form = {
        "reference": "V/0999/2025",
        "title": "Fortschreibung des Migrationsleitbildes",
        "date": "2025-03-01",
        "overview": "Kurz.",
        "goals": "Ziele.",
        "orientation": "",
        "product_group": "0116",
        "product_group_name": "Migration und Integration",
        "affects_results_plan": "no",
        "affects_financial_plan": "yes",
        "budget_year": "2025",
        "in_adopted_budget": "partly",
        "in_draft_budget": "no",
        "future_burden": "no",
        "already_budgeted": "no",
        "obligation": "mainly_voluntary",
        "obligation_reason": "",
        "topics": ["inclusion", "climate"],
        "relevance": "",
        "action": "save",
    }
    response = client.post(url, form)
    assert response.status_code == 302
    paper = CouncilPaper.objects.get(process=process)
    assert (paper.reference, paper.affects_financial_plan, paper.obligation) == (
        "V/0999/2025",
        "yes",
        "mainly_voluntary",
    )
    assert paper.topics == ["inclusion", "climate"] and paper.updated_by == clerk
    html = client.get(url).content.decode()
    assert "V/0999/2025" in html

    # A wrong value is named on the form and nothing is stored.
    bad = client.post(url, {**form, "obligation": "sometimes", "reference": "V/1/2"})
    assert bad.status_code == 200 and "obligation" in bad.context["form"].errors
    assert CouncilPaper.objects.get(process=process).reference == "V/0999/2025"

    # Before release the package is staff-only; after release anyone can fetch it.
    json_url = f"/beteiligung/{SLUG}/ratsvorlage.json"
    client.logout()
    assert client.get(json_url).status_code == 302  # to the login
    client.force_login(clerk)
    client.post(url, {"action": "release"})
    client.logout()
    document = client.get(json_url).json()
    assert document["reference"] == "V/0999/2025"
    assert (
        document["mainFile"]["accessUrl"] == f"http://testserver/beteiligung/{SLUG}/ratsvorlage.pdf"
    )


def test_release_needs_a_paper_number(client, clerk, process):
    CouncilPaper.objects.filter(process=process).update(reference="")
    client.force_login(clerk)
    client.post(f"/beteiligung/{SLUG}/ratsvorlage/", {"action": "release"})
    assert CouncilPaper.objects.get(process=process).released_at is None


def test_who_may_open_and_edit_the_paper(client, django_user_model, process):
    from django.contrib.auth.models import Permission

    url = f"/beteiligung/{SLUG}/ratsvorlage/"
    assert client.get(url).status_code == 302
    plain = django_user_model.objects.create_user("plain", password="pw-plain-123")
    client.force_login(plain)
    assert client.get(url).status_code == 403
    assert client.get(f"/beteiligung/{SLUG}/ratsvorlage.docx").status_code == 403
    reader = django_user_model.objects.create_user("reader", password="pw-reader-123")
    reader.user_permissions.add(Permission.objects.get(codename="view_councilpaper"))
    client.force_login(reader)
    page = client.get(url)
    assert page.status_code == 200 and not page.context["can_edit"]
    assert client.post(url, {"action": "save", "title": "x"}).status_code == 403
    assert client.post(url, {"action": "release"}).status_code == 403
    assert CouncilPaper.objects.get(process=process).released_at is None
    docx = client.get(f"/beteiligung/{SLUG}/ratsvorlage.docx")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
