"""The council paper package of a revision process: what it holds and how it is written.

A process that produced a new edition goes to the council with a paper whose annex has a
fixed structure (seed 004, Annex A to V/0056/2025): short overview; goals, sub-goals and
how their achievement is measured; the guiding orientation; a financing table; the degree
of legal obligation; relevance to cross-cutting topics. German councils also expect a
synopsis of old and new text, a report on the participation and the consideration table
of every contribution. :func:`council_package` gathers all of it from the process; the
writers turn it into PDF (:func:`council_paper_pdf`), Word (``publishing.docx``) and OParl
1.1 JSON (:func:`council_paper_oparl`). Only what staff decide is stored
(``models.CouncilPaper``); everything else is read fresh, so the package always shows the
process as it stands.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from leitbild.concept.models import Edition, FieldOfAction, Goal
from leitbild.concept.selectors import comparison_counts, edition_comparison
from leitbild.participation.models import Contribution, Process, Registration
from leitbild.participation.selectors import (
    consideration_rows,
    participation_stats,
    poll_results,
)

from .models import CouncilPaper
from .pdf import html_to_pdf

FORMATS = ("pdf", "docx", "oparl")
MIME_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "oparl": "application/json",
}


class NoRevisionProcess(LookupError):
    pass


def council_process_resolve(slug: str = "") -> Process:
    """The process named by ``slug``; without one, the most recent process that produced a
    new edition. Only such a process has a paper to write."""
    processes = Process.objects.select_related("base_edition__city", "draft_edition")
    with_draft = processes.filter(draft_edition__isnull=False)
    if slug:
        process = processes.filter(slug=slug).first()
        if process is None:
            known = ", ".join(with_draft.values_list("slug", flat=True)) or "none"
            raise NoRevisionProcess(f"No process '{slug}'. Processes with a new edition: {known}.")
        if process.draft_edition_id is None:
            raise NoRevisionProcess(
                f"Process '{slug}' produced no new edition, so it has no council paper."
            )
        return process
    process = with_draft.order_by("-starts_on", "-pk").first()
    if process is None:
        raise NoRevisionProcess("No process has produced a new edition yet.")
    return process


# What staff do not have to write ----------------------------------------------------------


def _history(city) -> list[Edition]:
    """The editions the council adopted, by the paper that adopted them."""
    return list(Edition.objects.filter(city=city).exclude(council_paper="").order_by("year", "pk"))


def council_paper_defaults(*, process: Process) -> CouncilPaper:
    """A first version of the editable parts, written from what the system knows: the
    adoption history, the draft's goals and the five-year cycle. Not saved.

    Written in the concept's own language, whatever the language of the person asking:
    the paper goes to the council in it."""
    with translation.override(settings.CONTENT_SOURCE_LANGUAGE):
        return _defaults(process)


def _defaults(process: Process) -> CouncilPaper:
    base, draft = process.base_edition, process.draft_edition
    history = _history(base.city)
    if history:
        papers = get_text_list(
            [
                _("%(year)s (paper %(paper)s)") % {"year": e.year, "paper": e.council_paper}
                for e in history
            ],
            _("and"),
        )
        overview = _(
            "The council adopted the integration concept in %(papers)s and decided to "
            "revise it systematically every five years. With this paper the revised "
            "concept is to be adopted."
        ) % {"papers": papers}
    else:
        overview = _("With this paper the revised integration concept is to be adopted.")
    counts = draft.goals.aggregate(
        guiding=Count("pk", filter=Q(kind=Goal.Kind.GUIDING)),
        sub=Count("pk", filter=Q(kind=Goal.Kind.SUB)),
        fields=Count("field", distinct=True),
    )
    goals = (
        _(
            "The revised concept sets %(guiding)d guiding goals and %(sub)d sub-goals in "
            "%(fields)d fields of action (listed below). Their achievement is measured by the "
            "action goals and indicators of the integration monitoring, reported to the council "
            "regularly."
        )
        % counts
    )
    return CouncilPaper(
        process=process,
        title=_("Revision of the %(title)s") % {"title": draft.title},
        overview=overview,
        goals=goals,
        obligation=CouncilPaper.Obligation.FULLY_MANDATORY,
        obligation_reason=_(
            "The NRW participation and integration act (Teilhabe- und Integrationsgesetz) "
            "requires a valid integration concept for the municipal integration centre; "
            "this concept fulfils that duty."
        ),
        topics=[CouncilPaper.Topic.MIGRATION],
    )


def council_paper_get(*, process: Process) -> CouncilPaper:
    """The stored paper, or the defaults when staff have not saved one yet."""
    try:
        return process.council_paper
    except CouncilPaper.DoesNotExist:
        return council_paper_defaults(process=process)


EDITABLE_FIELDS = (
    "reference",
    "title",
    "date",
    "overview",
    "goals",
    "orientation",
    "product_group",
    "product_group_name",
    "affects_results_plan",
    "affects_financial_plan",
    "budget_year",
    "in_adopted_budget",
    "in_draft_budget",
    "future_burden",
    "already_budgeted",
    "obligation",
    "obligation_reason",
    "topics",
    "relevance",
)


@transaction.atomic
def council_paper_save(*, process: Process, user, **values) -> CouncilPaper:
    """Store the editable parts of the process's paper (created on first save)."""
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {', '.join(sorted(unknown))}")
    paper = CouncilPaper.objects.select_for_update().filter(process=process).first()
    if paper is None:
        paper = council_paper_defaults(process=process)
    for name, value in values.items():
        setattr(paper, name, value)
    paper.updated_by = user if getattr(user, "is_authenticated", False) else None
    paper.full_clean()
    paper.save()
    return paper


@transaction.atomic
def council_paper_release(*, process: Process, user, released: bool = True) -> CouncilPaper:
    """Release the package to the public (and a council information system) or withdraw it.

    Until released the package is a working draft that only staff can open."""
    paper = CouncilPaper.objects.select_for_update().filter(process=process).first()
    if paper is None:
        paper = council_paper_defaults(process=process)
        paper.save()
    if released and not paper.reference:
        raise ValueError(_("Give the paper its number before releasing it."))
    paper.released_at = timezone.now() if released else None
    paper.updated_by = user if getattr(user, "is_authenticated", False) else None
    paper.save(update_fields=["released_at", "updated_by", "updated_at"])
    return paper


# The package ------------------------------------------------------------------------------


@dataclass
class FieldSummary:
    field: FieldOfAction
    guiding: int
    sub: int
    indicators: list = field(default_factory=list)  # (name, unit) measuring its goals
    action_goals: int = 0


@dataclass
class SynopsisField:
    field: FieldOfAction | None
    rows: list = field(default_factory=list)


@dataclass
class EventLine:
    event: object
    participants: int | None  # None: fewer than the disclosure minimum


@dataclass
class CouncilPackage:
    process: Process
    paper: CouncilPaper
    base: Edition
    draft: Edition
    fields: list[FieldSummary]
    synopsis: list[SynopsisField]
    synopsis_counts: dict[str, int]
    events: list[EventLine]
    stats: dict
    polls: list[dict]
    contributions: list[dict]
    dispositions: list[tuple[str, int]]
    generated_on: dt.date
    history: list[Edition]
    minimum: int = 3

    @property
    def draft_label(self) -> str:
        return _label(self.draft)

    @property
    def base_label(self) -> str:
        return _label(self.base)

    @property
    def annex_title(self) -> str:
        if self.paper.reference:
            return _("Annex A to %(paper)s") % {"paper": self.paper.reference}
        return _("Annex A")


def _label(edition: Edition) -> str:
    """Title and year, unless the title names the year already."""
    title = edition.title
    return title if str(edition.year) in title else f"{title} {edition.year}"


def _field_summaries(draft: Edition) -> list[FieldSummary]:
    from leitbild.implementation.models import ActionGoal
    from leitbild.monitoring.models import Indicator

    fields = list(
        draft.fields.annotate(
            guiding=Count("goals", filter=Q(goals__kind=Goal.Kind.GUIDING)),
            sub=Count("goals", filter=Q(goals__kind=Goal.Kind.SUB)),
        ).order_by("position")
    )
    # Action goals hang on the goals of the edition they were set for: follow the lineage
    # back so that a draft's field shows how its predecessor's goals are measured.
    indicators: dict[str, dict[str, str]] = {}
    action_goals: dict[str, int] = {}
    measured = ActionGoal.objects.filter(goal__field__edition__city=draft.city).select_related(
        "goal__field"
    )
    for action_goal in measured.prefetch_related("indicators"):
        number = action_goal.goal.field.number
        action_goals[number] = action_goals.get(number, 0) + 1
        for indicator in action_goal.indicators.all():
            indicators.setdefault(number, {})[indicator.name] = indicator.unit
    linked = Indicator.objects.filter(goals__field__edition__city=draft.city).values_list(
        "goals__field__number", "name", "unit"
    )
    for number, name, unit in linked.distinct():
        indicators.setdefault(number, {})[name] = unit
    return [
        FieldSummary(
            field=f,
            guiding=f.guiding,
            sub=f.sub,
            indicators=sorted(indicators.get(f.number, {}).items()),
            action_goals=action_goals.get(f.number, 0),
        )
        for f in fields
    ]


def _synopsis(base: Edition, draft: Edition) -> tuple[list[SynopsisField], dict[str, int]]:
    rows = edition_comparison(old=base, new=draft)
    fields: dict[object, SynopsisField] = {}
    for row in rows:
        goal = row.new or row.old
        key = goal.field.number if goal.field_id else ""
        if key not in fields:
            fields[key] = SynopsisField(field=goal.field if goal.field_id else None)
        fields[key].rows.append(row)
    return list(fields.values()), comparison_counts(rows)


def _events(process: Process) -> list[EventLine]:
    minimum = settings.STATS_MIN_COUNT
    attended = Count(
        "registrations",
        filter=Q(registrations__status=Registration.Status.CONFIRMED)
        & ~Q(registrations__attended=False),
    )
    events = process.events.public().annotate(people=attended).order_by("starts_at")
    now = timezone.now()
    return [
        EventLine(event=e, participants=e.people if e.people >= minimum else None)
        for e in events
        if e.starts_at <= now
    ]


def council_package(*, process: Process) -> CouncilPackage:
    """Everything the council paper shows, read from the process as it stands."""
    base, draft = process.base_edition, process.draft_edition
    synopsis, counts = _synopsis(base, draft)
    contributions = consideration_rows(process)
    labels = dict(Contribution.Disposition.choices)
    tally: dict[str, int] = {}
    for row in contributions:
        key = row["contribution"].disposition
        tally[key] = tally.get(key, 0) + 1
    dispositions = [(str(labels[k]), tally[k]) for k in labels if tally.get(k)]
    return CouncilPackage(
        process=process,
        paper=council_paper_get(process=process),
        base=base,
        draft=draft,
        fields=_field_summaries(draft),
        synopsis=synopsis,
        synopsis_counts=counts,
        events=_events(process),
        stats=participation_stats(process=process),
        polls=[
            {"poll": poll, **poll_results(poll)}
            for poll in process.polls.prefetch_related("options").order_by("opens_at")
        ],
        contributions=contributions,
        dispositions=dispositions,
        generated_on=timezone.localdate(),
        history=_history(base.city),
        minimum=settings.STATS_MIN_COUNT,
    )


# Writers ----------------------------------------------------------------------------------


def council_paper_html(*, process: Process, language: str = "de") -> str:
    with translation.override(language):
        package = council_package(process=process)
        return render_to_string("publishing/council_paper.html", {"package": package})


def council_paper_pdf(*, process: Process, language: str = "de") -> bytes:
    """The package as one PDF: annex, synopsis, participation report, consideration table."""
    return html_to_pdf(council_paper_html(process=process, language=language))


def council_paper_docx(*, process: Process, language: str = "de") -> bytes:
    """The same package as a Word document, for staff to edit further."""
    from .word import package_docx

    with translation.override(language):
        return package_docx(council_package(process=process))


def council_paper_filename(process: Process, fmt: str) -> str:
    extension = {"pdf": "pdf", "docx": "docx", "oparl": "json"}[fmt]
    return f"ratsvorlage-{process.slug}.{extension}"


def council_paper_oparl(*, process: Process, base_url: str) -> dict:
    """The paper as an OParl 1.1 ``Paper`` with its ``File`` objects (``mainFile``: the
    package PDF; ``auxiliaryFile``: the Word version), so a council information system can
    take it over. ``base_url`` is the site's origin, e.g. ``https://leitbild.example.org``.
    """
    paper = council_paper_get(process=process)
    base_url = base_url.rstrip("/")

    def url(name: str, **kwargs) -> str:
        return base_url + reverse(name, kwargs=kwargs)

    slug = process.slug
    self_url = url("publishing:council_paper_download", process=slug, fmt="json")
    updated = paper.updated_at or timezone.now()
    stamp = timezone.localtime(updated).isoformat(timespec="seconds")
    paper_date = (paper.date or timezone.localdate()).isoformat()

    def file(fmt: str, name: str) -> dict:
        access = url("publishing:council_paper_download", process=slug, fmt=fmt)
        return {
            "id": f"{self_url}#file-{fmt}",
            "type": "https://schema.oparl.org/1.1/File",
            "name": name,
            "fileName": council_paper_filename(process, fmt),
            "mimeType": MIME_TYPES[fmt],
            "date": paper_date,
            "accessUrl": access,
            "downloadUrl": access,
            "paper": [self_url],
            "created": stamp,
            "modified": stamp,
        }

    document = {
        "id": self_url,
        "type": "https://schema.oparl.org/1.1/Paper",
        "name": paper.title,
        "paperType": _("Draft resolution"),
        "date": paper_date,
        "mainFile": file("pdf", _("Council paper with annexes (PDF)")),
        "auxiliaryFile": [file("docx", _("Council paper with annexes (Word)"))],
        "keyword": [_("integration concept"), process.draft_edition.title],
        "web": url("publishing:council_paper", process=slug),
        "created": stamp,
        "modified": stamp,
    }
    if paper.reference:
        document["reference"] = paper.reference
    return document
