"""Ledger: every step in force as it was known over time, for figures and lists "as of" a date.

One row per edition of a step: as first recorded, then after each correction. A row carries the
step's business date (valid time) and the recording interval during which the record said so
(`known_from` up to `known_to`, open while still true), with where the computer stood after it.
Two readings then need no replay:

- as it happened by day D, as corrected since: rows still known (`known_to` IS NULL) dated
  up to D;
- as it was known at the end of day K: rows recorded before that instant and not yet
  superseded then, whatever was corrected, cancelled or entered late afterwards.

Plain appends add one row per step; a cancellation or a correction closes the rows it changes
(including the standing of the later steps it moves) and opens their new editions.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from projections.asset_register import standings
from projections.database import Connection, Row, as_date
from projections.readmodel import Derived, ReadModel, Table
from projections.timeline import CORRECTION_KINDS, STAGES, Step, Timeline, whole
from tracker.domain.lifecycle import State

TABLE = Table(
    "ledger",
    ("computer_id", "version", "since"),  # since: the event that made this edition known
    ("programme", "tag", "device_type", "stage", "site", "occurred_on",
     "state", "holder_site", "grade", "contribution_cents", "work_minutes", "grams",
     "beneficiary", "known_from", "known_to"),
)  # fmt: skip

_Values = tuple[Any, ...]


def derive(timeline: Timeline) -> Derived:
    """The editions of every step, each with the recording interval during which it held."""
    steps = timeline.steps
    corrections = [step.version for step in steps if step.kind in CORRECTION_KINDS]
    open_rows: dict[int, tuple[int, _Values]] = {}  # version -> (since, values)
    closed: list[Row] = []
    previous_point = 0
    for point, correction in zip([*(c - 1 for c in corrections), len(steps)],
                                 [0, *corrections], strict=True):  # fmt: skip
        known = dict(_known_at(timeline, point))
        for version in [v for v in open_rows if v not in known or open_rows[v][1] != known[v]]:
            since, values = open_rows.pop(version)
            closed.append(_row(timeline, version, since, values, correction))
        for version, values in known.items():
            if version not in open_rows:
                open_rows[version] = (version if version > previous_point else correction, values)
        previous_point = point
    rows = closed + [_row(timeline, v, since, vals, 0) for v, (since, vals) in open_rows.items()]
    return {TABLE.name: tuple(sorted(rows, key=lambda row: (row[1], row[2])))}


def _known_at(timeline: Timeline, point: int) -> Iterator[tuple[int, _Values]]:
    """(version, values) of each step in force once the first `point` events were recorded."""
    steps = [
        _edition_at(step, point)
        for step in timeline.steps[:point]
        if step.kind not in CORRECTION_KINDS
        and (step.cancelled_by is None or step.cancelled_by > point)
    ]
    identity = next((step.details for step in steps if step.kind == "Donated"), timeline.identity)
    for step, now in zip(steps, standings(steps), strict=True):
        details = step.details
        yield step.version, (
            identity["programme"], identity["tag"], identity["device_type"],
            STAGES[step.kind], step.site, step.occurred_on,
            str(now.state), now.site, now.grade,
            whole(details["contribution_eur"], 100) if step.kind == "Loaned" else 0,
            whole(details["hours_of_work"], 60) if step.kind == "Reconditioned" else 0,
            sum(whole(kg, 1000) for kg in details["materials_kg"].values())
            if step.kind == "Dismantled" else 0,
            details.get("beneficiary_code", "") if step.kind == "Loaned" else "",
        )  # fmt: skip


def _edition_at(step: Step, point: int) -> Step:
    """The step as its details stood once the first `point` events were recorded."""
    editions = step.editions()
    return next(e for e in reversed(editions) if (e.corrected_by or 0) <= point)


def _row(timeline: Timeline, version: int, since: int, values: _Values, until: int) -> Row:
    # In UTC: SQLite compares these as text, and a clock may stamp events with any offset.
    recorded = timeline.steps
    known_to = recorded[until - 1].recorded_at.astimezone(UTC) if until else None
    return (timeline.computer_id, version, since, *values,
            recorded[since - 1].recorded_at.astimezone(UTC), known_to)  # fmt: skip


READ_MODEL = ReadModel("ledger", (TABLE,), derive)


# -- queries ------------------------------------------------------------------------------


def _known(known_at: datetime | None) -> tuple[str, list[object]]:
    """The rows of one reading: as corrected since (None), or as known at an instant."""
    if known_at is None:
        return "known_to IS NULL", []
    instant = known_at.astimezone(UTC)
    return "known_from < ? AND (known_to IS NULL OR known_to >= ?)", [instant, instant]


def _scope(
    programme: str, start: date, end: date, sites: Sequence[str], stages: Sequence[str]
) -> tuple[str, list[object]]:
    sql = "programme = ? AND occurred_on >= ? AND occurred_on <= ?"
    params: list[object] = [programme, start, end]
    for column, values in (("site", sites), ("stage", stages)):
        if values:
            sql += f" AND {column} IN ({', '.join('?' for _ in values)})"
            params.extend(values)
    return sql, params


@dataclass(frozen=True)
class StageFigures:
    """What the steps of one stage in a period add up to."""

    stage: str
    steps: int
    computers: int
    contribution_cents: int
    work_minutes: int
    grams: int
    beneficiaries: int  # distinct pseudonymous codes handed a computer


def figures(
    conn: Connection, programme: str, start: date, end: date, *,
    known_at: datetime | None = None, sites: Sequence[str] = (), stages: Sequence[str] = (),
) -> list[StageFigures]:  # fmt: skip
    """Per stage, the steps dated from start to end inclusive, in one reading."""
    scope, params = _scope(programme, start, end, sites, stages)
    known, known_params = _known(known_at)
    totals = (
        "COUNT(*), COUNT(DISTINCT computer_id), SUM(contribution_cents), SUM(work_minutes), "
        "SUM(grams), COUNT(DISTINCT CASE WHEN beneficiary <> '' THEN beneficiary END)"
    )
    sql = f"SELECT stage, {totals} FROM ledger WHERE {scope} AND {known} GROUP BY stage"  # noqa: S608
    rows = conn.execute(sql + " ORDER BY stage", params + known_params)
    return [StageFigures(str(row[0]), *(int(n or 0) for n in row[1:])) for row in rows]


def beneficiary_codes(
    conn: Connection, programme: str, start: date, end: date, *,
    known_at: datetime | None = None, sites: Sequence[str] = (),
) -> set[str]:  # fmt: skip
    """The distinct codes the loans of `figures` (same arguments) handed a computer to."""
    scope, params = _scope(programme, start, end, sites, (STAGES["Loaned"],))
    known, known_params = _known(known_at)
    sql = f"SELECT DISTINCT beneficiary FROM ledger WHERE {scope} AND {known} AND beneficiary <> ''"  # noqa: S608
    return {str(code) for (code,) in conn.execute(sql, params + known_params)}


@dataclass(frozen=True)
class LedgerStep:
    """One step as a reading shows it: the events behind a figure."""

    computer_id: UUID
    tag: str
    version: int
    stage: str
    site: str
    occurred_on: date
    state: State  # where it left the computer
    contribution_cents: int
    work_minutes: int
    grams: int
    known_from: datetime
    known_to: datetime | None


_STEP = ("computer_id, tag, version, stage, site, occurred_on, state, contribution_cents, "
         "work_minutes, grams, known_from, known_to")  # fmt: skip


def _step(row: Row) -> LedgerStep:
    cid, tag, version, stage, site, day, state, cents, minutes, grams, since, until = row
    return LedgerStep(
        cid if isinstance(cid, UUID) else UUID(str(cid)), str(tag), int(version), str(stage),
        str(site), as_date(day) or date.min, State(state), int(cents), int(minutes), int(grams),
        _instant(since), _instant(until) if until is not None else None,
    )  # fmt: skip


def _instant(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def steps(
    conn: Connection, programme: str, start: date, end: date, *,
    known_at: datetime | None = None, sites: Sequence[str] = (), stages: Sequence[str] = (),
    limit: int | None = None,
) -> list[LedgerStep]:  # fmt: skip
    """The steps behind `figures` (same arguments), by date, tag and version."""
    scope, params = _scope(programme, start, end, sites, stages)
    known, known_params = _known(known_at)
    sql = (f"SELECT {_STEP} FROM ledger WHERE {scope} AND {known} "  # noqa: S608
           "ORDER BY occurred_on, tag, version")  # fmt: skip
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return [_step(row) for row in conn.execute(sql, params + known_params)]


@dataclass(frozen=True)
class ComputerOn:
    """Where one computer stood on a day, in one reading."""

    tag: str
    state: State
    site: str
    grade: str
    last_step_on: date  # the date of the last step in force by that day
    device_type: str


def computers_on(
    conn: Connection, programme: str, day: date, *, known_at: datetime | None = None
) -> list[ComputerOn]:
    """Every computer of a programme donated by `day`, as it stood that day, by tag."""
    known, known_params = _known(known_at)
    columns = "tag, state, holder_site, grade, occurred_on, device_type"
    latest = "ROW_NUMBER() OVER (PARTITION BY computer_id ORDER BY occurred_on DESC, version DESC)"
    where = f"programme = ? AND occurred_on <= ? AND {known}"
    sql = f"SELECT {columns} FROM (SELECT {columns}, {latest} AS latest FROM ledger WHERE {where}"  # noqa: S608
    rows = conn.execute(
        sql + ") AS standing WHERE latest = 1 ORDER BY tag", [programme, day, *known_params]
    )
    return [
        ComputerOn(str(tag), State(state), str(site), str(grade), as_date(on) or day, str(kind))
        for tag, state, site, grade, on, kind in rows
    ]


@dataclass(frozen=True)
class Change:
    """A step of the period that reads differently now than it did at an instant."""

    tag: str
    version: int
    then: LedgerStep | None  # None: recorded after the instant
    now: LedgerStep | None  # None: cancelled since


def changes_since(
    conn: Connection, programme: str, start: date, end: date, known_at: datetime
) -> list[Change]:
    """The steps dated in the period (then or now) recorded, corrected or cancelled since."""
    instant = known_at.astimezone(UTC)
    keys = conn.execute(
        "SELECT DISTINCT computer_id, version FROM ledger WHERE programme = ? "
        "AND occurred_on >= ? AND occurred_on <= ? AND (known_from >= ? OR known_to >= ?)",
        [programme, start, end, instant, instant],
    )
    found: list[Change] = []
    known_then, then_params = _known(known_at)
    for computer_id, version in keys:
        rows = conn.execute(
            f"SELECT {_STEP}, CASE WHEN {known_then} THEN 1 ELSE 0 END FROM ledger "  # noqa: S608
            "WHERE computer_id = ? AND version = ? "
            f"AND (known_to IS NULL OR ({known_then}))",
            [*then_params, computer_id, version, *then_params],
        )
        then = next((_step(row[:-1]) for row in rows if row[-1]), None)
        now = next((_step(row[:-1]) for row in rows if row[-2] is None), None)
        dated_within = [s for s in (then, now) if s and start <= s.occurred_on <= end]
        if _differs(then, now) and dated_within:  # not just dated within in between
            tag = dated_within[0].tag
            found.append(Change(tag, int(version), then, now))
    return sorted(found, key=lambda c: ((c.now or c.then).occurred_on, c.tag, c.version))  # type: ignore[union-attr]


def _differs(then: LedgerStep | None, now: LedgerStep | None) -> bool:
    if then is None or now is None:
        return then is not now
    return then.known_from != now.known_from
