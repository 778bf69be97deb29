"""Asset register: one row per computer, where it stands now and when it entered each stage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from projections.database import Connection, as_date
from projections.readmodel import Derived, ReadModel, Table
from projections.timeline import STAGES, Timeline
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


def derive(timeline: Timeline) -> Derived:
    """Fold the steps in force, with their corrections, the way the aggregate does."""
    state, site, grade = State.AWAITING_TRIAGE, "", ""
    since: date | None = None
    agreement_end: date | None = None
    entered: dict[str, date] = {}
    for step in timeline.in_force():
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
    identity = timeline.identity
    row = (
        timeline.computer_id,
        *(identity[name] for name in _IDENTITY),
        str(state), site, grade, since,
        *(entered.get(stage) for stage in _STAGE_DATES),
        agreement_end if state == State.ON_LOAN else None,
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
