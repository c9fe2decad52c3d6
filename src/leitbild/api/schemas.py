"""The public JSON shapes; the same documents ``leitbild export-edition`` writes."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Schema


class FootnoteOut(Schema):
    number: int
    text: str
    offset: int


class GoalOut(Schema):
    permalink: str
    slug: str
    kind: Literal["guiding", "sub"]
    group: str | None
    text: str
    footnotes: list[FootnoteOut]
    predecessor: str | None
    children: list[GoalOut]


class FieldOut(Schema):
    number: str | None
    slug: str
    title: str
    cross_cutting: bool
    intro: str
    goals: list[GoalOut]


class ChapterOut(Schema):
    slug: str
    kind: Literal["foreword", "intro", "chapter"]
    number: str | None
    title: str
    html: str
    footnotes: list[FootnoteOut]


class GlossaryEntryOut(Schema):
    term: str
    slug: str
    definition: str


class EditionSummaryOut(Schema):
    slug: str
    city: str
    year: int
    number: int | None
    title: str
    status: Literal["draft", "adopted", "archived"]
    adopted_on: dt.date | None
    council_paper: str | None
    valid_until: dt.date | None
    partial: bool
    url: str


class EditionDocumentOut(Schema):
    format: Literal["leitbild-edition/1"]
    source_language: str
    edition: EditionSummaryOut
    imprint: str
    chapters: list[ChapterOut]
    glossary: list[GlossaryEntryOut]
    fields: list[FieldOut]


GoalOut.model_rebuild()
