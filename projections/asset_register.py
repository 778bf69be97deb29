"""Asset register: one row per computer, where it stands now and when it entered each stage."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise
from typing import Any
from uuid import UUID

from projections.database import Connection, as_date
from projections.readmodel import Derived, ReadModel, Table
from projections.timeline import STAGES, Step, Timeline
from tracker.domain.lifecycle import State
from tracker.domain.vocabulary import TriageOutcome

_STAGE_DATES = ("donated", "triaged", "dismantled", "reconditioned", "loaned", "returned",
                "written_off")  # fmt: skip
_IDENTITY = ("tag", "programme", "batch_id", "donor", "device_type", "brand", "model", "serial")

TABLE = Table(
    "asset_register",
    ("computer_id",),
    (*_IDENTITY, "state", "site", "grade", "state_since",
     *(f"{stage}_on" for stage in _STAGE_DATES),
     "agreement_end", "version", "last_step", "last_change"),
)  # fmt: skip

_NEXT_STATE = {
    "Dismantled": State.DISMANTLED,
    "Reconditioned": State.READY_TO_LOAN,
    "Loaned": State.ON_LOAN,
    "Returned": State.AWAITING_TRIAGE,
    "WrittenOff": State.WRITTEN_OFF,
}


@dataclass(frozen=True)
class Standing:
    """Where some steps in force leave a computer, as the aggregate would have it."""

    state: State
    site: str
    grade: str
    since: date | None  # when it entered its state
    agreement_end: date | None  # of the last loan among the steps
    entered: Mapping[str, date]  # stage -> when it last entered it


def standing(steps: Iterable[Step]) -> Standing:
    """Fold steps in force, with their corrections, the way the aggregate does."""
    now = Standing(State.AWAITING_TRIAGE, "", "", None, None, {})
    for now in standings(steps):  # noqa: B007 - the last one is where the steps leave it
        pass
    return now


def standings(steps: Iterable[Step]) -> Iterator[Standing]:
    """Where the computer stands after each step in force, in order (one pass)."""
    state, site, grade = State.AWAITING_TRIAGE, "", ""
    since: date | None = None
    agreement_end: date | None = None
    entered: dict[str, date] = {}
    for step in steps:
        details = step.details
        site = step.site
        new_state = _NEXT_STATE.get(step.kind, state)
        if step.kind == "Triaged":
            grade = details["grade"]
            recondition = details["outcome"] == TriageOutcome.RECONDITION
            new_state = State.TO_RECONDITION if recondition else State.TO_DISMANTLE
        elif step.kind == "Reconditioned":
            grade = details["final_grade"]
        elif step.kind == "Loaned":
            agreement_end = details["agreement_end"]
        elif step.kind == "Transferred":
            site = details["to_site"]
        if new_state != state or since is None:
            state, since = new_state, step.occurred_on
        entered[STAGES[step.kind]] = step.occurred_on
        yield Standing(state, site, grade, since, agreement_end, dict(entered))


def derive(timeline: Timeline) -> Derived:
    """The register row of one computer: its steps in force folded, with their corrections."""
    now = standing(timeline.in_force())
    identity = timeline.identity
    row = (
        timeline.computer_id,
        *(identity[name] for name in _IDENTITY),
        str(now.state), now.site, now.grade, now.since,
        *(now.entered.get(stage) for stage in _STAGE_DATES),
        now.agreement_end if now.state == State.ON_LOAN else None,
        timeline.version, timeline.steps[-1].kind, timeline.last_change(),
    )  # fmt: skip
    return {TABLE.name: (row,)}


READ_MODEL = ReadModel("asset_register", (TABLE,), derive)


# -- queries ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterEntry:
    """A computer as the register shows it."""

    tag: str
    programme: str
    donor: str
    device_type: str
    brand: str
    model: str
    serial: str
    state: State
    site: str
    grade: str
    state_since: date
    agreement_end: date | None
    version: int


@dataclass(frozen=True)
class StockCount:
    """How many computers stand in one state at one site."""

    state: State
    site: str
    computers: int


_ENTRY = ("tag, programme, donor, device_type, brand, model, serial, state, site, grade, "
          "state_since, agreement_end, version")  # fmt: skip


def _entry(row: Any) -> RegisterEntry:
    values = list(row)
    values[7] = State(values[7])
    values[10] = as_date(values[10])
    values[11] = as_date(values[11])
    return RegisterEntry(*values)


def find(conn: Connection, tag: str) -> RegisterEntry | None:
    """The register line of the computer carrying this tag."""
    rows = conn.execute(f"SELECT {_ENTRY} FROM asset_register WHERE tag = ?", (tag,))  # noqa: S608
    return _entry(rows[0]) if rows else None


def stock(conn: Connection, programme: str | None = None) -> list[StockCount]:
    """How many computers stand in each state at each site."""
    where, params = ("WHERE programme = ?", (programme,)) if programme else ("", ())
    rows = conn.execute(
        f"SELECT state, site, COUNT(*) FROM asset_register {where} "  # noqa: S608
        "GROUP BY state, site ORDER BY state, site",
        params,
    )
    return [StockCount(State(state), site, int(n)) for state, site, n in rows]


def count(conn: Connection) -> int:
    """How many computers the register holds."""
    return int(conn.execute("SELECT COUNT(*) FROM asset_register")[0][0])


def with_serial(conn: Connection, serial: str, limit: int = 20) -> list[RegisterEntry]:
    """The computers whose serial number is this one (as typed, or in capitals)."""
    typed = serial.strip()
    rows = conn.execute(
        f"SELECT {_ENTRY} FROM asset_register WHERE serial IN (?, ?) "  # noqa: S608
        "ORDER BY tag LIMIT ?",
        (typed, typed.upper(), limit),
    )
    return [_entry(row) for row in rows]


def of_batch(conn: Connection, batch_id: UUID) -> dict[str, RegisterEntry]:
    """The computers of one donation batch, by tag."""
    rows = conn.execute(
        f"SELECT {_ENTRY} FROM asset_register WHERE batch_id = ?",  # noqa: S608
        (batch_id,),
    )
    return {entry.tag: entry for entry in map(_entry, rows)}


@dataclass(frozen=True)
class Waiting:
    """Computers in one state at one site now, and how long they have been there."""

    state: State
    site: str
    computers: int
    oldest_since: date
    by_age: tuple[int, ...]  # how many entered the state within each of AGE_BANDS, then older
    stuck: int  # how many entered it before the threshold date


AGE_BANDS = (7, 30, 90)  # days: up to a week, a month, a quarter, then longer


def _filter(programme: str, site: str) -> tuple[str, list[object]]:
    where, params = "", list[object]()
    if programme:
        where += " AND programme = ?"
        params.append(programme)
    if site:
        where += " AND site = ?"
        params.append(site)
    return where, params


def waiting(
    conn: Connection,
    states: Sequence[State],
    today: date,
    stuck_before: date,
    *,
    programme: str = "",
    site: str = "",
) -> list[Waiting]:
    """Per state and site: how many wait, since when, their ages, how many came before a date."""
    bands = ", ".join("SUM(CASE WHEN state_since >= ? THEN 1 ELSE 0 END)" for _ in AGE_BANDS)
    where, params = _filter(programme, site)
    marks = ", ".join("?" for _ in states)
    rows = conn.execute(
        f"SELECT state, site, COUNT(*), MIN(state_since), {bands}, "  # noqa: S608
        "SUM(CASE WHEN state_since < ? THEN 1 ELSE 0 END) FROM asset_register "
        f"WHERE state IN ({marks}){where} GROUP BY state, site ORDER BY state, site",
        [
            *(today - timedelta(days=days) for days in AGE_BANDS),
            stuck_before,
            *map(str, states),
            *params,
        ],
    )
    found = []
    for state, where_, n, oldest, *within, stuck in rows:
        counts = [int(x) for x in within]
        bands_ = [counts[0], *(b - a for a, b in pairwise(counts))]
        found.append(Waiting(State(state), where_, int(n), as_date(oldest) or today,
                             (*bands_, int(n) - counts[-1]), int(stuck)))  # fmt: skip
    return found


def count_in(conn: Connection, state: State, programme: str = "", site: str = "") -> int:
    """How many computers stand in one state now."""
    where, params = _filter(programme, site)
    sql = f"SELECT COUNT(*) FROM asset_register WHERE state = ?{where}"  # noqa: S608
    return int(conn.execute(sql, [str(state), *params])[0][0])
