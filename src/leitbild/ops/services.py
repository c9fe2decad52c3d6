"""Backup and restore: all data and uploaded files in one archive.

The archive is a gzip-compressed tar file, read and written as a stream:

    manifest.json         what is inside: format, versions, migrations, row and file counts
    data.jsonl            every row of every archived model, one JSON object per line
                          (Django's JSON Lines serialisation), model after model
    files/media/…         uploads under MEDIA_ROOT (progress report attachments, reports)
    files/private/…       files under PRIVATE_ROOT (register aggregates, extracts in work)

Rows are written as they are read (``QuerySet.iterator``) and read back line by line,
so memory stays flat however many observations a city collects. A restore loads every
row inside one transaction and puts the files in place only after it succeeded.

Left out, because the code or the running site makes them anew (see EXCLUDED_MODELS):
content types and permissions (rows refer to them by natural key, so they need not have
the same ids in the database restored into), sessions, rate-limit counters and the
task queue with its results.
"""

import datetime as dt
import hashlib
import io
import json
import os
import secrets
import shutil
import tarfile
import tempfile
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.core.serializers import jsonl
from django.core.serializers.base import DeserializationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.python import Deserializer as PythonDeserializer
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Model, Prefetch
from django.utils import timezone

import leitbild

Progress = Callable[[int, int], None]

FORMAT = "leitbild-backup"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
DATA_NAME = "data.jsonl"
FILES_PREFIX = "files/"
# Archive folder → the setting naming the directory it comes from and goes back to.
FILE_ROOTS = {"media": "MEDIA_ROOT", "private": "PRIVATE_ROOT"}

EXCLUDED_MODELS = {
    "contenttypes.contenttype": "made by migrate; rows refer to them by natural key",
    "auth.permission": "made by migrate; users and groups refer to them by natural key",
    "sessions.session": "logins: after a restore everyone signs in again",
    "core.ratelimitcounter": "counters that expire within the hour",
    "django_tasks_db.dbtaskresult": "the task queue and old results; see docs/operations.md",
}
# Referred to by natural key, since they are not in the archive.
NATURAL_KEY_MODELS = (ContentType, Permission)

_BATCH_ROWS = 500
_PROGRESS_EVERY = 1000
_COPY_CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class Manifest:
    format_version: int
    app_version: str
    created_at: str
    database_vendor: str
    migrations: dict[str, list[str]]  # app label → applied migration names
    counts: dict[str, int]  # "app_label.model" → rows
    files: dict[str, int]  # archive folder ("media", "private") → files
    data_sha256: str

    def to_json(self) -> bytes:
        document = {"format": FORMAT, **asdict(self)}
        return json.dumps(document, indent=2, ensure_ascii=False).encode() + b"\n"

    @classmethod
    def from_json(cls, raw: bytes) -> "Manifest":
        try:
            document = json.loads(raw)
        except ValueError as error:
            raise BackupError(f"{MANIFEST_NAME} is not valid JSON ({error}).") from error
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise BackupError(f"{MANIFEST_NAME} does not describe a leitbild backup.")
        version = document.get("format_version")
        if not isinstance(version, int):
            raise BackupError(f"{MANIFEST_NAME} has no format_version.")
        if version > FORMAT_VERSION:
            raise BackupError(
                f"The archive has format version {version}; this leitbild reads up to "
                f"{FORMAT_VERSION}. Restore it with the leitbild version that wrote it "
                f"({document.get('app_version', 'unknown')}) or a newer one."
            )
        expected = {
            "app_version": str,
            "created_at": str,
            "database_vendor": str,
            "migrations": dict,
            "counts": dict,
            "files": dict,
            "data_sha256": str,
        }
        for key, kind in expected.items():
            if not isinstance(document.get(key), kind):
                raise BackupError(f"{MANIFEST_NAME}: {key!r} is missing or not a {kind.__name__}.")
        if not all(isinstance(n, int) and n >= 0 for n in document["counts"].values()):
            raise BackupError(f"{MANIFEST_NAME}: 'counts' must hold row numbers.")
        if not all(isinstance(n, int) and n >= 0 for n in document["files"].values()):
            raise BackupError(f"{MANIFEST_NAME}: 'files' must hold file numbers.")
        if not all(
            isinstance(names, list) and all(isinstance(n, str) for n in names)
            for names in document["migrations"].values()
        ):
            raise BackupError(f"{MANIFEST_NAME}: 'migrations' must list names per app.")
        return cls(format_version=version, **{key: document[key] for key in expected})

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


# --- backup -----------------------------------------------------------------------------


def backup_write(*, out: Path | BinaryIO, progress: Progress | None = None) -> Manifest:
    """Write all data and uploaded files to ``out`` (a path, or an open binary stream
    such as stdout). A path only appears once the archive is complete."""
    if isinstance(out, Path):
        out.parent.mkdir(parents=True, exist_ok=True)
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 (renamed into place, or removed)
            prefix=f".{out.name}.", suffix=".partial", dir=out.parent, delete=False
        )
        try:
            with handle:
                manifest = _backup_to_stream(handle, progress=progress, scratch_dir=out.parent)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(handle.name, out)
        except BaseException:
            Path(handle.name).unlink(missing_ok=True)
            raise
        return manifest
    return _backup_to_stream(out, progress=progress)


def _backup_to_stream(
    stream: BinaryIO, *, progress: Progress | None, scratch_dir: Path | None = None
) -> Manifest:
    models = archived_models()
    roots = _file_roots()
    # The rows go to a scratch file first (beside the archive, else in the system's temp
    # folder): a tar member needs its size up front, and the manifest with the counts
    # comes first in the archive.
    with tempfile.TemporaryFile(dir=scratch_dir) as data:
        with _read_snapshot():
            totals = {model._meta.label_lower: model._base_manager.count() for model in models}
            files = {name: _list_files(root) for name, root in roots.items()}
            tick = _Ticker(progress, sum(totals.values()) + sum(map(len, files.values())))
            writer = _HashingWriter(data)
            counts = _dump_rows(models, writer, tick)
            migrations = _applied_migrations()
        manifest = Manifest(
            format_version=FORMAT_VERSION,
            app_version=leitbild.__version__,
            created_at=timezone.now().astimezone(dt.UTC).isoformat(timespec="seconds"),
            database_vendor=connection.vendor,
            migrations=migrations,
            counts=counts,
            files={name: len(paths) for name, paths in files.items()},
            data_sha256=writer.sha256.hexdigest(),
        )
        size = data.tell()
        data.seek(0)
        with tarfile.open(fileobj=stream, mode="w|gz", compresslevel=6) as tar:
            _add_bytes(tar, MANIFEST_NAME, manifest.to_json())
            info = _member(DATA_NAME, size=size)
            tar.addfile(info, data)
            for name, paths in files.items():
                for path in paths:
                    relative = path.relative_to(roots[name]).as_posix()
                    try:
                        with path.open("rb") as fh:
                            stat = os.fstat(fh.fileno())
                            member = _member(
                                f"{FILES_PREFIX}{name}/{relative}",
                                size=stat.st_size,
                                mtime=stat.st_mtime,
                            )
                            tar.addfile(member, fh)
                    except FileNotFoundError:
                        # Deleted since it was listed (a register run finished and removed
                        # its extract). The manifest already counts it, so the archive
                        # would not restore: stop, and let the next run catch a calm moment.
                        raise BackupError(
                            f"{path} disappeared while the backup was written; run it again."
                        ) from None
                    tick()
    tick.finish()
    return manifest


def archived_models() -> list[type[Model]]:
    """Every concrete model whose rows go into the archive, in INSTALLED_APPS order.

    Many-to-many links travel with the model that declares them."""
    return [
        model
        for model in apps.get_models()
        if not model._meta.proxy
        and model._meta.managed
        and model._meta.label_lower not in EXCLUDED_MODELS
    ]


class _PreciseJSONEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder cuts times to milliseconds (as JavaScript does); a backup keeps
    the microseconds the database holds."""

    def default(self, o):
        if isinstance(o, dt.datetime | dt.time):
            return o.isoformat()
        return super().default(o)


class _ArchiveSerializer(jsonl.Serializer):
    """Django's JSON Lines, with natural keys only for content types and permissions.

    Everything else keeps its primary key: the archive holds those rows, so the ids stay
    valid, and a lookup per row by natural key (users by name) would slow a big restore.
    """

    def _model_supports_natural_key(self, model):
        return issubclass(model, NATURAL_KEY_MODELS) and super()._model_supports_natural_key(model)

    def end_object(self, obj):
        # One write per row instead of json.dump's many small ones.
        self.stream.write(json.dumps(self.get_dump_object(obj), **self.json_kwargs) + "\n")
        self._current = None


def _dump_rows(models: list[type[Model]], stream, tick: "_Ticker") -> dict[str, int]:
    counts: dict[str, int] = {}
    for model in models:
        label = model._meta.label_lower
        counts[label] = 0
        queryset = model._base_manager.order_by("pk")
        natural_fks = [
            field.name
            for field in model._meta.concrete_fields
            if field.many_to_one and issubclass(field.related_model, NATURAL_KEY_MODELS)
        ]
        if natural_fks:
            queryset = queryset.select_related(*natural_fks)
        prefetches = []
        for field in model._meta.local_many_to_many:
            if not field.remote_field.through._meta.auto_created:
                continue  # an explicit through model is archived as a model of its own
            related = field.related_model._base_manager
            if issubclass(field.related_model, Permission):
                related = related.select_related("content_type")
            else:
                related = related.only("pk")
            # Ordered, so that the same data always gives the same archive.
            prefetches.append(Prefetch(field.name, queryset=related.order_by("pk")))
        if prefetches:
            queryset = queryset.prefetch_related(*prefetches)

        def rows(queryset=queryset, label=label):
            for row in queryset.iterator(chunk_size=2000):
                counts[label] += 1
                tick()
                yield row

        _ArchiveSerializer().serialize(
            rows(), stream=stream, use_natural_foreign_keys=True, cls=_PreciseJSONEncoder
        )
    return counts


class _read_snapshot:
    """Read every table from one snapshot, so rows written during a long backup cannot
    leave the archive with a reference to a row it lacks.

    PostgreSQL: a REPEATABLE READ, READ ONLY transaction (writers are not blocked).
    SQLite: a deferred read transaction — ``atomic()`` would begin IMMEDIATE (see the
    settings) and lock every writer out for the whole backup, while a WAL reader
    sees a snapshot and blocks no one. Inside an existing transaction, that one is used.
    """

    def __enter__(self):
        self.mode = None
        if connection.in_atomic_block:
            return self
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            with connection.cursor() as cursor:
                cursor.execute("BEGIN DEFERRED")
            self.mode = "sqlite"
        else:
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            self.mode = "atomic"
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        return self

    def __exit__(self, *exc_info):
        if self.mode == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("COMMIT")
        elif self.mode == "atomic":
            return self.atomic.__exit__(*exc_info)
        return False


def _applied_migrations() -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app_label, name in sorted(MigrationRecorder(connection).applied_migrations()):
        applied.setdefault(app_label, []).append(name)
    return applied


def _file_roots() -> dict[str, Path]:
    """The file folders, symbolic links resolved: on several app servers MEDIA_ROOT and
    PRIVATE_ROOT are often links into a shared mount, and a restore must replace the
    folder on the share, not the link."""
    return {folder: Path(getattr(settings, name)).resolve() for folder, name in FILE_ROOTS.items()}


def _list_files(root: Path) -> list[Path]:
    """Regular files under ``root``, sorted; symbolic links are not followed (they could
    point anywhere on the machine)."""
    if not root.is_dir():
        return []
    found = []
    for directory, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for filename in sorted(filenames):
            path = Path(directory) / filename
            if path.is_file() and not path.is_symlink():
                found.append(path)
    return found


def _member(name: str, *, size: int, mtime: float | None = None) -> tarfile.TarInfo:
    # No owner names or ids: the archive moves between machines and users.
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(mtime if mtime is not None else time.time())
    info.mode = 0o644
    return info


def _add_bytes(tar: tarfile.TarFile, name: str, content: bytes) -> None:
    tar.addfile(_member(name, size=len(content)), io.BytesIO(content))


class _HashingWriter:
    """Text in, UTF-8 out to a binary file, with a running SHA-256 of what was written."""

    def __init__(self, target: BinaryIO):
        self.target, self.sha256 = target, hashlib.sha256()

    def write(self, text: str) -> int:
        raw = text.encode()
        self.sha256.update(raw)
        self.target.write(raw)
        return len(text)

    def flush(self):
        self.target.flush()


class _Ticker:
    """Calls ``progress(done, total)`` every so many items, not every item: a terminal
    redraw per row would cost more than the row."""

    def __init__(self, progress: Progress | None, total: int):
        self.progress, self.total, self.done = progress, total, 0

    def __call__(self, items: int = 1) -> None:
        self.done += items
        if self.progress and self.done % _PROGRESS_EVERY == 0:
            self.progress(min(self.done, self.total), self.total)

    def finish(self) -> None:
        if self.progress:
            self.progress(self.total, self.total)


# --- restore ----------------------------------------------------------------------------


def backup_restore(
    *, archive: Path | BinaryIO, force: bool = False, progress: Progress | None = None
) -> Manifest:
    """Replace all data and uploaded files with the archive's.

    Refuses, changing nothing, when the archive is damaged or not a leitbild backup,
    when it was written by code with migrations this code lacks, when the database's
    migrations differ from the archive's, or when the database holds data and ``force``
    is not set (``force`` deletes it first). Rows load in one transaction; files are
    unpacked beside their folders and swapped in only after the rows committed.
    """
    name = str(archive) if isinstance(archive, Path) else getattr(archive, "name", "the archive")
    if isinstance(archive, Path):
        try:
            handle = archive.open("rb")
        except OSError as error:
            raise BackupError(f"Cannot read {archive}: {error.strerror}.") from error
    else:
        handle = archive
    try:
        return _restore_from_stream(handle, name=name, force=force, progress=progress)
    finally:
        if isinstance(archive, Path):
            handle.close()


def _restore_from_stream(
    stream: BinaryIO, *, name: str, force: bool, progress: Progress | None
) -> Manifest:
    try:
        tar = tarfile.open(fileobj=stream, mode="r|gz")  # noqa: SIM115 (caller closes the stream)
    except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
        raise BackupError(
            f"{name} is not a leitbild backup: not a gzip-compressed tar archive ({error})."
        ) from error
    members = _members(tar, name)

    first = next(members, None)
    if first is None or first.name != MANIFEST_NAME or not first.isfile():
        raise BackupError(
            f"{name} is not a leitbild backup: it does not begin with {MANIFEST_NAME}."
        )
    manifest = Manifest.from_json(_read_member(tar, first, name))
    _check_migrations(manifest)
    if not force:
        occupied = _occupied_models()
        if occupied:
            raise BackupError(
                "The database is not empty (it has rows in "
                + ", ".join(occupied[:5])
                + (" …" if len(occupied) > 5 else "")
                + "). Restore into an empty database, or pass --force to delete "
                "everything in it first."
            )
    roots = _file_roots()
    for folder, root in roots.items():
        if os.path.ismount(root):
            raise BackupError(
                f"{FILE_ROOTS[folder]} ({root}) is a mount point; a restore replaces the "
                "folder as a whole. Mount the share one level up (LEITBILD_DATA_DIR) instead."
            )

    second = next(members, None)
    if second is None or second.name != DATA_NAME or not second.isfile():
        raise BackupError(f"{name} is damaged: {DATA_NAME} does not follow {MANIFEST_NAME}.")

    tick = _Ticker(progress, manifest.rows + sum(manifest.files.values()))
    staging: dict[str, Path] = {}
    try:
        with transaction.atomic():
            # Forced: the data goes. Not forced, the data tables are empty already; the
            # rest (sessions, queued tasks, rate-limit counters) belongs to whatever was
            # there before and would point at the wrong rows.
            _flush_database()
            source = tar.extractfile(second)
            _load_rows(source, manifest=manifest, tick=tick)
            for folder, root in roots.items():
                root.parent.mkdir(parents=True, exist_ok=True)
                staging[folder] = Path(
                    tempfile.mkdtemp(prefix=f".{root.name}.restore-", dir=root.parent)
                )
            unpacked = _unpack_files(tar, members, staging=staging, name=name, tick=tick)
            for folder in FILE_ROOTS:
                expected = manifest.files.get(folder, 0)
                if unpacked[folder] != expected:
                    raise BackupError(
                        f"{name} is damaged: it holds {unpacked[folder]} files for "
                        f"{folder}/, its manifest says {expected}."
                    )
        # Committed: now the files. One rename per folder, so a crash leaves either the
        # old folder or the new one in place, never a mixture.
        for folder, root in roots.items():
            _swap_in(staging.pop(folder), root)
    finally:
        for leftover in staging.values():
            shutil.rmtree(leftover, ignore_errors=True)
    tick.finish()
    return manifest


def _members(tar: tarfile.TarFile, name: str) -> Iterator[tarfile.TarInfo]:
    try:
        yield from tar
    except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
        raise BackupError(f"{name} is damaged or truncated ({error}).") from error


def _read_member(tar: tarfile.TarFile, member: tarfile.TarInfo, name: str) -> bytes:
    try:
        return tar.extractfile(member).read()
    except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
        raise BackupError(f"{name} is damaged or truncated ({error}).") from error


def _check_migrations(manifest: Manifest) -> None:
    """The rows fit this database's tables only if both are at the same migrations.

    Checked for the apps whose rows are in the archive."""
    archived_apps = {label.partition(".")[0] for label in manifest.counts}
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    for migration in loader.disk_migrations.values():
        known.update(migration.replaces or [])
    archive = {
        (app, migration)
        for app, names in manifest.migrations.items()
        if app in archived_apps
        for migration in names
    }
    unknown = sorted(archive - known)
    if unknown:
        listed = ", ".join(f"{app}.{migration}" for app, migration in unknown[:5])
        raise BackupError(
            f"The archive was written by a newer leitbild ({manifest.app_version}): this code "
            f"does not have its migrations {listed}. Install that version or a newer one, "
            "then restore."
        )
    database = {
        key for key in MigrationRecorder(connection).applied_migrations() if key[0] in archived_apps
    }
    if archive - database:
        raise BackupError(
            "The database is behind the archive: run `leitbild migrate`, then restore."
        )
    behind = sorted({app for app, _ in database - archive})
    if behind:
        steps = []
        for app in behind:
            names = sorted(manifest.migrations.get(app, []))
            steps.append(f"leitbild migrate {app} {names[-1] if names else 'zero'}")
        raise BackupError(
            f"The archive was written at an older schema (leitbild {manifest.app_version}) "
            "than this database has. Bring the empty database to the archive's state, "
            "restore, then migrate forward:\n  "
            + "\n  ".join(steps)
            + "\n  leitbild restore ARCHIVE\n  leitbild migrate"
        )


def _occupied_models() -> list[str]:
    return [model._meta.label_lower for model in archived_models() if model._base_manager.exists()]


def _flush_database() -> None:
    """Empty every table but content types and permissions (rows refer to those by
    natural key), inside the restore's transaction: a failed restore undoes it."""
    keep = {ContentType._meta.db_table, Permission._meta.db_table}
    tables = [
        table
        for table in connection.introspection.django_table_names(
            only_existing=True, include_views=False
        )
        if table not in keep
    ]
    statements = connection.ops.sql_flush(no_style(), tables, reset_sequences=True)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # TRUNCATE refuses tables with foreign-key checks still pending in this
            # transaction; run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for statement in statements:
            cursor.execute(statement)
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _load_rows(source: BinaryIO, *, manifest: Manifest, tick: _Ticker) -> None:
    sha256 = hashlib.sha256()
    position = {"line": 0}

    def records():
        for raw in source:
            position["line"] += 1
            sha256.update(raw)
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
            except ValueError as error:
                raise BackupError(
                    f"{DATA_NAME} line {position['line']} is not valid JSON ({error})."
                ) from error
            if not isinstance(record, dict) or not isinstance(record.get("model"), str):
                raise BackupError(f"{DATA_NAME} line {position['line']} is not a row.")
            if record["model"].lower() in EXCLUDED_MODELS:
                raise BackupError(
                    f"{DATA_NAME} line {position['line']}: {record['model']} rows do not "
                    "belong in a backup."
                )
            yield record

    counts: Counter[str] = Counter()
    loaded_models: set[type[Model]] = set()
    batch: list = []

    def flush():
        if batch:
            _insert(batch)
            batch.clear()

    try:
        for item in PythonDeserializer(records(), ignorenonexistent=False):
            model = type(item.object)
            if batch and type(batch[0].object) is not model:
                flush()
            batch.append(item)
            if len(batch) >= _BATCH_ROWS:
                flush()
            counts[model._meta.label_lower] += 1
            loaded_models.add(model)
            tick()
        flush()
    except BackupError:
        raise
    except (DeserializationError, DatabaseError, ValueError, LookupError, TypeError) as error:
        raise BackupError(
            f"{DATA_NAME} line {position['line']} cannot be loaded: {error}"
        ) from error
    except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
        raise BackupError(f"The archive is damaged or truncated ({error}).") from error

    if sha256.hexdigest() != manifest.data_sha256:
        raise BackupError(f"The archive is damaged: {DATA_NAME} does not match its checksum.")
    expected = {label: n for label, n in manifest.counts.items() if n}
    if dict(counts) != expected:
        differing = sorted(
            label
            for label in set(counts) | set(expected)
            if counts[label] != expected.get(label, 0)
        )
        raise BackupError(
            f"The archive is damaged: {DATA_NAME} does not hold the rows its manifest "
            f"counts ({', '.join(differing[:5])})."
        )

    tables = set()
    for model in loaded_models:
        tables.add(model._meta.db_table)
        tables.update(field.m2m_db_table() for field in model._meta.local_many_to_many)
    try:
        connection.check_constraints(table_names=sorted(tables))
    except IntegrityError as error:
        raise BackupError(f"The archive's rows do not fit together: {error}") from error
    statements = connection.ops.sequence_reset_sql(no_style(), list(loaded_models))
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def _insert(batch: list) -> None:
    """Insert deserialised rows of one model as they are, in one statement.

    ``raw`` like loaddata: fields' pre_save does not run, so ``auto_now`` timestamps keep
    their archived values (``bulk_create`` would overwrite them with now).
    """
    model = type(batch[0].object)
    fields = list(model._meta.local_concrete_fields)
    objects = [item.object for item in batch]
    size = max(1, min(len(objects), connection.ops.bulk_batch_size(fields, objects)))
    for start in range(0, len(objects), size):
        model._base_manager._insert(objects[start : start + size], fields=fields, raw=True)
    links: dict = {}
    for item in batch:
        for field_name, targets in (item.m2m_data or {}).items():
            field = model._meta.get_field(field_name)
            through = field.remote_field.through
            source = through._meta.get_field(field.m2m_field_name()).attname
            target = through._meta.get_field(field.m2m_reverse_field_name()).attname
            links.setdefault(through, []).extend(
                through(**{source: item.object.pk, target: pk}) for pk in targets
            )
    for through, rows in links.items():
        through._base_manager.bulk_create(rows, batch_size=_BATCH_ROWS)


def _unpack_files(
    tar: tarfile.TarFile,
    members: Iterator[tarfile.TarInfo],
    *,
    staging: dict[str, Path],
    name: str,
    tick: _Ticker,
) -> Counter[str]:
    unpacked: Counter[str] = Counter()
    for member in members:
        folder, _, relative = member.name.removeprefix(FILES_PREFIX).partition("/")
        path = PurePosixPath(relative)
        if (
            not member.name.startswith(FILES_PREFIX)
            or folder not in staging
            or not relative
            or path.is_absolute()
            or any(part in ("", ".", "..") for part in relative.split("/"))
        ):
            raise BackupError(f"{name} holds an unexpected entry: {member.name!r}.")
        if member.isdir():
            continue
        if not member.isfile():
            raise BackupError(f"{name}: {member.name} is not a regular file.")
        target = staging[folder].joinpath(*path.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            source = tar.extractfile(member)
            with open(target, "xb") as fh:
                shutil.copyfileobj(source, fh, _COPY_CHUNK)
        except FileExistsError:
            raise BackupError(f"{name} holds {member.name} twice.") from None
        except (tarfile.TarError, EOFError, zlib.error) as error:
            raise BackupError(f"{name} is damaged or truncated ({error}).") from error
        os.utime(target, (member.mtime, member.mtime))
        unpacked[folder] += 1
        tick()
    return unpacked


def _swap_in(staged: Path, target: Path) -> None:
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{secrets.token_hex(4)}")
        os.rename(target, old)
    os.rename(staged, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
