"""Implementation: action goals with their SMART check and progress, and measures."""

from django.http import Http404
from ninja import Path, Query, Router
from ninja.pagination import paginate

from .. import selectors
from ..pagination import Pagination
from ..schemas import (
    INVALID,
    MAX_ID,
    NOT_FOUND,
    ActionGoalFilters,
    ActionGoalOut,
    MeasureFilters,
    MeasureOut,
)

router = Router(tags=["implementation"])


@router.get(
    "/action-goals/",
    response={200: list[ActionGoalOut], **INVALID},
    url_name="action_goal_list",
    summary="List action goals with their SMART gaps and progress",
)
@paginate(Pagination)
def action_goal_list(request, filters: Query[ActionGoalFilters]):
    """Action goals (Handlungsziele) in the order of the goals they serve: target,
    deadline, who is responsible, SMART gaps, progress by their first indicator;
    filter by ``edition``, ``field``, ``indicator``, ``organisation`` (responsible) and
    ``status``."""
    return selectors.action_goal_list(**filters.model_dump())


@router.get(
    "/action-goals/{id}/",
    response={200: ActionGoalOut, **NOT_FOUND, **INVALID},
    url_name="action_goal_detail",
    summary="One action goal",
)
def action_goal_detail(
    request, id: int = Path(..., ge=1, le=MAX_ID, description="Id of the action goal.")
):
    """One action goal as in the list, as on its page ``/umsetzung/handlungsziele/{id}/``."""
    item = selectors.action_goal_get(id)
    if item is None:
        raise Http404("No such action goal.")
    return item


@router.get(
    "/measures/",
    response={200: list[MeasureOut], **INVALID},
    url_name="measure_list",
    summary="List measures with their progress reports",
)
@paginate(Pagination)
def measure_list(request, filters: Query[MeasureFilters]):
    """Measures (projects), newest first: period, funding, lead and partners, the goals
    and action goals they serve, dated progress reports; filter by ``status``,
    ``organisation`` (lead or partner), ``action_goal`` and ``edition``."""
    return selectors.measure_list(**filters.model_dump())


@router.get(
    "/measures/{id}/",
    response={200: MeasureOut, **NOT_FOUND, **INVALID},
    url_name="measure_detail",
    summary="One measure",
)
def measure_detail(request, id: int = Path(..., ge=1, le=MAX_ID, description="Id of the measure.")):
    """One measure as in the list, as on its page ``/umsetzung/massnahmen/{id}/``."""
    measure = selectors.measure_get(id)
    if measure is None:
        raise Http404("No such measure.")
    return measure
