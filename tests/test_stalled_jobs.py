"""A worker killed mid-job leaves it "running" for ever: the task framework does not notice.
`abandon_stalled_jobs` ends register runs and monitoring reports without progress for
JOB_STALL_MINUTES as failed, and deletes a register run's uploaded microdata."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from leitbild.monitoring.models import RegisterRun
from leitbild.publishing.models import MonitoringReport


@pytest.fixture
def queued_run(demo, settings, tmp_path, django_user_model):
    """A run whose task is only queued (the dummy backend runs nothing), as it is the
    moment a worker picks it up."""
    from leitbild.concept.models import City
    from leitbild.monitoring.services import register_run_create

    from .test_register_runs import extract_bytes

    settings.PRIVATE_ROOT = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    user = django_user_model.objects.create_user("statistik", is_staff=True)
    return register_run_create(
        city=City.objects.get(name="Münster"),
        user=user,
        upload=SimpleUploadedFile("a.parquet", extract_bytes()),
        definition="muenster",
        year=2020,
    )


def _worker_died_at(run, when):
    """What a worker leaves behind when it is killed after its first step at ``when``."""
    from leitbild.monitoring import services

    services._run_update(run, status=RegisterRun.Status.RUNNING, progress=15)
    RegisterRun.objects.filter(pk=run.pk).update(updated_at=when)


def test_a_run_without_progress_is_ended_and_its_microdata_deleted(queued_run, settings, tmp_path):
    settings.JOB_STALL_MINUTES = 60
    now = timezone.now()
    _worker_died_at(queued_run, now - timedelta(minutes=61))
    assert list((tmp_path / "register").iterdir())

    out = io.StringIO()
    call_command("abandon_stalled_jobs", stdout=out)

    queued_run.refresh_from_db()
    assert queued_run.status == RegisterRun.Status.FAILED
    assert queued_run.stage == RegisterRun.Stage.FAILED
    assert "seit 60 Minuten kein Fortschritt" in queued_run.error and not queued_run.extract
    assert queued_run.finished_at is not None
    assert not list((tmp_path / "register").iterdir())  # the microdata is gone
    assert out.getvalue().startswith("1 register run(s) and 0 monitoring report(s)")


@pytest.mark.parametrize(
    ("status", "minutes_ago"),
    [
        ("running", 59),  # slow, not dead: it wrote progress within the hour
        ("queued", 600),  # waiting for a worker: the queue keeps it
        ("done", 600),
    ],
)
def test_slow_waiting_and_finished_runs_are_left_alone(
    queued_run, settings, tmp_path, status, minutes_ago
):
    settings.JOB_STALL_MINUTES = 60
    RegisterRun.objects.filter(pk=queued_run.pk).update(
        status=status, updated_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    call_command("abandon_stalled_jobs", stdout=io.StringIO())
    queued_run.refresh_from_db()
    assert queued_run.status == status and not queued_run.error
    assert list((tmp_path / "register").iterdir())


def test_every_step_of_a_run_writes_its_time(queued_run):
    from leitbild.monitoring import services

    before = timezone.now()
    services._run_update(queued_run, progress=40)
    queued_run.refresh_from_db()
    assert queued_run.updated_at >= before


def test_a_report_without_progress_is_ended_with_the_reason_in_its_language(demo, settings):
    from leitbild.publishing import reports_services

    settings.JOB_STALL_MINUTES = 30
    now = timezone.now()
    stalled = MonitoringReport.objects.create(edition=demo[2019], language="en")
    reports_services._report_update(stalled, status=MonitoringReport.Status.RUNNING)
    MonitoringReport.objects.filter(pk=stalled.pk).update(updated_at=now - timedelta(hours=1))
    working = MonitoringReport.objects.create(edition=demo[2019])
    reports_services._report_update(working, status=MonitoringReport.Status.RUNNING)

    assert reports_services.monitoring_reports_abandon_stalled(now=now) == 1

    stalled.refresh_from_db()
    working.refresh_from_db()
    assert stalled.status == MonitoringReport.Status.FAILED and stalled.stage == "Stopped"
    assert "30 minutes" in stalled.error and stalled.finished_at == now
    assert working.status == MonitoringReport.Status.RUNNING and not working.error


def test_the_production_service_runs_it_every_quarter_hour():
    from django.core.management import get_commands

    from leitbild.ops.management.commands.serve import periodic_jobs

    jobs = {job.argv[-1]: job.every for job in periodic_jobs("python")}
    assert jobs["abandon_stalled_jobs"] == 15 * 60
    assert set(jobs) <= set(get_commands())  # every scheduled job is a real command
