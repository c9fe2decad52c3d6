"""Editions of the concept and their goals."""

from django.http import Http404
from ninja import Path, Query, Router
from ninja.pagination import paginate

from leitbild.concept.selectors import edition_document

from .. import selectors
from ..pagination import Pagination
from ..schemas import (
    INVALID,
    NOT_FOUND,
    EditionDocumentOut,
    EditionOut,
    EditionStatus,
    GoalDetailOut,
    GoalFilters,
    Text,
)

router = Router(tags=["concept"])

# Path parameters; the examples are the demo's, on the pages the README shows.
EDITION = Path(..., description="Slug of the edition.", example="2019")
FIELD = Path(..., description="Slug of the field of action.", example="6-2")
GOAL = Path(..., description="Permalink name of the goal.", example="teilziel-4")


@router.get(
    "/editions/",
    response={200: list[EditionOut], **INVALID},
    url_name="edition_list",
    summary="List editions",
)
@paginate(Pagination)
def edition_list(request, city: Text | None = None, status: EditionStatus | None = None):
    """Public editions (drafts only once published), city by city, newest first; filter
    by ``city`` (slug) or ``status``."""
    return selectors.edition_list(city=city, status=status)


@router.get(
    "/editions/{slug}/",
    response={200: EditionDocumentOut, **NOT_FOUND, **INVALID},
    url_name="edition_detail",
    summary="One edition, complete",
)
def edition_detail(request, slug: Text = EDITION):
    """The whole edition as one document: chapters, glossary, fields of action and their
    nested goals — the file ``leitbild export-edition`` writes, so its addresses are
    relative to the site (see docs/edition-json.md)."""
    edition = selectors.edition_get(slug)
    if edition is None:
        raise Http404("No such edition.")
    return edition_document(edition)


@router.get(
    "/goals/",
    response={200: list[GoalDetailOut], **INVALID},
    url_name="goal_list",
    summary="List goals",
)
@paginate(Pagination)
def goal_list(request, filters: Query[GoalFilters]):
    """Guiding goals and sub-goals of the public editions in document order, newest
    edition first, each with its predecessor in an earlier edition (lineage) and its
    successors; filter by ``edition``, ``field`` and ``kind``."""
    return selectors.goal_list(edition=filters.edition, field=filters.field, kind=filters.kind)


@router.get(
    "/goals/{edition}/{field}/{goal}/",
    response={200: GoalDetailOut, **NOT_FOUND, **INVALID},
    url_name="goal_detail",
    summary="One goal",
)
def goal_detail(
    request,
    edition: Text = EDITION,
    field: Text = FIELD,
    goal: Text = GOAL,
):
    """The goal at the permanent address ``/leitbild/{edition}/{field}/{goal}/``."""
    found = selectors.goal_get(edition=edition, field=field, goal=goal)
    if found is None:
        raise Http404("No such goal.")
    return found
