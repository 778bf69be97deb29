"""Tables as people read them: what the dashboard shows and what its CSV and XLSX exports hold."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

Cell = str | int | float | Decimal | date | datetime | None

# The slug ends up in URLs and in a Content-Disposition header: no quotes, spaces or accents.
SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


@dataclass(frozen=True)
class DataTable:
    """A table as a person reads it: title, headings, rows (already in the reader's language).

    `slug` is the stable ASCII name used in URLs and file names ("debit-mensuel"); `note` says
    what a reader needs to trust the figures (the filters, the source of a factor) and is shown
    under the table and written in the spreadsheet export.
    """

    slug: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    note: str = ""

    def __post_init__(self) -> None:
        if not SLUG.fullmatch(self.slug):
            raise ValueError(f"a table slug is ASCII letters, digits, - and _: {self.slug!r}")
        if not self.columns:
            raise ValueError(f"the table {self.slug!r} has no column")
        width = len(self.columns)
        for number, row in enumerate(self.rows, start=1):
            if len(row) != width:
                raise ValueError(
                    f"row {number} of the table {self.slug!r} has {len(row)} cells "
                    f"for {width} columns"
                )
