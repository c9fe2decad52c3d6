"""Writes of the monitoring app: importing observations, exporting Open SDG folders.

Files are read and checked by the plain-Python :mod:`.derivation` package; nothing is
written unless every row is valid, and then all rows are written in one transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from pathlib import Path

from django.db import transaction
from django.utils import timezone, translation

from leitbild.concept.models import City, District
from leitbild.core import uploads

from .derivation import longformat, opensdg
from .derivation.areas import Area, AreaMatcher
from .derivation.rows import InputError, ObservationRow, Problem, validate
from .models import Indicator, Observation, RegisterRun, disaggregation_key

Progress = Callable[[int, int], None]


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    indicators: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def city_area(city: City) -> District:
    """The area that stands for the whole city (created on first use)."""
    area, _created = District.objects.get_or_create(
        city=city, level=District.Level.CITY, defaults={"name": city.name, "number": ""}
    )
    return area


def area_matcher(city: City) -> AreaMatcher:
    """Boroughs and districts by official code and name; the city's own name means ""."""
    areas = [
        Area(code=d.number, name=d.name, level=d.level)
        for d in District.objects.filter(city=city).exclude(level=District.Level.CITY)
        if d.number
    ]
    return AreaMatcher([Area("", city.name, "city"), *areas], city_prefixes=[city.name])


def _detect_format(data: bytes, filename: str) -> str:
    if filename.lower().endswith(".xlsx"):
        return "long"
    head = data[:200].decode("utf-8-sig", errors="replace").lstrip()
    first = head.split("\n", 1)[0].replace(";", ",").split(",", 1)[0].strip().strip('"')
    return "opensdg" if first == "Year" else "long"


def observations_content_check(*, data: bytes, filename: str, trusted: bool = False) -> None:
    """Refuse what is no table at all — by the bytes, whatever the name says — and,
    unless ``trusted``, files above ``OBSERVATIONS_UPLOAD_MAX_BYTES``. Every way in
    (web form, API, command line) passes here before the readers look at the rows."""
    from django.conf import settings

    if not trusted and len(data) > settings.OBSERVATIONS_UPLOAD_MAX_BYTES:
        limit = settings.OBSERVATIONS_UPLOAD_MAX_BYTES // 1024**2
        raise InputError.single(f"The file is larger than {limit} MB.")
    kind = uploads.detect(data)
    if kind.name not in ("text", "xlsx"):
        with translation.override(None):  # the readers' problems are in English too
            description = str(kind.description)
        raise InputError.single(f"The file '{filename}' is {description}, not a CSV or XLSX table.")


def observations_read(
    *,
    city: City,
    data: bytes,
    filename: str,
    fmt: str = "auto",
    indicator: str = "",
    trusted: bool = False,
) -> tuple[list[ObservationRow], list[str]]:
    """Read and check a file against the city's indicators and areas.

    Returns the rows (areas resolved to codes) and notes on forgiving name matches;
    raises :class:`InputError` listing every problem.
    """
    observations_content_check(data=data, filename=filename, trusted=trusted)
    fmt = _detect_format(data, filename) if fmt == "auto" else fmt
    if fmt == "opensdg":
        if not indicator:
            raise InputError.single("An Open SDG file needs the indicator it belongs to.")
        read = partial(opensdg.read_opensdg, data, indicator)
    elif fmt == "long":
        read = partial(longformat.read_long, data, filename)
    else:
        raise InputError.single(f"Unknown format {fmt!r}: use 'long' or 'opensdg'.")
    # Reading problems and checks against the database are reported together.
    try:
        parsed, read_problems = read(), []
    except InputError as error:
        parsed, read_problems = list(error.rows), list(error.problems)
    specs = {i.code: i.as_spec() for i in Indicator.objects.filter(city=city)}
    rows, problems, notes = validate(parsed, indicators=specs, areas=area_matcher(city))
    if read_problems or problems:
        raise InputError(read_problems + problems)
    return rows, notes


def observations_import(
    *,
    city: City,
    data: bytes,
    filename: str,
    fmt: str = "auto",
    indicator: str = "",
    progress: Progress | None = None,
    trusted: bool = False,
) -> ImportReport:
    """Import observations from a long CSV/XLSX or an Open SDG CSV: all rows or none.

    Existing observations with the same key (indicator, year, area, breakdown) are
    updated; others are created. ``trusted`` (the command line, our own tables) lifts
    the upload size limit; the content is checked either way.
    """
    rows, notes = observations_read(
        city=city, data=data, filename=filename, fmt=fmt, indicator=indicator, trusted=trusted
    )
    report = ImportReport(notes=notes)
    with transaction.atomic():
        indicators = {
            i.code: i
            for i in Indicator.objects.filter(city=city, code__in={r.indicator for r in rows})
        }
        areas = {d.number: d for d in District.objects.filter(city=city).exclude(number="")}
        whole_city = city_area(city)
        existing = {
            (o.indicator_id, o.period, o.area_id, o.disaggregation_key): o
            for o in Observation.objects.filter(indicator__in=indicators.values())
        }
        new, changed = [], []
        for n, row in enumerate(rows, start=1):
            indicator_obj = indicators[row.indicator]
            area = areas[row.area] if row.area else whole_city
            key = disaggregation_key(row.disaggregation)
            values = {
                "value": row.value,
                "status": row.status,
                "comment": row.comment[:300],
                "disaggregation": dict(row.disaggregation),
            }
            current = existing.get((indicator_obj.pk, row.period, area.pk, key))
            if current is None:
                new.append(
                    Observation(
                        indicator=indicator_obj,
                        period=row.period,
                        area=area,
                        disaggregation_key=key,
                        **values,
                    )
                )
            elif any(getattr(current, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(current, name, value)
                changed.append(current)
            else:
                report.unchanged += 1
            if progress and (n % 500 == 0 or n == len(rows)):
                progress(n, len(rows))
        Observation.objects.bulk_create(new, batch_size=1000)
        # Small batches: each is one UPDATE … CASE, which grows quadratically with its size.
        Observation.objects.bulk_update(
            changed, ["value", "status", "comment", "disaggregation"], batch_size=100
        )
    report.created, report.updated = len(new), len(changed)
    report.indicators = sorted(indicators)
    return report


def indicator_rows(indicator: Indicator) -> list[ObservationRow]:
    """An indicator's observations as plain rows, area codes as Open SDG ``GeoCode``."""
    return [
        ObservationRow(
            row=0,
            indicator=indicator.code,
            period=o.period,
            area="" if o.area.level == District.Level.CITY else o.area.number,
            disaggregation=dict(o.disaggregation),
            value=o.value,
            unit=indicator.unit,
            status=o.status,
            comment=o.comment,
        )
        for o in indicator.observations.select_related("area").order_by("period", "pk")
    ]


def opensdg_export(*, city: City, out: Path, progress: Progress | None = None) -> list[Path]:
    """Write an Open SDG data folder: ``data/indicator_<id>.csv`` and ``meta/<id>.md``."""
    (out / "data").mkdir(parents=True, exist_ok=True)
    (out / "meta").mkdir(parents=True, exist_ok=True)
    written = []
    indicators = list(Indicator.objects.filter(city=city).order_by("position", "code"))
    for n, indicator in enumerate(indicators, start=1):
        rows = indicator_rows(indicator)
        data_name, meta_name = opensdg.opensdg_paths(indicator.code)
        data_path = out / data_name
        data_path.write_text(opensdg.write_opensdg_csv(rows), encoding="utf-8")
        meta = {**indicator.as_spec(), "has_data": bool(rows)}
        meta_path = out / meta_name
        meta_path.write_text(opensdg.write_opensdg_meta(meta), encoding="utf-8")
        written += [data_path, meta_path]
        if progress:
            progress(n, len(indicators))
    return written


@dataclass
class BoundaryReport:
    created: int = 0
    updated: int = 0
    notes: list[str] = field(default_factory=list)


def boundaries_import(*, city: City, data: bytes, level: str) -> BoundaryReport:
    """Store district boundaries from GeoJSON; districts are matched by code, then name.

    Areas the file names but the city does not have yet are created with the file's code
    and name. All or nothing.
    """
    from .derivation.geo import read_boundaries

    if level not in (District.Level.BOROUGH, District.Level.DISTRICT):
        raise InputError.single(f"Unknown level {level!r}: use 'borough' or 'district'.")
    boundaries = read_boundaries(data)
    existing = list(District.objects.filter(city=city, level=level))
    by_code = {d.number: d for d in existing if d.number}
    matcher = AreaMatcher([Area(d.number or f"#{d.pk}", d.name, level) for d in existing])
    by_key = {d.number or f"#{d.pk}": d for d in existing}
    report = BoundaryReport()
    problems = []
    with transaction.atomic():
        for boundary in boundaries:
            district = by_code.get(boundary.code)
            if district is None and boundary.name:
                area, message, note = matcher.resolve_with_note(boundary.name)
                if area is not None:
                    district = by_key[area.code]
                    if note:
                        report.notes.append(note)
                elif message and "ambiguous" in message:
                    problems.append(f"feature {boundary.index}: {message}")
                    continue
            if district is None:
                district = District(city=city, level=level, number=boundary.code)
                district.name = boundary.name or boundary.code
                report.created += 1
            else:
                report.updated += 1
            district.geometry = boundary.geometry
            district.save()
        if problems:  # raised inside the transaction: nothing stays written
            raise InputError([Problem(None, None, p) for p in problems])
    return report


# Register-derived indicators ---------------------------------------------------------------

# Per definition: the indicator the district shares feed, and the breakdown values of its
# components (the categories other than "none").
REGISTER_INDICATORS = {
    "muenster": {
        "code": "anteil-migrationshintergrund",
        "name": "Anteil der Einwohnerinnen und Einwohner mit Migrationshintergrund",
        "definition": "Personen mit Migrationshintergrund nach der Definition des Leitbildes "
        "(Ausländerinnen und Ausländer, Deutsche mit eigener Migrationserfahrung, Deutsche "
        "mit familiärer Migrationsgeschichte), abgeleitet aus dem Melderegister, je 100 "
        "Einwohnerinnen und Einwohner.",
        "components": {
            "foreign": "auslaendisch",
            "personal": "eigene-migrationserfahrung",
            "inherited": "familiaere-migrationsgeschichte",
        },
    },
    "einwanderungsgeschichte": {
        "code": "anteil-einwanderungsgeschichte",
        "name": "Anteil der Einwohnerinnen und Einwohner mit Einwanderungsgeschichte",
        "definition": "Personen, die seit 1950 eingewandert sind oder deren beide Elternteile "
        "seit 1950 eingewandert sind (Definition des Statistischen Bundesamts), abgeleitet "
        "aus dem Melderegister, je 100 Einwohnerinnen und Einwohner. Einseitige "
        "Einwanderungsgeschichte (ein Elternteil) wird gesondert ausgewiesen.",
        "components": {
            "immigrated": "selbst-eingewandert",
            "both_parents": "beide-elternteile",
            "one_parent": "ein-elternteil",
        },
    },
}
REGISTER_BREAKDOWN = "gruppe"


def register_indicator(*, city: City, definition: str, source: str) -> Indicator:
    """The indicator a definition's district shares feed; made on first use."""
    spec = REGISTER_INDICATORS[definition]
    indicator, _created = Indicator.objects.get_or_create(
        city=city,
        code=spec["code"],
        defaults={
            "name": spec["name"],
            "definition": spec["definition"],
            "numerator": "Einwohnerinnen und Einwohner der Gruppe",
            "denominator": "Einwohnerinnen und Einwohner",
            "unit": "%",
            "source": source,
            "disaggregations": [REGISTER_BREAKDOWN],
        },
    )
    if REGISTER_BREAKDOWN not in indicator.disaggregations:
        indicator.disaggregations = [*indicator.disaggregations, REGISTER_BREAKDOWN]
        indicator.save(update_fields=["disaggregations"])
    return indicator


def register_rows_csv(*, code: str, year: int, table, components: dict[str, str]) -> bytes:
    """A disclosure-checked district table as the long layout: the share with migration
    background and each component's share per district and for the city, hidden values
    as ``suppressed``."""
    lines = [f"indicator,period,area,{REGISTER_BREAKDOWN},value,status"]

    def add(area: str, group: str, value: float | None):
        status = "normal" if value is not None else "suppressed"
        shown = "" if value is None else f"{value:.1f}"
        lines.append(f"{code},{year},{area},{group},{shown},{status}")

    for row in table:
        add(row.district, "", row.share)
        for category, group in components.items():
            add(row.district, group, row.shares.get(category))
    return ("\n".join(lines) + "\n").encode()


def register_results_publish(
    *,
    city: City,
    aggregates,
    year: int,
    definition: str,
    source: str,
    progress: Progress | None = None,
) -> ImportReport:
    """Publish a derivation's aggregates to the monitoring: district shares and their
    components, with small counts and small denominators suppressed
    (:mod:`.derivation.publication`). All rows or none, like every import."""
    from django.conf import settings

    from .derivation import publication

    table = publication.district_table(
        aggregates,
        threshold=settings.REGISTER_MIN_COUNT,
        min_denominator=settings.REGISTER_MIN_DENOMINATOR,
    )
    with transaction.atomic():
        indicator = register_indicator(city=city, definition=definition, source=source)
        data = register_rows_csv(
            code=indicator.code,
            year=year,
            table=table,
            components=REGISTER_INDICATORS[definition]["components"],
        )
        return observations_import(
            city=city,
            data=data,
            filename=f"melderegister-{year}.csv",
            progress=progress,
            trusted=True,  # our own table, as large as the city's districts make it
        )


# Register runs: upload → background derivation → monitoring ------------------------------


def extract_kind(head: bytes) -> str:
    """``parquet`` or ``csv`` by the file's content (not its name); raises InputError."""
    if head.startswith(b"PAR1"):
        return "parquet"
    text = None
    # The sample may end inside a multi-byte character: allow up to three cut bytes.
    for cut in range(4):
        try:
            text = head[: len(head) - cut].decode("utf-8-sig")
            break
        except UnicodeDecodeError:
            continue
    text = text or ""
    first = text.split("\n", 1)[0]
    if "person_id" in first and "\x00" not in text:
        return "csv"
    raise InputError.single(
        "The file is neither Parquet nor a UTF-8 CSV whose header names person_id "
        "(see the register extract format)."
    )


def register_run_create(
    *,
    city: City,
    user,
    upload,
    definition: str,
    year: int,
    include_expellees: bool = True,
) -> RegisterRun:
    """Store an uploaded extract privately and queue its derivation."""
    from django.conf import settings

    from .tasks import register_run_process_task

    if upload.size > settings.REGISTER_UPLOAD_MAX_BYTES:
        raise InputError.single(
            f"The file is larger than {settings.REGISTER_UPLOAD_MAX_BYTES // 1024**2} MB."
        )
    upload.seek(0)
    extract_kind(upload.read(4096))
    upload.seek(0)
    with transaction.atomic():
        run = RegisterRun(
            city=city,
            created_by=user,
            definition=definition,
            year=year,
            include_expellees=include_expellees,
            extract_name=Path(upload.name).name[:255],
            stage=RegisterRun.Stage.QUEUED,
        )
        # A random file name: the uploaded name may tell something about its content.
        run.extract.save(f"{uuid.uuid4().hex}.extract", upload, save=False)
        run.save()
        transaction.on_commit(lambda: register_run_process_task.enqueue(run.pk))
    return run


def _run_update(run: RegisterRun, **fields) -> None:
    # Written at once (outside any transaction): the status page reads it while we work.
    fields["updated_at"] = timezone.now()
    RegisterRun.objects.filter(pk=run.pk).update(**fields)
    for name, value in fields.items():
        setattr(run, name, value)


def register_runs_abandon_stalled(*, now=None) -> int:
    """End the runs whose worker died mid-run (no progress for ``JOB_STALL_MINUTES``):
    marked failed with the reason, and their uploaded microdata deleted — as when a run
    ends any other way. Returns how many were ended."""
    from django.conf import settings
    from django.utils.translation import gettext

    now = now or timezone.now()
    since = now - timedelta(minutes=settings.JOB_STALL_MINUTES)
    ended = 0
    for pk in RegisterRun.objects.stalled(since=since).values_list("pk", flat=True):
        with transaction.atomic():
            # Locked and looked at again: the worker may have moved on meanwhile.
            run = RegisterRun.objects.select_for_update().stalled(since=since).filter(pk=pk)
            run = run.first()
            if run is None:
                continue
            if run.extract:
                run.extract.delete(save=False)
            run.extract = ""
            run.status, run.stage = RegisterRun.Status.FAILED, RegisterRun.Stage.FAILED
            run.error = gettext(
                "The worker stopped without finishing (no progress for %(minutes)d minutes). "
                "The uploaded extract has been deleted; please upload it again."
            ) % {"minutes": settings.JOB_STALL_MINUTES}
            run.finished_at = run.updated_at = now
            run.save(
                update_fields=["extract", "status", "stage", "error", "finished_at", "updated_at"]
            )
            ended += 1
    return ended


def register_run_process(*, run: RegisterRun) -> RegisterRun:
    """Derive, aggregate and publish one uploaded extract; delete the microdata at the end
    whatever happens. Progress is written to the run as it goes."""
    import io

    import polars as pl
    from django.core.files.base import ContentFile

    from .derivation import register

    if run.status not in (RegisterRun.Status.QUEUED, RegisterRun.Status.RUNNING):
        return run
    _run_update(run, status=RegisterRun.Status.RUNNING, progress=5, stage=RegisterRun.Stage.READING)
    try:
        with run.extract.open("rb") as handle:
            kind = extract_kind(handle.read(4096))
        path = run.extract.path
        frame = (
            pl.scan_parquet(path)
            if kind == "parquet"
            else pl.scan_csv(path, infer_schema=False, encoding="utf8-lossy")
        )
        _run_update(run, progress=15, stage=RegisterRun.Stage.DERIVING)
        result = register.run(
            frame,
            year=run.year,
            definition=run.definition,
            include_expellees=run.include_expellees,
        )
        report = {
            "errors": [str(f) for f in result.validation.errors],
            "warnings": [str(f) for f in result.validation.warnings],
        }
        if not result.validation.ok:
            raise InputError([Problem(None, None, m) for m in report["errors"]])
        persons = result.persons.height
        categories = result.persons.group_by("category").len().sort("category")
        report["categories"] = {str(k): int(v) for k, v in categories.iter_rows()}
        _run_update(run, progress=70, stage=RegisterRun.Stage.PUBLISHING, persons=persons)

        def progress(done: int, total: int) -> None:
            _run_update(run, progress=70 + int(25 * done / max(total, 1)))

        imported = register_results_publish(
            city=run.city,
            aggregates=result.aggregates,
            year=run.year,
            definition=run.definition,
            source=f"Melderegister (Auszug {run.extract_name})",
            progress=progress,
        )
        report["published"] = {"created": imported.created, "updated": imported.updated}
        report["indicator"] = REGISTER_INDICATORS[run.definition]["code"]
        buffer = io.BytesIO()
        result.aggregates.write_csv(buffer)
        run.aggregates.save(f"{uuid.uuid4().hex}.csv", ContentFile(buffer.getvalue()), save=False)
        _run_update(
            run,
            aggregates=run.aggregates.name,
            report=report,
            status=RegisterRun.Status.DONE,
            progress=100,
            stage=RegisterRun.Stage.DONE,
        )
    except (InputError, pl.exceptions.PolarsError) as error:
        problems = error.problems if isinstance(error, InputError) else [error]
        _run_update(
            run,
            status=RegisterRun.Status.FAILED,
            stage=RegisterRun.Stage.FAILED,
            error="\n".join(str(p) for p in problems),
        )
    except Exception as error:  # a worker must record every failure, then re-raise it
        _run_update(
            run, status=RegisterRun.Status.FAILED, stage=RegisterRun.Stage.FAILED, error=str(error)
        )
        raise
    finally:
        # Only aggregates are kept: the microdata goes, whatever happened.
        if run.extract:
            run.extract.delete(save=False)
        _run_update(run, extract="", finished_at=timezone.now())
    return run
