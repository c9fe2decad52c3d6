"""Proof under load and faults (issue 7, item 7), besides the load benchmark itself
(``benchmarks/load.py``):

* no public page's number of database queries grows with the data;
* ``scale-demo`` adds marked synthetic rows, consistently, all or nothing, once;
* an import killed (SIGKILL) in the middle of writing leaves the previous observations
  exactly as they were, on SQLite and on PostgreSQL;
* a database that goes away yields a clean 503 page (and ``/healthz`` 503), and the
  running production server serves again by itself once the database is back.

The last two start processes and a PostgreSQL cluster of their own (``slow``).
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import os
import secrets
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from .conftest import ROOT
from .postgres_cluster import free_port

PROCESS = "/beteiligung/fortschreibung-2023-2025"


# 1. Query counts do not grow with the data ------------------------------------------------

# URL name → a path, or a function of the objects picked before data is added. Every
# public page type (those of the accessibility audit) and the API's list endpoints.
PAGES = {
    "concept:home": "/",
    "concept:search": "/suche/?q=Sprache",
    "concept:compare_choose": "/vergleich/",
    "concept:compare": "/vergleich/2014/2019/",
    "concept:history": "/leitbild/chronik/",
    "concept:edition": "/leitbild/2019/",
    "concept:glossary": "/leitbild/2019/begriffe/",
    "concept:chapter": "/leitbild/2019/kapitel/1/",
    "concept:field": "/leitbild/2019/6-2/",
    "concept:goal": "/leitbild/2019/6-2/teilziel-1/",
    "goal_history": "/leitbild/2025/6-6/leitziel-1/entstehung/",
    "participation:process_list": "/beteiligung/",
    "participation:process": f"{PROCESS}/",
    "participation:calendar": f"{PROCESS}/termine/",
    "participation:event": lambda o: o["event"].get_absolute_url(),
    "participation:event_stats": lambda o: o["past_event"].get_absolute_url() + "beteiligte/",
    "participation:contributions": f"{PROCESS}/beitraege/",
    "participation:contribution": lambda o: o["contribution"].get_absolute_url(),
    "participation:draft": f"{PROCESS}/entwurf/",
    "participation:goal": f"{PROCESS}/entwurf/6-6/leitziel-1/",
    "participation:consideration": f"{PROCESS}/abwaegung/",
    "participation:process_stats": f"{PROCESS}/beteiligte/",
    "participation:poll": f"{PROCESS}/abstimmung/priorisierung/",
    "participation:registration_cancel": lambda o: o["registration"].get_cancel_url(),
    "participation:contribution_confirm": lambda o: (
        f"/beteiligung/bestaetigen/{o['contribution'].token}/"
    ),
    "participation:ballot_confirm": lambda o: (
        f"/beteiligung/abstimmung/bestaetigen/{o['ballot'].token}/"
    ),
    "actors:list": "/organisationen/",
    "actors:detail": lambda o: o["organisation"].get_absolute_url(),
    "monitoring:indicators": "/monitoring/",
    "monitoring:indicator": "/monitoring/anteil-migrationshintergrund/",
    "publishing:reports": "/monitoring/berichte/",
    "implementation:overview": "/umsetzung/",
    "implementation:status": "/umsetzung/stand/",
    "implementation:action_goal": lambda o: o["action_goal"].get_absolute_url(),
    "implementation:measure": lambda o: o["measure"].get_absolute_url(),
    "privacy:notice": "/datenschutz/",
    "privacy:request": "/datenschutz/auskunft/",
    "privacy:request_detail": lambda o: o["privacy_request"].get_absolute_url(),
    "account:login": "/konto/anmelden/",
    "account:password_reset": "/konto/passwort/vergessen/",
    "account:password_reset_done": "/konto/passwort/vergessen/gesendet/",
    "account:password_reset_confirm": "/konto/passwort/neu/MQ/ungueltig/",
    "account:password_reset_complete": "/konto/passwort/neu/fertig/",
    "api:events": "/api/v1/events/",
    "api:goals": "/api/v1/goals/",
    "api:organisations": "/api/v1/organisations/",
    "api:indicators": "/api/v1/indicators/",
    "api:observations": "/api/v1/observations/",
    "api:indicator_observations": "/api/v1/indicators/anteil-migrationshintergrund/observations/",
}
PERSON = "teilnahme-1@example.org"  # a demo participant, who asks for their data


def test_every_audited_page_type_has_its_queries_counted():
    from tests.browser.test_accessibility_audit import PAGES as AUDITED

    missing = sorted(set(AUDITED) - set(PAGES))
    assert not missing, f"add these page types to PAGES here too: {missing}"


def _objects() -> dict:
    """The objects whose pages are measured, picked before any data is added."""
    from leitbild.actors.models import Organisation
    from leitbild.implementation.models import ActionGoal, Measure
    from leitbild.participation.models import Contribution, Event, PollBallot, Registration
    from leitbild.privacy.services import privacy_request_create

    now = timezone.now()
    return {
        "event": Event.objects.public().filter(starts_at__gt=now).order_by("starts_at")[0],
        "past_event": Event.objects.public().filter(starts_at__lt=now).order_by("starts_at")[0],
        "contribution": Contribution.objects.published().order_by("pk")[0],
        "registration": Registration.objects.order_by("pk")[0],
        "ballot": PollBallot.objects.order_by("pk")[0],
        "organisation": Organisation.objects.get(name="AFAQ e.V."),
        "action_goal": ActionGoal.objects.order_by("pk")[0],
        "measure": Measure.objects.order_by("pk")[0],
        "privacy_request": privacy_request_create(email=PERSON),
    }


def _add_data(objects: dict, process, *, round_: int, n: int) -> None:
    """Add ``n`` of everything the pages list, aimed at the very objects measured:
    contributions said at events, replies, a revision citing them, registrations,
    ballots, organisations, editions, observations, action goals and measures. Round 2
    adds the scaled demo (``scale-demo --factor 2``) as well."""
    from django.contrib.auth import get_user_model

    from leitbild.actors.models import Organisation
    from leitbild.concept.models import City, District, Edition, Goal
    from leitbild.demo.scale import scale
    from leitbild.implementation.models import ActionGoal, Measure
    from leitbild.monitoring.models import Indicator, Observation, disaggregation_key
    from leitbild.participation import services
    from leitbild.participation.models import Contribution, Poll, Registration

    if round_ == 2:
        scale(factor=2)
    city = process.base_edition.city
    draft_goal = Goal.objects.get(
        edition=process.draft_edition, field__slug="6-6", slug="leitziel-1"
    )
    organisation = objects["organisation"]
    event, past_event = objects["event"], objects["past_event"]
    tag = f"r{round_}"

    def contribution(number, **values):
        return Contribution.objects.create(
            process=process,
            kind=values.pop("kind", Contribution.Kind.COMMENT),
            body=f"Zusätzlicher Beitrag {tag}-{number}",
            email=values.pop("email", f"mehr-{tag}-{number}@example.org"),
            status=Contribution.Status.PUBLISHED,
            confirmed_at=timezone.now(),
            **values,
        )

    said = [
        contribution(i, goal=draft_goal, field=draft_goal.field, event=e, organisation=organisation)
        for i, e in enumerate([event, past_event] * n)
    ]
    for i, parent in enumerate(said):
        contribution(1000 + i, kind="reply", parent=parent, goal=parent.goal, event=past_event)
    for i in range(n):
        contribution(2000 + i, kind="reply", parent=objects["contribution"])
        contribution(3000 + i, email=PERSON, goal=draft_goal)
    user = get_user_model().objects.create_user(f"lasttest-editor-{tag}")
    services.goal_revise(
        goal=draft_goal, text=f"{draft_goal.text} Ergänzt ({tag}).", user=user, contributions=said
    )
    for i in range(n):
        for target in (event, past_event):
            Registration.objects.create(
                event=target,
                name=f"Person {tag}-{i}",
                email=f"mehr-{tag}-{target.pk}-{i}@example.org",
                organisation=organisation,
                consent_at=timezone.now(),
                status=Registration.Status.CONFIRMED,
                attended=True if target == past_event else None,
            )
    if round_ == 1:
        Registration.objects.create(
            event=event,
            name="Person",
            email=PERSON,
            consent_at=timezone.now(),
            status=Registration.Status.CONFIRMED,
        )
    poll = Poll.objects.get(process=process, slug="priorisierung")
    option = poll.options.first()
    for i in range(n):
        poll.ballots.create(
            email=f"wahl-{tag}-{i}@example.org",
            allocation={str(option.pk): poll.points},
            confirmed_at=timezone.now(),
        )
    fields = list(process.base_edition.fields.all()[:3])
    added = []
    for i in range(n):
        added.append(
            Organisation.objects.create(
                city=city, name=f"Zusätzliche Organisation {tag}-{i}", slug=f"zusatz-{tag}-{i}"
            )
        )
        added[-1].fields.set(fields)
    other, _created = City.objects.get_or_create(name="Vergleichsstadt", slug="vergleichsstadt")
    for i in range(n):
        year = 2100 - 10 * round_ - i
        Edition.objects.create(
            city=other,
            year=year,
            slug=f"vergleichsstadt-{year}",
            title=f"Leitbild Vergleichsstadt {year}",
            status=Edition.Status.ADOPTED,
            published=True,
        )
    indicator = Indicator.objects.get(code="anteil-migrationshintergrund")
    areas = list(District.objects.filter(city=city))
    years = range(1950, 1951) if round_ == 1 else range(1960, 1960 + n)
    Observation.objects.bulk_create(
        Observation(
            indicator=indicator,
            period=year,
            area=area,
            disaggregation=dict(breakdown),
            disaggregation_key=disaggregation_key(dict(breakdown)),
            value=float(year % 50),
        )
        for year in years
        for area in areas
        for breakdown in ({}, {"gruppe": "zusatz"})
    )
    goal = Goal.objects.get(edition=process.base_edition, field__slug="6-2", slug="teilziel-1")
    for synthetic in Indicator.objects.filter(code__startswith="synthetisch-"):
        synthetic.goals.add(goal)
    indicator.goals.add(goal)
    for i in range(n):
        action_goal = ActionGoal.objects.create(
            goal=goal, text=f"Handlungsziel {tag}-{i}: 10 % bis 2030."
        )
        action_goal.indicators.add(indicator)
        measure = Measure.objects.create(title=f"Zusätzliche Maßnahme {tag}-{i}")
        measure.goals.add(goal)
        measure.action_goals.add(action_goal, objects["action_goal"])
        measure.lead.add(organisation)
        objects["measure"].partners.add(added[i])


def _queries(client: Client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return response.status_code, len(ctx)


def test_no_public_page_runs_more_queries_with_more_data(client, process):
    objects = _objects()
    urls = {name: page(objects) if callable(page) else page for name, page in PAGES.items()}
    # A little of everything first: a list that is empty skips its prefetch queries,
    # which would count as growth that has nothing to do with the amount of data.
    _add_data(objects, process, round_=1, n=1)
    for url in urls.values():
        client.get(url)  # warm per-process caches (content types, translations)
    before = {name: _queries(client, url) for name, url in urls.items()}
    assert all(status == 200 for status, _n in before.values()), before
    _add_data(objects, process, round_=2, n=25)
    after = {name: _queries(client, url) for name, url in urls.items()}
    assert all(status == 200 for status, _n in after.values()), after
    grew = {
        name: f"{before[name][1]} → {after[name][1]} queries"
        for name in urls
        if after[name][1] != before[name][1]
    }
    assert not grew, f"queries grew with the data: {grew}"


def test_fast_select_writes_what_djangos_template_writes(demo):
    """The person fields' selects are rendered in Python (20 ms less per page with a
    form): byte for byte what Django's widget templates write, selection and error
    attributes included."""
    from django import forms

    from leitbild.concept.models import City
    from leitbild.participation.forms import RegistrationForm, Select

    city = City.objects.get(name="Münster")
    for data in (None, {"organisation": "", "stakeholder_group": "resident", "email": "x"}):
        form = RegistrationForm(data, city=city)
        if data:
            form.is_valid()
            form.add_error("organisation", "Bitte wählen.")
        for name in ("organisation", "stakeholder_group", "district"):
            assert isinstance(form.fields[name].widget, Select)
            ours = str(form[name])
            form.fields[name].widget = forms.Select(choices=form.fields[name].choices)
            assert ours == str(form[name]), name
            assert ours.count("<option") == len(form.fields[name].choices)
    chosen = RegistrationForm({"stakeholder_group": "resident"}, city=city)
    assert '<option value="resident" selected>' in str(chosen["stakeholder_group"])
    escaped = Select(choices=[("a&b", "<Verein> & Co")]).render("x", "a&b")
    assert '<option value="a&amp;b" selected>&lt;Verein&gt; &amp; Co</option>' in escaped


# 2. scale-demo -------------------------------------------------------------------------


def test_scale_demo_adds_marked_consistent_rows_once(process):
    from django.db.models import Count, F, Q

    from leitbild.demo.scale import MARK, SOURCE, AlreadyScaled, planned, scale
    from leitbild.monitoring.models import Indicator, Observation, disaggregation_key
    from leitbild.participation.models import Contribution, Event, Registration

    counts = (Contribution.objects.count(), Registration.objects.count(), Event.objects.count())
    plan = planned(2)
    report = scale(factor=2)
    assert report.contributions == plan["contributions"] == 400
    assert report.registrations == plan["registrations"] == 100
    assert report.observations == plan["observations"] > 0
    assert Contribution.objects.count() == counts[0] + 400
    assert Registration.objects.count() == counts[1] + 100
    assert Event.objects.count() == counts[2] + 2

    added = Contribution.objects.filter(body__startswith=MARK)
    assert added.count() == 400
    assert not added.exclude(status=Contribution.Status.PUBLISHED).exists()
    assert not added.exclude(goal__edition=process.draft_edition).exclude(goal=None).exists()
    assert added.filter(parent__isnull=False).count() == report.replies > 0
    assert added.exclude(disposition="").exclude(disposition_reason__startswith=MARK).count() == 0
    assert added.exclude(disposition="").count() > 100
    # Synthetic people only, with example.org addresses.
    synthetic = Registration.objects.filter(event__title__startswith=MARK)
    assert not synthetic.exclude(email__endswith="@example.org").exists()
    # No event has more confirmed seats than its capacity.
    over = (
        Event.objects.filter(title__startswith=MARK, capacity__isnull=False)
        .annotate(seats=Count("registrations", filter=Q(registrations__status="confirmed")))
        .filter(seats__gt=F("capacity"))
    )
    assert not over.exists()
    # Observations are keyed as the importer keys them.
    indicator = Indicator.objects.get(code__startswith="synthetisch-lasttest-")
    assert indicator.source == SOURCE and indicator.name.startswith(MARK)
    for observation in Observation.objects.filter(indicator=indicator)[:500]:
        assert observation.disaggregation_key == disaggregation_key(observation.disaggregation)

    with pytest.raises(AlreadyScaled):
        scale(factor=1)


def test_scale_demo_writes_all_or_nothing(process, monkeypatch):
    from leitbild.demo import scale as scaling
    from leitbild.monitoring.models import Observation
    from leitbild.participation.models import Contribution, Registration

    counts = (Contribution.objects.count(), Registration.objects.count())
    observations = Observation.objects.count()
    real = Observation.objects.bulk_create
    calls = []

    def fail_later(objs, *args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(objs, *args, **kwargs)

    monkeypatch.setattr(Observation.objects, "bulk_create", fail_later)
    with pytest.raises(RuntimeError, match="disk full"):
        scaling.scale(factor=1)
    assert (Contribution.objects.count(), Registration.objects.count()) == counts
    assert Observation.objects.count() == observations
    assert not scaling.is_scaled()


# Processes: the production server, imports, a PostgreSQL cluster of our own ---------------


def _env(database_url: str, data_dir: Path, **extra) -> dict:
    """A production environment (DEBUG off) for ``leitbild`` subprocesses."""
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DATABASE_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="leitbild.settings.base",
        SECRET_KEY=secrets.token_urlsafe(48),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        DATABASE_URL=database_url,
        LEITBILD_DATA_DIR=str(data_dir),
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        LOG_LEVEL="WARNING",
        **extra,
    )
    return env


def _leitbild(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "leitbild.cli", *map(str, args)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )


# 3. An import killed in the middle leaves the previous data intact -------------------------

KILL_SETUP = """
from leitbild.concept.models import City, District
from leitbild.monitoring.models import Indicator
city = City.objects.create(name="Abbruchstadt", slug="abbruchstadt")
for n in range(1, 51):
    District.objects.create(city=city, level="district", name=f"Bezirk {n}", number=str(100 + n))
Indicator.objects.create(city=city, code="abbruch", name="Abbruchtest", unit="%",
                         disaggregations=["gruppe"])
"""
AREAS = [str(100 + n) for n in range(1, 51)]
GROUPS = ["", *(f"g{n}" for n in range(1, 10))]


def _observations_csv(path: Path, years, *, shift: int = 0) -> int:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["indicator", "period", "area", "gruppe", "value"])
        rows = 0
        for year in years:
            for area in AREAS:
                for group in GROUPS:
                    writer.writerow(["abbruch", year, area, group, (year + int(area) + shift) % 97])
                    rows += 1
    return rows


def _snapshot(db) -> tuple[int, str]:
    """Number and checksum of every observation, in key order."""
    cursor = db.cursor()
    cursor.execute(
        "SELECT o.period, d.number, o.disaggregation_key, o.value, o.status, o.comment "
        "FROM monitoring_observation o JOIN concept_district d ON d.id = o.area_id "
        "ORDER BY o.period, d.number, o.disaggregation_key"
    )
    rows = cursor.fetchall()
    return len(rows), hashlib.sha256(repr(rows).encode()).hexdigest()


@pytest.mark.slow
@pytest.mark.parametrize("vendor", ["sqlite", "postgresql"])
def test_import_killed_while_writing_leaves_previous_observations_intact(vendor, tmp_path, request):
    if vendor == "postgresql":
        pg = request.getfixturevalue("cluster")
        url = pg.create_database("killtest")
    else:
        url = f"sqlite:///{tmp_path / 'leitbild.sqlite3'}"
    env = _env(url, tmp_path / "data")
    _leitbild(env, "migrate", "--noinput")
    _leitbild(env, "shell", "-c", KILL_SETUP)
    base = tmp_path / "before.csv"
    assert _observations_csv(base, range(2000, 2004)) == 2000
    _leitbild(env, "import-observations", base)

    def connect():
        if vendor == "sqlite":
            return contextlib.closing(sqlite3.connect(tmp_path / "leitbild.sqlite3"))
        import psycopg

        return psycopg.connect(url, autocommit=True)

    def written_bytes() -> int:
        """Bytes the import has physically written so far (committed or not)."""
        if vendor == "sqlite":
            wal = tmp_path / "leitbild.sqlite3-wal"
            return wal.stat().st_size if wal.exists() else 0
        with connect() as db:
            return db.execute("SELECT pg_relation_size('monitoring_observation')").fetchone()[0]

    with connect() as db:
        before = _snapshot(db)
    assert before[0] == 2000
    # The same 2,000 keys with other values, and 58,000 new ones: a partial write would
    # show as changed values or extra rows.
    big = tmp_path / "big.csv"
    assert _observations_csv(big, range(1900, 2020), shift=1) == 60_000
    start_size = written_bytes()
    importing = subprocess.Popen(
        [sys.executable, "-m", "leitbild.cli", "import-observations", str(big)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 180
        while written_bytes() < start_size + 512 * 1024:
            assert importing.poll() is None, "the import ended before it could be killed"
            assert time.monotonic() < deadline, "the import did not start writing"
            time.sleep(0.01)
        importing.send_signal(signal.SIGKILL)
    finally:
        importing.kill()
        importing.wait()
    assert importing.returncode == -signal.SIGKILL

    with connect() as db:
        assert _snapshot(db) == before
    # The database is usable as it is: the whole import, run again, completes.
    done = _leitbild(env, "import-observations", big)
    assert "58000 observations created, 2000 updated" in done.stdout
    with connect() as db:
        assert _snapshot(db)[0] == 60_000


# 4. A database that goes away: 503, and recovery by itself --------------------------------


def test_database_error_answers_503_with_a_page_of_its_own(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")

    client.raise_request_exception = False
    with monkeypatch.context() as patch:
        patch.setattr(connection, "ensure_connection", refuse)
        response = client.get("/leitbild/2019/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert '<html lang="de"' in page
    assert "Vorübergehend nicht erreichbar" in page
    assert "Traceback" not in page and "OperationalError" not in page
    assert "127.0.0.1" not in page  # nothing of the error is shown


def test_other_errors_stay_500(client, monkeypatch):
    from leitbild.concept import views

    def broken(*args, **kwargs):
        raise ValueError("a bug")

    client.raise_request_exception = False
    monkeypatch.setattr(views.selectors, "edition_overview", broken)
    response = client.get("/leitbild/2019/")
    assert response.status_code == 500
    assert "Vorübergehend" not in response.content.decode()


def test_task_worker_waits_for_the_database_instead_of_stopping(monkeypatch):
    from django_tasks_db.management.commands import db_worker as base

    from leitbild.ops.management.commands import db_worker

    attempts = []

    def run(self):
        attempts.append(1)
        if len(attempts) < 3:
            raise OperationalError("server closed the connection unexpectedly")

    pauses = []
    monkeypatch.setattr(base.Worker, "run", run)
    monkeypatch.setattr(db_worker.time, "sleep", pauses.append)
    worker = db_worker.Worker(
        queue_names=["default"],
        interval=1,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test",
        excluded_queue_names=[],
    )
    worker.run()
    assert len(attempts) == 3
    assert pauses == [1.0, 2.0]
    # Told to stop while the database is away: it stops.
    attempts.clear()
    worker.running = False
    with pytest.raises(OperationalError):
        worker.run()


def _get(port: int, path: str) -> tuple[int, str, dict]:
    """Status, body and headers; status 0 when nothing answers (the body says why)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as answer:
            return answer.status, answer.read().decode(), dict(answer.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)
    except OSError as error:
        return 0, f"no answer: {error}", {}


@pytest.mark.slow
def test_database_outage_gives_503_and_the_server_recovers_by_itself(cluster, tmp_path):
    url = cluster.create_database("outage")
    port = free_port()
    env = _env(url, tmp_path / "data", SITE_URL=f"http://127.0.0.1:{port}")
    _leitbild(env, "migrate", "--noinput")
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "leitbild.cli", "serve", "--production", "--workers", "2",
         "--bind", f"127.0.0.1:{port}"],
        env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, process_group=0,
    )  # fmt: skip

    def server_log() -> str:
        return (tmp_path / "server.log").read_text(errors="replace")[-4000:]

    try:
        deadline = time.monotonic() + 180
        while True:
            assert server.poll() is None, f"the server stopped:\n{server_log()}"
            assert time.monotonic() < deadline, f"the server did not start:\n{server_log()}"
            if _get(port, "/healthz")[0] == 200:
                break
            time.sleep(0.5)
        assert _get(port, "/")[0] == 200

        cluster.stop()
        for _ in range(4):  # each worker, with or without a kept connection
            status, page, headers = _get(port, "/")
            assert status == 503, f"{status} {page[:300]}\n{server_log()}"
            assert headers["Content-Type"].startswith("text/html")
            assert headers["Retry-After"] == "30"
            assert "Vorübergehend nicht erreichbar" in page and '<html lang="de"' in page
            assert "Traceback" not in page and "OperationalError" not in page
        status, body, headers = _get(port, "/healthz")
        assert status == 503 and headers["Content-Type"] == "application/json"
        assert '"status": "error"' in body
        # The task worker polls the queue every second: give it the outage to notice.
        time.sleep(4)
        assert server.poll() is None, f"the service stopped in the outage:\n{server_log()}"

        cluster.start()
        # No restart of the app server: every request from now on is served.
        for _ in range(6):
            status, page, _headers = _get(port, "/")
            assert status == 200, f"{status} {page[:300]}\n{server_log()}"
        assert _get(port, "/healthz")[0] == 200
        assert server.poll() is None
        assert "Database unavailable" in server_log()  # the task worker waited, and said so
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()
