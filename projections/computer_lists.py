"""The computers behind a dashboard figure: paginated, sortable lists read from the read models."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from projections.database import Connection, as_date
from projections.loans import ACTIVE


@dataclass(frozen=True)
class Line:
    """One computer in a list, with the date the list is about (a step, an arrival, an end)."""

    tag: str
    day: date
    site: str
    programme: str
    device_type: str
    detail: str  # the state, the number of days... depending on the list


@dataclass(frozen=True)
class Listing:
    """One page of a list and how many computers the whole list holds."""

    lines: tuple[Line, ...]
    total: int


@dataclass(frozen=True)
class _Source:
    tables: str  # FROM ... (the read model, joined to the register for the device type)
    day: str  # the column of the date the list is about
    site: str
    detail: str


_STEPS = _Source(
    "activity a JOIN asset_register r ON r.computer_id = a.computer_id",
    "a.occurred_on",
    "a.site",
    "r.state",
)
_STATES = _Source("asset_register r", "r.state_since", "r.site", "r.state")
_SEGMENTS = _Source(
    "lead_times a JOIN asset_register r ON r.computer_id = a.computer_id",
    "a.to_on",
    "a.site",
    "a.days",
)
_ENDINGS = _Source(
    "loans a JOIN asset_register r ON r.computer_id = a.computer_id",
    "a.agreement_end",
    "a.third_place",
    "a.agreement_start",
)
ORDERS = {"etiquette": "r.tag", "date": "day", "site": "site"}
PAGE_SIZE = 50


def _page(
    conn: Connection,
    source: _Source,
    where: list[tuple[str, object]],
    *,
    order: str,
    descending: bool,
    page: int,
) -> Listing:
    clauses = " AND ".join(clause for clause, _ in where) or "1 = 1"
    params = [value for clause, value in where if "?" in clause]
    total = int(conn.execute(f"SELECT COUNT(*) FROM {source.tables} WHERE {clauses}", params)[0][0])  # noqa: S608
    column = ORDERS.get(order, "day")
    direction = "DESC" if descending else "ASC"
    rows = conn.execute(
        f"SELECT r.tag, {source.day} AS day, {source.site} AS site, r.programme, "  # noqa: S608
        f"r.device_type, {source.detail} FROM {source.tables} WHERE {clauses} "
        f"ORDER BY {column} {direction}, r.tag LIMIT ? OFFSET ?",
        [*params, PAGE_SIZE, max(page - 1, 0) * PAGE_SIZE],
    )
    lines = tuple(
        Line(tag, as_date(day) or date.min, site, programme, device, str(detail))
        for tag, day, site, programme, device, detail in rows
    )
    return Listing(lines, total)


def _scope(alias: str, programme: str, site: str, site_column: str) -> list[tuple[str, object]]:
    where: list[tuple[str, object]] = []
    if programme:
        where.append((f"{alias}.programme = ?", programme))
    if site:
        where.append((f"{site_column} = ?", site))
    return where


def steps(
    conn: Connection,
    stage: str,
    start: date,
    end: date,
    *,
    programme: str = "",
    site: str = "",
    device_type: str = "",
    order: str = "date",
    descending: bool = False,
    page: int = 1,
) -> Listing:
    """The computers that went through a stage from start to end inclusive (steps in force)."""
    where = [
        ("a.stage = ?", stage),
        ("a.occurred_on >= ?", start),
        ("a.occurred_on <= ?", end),
        ("a.cancelled_by IS NULL", None),
    ]
    where += _scope("a", programme, site, "a.site")
    if device_type:
        where.append(("r.device_type = ?", device_type))
    return _page(conn, _STEPS, where, order=order, descending=descending, page=page)


def in_state(
    conn: Connection,
    state: str,
    *,
    since_before: date | None = None,
    programme: str = "",
    site: str = "",
    order: str = "date",
    descending: bool = False,
    page: int = 1,
) -> Listing:
    """The computers standing in a state now (those there before a date, when given)."""
    where: list[tuple[str, object]] = [("r.state = ?", state)]
    if since_before is not None:
        where.append(("r.state_since < ?", since_before))
    where += _scope("r", programme, site, "r.site")
    return _page(conn, _STATES, where, order=order, descending=descending, page=page)


def segment(
    conn: Connection,
    name: str,
    start: date,
    end: date,
    *,
    programme: str = "",
    site: str = "",
    order: str = "date",
    descending: bool = False,
    page: int = 1,
) -> Listing:
    """The computers that completed a lead-time segment from start to end inclusive."""
    where = [("a.segment = ?", name), ("a.to_on >= ?", start), ("a.to_on <= ?", end)]
    where += _scope("a", programme, site, "a.site")
    return _page(conn, _SEGMENTS, where, order=order, descending=descending, page=page)


def agreements_ending(
    conn: Connection,
    start: date,
    end: date,
    *,
    programme: str = "",
    site: str = "",
    order: str = "date",
    descending: bool = False,
    page: int = 1,
) -> Listing:
    """Computers on loan whose agreement ends from start to end inclusive."""
    where = [
        ("a.status = ?", ACTIVE),
        ("a.agreement_end >= ?", start),
        ("a.agreement_end <= ?", end),
    ]
    where += _scope("a", programme, site, "a.third_place")
    return _page(conn, _ENDINGS, where, order=order, descending=descending, page=page)
