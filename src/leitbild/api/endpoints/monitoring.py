"""Integration monitoring: indicators, their observations, and the staff import."""

from typing import Literal

from django.conf import settings
from django.http import Http404
from ninja import File, Path, Query, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from leitbild.monitoring.derivation.rows import InputError
from leitbild.monitoring.selectors import city_resolve
from leitbild.monitoring.services import observations_import

from .. import selectors
from ..auth import staff_token, staff_write_limited
from ..pagination import Pagination
from ..schemas import (
    INVALID,
    NOT_FOUND,
    AllObservationFilters,
    ErrorOut,
    IndicatorOut,
    ObservationFilters,
    ObservationImportOut,
    ObservationOut,
    Text,
)

router = Router(tags=["monitoring"])

IMPORT_FORMAT = Query(
    "auto", description="`long` (CSV/XLSX) or `opensdg` (CSV); `auto` tells them by the file."
)
IMPORT_INDICATOR = Query("", description="With `fmt=opensdg`: the code of the indicator.")
INDICATOR_CODE = Path(
    ..., description="Code of the indicator.", example="integrationsrat-wahlbeteiligung"
)


@router.get(
    "/indicators/",
    response={200: list[IndicatorOut], **INVALID},
    url_name="indicator_list",
    summary="List indicators with their progress status",
)
@paginate(Pagination)
def indicator_list(request):
    """Every indicator, its definition and target, the goals it measures, and its status
    by the growth-rate method (docs/data-formats.md)."""
    return selectors.indicator_list()


@router.get(
    "/indicators/{code}/",
    response={200: IndicatorOut, **NOT_FOUND, **INVALID},
    url_name="indicator_detail",
    summary="One indicator",
)
def indicator_detail(request, code: Text = INDICATOR_CODE):
    """One indicator as in the list, as on its page ``/monitoring/{code}/``."""
    indicator = selectors.indicator_get(code)
    if indicator is None:
        raise Http404("No such indicator.")
    return indicator


@router.get(
    "/indicators/{code}/observations/",
    response={200: list[ObservationOut], **NOT_FOUND, **INVALID},
    url_name="indicator_observations",
    summary="An indicator's observations",
)
@paginate(Pagination)
def indicator_observations(
    request, filters: Query[ObservationFilters], code: Text = INDICATOR_CODE
):
    """Filter by ``period`` (year), ``area`` (official code; ``city`` for city-wide values)
    and ``breakdown`` (``dimension=value;…`` as in the downloads; ``total`` for none)."""
    indicator = selectors.indicator_get(code)
    if indicator is None:
        raise Http404("No such indicator.")
    return selectors.observation_list(indicator=indicator, **filters.model_dump())


@router.get(
    "/observations/",
    response={200: list[ObservationOut], **INVALID},
    url_name="observation_list",
    summary="Observations of every indicator",
)
@paginate(Pagination)
def observation_list(request, filters: Query[AllObservationFilters]):
    """All observations in the order of the downloads (indicator, year, area,
    breakdown); filter by ``indicator`` (code), ``period``, ``area`` and ``breakdown``."""
    return selectors.observation_list(**filters.model_dump())


@router.post(
    "/observations/import",
    response={
        200: ObservationImportOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        429: ErrorOut,
        **INVALID,
    },
    auth=staff_token,
    url_name="observation_import",
    summary="Import observations (staff token)",
)
def observation_import(
    request,
    file: File[UploadedFile],
    fmt: Literal["auto", "long", "opensdg"] = IMPORT_FORMAT,
    indicator: Text = IMPORT_INDICATOR,
):
    """A long CSV/XLSX or an Open SDG CSV (``fmt=opensdg&indicator=<code>``), multipart
    field ``file``. All rows are checked first; with any problem nothing is written and
    the answer is 422 listing every problem under ``errors.file``. The token's user
    needs the permission to add observations."""
    if not request.auth.has_perm("monitoring.add_observation"):
        return Status(403, {"detail": "This token's user may not import observations."})
    if staff_write_limited(request):
        return Status(429, {"detail": "Too many imports with this token; please try later."})
    if file.size and file.size > settings.OBSERVATIONS_UPLOAD_MAX_BYTES:
        # Refused before the file is read into memory.
        limit = settings.OBSERVATIONS_UPLOAD_MAX_BYTES // (1024 * 1024)
        return Status(422, {"errors": {"file": [f"The file is larger than {limit} MB."]}})
    try:
        city = city_resolve()
    except ValueError:
        return Status(422, {"errors": {"file": ["Set up exactly one city first."]}})
    try:
        report = observations_import(
            city=city,
            data=file.read(),
            filename=file.name or "upload.csv",
            fmt=fmt,
            indicator=indicator,
        )
    except InputError as error:
        return Status(422, {"errors": {"file": [str(p) for p in error.problems]}})
    return {
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "indicators": report.indicators,
        "notes": report.notes,
    }
