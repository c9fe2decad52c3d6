"""Staff upload a register extract: it is derived as a background task with visible
progress, the figures land in the monitoring, and the microdata is deleted at the end."""

import io

import polars as pl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from leitbild.monitoring.models import Observation, RegisterRun


@pytest.fixture
def register_staff(demo, django_user_model):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user(
        "statistik", password="pw-statistik-1", is_staff=True
    )
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_registerrun", "view_registerrun"])
    )
    return user


def extract_bytes(fmt="parquet", **changes):
    from leitbild.monitoring.derivation import synth

    frame = synth.synthesize(3000, seed=5, districts=["11", "12", "13"], year=2020)
    for column, value in changes.items():
        frame = frame.with_columns(pl.lit(value).alias(column))
    buffer = io.BytesIO()
    frame.write_parquet(buffer) if fmt == "parquet" else frame.write_csv(buffer)
    return buffer.getvalue()


def upload(client, data, name="auszug.parquet", year=2020, definition="muenster"):
    return client.post(
        reverse("monitoring:register_runs"),
        {
            "file": SimpleUploadedFile(name, data),
            "definition": definition,
            "year": year,
            "include_expellees": "on",
        },
    )


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_an_uploaded_extract_lands_in_the_monitoring_and_is_deleted(
    client, register_staff, fmt, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.PRIVATE_ROOT = tmp_path
    client.force_login(register_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, extract_bytes(fmt), name=f"auszug.{fmt}")
    run = RegisterRun.objects.get()
    assert response.status_code == 302 and response["Location"] == run.get_absolute_url()
    # The test task backend runs the task at once; the worker does the same in production.
    assert run.status == RegisterRun.Status.DONE, run.error
    assert run.persons == 3000 and run.progress == 100
    assert not run.extract and not list((tmp_path / "register").iterdir())
    observations = Observation.objects.filter(
        indicator__code="anteil-migrationshintergrund", period=2020
    )
    assert observations.filter(area__number="11", disaggregation={}).exists()
    page = client.get(run.get_absolute_url())
    assert "3000" in page.content.decode() or "3.000" in page.content.decode()
    status = client.get(reverse("monitoring:register_run_status", kwargs={"pk": run.pk})).json()
    assert status == {"status": "done", "progress": 100, "stage": status["stage"], "finished": True}
    csv = client.get(reverse("monitoring:register_run_aggregates", kwargs={"pk": run.pk}))
    assert b"district,sex,age_group" in b"".join(csv.streaming_content)
    # The unsuppressed table is for staff, and who downloaded it is on record.
    from leitbild.audit.models import AuditEvent

    (event,) = AuditEvent.objects.filter(action="export", subject__contains="register aggregates")
    assert event.username == "statistik" and event.people == 3000


def test_a_bad_extract_fails_with_its_report_publishes_nothing_and_is_deleted(
    client, register_staff, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.PRIVATE_ROOT = tmp_path
    client.force_login(register_staff)
    before = Observation.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, extract_bytes(sex="q"))
    run = RegisterRun.objects.get()
    assert run.status == RegisterRun.Status.FAILED
    assert "unknown sex code" in run.error
    assert Observation.objects.count() == before
    assert not list((tmp_path / "register").iterdir())
    assert "unknown sex code" in client.get(run.get_absolute_url()).content.decode()


def test_a_file_that_is_no_extract_is_refused_by_its_content(client, register_staff):
    client.force_login(register_staff)
    response = upload(client, b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, name="auszug.csv")
    assert response.status_code == 200
    assert "neither Parquet nor" in response.content.decode()
    assert not RegisterRun.objects.exists()


def test_progress_is_visible_while_the_run_waits(client, register_staff, settings, tmp_path):
    from leitbild.monitoring.services import register_run_create

    settings.PRIVATE_ROOT = tmp_path
    # A backend that only queues: the run waits as it would for a busy worker.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    client.force_login(register_staff)
    from leitbild.concept.models import City

    run = register_run_create(
        city=City.objects.get(name="Münster"),
        user=register_staff,
        upload=SimpleUploadedFile("a.parquet", extract_bytes()),
        definition="muenster",
        year=2020,
    )
    page = client.get(run.get_absolute_url()).content.decode()
    assert "<progress" in page and "job-progress.js" in page
    assert list((tmp_path / "register").iterdir())  # the microdata waits for the worker


def test_only_permitted_staff_see_runs(client, register_staff, staff):
    run_list = reverse("monitoring:register_runs")
    assert client.get(run_list).status_code == 302  # anonymous: to the login
    client.force_login(staff)
    assert client.get(run_list).status_code in (302, 403)
    client.force_login(register_staff)
    assert client.get(run_list).status_code == 200
