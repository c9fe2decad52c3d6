"""What goes into the printed concept: the edition in reading order."""

from __future__ import annotations

import re

from django.conf import settings
from django.db.models import prefetch_related_objects

from leitbild.concept.models import Edition
from leitbild.concept.selectors import edition_fields_with_goals, goal_segments

FOOTNOTE_CALL = re.compile(r'<sup class="fn"><a href="#fn-(\d+)"[^>]*>\d+</a></sup>')


def with_print_calls(html: str) -> str:
    """Chapter HTML with each footnote marker pointing to the chapter's notes."""
    return FOOTNOTE_CALL.sub(
        lambda m: f'<sup class="fn-call"><a href="#note-{m.group(1)}">{m.group(1)}</a></sup>',
        html,
    )


def edition_print(edition: Edition, *, language: str | None = None) -> dict:
    """Forewords, then the other chapters with their fields of action and goals, in the
    order of the printed brochure. The list of participating institutions is the
    edition's own last chapter (seed 003, chapter 7).

    Texts with a published translation into content language ``language`` are printed
    translated (the templates mark the others); a translation has no anchors for the
    notes, so their calls follow the translated text."""
    language = language or settings.CONTENT_SOURCE_LANGUAGE
    chapters = list(
        edition.chapters.prefetch_related("translations", "footnotes__translations").order_by(
            "position"
        )
    )
    fields = edition_fields_with_goals(edition)
    goals = [one for f in fields for g in f.top_goals for one in (g, *g.nested)]
    # The notes' own translations, for all goals at once (one query, not one per note).
    prefetch_related_objects([n for g in goals for n in g.footnotes.all()], "translations")
    for field in fields:
        field.print_notes = []
        for goal in (g for section in field.sections for g in section["goals"]):
            for one in (goal, *goal.nested):
                one.print_segments = _print_segments(one, language)
                field.print_notes += [note for _text, note in one.print_segments if note]
    by_chapter: dict[int | None, list] = {}
    for field in fields:
        by_chapter.setdefault(field.chapter_id, []).append(field)
    for chapter in chapters:
        chapter.print_body = with_print_calls(chapter.translated("body", language)[0])
        chapter.print_notes = sorted(chapter.footnotes.all(), key=lambda n: n.number)
        chapter.print_fields = by_chapter.pop(chapter.pk, [])
    forewords = [c for c in chapters if c.kind == c.Kind.FOREWORD]
    body = [c for c in chapters if c.kind != c.Kind.FOREWORD]
    return {
        "edition": edition,
        "forewords": forewords,
        "chapters": body,
        "loose_fields": [f for fs in by_chapter.values() for f in fs],
    }


def _print_segments(goal, language: str) -> list:
    segments = goal_segments(goal)
    text, shown = goal.translated("text", language)
    if shown == settings.CONTENT_SOURCE_LANGUAGE:
        return segments
    return [(text, None)] + [("", note) for _text, note in segments if note]
