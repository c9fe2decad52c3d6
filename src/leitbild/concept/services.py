"""Writes to the concept: importing editions, linking goal lineage, correcting it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import slugify

from leitbild.core.text import sanitize_html, search_index, similarity, stems, strip_tags

from . import textimport
from .models import (
    REVISION_CYCLE_YEARS,
    Chapter,
    City,
    Edition,
    FieldOfAction,
    Footnote,
    GlossaryEntry,
    Goal,
    GoalGroup,
    GoalRevision,
    add_months,
)

LINEAGE_THRESHOLD = 0.5


@dataclass
class ImportResult:
    edition: Edition
    created: bool
    chapters: int
    fields: int
    goals: int
    footnotes: int
    linked: int


def city_get_or_create(*, name: str) -> City:
    city = City.objects.filter(name=name).first()
    if city is None:
        city = City.objects.create(name=name, slug=slugify(name.replace("ß", "ss")) or "stadt")
    return city


def _edition_slug(city: City, year: int) -> str:
    taken = Edition.objects.filter(slug=str(year)).exclude(city=city).exists()
    return f"{city.slug}-{year}" if taken else str(year)


def _render_blocks(blocks: list[textimport.Block]) -> str:
    def inline(text: str) -> str:
        clean, anchors = textimport.split_markers(text)
        out, last = [], 0
        for number, offset in anchors:
            out.append(escape(clean[last:offset]))
            out.append(
                f'<sup class="fn"><a href="#fn-{number}" id="fnref-{number}">{number}</a></sup>'
            )
            last = offset
        out.append(escape(clean[last:]))
        return "".join(out)

    html = []
    for block in blocks:
        if block.kind == "ul":
            html.append("<ul>" + "".join(f"<li>{inline(i)}</li>" for i in block.items) + "</ul>")
        else:
            html.append(f"<p>{inline(block.items[0])}</p>")
    return sanitize_html("\n".join(html))


def chapter_save(*, chapter: Chapter) -> Chapter:
    """Save a chapter edited by hand (the admin): its body is HTML shown as such, so it
    is sanitised here like an imported one, and its plain text and search index follow."""
    chapter.body = sanitize_html(chapter.body)
    chapter.plain_text = strip_tags(chapter.body)
    chapter.search_index = search_index(f"{chapter.title} {chapter.plain_text}")
    chapter.save()
    return chapter


def _chapter_slug(chapter: textimport.Chapter, used: set[str], forewords: int) -> str:
    if chapter.number:
        base = chapter.number
    elif chapter.kind == "foreword":
        base = f"vorwort-{forewords}"
    else:
        base = slugify(chapter.title.replace("ß", "ss"))[:60].strip("-") or "einleitung"
    slug, n = base, 2
    while slug in used:
        slug, n = f"{base}-{n}", n + 1
    used.add(slug)
    return slug


def _field_slug(field: textimport.Field) -> str:
    return field.number.replace(".", "-") if field.number else "querschnitt"


def _goal_slugs(field: textimport.Field):
    """Readable permalink names: leitziel-2, teilziel-4, teilziel-4-1 (nested)."""
    counters = {"guiding": 0, "sub": 0}
    for goal in field.goals:
        counters[goal.kind] += 1
        base = ("leitziel" if goal.kind == "guiding" else "teilziel") + f"-{counters[goal.kind]}"
        yield goal, None, base
        for index, child in enumerate(goal.children, start=1):
            yield child, goal, f"{base}-{index}"


@transaction.atomic
def edition_import_text(
    *,
    data: bytes,
    source_name: str,
    city_name: str,
    year: int,
    title: str | None = None,
    number: int | None = None,
    status: str | None = None,
    adopted_on: dt.date | None = None,
    council_paper: str | None = None,
    valid_until: dt.date | None = None,
) -> ImportResult:
    """Create or update an edition from the plain-text layout; all or nothing.

    Re-importing updates in place: chapters, fields and goals keep their permalinks
    (matched by them), lineage links survive, and what the new text no longer has is
    removed. Raises :class:`textimport.DocumentError` before anything is written.
    """
    document = textimport.parse_bytes(data, source_name)  # parse fully before writing

    city = city_get_or_create(name=city_name)
    edition = Edition.objects.select_for_update().filter(city=city, year=year).first()
    created = edition is None
    if created:
        edition = Edition(city=city, year=year, slug=_edition_slug(city, year))
    edition.title = title or edition.title or f"Leitbild Migration und Integration {city.name}"
    edition.number = number or document.edition_number or edition.number
    edition.imprint = document.imprint
    edition.is_partial = not any(c.kind == "chapter" for c in document.chapters)
    edition.source_name = source_name
    edition.imported_at = timezone.now()
    for attr, value in {
        "status": status,
        "adopted_on": adopted_on,
        "council_paper": council_paper,
        "valid_until": valid_until,
    }.items():
        if value is not None:
            setattr(edition, attr, value)
    if edition.valid_until is None and edition.adopted_on:
        # One revision cycle; add_months, since replace(year=…) fails on 29 February.
        edition.valid_until = add_months(edition.adopted_on, 12 * REVISION_CYCLE_YEARS)
    edition.save()

    # Footnotes are re-created; they belong to whatever carries their marker.
    edition.footnotes.all().delete()

    chapter_rows: dict[int, Chapter] = {}
    existing = {c.slug: c for c in edition.chapters.all()}
    used: set[str] = set()
    forewords = 0
    for position, parsed in enumerate(document.chapters, start=1):
        forewords += parsed.kind == "foreword"
        slug = _chapter_slug(parsed, used, forewords)
        chapter = existing.pop(slug, None) or Chapter(edition=edition, slug=slug)
        chapter.kind, chapter.number, chapter.title = parsed.kind, parsed.number, parsed.title
        chapter.position = position
        chapter.body = _render_blocks(parsed.blocks)
        chapter.plain_text = strip_tags(chapter.body)
        chapter.search_index = search_index(f"{chapter.title} {chapter.plain_text}")
        chapter.save()
        chapter_rows[id(parsed)] = chapter
    Chapter.objects.filter(pk__in=[c.pk for c in existing.values()]).delete()

    owners: dict[int, object] = {}  # id(parsed object) -> saved row
    existing_fields = {f.slug: f for f in edition.fields.all()}
    goal_count = 0
    for position, parsed in enumerate(document.fields, start=1):
        slug = _field_slug(parsed)
        field = existing_fields.pop(slug, None) or FieldOfAction(edition=edition, slug=slug)
        field.number, field.title = parsed.number, parsed.title
        field.cross_cutting = parsed.cross_cutting
        field.intro = "\n\n".join(textimport.split_markers(t)[0] for t in parsed.intro)
        field.position = position
        field.chapter = (
            chapter_rows[id(document.chapters[parsed.chapter_index])]
            if parsed.chapter_index is not None
            else None
        )
        field.save()
        owners[id(parsed)] = field

        groups = {g.title: g for g in field.groups.all()}
        group_order = []
        for goal in parsed.goals:
            if goal.group and goal.group not in group_order:
                group_order.append(goal.group)
        for index, name in enumerate(group_order, start=1):
            group = groups.pop(name, None) or GoalGroup(field=field, title=name)
            group.position = index
            group.save()
            groups[name] = group
        GoalGroup.objects.filter(field=field).exclude(title__in=group_order).delete()

        existing_goals = {g.slug: g for g in field.goals.all()}
        for position_in_field, (parsed_goal, parent, slug) in enumerate(
            _goal_slugs(parsed), start=1
        ):
            goal = existing_goals.pop(slug, None) or Goal(edition=edition, field=field, slug=slug)
            goal.kind = parsed_goal.kind
            goal.group = groups.get(parsed_goal.group) if parsed_goal.group else None
            goal.parent = owners[id(parent)] if parent is not None else None
            goal.position = position_in_field
            goal.text = textimport.split_markers(parsed_goal.text)[0]
            goal.search_index = search_index(goal.text)
            goal.save()
            owners[id(parsed_goal)] = goal
            goal_count += 1
        Goal.objects.filter(pk__in=[g.pk for g in existing_goals.values()]).delete()
    FieldOfAction.objects.filter(pk__in=[f.pk for f in existing_fields.values()]).delete()

    for number, note in document.footnotes.items():
        kind, parsed_owner = document.footnote_owners[number]
        footnote = Footnote(edition=edition, number=number, text=note.text)
        if kind == "goal":
            footnote.goal = owners[id(parsed_owner)]
            anchors = dict(textimport.split_markers(parsed_owner.text)[1])
            footnote.offset = anchors[number]
        elif kind == "field":
            footnote.field = owners[id(parsed_owner)]
        else:
            footnote.chapter = chapter_rows[id(parsed_owner)]
        footnote.save()

    linked = edition_link_neighbours(edition=edition)
    return ImportResult(
        edition=edition,
        created=created,
        chapters=len(document.chapters),
        fields=len(document.fields),
        goals=goal_count,
        footnotes=len(document.footnotes),
        linked=linked,
    )


@transaction.atomic
def edition_record(
    *,
    city_name: str,
    year: int,
    title: str,
    status: str,
    number: int | None = None,
    council_paper: str = "",
    adopted_on: dt.date | None = None,
    valid_until: dt.date | None = None,
    source_name: str = "",
) -> Edition:
    """Record an edition whose text is not held, so that the edition history is complete.

    For editions known only from council papers, such as Münster's first one of 2008.
    Running it again updates the record. An edition of that city and year that holds
    text is left alone (``ValueError``): import its text instead.
    """
    city = city_get_or_create(name=city_name)
    edition = Edition.objects.select_for_update().filter(city=city, year=year).first()
    if edition is None:
        edition = Edition(city=city, year=year, slug=_edition_slug(city, year))
    elif edition.chapters.exists() or edition.goals.exists():
        raise ValueError(f"Edition {edition.slug} holds text; import it instead.")
    edition.title, edition.number, edition.status = title, number, status
    edition.council_paper, edition.adopted_on = council_paper, adopted_on
    edition.valid_until, edition.source_name = valid_until, source_name
    edition.is_partial = True
    edition.save()
    return edition


def edition_link_neighbours(*, edition: Edition) -> int:
    """Link lineage to the city's previous edition and from its next one."""
    siblings = Edition.objects.filter(city=edition.city)
    previous = siblings.filter(year__lt=edition.year).order_by("-year").first()
    following = siblings.filter(year__gt=edition.year).order_by("year").first()
    linked = 0
    if previous:
        linked += edition_link_lineage(old=previous, new=edition)
    if following:
        linked += edition_link_lineage(old=edition, new=following)
    return linked


@transaction.atomic
def edition_link_lineage(
    *, old: Edition, new: Edition, threshold: float = LINEAGE_THRESHOLD
) -> int:
    """Match the goals of ``new`` to their predecessors in ``old`` by text similarity.

    Links that staff set by hand are kept, and their goals are not matched again.
    Each old goal is the predecessor of at most one new goal: pairs are taken best
    first. Returns the number of automatic links made.
    """
    new_goals = list(new.goals.all())
    old_goals = list(old.goals.all())
    kept = (Goal.Lineage.MANUAL, Goal.Lineage.CARRIED)
    manual = [g for g in new_goals if g.lineage in kept]
    claimed = {g.predecessor_id for g in manual if g.predecessor_id}
    candidates = [g for g in new_goals if g.lineage not in kept]
    pool = [g for g in old_goals if g.pk not in claimed]

    old_stems = {g.pk: stems(g.text) for g in pool}
    old_sets = {pk: set(words) for pk, words in old_stems.items()}
    scored = []
    for goal in candidates:
        goal_stems = stems(goal.text)
        goal_set = set(goal_stems)
        for previous in pool:
            union = goal_set | old_sets[previous.pk]
            if not union or len(goal_set & old_sets[previous.pk]) / len(union) < threshold / 3:
                continue  # cheap filter before the order-aware comparison
            score = similarity(old_stems[previous.pk], goal_stems)
            if score >= threshold:
                scored.append((score, goal.pk, previous.pk))
    scored.sort(key=lambda item: (-item[0], item[1], item[2]))

    matched: dict[int, tuple[int, float]] = {}
    used_old: set[int] = set()
    for score, goal_pk, old_pk in scored:
        if goal_pk in matched or old_pk in used_old:
            continue
        matched[goal_pk] = (old_pk, score)
        used_old.add(old_pk)

    old_ids = {g.pk for g in old_goals}
    changed = []
    for goal in candidates:
        if goal.pk in matched:
            goal.predecessor_id, goal.lineage_score = matched[goal.pk]
            goal.lineage = Goal.Lineage.AUTO
        elif goal.predecessor_id is None or goal.predecessor_id in old_ids:
            goal.predecessor_id, goal.lineage_score = None, None
            goal.lineage = Goal.Lineage.NONE
        else:
            continue
        changed.append(goal)
    Goal.objects.bulk_update(changed, ["predecessor", "lineage", "lineage_score"])
    return len(matched)


def goal_set_predecessor(*, goal: Goal, predecessor: Goal | None) -> Goal:
    """Staff correct a lineage link by hand; automatic matching will not undo it."""
    if predecessor is not None:
        if predecessor.edition.city_id != goal.edition.city_id:
            raise ValueError("A predecessor must belong to the same city's concept.")
        if predecessor.edition.year >= goal.edition.year:
            raise ValueError("A predecessor must come from an earlier edition.")
    with transaction.atomic():
        # An old goal has one successor per edition: free it from an automatic match.
        if predecessor is not None:
            Goal.objects.filter(edition=goal.edition, predecessor=predecessor).exclude(
                pk=goal.pk
            ).update(predecessor=None, lineage=Goal.Lineage.NONE, lineage_score=None)
        goal.predecessor = predecessor
        goal.lineage = Goal.Lineage.MANUAL
        goal.lineage_score = similarity(predecessor.text, goal.text) if predecessor else None
        goal.save(update_fields=["predecessor", "lineage", "lineage_score"])
    return goal


@transaction.atomic
def edition_create_draft(*, source: Edition, year: int, title: str = "") -> Edition:
    """Start the next edition as a draft: a copy of ``source`` to revise and comment on.

    Each copied goal keeps ``source``'s goal as its predecessor, so the comparison
    and every goal's history reach back across the revision. Translations come along
    (see :func:`_translations_copy`). Running it again for the same city and year
    returns the existing draft unchanged.
    """
    slug = _edition_slug(source.city, year)
    existing = Edition.objects.filter(slug=slug).first()
    if existing is not None:
        if existing.status != Edition.Status.DRAFT:
            raise ValueError(f"Edition {slug} exists and is not a draft.")
        return existing
    draft = Edition.objects.create(
        city=source.city,
        year=year,
        slug=slug,
        number=(source.number or 0) + 1 if source.number else None,
        title=title or source.title,
        status=Edition.Status.DRAFT,
        published=True,
        source_name=f"draft from {source.slug}",
    )
    chapters = _copy_into({}, source.chapters.all(), edition=draft)
    fields = _copy_into(
        {}, source.fields.all(), edition=draft, chapter=lambda f: chapters.get(f.chapter_id)
    )
    groups = _copy_into(
        {}, GoalGroup.objects.filter(field__edition=source), field=lambda g: fields[g.field_id]
    )
    goals: dict[int, Goal] = {}
    _copy_into(
        goals,
        # Parents come before their children in (field, position) order.
        source.goals.order_by("field__position", "position", "pk"),
        edition=draft,
        field=lambda g: fields[g.field_id],
        group=lambda g: groups.get(g.group_id),
        parent=lambda g: goals.get(g.parent_id),
        predecessor_id=lambda g: g.pk,
        lineage=Goal.Lineage.CARRIED,
        lineage_score=1.0,
    )
    footnotes = _copy_into(
        {},
        source.footnotes.all(),
        edition=draft,
        goal=lambda n: goals.get(n.goal_id),
        chapter=lambda n: chapters.get(n.chapter_id),
        field=lambda n: fields.get(n.field_id),
    )
    terms = _copy_into(
        {}, source.glossary.all(), edition=draft, chapter=lambda e: chapters.get(e.chapter_id)
    )
    _translations_copy(
        {
            Edition: {source.pk: draft},
            Chapter: chapters,
            FieldOfAction: fields,
            GoalGroup: groups,
            Goal: goals,
            Footnote: footnotes,
            GlossaryEntry: terms,
        }
    )
    return draft


def _copy_into(copies: dict, rows, **changes) -> dict:
    """Save a copy of each of ``rows`` with ``changes`` — each a value, or a function of
    the original row (read before anything of it changes) — and note it in ``copies`` as
    ``{original pk: copy}``, which a function may read (a parent copied earlier)."""
    for row in rows:
        values = {name: v(row) if callable(v) else v for name, v in changes.items()}
        original = row.pk
        for name, value in values.items():
            setattr(row, name, value)
        row.pk = None
        row._state.adding = True
        row.save()
        copies[original] = row
    return copies


def _translations_copy(copies: dict[type, dict[int, object]]) -> int:
    """Give each copy (``{model: {original pk: copy}}``) its original's translations,
    in the state they were in: the text is the same, so is what was translated and
    reviewed. When the draft's wording changes later, the stored digest of the source
    no longer matches and the workspace marks the translation "source changed", as
    for any edited text. Returns how many were copied."""
    from django.contrib.contenttypes.models import ContentType

    from leitbild.core.models import Translation

    made = []
    for model, pairs in copies.items():
        kind = ContentType.objects.get_for_model(model)
        originals = Translation.objects.filter(content_type=kind, object_id__in=list(pairs))
        made += [
            Translation(
                content_type=kind,
                object_id=pairs[original.object_id].pk,
                field=original.field,
                language=original.language,
                text=original.text,
                status=original.status,
                source_digest=original.source_digest,
                updated_by_id=original.updated_by_id,
            )
            for original in originals
        ]
    Translation.objects.bulk_create(made)
    return len(made)


def goal_update_text(*, goal: Goal, text: str, user=None, note: str = "") -> GoalRevision | None:
    """Change a draft goal's wording and keep the change in its history.

    Adopted and archived editions are the council's record and are not edited here.
    Returns the revision, or ``None`` when the text did not change.
    """
    text = " ".join(text.split())
    if not text:
        raise ValueError("A goal needs a text.")
    with transaction.atomic():
        # Check under the lock: two editors saving at once must not both see the old text.
        goal = (
            Goal.objects.select_for_update(of=("self",)).select_related("edition").get(pk=goal.pk)
        )
        if goal.edition.status != Edition.Status.DRAFT:
            raise ValueError("Only goals of a draft edition can be reworded.")
        if text == goal.text:
            return None
        revision = GoalRevision.objects.create(
            goal=goal, text_before=goal.text, text_after=text, note=note, created_by=user
        )
        goal.text = text
        goal.search_index = search_index(text)
        goal.save(update_fields=["text", "search_index"])
        # Footnote anchors point into the old wording; keep them inside the new one.
        goal.footnotes.filter(offset__gt=len(text)).update(offset=len(text))
    return revision
