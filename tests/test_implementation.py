"""Action goals with the SMART check, measures with progress reports (and seed 000 demo)."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from leitbild.implementation.models import ActionGoal, Measure
from leitbild.implementation.smart import smart_problems

TODAY = dt.date(2026, 11, 22)


def _codes(**values):
    base = {
        "text": "Der Anteil steigt bis 2030 auf 20 %.",
        "responsible": 1,
        "indicators": 1,
        "baseline_value": 12.0,
        "baseline_year": 2020,
        "target_value": 20.0,
        "deadline": dt.date(2030, 12, 31),
        "today": TODAY,
    }
    base.update(values)
    return [p.code for p in smart_problems(**base)]


def test_smart_check_rules():
    assert _codes() == []
    assert _codes(responsible=0) == ["responsible"]
    assert _codes(indicators=0) == ["indicator"]
    assert _codes(baseline_year=None) == ["baseline"]
    assert _codes(target_value=None) == ["target"]
    assert _codes(deadline=None) == ["deadline"]
    assert _codes(deadline=dt.date(2020, 1, 1)) == ["deadline_past"]
    assert _codes(text="Wir verbessern die Beratung.") == ["vague"]
    assert _codes(text="Wir verbessern die Beratung für 500 Personen.") == []


@pytest.fixture
def editor(staff):
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["change_actiongoal", "add_actiongoal"])
    )
    return staff


def test_demo_has_the_measures_of_seed_000(demo):
    titles = set(Measure.objects.values_list("title", flat=True))
    assert any("Runder Tisch" in t for t in titles)
    campaign = Measure.objects.get(title__startswith="Kampagne zur Steigerung")
    assert "9,4 %" in campaign.result and "19,8 %" in campaign.result
    assert campaign.status == "completed"
    workshop = Measure.objects.get(title__startswith="Integrationsworkshop")
    assert (workshop.starts_on, workshop.ends_on) == (dt.date(2011, 12, 1), dt.date(2012, 6, 30))
    naturalisation = Measure.objects.get(title__contains="Einbürgerungskampagne")
    assert naturalisation.funding_programme == "KOMM-IN NRW"
    assert naturalisation.goals.get().edition.year == 2019


def test_live_check_and_editor(client, demo, editor):
    goal = demo[2019].goals.get(field__number="6.11", slug="teilziel-1-1")
    check = reverse("implementation:smart_check")
    assert client.post(check, {"text": "x"}).status_code in (302, 403)  # staff only
    client.force_login(editor)
    result = client.post(check, {"goal": goal.pk, "text": "Wir fördern die Vielfalt."}).json()
    assert not result["ok"]
    codes = {p["code"] for p in result["problems"]}
    assert {"responsible", "indicator", "baseline", "target", "deadline", "vague"} <= codes
    assert all(p["message"] for p in result["problems"])

    from leitbild.actors.models import Organisation
    from leitbild.monitoring.models import Indicator

    indicator = Indicator.objects.get(code="integrationsrat-wahlbeteiligung")
    organisation = Organisation.objects.get(name="Personal- und Organisationsamt, Stadt Münster")
    data = {
        "goal": goal.pk,
        "text": "Der Anteil der Beschäftigten mit Migrationsvorgeschichte steigt auf 20 %.",
        "responsible": [organisation.pk],
        "indicators": [indicator.pk],
        "baseline_value": "11,5",
        "baseline_year": "2019",
        "target_value": "20",
        "direction": "increase",
        "deadline": "2030-12-31",
    }
    assert client.post(check, data).json() == {"ok": True, "problems": []}
    response = client.post(reverse("implementation:action_goal_new"), data)
    item = ActionGoal.objects.get(text__startswith="Der Anteil der Beschäftigten")
    assert response.status_code == 302 and item.smart_problems() == []
    assert item.baseline_value == 11.5


def test_failing_list_shows_only_failing_goals(client, demo, editor):
    url = reverse("implementation:smart_failures")
    assert client.get(url).status_code == 302
    client.force_login(editor)
    page = client.get(url).content.decode()
    assert "Wir verbessern die Beratung" in page  # the demo's vague example
    assert "Integrationsratswahl steigt" not in page  # the complete one


def test_the_demo_reports_progress_synthetically_and_the_pages_show_it(client, demo):
    from leitbild.implementation.models import ActionGoal, ProgressReport

    mentoring = Measure.objects.get(title__contains="Mentoring")
    reports = list(mentoring.reports.all())
    assert [r.percent for r in reports] == [70, 45, 15]  # newest first
    assert all(r.text.startswith("(Beispiel, synthetisch)") for r in ProgressReport.objects.all())
    page = client.get(mentoring.get_absolute_url()).content.decode()
    assert page.index("30. Juni 2026") < page.index("28. Februar 2025")
    assert 'value="70"' in page and "Noch keine Sachstandsberichte" not in page
    goal = ActionGoal.objects.get(text__contains="Zahl der Einbürgerungen")
    assert "830 Menschen eingebürgert" in client.get(goal.get_absolute_url()).content.decode()


def test_progress_reports_by_staff_only(client, demo, staff):
    measure = Measure.objects.get(title__startswith="Runder Tisch")
    data = {"reported_on": "2026-11-01", "text": "Drei Sitzungen im Jahr.", "percent": "50"}
    client.post(measure.get_absolute_url(), data)
    assert not measure.reports.exists()
    staff.user_permissions.add(Permission.objects.get(codename="add_progressreport"))
    client.force_login(staff)
    response = client.post(measure.get_absolute_url(), data)
    assert response.status_code == 302
    report = measure.reports.get()
    assert report.percent == 50 and report.author == staff
    client.logout()
    assert "Drei Sitzungen im Jahr." in client.get(measure.get_absolute_url()).content.decode()
    overview = client.get(reverse("implementation:overview")).content.decode()
    assert "Runder Tisch" in overview


def test_status_overview_by_field(client, demo, django_assert_max_num_queries):
    from leitbild.concept.models import Goal
    from leitbild.monitoring.models import Indicator

    with django_assert_max_num_queries(12):
        page = client.get(reverse("implementation:status")).content.decode()
    assert "(Politische) Partizipation" in page
    # The demo's turnout goal: 19.8 % (2014) towards 25 % by 2030 — no later value yet.
    assert "Integrationsratswahl steigt" in page
    # A goal linked to an indicator directly shows the indicator's status too.
    indicator = Indicator.objects.get(code="integrationsrat-wahlbeteiligung")
    assert indicator.goals.filter(
        pk=Goal.objects.get(edition__year=2019, field__number="6.3", slug="teilziel-4").pk
    ).exists()
    assert "Auf Kurs" in page or "On track" in page


def test_status_overview_queries_do_not_grow(client, demo):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("implementation:status")
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    goals = list(demo[2019].goals.order_by("pk")[:5])
    for n, goal in enumerate(goals):
        ActionGoal.objects.create(goal=goal, text=f"Ziel {n}: 10 % mehr bis 2030.")
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after) == len(before)
