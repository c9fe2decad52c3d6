"""Reads of the concept that are more than a one-line query."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from django.conf import settings
from django.db import connection
from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from leitbild.core.text import normalize_space, stems, word_diff

from .models import Chapter, City, Edition, FieldOfAction, Footnote, Goal, add_months


class EditionNotFound(LookupError):
    pass


def edition_resolve(reference: str) -> Edition:
    """Find an edition by ``year``, ``city/year`` or its slug, for commands and URLs.

    A bare year is ambiguous when several cities have that year; the message says so.
    """
    reference = reference.strip()
    queryset = Edition.objects.select_related("city")
    if "/" in reference:
        city_ref, _, year = reference.partition("/")
        city = City.objects.filter(Q(slug=city_ref) | Q(name__iexact=city_ref)).first()
        if city is None or not year.isdigit():
            raise EditionNotFound(f"No edition '{reference}': unknown city '{city_ref}'.")
        edition = queryset.filter(city=city, year=int(year)).first()
    elif reference.isdigit():
        matches = list(queryset.filter(year=int(reference)))
        if len(matches) > 1:
            names = ", ".join(f"{e.city.slug}/{e.year}" for e in matches)
            raise EditionNotFound(
                f"Year {reference} is ambiguous: several cities have it. Use one of: {names}."
            )
        edition = matches[0] if matches else None
    else:
        edition = queryset.filter(slug=reference).first()
    if edition is None:
        known = ", ".join(f"{e.city.slug}/{e.year}" for e in queryset) or "none"
        raise EditionNotFound(f"No edition '{reference}'. Known editions: {known}.")
    return edition


def edition_fields_with_goals(edition: Edition, *, only: str = "") -> list[FieldOfAction]:
    """The fields of an edition with their goals nested, in three queries.

    ``only`` (a field's slug) loads the goals of that field alone; the other fields come
    without goals (a field's page needs its neighbours' names, not their goals).
    """
    goals = Goal.objects.filter(edition=edition).for_display().order_by("position")
    if only:
        goals = goals.filter(field__slug=only)
    fields = list(
        edition.fields.prefetch_related("translations", "groups__translations").order_by("position")
    )
    by_field: dict[int, list[Goal]] = {f.pk: [] for f in fields}
    children: dict[int, list[Goal]] = {}
    for goal in goals:
        if goal.parent_id:
            children.setdefault(goal.parent_id, []).append(goal)
        else:
            by_field[goal.field_id].append(goal)
    for goal in goals:
        goal.nested = children.get(goal.pk, [])
    for f in fields:
        f.top_goals = by_field[f.pk]
        f.sections = goal_sections(f.top_goals)
        f.goal_count = sum(1 + len(g.nested) for g in f.top_goals)
    return fields


def goal_segments(goal: Goal) -> list[tuple[str, Footnote | None]]:
    """The goal text cut at its footnote anchors, for rendering the markers in place."""
    parts, last = [], 0
    for note in sorted(goal.footnotes.all(), key=lambda n: n.offset):
        parts.append((goal.text[last : note.offset], note))
        last = note.offset
    parts.append((goal.text[last:], None))
    return parts


def goal_sections(goals: list[Goal]) -> list[dict]:
    """Split a field's top-level goals into headed sections as in the document."""
    sections: list[dict] = []
    for goal in goals:
        key = (goal.kind, goal.group_id)
        if not sections or sections[-1]["key"] != key:
            sections.append({"key": key, "kind": goal.kind, "group": goal.group, "goals": []})
        sections[-1]["goals"].append(goal)
    return sections


def edition_overview(edition: Edition) -> dict:
    fields = list(
        edition.fields.annotate(
            guiding=Count("goals", filter=Q(goals__kind=Goal.Kind.GUIDING)),
            sub=Count("goals", filter=Q(goals__kind=Goal.Kind.SUB)),
        )
        .prefetch_related("translations")
        .order_by("position")
    )
    chapters = list(edition.chapters.prefetch_related("translations").order_by("position"))
    return {"chapters": chapters, "fields": fields}


# -- validity and history ---------------------------------------------------------------


class ValidityState(StrEnum):
    OK = "ok"  # in force, more than the warning period left
    EXPIRING = "expiring"  # in force, inside the warning period
    EXPIRED = "expired"  # its validity ended and no newer edition was adopted
    UNKNOWN = "unknown"  # adopted, but neither adoption date nor end of validity recorded
    NONE = "none"  # the city has no adopted edition


@dataclass(frozen=True)
class Validity:
    """Where a city's concept stands on ``today``; see :func:`edition_validity`.

    ``days_left`` is negative once the edition has expired. ``derived`` says that
    ``valid_until`` was not recorded but computed from the adoption date.
    """

    state: ValidityState
    today: dt.date
    edition: Edition | None = None
    valid_until: dt.date | None = None
    derived: bool = False
    warn_from: dt.date | None = None
    days_left: int | None = None

    @property
    def valid(self) -> bool:
        return self.state in (ValidityState.OK, ValidityState.EXPIRING)


def edition_validity(
    *, city: City, today: dt.date | None = None, warning_months: int | None = None
) -> Validity:
    """The city's adopted edition and how long it stays valid.

    NRW's participation and integration act requires a valid integration concept, so
    staff are warned ``warning_months`` (setting ``LEITBILD_EXPIRY_WARNING_MONTHS``,
    default 12) before it expires: from that day on, the end day included, the state
    is "expiring". The edition is the newest one with the status "adopted" whose
    adoption is not in the future — also after it expired, since it stays the one to
    revise. The running revision is the participation app's business
    (``participation.selectors.process_running_revision``): the concept app knows
    nothing of processes.
    """
    today = today or timezone.localdate()
    if warning_months is None:
        warning_months = settings.LEITBILD_EXPIRY_WARNING_MONTHS
    edition = (
        Edition.objects.adopted()
        .filter(city=city)
        .exclude(adopted_on__gt=today)
        .select_related("city")
        .order_by("-year")
        .first()
    )
    if edition is None:
        return Validity(state=ValidityState.NONE, today=today)
    end = edition.effective_valid_until
    if end is None:
        return Validity(state=ValidityState.UNKNOWN, today=today, edition=edition)
    warn_from = add_months(end, -warning_months)
    if today > end:
        state = ValidityState.EXPIRED
    elif today >= warn_from:
        state = ValidityState.EXPIRING
    else:
        state = ValidityState.OK
    return Validity(
        state=state,
        today=today,
        edition=edition,
        valid_until=end,
        derived=edition.valid_until_derived,
        warn_from=warn_from,
        days_left=(end - today).days,
    )


@dataclass(frozen=True)
class HistoryEntry:
    edition: Edition
    valid_until: dt.date | None
    derived: bool  # valid_until computed from the adoption date, not recorded
    in_force: bool
    has_text: bool  # False for editions known only from council papers
    has_brochure: bool
    predecessor: Edition | None  # the edition before, when a comparison makes sense


def edition_history(*, today: dt.date | None = None) -> list[HistoryEntry]:
    """Every public edition, city by city, oldest first, with its validity.

    A brochure exists for adopted (or since superseded) editions whose text is held in
    full; a comparison with the predecessor only where both hold goals to compare.
    """
    today = today or timezone.localdate()
    editions = list(
        Edition.objects.public()
        .select_related("city")
        .prefetch_related("translations")
        .annotate(
            goal_count=Count("goals", distinct=True),
            chapter_count=Count("chapters", distinct=True),
        )
        .order_by("city__name", "year")
    )
    in_force = set(Edition.objects.in_force(today).values_list("pk", flat=True))
    entries, previous = [], None
    for edition in editions:
        if previous is not None and previous.city_id != edition.city_id:
            previous = None
        entries.append(
            HistoryEntry(
                edition=edition,
                valid_until=edition.effective_valid_until,
                derived=edition.valid_until_derived,
                in_force=edition.pk in in_force,
                has_text=bool(edition.goal_count or edition.chapter_count),
                has_brochure=not edition.is_partial
                and edition.status in (Edition.Status.ADOPTED, Edition.Status.ARCHIVED),
                predecessor=previous if previous and edition.goal_count else None,
            )
        )
        if edition.goal_count:
            previous = edition
    return entries


# -- comparison -------------------------------------------------------------------------


@dataclass
class ComparisonRow:
    status: str  # new, removed, reworded, unchanged
    old: Goal | None
    new: Goal | None
    diff: list[tuple[str, str]] = field(default_factory=list)
    score: float | None = None

    def as_json(self) -> dict:
        return {
            "status": self.status,
            "old": self.old.permalink if self.old else None,
            "new": self.new.permalink if self.new else None,
        }


def _ancestor_in(goal: Goal, target: Edition, by_id: dict[int, Goal]) -> Goal | None:
    current, seen = goal, set()
    while current.predecessor_id and current.predecessor_id not in seen:
        seen.add(current.predecessor_id)
        current = by_id.get(current.predecessor_id)
        if current is None:
            return None
        if current.edition_id == target.pk:
            return current
    return None


def edition_comparison(*, old: Edition, new: Edition) -> list[ComparisonRow]:
    """Which goals are new, removed, reworded or unchanged between two editions.

    Uses the stored lineage (see ``services.edition_link_lineage``), following it
    through editions in between, so the result is what staff confirmed or corrected.
    """
    years = sorted([old.year, new.year])
    goals = list(
        Goal.objects.filter(
            edition__city=new.city, edition__year__gte=years[0], edition__year__lte=years[1]
        )
        .select_related("edition", "field")
        .order_by("field__position", "position")
    )
    by_id = {g.pk: g for g in goals}
    rows: list[ComparisonRow] = []
    matched_old: set[int] = set()
    for goal in (g for g in goals if g.edition_id == new.pk):
        ancestor = _ancestor_in(goal, old, by_id)
        if ancestor is None:
            rows.append(ComparisonRow("new", None, goal))
            continue
        matched_old.add(ancestor.pk)
        if normalize_space(ancestor.text) == normalize_space(goal.text):
            rows.append(ComparisonRow("unchanged", ancestor, goal, score=1.0))
        else:
            rows.append(
                ComparisonRow(
                    "reworded",
                    ancestor,
                    goal,
                    diff=word_diff(ancestor.text, goal.text),
                    score=goal.lineage_score,
                )
            )
    for goal in (g for g in goals if g.edition_id == old.pk and g.pk not in matched_old):
        rows.append(ComparisonRow("removed", goal, None))
    return rows


def comparison_counts(rows: list[ComparisonRow]) -> dict[str, int]:
    counts = {"reworded": 0, "unchanged": 0, "new": 0, "removed": 0}
    for row in rows:
        counts[row.status] += 1
    return counts


# -- search -----------------------------------------------------------------------------


@dataclass
class SearchHit:
    kind: str  # goal or chapter
    obj: object
    title: str
    snippet: str
    url: str
    rank: float


def _snippet(text: str, terms: list[str], width: int = 220) -> str:
    lowered = text.lower()
    positions = [lowered.find(t[:4]) for t in terms if t and lowered.find(t[:4]) >= 0]
    start = max(0, min(positions) - 60) if positions else 0
    piece = text[start : start + width]
    return ("…" if start else "") + piece + ("…" if start + width < len(text) else "")


def search(query: str, *, edition: Edition | None = None, limit: int = 50) -> list[SearchHit]:
    """Full-text search over goals and chapters, with German stemming.

    PostgreSQL uses its ``german`` text-search configuration; SQLite matches the
    Snowball stems stored in ``search_index`` (the same German stemmer), so that
    "Sprache" finds "Sprachen" on both.
    """
    query = normalize_space(query)[:200]
    terms = [t for t in stems(query) if len(t) > 1]
    if not terms:
        return []
    goals = Goal.objects.select_related("edition", "field").filter(edition__published=True)
    chapters = Chapter.objects.select_related("edition").filter(edition__published=True)
    if edition is not None:
        goals, chapters = goals.filter(edition=edition), chapters.filter(edition=edition)

    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        q = SearchQuery(query, config="german", search_type="websearch")
        goals = (
            goals.annotate(rank=SearchRank(SearchVector("text", config="german"), q))
            .filter(rank__gt=0)
            .order_by("-rank")
        )
        chapters = (
            chapters.annotate(
                rank=SearchRank(SearchVector("title", "plain_text", config="german"), q)
            )
            .filter(rank__gt=0)
            .order_by("-rank")
        )
        goal_hits = [(g, g.rank) for g in goals[:limit]]
        chapter_hits = [(c, c.rank) for c in chapters[:limit]]
    else:
        goal_filter, chapter_filter = Q(), Q()
        for term in terms:
            goal_filter &= Q(search_index__contains=f" {term}")
            chapter_filter &= Q(search_index__contains=f" {term}")
        goal_hits = [
            (g, g.search_index.count(" " + terms[0]) / (1 + len(g.search_index) / 400))
            for g in goals.filter(goal_filter)[:limit]
        ]
        chapter_hits = [
            (c, c.search_index.count(" " + terms[0]) / (1 + len(c.search_index) / 400))
            for c in chapters.filter(chapter_filter)[:limit]
        ]
    words = query.lower().split()
    hits = [
        SearchHit("goal", g, str(g.field), _snippet(g.text, words), g.get_absolute_url(), r)
        for g, r in goal_hits
    ] + [
        SearchHit("chapter", c, str(c), _snippet(c.plain_text, words), c.get_absolute_url(), r)
        for c, r in chapter_hits
    ]
    hits.sort(key=lambda h: -h.rank)
    return hits[:limit]


# -- export -----------------------------------------------------------------------------


def _footnotes_json(notes) -> list[dict]:
    return [{"number": n.number, "text": n.text, "offset": n.offset} for n in notes]


def _goal_json(goal: Goal) -> dict:
    return {
        "permalink": goal.permalink,
        "slug": goal.slug,
        "kind": goal.kind,
        "group": goal.group.title if goal.group else None,
        "text": goal.text,
        "footnotes": _footnotes_json(goal.footnotes.all()),
        "predecessor": goal.predecessor.permalink if goal.predecessor else None,
        "children": [_goal_json(child) for child in goal.nested],
    }


def edition_summary_json(edition: Edition) -> dict:
    return {
        "slug": edition.slug,
        "city": edition.city.name,
        "year": edition.year,
        "number": edition.number,
        "title": edition.title,
        "status": edition.status,
        "adopted_on": edition.adopted_on.isoformat() if edition.adopted_on else None,
        "council_paper": edition.council_paper or None,
        "valid_until": edition.valid_until.isoformat() if edition.valid_until else None,
        "partial": edition.is_partial,
        "url": edition.get_absolute_url(),
    }


def edition_document(edition: Edition) -> dict:
    """The whole edition as one JSON-ready document (see ``docs/edition-json.md``)."""
    fields = edition_fields_with_goals(edition)
    # The predecessor's permalink needs its edition and field: fetch them together.
    goal_ids = [g.pk for f in fields for top in f.top_goals for g in [top, *top.nested]]
    predecessors = {
        g.pk: g.predecessor
        for g in Goal.objects.filter(pk__in=goal_ids).select_related(
            "predecessor__edition", "predecessor__field"
        )
    }
    for f in fields:
        for top in f.top_goals:
            for g in [top, *top.nested]:
                g.predecessor = predecessors[g.pk]
    chapters = edition.chapters.prefetch_related(Prefetch("footnotes", to_attr="notes")).order_by(
        "position"
    )
    return {
        "format": "leitbild-edition/1",
        "source_language": settings.CONTENT_SOURCE_LANGUAGE,
        "edition": edition_summary_json(edition),
        "imprint": edition.imprint,
        "chapters": [
            {
                "slug": c.slug,
                "kind": c.kind,
                "number": c.number or None,
                "title": c.title,
                "html": c.body,
                "footnotes": _footnotes_json(c.notes),
            }
            for c in chapters
        ],
        "glossary": [
            {"term": e.term, "slug": e.slug, "definition": e.definition}
            for e in edition.glossary.all()
        ],
        "fields": [
            {
                "number": f.number or None,
                "slug": f.slug,
                "title": f.title,
                "cross_cutting": f.cross_cutting,
                "intro": f.intro,
                "goals": [_goal_json(g) for g in f.top_goals],
            }
            for f in fields
        ],
    }
