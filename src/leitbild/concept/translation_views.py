"""The translation workspace (staff): coverage per language, every text of an edition
beside its translation, and an edit form per text. Writes go through
:func:`leitbild.core.services.translation_save`."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from leitbild.core.forms import TranslationForm
from leitbild.core.models import Translation
from leitbild.core.services import translation_save

from . import permissions
from . import translation_selectors as selectors
from .models import Edition


def _deny(request):
    """Log in first if anonymous; otherwise 403."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied


def _edition(slug: str) -> Edition:
    # Staff translate drafts as well, so unpublished editions are included.
    edition = Edition.objects.select_related("city").filter(slug=slug).first()
    if edition is None:
        raise Http404(_("No such edition."))
    return edition


def _language(code: str) -> dict:
    if code not in selectors.translation_languages():
        raise Http404(_("No such content language."))
    return {"code": code, **settings.CONTENT_LANGUAGES[code]}


def translation_index(request):
    if not permissions.can_view_translation_status(request.user):
        return _deny(request)
    editions = Edition.objects.select_related("city").order_by("city__name", "-year")
    return render(request, "concept/translation_index.html", {"editions": editions})


def translation_status(request, edition):
    if not permissions.can_view_translation_status(request.user):
        return _deny(request)
    edition = _edition(edition)
    texts = selectors.edition_translatable_texts(edition=edition)
    context = {
        "edition": edition,
        "total": len(texts),
        "coverage": selectors.edition_translation_coverage(edition=edition, texts=texts),
        "states": selectors.STATES,
        "can_translate": permissions.can_translate(request.user),
    }
    return render(request, "concept/translation_status.html", context)


def translation_list(request, edition, language):
    if not permissions.can_translate(request.user):
        return _deny(request)
    edition = _edition(edition)
    language = _language(language)
    code = language["code"]
    texts = selectors.edition_translatable_texts(edition=edition)
    counts = dict.fromkeys((*selectors.STATES, "stale"), 0)
    rows = []
    for text in texts:
        state, stale = text.state(code), text.stale(code)
        counts[state] += 1
        counts["stale"] += stale
        rows.append(
            {"text": text, "state": state, "stale": stale, "item": text.translations.get(code)}
        )
    wanted = request.GET.get("status", "")
    if wanted == "stale":
        rows = [r for r in rows if r["stale"]]
    elif wanted in selectors.STATES:
        rows = [r for r in rows if r["state"] == wanted]
    else:
        wanted = ""
    context = {
        "edition": edition,
        "language": language,
        "rows": rows,
        "counts": counts,
        "total": len(texts),
        "status": wanted,
        "states": selectors.STATES,
    }
    return render(request, "concept/translation_list.html", context)


@require_http_methods(["GET", "POST"])
def translation_edit(request, edition, language, kind, pk, field):
    if not permissions.can_translate(request.user):
        return _deny(request)
    edition = _edition(edition)
    language = _language(language)
    obj = selectors.translatable_get(edition=edition, kind=kind, pk=pk, field=field)
    if obj is None:
        raise Http404(_("No such text."))
    source = getattr(obj, field)
    current = obj.translations.filter(field=field, language=language["code"]).first()
    html = field in obj.translatable_html_fields
    initial = {"text": current.text, "status": current.status} if current else {}
    form = TranslationForm(request.POST or None, initial=initial, language_meta=language, html=html)
    if request.method == "POST" and form.is_valid():
        try:
            translation_save(
                obj=obj,
                field=field,
                language=language["code"],
                text=form.cleaned_data["text"],
                status=form.cleaned_data["status"],
                user=request.user,
            )
        except ValidationError as error:
            for name, errors in error.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, _("The translation was saved."))
            back = reverse(
                "translations:list", kwargs={"edition": edition.slug, "language": language["code"]}
            )
            return redirect(f"{back}#t-{kind}-{obj.pk}-{field}")
    section, label, url = selectors.translatable_describe(kind, obj)
    context = {
        "edition": edition,
        "language": language,
        "obj": obj,
        "section": section,
        "label": label,
        "url": url,
        "field_label": obj._meta.get_field(field).verbose_name,
        "source": source,
        "html": html,
        "current": current,
        "stale": current is not None and current.is_stale(source),
        "form": form,
        "published": Translation.Status.PUBLISHED,
    }
    return render(request, "concept/translation_edit.html", context)
