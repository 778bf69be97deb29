"""Funding: the funders and their funding lines as they stand now, for lists, forms and reports.

A line's stages, sites and publics are kept as comma-separated codes: a report reads the few
lines of a funder in force during its period (one indexed query), then counts their steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from eventsourcing.domain import Aggregate

from projections.database import Connection, Row, as_date
from projections.readmodel import Derived, RecordModel, Table
from tracker.domain.funder import Funder
from tracker.domain.funding_line import FundingLine

FUNDERS = Table("funders", ("code",), ("name", "kind", "active", "version"))
FUNDING_LINES = Table(
    "funding_lines",
    ("code",),
    ("funder", "programme", "starts_on", "ends_on", "stages", "sites", "categories", "note",
     "version"),
)  # fmt: skip


def derive(record: Aggregate | None) -> Derived:
    """One row per funder or funding line, in the table of its kind."""
    if isinstance(record, Funder):
        row = (record.code, record.name, record.kind.value, record.active, record.version)
        return {FUNDERS.name: (row,)}
    if isinstance(record, FundingLine):
        terms = record.terms
        return {
            FUNDING_LINES.name: (
                (
                    record.code,
                    terms.funder,
                    terms.programme,
                    terms.starts_on,
                    terms.ends_on,
                    ",".join(terms.stages),
                    ",".join(terms.sites),
                    ",".join(terms.categories),
                    terms.note,
                    record.version,
                ),
            )
        }
    return {}


READ_MODEL = RecordModel("funding", (FUNDERS, FUNDING_LINES), derive, (Funder, FundingLine))


@dataclass(frozen=True)
class FunderEntry:
    code: str
    name: str
    kind: str
    active: bool


@dataclass(frozen=True)
class FundingLineEntry:
    """A funding line; no sites named means every site of its programme."""

    code: str
    funder: str
    programme: str
    starts_on: date
    ends_on: date
    stages: tuple[str, ...]
    sites: tuple[str, ...]
    categories: tuple[str, ...]
    note: str
    version: int

    @property
    def every_site(self) -> bool:
        return not self.sites


FUNDER_COLUMNS = "code, name, kind, active"
LINE_COLUMNS = (
    "code, funder, programme, starts_on, ends_on, stages, sites, categories, note, version"
)


def funders(conn: Connection) -> list[FunderEntry]:
    """The funders, by name."""
    rows = conn.execute(f"SELECT {FUNDER_COLUMNS} FROM funders ORDER BY name, code")  # noqa: S608
    return [FunderEntry(c, n, k, bool(a)) for c, n, k, a in rows]


def funder(conn: Connection, code: str) -> FunderEntry | None:
    """One funder, or None if no funder has this code."""
    rows = conn.execute(f"SELECT {FUNDER_COLUMNS} FROM funders WHERE code = ?", (code,))  # noqa: S608
    return next((FunderEntry(c, n, k, bool(a)) for c, n, k, a in rows), None)


def funding_lines(
    conn: Connection, funder: str | None = None, *, start: date | None = None,
    end: date | None = None,
) -> list[FundingLineEntry]:  # fmt: skip
    """The funding lines, by funder, start and code.

    Only those of one funder, and only those in force on at least one day from `start` to `end`
    (both included), when these are given.
    """
    where: list[str] = []
    params: list[object] = []
    for condition, value in (("funder = ?", funder), ("ends_on >= ?", start),
                             ("starts_on <= ?", end)):  # fmt: skip
        if value is not None:
            where.append(condition)
            params.append(value)
    sql = f"SELECT {LINE_COLUMNS} FROM funding_lines"  # noqa: S608
    if where:
        sql += " WHERE " + " AND ".join(where)
    rows = conn.execute(sql + " ORDER BY funder, starts_on, code", params)
    return [_line(row) for row in rows]


def funding_line(conn: Connection, code: str) -> FundingLineEntry | None:
    """One funding line, or None if no line has this code."""
    rows = conn.execute(f"SELECT {LINE_COLUMNS} FROM funding_lines WHERE code = ?", (code,))  # noqa: S608
    return next((_line(row) for row in rows), None)


def _split(text: str) -> tuple[str, ...]:
    return tuple(part for part in text.split(",") if part)


def _line(row: Row) -> FundingLineEntry:
    code, funder_, programme, starts, ends, stages, sites, categories, note, version = row
    return FundingLineEntry(
        code, funder_, programme, as_date(starts) or date.min, as_date(ends) or date.min,
        _split(stages), _split(sites), _split(categories), note, int(version),
    )  # fmt: skip
