"""Background work of the publishing app, run by the task worker (django-tasks-db)."""

from django.tasks import task

from .models import MonitoringReport
from .reports_services import monitoring_report_generate


@task()
def monitoring_report_generate_task(report_id: int) -> str:
    """Lay out a requested monitoring report (tens of seconds); the task carries only the
    report's id, and the row carries the progress."""
    report = MonitoringReport.objects.select_related("edition__city").get(pk=report_id)
    return monitoring_report_generate(report=report).status
