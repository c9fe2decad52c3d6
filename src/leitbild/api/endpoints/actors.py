"""The organisations of the city's integration work."""

from django.http import Http404
from ninja import Path, Query, Router
from ninja.pagination import paginate

from .. import selectors
from ..pagination import Pagination
from ..schemas import INVALID, NOT_FOUND, OrganisationFilters, OrganisationOut, Text

router = Router(tags=["organisations"])

ORGANISATION = Path(..., description="Slug of the organisation.", example="afaq-ev")


@router.get(
    "/organisations/",
    response={200: list[OrganisationOut], **INVALID},
    url_name="organisation_list",
    summary="List organisations",
)
@paginate(Pagination)
def organisation_list(request, filters: Query[OrganisationFilters]):
    """The institutions of the city whose concept is in force, by name; filter by
    ``category``, ``field`` (of action, of the current edition) and words (``q``).
    Public facts only: no contact persons, no one's participation."""
    return selectors.organisation_list(category=filters.category, field=filters.field, q=filters.q)


@router.get(
    "/organisations/{slug}/",
    response={200: OrganisationOut, **NOT_FOUND, **INVALID},
    url_name="organisation_detail",
    summary="One organisation",
)
def organisation_detail(request, slug: Text = ORGANISATION):
    """One organisation, as on its page ``/organisationen/{slug}/``."""
    organisation = selectors.organisation_get(slug)
    if organisation is None:
        raise Http404("No such organisation.")
    return organisation
