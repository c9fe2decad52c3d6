"""Reads for the health check."""

import logging
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Count, Min, Q
from django.utils import timezone

logger = logging.getLogger(__name__)


@dataclass
class Health:
    status: str  # "ok", "degraded" (serving, but the task queue is stuck) or "error"
    database: dict = field(default_factory=dict)
    tasks: dict = field(default_factory=dict)

    @property
    def http_status(self) -> int:
        # A stuck queue is no reason to take the app server out of the load balancer:
        # every server would fail the probe at once and the site would go dark, while
        # the fix is restarting the worker. It is reported, not failed.
        return 503 if self.status == "error" else 200

    def as_dict(self) -> dict:
        return {"status": self.status, "database": self.database, "tasks": self.tasks}


def _database_task_backends() -> list[str]:
    """Names of the task backends that queue in the database (django_tasks_db)."""
    from django.tasks import task_backends
    from django_tasks_db.backend import DatabaseBackend

    return [alias for alias in settings.TASKS if isinstance(task_backends[alias], DatabaseBackend)]


def health_check(*, now=None) -> Health:
    """Ask the database one trivial question, then read the task queue's length and age.

    Errors are logged here and reported by class name only: the answer is public.
    """
    now = now or timezone.now()
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        logger.error("Health check: the database does not answer", exc_info=True)
        return Health(
            status="error",
            database={"status": "error", "error": type(error).__name__},
            tasks={"status": "unknown"},
        )
    database = {
        "status": "ok",
        "vendor": connection.vendor,
        "latency_ms": round((time.monotonic() - started) * 1000, 1),
    }

    backends = _database_task_backends()
    if not backends:
        # Tasks run somewhere else (or in-process): nothing here to look at.
        return Health(status="ok", database=database, tasks={"status": "ok", "queue": "none"})
    try:
        tasks = _task_queue(backends=backends, now=now)
    except DatabaseError as error:
        logger.error("Health check: the task table cannot be read", exc_info=True)
        return Health(
            status="error",
            database=database,
            tasks={"status": "error", "error": type(error).__name__},
        )
    return Health(
        status="degraded" if tasks["status"] != "ok" else "ok", database=database, tasks=tasks
    )


def _task_queue(*, backends: list[str], now) -> dict:
    from django.tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult, get_date_max

    ready, running = TaskResultStatus.READY, TaskResultStatus.RUNNING

    # A task is due from when it was enqueued, or from its run_after if it was deferred
    # (run_after holds the far future as "no deferral" in django_tasks_db).
    never = get_date_max()
    row = DBTaskResult.objects.filter(backend_name__in=backends).aggregate(
        queued=Count("pk", filter=Q(status=ready) & (Q(run_after=never) | Q(run_after__lte=now))),
        running=Count("pk", filter=Q(status=running)),
        oldest_immediate=Min("enqueued_at", filter=Q(status=ready, run_after=never)),
        oldest_deferred=Min("run_after", filter=Q(status=ready, run_after__lte=now)),
    )
    due = [t for t in (row["oldest_immediate"], row["oldest_deferred"]) if t is not None]
    oldest = max(0.0, (now - min(due)).total_seconds()) if due else 0.0
    stale = oldest > settings.HEALTH_TASK_STALE_SECONDS
    return {
        "status": "stale" if stale else "ok",
        "queued": row["queued"],
        "running": row["running"],
        "oldest_queued_seconds": round(oldest),
    }
