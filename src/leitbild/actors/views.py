from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import permissions, selectors, services
from .forms import OrganisationProfileForm


def _filter_url(**params) -> str:
    """A query string for the list page with only the non-empty parameters."""
    params = {k: v for k, v in params.items() if v}
    return f"?{urlencode(params)}" if params else "?"


def _source_lang() -> str:
    """The HTML language of texts written once in the source language, like names."""
    return settings.CONTENT_LANGUAGES[settings.CONTENT_SOURCE_LANGUAGE]["html_lang"]


def organisation_list(request):
    directory = selectors.directory_resolve()
    page = selectors.organisation_directory(
        directory,
        query=request.GET.get("q", ""),
        category=request.GET.get("kategorie", ""),
        field_number=request.GET.get("handlungsfeld", ""),
    )
    field_number = selectors.field_key(page.field) if page.field else ""
    for item in page.categories:
        item.url = _filter_url(q=page.query, kategorie=item.code, handlungsfeld=field_number)
    language = getattr(request, "content_language", settings.CONTENT_SOURCE_LANGUAGE)
    for field in page.fields:
        # An <option> holds plain text only: the translated title, with its language.
        field.option_title, option_language = field.translated("title", language)
        field.option_meta = settings.CONTENT_LANGUAGES[option_language]
    context = {
        "city": directory.city,
        "edition": directory.edition,
        "page": page,
        "field_number": field_number,
        "all_categories_url": _filter_url(q=page.query, handlungsfeld=field_number),
        "source_lang": _source_lang(),
    }
    return render(request, "actors/organisation_list.html", context)


def _organisation(slug):
    directory = selectors.directory_resolve()
    organisation = selectors.organisation_get(directory, slug)
    if organisation is None:
        raise Http404(_("No such organisation."))
    return directory, organisation


def organisation_detail(request, slug):
    directory, organisation = _organisation(slug)
    context = {
        "organisation": organisation,
        "edition": directory.edition,
        "source_lang": _source_lang(),
        "can_edit": permissions.can_edit_profile(request.user, organisation),
    }
    return render(request, "actors/organisation_detail.html", context)


@require_http_methods(["GET", "POST"])
def organisation_edit(request, slug):
    """An organisation's representatives keep its public profile up to date."""
    _directory, organisation = _organisation(slug)
    if not permissions.can_edit_profile(request.user, organisation):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied
    form = OrganisationProfileForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        services.organisation_update_profile(
            organisation=organisation, user=request.user, **form.cleaned_data
        )
        messages.success(request, _("The profile is saved and shown publicly."))
        return redirect(organisation)
    context = {"organisation": organisation, "form": form, "source_lang": _source_lang()}
    return render(request, "actors/organisation_edit.html", context)
