"""Background work of the monitoring app, run by the task worker (django-tasks-db)."""

from django.tasks import task

from .models import RegisterRun
from .services import register_run_process


@task()
def register_run_process_task(run_id: int) -> str:
    """Derive, aggregate and publish an uploaded register extract; the task carries only
    the run's id, never the microdata."""
    run = RegisterRun.objects.select_related("city").get(pk=run_id)
    return register_run_process(run=run).status
