"""Table exports: the CSV reads back as the table, the XLSX keeps its types, downloads are files."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime
from decimal import Decimal
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import pytest
from litestar import Response, get
from litestar.testing import create_test_client

from tracker.tables import Cell, DataTable
from tracker.web.exports import download, sheet_name, to_csv, to_xlsx

PARIS = ZoneInfo("Europe/Paris")
GENERATED_AT = datetime(2026, 3, 1, 14, 5, tzinfo=PARIS)
CONTEXT = "Filtres : année 2026, programme CD35"
NS = {"x": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
BOM = b"\xef\xbb\xbf"


ROWS: tuple[tuple[Cell, ...], ...] = (
    (date(2026, 1, 1), "Rennes · Atelier Élan", 42, Decimal("12.50"), None),
    (
        date(2026, 2, 1),
        "Saint-Malo, « le Phare »",
        -3,
        1.5,
        datetime(2026, 2, 3, 9, 30, tzinfo=PARIS),
    ),
)


def table(*rows: tuple[Cell, ...], title: str = "Débit mensuel", note: str = "") -> DataTable:
    return DataTable(
        slug="debit-mensuel",
        title=title,
        columns=("Mois", "Site", "Ordinateurs", "Poids (kg)", "Dernier passage"),
        rows=rows or ROWS,
        note=note,
    )


def csv_cells(body: bytes) -> list[list[str]]:
    assert body.startswith(BOM)
    return list(csv.reader(io.StringIO(body[len(BOM) :].decode("utf-8"), newline="")))


class Xlsx:
    """An XLSX file read back with the standard library: cells by reference, strings resolved."""

    def __init__(self, body: bytes) -> None:
        self.archive = zipfile.ZipFile(io.BytesIO(body))
        self.strings = [
            "".join(item.itertext())
            for item in self.xml("xl/sharedStrings.xml").findall("x:si", NS)
        ]
        sheet = self.xml("xl/worksheets/sheet1.xml")
        self.cells = {cell.get("r"): cell for cell in sheet.iterfind(".//x:c", NS)}

    def text(self, name: str) -> str:
        return self.archive.read(name).decode("utf-8")

    def xml(self, name: str) -> ElementTree.Element:
        return ElementTree.fromstring(self.archive.read(name))  # noqa: S314  # our own output

    def value(self, ref: str) -> str:
        raw = self.cells[ref].findtext("x:v", namespaces=NS)
        assert raw is not None, ref
        return self.strings[int(raw)] if self.cells[ref].get("t") == "s" else raw

    def number_format(self, ref: str) -> str:
        styles = self.xml("xl/styles.xml")
        xf = styles.findall("x:cellXfs/x:xf", NS)[int(self.cells[ref].get("s", "0"))]
        codes = {f.get("numFmtId"): f.get("formatCode") for f in styles.iterfind(".//x:numFmt", NS)}
        return codes.get(xf.get("numFmtId"), "General")


def xlsx(data: DataTable) -> Xlsx:
    return Xlsx(to_xlsx(data, generated_at=GENERATED_AT, context=CONTEXT))


@pytest.mark.parametrize("width", [4, 6])
def test_a_table_refuses_a_row_without_one_cell_per_column(width: int) -> None:
    with pytest.raises(ValueError, match="row 1"):
        table(tuple(range(width)))


@pytest.mark.parametrize("slug", ["", "débit", 'a"b', "a b", "../etc"])
def test_a_table_refuses_a_slug_unfit_for_a_file_name(slug: str) -> None:
    with pytest.raises(ValueError, match="slug"):
        DataTable(slug=slug, title="Stock", columns=("Site",), rows=())


def test_csv_reads_back_as_the_headings_then_the_cells_with_their_accents() -> None:
    body = to_csv(table())

    assert csv_cells(body) == [
        ["Mois", "Site", "Ordinateurs", "Poids (kg)", "Dernier passage"],
        ["2026-01-01", "Rennes · Atelier Élan", "42", "12.50", ""],
        ["2026-02-01", "Saint-Malo, « le Phare »", "-3", "1.5", "2026-02-03T09:30:00+01:00"],
    ]
    assert body.endswith(b"\r\n")
    assert b',"Saint-Malo, \xc2\xab le Phare \xc2\xbb",' in body  # quoted, not split


def test_csv_keeps_quotes_and_line_breaks_inside_a_cell() -> None:
    text = 'Atelier "Élan"\nbâtiment B'
    body = to_csv(table((date(2026, 1, 1), text, 1, None, None)))

    assert csv_cells(body)[1][1] == text


@pytest.mark.parametrize("text", ["=SUM(A1)", "+33 6 12 34 56 78", "-x", "@x", "\tx", "\rx"])
def test_csv_defuses_text_a_spreadsheet_would_run_as_a_formula(text: str) -> None:
    body = to_csv(table((date(2026, 1, 1), text, 1, None, None)))

    assert csv_cells(body)[1][1] == "'" + text


def test_csv_defuses_headings_too() -> None:
    data = DataTable(slug="stock", title="Stock", columns=("=cmd|' /C calc'!A0",), rows=())

    assert csv_cells(to_csv(data)) == [["'=cmd|' /C calc'!A0"]]


def test_csv_writes_negative_numbers_as_numbers_without_an_apostrophe() -> None:
    body = to_csv(table((date(2026, 1, 1), "Rennes", -3, Decimal("-2.50"), None)))
    data = DataTable(slug="ecart", title="Écart", columns=("Écart",), rows=((-0.25,),))

    assert csv_cells(body)[1][2:4] == ["-3", "-2.50"]
    assert csv_cells(to_csv(data))[1] == ["-0.25"]


def test_xlsx_holds_the_title_context_generation_time_headings_values_and_note() -> None:
    sheet = xlsx(table(note="Source du facteur : ADEME 2025"))

    assert sheet.value("A1") == "Débit mensuel"
    assert sheet.value("A2") == CONTEXT
    assert sheet.value("A3") == "Généré le 2026-03-01 14:05 (CET)"
    assert "A4" not in sheet.cells
    assert [sheet.value(f"{column}5") for column in "ABCDE"] == list(table().columns)
    assert sheet.value("B6") == "Rennes · Atelier Élan"
    assert sheet.value("A9") == "Source du facteur : ADEME 2025"


def test_xlsx_stores_numbers_as_numbers_and_text_as_text() -> None:
    sheet = xlsx(
        table(
            (date(2026, 1, 1), "0012", 42, Decimal("12.50"), None),
            (date(2026, 1, 2), "=1+1", -3, 1.5, None),
        )
    )

    assert sheet.cells["C6"].get("t") is None
    assert sheet.value("C6") == "42"
    assert sheet.value("C7") == "-3"
    assert sheet.value("D6") == "12.5"
    assert sheet.number_format("D6") == "0.00"  # the Decimal's two places are kept on screen
    assert sheet.cells["B6"].get("t") == "s"
    assert sheet.value("B6") == "0012"
    assert sheet.value("B7") == "=1+1"
    assert "<f>" not in sheet.text("xl/worksheets/sheet1.xml")
    assert "E6" not in sheet.cells  # None stays empty


def test_xlsx_dates_are_excel_dates_shown_as_iso_days() -> None:
    sheet = xlsx(table())

    assert sheet.cells["A6"].get("t") is None
    assert sheet.value("A6") == str((date(2026, 1, 1) - date(1899, 12, 30)).days)
    assert sheet.number_format("A6") == "yyyy-mm-dd"
    assert sheet.number_format("E7") == "yyyy-mm-dd hh:mm"


def test_xlsx_writes_aware_datetimes_at_their_wall_clock_time() -> None:
    moment = datetime(2026, 7, 14, 18, 0, tzinfo=PARIS)
    sheet = xlsx(table((date(2026, 7, 1), "Rennes", 1, None, moment)))

    serial = float(sheet.value("E6"))
    assert serial == pytest.approx((date(2026, 7, 14) - date(1899, 12, 30)).days + 18 / 24)


def test_xlsx_freezes_the_headings_and_filters_the_table() -> None:
    sheet = xlsx(table())
    worksheet = sheet.xml("xl/worksheets/sheet1.xml")

    pane = worksheet.find(".//x:pane", NS)
    assert pane is not None
    assert (pane.get("ySplit"), pane.get("state")) == ("5", "frozen")
    autofilter = worksheet.find("x:autoFilter", NS)
    assert autofilter is not None
    assert autofilter.get("ref") == "A5:E7"
    assert all(sheet.cells[f"{column}5"].get("s") for column in "ABCDE")  # bold headings


def test_xlsx_names_its_sheet_after_the_title_as_excel_allows() -> None:
    sheet = xlsx(table(title="Stock [par site]: atelier/tiers-lieu * 2026 ?"))

    sheet_element = sheet.xml("xl/workbook.xml").find("x:sheets/x:sheet", NS)
    assert sheet_element is not None
    assert sheet_element.get("name") == "Stock par site atelier tiers-li"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Délais de reconditionnement par site", "Délais de reconditionnement par"),
        ("'Prêts' qui finissent bientôt", "Prêts' qui finissent bientôt"),
        ("Matériaux récupérés 📦📦📦📦📦📦📦📦", "Matériaux récupérés 📦📦📦📦📦"),
        ("History", "debit-mensuel"),
        ("[?]", "debit-mensuel"),
    ],
)
def test_sheet_names_fit_excel_rules(title: str, expected: str) -> None:
    assert sheet_name(table(title=title)) == expected


def test_xlsx_records_the_generation_time_as_its_creation_time_in_utc() -> None:
    core = xlsx(table()).text("docProps/core.xml")

    assert "<dc:title>Débit mensuel</dc:title>" in core
    assert ">2026-03-01T13:05:00Z</dcterms:created>" in core


def test_the_same_table_gives_the_same_bytes() -> None:
    assert to_csv(table()) == to_csv(table())
    first = to_xlsx(table(), generated_at=GENERATED_AT, context=CONTEXT)
    assert to_xlsx(table(), generated_at=GENERATED_AT, context=CONTEXT) == first


@pytest.mark.parametrize(
    ("fmt", "media_type"),
    [
        ("csv", "text/csv; charset=utf-8"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_a_download_is_a_dated_attachment_never_cached(fmt: str, media_type: str) -> None:
    @get("/export", sync_to_thread=False)
    def export() -> Response[bytes]:
        return download(table(), fmt, generated_at=GENERATED_AT, context=CONTEXT)

    with create_test_client([export]) as client:
        response = client.get("/export")

    assert response.headers["content-type"] == media_type
    assert response.headers["content-disposition"] == (
        f'attachment; filename="debit-mensuel-2026-03-01.{fmt}"'
    )
    assert response.headers["cache-control"] == "no-store"
    if fmt == "csv":
        assert response.content == to_csv(table())
    else:
        assert Xlsx(response.content).value("A1") == "Débit mensuel"


@pytest.mark.parametrize("fmt", ["pdf", "CSV", ""])
def test_a_download_refuses_an_unknown_format(fmt: str) -> None:
    with pytest.raises(ValueError, match="format"):
        download(table(), fmt, generated_at=GENERATED_AT, context=CONTEXT)
