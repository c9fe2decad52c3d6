"""Import and page benchmarks: `make bench` (or `.venv/bin/python benchmarks/run.py`).

Prints one table: import time of the 2019 edition (first import and re-import), lineage
linking, registrations (one after another and 40 at once), and for each page type its
time and number of database queries — participation pages with 500 contributions. Run it with
``DATABASE_URL`` set to measure PostgreSQL; by default it uses a fresh SQLite file.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leitbild.settings.test")
tmp = tempfile.mkdtemp(prefix="leitbild-bench-")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from leitbild.concept.demo import DEMO_DIR  # noqa: E402
from leitbild.concept.models import Edition  # noqa: E402
from leitbild.concept.services import edition_import_text, edition_link_lineage  # noqa: E402
from leitbild.demo.loader import demo_load  # noqa: E402

REPEAT = int(os.environ.get("BENCH_REPEAT", "5"))


def timed(fn, repeat=REPEAT):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def participation_rows():
    """Registrations one by one and 40 at once; then 500 contributions for the pages."""
    import datetime as dt
    import threading

    from django.db import close_old_connections
    from django.utils import timezone

    from leitbild.participation.models import Process
    from leitbild.participation.services import (
        contribution_submit,
        event_create,
        registration_create,
    )

    process = Process.objects.get()
    start = timezone.now() + dt.timedelta(days=30)
    rows = []

    event = event_create(
        process=process, title="Bench", starts_at=start, ends_at=start, capacity=100
    )
    counter = iter(range(10**6))

    def register_one():
        n = next(counter)
        registration_create(event=event, name=f"P{n}", email=f"p{n}@example.org", consent=True)

    ms, _ = timed(register_one, repeat=50)
    rows.append(("register one person (seat count under lock + mail task)", ms, "–"))

    crowd = event_create(
        process=process, title="Crowd", starts_at=start, ends_at=start, capacity=10
    )
    barrier = threading.Barrier(40)

    def worker(n):
        barrier.wait()
        registration_create(event=crowd, name=f"C{n}", email=f"c{n}@example.org", consent=True)
        close_old_connections()

    began = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ms = (time.perf_counter() - began) * 1000
    confirmed = crowd.registrations.filter(status="confirmed").count()
    rows.append((f"40 registrations at once, 10 seats → {confirmed} confirmed", ms, "–"))

    goals = list(process.draft_edition.goals.filter(field__number="6.2").order_by("position"))
    for n in range(500):
        contribution_submit(
            process=process,
            kind="comment",
            goal=goals[0] if n % 2 == 0 else goals[n % len(goals)],
            body=f"Synthetischer Beitrag {n} für den Benchmark.",
            email=f"b{n}@example.org",
            email_confirmed=True,
            stakeholder_group="resident",
        )
    return rows


def monitoring_rows():
    """Import 20,000 synthetic observations (40 years × 50 areas × 10 breakdowns)."""
    from leitbild.concept.models import City, District
    from leitbild.monitoring.models import Indicator
    from leitbild.monitoring.services import observations_import

    city = City.objects.get(name="Münster")
    for n in range(1, 51):
        District.objects.get_or_create(
            city=city, level="district", name=f"Bench-Bezirk {n}", defaults={"number": str(100 + n)}
        )
    Indicator.objects.get_or_create(
        city=city,
        code="bench",
        defaults={"name": "Benchmark (synthetisch)", "unit": "%", "disaggregations": ["group"]},
    )
    lines = ["indicator,period,area,group,value"]
    for year in range(1985, 2025):
        for n in range(1, 51):
            for g in range(10):
                lines.append(f"bench,{year},{100 + n},{f'g{g}' if g else ''},{(year + n + g) % 97}")
    data = ("\n".join(lines) + "\n").encode()
    began = time.perf_counter()
    report = observations_import(city=city, data=data, filename="bench.csv")
    ms = (time.perf_counter() - began) * 1000
    rows = [(f"import {report.created:,} observations (CSV, all checked first)", ms, "–")]
    began = time.perf_counter()
    report = observations_import(city=city, data=data, filename="bench.csv")
    ms = (time.perf_counter() - began) * 1000
    rows.append((f"re-import them unchanged ({report.unchanged:,} left as they are)", ms, "–"))
    # Every tenth value changes (a digit appended).
    changed = b"\n".join(
        line if i == 0 or i % 10 else line + b"1"
        for i, line in enumerate(data.split(b"\n"))
        if line
    )
    began = time.perf_counter()
    report = observations_import(city=city, data=changed + b"\n", filename="bench.csv")
    ms = (time.perf_counter() - began) * 1000
    rows.append((f"re-import with {report.updated:,} values changed", ms, "–"))
    return rows


def main():
    call_command("migrate", verbosity=0)
    rows = []
    ms, _ = timed(demo_load, repeat=1)
    rows.append(("load demo (2014 + 2019 + draft 2025 + process)", ms, "–"))
    data = (DEMO_DIR / "muenster-2019.txt").read_bytes()
    ms, _ = timed(
        lambda: edition_import_text(data=data, source_name="bench", city_name="Münster", year=2019)
    )
    rows.append(("re-import 2019 (159 goals, in place)", ms, "–"))
    old, new = Edition.objects.get(year=2014), Edition.objects.get(year=2019)
    ms, _ = timed(lambda: edition_link_lineage(old=old, new=new))
    rows.append(("link lineage 2014 → 2019 (7 × 159 goals)", ms, "–"))
    # A full revision: the 2019 text again as a (synthetic) 2025 edition.
    edition_import_text(data=data, source_name="bench", city_name="Bench-Stadt", year=2019)
    edition_import_text(data=data, source_name="bench", city_name="Bench-Stadt", year=2025)
    b19, b25 = (
        Edition.objects.get(city__name="Bench-Stadt", year=2019),
        Edition.objects.get(city__name="Bench-Stadt", year=2025),
    )
    ms, _ = timed(lambda: edition_link_lineage(old=b19, new=b25))
    rows.append(("link lineage, full revision (159 × 159 goals)", ms, "–"))

    rows += participation_rows()
    rows += monitoring_rows()

    client = Client()
    process = "/beteiligung/fortschreibung-2023-2025"
    pages = [
        ("edition overview", "/leitbild/2019/"),
        ("chapter (Präambel)", "/leitbild/2019/kapitel/1/"),
        ("field 6.6 (11 goals)", "/leitbild/2019/6-6/"),
        ("field 6.8 (20 goals)", "/leitbild/2019/6-8/"),
        ("goal page", "/leitbild/2019/6-2/teilziel-2-1/"),
        ("search 'Sprache'", "/suche/?q=Sprache"),
        ("comparison 2014 → 2019", "/vergleich/2014/2019/"),
        ("API edition document", "/api/v1/editions/2019/"),
        ("process page with timeline", f"{process}/"),
        ("calendar", f"{process}/termine/"),
        ("iCalendar feed, 16 events", f"{process}/kalender.ics"),
        ("draft goal, 250 contributions", f"{process}/entwurf/6-2/teilziel-1/"),
        ("all contributions (500, 50 a page)", f"{process}/beitraege/"),
        ("consideration table (500)", f"{process}/abwaegung/"),
        ("consideration table XLSX", f"{process}/abwaegung.xlsx"),
        ("who took part", f"{process}/beteiligte/"),
        ("API events", "/api/v1/events/"),
        ("indicator page, 20,000 observations", "/monitoring/bench/"),
        ("indicator list with status", "/monitoring/"),
        ("API observations, first page", "/api/v1/indicators/bench/observations/"),
    ]
    for label, url in pages:
        client.get(url)  # warm caches and templates
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        query_count = len(ctx)  # read now: every request resets the connection's log
        assert response.status_code == 200, url
        ms, _ = timed(lambda url=url: client.get(url))
        rows.append((f"GET {url}  ({label})", ms, str(query_count)))

    print(f"\nleitbild benchmarks — {connection.vendor}, median of {REPEAT} runs\n")
    width = max(len(r[0]) for r in rows)
    print(f"| {'what'.ljust(width)} | {'ms':>8} | queries |")
    print(f"|{'-' * (width + 2)}|{'-' * 10}|---------|")
    for what, ms, queries in rows:
        print(f"| {what.ljust(width)} | {ms:8.1f} | {queries:>7} |")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main())
