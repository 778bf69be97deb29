"""Reports as PDF (reportlab): a title, what the figures are, their tables, how to check them.

The standard PDF fonts cover French (accents, «», €, œ) through WinAnsi; the few characters
they lack, such as the narrow no-break space Babel puts between thousands, are replaced by
the closest one they have.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from tracker.tables import Cell, DataTable

MARGIN = 18 * mm
REPLACEMENTS = str.maketrans({"\u202f": "\u00a0", "\u2009": " ", "\u2192": "->"})
_STYLES = getSampleStyleSheet()
TEXT = ParagraphStyle("text", parent=_STYLES["BodyText"], fontSize=9.5, leading=12.5)
SMALL = ParagraphStyle("small", parent=TEXT, fontSize=8, leading=10)
HEADING = ParagraphStyle("heading", parent=_STYLES["Heading2"], fontSize=12.5, spaceBefore=10)
TITLE = ParagraphStyle("title", parent=_STYLES["Title"], fontSize=17, alignment=0)
CODE = ParagraphStyle("code", parent=SMALL, fontName="Courier", fontSize=7.5, leading=9.5)
CELL = ParagraphStyle("cell", parent=SMALL, leading=9.5)
NUMBER = ParagraphStyle("number", parent=CELL, alignment=2)
HEADER = ParagraphStyle("header", parent=CELL, fontName="Helvetica-Bold", fontSize=7.5)


@dataclass(frozen=True)
class Section:
    """A heading, then paragraphs, tables (each with its caption) and a list, in that order."""

    heading: str
    paragraphs: tuple[str, ...] = ()
    tables: tuple[DataTable, ...] = ()
    items: tuple[str, ...] = ()
    items_title: str = ""


@dataclass(frozen=True)
class PdfReport:
    """A whole report; `code` lines are printed in a fixed-width font (commands, digests)."""

    title: str
    facts: tuple[tuple[str, str], ...]
    sections: tuple[Section, ...]
    closing: tuple[str, ...] = ()
    code: tuple[str, ...] = ()
    footer: str = ""  # on every page, before the page number
    page_word: str = "page"


def render(report: PdfReport) -> bytes:
    """The report on A4 pages; the same report always gives the same bytes."""
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
        bottomMargin=MARGIN, title=_clean(report.title), creator="tracker", invariant=1,
    )  # fmt: skip
    story: list[Flowable] = [_paragraph(report.title, TITLE)]
    story += [_paragraph(f"<b>{_text(label)}</b> {_text(value)}", TEXT, markup=True)
              for label, value in report.facts]  # fmt: skip
    for section in report.sections:
        story += _section(section, document.width)
    story.append(Spacer(1, 4 * mm))
    story += [_paragraph(text, TEXT) for text in report.closing]
    story += [_paragraph(line, CODE) for line in report.code]

    def footer(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7.5)
        text = f"{report.footer} — {report.page_word} {doc.page}" if report.footer else ""
        canvas.drawString(MARGIN, MARGIN / 2, _clean(text or f"{report.page_word} {doc.page}"))
        canvas.restoreState()

    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _section(section: Section, width: float) -> list[Flowable]:
    found: list[Flowable] = [_paragraph(section.heading, HEADING)]
    found += [_paragraph(text, TEXT) for text in section.paragraphs]
    for table in section.tables:
        found += [_paragraph(f"<b>{_text(table.title)}</b>", TEXT, markup=True),
                  _table(table, width)]  # fmt: skip
        if table.note:
            found.append(_paragraph(table.note, SMALL))
        found.append(Spacer(1, 3 * mm))
    if section.items_title:
        found.append(_paragraph(f"<b>{_text(section.items_title)}</b>", TEXT, markup=True))
    found += [_paragraph(f"• {item}", SMALL) for item in section.items]
    return found


def _table(table: DataTable, width: float) -> Table:
    first = width * 0.22
    others = (width - first) / max(len(table.columns) - 1, 1)
    rows: list[list[Flowable]] = [[_paragraph(h, HEADER) for h in table.columns]]
    rows += [
        [_paragraph(_shown(value), CELL if column == 0 else NUMBER)
         for column, value in enumerate(row)]
        for row in table.rows
    ]  # fmt: skip
    shown = Table(rows, colWidths=[first] + [others] * (len(table.columns) - 1), repeatRows=1)
    shown.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.92, 0.92, 0.92)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))  # fmt: skip
    return shown


def _shown(value: Cell) -> str:
    return "—" if value is None else str(value)


def _paragraph(text: str, style: ParagraphStyle, *, markup: bool = False) -> Paragraph:
    return Paragraph(text if markup else _text(text), style)


def _text(text: str) -> str:
    """Plain text made safe for reportlab's paragraph markup, in the fonts' characters."""
    return escape(_clean(text))


def _clean(text: str) -> str:
    return text.translate(REPLACEMENTS).encode("cp1252", "replace").decode("cp1252")
