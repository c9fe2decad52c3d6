"""The read API under /api/v1/: every resource listed with filters and pagination and
shown one by one, 404 as JSON, links absolute, a complete OpenAPI document, and no
personal data anywhere. The participation endpoints are tested in more depth in
test_api_participation.py; schemathesis runs the whole schema in test_api_schema.py."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from leitbild.actors.models import Organisation
from leitbild.concept.models import Edition, Goal
from leitbild.implementation.models import ActionGoal, Measure, ProgressReport
from leitbild.monitoring.models import Indicator, Observation
from leitbild.participation.models import ApiToken
from leitbild.participation.services import api_token_create, contribution_submit

pytestmark = pytest.mark.django_db

PROCESS = "fortschreibung-2023-2025"
# Every list and a filter or two for each, as a client would use them.
LISTS = [
    "/api/v1/editions/",
    "/api/v1/goals/",
    "/api/v1/organisations/",
    "/api/v1/processes/",
    "/api/v1/events/",
    "/api/v1/indicators/",
    "/api/v1/observations/",
    "/api/v1/action-goals/",
    "/api/v1/measures/",
]


def get(client, url, params=None, **kwargs):
    response = client.get(url, params or {}, **kwargs)
    assert response["Content-Type"].startswith("application/json"), url
    return response


def all_items(client, url, params=None):
    body = get(client, url, {"limit": 500, **(params or {})}).json()
    assert body["count"] == len(body["items"]), "more than one page"
    return body["items"]


# Pagination -------------------------------------------------------------------------------


@pytest.mark.parametrize("url", LISTS)
def test_every_list_is_paginated(client, demo, url):
    first = get(client, url, {"limit": 1}).json()
    assert set(first) == {"items", "count"}
    assert first["count"] >= 1, "the demo data has some of everything"
    assert len(first["items"]) == 1
    if first["count"] > 1:
        second = get(client, url, {"limit": 1, "offset": 1}).json()
        assert second["count"] == first["count"]
        assert second["items"] != first["items"]
    beyond = get(client, url, {"offset": first["count"]}).json()
    assert beyond == {"items": [], "count": first["count"]}

    too_many = get(client, url, {"limit": 501})
    assert too_many.status_code == 422
    assert "limit" in too_many.json()["errors"]
    for bad in ({"limit": 0}, {"offset": -1}, {"offset": 2**40}, {"limit": "viele"}):
        response = get(client, url, bad)
        assert response.status_code == 422, bad
        assert set(response.json()["errors"]) <= {"limit", "offset"}


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/goals/",
        "/api/v1/organisations/",
        "/api/v1/indicators/",
        "/api/v1/observations/",
        "/api/v1/action-goals/",
        "/api/v1/measures/",
    ],
)
def test_lists_run_a_fixed_number_of_queries(client, demo, url):
    with CaptureQueriesContext(connection) as one:
        get(client, url, {"limit": 1})
    with CaptureQueriesContext(connection) as many:
        body = get(client, url, {"limit": 100}).json()
    assert len(body["items"]) > 1
    # One more at most: a page whose action goals name no indicator reads no series.
    assert len(many) <= len(one) + 1, [q["sql"] for q in many.captured_queries]


# Editions and goals ------------------------------------------------------------------------


def test_edition_list_links_are_absolute(client, demo):
    items = all_items(client, "/api/v1/editions/")
    assert {e["slug"] for e in items} == {"2008", "2014", "2019", "2025"}
    assert all(e["url"] == f"http://testserver/leitbild/{e['slug']}/" for e in items)
    assert get(client, "/api/v1/editions/", {"status": "elected"}).status_code == 422
    assert all_items(client, "/api/v1/editions/", {"city": "nirgendwo"}) == []


def test_goals_filter_by_edition_field_and_kind(client, demo):
    goals = all_items(client, "/api/v1/goals/", {"edition": "2019", "field": "6.2", "kind": "sub"})
    expected = Goal.objects.filter(edition__slug="2019", field__number="6.2", kind="sub")
    assert len(goals) == expected.count() > 0
    assert {(g["edition"], g["field"]["number"], g["kind"]) for g in goals} == {
        ("2019", "6.2", "sub")
    }
    # Document order, and the field also by its slug.
    assert [g["slug"] for g in goals] == [
        g.slug for g in expected.order_by("field__position", "position")
    ]
    assert all_items(client, "/api/v1/goals/", {"edition": "2019", "field": "6-2", "kind": "sub"})
    assert goals == all_items(
        client, "/api/v1/goals/", {"edition": "2019", "field": "6-2", "kind": "sub"}
    )
    everything = get(client, "/api/v1/goals/").json()["count"]
    assert everything == Goal.objects.filter(edition__in=Edition.objects.public()).count()
    assert get(client, "/api/v1/goals/", {"kind": "wish"}).status_code == 422
    assert all_items(client, "/api/v1/goals/", {"edition": "1999"}) == []


def test_goal_detail_with_lineage(client, demo):
    goal = get(client, "/api/v1/goals/2019/6-1/leitziel-1/").json()
    assert goal["permalink"] == "/leitbild/2019/6-1/leitziel-1/"
    assert goal["url"] == "http://testserver/leitbild/2019/6-1/leitziel-1/"
    assert goal["field"]["url"] == "http://testserver/leitbild/2019/6-1/"
    assert goal["predecessor"] == {
        "permalink": "/leitbild/2014/querschnitt/leitziel-2/",
        "edition": "2014",
        "url": "http://testserver/leitbild/2014/querschnitt/leitziel-2/",
    }
    assert goal["lineage"] == "auto" and 0 < goal["lineage_score"] <= 1
    # The draft 2025 carries it over.
    assert [s["edition"] for s in goal["successors"]] == ["2025"]
    draft = get(client, goal["successors"][0]["permalink"].replace("/leitbild/", "/api/v1/goals/"))
    assert draft.json()["lineage"] == "carried"
    assert draft.json()["predecessor"]["permalink"] == goal["permalink"]
    older = get(client, "/api/v1/goals/2014/querschnitt/leitziel-2/").json()
    assert goal["permalink"] in [s["permalink"] for s in older["successors"]]

    nested = get(client, "/api/v1/goals/2019/6-2/teilziel-2-1/").json()
    assert nested["parent"]["permalink"] == "/leitbild/2019/6-2/teilziel-2/"
    assert nested["footnotes"][0]["number"] == 6

    missing = get(client, "/api/v1/goals/2019/6-2/teilziel-99/")
    assert missing.status_code == 404 and missing.json() == {"detail": "No such goal."}


def test_unpublished_draft_stays_private(client, demo):
    Edition.objects.filter(slug="2025").update(published=False)
    assert "2025" not in {e["slug"] for e in all_items(client, "/api/v1/editions/")}
    assert get(client, "/api/v1/editions/2025/").status_code == 404
    assert all_items(client, "/api/v1/goals/", {"edition": "2025"}) == []
    assert get(client, "/api/v1/goals/2025/6-1/leitziel-1/").status_code == 404
    # Nor is it linked from the goals it carries over.
    goal = get(client, "/api/v1/goals/2019/6-1/leitziel-1/").json()
    assert goal["successors"] == []
    for item in all_items(client, "/api/v1/goals/"):
        assert "/2025/" not in json.dumps(item)


# Organisations ------------------------------------------------------------------------------


def test_organisations_by_category_field_and_words(client, demo):
    organisations = all_items(client, "/api/v1/organisations/")
    assert len(organisations) == Organisation.objects.count()
    first = organisations[0]
    assert set(first) == {"slug", "name", "url", "category", "website", "description", "fields"}
    assert first["url"] == f"http://testserver/organisationen/{first['slug']}/"
    assert [o["name"] for o in organisations] == sorted(o["name"] for o in organisations)

    welfare = all_items(client, "/api/v1/organisations/", {"category": "welfare"})
    assert welfare and {o["category"] for o in welfare} == {"welfare"}
    assert len(welfare) == Organisation.objects.filter(category="welfare").count()

    by_number = all_items(client, "/api/v1/organisations/", {"field": "6.6"})
    assert by_number == all_items(client, "/api/v1/organisations/", {"field": "6-6"})
    assert by_number and all("6.6" in [f["number"] for f in o["fields"]] for o in by_number)
    # Fields of action are the adopted edition's, as on /organisationen/.
    assert {f["url"].split("/")[4] for o in organisations for f in o["fields"]} == {"2019"}
    assert all_items(client, "/api/v1/organisations/", {"field": "9.9"}) == []

    jobcenter = all_items(client, "/api/v1/organisations/", {"q": "jobcenter"})
    assert [o["slug"] for o in jobcenter] == ["jobcenter-munster"]
    assert get(client, "/api/v1/organisations/", {"category": "club"}).status_code == 422

    detail = get(client, "/api/v1/organisations/jobcenter-munster/")
    assert detail.json() == jobcenter[0]
    assert get(client, "/api/v1/organisations/gibt-es-nicht/").status_code == 404


# Processes and events -------------------------------------------------------------------------


def test_process_detail(client, demo):
    listed = all_items(client, "/api/v1/processes/")
    detail = get(client, f"/api/v1/processes/{PROCESS}/").json()
    assert detail == listed[0]
    assert get(client, "/api/v1/processes/nope/").status_code == 404


# Monitoring ------------------------------------------------------------------------------------


def test_indicator_detail(client, demo):
    listed = {i["code"]: i for i in all_items(client, "/api/v1/indicators/")}
    assert set(listed) == set(Indicator.objects.values_list("code", flat=True))
    code = "einbuergerungen"
    detail = get(client, f"/api/v1/indicators/{code}/").json()
    assert detail == listed[code]
    assert detail["url"] == f"http://testserver/monitoring/{code}/"
    assert detail["data_csv"] == f"http://testserver/monitoring/{code}.csv"
    assert detail["observation_count"] == Observation.objects.filter(indicator__code=code).count()
    assert detail["latest_period"] == 2024
    assert [g["permalink"] for g in detail["goals"]] == ["/leitbild/2019/6-3/leitziel-1/"]
    assert detail["status"] in {"achieved", "on_track", "at_risk", "off_track", "no_data"}
    assert get(client, "/api/v1/indicators/nope/").status_code == 404


def test_observations_filter_by_indicator_area_period_and_breakdown(client, demo):
    code = "anteil-migrationshintergrund"
    total = get(client, "/api/v1/observations/").json()["count"]
    assert total == Observation.objects.count()
    mine = get(client, "/api/v1/observations/", {"indicator": code}).json()["count"]
    assert mine == Observation.objects.filter(indicator__code=code).count() < total
    assert mine == get(client, f"/api/v1/indicators/{code}/observations/").json()["count"]

    city = all_items(
        client,
        "/api/v1/observations/",
        {"indicator": code, "area": "city", "breakdown": "total", "period": 2020},
    )
    assert len(city) == 1
    assert city[0]["indicator"] == code and city[0]["area"] == "" and city[0]["period"] == 2020
    assert city[0]["disaggregation"] == {}

    area = Observation.objects.filter(indicator__code=code).exclude(area__number="").first().area
    in_area = all_items(client, "/api/v1/observations/", {"indicator": code, "area": area.number})
    assert in_area and {o["area"] for o in in_area} == {area.number}
    assert area.name in {o["area_name"] for o in in_area}

    group = Observation.objects.filter(indicator__code=code).exclude(disaggregation={}).first()
    (dimension, value), *_ = group.disaggregation.items()
    broken_down = all_items(
        client,
        "/api/v1/observations/",
        {"indicator": code, "breakdown": f"{dimension}={value}", "period": 2020},
    )
    assert broken_down and all(o["disaggregation"] == {dimension: value} for o in broken_down)
    assert get(client, "/api/v1/observations/", {"period": "letztes"}).status_code == 422


def test_breakdowns_in_any_order(client, demo):
    indicator = Indicator.objects.get(code="einbuergerungen")
    city_area = Observation.objects.filter(indicator=indicator).first().area
    Observation.objects.create(
        indicator=indicator,
        period=2024,
        area=city_area,
        disaggregation={"sex": "female", "age": "young"},
        disaggregation_key="age=young;sex=female",
        value=12,
    )
    url = "/api/v1/indicators/einbuergerungen/observations/"
    for breakdown in ("age=young;sex=female", "sex=female;age=young"):
        (item,) = all_items(client, url, {"breakdown": breakdown})
        assert item["value"] == 12
    assert all_items(client, url, {"breakdown": "sex=female"}) == []
    assert get(client, "/api/v1/indicators/nope/observations/").status_code == 404


# Implementation --------------------------------------------------------------------------------


def test_action_goals_filters_and_progress(client, demo):
    items = all_items(client, "/api/v1/action-goals/")
    assert len(items) == ActionGoal.objects.count()
    measured = next(i for i in items if i["indicators"])
    assert measured["goal"]["url"].startswith("http://testserver/leitbild/")
    assert measured["url"] == f"http://testserver/umsetzung/handlungsziele/{measured['id']}/"
    progress = measured["progress"]
    assert progress["status"] == measured["status"]
    assert set(progress) == {"status", "latest_year", "latest_value", "trend", "explanation"}

    code = measured["indicators"][0]["code"]
    by_indicator = all_items(client, "/api/v1/action-goals/", {"indicator": code})
    assert measured in by_indicator
    assert all(code in [i["code"] for i in item["indicators"]] for item in by_indicator)

    slug = measured["responsible"][0]["slug"]
    by_organisation = all_items(client, "/api/v1/action-goals/", {"organisation": slug})
    assert measured in by_organisation
    assert all(slug in [o["slug"] for o in i["responsible"]] for i in by_organisation)

    for status in {i["status"] for i in items}:
        chosen = all_items(client, "/api/v1/action-goals/", {"status": status})
        assert chosen == [i for i in items if i["status"] == status]
    assert all_items(client, "/api/v1/action-goals/", {"edition": "2014"}) == []
    field = measured["goal"]["permalink"].split("/")[3]
    by_field = all_items(client, "/api/v1/action-goals/", {"edition": "2019", "field": field})
    assert measured in by_field

    detail = get(client, f"/api/v1/action-goals/{measured['id']}/").json()
    assert detail == measured
    assert get(client, "/api/v1/action-goals/999999/").status_code == 404
    assert get(client, "/api/v1/action-goals/", {"status": "great"}).status_code == 422


def test_measures_filters_and_progress(client, demo):
    items = all_items(client, "/api/v1/measures/")
    assert len(items) == Measure.objects.count()
    completed = all_items(client, "/api/v1/measures/", {"status": "completed"})
    assert completed and {m["status"] for m in completed} == {"completed"}

    measure = Measure.objects.filter(lead__isnull=False).first()
    ProgressReport.objects.create(measure=measure, text="Halbzeit", percent=50)
    ProgressReport.objects.create(measure=measure, text="Ohne Zahl")  # the same day, newer
    detail = get(client, f"/api/v1/measures/{measure.pk}/").json()
    assert detail["progress"] == 50  # the newest report that gives a percentage
    assert [r["text"] for r in detail["reports"]][:2] == ["Ohne Zahl", "Halbzeit"]
    assert detail["url"] == f"http://testserver/umsetzung/massnahmen/{measure.pk}/"

    lead = measure.lead.first().slug
    by_organisation = all_items(client, "/api/v1/measures/", {"organisation": lead})
    assert measure.pk in [m["id"] for m in by_organisation]
    assert all(lead in [o["slug"] for o in m["lead"] + m["partners"]] for m in by_organisation)

    action_goal = ActionGoal.objects.filter(measures__isnull=False).first()
    if action_goal is None:  # the demo links none: link one here
        action_goal = ActionGoal.objects.first()
        measure.action_goals.add(action_goal)
    serving = all_items(client, "/api/v1/measures/", {"action_goal": action_goal.pk})
    assert serving and all(action_goal.pk in [a["id"] for a in m["action_goals"]] for m in serving)
    by_edition = all_items(client, "/api/v1/measures/", {"edition": "2019"})
    assert by_edition and all("2019" in [g["edition"] for g in m["goals"]] for m in by_edition)
    assert all_items(client, "/api/v1/measures/", {"edition": "2008"}) == []
    assert get(client, "/api/v1/measures/999999/").status_code == 404
    assert get(client, "/api/v1/measures/0/").status_code == 422


# Errors ------------------------------------------------------------------------------------


def test_unknown_addresses_answer_json(client, db):
    for method in ("get", "post", "patch", "delete"):
        response = getattr(client, method)("/api/v1/gibt-es-nicht/")
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json; charset=utf-8"
        assert response.json() == {"detail": "Not Found"}
    assert get(client, "/api/v1/").status_code == 404
    assert get(client, "/api/v1/goals/2019/6-2/").status_code == 404
    # A path without its final slash is sent on, keeping the query and the method.
    response = client.get("/api/v1/editions", {"status": "draft"})
    assert response.status_code == 308
    assert response["Location"] == "/api/v1/editions/?status=draft"
    assert client.post("/api/v1/events").status_code == 308


def test_text_with_nul_characters_is_refused(client, db):
    # PostgreSQL cannot compare text with NUL in it; the API refuses it on every database.
    for url, params in [
        ("/api/v1/goals/", {"edition": "20\x0019"}),
        ("/api/v1/editions/20%0019/", {}),
        ("/api/v1/organisations/", {"q": "\x00"}),
    ]:
        response = get(client, url, params)
        assert response.status_code == 422, url
        assert "NUL" in json.dumps(response.json())


def test_event_patch_refuses_null_and_non_objects(client, process, make_event, staff):
    process.staff.add(staff)
    token = api_token_create(user=staff)
    event = make_event()
    url = f"/api/v1/events/{event.pk}/"
    auth = {"Authorization": f"Bearer {token}"}
    for body in ('{"description": null}', '{"title": null}', "[null, null]", "42"):
        response = client.patch(url, body, content_type="application/json", headers=auth)
        assert response.status_code == 422, body
    broken = client.patch(url, "{", content_type="application/json", headers=auth)
    assert broken.status_code == 400 and "detail" in broken.json()
    event.refresh_from_db()
    assert event.title == "Testworkshop" and event.sequence == 0


# The OpenAPI document -------------------------------------------------------------------------


def test_openapi_describes_every_operation(client, db):
    schema = get(client, "/api/v1/openapi.json").json()
    operations = [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    ]
    assert len(operations) == 22
    ids = [operation["operationId"] for _path, _method, operation in operations]
    assert len(set(ids)) == len(ids) and "goal_detail" in ids
    for path, method, operation in operations:
        where = f"{method.upper()} {path}"
        assert operation["summary"] and operation["description"], where
        assert len(operation["tags"]) == 1, where
        responses = operation["responses"]
        assert "422" in responses, where
        if "{" in path:
            assert "404" in responses, where
        if operation.get("security") == [{"StaffToken": []}]:
            assert {"401", "403"} <= set(responses), where
        for status, response in responses.items():
            content = response["content"]["application/json"]["schema"]
            assert "$ref" in content or content.get("type") == "object", (where, status)
        if method == "get" and path.endswith("s/"):
            names = {p["name"] for p in operation["parameters"]}
            assert {"limit", "offset"} <= names, where
    registration = schema["paths"]["/api/v1/events/{id}/registrations"]["post"]
    assert "security" not in registration and "429" in registration["responses"]
    assert "30 an hour" in registration["description"]
    # One schema per enum: model choices are inlined, so none overwrites another.
    components = schema["components"]["schemas"]
    assert not {"Status", "Kind", "Direction"} & set(components)
    observation = components["ObservationOut"]["properties"]["status"]
    assert observation["enum"] == list(Observation.Status.values)


def test_token_use_is_recorded_once_a_minute(client, staff):
    token = api_token_create(user=staff)
    auth = {"Authorization": f"Bearer {token}"}
    assert get(client, "/api/v1/events/", headers=auth).status_code == 200
    first = ApiToken.objects.get(user=staff).last_used_at
    assert first is not None
    get(client, "/api/v1/events/", headers=auth)
    assert ApiToken.objects.get(user=staff).last_used_at == first  # no write per request
    earlier = first - dt.timedelta(minutes=2)
    ApiToken.objects.filter(user=staff).update(last_used_at=earlier)
    get(client, "/api/v1/events/", headers=auth)
    assert ApiToken.objects.get(user=staff).last_used_at > earlier


# No personal data -------------------------------------------------------------------------------


def test_no_personal_data_anywhere(client, process, make_event, staff, django_user_model):
    secrets = ["geheim", "Geheim", "secret-contact", "rampe-geheim"]
    event = make_event(capacity=1)
    for n in (1, 2):
        response = client.post(
            f"/api/v1/events/{event.pk}/registrations",
            json.dumps(
                {
                    "name": f"Geheime Person {n}",
                    "email": f"geheim{n}@example.org",
                    "consent": True,
                    "needs_accessibility": "rampe-geheim",
                }
            ),
            content_type="application/json",
        )
        assert response.status_code == 201
    goal = process.draft_edition.goals.first()
    contribution_submit(
        process=process,
        kind="comment",
        body="Ein Kommentar",
        email="geheim-beitrag@example.org",
        author_name="Geheime Autorin",
        goal=goal,
        email_confirmed=True,
    )
    author = django_user_model.objects.create_user(
        "reporter", email="geheim-bericht@example.org", first_name="Geheim"
    )
    ProgressReport.objects.create(measure=Measure.objects.first(), text="Stand", author=author)
    process.contact = "Frau Geheim, secret-contact@example.org"
    process.save()
    process.staff.add(staff)
    token = api_token_create(user=staff)

    urls = [*LISTS]
    for url in LISTS:
        item = get(client, url, {"limit": 1}).json()["items"][0]
        detail = {
            "/api/v1/editions/": f"{url}{item.get('slug')}/",
            "/api/v1/goals/": item.get("permalink", "").replace("/leitbild/", url),
            "/api/v1/organisations/": f"{url}{item.get('slug')}/",
            "/api/v1/processes/": f"{url}{item.get('slug')}/",
            "/api/v1/events/": f"{url}{event.pk}/",
            "/api/v1/indicators/": f"{url}{item.get('code')}/",
            "/api/v1/action-goals/": f"{url}{item.get('id')}/",
            "/api/v1/measures/": f"{url}{item.get('id')}/",
        }.get(url)
        if detail:
            urls.append(detail)
    for url in urls:
        for headers in ({}, {"Authorization": f"Bearer {token}"}):
            response = get(client, url, {"limit": 500} if url in LISTS else {}, headers=headers)
            assert response.status_code == 200, url
            text = response.content.decode()
            for secret in secrets:
                assert secret not in text, (url, secret)
            assert "@example.org" not in text, url


def test_the_schema_is_built_once_and_served_alike(client, db, monkeypatch):
    import ninja.main

    from leitbild.api.api import api

    built = []
    real = ninja.main.get_schema

    def counting(**kwargs):
        built.append(kwargs["path_prefix"])
        return real(**kwargs)

    monkeypatch.setattr(ninja.main, "get_schema", counting)
    monkeypatch.setattr(api, "_schemas", {})
    first = get(client, "/api/v1/openapi.json").json()
    again = get(client, "/api/v1/openapi.json").json()
    assert first == again and len(built) == 1


def test_a_method_a_path_does_not_take_is_refused_in_json(client, db):
    response = client.delete("/api/v1/goals/")
    assert response.status_code == 405 and response["Content-Type"] == "application/json"
    assert "GET" in response["Allow"]
    assert response.json() == {
        "detail": f"Method DELETE is not allowed here. Allowed: {response['Allow']}."
    }
