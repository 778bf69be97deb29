"""Label PDFs: each QR code reads back as its tag, in its place, with the tag printed beside it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image

from tracker.label_sheets import Label, roll_pdf, sheet_pdf

SCALE = 300 / 72  # 300 dpi: what a label printer prints, enough to read 0.7 mm modules
MM = 72 / 25.4  # points per millimetre

# The Avery L7160 grid, from its template rather than from the module under test.
TOP, LEFT = 15.15, 7.25
PITCH_X, PITCH_Y = 66.04, 38.1
LABEL_WIDTH, LABEL_HEIGHT = 63.5, 38.1
PADDING = 2.0


def label(number: int, title: str = "Portable · Dell Latitude 5490") -> Label:
    return Label(tag=f"CD35-2026-{number:05d}", title=title, subtitle="Don du 03/11/2026 · CD35")


@dataclass(frozen=True)
class Code:
    """A QR code read from a rendered page, its symbol's edges in mm from the page's top left."""

    text: str
    ec_level: str
    modules: int  # across the symbol: 17 + 4 x its version
    left: float
    top: float
    right: float
    bottom: float

    @property
    def centre(self) -> tuple[float, float]:
        return (self.left + self.right) / 2, (self.top + self.bottom) / 2

    @property
    def quiet_zone(self) -> float:
        return 4 * (self.right - self.left) / self.modules


def read(page: pdfium.PdfPage) -> tuple[Image.Image, list[Code]]:
    image = page.render(scale=SCALE, grayscale=True).to_pil()
    codes = []
    for barcode in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode):
        corners = barcode.position
        points = (corners.top_left, corners.top_right, corners.bottom_left, corners.bottom_right)
        xs, ys = [point.x for point in points], [point.y for point in points]
        details = barcode.extra
        assert isinstance(details, dict)
        version = int(details["Version"])
        edges = (min(xs), min(ys), max(xs) + 1, max(ys) + 1)  # corners are the outer pixels
        left, top, right, bottom = (edge / SCALE / MM for edge in edges)
        modules = 17 + 4 * version
        codes.append(Code(barcode.text, barcode.ec_level, modules, left, top, right, bottom))
    return image, codes


def codes_on(page: pdfium.PdfPage) -> list[Code]:
    return read(page)[1]


def blank(image: Image.Image, left: float, top: float, right: float, bottom: float) -> bool:
    """Whether an area of the page, in mm from its top left, is white (or nearly, at its edges)."""
    box = tuple(round(edge * MM * SCALE) for edge in (left, top, right, bottom))
    darkest, _ = image.crop(box).getextrema()
    return bool(darkest >= 250)  # outside the page, crop() gives black


def quiet_zone_is_blank(image: Image.Image, code: Code) -> bool:
    zone, edge = code.quiet_zone, 0.15  # keep off the anti-aliased pixels of the symbol's edge
    left, top, right, bottom = code.left, code.top, code.right, code.bottom
    return all((
        blank(image, left - zone, top - zone, right + zone, top - edge),
        blank(image, left - zone, bottom + edge, right + zone, bottom + zone),
        blank(image, left - zone, top, left - edge, bottom),
        blank(image, right + edge, top, right + zone, bottom),
    ))  # fmt: skip


def grid_cell(x: float, y: float) -> tuple[int, int]:
    """The (row, column), counted from 1, of the L7160 label holding a point in mm from top left."""
    row, column = int((y - TOP) // PITCH_Y), int((x - LEFT) // PITCH_X)
    assert 0 <= row < 7, (x, y)
    assert 0 <= column < 3, (x, y)
    assert x - LEFT - column * PITCH_X <= LABEL_WIDTH, "in the gap between two columns"
    return row + 1, column + 1


def placements(page: pdfium.PdfPage) -> dict[str, tuple[int, int]]:
    codes = codes_on(page)
    placed = {code.text: grid_cell(*code.centre) for code in codes}
    assert len(placed) == len(codes), "a tag is printed twice on the page"
    return placed


def cell_origin(row: int, column: int) -> tuple[float, float]:
    return LEFT + (column - 1) * PITCH_X, TOP + (row - 1) * PITCH_Y


def text_of(page: pdfium.PdfPage) -> str:
    return str(page.get_textpage().get_text_range())


def printed_boxes(page: pdfium.PdfPage) -> list[tuple[str, float, float, float, float]]:
    """Each printed character with its box (left, top, right, bottom) in mm from the top left."""
    text_page = page.get_textpage()
    boxes = []
    for index in range(text_page.count_chars()):
        char = text_page.get_text_range(index, 1)
        if char.strip():
            left, bottom, right, top = (v / MM for v in text_page.get_charbox(index))
            height = page.get_height() / MM
            boxes.append((char, left, height - top, right, height - bottom))
    return boxes


@pytest.fixture(scope="module")
def sheets_of_25() -> pdfium.PdfDocument:
    return pdfium.PdfDocument(sheet_pdf([label(n) for n in range(1, 26)]))


def test_each_qr_code_on_the_sheet_decodes_to_its_tag_in_reading_order(
    sheets_of_25: pdfium.PdfDocument,
) -> None:
    assert len(sheets_of_25) == 2
    first, second = placements(sheets_of_25[0]), placements(sheets_of_25[1])

    assert first == {label(n + 1).tag: (n // 3 + 1, n % 3 + 1) for n in range(21)}
    assert second == {label(22).tag: (1, 1), label(23).tag: (1, 2),
                      label(24).tag: (1, 3), label(25).tag: (2, 1)}  # fmt: skip


def test_every_code_sits_at_the_same_place_in_its_label_with_its_quiet_zone_blank(
    sheets_of_25: pdfium.PdfDocument,
) -> None:
    image, codes = read(sheets_of_25[0])
    offsets = []
    for code in codes:
        cell_left, cell_top = cell_origin(*grid_cell(*code.centre))
        x, y = code.centre
        offsets.append(x - cell_left)
        assert y - cell_top == pytest.approx(LABEL_HEIGHT / 2, abs=0.5)
        assert code.ec_level == "M"
        assert code.left - code.quiet_zone >= cell_left
        assert 26 <= code.right - code.left + 2 * code.quiet_zone <= 30
        assert quiet_zone_is_blank(image, code), code
    assert len(codes) == 21
    assert max(offsets) - min(offsets) < 0.3  # a pixel or two of rounding


def test_each_human_readable_tag_is_printed_as_text_on_its_sheet(
    sheets_of_25: pdfium.PdfDocument,
) -> None:
    first, second = text_of(sheets_of_25[0]), text_of(sheets_of_25[1])

    assert all(label(n).tag in first for n in range(1, 22))
    assert all(label(n).tag in second for n in range(22, 26))
    assert label(22).tag not in first
    assert "Don du 03/11/2026 · CD35" in first


def test_skipped_positions_stay_empty_and_the_first_label_takes_the_next_one() -> None:
    page = pdfium.PdfDocument(sheet_pdf([label(1), label(2)], skip=5))[0]

    assert placements(page) == {label(1).tag: (2, 3), label(2).tag: (3, 1)}


def test_skipping_twenty_positions_prints_on_the_last_one_then_a_new_sheet() -> None:
    document = pdfium.PdfDocument(sheet_pdf([label(1), label(2)], skip=20))

    assert len(document) == 2
    assert placements(document[0]) == {label(1).tag: (7, 3)}
    assert placements(document[1]) == {label(2).tag: (1, 1)}


def test_the_roll_has_one_62_by_29_mm_page_per_label_with_its_code_and_tag() -> None:
    labels = [label(1), label(2), label(3)]
    document = pdfium.PdfDocument(roll_pdf(labels))

    assert len(document) == len(labels)
    for page, printed in zip(document, labels, strict=True):
        width, height = page.get_size()
        assert width / MM == pytest.approx(62, abs=0.5)
        assert height / MM == pytest.approx(29, abs=0.5)
        assert [code.text for code in codes_on(page)] == [printed.tag]
        assert printed.tag in text_of(page)


def test_the_roll_code_measures_25_mm_with_its_quiet_zone_blank_and_inside_the_page() -> None:
    image, [code] = read(pdfium.PdfDocument(roll_pdf([label(1)]))[0])

    assert code.ec_level == "M"
    assert code.right - code.left + 2 * code.quiet_zone == pytest.approx(25, abs=1)
    assert code.left - code.quiet_zone >= 0
    assert code.top - code.quiet_zone >= 0
    assert code.bottom + code.quiet_zone <= 29
    assert quiet_zone_is_blank(image, code)


@pytest.mark.parametrize("render", [sheet_pdf, roll_pdf])
def test_a_french_title_keeps_its_accents_and_the_code_still_holds_only_the_tag(
    render: Callable[[Sequence[Label]], bytes],
) -> None:
    french = label(7, title="Écran · Unité centrale réparée")

    page = pdfium.PdfDocument(render([french]))[0]

    assert [code.text for code in codes_on(page)] == [french.tag]
    assert "Écran · Unité" in text_of(page)


# A pre-printed tag as long as tags may be, and lines far wider than any label.
LONG = Label(
    tag="PRE-PRINTED-TAG-FROM-A-DONOR-042",
    title="Unité centrale · Hewlett-Packard EliteDesk 800 G4 Desktop Mini très complète",
    subtitle="Don du 03/11/2026 · Communauté d'agglomération de la métropole rennaise",
)


def inside(box: tuple[str, float, float, float, float], area: tuple[float, ...]) -> bool:
    _, left, top, right, bottom = box
    area_left, area_top, area_right, area_bottom = area
    return area_left <= left and right <= area_right and area_top <= top and bottom <= area_bottom


def test_a_long_tag_shrinks_and_long_lines_are_cut_to_stay_inside_the_roll_label() -> None:
    page = pdfium.PdfDocument(roll_pdf([LONG]))[0]
    text = text_of(page)

    assert [code.text for code in codes_on(page)] == [LONG.tag]
    assert LONG.tag in text
    assert "Unité centrale" in text
    assert LONG.title not in text
    assert text.count("…") == 2
    outside = [b for b in printed_boxes(page) if not inside(b, (2, 2, 62 - 2, 29 - 2))]
    assert not outside


def test_text_on_the_sheet_stays_inside_its_label_clear_of_the_edges() -> None:
    page = pdfium.PdfDocument(sheet_pdf([label(1), LONG, label(3)], skip=3))[0]

    assert placements(page) == {label(1).tag: (2, 1), LONG.tag: (2, 2), label(3).tag: (2, 3)}
    boxes = printed_boxes(page)
    assert "".join(box[0] for box in boxes).count("…") == 2
    for box in boxes:
        _, left, top, right, bottom = box
        cell_left, cell_top = cell_origin(*grid_cell((left + right) / 2, (top + bottom) / 2))
        padded = (cell_left + PADDING, cell_top + PADDING,
                  cell_left + LABEL_WIDTH - PADDING, cell_top + LABEL_HEIGHT - PADDING)  # fmt: skip
        assert inside(box, padded), box


def test_the_same_labels_give_the_same_bytes() -> None:
    labels = [label(1), label(2, title="Écran · Iiyama ProLite")]

    assert sheet_pdf(labels, skip=4) == sheet_pdf(labels, skip=4)
    assert roll_pdf(labels) == roll_pdf(labels)
    assert sheet_pdf(labels) != sheet_pdf(labels[::-1])


def test_the_pdf_says_it_holds_labels_made_by_the_tracker() -> None:
    for data in (sheet_pdf([label(1)]), roll_pdf([label(1)])):
        metadata = pdfium.PdfDocument(data).get_metadata_dict()
        assert metadata["Title"] == "Étiquettes"
        assert metadata["Creator"] == "tracker"


def test_printing_no_labels_is_refused() -> None:
    with pytest.raises(ValueError, match="no labels"):
        sheet_pdf([])
    with pytest.raises(ValueError, match="no labels"):
        roll_pdf([])


@pytest.mark.parametrize("skip", [-1, 21])
def test_skipping_outside_the_21_positions_of_a_sheet_is_refused(skip: int) -> None:
    with pytest.raises(ValueError, match="skip"):
        sheet_pdf([label(1)], skip=skip)


def test_a_label_without_a_tag_is_refused() -> None:
    with pytest.raises(ValueError, match="tag"):
        Label(tag=" ", title="Portable", subtitle="")
