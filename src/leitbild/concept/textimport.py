"""Read a concept document from its plain-text layout into a tree (no database here).

The layout is the one a PDF-to-text extraction of a German integration concept gives
(see ``docs/import-text.md``):

* numbered chapter headings ``1 Präambel`` and field headings ``6.2 Bildung …``; an
  unnumbered ``Übergeordnete Leitziele …`` heading opens a cross-cutting section;
* ``Leitziel(e)`` / ``Teilziel(e) [group]`` headings inside a field;
* bullets ``- text`` and nested bullets `` - text``;
* footnote markers as superscript digits (``Bleiberecht“⁶``) and footnote lines
  ``⁶ Der Runde Tisch …`` at the foot of the page;
* page breaks as runs of blank lines, which may split a paragraph or bullet, with
  the page's footnotes in between — the reader heals such splits.

Nothing city-specific is hard-coded. Every problem is collected with its line number
and raised together as :class:`DocumentError`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUPER_TO_DIGIT = str.maketrans(SUPERSCRIPTS, "0123456789")
MARKER_RE = re.compile(rf"(?<=\S)([{SUPERSCRIPTS}]+)")
FOOTNOTE_RE = re.compile(rf"^([{SUPERSCRIPTS}]+)\s+(\S.*)$")
CHAPTER_RE = re.compile(r"^(\d{1,2})\s+(\S.{0,200})$")
FIELD_RE = re.compile(r"^(\d{1,2})\.(\d{1,2})\s+(\S.*)$")
GOALS_HEADING_RE = re.compile(r"^(Leitziele?|Teilziele?)(?:\s+(\S.{0,100}))?$")
CROSS_HEADING_RE = re.compile(r"^(Übergeordnete|Übergreifende)\s+Leitziele\b", re.IGNORECASE)
CROSS_TITLE_RE = re.compile(r"übergeordnet|übergreifend|querschnitt", re.IGNORECASE)
BULLET_RE = re.compile(r"^(\s*)[-–•]\s+(\S.*)$")
TOC_LINE_RE = re.compile(r"^\d+(?:\.\d+)*\s*\t.+\t\s*\d+\s*$")
TOC_HEADING_RE = re.compile(r"^(Inhaltsverzeichnis|Inhalt)$", re.IGNORECASE)
TERMINATED_RE = re.compile(r"[.!?:;][\"“”»«)\]’‘']*$")
EDITION_NUMBER_RE = re.compile(r"(\d+)\.\s*(?:Fassung|Auflage)")

SHORT_LINE = 120
LONG_PARAGRAPH = 200


class DocumentError(ValueError):
    """The document does not follow the layout; ``problems`` lists ``(line, message)``."""

    def __init__(self, problems: list[tuple[int, str]], source: str = ""):
        self.problems = sorted(problems)
        self.source = source
        prefix = f"{source}:" if source else "line "
        lines = [f"{prefix}{line}: {message}" for line, message in self.problems]
        super().__init__("\n".join(lines))


@dataclass
class Footnote:
    number: int
    text: str
    line: int


@dataclass
class Goal:
    kind: str  # "guiding" or "sub"
    text: str
    line: int
    group: str = ""
    children: list[Goal] = field(default_factory=list)


@dataclass
class Block:
    """A paragraph (``items`` has one text) or a bullet list (one text per item)."""

    kind: str  # "p" or "ul"
    items: list[str]
    line: int


@dataclass
class Field:
    number: str
    title: str
    cross_cutting: bool
    line: int
    chapter_index: int | None
    intro: list[str] = field(default_factory=list)
    goals: list[Goal] = field(default_factory=list)

    def all_goals(self):
        for goal in self.goals:
            yield goal
            yield from goal.children


@dataclass
class Chapter:
    kind: str  # "foreword", "intro" or "chapter"
    number: str
    title: str
    line: int
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Document:
    imprint: str = ""
    edition_number: int | None = None
    chapters: list[Chapter] = field(default_factory=list)
    fields: list[Field] = field(default_factory=list)
    footnotes: dict[int, Footnote] = field(default_factory=dict)
    # footnote number -> ("goal", Goal) | ("chapter", Chapter) | ("field", Field)
    footnote_owners: dict[int, tuple[str, object]] = field(default_factory=dict)

    def all_goals(self):
        for f in self.fields:
            yield from f.all_goals()


def marker_numbers(text: str) -> list[int]:
    return [int(m.translate(_SUPER_TO_DIGIT)) for m in MARKER_RE.findall(text)]


def split_markers(text: str) -> tuple[str, list[tuple[int, int]]]:
    """Remove footnote markers; return the clean text and ``[(number, offset)]``."""
    clean, anchors, last = [], [], 0
    length = 0
    for match in MARKER_RE.finditer(text):
        piece = text[last : match.start()]
        clean.append(piece)
        length += len(piece)
        anchors.append((int(match.group(1).translate(_SUPER_TO_DIGIT)), length))
        last = match.end()
    clean.append(text[last:])
    return "".join(clean), anchors


def is_terminated(text: str) -> bool:
    return bool(TERMINATED_RE.search(MARKER_RE.sub("", text).rstrip()))


def _join(first: str, second: str) -> str:
    # A word hyphenated across the break ("Integrations-" + "arbeit") is rejoined.
    if re.search(r"[a-zäöüß]-$", first) and second[:1].islower():
        return first[:-1] + second
    return f"{first} {second}"


class _Reader:
    def __init__(self, lines: list[str]):
        self.lines = lines
        self.doc = Document()
        self.problems: list[tuple[int, str]] = []
        # State of the main body.
        self.chapter: Chapter | None = None
        self.field: Field | None = None
        self.section: tuple[str, str] | None = None  # (kind, group) of the goal list
        self.section_line = 0
        self.section_has_goals = False
        self.item: tuple[str, object] | None = None  # what a continuation line extends
        self.blank_run = 0
        self.gap = False  # page break or footnote since the last item
        self.last_footnote: Footnote | None = None
        self.chapter_numbers: list[int] = []

    def error(self, line: int, message: str):
        self.problems.append((line, message))

    # -- front matter ---------------------------------------------------------------

    def first_structural_line(self) -> int:
        expected_chapter = 1
        for index, raw in enumerate(self.lines):
            line = raw.strip()
            if TOC_LINE_RE.match(raw):
                continue
            if CROSS_HEADING_RE.match(line) or FIELD_RE.match(line):
                return index
            m = CHAPTER_RE.match(line)
            if m and int(m.group(1)) == expected_chapter and self._heading_like(m.group(2)):
                return index
        return len(self.lines)

    @staticmethod
    def _heading_like(title: str) -> bool:
        title = title.strip()
        return len(title) <= 200 and not re.search(r"[.,;:]$", title) and "\t" not in title

    def read_front(self, end: int):
        pages: list[list[tuple[int, list[str]]]] = [[]]
        paragraph: list[str] = []
        start = 0
        blank = 0
        for index in range(end):
            raw = self.lines[index]
            line = raw.strip()
            if TOC_LINE_RE.match(raw) or TOC_HEADING_RE.match(line):
                line = ""  # the table of contents is rebuilt from the structure
                if paragraph:
                    pages[-1].append((start, paragraph))
                    paragraph = []
                pages[-1].append((index + 1, ["\f"]))  # a section break
                continue
            if not line:
                blank += 1
                if paragraph:
                    pages[-1].append((start, paragraph))
                    paragraph = []
                continue
            if blank >= 2 and pages[-1]:
                pages.append([])
            blank = 0
            if not paragraph:
                start = index + 1
            paragraph.append(line)
        if paragraph:
            pages[-1].append((start, paragraph))
        pages = [page for page in pages if any(p != ["\f"] for _, p in page)]
        if not pages:
            return
        if len(pages) > 1:
            cover = pages.pop(0)
            self.doc.imprint = "\n\n".join(" ".join(p) for _, p in cover if p != ["\f"])
            m = EDITION_NUMBER_RE.search(self.doc.imprint)
            if m:
                self.doc.edition_number = int(m.group(1))
        # Flatten pages into paragraphs, healing splits at page ends.
        paragraphs: list[tuple[int, str]] = []
        for page_index, page in enumerate(pages):
            for position, (line_no, parts) in enumerate(page):
                if parts == ["\f"]:
                    paragraphs.append((line_no, "\f"))
                    continue
                text = " ".join(parts)
                if (
                    position == 0
                    and page_index > 0
                    and paragraphs
                    and paragraphs[-1][1] != "\f"
                    and len(paragraphs[-1][1]) > SHORT_LINE
                    and not is_terminated(paragraphs[-1][1])
                ):
                    paragraphs[-1] = (paragraphs[-1][0], _join(paragraphs[-1][1], text))
                else:
                    paragraphs.append((line_no, text))
        current: Chapter | None = None
        forewords = 0
        for i, (line_no, text) in enumerate(paragraphs):
            if text == "\f":
                current = None
                continue
            following = next((t for _, t in paragraphs[i + 1 :] if t != "\f"), "")
            if len(text) < 80 and text.endswith(",") and following:
                forewords += 1
                current = Chapter("foreword", "", "", line_no)
                self.doc.chapters.append(current)
            elif (
                len(text) <= SHORT_LINE
                and not re.search(r"[.,;:!?]$", text)
                and len(following) >= LONG_PARAGRAPH
                and (current is None or current.kind != "foreword")
            ):
                current = Chapter("intro", "", text, line_no)
                self.doc.chapters.append(current)
                continue
            if current is None:
                current = Chapter("intro", "", "", line_no)
                self.doc.chapters.append(current)
            current.blocks.append(Block("p", [text], line_no))
        for chapter in self.doc.chapters:
            if chapter.kind == "foreword" and not chapter.title:
                chapter.title = self._signature(chapter)
        if forewords == 0:
            for chapter in self.doc.chapters:
                if not chapter.title:
                    chapter.title = "Einleitung"

    @staticmethod
    def _signature(chapter: Chapter) -> str:
        lines = []
        for block in reversed(chapter.blocks):
            text = block.items[0]
            if len(text) > 80 or is_terminated(text) or text.endswith(","):
                break
            lines.insert(0, text)
        lines = [line for line in lines if len(line.split()) > 1]
        return ", ".join(lines[-2:]) if lines else "Vorwort"

    # -- main body -------------------------------------------------------------------

    def read_body(self, start: int):
        for index in range(start, len(self.lines)):
            self.read_line(index + 1, self.lines[index].rstrip())
        self.close_section(len(self.lines))

    def read_line(self, no: int, raw: str):
        line = raw.strip()
        if not line:
            self.blank_run += 1
            if self.blank_run >= 2:
                self.gap = True
            self.last_footnote = None
            return
        directly_after = self.blank_run == 0
        self.blank_run = 0

        m = FOOTNOTE_RE.match(line)
        if m:
            number = int(m.group(1).translate(_SUPER_TO_DIGIT))
            if number in self.doc.footnotes:
                self.error(
                    no,
                    f"footnote {number} is defined twice (first on line "
                    f"{self.doc.footnotes[number].line})",
                )
            note = Footnote(number, m.group(2).strip(), no)
            self.doc.footnotes[number] = note
            self.last_footnote = note
            self.gap = True
            return
        if self.last_footnote is not None and directly_after and not BULLET_RE.match(raw):
            self.last_footnote.text = _join(self.last_footnote.text, line)
            return
        self.last_footnote = None

        m = FIELD_RE.match(line)
        if m and self._heading_like(m.group(3)):
            self.open_field(no, m.group(1), m.group(2), m.group(3).strip())
            return
        m = CHAPTER_RE.match(line)
        if m and self._heading_like(m.group(2)) and self._next_chapter(int(m.group(1))):
            self.open_chapter(no, int(m.group(1)), m.group(2).strip())
            return
        if CROSS_HEADING_RE.match(line) and len(line) <= 300:
            self.open_cross_section(no, line)
            return
        m = GOALS_HEADING_RE.match(line)
        if m and not is_terminated(line):
            self.open_goal_section(no, m.group(1), (m.group(2) or "").strip())
            return
        m = BULLET_RE.match(raw)
        if m:
            self.bullet(no, nested=len(m.group(1)) > 0, text=m.group(2).strip())
            return
        self.text(no, line, directly_after)

    def _next_chapter(self, number: int) -> bool:
        expected = self.chapter_numbers[-1] + 1 if self.chapter_numbers else 1
        return number == expected

    def open_chapter(self, no: int, number: int, title: str):
        self.close_section(no)
        self.field = None
        self.chapter_numbers.append(number)
        self.chapter = Chapter("chapter", str(number), title, no)
        self.doc.chapters.append(self.chapter)
        self.item = None

    def open_field(self, no: int, major: str, minor: str, title: str):
        self.close_section(no)
        number = f"{int(major)}.{int(minor)}"
        current_chapter = self.chapter.number if self.chapter else None
        if current_chapter and current_chapter != str(int(major)):
            self.error(
                no,
                f"field {number} stands in chapter {current_chapter}; "
                f"expected a field number starting with {current_chapter}.",
            )
        siblings = [f for f in self.doc.fields if f.number.split(".")[0] == str(int(major))]
        expected = int(siblings[-1].number.split(".")[1]) + 1 if siblings else 1
        if int(minor) != expected:
            previous = siblings[-1].number if siblings else "none"
            self.error(
                no,
                f"field {number} is out of sequence: expected "
                f"{major}.{expected} (previous field: {previous}).",
            )
        self.field = Field(
            number=number,
            title=title,
            cross_cutting=bool(CROSS_TITLE_RE.search(title)),
            line=no,
            chapter_index=self._chapter_index(),
        )
        self.doc.fields.append(self.field)
        self.section = ("guiding", "") if self.field.cross_cutting else None
        self.section_line = no
        self.section_has_goals = False
        self.item = None

    def open_cross_section(self, no: int, title: str):
        self.close_section(no)
        if any(f.cross_cutting and not f.number for f in self.doc.fields):
            self.error(no, "a second unnumbered cross-cutting section; there may be only one.")
        self.field = Field("", title, True, no, self._chapter_index())
        self.doc.fields.append(self.field)
        self.section = ("guiding", "")
        self.section_line = no
        self.section_has_goals = False
        self.item = None

    def _chapter_index(self) -> int | None:
        return self.doc.chapters.index(self.chapter) if self.chapter else None

    def open_goal_section(self, no: int, heading: str, group: str):
        if self.field is None:
            self.error(
                no,
                f"'{heading}' heading outside a field of action "
                "(expected after a numbered field heading such as '6.2 …').",
            )
            return
        self.close_section(no)
        kind = "guiding" if heading.startswith("Leitziel") else "sub"
        self.section = (kind, group)
        self.section_line = no
        self.section_has_goals = False
        self.item = None

    def close_section(self, no: int):
        if self.field is not None and self.section is not None and not self.section_has_goals:
            what = "Leitziele" if self.section[0] == "guiding" else "Teilziele"
            where = f"field {self.field.number}" if self.field.number else f"'{self.field.title}'"
            self.error(
                self.section_line,
                f"the {what} list of {where} has no goals (bullets start with '- ').",
            )
        self.section = None

    def bullet(self, no: int, nested: bool, text: str):
        self.gap = False
        if self.field is not None:
            if self.section is None:
                self.error(
                    no,
                    f"goal bullet in field {self.field.number or self.field.title} "
                    "before a 'Leitziele' or 'Teilziele' heading.",
                )
                return
            kind, group = self.section
            goal = Goal(kind, text, no, group)
            if nested:
                parent = next(
                    (g for g in reversed(self.field.goals) if (g.kind, g.group) == self.section),
                    None,
                )
                if parent is None or not self.section_has_goals:
                    self.error(no, "nested bullet (' - ') without a goal above it to belong to.")
                    return
                parent.children.append(goal)
            else:
                self.field.goals.append(goal)
            self.section_has_goals = True
            self.item = ("goal", goal)
            return
        chapter = self._ensure_chapter(no)
        if chapter.blocks and chapter.blocks[-1].kind == "ul":
            chapter.blocks[-1].items.append(text)
        else:
            chapter.blocks.append(Block("ul", [text], no))
        self.item = ("block", chapter.blocks[-1])

    def _ensure_chapter(self, no: int) -> Chapter:
        if self.chapter is None:
            self.chapter = Chapter("intro", "", "Einleitung", no)
            self.doc.chapters.append(self.chapter)
        return self.chapter

    def _item_text(self) -> str:
        kind, obj = self.item
        return obj.text if kind == "goal" else obj.items[-1]

    def _extend_item(self, text: str):
        kind, obj = self.item
        if kind == "goal":
            obj.text = _join(obj.text, text)
        else:
            obj.items[-1] = _join(obj.items[-1], text)

    @staticmethod
    def _continues(before: str, after: str, directly_after: bool) -> bool:
        """Whether ``after`` continues the sentence of ``before``.

        PDF extraction puts each paragraph on one line, so a following line is a new
        entry (institution lists have one per line) unless the sentence visibly goes
        on: it starts in lower case after a sentence-long line, or the line before ends
        in a hyphen or comma. After
        a page break, an unfinished long sentence also goes on.
        """
        if is_terminated(before):
            return False
        lower = after[:1].islower() and not re.match(r"(www\.|https?:)", after)
        if (lower and len(before) > 60) or re.search(r"[-,]$", before):
            return True
        return not directly_after and len(before) > SHORT_LINE

    def text(self, no: int, line: str, directly_after: bool):
        if (
            self.item is not None
            and (directly_after or self.gap)
            and self._continues(self._item_text(), line, directly_after)
        ):
            self._extend_item(line)
            self.gap = False
            return
        self.gap = False
        if self.field is not None:
            if self.section is None and not self.field.goals:
                self.field.intro.append(line)
                self.item = None
                return
            self.error(
                no,
                f"text in the goal list of field {self.field.number or self.field.title} "
                "is not a goal ('- ' or ' - '), a heading or a footnote; a goal that "
                "continues after a page break must not end with a full stop.",
            )
            return
        chapter = self._ensure_chapter(no)
        chapter.blocks.append(Block("p", [line], no))
        self.item = ("block", chapter.blocks[-1])

    # -- footnotes -------------------------------------------------------------------

    def attach_footnotes(self):
        owners: dict[int, tuple[str, object]] = {}
        where: dict[int, int] = {}

        def claim(numbers, owner, line):
            for number in numbers:
                if number in owners:
                    self.error(
                        line,
                        f"footnote marker {number} appears twice (also on line {where[number]}).",
                    )
                owners[number] = owner
                where[number] = line

        for chapter in self.doc.chapters:
            for block in chapter.blocks:
                for item in block.items:
                    claim(marker_numbers(item), ("chapter", chapter), block.line)
        for f in self.doc.fields:
            claim(marker_numbers(f.title), ("field", f), f.line)
            for text in f.intro:
                claim(marker_numbers(text), ("field", f), f.line)
            for goal in f.all_goals():
                claim(marker_numbers(goal.text), ("goal", goal), goal.line)
        for number in owners:
            if number not in self.doc.footnotes:
                self.error(
                    where[number],
                    f"footnote marker {number} has no footnote text "
                    f"(a line starting with its superscript number).",
                )
        for number, note in self.doc.footnotes.items():
            if number not in owners:
                self.error(note.line, f"footnote {number} has no marker in the text.")
        self.doc.footnote_owners = owners


def _lists_from_short_paragraphs(chapter: Chapter, minimum: int = 5):
    """Turn a run of one-line entries (a list of institutions, say) into a list."""
    blocks: list[Block] = []
    run: list[Block] = []

    def flush():
        if len(run) >= minimum:
            blocks.append(Block("ul", [b.items[0] for b in run], run[0].line))
        else:
            blocks.extend(run)
        run.clear()

    for block in chapter.blocks:
        if block.kind == "p" and len(block.items[0]) <= 100 and not block.items[0].endswith(":"):
            run.append(block)
        else:
            flush()
            blocks.append(block)
    flush()
    chapter.blocks = blocks


def parse_lines(lines: list[str], source: str = "") -> Document:
    reader = _Reader(lines)
    start = reader.first_structural_line()
    reader.read_front(start)
    reader.read_body(start)
    for chapter in reader.doc.chapters:
        if chapter.kind == "chapter":
            _lists_from_short_paragraphs(chapter)
    reader.attach_footnotes()
    if not reader.doc.fields:
        reader.problems.append(
            (
                max(len(lines), 1),
                "no field of action found: expected numbered headings such as "
                "'6.2 …' or an 'Übergeordnete Leitziele …' section.",
            )
        )
    if reader.problems:
        raise DocumentError(reader.problems, source)
    return reader.doc


def parse_bytes(data: bytes, source: str = "") -> Document:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DocumentError([(line, f"not UTF-8 text (byte {exc.start}).")], source) from exc
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return parse_lines(text.split("\n"), source)
