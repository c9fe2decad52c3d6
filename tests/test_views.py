"""Reading pages, search, comparison page and staff lineage correction."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from leitbild.concept.models import Goal
from leitbild.core.models import Translation, source_digest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/leitbild/2019/",
        "/leitbild/2019/kapitel/1/",
        "/leitbild/2019/kapitel/vorwort-1/",
        "/leitbild/2019/begriffe/",
        "/leitbild/2019/6-1/",
        "/leitbild/2019/6-2/",
        "/leitbild/2019/6-2/teilziel-4/",
        "/leitbild/2019/6-2/teilziel-1-2/",
        "/leitbild/2014/",
        "/leitbild/2014/querschnitt/",
        "/suche/?q=Sprache",
        "/vergleich/",
        "/vergleich/2014/2019/",
        "/vergleich/2014/2019/?status=reworded",
    ],
)
def test_public_pages_render(client, demo, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "de"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_unknown_addresses_are_404(client, demo):
    for url in ["/leitbild/1999/", "/leitbild/2019/6-99/", "/leitbild/2019/6-2/teilziel-99/"]:
        assert client.get(url).status_code == 404
    assert client.get("/vergleich/2019/2014/").status_code == 404


def test_field_page_nests_goals_as_in_the_document(client, demo):
    html = client.get("/leitbild/2019/6-2/").content.decode()
    assert html.count('class="goals nested"') == 2
    assert "Wohnen)." in html
    # footnote 6 is rendered on the Runder Tisch goal, right after its marker
    assert 'Bleiberecht“<sup class="fn"' not in html  # marker sits after the goal text
    assert "/leitbild/2019/6-2/teilziel-2-1/#fn-6" in html


def test_goal_page_shows_footnote_in_place_and_lineage(client, demo):
    html = client.get("/leitbild/2019/6-2/teilziel-2-1/").content.decode()
    assert 'Bleiberecht“<sup class="fn"><a href="#fn-6"' in html
    assert "Der Runde Tisch" in html
    html = client.get("/leitbild/2019/6-1/leitziel-1/").content.decode()
    assert "/leitbild/2014/querschnitt/leitziel-2/" in html
    assert "Benachteiligung" in html.split("<ins>", 1)[1]  # the word 2019 added is marked


def test_search_finds_inflected_forms(client, demo):
    html = client.get("/suche/", {"q": "Sprache"}).content.decode()
    assert "Bildung und Sprachen" in html
    assert "/leitbild/2019/6-4/" in html
    assert client.get("/suche/", {"q": "Xylophonunterricht"}).context["hits"] == []


def test_search_selector_on_goals_and_chapters(demo):
    from leitbild.concept.selectors import search

    hits = search("Sprache", edition=demo[2019])
    kinds = {h.kind for h in hits}
    assert kinds == {"goal", "chapter"}
    assert any("Sprachen" in h.obj.text for h in hits if h.kind == "goal")
    assert search("   ") == []


def test_field_page_query_count_does_not_grow_with_goals(client, demo):
    def queries(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    queries("/leitbild/2019/6-1/")  # warm per-process caches (content types)
    small = queries("/leitbild/2019/6-6/")  # 11 goals
    large = queries("/leitbild/2019/6-8/")  # 21 goals
    assert small == large
    assert 0 < small <= 10


def test_translation_renders_with_language_and_direction(client, demo):
    goal = Goal.objects.get(edition__year=2019, field__slug="6-1", slug="leitziel-8")
    Translation.objects.create(
        content_object=goal,
        field="text",
        language="ar",
        text="تتم إزالة الحواجز الهيكلية",
        status=Translation.Status.PUBLISHED,
        source_digest=source_digest(goal.text),
    )
    html = client.get("/leitbild/2019/6-1/", {"lang": "ar"}).content.decode()
    assert '<span lang="ar" dir="rtl">تتم إزالة الحواجز الهيكلية</span>' in html
    # untranslated goals fall back to the German source
    assert "Stigmatisierung" in html
    assert not Translation.objects.get(object_id=goal.pk, field="text", language="ar").is_stale(
        goal.text
    )


def test_english_interface_is_available(client, demo):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/leitbild/2019/").content.decode()
    assert '<html lang="en"' in html
    assert "Fields of action" in html
    client.post("/i18n/setlang/", {"language": "de", "next": "/"})
    html = client.get("/leitbild/2019/").content.decode()
    assert '<html lang="de"' in html
    assert '<h2 id="fields-heading">Handlungsfelder</h2>' in html


def test_interface_is_german_even_for_english_browsers(client, demo):
    html = client.get("/leitbild/2019/", HTTP_ACCEPT_LANGUAGE="en-US,en").content.decode()
    assert '<html lang="de"' in html


def test_lineage_correction_is_staff_only(client, demo, staff):
    goal = Goal.objects.get(edition__year=2019, field__slug="6-1", slug="leitziel-2")
    url = f"/vergleich/2014/2019/ziel/{goal.pk}/"
    assert client.get(url).status_code in (302, 403)
    client.force_login(staff)
    assert client.get(url).status_code == 200
    gender = Goal.objects.get(edition__year=2014, slug="leitziel-3")
    response = client.post(url, {"predecessor": gender.pk})
    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.predecessor == gender and goal.lineage == Goal.Lineage.MANUAL
    rows = client.get("/vergleich/2014/2019/").context["counts"]
    assert rows["reworded"] == 4 and rows["removed"] == 3
