"""The monitoring report: a published-looking PDF of every field of action with its action
goals, measures, indicator charts (target drawn) and district tables (hidden cells
marked), made by ``leitbild export-report`` or requested on the web and laid out by the
task worker."""

import datetime as dt
import io
import re
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from leitbild.publishing import reports_services
from leitbild.publishing.models import MonitoringReport
from tests.test_publishing_pdf import pages_text, squash, toc_entries

PROGRESS_TEXT = (
    "Die Beratungsstellen sind eingerichtet; die ersten 40 Beratungen haben stattgefunden."
)


@pytest.fixture(scope="module")
def made(django_db_setup, django_db_blocker, tmp_path_factory):
    """The 2019 report, made once by ``leitbild export-report``, with the HTML WeasyPrint
    was given. A progress report is added for it and rolled back afterwards."""
    from leitbild.implementation.models import Measure

    out = tmp_path_factory.mktemp("report") / "monitoringbericht-2019.pdf"
    given = {}
    layout = reports_services.html_layout

    def spy(html):
        given["html"] = html
        return layout(html)

    stderr = io.StringIO()
    with django_db_blocker.unblock(), transaction.atomic():
        measure = Measure.objects.get(title__startswith="(Beispiel) Anerkennungsberatung")
        measure.reports.create(reported_on=dt.date(2020, 1, 1), text="Ein älterer Bericht.")
        measure.reports.create(reported_on=dt.date(2025, 3, 31), text=PROGRESS_TEXT, percent=40)
        with mock.patch.object(reports_services, "html_layout", spy):
            call_command(
                "export_report",
                "--edition",
                "2019",
                "--out",
                str(out),
                stderr=stderr,
                stdout=io.StringIO(),
            )
        fields = [f"{f.number} {f.title}" for f in _edition(2019).fields.order_by("position")]
        transaction.set_rollback(True)
    return {"pdf": out, "html": given["html"], "stderr": stderr.getvalue(), "fields": fields}


def _edition(year):
    from leitbild.concept.models import Edition

    return Edition.objects.get(city__name="Münster", year=year)


def test_the_demo_publishes_suppressed_district_values(demo):
    """The demo's naturalisations by district are disclosure-checked: small counts and
    what would reveal them are hidden, so the report has marked cells to show."""
    from leitbild.monitoring.models import Observation

    hidden = Observation.objects.filter(
        indicator__code="einbuergerungen",
        status=Observation.Status.SUPPRESSED,
        value__isnull=True,
        area__level="district",
        disaggregation_key="",
    )
    assert hidden.count() >= 2 * 3  # never a lone hidden cell in a year
    for year in (2022, 2023, 2024):
        shown = Observation.objects.filter(
            indicator__code="einbuergerungen", period=year, area__level="district"
        ).exclude(status=Observation.Status.SUPPRESSED)
        city = Observation.objects.get(
            indicator__code="einbuergerungen", period=year, area__level="city"
        )
        assert sum(o.value for o in shown) < city.value


def test_the_command_writes_every_field_charts_with_targets_and_marked_cells(made):
    pages = pages_text(made["pdf"])
    text = squash("\n".join(pages))
    assert len(pages) > 15
    assert len(made["fields"]) >= 10
    for title in made["fields"]:
        assert squash(title) in text, title
    # Action goals with their status and SMART check; measures with the latest report only.
    assert "(Beispiel) Die Wahlbeteiligung bei der Integrationsratswahl steigt" in text
    assert "Auf Kurs" in text or "Gefährdet" in text or "Nicht auf Kurs" in text
    assert "Erfüllt die SMART-Prüfung." in text
    assert re.search(r"Dient Teilziel 4 \(Seite \d+\)", text)  # the goal it serves
    assert "Nennen Sie, wer verantwortlich ist." in text
    assert squash(PROGRESS_TEXT) in text and "40 % erledigt" in text
    assert "Ein älterer Bericht." not in text
    # The turnout chart's target rule is labelled from the action goal (25 % by 2030).
    assert "Ziel 25 % (2030)" in text
    # A hidden district value, marked, with its legend.
    assert "•" in text
    assert "zum Schutz der Privatsphäre ausgeblendet (zu wenige Fälle)" in text
    # Methods and sources: where the figures come from, and the definition used.
    assert "Synthetische Demodaten" in text
    assert "Definition des Migrationshintergrunds" in text
    assert "100%" in made["stderr"]


def test_charts_are_inline_svg_with_the_target_as_a_dashed_rule(made):
    html = made["html"]
    svgs = re.findall(r"<svg\b.*?</svg>", html, re.S)
    assert len(svgs) >= 5
    turnout = next(s for s in svgs if "Ziel 25 % (2030)" in s)
    # Vega draws the target layer as a rule mark with the dash pattern of charts.line_chart.
    rule = re.search(r'class="mark-rule role-mark[^"]*".*?</g>', turnout, re.S)
    assert rule and "stroke-dasharray" in rule.group(0)
    assert 'aria-hidden="true"' in turnout.split(">", 1)[0]
    assert "<image" not in html and "http" not in re.sub(r'xmlns(:\w+)?="[^"]*"', "", turnout)
    # Each chart comes with a table of its numbers.
    assert html.count('class="report-table values-table"') >= len(svgs)


def test_the_pdf_draws_charts_as_vectors(made):
    from pypdf import PdfReader

    reader = PdfReader(made["pdf"])
    page = next(p for p in reader.pages if "Ziel 25 % (2030)" in (p.extract_text() or ""))
    content = page.get_contents().get_data().decode("latin-1")
    # Lines (l) stroked (S) with a dash pattern (d): the target rule, drawn, not an image.
    assert re.search(r"\[[\d. ]+\] [\d.]+ d", content)
    assert len(re.findall(r"\bl\b", content)) > 20
    resources = page.get("/Resources") or {}
    xobjects = resources.get("/XObject") or {}
    assert not any(x.get_object().get("/Subtype") == "/Image" for x in xobjects.values())


def test_every_contents_entry_names_the_page_its_heading_is_on(made):
    pages = pages_text(made["pdf"])
    toc_index = next(i for i, text in enumerate(pages) if text.lstrip().startswith("Inhalt"))
    entries = toc_entries(pages[toc_index])
    assert len(entries) >= len(made["fields"]) + 3, entries
    assert entries[0][0] == "Auf einen Blick"
    for title, page in entries:
        # The heading's page: the first page after the contents with a line beginning
        # with the title (a heading starts its line; a mention in running text rarely).
        words = r"\s+".join(re.escape(w) for w in title.split())
        heading = re.compile(rf"(?:^|\n)\s*{words}")
        found = next(
            (
                n + 1
                for n in range(toc_index + 1, len(pages))
                if heading.search(re.sub(r"[-\u2010\u00ad]\s*\n\s*(?=[a-zäöüß])", "", pages[n]))
            ),
            None,
        )
        assert found == page, f"{title!r}: contents say page {page}, heading is on {found}"
    # Running header and page number on a body page.
    assert re.search(r"\b8\s*$", pages[7].strip())
    assert "Integrationsmonitoring" in pages[7]


def test_the_report_reads_in_a_constant_number_of_queries(demo):
    """More indicators, action goals and measures do not mean more queries."""
    from leitbild.implementation.models import ActionGoal, Measure
    from leitbild.monitoring.models import Indicator
    from leitbild.monitoring.services import observations_import
    from leitbild.publishing.report import monitoring_report_content

    edition = demo[2019]

    def count():
        with CaptureQueriesContext(connection) as queries:
            content = monitoring_report_content(edition=edition)
        return len(queries), content

    count()  # caches filled on first use (content types, …) are not the report's
    before, _content = count()
    goals = list(edition.goals.select_related("field").order_by("field__position", "position"))
    for n, goal in enumerate(goals[:6]):
        indicator = Indicator.objects.create(
            city=edition.city, code=f"test-{n}", name=f"Test {n}", unit="%", position=90 + n
        )
        indicator.goals.add(goal)
        observations_import(
            city=edition.city,
            data=f"indicator,period,area,value\ntest-{n},2020,,{n}\ntest-{n},2020,11,{n}\n".encode(),
            filename="t.csv",
        )
        item = ActionGoal.objects.create(goal=goal, text=f"Test {n} auf 5 %", target_value=5)
        item.indicators.add(indicator)
        measure = Measure.objects.create(title=f"Maßnahme {n}")
        measure.action_goals.add(item)
        measure.reports.create(text="Bericht")
    after, content = count()
    assert after == before
    shown = {i.indicator.code for block in content.fields for i in block.indicators}
    assert {f"test-{n}" for n in range(6)} <= shown


@pytest.fixture
def report_staff(demo, django_user_model):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("bericht", password="pw-bericht-1", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="add_monitoringreport"))
    return user


def test_staff_request_a_report_the_worker_makes_it_and_everyone_downloads_it(
    client, report_staff, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(report_staff)
    page = client.get(reverse("publishing:reports")).content.decode()
    assert reverse("publishing:report_create") in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("publishing:report_create"), {"edition": "2019", "language": "de"}
        )
    report = MonitoringReport.objects.get()
    assert response.status_code == 302 and response["Location"] == report.get_absolute_url()
    # The test task backend runs the task at once; the worker does the same in production.
    assert report.status == MonitoringReport.Status.DONE, report.error
    assert report.progress == 100 and report.pages > 15 and report.requested_by == report_staff
    assert report.file.name.startswith("reports/")
    client.logout()  # the finished report is public
    status = client.get(reverse("publishing:report_status", kwargs={"pk": report.pk})).json()
    file_url = reverse("publishing:report_file", kwargs={"pk": report.pk})
    assert status["status"] == "done" and status["progress"] == 100 and status["finished"]
    assert status["url"] == file_url
    download = client.get(file_url)
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    listing = client.get(reverse("publishing:reports")).content.decode()
    assert file_url in listing and reverse("publishing:report_create") not in listing
    detail = client.get(report.get_absolute_url()).content.decode()
    assert file_url in detail


def test_creating_needs_the_permission_and_unfinished_reports_stay_with_staff(
    client, demo, report_staff, django_user_model
):
    someone = django_user_model.objects.create_user("jemand", password="pw-jemand-12")
    client.force_login(someone)
    data = {"edition": "2019", "language": "de"}
    assert client.post(reverse("publishing:report_create"), data).status_code == 403
    client.logout()
    assert client.post(reverse("publishing:report_create"), data).status_code == 403
    assert not MonitoringReport.objects.exists()
    queued = MonitoringReport.objects.create(edition=demo[2019], stage="Warten")
    for name in ("report", "report_status", "report_file"):
        assert (
            client.get(reverse(f"publishing:{name}", kwargs={"pk": queued.pk})).status_code == 404
        )
    client.force_login(report_staff)
    page = client.get(queued.get_absolute_url()).content.decode()
    assert reverse("publishing:report_status", kwargs={"pk": queued.pk}) in page
    assert "job-progress.js" in page
    state = client.get(reverse("publishing:report_status", kwargs={"pk": queued.pk})).json()
    assert state == {
        "status": "queued",
        "progress": 0,
        "stage": "Warten",
        "finished": False,
        "url": None,
    }
    assert (
        client.get(reverse("publishing:report_file", kwargs={"pk": queued.pk})).status_code == 404
    )
    # A bad choice is refused with the form, nothing queued.
    response = client.post(
        reverse("publishing:report_create"), {"edition": "1900", "language": "de"}
    )
    assert response.status_code == 400 and MonitoringReport.objects.count() == 1


def test_progress_is_written_to_the_row_as_it_goes_and_a_failure_recorded(
    demo, monkeypatch, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    report = MonitoringReport.objects.create(edition=demo[2019])
    at_layout = {}

    def broken(html):
        # What the status page would read while WeasyPrint works.
        at_layout.update(
            MonitoringReport.objects.values("status", "progress", "stage").get(pk=report.pk)
        )
        raise RuntimeError("no fonts")

    written = []
    update = reports_services._report_update

    def spy(row, **fields):
        written.append((fields.get("progress"), fields.get("stage")))
        update(row, **fields)

    monkeypatch.setattr(reports_services, "html_layout", broken)
    monkeypatch.setattr(reports_services, "_report_update", spy)
    with pytest.raises(RuntimeError):
        reports_services.monitoring_report_generate(report=report)
    assert at_layout == {"status": "running", "progress": 60, "stage": "PDF wird gesetzt"}
    stages = [stage for _progress, stage in written if stage]
    assert "Handlungsfeld 6.1 (1 von 11)" in stages and "Handlungsfeld 6.11 (11 von 11)" in stages
    steps = [p for p, _stage in written if p is not None]
    assert steps == sorted(steps)
    report.refresh_from_db()
    assert report.status == MonitoringReport.Status.FAILED and report.stage == "Abgebrochen"
    assert "no fonts" in report.error and not report.file and report.finished_at


def test_the_monitoring_page_links_to_the_reports(client, demo):
    page = client.get(reverse("monitoring:indicators")).content.decode()
    assert reverse("publishing:reports") in page
