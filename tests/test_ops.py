"""Operations: /healthz, request ids and client addresses, JSON logs, backup and restore,
and `leitbild serve --production` as a real process tree."""

import datetime as dt
import gzip
import io
import json
import logging
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tarfile
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, OperationalError, connection, connections
from django.test import RequestFactory
from django.utils import timezone

from leitbild.ops.logging import JsonFormatter, request_id
from leitbild.ops.middleware import ForwardedClientMiddleware
from leitbild.ops.services import (
    EXCLUDED_MODELS,
    BackupError,
    Manifest,
    archived_models,
    backup_restore,
    backup_write,
)

from .conftest import ROOT

PYTHON = sys.executable
SECRET = "ops-test-" + "Kq7#vL2!pW9x" * 5


# --- helpers ----------------------------------------------------------------------------


@pytest.fixture
def file_roots(settings, tmp_path):
    """Uploads and private files of this test only."""
    settings.MEDIA_ROOT = tmp_path / "data" / "media"
    settings.PRIVATE_ROOT = tmp_path / "data" / "private"
    return settings


@pytest.fixture
def keep_sequences_ahead(db):
    """A restore resets PostgreSQL sequences with setval(), which the test's rollback does
    not undo. Afterwards, move every sequence back to at least where it was, so that later
    tests never get an id that a committed demo row already has."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT schemaname, sequencename, last_value FROM pg_sequences")
        before = {f'"{s}"."{n}"': v for s, n, v in cursor.fetchall() if v is not None}
    yield
    try:
        with connection.cursor() as cursor:
            for name, value in before.items():
                cursor.execute(
                    f"SELECT setval(%s::regclass, GREATEST(%s, (SELECT last_value FROM {name})))",
                    [name, value],
                )
    except DatabaseError:
        pass  # the test failed inside the database; nothing was restored then


def canonical_content() -> dict[str, list[tuple]]:
    """Every archived row as a tuple of its field values (content types and permissions
    by natural key, many-to-many links as sorted ids), read through the ORM — not through
    the serialiser under test, so a field it forgot would show."""
    natural = (ContentType, Permission)
    content = {}
    for model in archived_models():
        fields = model._meta.concrete_fields
        links = model._meta.local_many_to_many
        queryset = model._base_manager.order_by("pk").prefetch_related(*[f.name for f in links])
        rows = []
        for obj in queryset:
            row = []
            for field in fields:
                value = field.value_from_object(obj)
                if field.many_to_one and issubclass(field.related_model, natural) and value:
                    value = field.related_model._base_manager.get(pk=value).natural_key()
                elif field.get_internal_type() == "FileField":
                    value = value.name
                row.append(value)
            for link in links:
                targets = getattr(obj, link.name).all()
                row.append(
                    sorted(t.natural_key() if isinstance(t, natural) else t.pk for t in targets)
                )
            rows.append(tuple(row))
        content[model._meta.label_lower] = rows
    return content


def files_under(*roots: Path) -> dict[str, bytes]:
    return {
        f"{root.name}/{path.relative_to(root).as_posix()}": path.read_bytes()
        for root in roots
        if root.exists()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def archive_members(path: Path) -> list[tuple[tarfile.TarInfo, bytes]]:
    with tarfile.open(path, "r:gz") as tar:
        return [(m, tar.extractfile(m).read() if m.isfile() else b"") for m in tar.getmembers()]


def write_archive(path: Path, members: list[tuple[str, bytes]]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, content in members:
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return path


def site_env(data_dir: Path, database_url: str, **extra) -> dict[str, str]:
    """A production-like environment for a `leitbild` subprocess."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "DJANGO_SETTINGS_MODULE", "DATABASE_URL", "LOG_FORMAT"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="leitbild.settings.base",
        LEITBILD_DATA_DIR=str(data_dir),
        DATABASE_URL=database_url,
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        **extra,
    )
    return env


# --- /healthz ---------------------------------------------------------------------------


@pytest.fixture
def database_queue(settings):
    """Tests run tasks in-process; /healthz looks at the database queue only when the
    site queues there, as production does."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def enqueue(*, age_seconds: float, status="READY", run_after=None):
    from django_tasks_db.models import DBTaskResult, get_date_max

    task = DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="leitbild.example.task",
        backend_name="default",
        run_after=run_after or get_date_max(),
        status=status,
        exception_class_path="",
        traceback="",
    )
    DBTaskResult.objects.filter(pk=task.pk).update(
        enqueued_at=timezone.now() - dt.timedelta(seconds=age_seconds)
    )
    return task


@pytest.mark.django_db
def test_healthz_reports_database_and_task_queue(client, database_queue):
    enqueue(age_seconds=30)
    enqueue(age_seconds=5)
    enqueue(age_seconds=3600, status="SUCCESSFUL")  # finished: not queued
    enqueue(age_seconds=0, run_after=timezone.now() + dt.timedelta(hours=1))  # not due yet

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["status"] == "ok"
    assert body["database"]["vendor"] == connection.vendor
    assert body["tasks"]["status"] == "ok"
    assert body["tasks"]["queued"] == 2
    assert 29 <= body["tasks"]["oldest_queued_seconds"] <= 40


@pytest.mark.django_db
def test_healthz_calls_a_stale_queue_degraded_but_stays_in_service(
    client, database_queue, settings
):
    settings.HEALTH_TASK_STALE_SECONDS = 900
    enqueue(age_seconds=1000)

    response = client.get("/healthz")

    assert response.status_code == 200  # load balancers keep the app server
    body = response.json()
    assert body["status"] == "degraded"
    assert body["tasks"]["status"] == "stale"
    assert body["tasks"]["oldest_queued_seconds"] >= 1000


@pytest.mark.django_db
def test_healthz_is_503_with_clean_json_when_the_database_fails(client):
    failing = mock.patch.object(
        connections["default"],
        "cursor",
        side_effect=OperationalError("could not connect to server: secret-db.internal"),
    )
    with failing:
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "error"
    assert body["database"] == {"status": "error", "error": "OperationalError"}
    text = response.content.decode()
    assert "Traceback" not in text and "secret-db" not in text  # public: no internals


@pytest.mark.django_db
def test_healthz_answers_probes_by_ip_over_plain_http(client, settings):
    """Load balancers probe each server by address and without TLS; neither the host
    check nor the HTTPS redirect may turn the probe into a 400 or a 301."""
    settings.ALLOWED_HOSTS = ["leitbild.example.org"]
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/healthz", HTTP_HOST="10.0.3.7:8000").status_code == 200
    # Everything else is still checked.
    assert client.get("/", HTTP_HOST="10.0.3.7:8000").status_code == 400


# --- request ids, client addresses, JSON logs ------------------------------------------


@pytest.mark.django_db
def test_every_response_carries_a_request_id(client):
    generated = client.get("/healthz")["X-Request-ID"]
    assert len(generated) == 32 and generated != client.get("/healthz")["X-Request-ID"]
    assert client.get("/healthz", HTTP_X_REQUEST_ID="nginx-4f2a.9")["X-Request-ID"] == (
        "nginx-4f2a.9"
    )
    forged = client.get("/healthz", HTTP_X_REQUEST_ID='x" level=error\n')["X-Request-ID"]
    assert forged != 'x" level=error\n' and len(forged) == 32


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        ("127.0.0.1", "203.0.113.9", "203.0.113.9"),  # local proxy: its visitor
        ("10.0.0.5", "198.51.100.1, 203.0.113.9", "203.0.113.9"),  # visitor-written left entry
        ("127.0.0.1", "203.0.113.9, 10.0.0.7", "203.0.113.9"),  # two trusted proxies
        ("192.0.2.66", "203.0.113.9", "192.0.2.66"),  # not a proxy we trust: ignored
        ("127.0.0.1", "not-an-address", "127.0.0.1"),
    ],
)
def test_client_address_is_taken_from_trusted_proxies_only(settings, peer, forwarded, client):
    settings.FORWARDED_ALLOW_IPS = ["127.0.0.1", "::1", "10.0.0.0/8"]
    seen = {}
    middleware = ForwardedClientMiddleware(lambda request: seen.update(request.META) or None)

    middleware(RequestFactory().get("/", REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=forwarded))

    assert seen["REMOTE_ADDR"] == client


def test_json_log_lines_parse_with_their_fields():
    formatter = JsonFormatter()
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.getLogger("leitbild.test").makeRecord(
            "leitbild.test",
            logging.ERROR,
            __file__,
            1,
            "Import of %s failed",
            ("werte.csv",),
            sys.exc_info(),
            extra={"rows": 12},
        )
    token = request_id.set("req-42")
    try:
        line = formatter.format(record)
    finally:
        request_id.reset(token)

    assert "\n" not in line  # one record, one line, traceback included
    entry = json.loads(line)
    assert entry["level"] == "ERROR"
    assert entry["logger"] == "leitbild.test"
    assert entry["message"] == "Import of werte.csv failed"
    assert entry["request_id"] == "req-42"
    assert entry["rows"] == 12
    assert "ValueError: boom" in entry["exception"]
    assert dt.datetime.fromisoformat(entry["time"]).tzinfo is not None


def test_json_access_log_has_http_fields_but_no_address_or_query():
    atoms = {
        "h": "203.0.113.9",
        "m": "GET",
        "U": "/beteiligung/bestaetigen/",
        "q": "token=secret",
        "s": "200",
        "D": 12500,
        "B": 512,
        "{x-request-id}o": "abc123",
    }
    record = logging.LogRecord(
        "gunicorn.access", logging.INFO, "", 0, "%(m)s %(U)s %(s)s", (atoms,), None
    )

    line = JsonFormatter().format(record)

    entry = json.loads(line)
    assert entry["http"] == {
        "method": "GET",
        "path": "/beteiligung/bestaetigen/",
        "status": 200,
        "duration_ms": 12.5,
        "bytes": 512,
    }
    assert entry["request_id"] == "abc123"
    assert "203.0.113.9" not in line and "secret" not in line


# --- backup and restore -----------------------------------------------------------------


def add_files_and_accounts(settings):
    """Beyond the demo: an uploaded attachment, a private file, accounts with groups and
    permissions (natural keys), a session (not archived)."""
    from leitbild.core.storage import private_storage
    from leitbild.implementation.models import Measure, ProgressReport

    measure = Measure.objects.order_by("pk").first()
    report = ProgressReport(measure=measure, text="Sprachkurse laufen", percent=40)
    report.attachment.save("bericht.pdf", ContentFile(b"%PDF-1.4 report\n"), save=True)
    private_storage.save("register-aggregates/2017.parquet", ContentFile(b"PAR1\x00\x01PAR1"))
    group = Group.objects.create(name="Integrationsrat")
    group.permissions.add(Permission.objects.get(codename="change_goal"))
    user = User.objects.create_user("archivist", password="pw-archivist-123", is_staff=True)
    user.groups.add(group)
    user.user_permissions.add(Permission.objects.get(codename="view_organisation"))
    Session.objects.create(
        session_key="s" * 32, session_data="x", expire_date=timezone.now() + dt.timedelta(1)
    )
    return report


@pytest.mark.django_db
def test_backup_flush_restore_gives_identical_content(file_roots, tmp_path, keep_sequences_ahead):
    report = add_files_and_accounts(file_roots)
    roots = (Path(file_roots.MEDIA_ROOT), Path(file_roots.PRIVATE_ROOT))
    content, files = canonical_content(), files_under(*roots)
    assert files[f"media/{report.attachment.name}"].startswith(b"%PDF")
    archive = tmp_path / "backups"
    archive.mkdir()

    out = io.StringIO()
    call_command("backup", out=str(archive), stdout=out)
    [written] = archive.iterdir()
    assert written.name.startswith("leitbild-") and written.name.endswith(".tar.gz")
    assert str(written) in out.getvalue()

    # Empty the database (content types and permissions included; migrate's handler
    # makes them anew, with new ids) and the file folders.
    connection.check_constraints()  # PostgreSQL: no pending checks before TRUNCATE
    call_command("flush", interactive=False, verbosity=0)
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file():
                path.unlink()
    assert not any(canonical_content().values())
    # Not data, so the database counts as empty; but it belongs to the old state.
    Session.objects.create(
        session_key="t" * 32, session_data="x", expire_date=timezone.now() + dt.timedelta(1)
    )

    progress = mock.Mock()
    manifest = backup_restore(archive=written, progress=progress)

    assert canonical_content() == content
    assert files_under(*roots) == files
    assert set(manifest.counts).isdisjoint(EXCLUDED_MODELS)  # no sessions, queue, …
    assert not Session.objects.exists()
    assert manifest.counts["implementation.progressreport"] >= 1
    assert manifest.files == {"media": 1, "private": 1}
    done, total = progress.call_args.args
    assert done == total == manifest.rows + 2
    # Leftover staging folders would pile up on every restore.
    assert sorted(p.name for p in roots[0].parent.iterdir()) == ["media", "private"]


@pytest.mark.django_db
def test_restore_refuses_a_database_with_data_unless_forced(
    file_roots, tmp_path, keep_sequences_ahead
):
    from leitbild.concept.models import Goal

    archive = tmp_path / "b.tar.gz"
    backup_write(out=archive)
    goal = Goal.objects.order_by("pk").first()
    Goal.objects.filter(pk=goal.pk).update(text="Geändert nach der Sicherung")

    with pytest.raises(CommandError, match=r"not empty.*--force"):
        call_command("restore", str(archive), interactive=False)
    goal.refresh_from_db()
    assert goal.text == "Geändert nach der Sicherung"

    call_command("restore", str(archive), force=True, interactive=False, stdout=io.StringIO())
    goal.refresh_from_db()
    assert goal.text != "Geändert nach der Sicherung"


@pytest.mark.django_db
def test_restore_replaces_a_linked_folder_on_its_share(settings, tmp_path, keep_sequences_ahead):
    """Several app servers: media/ is a link into a shared mount. The restored files must
    land on the share, and the link must stay."""
    share = tmp_path / "share" / "media"
    share.mkdir(parents=True)
    (share / "old.txt").write_text("before the restore")
    link = tmp_path / "data" / "media"
    link.parent.mkdir()
    link.symlink_to(share)
    settings.MEDIA_ROOT, settings.PRIVATE_ROOT = link, tmp_path / "data" / "private"
    archive = tmp_path / "b.tar.gz"
    backup_write(out=archive)
    (share / "old.txt").write_text("changed after the backup")
    (share / "new.txt").write_text("added after the backup")

    backup_restore(archive=archive, force=True)

    assert link.is_symlink() and link.resolve() == share.resolve()
    assert sorted(p.name for p in share.iterdir()) == ["old.txt"]
    assert (share / "old.txt").read_text() == "before the restore"


@pytest.fixture
def good_archive(file_roots, tmp_path):
    add_files_and_accounts(file_roots)
    archive = tmp_path / "good.tar.gz"
    backup_write(out=archive)
    return archive


def _rebuild(archive: Path, target: Path, change) -> Path:
    members = [(m.name, data) for m, data in archive_members(archive)]
    return write_archive(target, change(members))


def _edit_manifest(edit):
    def change(members):
        manifest = json.loads(members[0][1])
        edit(manifest)
        return [("manifest.json", json.dumps(manifest).encode()), *members[1:]]

    return change


def _edit_data(edit):
    def change(members):
        lines = members[1][1].decode().splitlines(keepends=True)
        return [members[0], ("data.jsonl", edit(lines).encode()), *members[2:]]

    return change


def _break_line(lines):
    lines[len(lines) // 2] = '{"model": "concept.goal", "pk": 1, "fields": {\n'
    return "".join(lines)


def _alter_a_value(lines):
    """Valid JSON, valid row, one letter of a goal's text changed: only the checksum
    can tell."""
    number = next(i for i, line in enumerate(lines) if '"concept.goal"' in line)
    row = json.loads(lines[number])
    text = row["fields"]["text"]
    row["fields"]["text"] = ("X" if text[0] != "X" else "Y") + text[1:]
    lines[number] = json.dumps(row, ensure_ascii=False) + "\n"
    return "".join(lines)


def _write(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


def _future_migration(manifest):
    manifest["migrations"]["concept"].append("9999_from_the_future")


def _older_schema(manifest):
    manifest["migrations"]["concept"] = manifest["migrations"]["concept"][:1]


BAD_ARCHIVES = {
    "not-tar": (lambda src, dst: _write(dst, b"PK\x03\x04 a zip file?"), "not a gzip"),
    "gzip-not-tar": (
        lambda src, dst: _write(dst, gzip.compress(b"just text")),
        "not a leitbild backup",
    ),
    "no-manifest": (
        lambda src, dst: _rebuild(src, dst, lambda members: members[1:]),
        "does not begin with manifest.json",
    ),
    "manifest-not-json": (
        lambda src, dst: _rebuild(
            src, dst, lambda members: [("manifest.json", b"{format: 1"), *members[1:]]
        ),
        "manifest.json is not valid JSON",
    ),
    "data-not-json": (
        lambda src, dst: _rebuild(src, dst, _edit_data(_break_line)),
        r"data.jsonl line \d+ is not valid JSON",
    ),
    "data-altered": (
        lambda src, dst: _rebuild(src, dst, _edit_data(_alter_a_value)),
        "checksum",
    ),
    "truncated": (
        lambda src, dst: _write(dst, src.read_bytes()[: src.stat().st_size // 2]),
        "damaged or truncated",
    ),
    "file-missing": (
        lambda src, dst: _rebuild(src, dst, lambda members: members[:-1]),
        "holds 0 files for private/",
    ),
    "newer-code": (
        lambda src, dst: _rebuild(src, dst, _edit_manifest(_future_migration)),
        "newer leitbild.*concept.9999_from_the_future",
    ),
    "older-schema": (
        lambda src, dst: _rebuild(src, dst, _edit_manifest(_older_schema)),
        "(?s)older schema.*leitbild migrate concept 0001",
    ),
    "path-escape": (
        lambda src, dst: _rebuild(
            src, dst, lambda members: [*members, ("files/media/../../evil.txt", b"x")]
        ),
        "unexpected entry",
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", BAD_ARCHIVES)
def test_a_bad_archive_is_refused_and_nothing_changes(
    case, good_archive, file_roots, tmp_path, keep_sequences_ahead
):
    make, message = BAD_ARCHIVES[case]
    bad = make(good_archive, tmp_path / "bad.tar.gz")
    roots = (Path(file_roots.MEDIA_ROOT), Path(file_roots.PRIVATE_ROOT))
    content, files = canonical_content(), files_under(*roots)

    # --force: even the deletion that a forced restore starts with must be undone.
    with pytest.raises(BackupError, match=message):
        backup_restore(archive=bad, force=True)

    assert canonical_content() == content
    assert files_under(*roots) == files
    assert sorted(p.name for p in roots[0].parent.iterdir()) == ["media", "private"]
    assert not (tmp_path / "evil.txt").exists()


def test_manifest_round_trips_and_rejects_a_newer_format():
    manifest = Manifest(
        format_version=1,
        app_version="0.1.0",
        created_at="2026-01-01T00:00:00+00:00",
        database_vendor="sqlite",
        migrations={"concept": ["0001_initial"]},
        counts={"concept.goal": 3},
        files={"media": 0, "private": 0},
        data_sha256="0" * 64,
    )
    assert Manifest.from_json(manifest.to_json()) == manifest
    newer = json.loads(manifest.to_json()) | {"format_version": 2}
    with pytest.raises(BackupError, match="format version 2"):
        Manifest.from_json(json.dumps(newer).encode())


def _data_rows(archive: Path) -> list[dict]:
    with tarfile.open(archive, "r:gz") as tar:
        return [json.loads(line) for line in tar.extractfile("data.jsonl")]


@pytest.mark.slow
@pytest.mark.django_db
def test_a_backup_moves_between_sqlite_and_postgresql(
    file_roots, tmp_path, keep_sequences_ahead, request
):
    """Written by a site on one database, restored into the other: every row arrives
    (the restored database writes the same rows back) and pages' content is there.
    The SQLite run writes the backup on a throwaway PostgreSQL cluster of its own (or
    on ``LEITBILD_TEST_POSTGRES_URL``)."""
    scratch = None
    if connection.vendor == "postgresql":
        source_url = f"sqlite:///{tmp_path / 'source.sqlite3'}"
    else:
        server = os.environ.get("LEITBILD_TEST_POSTGRES_URL")
        if not server:
            server = request.getfixturevalue("cluster").url("postgres")
        import psycopg

        scratch = f"leitbild_ops_{os.getpid()}"
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{scratch}"')
        source_url = server.rsplit("/", 1)[0] + f"/{scratch}"
    archive = tmp_path / "source.tar.gz"
    source_data = tmp_path / "source-data"
    (source_data / "media" / "reports").mkdir(parents=True)
    (source_data / "media" / "reports" / "q3.pdf").write_bytes(b"%PDF-1.4 q3\n")
    script = (
        "import sys, django; django.setup()\n"
        "from django.core.management import call_command as c\n"
        "c('migrate', interactive=False, verbosity=0)\n"
        "c('load_demo', no_user=True, verbosity=0)\n"
        "c('backup', out=sys.argv[1], verbosity=0)\n"
    )
    try:
        result = subprocess.run(
            [PYTHON, "-c", script, str(archive)],
            env=site_env(source_data, source_url),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        if scratch:
            with psycopg.connect(server, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
    assert result.returncode == 0, result.stderr[-3000:]

    manifest = backup_restore(archive=archive, force=True)

    assert manifest.database_vendor != connection.vendor
    for model in archived_models():
        label = model._meta.label_lower
        assert model._base_manager.count() == manifest.counts.get(label, 0), label
    again = tmp_path / "again.tar.gz"
    backup_write(out=again)
    key = lambda row: (row["model"], json.dumps(row["pk"]))  # noqa: E731
    assert sorted(_data_rows(again), key=key) == sorted(_data_rows(archive), key=key)
    from leitbild.concept.models import Edition, Goal

    edition = Edition.objects.get(city__name="Münster", year=2019)
    assert Goal.objects.filter(edition=edition).count() == 159
    assert (Path(file_roots.MEDIA_ROOT) / "reports" / "q3.pdf").read_bytes() == b"%PDF-1.4 q3\n"
    # New rows get new ids: the sequences were moved past the restored rows.
    from leitbild.actors.models import Organisation

    newest = Organisation.objects.order_by("pk").last()
    added = Organisation.objects.create(
        city=edition.city,
        name="Neu nach der Wiederherstellung",
        slug="neu",
        category=newest.category,
    )
    assert added.pk > newest.pk


# --- serve ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_serve_production_refuses_unsafe_settings(settings):
    settings.DEBUG = True
    settings.SECRET_KEY = "insecure-development-key-do-not-use-in-production"
    settings.ALLOWED_HOSTS = []
    with pytest.raises(CommandError) as refused:
        call_command("serve", production=True)
    message = str(refused.value)
    assert "DEBUG is on" in message
    assert "SECRET_KEY is not set" in message
    assert "ALLOWED_HOSTS is empty" in message


@pytest.mark.django_db
def test_serve_production_refuses_unapplied_migrations(settings):
    settings.DEBUG = False
    pending = [(SimpleNamespace(app_label="concept", name="0042_new_field"), False)]
    with (
        mock.patch(
            "django.db.migrations.executor.MigrationExecutor.migration_plan",
            return_value=pending,
        ),
        pytest.raises(CommandError, match=r"concept\.0042_new_field.*leitbild migrate"),
    ):
        call_command("serve", production=True)


@pytest.mark.django_db
def test_serve_collects_static_files_when_missing_or_stale(settings, tmp_path):
    from leitbild.ops.management.commands.serve import Command

    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    command = Command(stderr=io.StringIO())
    manifest = tmp_path / "static" / "staticfiles.json"
    with mock.patch("leitbild.ops.management.commands.serve.call_command") as collect:
        command._collect_static_if_needed()  # no manifest
        assert collect.call_count == 1
        manifest.parent.mkdir()
        manifest.write_text("{}")
        future = time.time() + 3600  # newer than any source, even one edited just now
        os.utime(manifest, (future, future))
        command._collect_static_if_needed()  # fresh manifest
        assert collect.call_count == 1
        os.utime(manifest, (0, 0))  # older than the sources: an upgrade brought new files
        command._collect_static_if_needed()
        assert collect.call_count == 2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _process_table() -> dict[int, tuple[int, str]]:
    """pid → (parent pid, command line), from /proc."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z":
            table[int(entry.name)] = (int(fields[1]), cmdline)
    return table


@pytest.fixture(scope="session")
def migrated_site(tmp_path_factory, django_db_setup, django_db_blocker):
    """A data folder with a migrated SQLite database, for a server subprocess. On a SQLite
    run the (already migrated) test database is copied, which is much faster."""
    root = tmp_path_factory.mktemp("site")
    database = root / "leitbild.sqlite3"
    with django_db_blocker.unblock():
        if connection.vendor == "sqlite":
            source = sqlite3.connect(connection.settings_dict["NAME"])
            target = sqlite3.connect(database)
            with target:
                source.backup(target)
            source.close()
            target.close()
        else:
            subprocess.run(
                [PYTHON, "-m", "leitbild.cli", "migrate", "--noinput", "-v0"],
                env=site_env(root, f"sqlite:///{database}"),
                cwd=ROOT,
                check=True,
                timeout=300,
            )
    # Collecting (and compressing) every static file takes half a minute; its trigger is
    # tested above. A fresh manifest lets the server start at once.
    static = root / "static"
    static.mkdir()
    (static / "staticfiles.json").write_text('{"paths": {}, "version": "1.1", "hash": ""}')
    return root, f"sqlite:///{database}"


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process table")
def test_serve_production_runs_web_workers_and_task_worker_and_stops_on_sigterm(
    migrated_site, tmp_path
):
    root, database_url = migrated_site
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as log_file:
        server = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "leitbild.cli",
                "serve",
                "--production",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
            ],
            env=site_env(root, database_url, LOG_FORMAT="json"),
            cwd=ROOT,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        health, web_workers, tree = None, [], {}
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=3) as r:
                    health = (r.status, json.load(r))
            except OSError:
                health = None
            table = _process_table()
            tree = {pid: cmd for pid, (ppid, cmd) in table.items() if ppid == server.pid}
            masters = [pid for pid, cmd in tree.items() if "gunicorn" in cmd]
            web_workers = [pid for pid, (ppid, _) in table.items() if ppid in masters]
            if health and len(web_workers) >= 2:
                break
            time.sleep(0.5)
        assert health is not None, log.read_text()[-3000:]
        status, body = health
        assert status == 200 and body["status"] == "ok", body
        assert body["tasks"]["queued"] == 0  # production settings: the database queue
        assert len(web_workers) == 2, tree
        assert any("db_worker" in cmd for cmd in tree.values()), tree
        everyone = set(tree) | set(web_workers)

        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=45) == 0
        deadline = time.monotonic() + 10
        while everyone & set(_process_table()) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not everyone & set(_process_table()), "processes outlived serve"
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()

    # LOG_FORMAT=json reaches gunicorn's access log: the probe, as a JSON line.
    entries = []
    for line in log.read_text().splitlines():
        try:
            entries.append(json.loads(line))
        except ValueError:
            continue
    probes = [e for e in entries if e.get("logger") == "gunicorn.access"]
    assert any(e["http"]["path"] == "/healthz" and e["http"]["status"] == 200 for e in probes)
    assert all(e.get("request_id") for e in probes)


def test_the_supervisor_runs_periodic_jobs_without_tying_the_service_to_them(tmp_path):
    """A periodic job (the daily anonymisation) runs on schedule; its ending, even with
    an error, does not stop the service — only a long-lived child's ending does."""
    from leitbild.ops.supervisor import Child, Periodic, supervise

    marker = tmp_path / "runs"
    job = Periodic(
        "count",
        ["sh", "-c", f"echo x >> {marker}; exit 3"],
        every=0.3,
        first_after=0.0,
    )
    status = supervise([Child("sleeper", ["sleep", "1.5"])], periodic=[job], stop_timeout=5)
    assert status == 1  # the sleeper ended by itself
    assert len(marker.read_text().split()) >= 3
