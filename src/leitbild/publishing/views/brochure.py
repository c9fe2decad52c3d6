"""Downloads of the published documents."""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404

from leitbild.concept.models import Edition

from ..services import edition_pdf_cached


def edition_pdf(request, edition):
    """The edition as a print-ready brochure: in German, or with ``?lang=`` in another
    content language (published translations, German where there is none).

    Only an explicit ``?lang=`` counts, not the remembered content language, so that
    one address always gives the same document."""
    edition = get_object_or_404(Edition.objects.public().select_related("city"), slug=edition)
    if edition.is_partial:
        raise Http404
    language = request.GET.get("lang", settings.CONTENT_SOURCE_LANGUAGE)
    if language not in settings.CONTENT_LANGUAGES:
        raise Http404
    data = edition_pdf_cached(edition=edition, language=language)
    suffix = "" if language == settings.CONTENT_SOURCE_LANGUAGE else f"-{language}"
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="leitbild-{edition.slug}{suffix}.pdf"'
    return response
