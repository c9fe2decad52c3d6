"""``leitbild db_worker``: django_tasks_db's task worker, made to outlast database outages.

The worker of django_tasks_db stops on any database error other than "locked". Under
``leitbild serve`` a stopped worker stops the whole service (so that systemd restarts
it), and a restart refuses while the database is away — a database restart of a few
seconds would take the site down until someone looks. This command is the same worker
(same options; it takes the name because ``leitbild.ops`` comes before
``django_tasks_db`` in ``INSTALLED_APPS``), except that when the database cannot be
reached it logs a warning, drops its connections and tries again with a growing pause
(1 s up to ``MAX_PAUSE``), until the database answers or it is told to stop.
"""

import contextlib
import logging
import time

from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django_tasks_db.management.commands import db_worker as base

logger = logging.getLogger("leitbild.ops.db_worker")

MAX_PAUSE = 30.0


class Worker(base.Worker):
    def run(self) -> None:
        pause = 1.0
        while True:
            started = time.monotonic()
            try:
                return super().run()
            except (OperationalError, InterfaceError) as error:
                if not self.running:
                    raise
                if time.monotonic() - started > 2 * MAX_PAUSE:
                    pause = 1.0  # a new outage, not the same one going on
                logger.warning(
                    "Database unavailable (%s: %s); the task worker retries in %.0f s",
                    type(error).__name__,
                    str(error).strip().splitlines()[0] if str(error).strip() else "",
                    pause,
                )
                _drop_connections()
                time.sleep(pause)
                pause = min(pause * 2, MAX_PAUSE)


def _drop_connections() -> None:
    for connection in connections.all(initialized_only=True):
        with contextlib.suppress(DatabaseError):
            connection.close()


class Command(base.Command):
    help = (
        f"{base.Command.help} Waits and retries while the database is unreachable."
        if base.Command.help
        else "Run background tasks; waits and retries while the database is unreachable."
    )

    def handle(self, *args, **options):
        # The base command builds its worker from the module's ``Worker``; for the length
        # of this command that is the one above.
        original = base.Worker
        base.Worker = Worker
        try:
            return super().handle(*args, **options)
        finally:
            base.Worker = original
