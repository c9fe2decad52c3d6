"""The council paper of a revision process: staff fill in its editable parts and download
the package as PDF, Word or OParl JSON. Until released, only staff can open it."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..council import (
    FORMATS,
    MIME_TYPES,
    NoRevisionProcess,
    council_package,
    council_paper_docx,
    council_paper_filename,
    council_paper_oparl,
    council_paper_pdf,
    council_paper_release,
    council_paper_save,
    council_process_resolve,
)
from ..forms import CouncilPaperForm
from ..models import CouncilPaper


def _process(slug):
    try:
        return council_process_resolve(slug)
    except NoRevisionProcess as error:
        raise Http404(str(error)) from error


def _released(process) -> bool:
    return CouncilPaper.objects.filter(process=process, released_at__isnull=False).exists()


@require_http_methods(["GET", "POST"])
def council_paper(request, process):
    process = _process(process)
    if not request.user.has_perm("publishing.view_councilpaper"):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied
    package = council_package(process=process)
    can_edit = request.user.has_perm("publishing.change_councilpaper")
    form = CouncilPaperForm(instance=package.paper)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        action = request.POST.get("action", "save")
        if action in ("release", "withdraw"):
            try:
                council_paper_release(
                    process=process, user=request.user, released=action == "release"
                )
            except ValueError as error:
                messages.error(request, str(error))
            else:
                messages.success(
                    request,
                    _("The package is now public.")
                    if action == "release"
                    else _("The package is no longer public."),
                )
            return redirect("publishing:council_paper", process=process.slug)
        form = CouncilPaperForm(request.POST, instance=package.paper)
        if form.is_valid():
            values = {name: form.cleaned_data[name] for name in form.Meta.fields}
            council_paper_save(process=process, user=request.user, **values)
            messages.success(request, _("The council paper has been saved."))
            return redirect("publishing:council_paper", process=process.slug)
    context = {"process": process, "package": package, "form": form, "can_edit": can_edit}
    return render(request, "publishing/council_paper_edit.html", context)


def council_paper_download(request, process, fmt):
    """The package as PDF, DOCX or OParl JSON: for staff, and for everyone once released."""
    if fmt not in {"pdf", "docx", "json"}:
        raise Http404
    process = _process(process)
    if not (request.user.has_perm("publishing.view_councilpaper") or _released(process)):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied
    if fmt == "json":
        origin = request.build_absolute_uri("/")
        data = council_paper_oparl(process=process, base_url=origin)
        return JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    assert fmt in FORMATS
    writer = council_paper_pdf if fmt == "pdf" else council_paper_docx
    response = HttpResponse(writer(process=process), content_type=MIME_TYPES[fmt])
    disposition = "inline" if fmt == "pdf" else "attachment"
    filename = council_paper_filename(process, fmt)
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response
