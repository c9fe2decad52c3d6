"""The council paper package as a Word document (python-docx), for staff to edit further.

The same parts as the PDF (``templates/publishing/council_paper.html``) in Word's own
structures — real headings (so Word's navigation pane and contents field work), real
tables with repeating header rows, tracked-change-like colours for the synopsis — rather
than a converted PDF that nobody can edit.
"""

from __future__ import annotations

import io

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .council import CouncilPackage

RED, GREEN, BLUE = "A1261B", "176B2C", "063F54"


def _doc():
    import docx
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    document = docx.Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(2.2)
    section.top_margin = section.bottom_margin = Cm(2.2)
    styles = document.styles
    normal = styles["Normal"]
    normal.font.name = "Liberation Sans"
    normal.font.size = Pt(10)
    # Spell checking and hyphenation in German.
    properties = normal.element.get_or_add_rPr()
    language = properties.find(qn("w:lang"))
    if language is None:
        language = properties.makeelement(qn("w:lang"), {})
        properties.append(language)
    language.set(qn("w:val"), "de-DE")
    for name in ("Heading 1", "Heading 2", "Title"):
        styles[name].font.name = "Liberation Sans"
    if "Small" not in [s.name for s in styles]:
        small = styles.add_style("Small", WD_STYLE_TYPE.PARAGRAPH)
        small.base_style = normal
        small.font.size = Pt(8)
    return document


def _run(paragraph, text, *, bold=False, colour=None, strike=False, underline=False):
    from docx.shared import RGBColor

    run = paragraph.add_run(text)
    run.bold = bold
    run.font.strike = strike
    run.underline = underline
    if colour:
        run.font.color.rgb = RGBColor.from_string(colour)
    return run


def _paragraphs(document, text: str):
    for block in [b.strip() for b in (text or "").split("\n\n") if b.strip()]:
        document.add_paragraph(" ".join(block.split()))


def _table(document, headers: list[str], *, widths=None):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm

    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    header = table.rows[0]
    # Repeat the header row on every page the table runs onto.
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    header._tr.get_or_add_trPr().append(flag)
    for cell, text in zip(header.cells, headers, strict=True):
        cell.text = ""
        _run(cell.paragraphs[0], text, bold=True, colour=BLUE)
    if widths:
        for row in table.rows:
            for cell, width in zip(row.cells, widths, strict=True):
                cell.width = Cm(width)
    return table


def _row(table, values: list, *, widths=None):
    from docx.shared import Cm

    cells = table.add_row().cells
    for index, value in enumerate(values):
        if callable(value):
            cells[index].text = ""
            value(cells[index].paragraphs[0])
        else:
            cells[index].text = "" if value is None else str(value)
        if widths:
            cells[index].width = Cm(widths[index])
    return cells


def _landscape(document):
    from docx.enum.section import WD_ORIENT, WD_SECTION
    from docx.shared import Cm

    section = document.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(1.8)
    return section


def _mark(value: str, choice: str) -> str:
    return "☒" if value == choice else "☐"


def package_docx(package: CouncilPackage) -> bytes:
    paper, process = package.paper, package.process
    document = _doc()
    core = document.core_properties
    core.title, core.language, core.subject = paper.title, "de-DE", package.annex_title

    document.add_paragraph(package.base.city.name, style="Small")
    document.add_heading(paper.title, level=0)
    facts = [
        (_("Paper number"), paper.reference or _("not yet assigned")),
        (_("Date"), date_format(paper.date or package.generated_on, "j. F Y")),
        (_("Process"), process.title),
        (_("Edition to adopt"), package.draft_label),
        (_("Replaces"), package.base_label),
    ]
    table = document.add_table(rows=0, cols=2)
    for label, value in facts:
        _row(table, [lambda p, label=label: _run(p, label, bold=True), value])

    # A. Annex
    document.add_heading(_("A. Annex to the council paper"), level=1)
    document.add_paragraph(package.annex_title, style="Small")
    document.add_heading(_("Short overview"), level=2)
    _paragraphs(document, paper.overview)
    document.add_heading(_("Goals, sub-goals and how their achievement is measured"), level=2)
    _paragraphs(document, paper.goals)
    headers = [_("Field of action"), _("Guiding goals"), _("Sub-goals"), _("Measured by")]
    table = _table(document, headers, widths=[6.5, 2, 2, 6])
    for item in package.fields:
        measured = "; ".join(f"{n} ({u})" if u else n for n, u in item.indicators)
        _row(
            table,
            [
                f"{item.field.number} {item.field.title}".strip(),
                item.guiding,
                item.sub,
                measured or _("no indicator yet"),
            ],
            widths=[6.5, 2, 2, 6],
        )
    if paper.orientation:
        document.add_heading(_("Guiding orientation"), level=2)
        for block in [b for b in paper.orientation.split("\n\n") if b.strip()]:
            _run(document.add_paragraph(style="Quote"), " ".join(block.split()))

    document.add_heading(_("Financing"), level=2)
    group = " ".join(x for x in (paper.product_group, paper.product_group_name) if x)
    line = f"{_('Product group')}: {group or '–'}"
    if paper.budget_year:
        line += f" · {_('Budget year')} {paper.budget_year}"
    document.add_paragraph(line)
    table = _table(document, ["", _("Yes"), _("No"), _("Partly")], widths=[10, 2, 2, 2])
    for label, value, partly in (
        (_("Effects on the results plan"), paper.affects_results_plan, False),
        (_("Effects on the financial plan"), paper.affects_financial_plan, False),
        (_("Contained in the adopted (supplementary) budget?"), paper.in_adopted_budget, True),
        (_("Contained in the draft (supplementary) budget?"), paper.in_draft_budget, True),
        (_("Burdens in future budget years?"), paper.future_burden, False),
        (_("Already budgeted?"), paper.already_budgeted, False),
    ):
        _row(
            table,
            [
                label,
                _mark(value, "yes"),
                _mark(value, "no"),
                _mark(value, "partly") if partly else "–",
            ],
            widths=[10, 2, 2, 2],
        )

    document.add_heading(_("Degree of obligation"), level=2)
    choices = paper.Obligation.choices
    table = _table(document, [str(label) for _value, label in choices])
    _row(table, [_mark(paper.obligation, value) for value, _label in choices])
    _paragraphs(document, paper.obligation_reason)

    document.add_heading(_("Direct, fundamental relevance to cross-cutting topics"), level=2)
    document.add_paragraph(
        "   ".join(
            f"{_mark('x' if v in paper.topics else '', 'x')} {lbl}"
            for v, lbl in paper.Topic.choices
        )
    )
    _paragraphs(document, paper.relevance)

    # B. Synopsis
    _landscape(document)
    document.add_heading(_("B. Synopsis: previous and new text"), level=1)
    counts = package.synopsis_counts
    document.add_paragraph(
        _(
            "%(reworded)d reworded, %(new)d new, %(removed)d removed, %(unchanged)d "
            "unchanged. Removed words are struck through, added words underlined."
        )
        % counts
    )
    widths = [11.5, 11.5, 3]
    for group in package.synopsis:
        title = (
            f"{group.field.number} {group.field.title}".strip()
            if group.field
            else _("Goals outside a field of action")
        )
        document.add_heading(title, level=2)
        table = _table(
            document,
            [
                _("Previous text (%(year)s)") % {"year": package.base.year},
                _("New text (%(year)s)") % {"year": package.draft.year},
                _("Change"),
            ],
            widths=widths,
        )
        for row in group.rows:
            _row(table, [*_synopsis_cells(row), _status_label(row.status)], widths=widths)

    # C. Participation
    document.add_section()
    _portrait(document)
    document.add_heading(_("C. Report on the participation"), level=1)
    if process.summary:
        document.add_paragraph(process.summary)
    document.add_heading(_("Events"), level=2)
    table = _table(document, [_("Date"), _("Event"), _("Place"), _("Participants")])
    for line in package.events:
        count = line.participants
        _row(
            table,
            [
                line.event.starts_at.strftime("%d.%m.%Y"),
                line.event.title,
                line.event.place_name or line.event.get_mode_display(),
                f"< {package.minimum}" if count is None else count,
            ],
        )
    document.add_paragraph(
        _(
            "Participants: confirmed registrations not marked as absent. Counts below %(n)d "
            "are not shown, to protect privacy."
        )
        % {"n": package.minimum},
        style="Small",
    )
    document.add_heading(_("Who took part"), level=2)
    stats = package.stats
    if stats["total"] is None:
        document.add_paragraph(
            _("Fewer than %(n)d people took part, so no breakdown is shown.")
            % {"n": stats["minimum_total"]}
        )
    else:
        document.add_paragraph(
            _("%(n)d people took part (each counted once).") % {"n": stats["total"]}
        )
        for section in stats["sections"]:
            table = _table(document, [str(section["title"]), _("People")])
            for row in section["rows"]:
                shown = f"< {stats['minimum']}" if row["suppressed"] else row["count"]
                _row(table, [str(row["label"]), shown])
    for result in package.polls:
        document.add_heading(f"{_('Prioritisation')}: {result['poll'].title}", level=2)
        table = _table(document, [_("Field of action"), _("Points"), _("Share")])
        for row in result["rows"]:
            _row(table, [row["field"].title, row["points"], f"{row['share']:.1f} %"])
    document.add_heading(_("Contributions"), level=2)
    table = _table(document, [_("Disposition"), _("Contributions")])
    for label, count in package.dispositions:
        _row(table, [label, count])

    # D. Consideration
    _landscape(document)
    document.add_heading(_("D. Consideration of the contributions"), level=1)
    widths = [1.4, 4, 8.5, 5.5, 6.6]
    headers = [
        _("No."),
        _("Received"),
        _("Contribution"),
        _("Proposed wording"),
        _("Disposition and reason"),
    ]
    table = _table(document, headers, widths=widths)
    for row in package.contributions:
        received = f"{row['date']:%d.%m.%Y}\n{row['kind']}, {row['source']}"
        if row["subject"]:
            received += f"\n{row['subject']}"
        decision = (
            (lambda p, r=row: (_run(p, r["disposition"], bold=True), _run(p, "\n" + r["reason"])))
            if row["disposition"]
            else _("Not yet weighed")
        )
        number = str(row["number"]) + (f"\n→ {row['reply_to']}" if row["reply_to"] else "")
        _row(
            table,
            [number, received, row["text"], row["proposed_text"], decision],
            widths=widths,
        )

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _portrait(document):
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm

    section = document.sections[-1]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.2)


def _status_label(status: str) -> str:
    return {
        "reworded": _("reworded"),
        "new": _("new"),
        "removed": _("removed"),
        "unchanged": _("unchanged"),
    }[status]


def _synopsis_cells(row):
    """Old and new text as cell writers: deletions struck through in red on the left,
    insertions underlined in green on the right."""

    def old(paragraph):
        if row.status == "reworded":
            for op, text in row.diff:
                if op == "delete":
                    _run(paragraph, text, strike=True, colour=RED)
                elif op == "equal":
                    _run(paragraph, text)
        elif row.old is not None:
            removed = row.status == "removed"
            _run(paragraph, row.old.text, strike=removed, colour=RED if removed else None)

    def new(paragraph):
        if row.status == "reworded":
            for op, text in row.diff:
                if op == "insert":
                    _run(paragraph, text, underline=True, colour=GREEN)
                elif op == "equal":
                    _run(paragraph, text)
        elif row.new is not None:
            added = row.status == "new"
            _run(paragraph, row.new.text, underline=added, colour=GREEN if added else None)

    return [old, new]
