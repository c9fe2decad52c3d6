"""Downloads of the published documents."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404

from leitbild.concept.models import Edition

from .services import edition_pdf_cached


def edition_pdf(request, edition):
    """The edition as a print-ready brochure, in German."""
    edition = get_object_or_404(Edition.objects.public().select_related("city"), slug=edition)
    if edition.is_partial:
        raise Http404
    response = HttpResponse(edition_pdf_cached(edition=edition), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="leitbild-{edition.slug}.pdf"'
    return response
