"""The public API under /api/v1/; its OpenAPI schema is at /api/v1/openapi.json."""

from django.http import Http404
from ninja import NinjaAPI
from ninja.pagination import LimitOffsetPagination, paginate

from leitbild.concept.models import Edition
from leitbild.concept.selectors import edition_document, edition_summary_json

from .schemas import EditionDocumentOut, EditionSummaryOut

api = NinjaAPI(
    title="leitbild API",
    version="1",
    description="The integration concept as open data: editions, chapters, fields, goals.",
    urls_namespace="api-1",
    docs_url=None,  # the interactive docs load assets from a CDN; the schema is enough
)


@api.get(
    "/editions/",
    response=list[EditionSummaryOut],
    tags=["editions"],
    url_name="edition_list",
    summary="List editions",
)
@paginate(LimitOffsetPagination)
def edition_list(request, city: str | None = None, status: str | None = None):
    """Public editions, newest first; filter by ``city`` (slug) or ``status``."""
    editions = Edition.objects.public().select_related("city").order_by("city__name", "-year")
    if city:
        editions = editions.filter(city__slug=city)
    if status:
        editions = editions.filter(status=status)
    return [edition_summary_json(e) for e in editions]


@api.get(
    "/editions/{slug}/",
    response=EditionDocumentOut,
    tags=["editions"],
    url_name="edition_detail",
    summary="One edition, complete",
)
def edition_detail(request, slug: str):
    """The whole edition as one document: chapters, glossary, fields and nested goals."""
    edition = Edition.objects.public().select_related("city").filter(slug=slug).first()
    if edition is None:
        raise Http404("No such edition.")
    return edition_document(edition)
