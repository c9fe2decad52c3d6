"""The edition as JSON: the export command and /api/v1/ return the same document."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def walk(goals):
    for goal in goals:
        yield goal
        yield from walk(goal["children"])


def test_export_edition_json(demo):
    out = StringIO()
    call_command("export_edition", "2019", format="json", stdout=out)
    doc = json.loads(out.getvalue())
    assert doc["format"] == "leitbild-edition/1"
    assert doc["edition"]["council_paper"] == "V/0203/2019"
    fields = doc["fields"]
    assert [f["number"] for f in fields][:2] == ["6.1", "6.2"]
    assert fields[0]["cross_cutting"] is True
    goals = list(walk(fields[1]["goals"]))
    assert len(goals) == 11
    runder_tisch = next(g for g in goals if g["footnotes"])
    assert runder_tisch["permalink"] == "/leitbild/2019/6-2/teilziel-2-1/"
    assert runder_tisch["footnotes"][0]["number"] == 6
    top = fields[1]["goals"][3]
    assert top["kind"] == "sub" and len(top["children"]) == 2
    assert fields[5]["goals"][1]["group"] == "Arbeit"
    assert fields[0]["goals"][0]["predecessor"] == "/leitbild/2014/querschnitt/leitziel-2/"
    assert doc["chapters"][3]["title"] == "Präambel"


def test_api_matches_export(client, demo):
    listing = client.get("/api/v1/editions/").json()
    # 2008 (recorded without text), 2014 and 2019, and the published draft 2025 of the
    # running revision.
    assert listing["count"] == 4
    assert {e["slug"] for e in listing["items"]} == {"2008", "2014", "2019", "2025"}
    assert client.get("/api/v1/editions/", {"status": "draft"}).json()["count"] == 1
    detail = client.get("/api/v1/editions/2019/").json()
    out = StringIO()
    call_command("export_edition", "2019", stdout=out)
    assert detail == json.loads(out.getvalue())
    assert client.get("/api/v1/editions/1999/").status_code == 404
    assert client.get("/api/v1/editions/", {"status": "archived"}).json()["count"] == 2


def test_openapi_schema_describes_editions(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/editions/" in schema["paths"]
    assert "/api/v1/editions/{slug}/" in schema["paths"]
    components = schema["components"]["schemas"]
    assert {"EditionDocumentOut", "GoalOut", "FieldOut"} <= set(components)
