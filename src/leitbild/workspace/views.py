"""The staff dashboard: is the adopted concept still valid, and is its revision running?"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from leitbild.concept.models import Edition
from leitbild.participation.selectors import process_running_revision
from leitbild.participation.services import process_start_revision

from . import selectors
from .forms import RevisionStartForm

START_PERMISSION = "participation.add_process"


@login_required
def dashboard(request):
    """Staff: the concept's validity and revision; organisation members (staff or not):
    their organisations and what they report on."""
    member = selectors.member_work(request.user)
    staff = request.user.is_staff
    if not (staff or member.organisations):
        raise PermissionDenied
    context = {
        "statuses": selectors.workspace_status() if staff else [],
        "can_start": staff and request.user.has_perm(START_PERMISSION),
        "member": member,
    }
    return render(request, "workspace/dashboard.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def revision_start(request, edition):
    """The form for the next revision of ``edition``; the service decides if it may start."""
    if not (request.user.is_staff and request.user.has_perm(START_PERMISSION)):
        raise PermissionDenied
    base = get_object_or_404(Edition.objects.select_related("city"), slug=edition)
    form = RevisionStartForm(request.POST or None, base=base, today=timezone.localdate())
    if request.method == "POST" and form.is_valid():
        try:
            process = process_start_revision(base=base, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("The revision “%(process)s” has started, with a draft of the %(year)s edition.")
                % {"process": process.title, "year": process.draft_edition.year},
            )
            return redirect(process)
    context = {
        "base": base,
        "form": form,
        "adopted": base.status == Edition.Status.ADOPTED,
        "running": process_running_revision(base=base),
    }
    return render(request, "workspace/revision_start.html", context)
