"""Asset-tag labels as PDF: a QR code of the tag beside the tag, the computer and its donation."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

# Avery L7160 and its equivalents: 3 columns x 7 rows of 63.5 x 38.1 mm on A4.
SHEET_COLUMNS = 3
LABELS_PER_SHEET = 21
SHEET_TOP = 15.15 * mm
SHEET_LEFT = 7.25 * mm
SHEET_PITCH_X = 66.04 * mm
SHEET_PITCH_Y = 38.1 * mm

PADDING = 2 * mm
QR_GAP = 1 * mm  # beyond the code's own quiet zone
QUIET_ZONE_MODULES = 4  # the minimum the QR code standard asks for
BOLD, REGULAR = "Helvetica-Bold", "Helvetica"
TAG_MAX_SIZE = 14.0
TITLE_SIZE = 7.0
SUBTITLE_SIZE = 6.0
LINE_HEIGHT = 1.25  # times the font size: room for accents above and descenders below
ELLIPSIS = "…"


@dataclass(frozen=True)
class Label:
    """One label: the tag (all the QR code encodes), then two short lines for people."""

    tag: str
    title: str
    subtitle: str

    def __post_init__(self) -> None:
        if not self.tag.strip():
            raise ValueError("a label needs a tag")


@dataclass(frozen=True)
class LabelSize:
    """The size of one label and of the QR code (quiet zone included) printed on it."""

    width: float
    height: float
    qr_size: float


SHEET_LABEL = LabelSize(63.5 * mm, 38.1 * mm, 27 * mm)
ROLL_LABEL = LabelSize(62 * mm, 29 * mm, 25 * mm)


def sheet_pdf(labels: Sequence[Label], *, skip: int = 0) -> bytes:
    """A4 pages on the Avery L7160 grid (3 x 7 = 21 labels of 63.5 x 38.1 mm).

    `skip` leaves the first positions empty so a partly used sheet can be reused; labels go
    left to right, then top to bottom, and carry on over as many sheets as needed.
    """
    _refuse_no_labels(labels)
    if not 0 <= skip < LABELS_PER_SHEET:
        raise ValueError(f"skip must be from 0 to {LABELS_PER_SHEET - 1}, not {skip}")
    buffer = io.BytesIO()
    pdf = _canvas(buffer, A4)
    for index, label in enumerate(labels, start=skip):
        position = index % LABELS_PER_SHEET
        if index > skip and position == 0:
            pdf.showPage()
        row, column = divmod(position, SHEET_COLUMNS)
        x = SHEET_LEFT + column * SHEET_PITCH_X
        y = A4[1] - SHEET_TOP - row * SHEET_PITCH_Y - SHEET_LABEL.height
        _draw_label(pdf, label, SHEET_LABEL, x, y)
    pdf.save()
    return buffer.getvalue()


def roll_pdf(labels: Sequence[Label]) -> bytes:
    """One page per label, 62 x 29 mm, for small label printers (e.g. Brother DK-11209)."""
    _refuse_no_labels(labels)
    buffer = io.BytesIO()
    pdf = _canvas(buffer, (ROLL_LABEL.width, ROLL_LABEL.height))
    for label in labels:
        _draw_label(pdf, label, ROLL_LABEL, 0, 0)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _refuse_no_labels(labels: Sequence[Label]) -> None:
    if not labels:
        raise ValueError("no labels to print")


def _canvas(buffer: io.BytesIO, page_size: tuple[float, float]) -> Canvas:
    # invariant: no creation date nor random file id, so the same labels give the same bytes.
    pdf = Canvas(buffer, pagesize=page_size, invariant=1)
    pdf.setTitle("Étiquettes")
    pdf.setCreator("tracker")
    return pdf


def _draw_label(pdf: Canvas, label: Label, size: LabelSize, x: float, y: float) -> None:
    """The QR code on the left, vertically centred; the tag, title and subtitle on its right."""
    qr_x, qr_y = x + PADDING, y + (size.height - size.qr_size) / 2
    code = QrCodeWidget(label.tag, barLevel="M", barBorder=QUIET_ZONE_MODULES,
                        barWidth=size.qr_size, barHeight=size.qr_size)  # fmt: skip
    drawing = Drawing(size.qr_size, size.qr_size)
    drawing.add(code)
    renderPDF.draw(drawing, pdf, qr_x, qr_y)

    text_x = qr_x + size.qr_size + QR_GAP
    text_width = x + size.width - PADDING - text_x
    tag_size = min(TAG_MAX_SIZE, text_width / stringWidth(label.tag, BOLD, 1))
    lines = [
        (label.tag, BOLD, tag_size),
        (_fitted(label.title, REGULAR, TITLE_SIZE, text_width), REGULAR, TITLE_SIZE),
        (_fitted(label.subtitle, REGULAR, SUBTITLE_SIZE, text_width), REGULAR, SUBTITLE_SIZE),
    ]
    line_top = y + (size.height + sum(s for _, _, s in lines) * LINE_HEIGHT) / 2
    for text, font, font_size in lines:
        pdf.setFont(font, font_size)
        pdf.drawString(text_x, line_top - font_size, text)
        line_top -= font_size * LINE_HEIGHT


def _fitted(text: str, font: str, size: float, width: float) -> str:
    """The text on one line, cut and ended with an ellipsis if it is wider than `width`."""
    text = " ".join(text.split())
    if stringWidth(text, font, size) <= width:
        return text
    fits, too_long = 0, len(text)  # lengths of prefixes that fit, or not, with the ellipsis
    while too_long - fits > 1:
        middle = (fits + too_long) // 2
        if stringWidth(text[:middle] + ELLIPSIS, font, size) <= width:
            fits = middle
        else:
            too_long = middle
    return text[:fits].rstrip() + ELLIPSIS
