import os
import sys
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection, connections
from django.db.migrations.executor import MigrationExecutor

from leitbild.ops.supervisor import Child, Periodic, supervise

# The fallback key of settings/base.py with DEBUG, and Django's generated placeholder.
_INSECURE_KEYS = ("insecure-development-key", "django-insecure-")
# Each sync worker holds its own copy of the application (~150 MB with the PDF and data
# libraries loaded); past this, add machines or threads rather than processes.
_MAX_DEFAULT_WORKERS = 8


def default_workers() -> int:
    """gunicorn's rule of thumb, 2 × cores + 1, counted on the cores this process may use
    (a container's CPU set, not the host's), and capped."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return min(2 * cores + 1, _MAX_DEFAULT_WORKERS)


def periodic_jobs(python: str) -> list[Periodic]:
    """What ``serve --production`` runs on a schedule beside the site and the workers."""
    return [
        # Registrations past their retention time are anonymised (what the privacy notice
        # promises), expired privacy links cleared.
        Periodic(
            "anonymise registrations",
            [python, "-m", "leitbild.cli", "anonymise_registrations"],
            every=24 * 3600,
        ),
        # The jobs of a worker that died are ended, a register run's microdata with them.
        Periodic(
            "abandon stalled jobs",
            [python, "-m", "leitbild.cli", "abandon_stalled_jobs"],
            every=15 * 60,
        ),
    ]


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Serve the site and run the background task worker beside it. With --production: "
        "gunicorn with several workers, after checking settings, migrations and static "
        "files; without: Django's development server."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--production", action="store_true", help="run gunicorn (DEBUG must be off)"
        )
        parser.add_argument(
            "--bind",
            default="127.0.0.1:8000",
            help="address:port or unix:/path to listen on (default: %(default)s)",
        )
        parser.add_argument(
            "--workers",
            type=_positive,
            default=None,
            help=f"web worker processes (default: 2 × cores + 1, at most "
            f"{_MAX_DEFAULT_WORKERS}; here {default_workers()})",
        )
        parser.add_argument(
            "--timeout",
            type=_positive,
            default=120,
            help="seconds before a busy web worker is restarted (default: %(default)s)",
        )
        parser.add_argument(
            "--task-workers",
            type=_positive,
            default=1,
            help="background task worker processes (default: %(default)s)",
        )
        parser.add_argument(
            "--no-task-worker",
            action="store_true",
            help="no task worker here: it runs as a service of its own",
        )

    def handle(self, *args, production, bind, workers, timeout, task_workers, **options):
        python = sys.executable
        children = []
        if production:
            self._check_production_settings()
            self._check_migrations()
            self._collect_static_if_needed()
            workers = workers or default_workers()
            children.append(
                Child(
                    "web (gunicorn)",
                    [
                        python,
                        "-m",
                        "gunicorn",
                        "--config",
                        "python:leitbild.ops.gunicorn_config",
                        "--workers",
                        str(workers),
                        "--bind",
                        bind,
                        "--timeout",
                        str(timeout),
                        # The same proxies Django trusts for the client address.
                        "--forwarded-allow-ips",
                        ",".join(settings.FORWARDED_ALLOW_IPS) or "127.0.0.1,::1",
                    ],
                )
            )
        else:
            children.append(
                Child("web (runserver)", [python, "-m", "leitbild.cli", "runserver", bind])
            )
        if not options["no_task_worker"]:
            for number in range(1, task_workers + 1):
                children.append(
                    Child(
                        f"task worker {number}",
                        [python, "-m", "leitbild.cli", "db_worker", "--no-reload"]
                        if production
                        else [python, "-m", "leitbild.cli", "db_worker"],
                    )
                )
        # The children open their own connections; this process needs none while it waits.
        connections.close_all()
        sys.stdout.flush()
        status = supervise(children, periodic=periodic_jobs(python) if production else [])
        if status:
            sys.exit(status)

    def _check_production_settings(self):
        problems = []
        if settings.DEBUG:
            problems.append("DEBUG is on: unset it (DEBUG shows internals to every visitor).")
        key = settings.SECRET_KEY or ""
        if not key or key.startswith(_INSECURE_KEYS):
            problems.append("SECRET_KEY is not set: set it to at least 50 random characters.")
        elif len(key) < 50 or len(set(key)) < 5:
            self.stderr.write(
                self.style.WARNING("SECRET_KEY is weak: use at least 50 random characters.")
            )
        if not settings.ALLOWED_HOSTS:
            problems.append(
                "ALLOWED_HOSTS is empty: set it to the site's host name(s), comma-separated."
            )
        if problems:
            raise CommandError("Not starting in production mode:\n  " + "\n  ".join(problems))

    def _check_migrations(self):
        try:
            executor = MigrationExecutor(connection)
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except DatabaseError as error:
            raise CommandError(
                f"Cannot reach the database ({error}). Check DATABASE_URL."
            ) from error
        if plan:
            names = ", ".join(f"{m.app_label}.{m.name}" for m, _backwards in plan[:5])
            more = f" and {len(plan) - 5} more" if len(plan) > 5 else ""
            raise CommandError(
                f"{len(plan)} migration(s) not applied ({names}{more}). "
                "Run `leitbild migrate` first (take a backup before: docs/operations.md)."
            )

    def _collect_static_if_needed(self):
        """Collect static files when the manifest is missing or older than a source file
        (after an upgrade): pages would fail on a file the manifest does not know."""
        if not isinstance(staticfiles_storage, ManifestFilesMixin):
            return
        manifest = Path(settings.STATIC_ROOT) / staticfiles_storage.manifest_name
        if manifest.exists() and not self._static_sources_newer_than(manifest.stat().st_mtime):
            return
        self.stderr.write("Collecting static files …")
        call_command("collectstatic", interactive=False, verbosity=0)

    @staticmethod
    def _static_sources_newer_than(mtime: float) -> bool:
        from django.contrib.staticfiles.finders import get_finders

        for finder in get_finders():
            for path, storage in finder.list([]):
                try:
                    if os.stat(storage.path(path)).st_mtime > mtime:
                        return True
                except (OSError, NotImplementedError):
                    continue
        return False
