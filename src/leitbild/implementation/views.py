"""Action goals with their SMART check, and measures with progress reports."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from leitbild.concept.models import Edition

from . import permissions, selectors
from .forms import ActionGoalForm, ProgressReportForm
from .models import ActionGoal, Measure
from .smart import smart_problems

SMART_MESSAGES = {
    "responsible": _("Name who is responsible."),
    "indicator": _("Name an indicator that measures it."),
    "baseline": _("Give a baseline: value and year."),
    "target": _("Set a target value."),
    "deadline": _("Set a deadline."),
    "deadline_past": _("The deadline has passed."),
    "vague": _("The wording is vague: say how much, by when (a number)."),
}


def _described(problems):
    return [
        {"code": p.code, "field": p.field, "message": str(SMART_MESSAGES[p.code])} for p in problems
    ]


def _action_goals():
    return ActionGoal.objects.select_related("goal__field", "goal__edition").prefetch_related(
        "responsible", "indicators"
    )


def overview(request):
    """Action goals by field of action, and the measures that carry them out."""
    action_goals = list(_action_goals())
    today = dt.date.today()
    for item in action_goals:
        item.problems = _described(item.smart_problems(today))
    measures = Measure.objects.prefetch_related("lead", "goals__field")
    return render(
        request,
        "implementation/overview.html",
        {"action_goals": action_goals, "measures": measures},
    )


def _deny(request):
    """Log in first if anonymous; otherwise 403."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied


def _progress_report(request, *, allowed: bool, on: ActionGoal | Measure):
    """The progress report form of a measure's or an action goal's page (``None`` for
    whoever may not report on ``on``), and the answer to a POST that is settled: the
    report saved, or the writer refused. ``(form, None)`` means: show the page."""
    form = ProgressReportForm(request.POST or None, request.FILES or None) if allowed else None
    if request.method != "POST":
        return form, None
    if form is None:
        return None, _deny(request)
    if not form.is_valid():
        return form, None
    report = form.save(commit=False)
    if isinstance(on, Measure):
        report.measure = on
    else:
        report.action_goal = on
    report.author = request.user
    report.save()
    messages.success(request, _("The progress report is published."))
    return form, redirect(on.get_absolute_url())


@require_http_methods(["GET", "POST"])
def action_goal_detail(request, pk):
    """An action goal with its progress reports; its responsible organisations report."""
    item = get_object_or_404(_action_goals().prefetch_related("measures", "reports"), pk=pk)
    form, answer = _progress_report(
        request, allowed=permissions.can_report_on_action_goal(request.user, item), on=item
    )
    if answer is not None:
        return answer
    return render(
        request,
        "implementation/action_goal_detail.html",
        {"item": item, "problems": _described(item.smart_problems()), "form": form},
    )


@require_http_methods(["GET", "POST"])
@permission_required("implementation.change_actiongoal")
def action_goal_edit(request, pk=None):
    """The editor: the SMART check runs as staff type (and on every save)."""
    instance = get_object_or_404(ActionGoal, pk=pk) if pk else None
    initial = {"goal": request.GET.get("ziel")} if instance is None else None
    form = ActionGoalForm(request.POST or None, instance=instance, initial=initial)
    if request.method == "POST" and form.is_valid():
        item = form.save()
        problems = item.smart_problems()
        if problems:
            messages.warning(request, _("Saved. The SMART check still finds gaps."))
        else:
            messages.success(request, _("Saved. The action goal passes the SMART check."))
        return redirect("implementation:action_goal_edit", pk=item.pk)
    problems = (
        _form_problems(form)
        if form.is_bound
        else (_described(instance.smart_problems()) if instance else _form_problems(form))
    )
    return render(
        request,
        "implementation/action_goal_edit.html",
        {"form": form, "item": instance, "problems": problems},
    )


def _form_problems(form):
    """The SMART check on a form's current (possibly unsaved) values."""
    data = form.data if form.is_bound else {}

    def number(name):
        try:
            return float(str(data.get(name, "")).replace(",", "."))
        except ValueError:
            return None

    try:
        deadline = dt.date.fromisoformat(data.get("deadline", "")) if data.get("deadline") else None
    except ValueError:
        deadline = None
    getlist = data.getlist if hasattr(data, "getlist") else (lambda name: data.get(name, []))
    baseline_year = number("baseline_year")
    return _described(
        smart_problems(
            text=data.get("text", ""),
            responsible=len([v for v in getlist("responsible") if v]),
            indicators=len([v for v in getlist("indicators") if v]),
            baseline_value=number("baseline_value"),
            baseline_year=int(baseline_year) if baseline_year else None,
            target_value=number("target_value"),
            deadline=deadline,
            today=dt.date.today(),
        )
    )


@require_POST
@permission_required("implementation.change_actiongoal", raise_exception=True)
def smart_check(request):
    """The editor's live check: the form's fields in, the problems out (JSON)."""
    problems = _form_problems(ActionGoalForm(request.POST))
    return JsonResponse({"ok": not problems, "problems": problems})


@permission_required("implementation.change_actiongoal")
def smart_failures(request):
    """Every action goal that fails the SMART check, with what is missing."""
    today = dt.date.today()
    failing = []
    for item in _action_goals():
        problems = _described(item.smart_problems(today))
        if problems:
            item.problems = problems
            failing.append(item)
    return render(request, "implementation/smart_failures.html", {"failing": failing})


@require_http_methods(["GET", "POST"])
def measure_detail(request, pk):
    measure = get_object_or_404(
        Measure.objects.prefetch_related(
            "lead", "partners", "goals__field", "goals__edition", "action_goals", "reports"
        ),
        pk=pk,
    )
    form, answer = _progress_report(
        request, allowed=permissions.can_report_on_measure(request.user, measure), on=measure
    )
    if answer is not None:
        return answer
    return render(request, "implementation/measure_detail.html", {"measure": measure, "form": form})


def status_overview(request):
    """Where the goals stand: every goal with action goals or indicators, by field."""
    edition = Edition.objects.adopted().order_by("-year").first()
    fields = selectors.goal_status_overview(edition) if edition else []
    return render(request, "implementation/status.html", {"edition": edition, "fields": fields})
