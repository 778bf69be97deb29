"""Loans: every loan agreement in force, active or ended, with its third place and contribution."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from projections.database import Connection, as_date
from projections.readmodel import Derived, ReadModel, Table
from projections.timeline import Timeline, whole

TABLE = Table(
    "loans",
    ("computer_id", "loan_version"),
    ("tag", "programme", "beneficiary_code", "third_place", "agreement_start", "agreement_end",
     "contribution_cents", "contribution_method", "receipt_number", "loaned_on", "status",
     "ended_on", "end_reason"),
)  # fmt: skip

ACTIVE, RETURNED, WRITTEN_OFF = "active", "returned", "written_off"


def derive(timeline: Timeline) -> Derived:
    """A row per loan in force; a later return or write-off ends it."""
    rows = []
    steps = [s for s in timeline.in_force() if s.kind in ("Loaned", "Returned", "WrittenOff")]
    for index, step in enumerate(steps):
        if step.kind != "Loaned":
            continue
        end = steps[index + 1] if index + 1 < len(steps) else None
        status = ACTIVE if end is None else RETURNED if end.kind == "Returned" else WRITTEN_OFF
        terms = step.details
        rows.append((
            timeline.computer_id, step.version, timeline.identity["tag"],
            timeline.identity["programme"], terms["beneficiary_code"], step.site,
            terms["agreement_start"], terms["agreement_end"],
            whole(terms["contribution_eur"], 100), terms["contribution_method"],
            terms["receipt_number"], step.occurred_on, status,
            end.occurred_on if end else None, end.details["reason"] if end else None,
        ))  # fmt: skip
    return {TABLE.name: tuple(rows)}


READ_MODEL = ReadModel("loans", (TABLE,), derive)


@dataclass(frozen=True)
class LoanEnding:
    """An active agreement and the date it ends."""

    tag: str
    third_place: str
    agreement_end: date


def active_count(conn: Connection, programme: str | None = None) -> int:
    """How many computers are on loan now."""
    sql, params = "SELECT COUNT(*) FROM loans WHERE status = ?", [ACTIVE]
    if programme:
        sql += " AND programme = ?"
        params.append(programme)
    return int(conn.execute(sql, params)[0][0])


def ending_between(conn: Connection, start: date, end: date) -> list[LoanEnding]:
    """Active agreements ending from start to end inclusive, soonest first."""
    rows = conn.execute(
        "SELECT tag, third_place, agreement_end FROM loans WHERE status = ? "
        "AND agreement_end >= ? AND agreement_end <= ? ORDER BY agreement_end, tag",
        (ACTIVE, start, end),
    )
    return [LoanEnding(tag, place, as_date(day) or start) for tag, place, day in rows]


def contributions_cents(conn: Connection, start: date, end: date) -> int:
    """Contributions received for loans handed over from start to end inclusive, in cents."""
    rows = conn.execute(
        "SELECT COALESCE(SUM(contribution_cents), 0) FROM loans "
        "WHERE loaned_on >= ? AND loaned_on <= ?",
        (start, end),
    )
    return int(rows[0][0])


@dataclass(frozen=True)
class EndingAtPlace:
    """How many active agreements of one third place end within a period, the first date."""

    third_place: str
    agreements: int
    first_end: date


def ending_by_place(
    conn: Connection, start: date, end: date, programme: str = "", site: str = ""
) -> list[EndingAtPlace]:
    """Active agreements ending from start to end inclusive, per third place."""
    sql = ("SELECT third_place, COUNT(*), MIN(agreement_end) FROM loans WHERE status = ? "
           "AND agreement_end >= ? AND agreement_end <= ?")  # fmt: skip
    params: list[object] = [ACTIVE, start, end]
    if programme:
        sql += " AND programme = ?"
        params.append(programme)
    if site:
        sql += " AND third_place = ?"
        params.append(site)
    rows = conn.execute(sql + " GROUP BY third_place ORDER BY MIN(agreement_end)", params)
    return [EndingAtPlace(place, int(n), as_date(first) or start) for place, n, first in rows]


@dataclass(frozen=True)
class PersonLoan:
    """One loan agreement of a beneficiary, for their own record (never shown to funders)."""

    tag: str
    third_place: str
    agreement_start: date
    agreement_end: date
    contribution_cents: int
    status: str
    ended_on: date | None
    end_reason: str | None


def of_beneficiary(conn: Connection, code: str) -> list[PersonLoan]:
    """Every loan in force made to the person with this code, the first first."""
    rows = conn.execute(
        "SELECT tag, third_place, agreement_start, agreement_end, contribution_cents, status, "
        "ended_on, end_reason FROM loans WHERE beneficiary_code = ? "
        "ORDER BY agreement_start, tag",
        (code,),
    )
    return [
        PersonLoan(
            tag,
            place,
            as_date(start) or date.min,
            as_date(end) or date.min,
            int(cents),
            status,
            as_date(ended),
            reason,
        )
        for tag, place, start, end, cents, status, ended, reason in rows
    ]


@dataclass(frozen=True)
class AgreementEnding:
    """An active agreement of a third place and the code of the person who holds it."""

    tag: str
    beneficiary_code: str
    agreement_end: date


def ending_at(conn: Connection, third_place: str, start: date, end: date) -> list[AgreementEnding]:
    """Active agreements of one third place ending from start to end inclusive, soonest first."""
    rows = conn.execute(
        "SELECT tag, beneficiary_code, agreement_end FROM loans WHERE status = ? "
        "AND third_place = ? AND agreement_end >= ? AND agreement_end <= ? "
        "ORDER BY agreement_end, tag",
        (ACTIVE, third_place, start, end),
    )
    return [AgreementEnding(tag, code, as_date(day) or start) for tag, code, day in rows]


def last_agreement_ends(conn: Connection) -> dict[str, date | None]:
    """Per beneficiary code, when their last agreement ended; None while one is still active."""
    rows = conn.execute(
        "SELECT beneficiary_code, MAX(CASE WHEN status = ? THEN 1 ELSE 0 END), "
        "MAX(COALESCE(ended_on, agreement_end)) FROM loans GROUP BY beneficiary_code",
        (ACTIVE,),
    )
    return {code: None if active else as_date(last) for code, active, last in rows}
