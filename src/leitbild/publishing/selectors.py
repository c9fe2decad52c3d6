"""What goes into the printed concept: the edition in reading order."""

from __future__ import annotations

import re

from django.utils.html import escape

from leitbild.concept.models import Edition, Goal
from leitbild.concept.selectors import edition_fields_with_goals

FOOTNOTE_CALL = re.compile(r'<sup class="fn"><a href="#fn-(\d+)"[^>]*>\d+</a></sup>')


def with_print_footnotes(html: str, notes: dict[int, str]) -> str:
    """Chapter HTML with each footnote marker replaced by its note, for CSS to float to
    the foot of the page (``float: footnote``)."""

    def note(match: re.Match) -> str:
        number = int(match.group(1))
        text = notes.get(number)
        if text is None:
            return match.group(0)
        return f'<span class="footnote" data-number="{number}">{escape(text)}</span>'

    return FOOTNOTE_CALL.sub(note, html)


def goal_print_segments(goal: Goal) -> list[tuple[str, object]]:
    """The goal text cut at its footnote anchors (notes in anchor order)."""
    parts, last = [], 0
    for note in sorted(goal.footnotes.all(), key=lambda n: n.offset):
        parts.append((goal.text[last : note.offset], note))
        last = note.offset
    parts.append((goal.text[last:], None))
    return parts


def edition_print(edition: Edition) -> dict:
    """Forewords, then the other chapters with their fields of action and goals, in the
    order of the printed brochure. The list of participating institutions is the
    edition's own last chapter (seed 003, chapter 7)."""
    chapters = list(
        edition.chapters.prefetch_related("translations", "footnotes").order_by("position")
    )
    fields = edition_fields_with_goals(edition)
    for field in fields:
        for goal in (g for section in field.sections for g in section["goals"]):
            goal.print_segments = goal_print_segments(goal)
            for child in goal.nested:
                child.print_segments = goal_print_segments(child)
    by_chapter: dict[int | None, list] = {}
    for field in fields:
        by_chapter.setdefault(field.chapter_id, []).append(field)
    for chapter in chapters:
        chapter.print_body = with_print_footnotes(
            chapter.body, {n.number: n.text for n in chapter.footnotes.all()}
        )
        chapter.print_fields = by_chapter.pop(chapter.pk, [])
    forewords = [c for c in chapters if c.kind == c.Kind.FOREWORD]
    body = [c for c in chapters if c.kind != c.Kind.FOREWORD]
    return {
        "edition": edition,
        "forewords": forewords,
        "chapters": body,
        "loose_fields": [f for fs in by_chapter.values() for f in fs],
    }
