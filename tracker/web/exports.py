"""Downloads of the dashboard's tables: CSV for other programs, XLSX for spreadsheet users."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import xlsxwriter  # type: ignore[import-untyped]  # XlsxWriter 3.3.1 ships no py.typed marker
from litestar import Response

from tracker.tables import Cell, DataTable

# Litestar appends "; charset=utf-8" to text/ media types itself: giving it here would double it.
MEDIA_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# A spreadsheet reads a text cell starting with these as a formula (OWASP, "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_UTF16_LIMIT = 31  # Excel counts UTF-16 code units
RESERVED_SHEET_NAME = "history"  # Excel refuses it (its change-tracking sheet)
HEADER_ROW = 4  # title, filters, generation time, a blank row, then the headings
MIN_WIDTH, MAX_WIDTH = 8, 60  # in characters


def to_csv(table: DataTable) -> bytes:
    """The table as RFC 4180 CSV in UTF-8 with a BOM: the headings, then one line per row.

    Only the headings and the rows: the file stays rectangular for the programs that read it
    (the title, filters and note are in the XLSX export). Text a spreadsheet would run as a
    formula gets a leading apostrophe; numbers are written as they are, a dot before decimals.
    """
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow([_defused(heading) for heading in table.columns])
    writer.writerows([_csv_field(cell) for cell in row] for row in table.rows)
    return text.getvalue().encode("utf-8-sig")


def to_xlsx(
    table: DataTable, *, generated_at: datetime, context: str, generated: str = "Généré le"
) -> bytes:
    """The table as one XLSX sheet: title, `context` (the filters) and time above, note below.

    Cells keep their types (numbers, dates, text never read as a number or formula); the same
    arguments always give the same bytes, `generated_at` standing for the creation time.
    Datetimes are written at their own wall-clock time, their time zone dropped.
    """
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        output,
        {
            "in_memory": True,
            "remove_timezone": True,  # else aware datetimes are refused
            "nan_inf_to_errors": True,  # else a NaN float is refused
            # Only used by worksheet.write(), which this module avoids: a second line of defence.
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    workbook.set_properties({"title": table.title, "created": _utc(generated_at)})
    sheet = workbook.add_worksheet(sheet_name(table))
    formats = _Formats(workbook)

    sheet.write_string(0, 0, table.title, formats.title)
    if context:
        sheet.write_string(1, 0, context)
    sheet.write_string(2, 0, f"{generated} {_moment(generated_at)}")
    for column, heading in enumerate(table.columns):
        sheet.write_string(HEADER_ROW, column, heading, formats.header)
    for number, row in enumerate(table.rows, start=HEADER_ROW + 1):
        for column, cell in enumerate(row):
            _write_cell(sheet, number, column, cell, formats)

    last_row, last_column = HEADER_ROW + len(table.rows), len(table.columns) - 1
    sheet.freeze_panes(HEADER_ROW + 1, 0)
    sheet.autofilter(HEADER_ROW, 0, last_row, last_column)
    for column, width in enumerate(_widths(table)):
        sheet.set_column(column, column, width)
    if table.note:
        sheet.write_string(last_row + 2, 0, table.note, formats.note)
    workbook.close()
    return output.getvalue()


def download(
    table: DataTable,
    fmt: str,
    *,
    generated_at: datetime,
    context: str,
    generated: str = "Généré le",
) -> Response[bytes]:
    """The table as a file to save, named after its slug and the day of `generated_at`.

    `fmt` is "csv" or "xlsx" (ValueError otherwise); the response is never cached, since it
    holds the figures of one moment and possibly personal data.
    """
    if fmt == "csv":
        body = to_csv(table)
    elif fmt == "xlsx":
        body = to_xlsx(table, generated_at=generated_at, context=context, generated=generated)
    else:
        raise ValueError(f"unknown export format {fmt!r}: csv or xlsx")
    filename = f"{table.slug}-{generated_at:%Y-%m-%d}.{fmt}"
    return Response(
        body,
        media_type=MEDIA_TYPES[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


def sheet_name(table: DataTable) -> str:
    """The title as Excel takes a sheet name: []:*?/ and backslash made spaces, 31 units at most."""
    name = " ".join(SHEET_NAME_FORBIDDEN.sub(" ", table.title).split())
    while len(name.encode("utf-16-le")) > 2 * SHEET_NAME_UTF16_LIMIT:
        name = name[:-1]
    name = name.strip().strip("'").strip()
    if not name or name.casefold() == RESERVED_SHEET_NAME:
        return table.slug[:SHEET_NAME_UTF16_LIMIT]
    return name


def _defused(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def _csv_field(cell: Cell) -> str:
    if isinstance(cell, str):
        return _defused(cell)
    return _plain(cell)


def _plain(cell: Cell) -> str:
    """A cell as text, the way programs read it: ISO dates, a dot before decimals."""
    if cell is None:
        return ""
    if isinstance(cell, str):
        return cell
    if isinstance(cell, date):  # datetime too
        return cell.isoformat()
    if isinstance(cell, Decimal):
        return format(cell, "f")  # 12.50 stays 12.50, 1E+3 becomes 1000
    if isinstance(cell, float):
        return repr(cell)
    if isinstance(cell, int):
        return str(int(cell))
    raise TypeError(f"a table cell cannot be a {type(cell).__name__}")


class _Formats:
    """The cell formats of one workbook (XlsxWriter formats belong to their workbook)."""

    def __init__(self, workbook: Any) -> None:
        self.workbook = workbook
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.header = workbook.add_format({"bold": True, "bottom": 1})
        self.note = workbook.add_format({"italic": True})
        self.day = workbook.add_format({"num_format": "yyyy-mm-dd"})
        self.moment = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        self._decimals: dict[int, Any] = {}

    def decimals(self, places: int) -> Any:
        """A number format showing `places` decimals, so 12.50 € does not read 12.5."""
        if places not in self._decimals:
            pattern = "0." + "0" * places if places else "0"
            self._decimals[places] = self.workbook.add_format({"num_format": pattern})
        return self._decimals[places]


def _write_cell(sheet: Any, row: int, column: int, cell: Cell, formats: _Formats) -> None:
    if cell is None:
        return
    if isinstance(cell, str):
        sheet.write_string(row, column, cell)
    elif isinstance(cell, datetime):
        sheet.write_datetime(row, column, cell, formats.moment)
    elif isinstance(cell, date):
        sheet.write_datetime(row, column, cell, formats.day)
    elif isinstance(cell, Decimal):
        exponent = cell.as_tuple().exponent
        places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        sheet.write_number(row, column, float(cell), formats.decimals(places))
    elif isinstance(cell, int | float):
        sheet.write_number(row, column, cell)
    else:
        raise TypeError(f"a table cell cannot be a {type(cell).__name__}")


def _widths(table: DataTable) -> list[int]:
    """Each column as wide as its longest heading or value, within reason."""
    widths = []
    for column, heading in enumerate(table.columns):
        longest = max([len(heading), *(len(_shown(row[column])) for row in table.rows)])
        widths.append(min(max(longest + 2, MIN_WIDTH), MAX_WIDTH))
    return widths


def _shown(cell: Cell) -> str:
    if isinstance(cell, datetime):
        return f"{cell:%Y-%m-%d %H:%M}"
    return _plain(cell)


def _utc(moment: datetime) -> datetime:
    # XlsxWriter prints the creation time with a "Z" whatever its zone: give it UTC. A naive
    # time is taken as already in UTC (astimezone would read it in the server's zone).
    return moment.astimezone(UTC) if moment.tzinfo is not None else moment


def _moment(moment: datetime) -> str:
    zone = moment.tzname()
    return f"{moment:%Y-%m-%d %H:%M}" + (f" ({zone})" if zone else "")
