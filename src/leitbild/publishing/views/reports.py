"""The monitoring report: everyone downloads finished reports (the monitoring is public and
hidden values stay hidden in it); staff with the permission request new ones, which the
task worker lays out while the page shows its progress."""

from django import forms
from django.contrib.auth.decorators import permission_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from leitbild.concept.models import Edition

from ..models import MonitoringReport
from ..report import monitoring_report_default_edition, monitoring_report_list
from ..reports_services import monitoring_report_request, report_languages

CREATE_PERMISSION = "publishing.add_monitoringreport"


class ReportRequestForm(forms.Form):
    edition = forms.ModelChoiceField(
        label=_("Edition"),
        # Action goals and measures belong to editions in force; a draft has none yet.
        queryset=Edition.objects.public()
        .exclude(status=Edition.Status.DRAFT)
        .filter(is_partial=False)
        .order_by("-year"),
        to_field_name="slug",
        empty_label=None,
    )
    language = forms.ChoiceField(label=_("Language of the report"), choices=report_languages)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        default = monitoring_report_default_edition()
        if default is not None:
            self.fields["edition"].initial = default.slug
        self.fields["language"].initial = "de"


def _can_manage(user) -> bool:
    return user.has_perm(CREATE_PERMISSION) or user.has_perm("publishing.view_monitoringreport")


def _visible_report(request, pk) -> MonitoringReport:
    """A finished report for anyone; one still running or failed only for staff."""
    report = get_object_or_404(MonitoringReport.objects.select_related("edition"), pk=pk)
    if report.status != MonitoringReport.Status.DONE and not _can_manage(request.user):
        raise Http404
    return report


def _list_page(request, form, status=200):
    can_manage = _can_manage(request.user)
    reports = monitoring_report_list(can_manage=can_manage)
    latest = next((r for r in reports if r.status == MonitoringReport.Status.DONE and r.file), None)
    return render(
        request,
        "publishing/report_list.html",
        {"reports": reports, "latest": latest, "form": form},
        status=status,
    )


@require_GET
def report_list(request):
    form = ReportRequestForm() if request.user.has_perm(CREATE_PERMISSION) else None
    return _list_page(request, form)


@require_POST
@permission_required(CREATE_PERMISSION, raise_exception=True)
def report_create(request):
    form = ReportRequestForm(request.POST)
    if not form.is_valid():
        return _list_page(request, form, status=400)
    report = monitoring_report_request(
        edition=form.cleaned_data["edition"],
        language=form.cleaned_data["language"],
        user=request.user,
    )
    return redirect(report)


@require_GET
def report_detail(request, pk):
    return render(
        request, "publishing/report_detail.html", {"report": _visible_report(request, pk)}
    )


@require_GET
def report_status(request, pk):
    """The report's state for the page's progress bar (polled while it is laid out)."""
    report = _visible_report(request, pk)
    done = report.status == MonitoringReport.Status.DONE and bool(report.file)
    return JsonResponse(
        {
            "status": report.status,
            "progress": report.progress,
            "stage": report.stage,
            "finished": report.status
            in (MonitoringReport.Status.DONE, MonitoringReport.Status.FAILED),
            "url": reverse("publishing:report_file", kwargs={"pk": report.pk}) if done else None,
        }
    )


@require_GET
def report_file(request, pk):
    report = get_object_or_404(MonitoringReport.objects.done().select_related("edition"), pk=pk)
    try:
        handle = report.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    return FileResponse(
        handle,
        content_type="application/pdf",
        as_attachment=False,
        filename=f"monitoringbericht-{report.edition.slug}-{report.language}.pdf",
    )
