"""Lead times: per computer, days from one stage to the next and from arrival to outcome."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date

from projections.database import Connection
from projections.readmodel import Derived, ReadModel, Table
from projections.timeline import STAGES, Step, Timeline

TABLE = Table(
    "lead_times",
    ("computer_id", "seq"),
    ("segment", "from_version", "to_version", "from_on", "to_on", "days", "site", "programme"),
)

# Steps that move a computer along the chain (wipes and transfers happen within a stage).
_MILESTONES = frozenset({"donated", "triaged", "dismantled", "reconditioned", "loaned",
                         "returned", "written_off"})  # fmt: skip
_ARRIVALS = frozenset({"donated", "returned"})
_OUTCOMES = frozenset({"loaned", "dismantled"})


def derive(timeline: Timeline) -> Derived:
    """A segment between consecutive milestones, and one from each arrival to its outcome."""
    programme = timeline.identity["programme"]
    milestones = [s for s in timeline.in_force() if STAGES[s.kind] in _MILESTONES]
    segments: list[tuple[str, Step, Step]] = []
    arrival: Step | None = None
    for before, after in zip([None, *milestones], milestones, strict=False):
        if before is not None:
            segments.append((f"{STAGES[before.kind]}_to_{STAGES[after.kind]}", before, after))
        stage = STAGES[after.kind]
        if stage in _ARRIVALS:
            arrival = after
        elif stage in _OUTCOMES and arrival is not None:
            segments.append((f"arrival_to_{stage}", arrival, after))
    rows = tuple(
        (timeline.computer_id, seq, segment, a.version, b.version, a.occurred_on,
         b.occurred_on, (b.occurred_on - a.occurred_on).days, b.site, programme)
        for seq, (segment, a, b) in enumerate(segments)
    )  # fmt: skip
    return {TABLE.name: rows}


READ_MODEL = ReadModel("lead_times", (TABLE,), derive)


@dataclass(frozen=True)
class LeadTime:
    """Days taken by one segment, over the computers that completed it in a period."""

    segment: str
    computers: int
    median_days: float
    p90_days: float


def percentiles(
    conn: Connection, segment: str, start: date, end: date, programme: str | None = None
) -> LeadTime | None:
    """Median and 90th percentile of a segment completed from start to end inclusive."""
    sql = "SELECT days FROM lead_times WHERE segment = ? AND to_on >= ? AND to_on <= ?"
    params: list[object] = [segment, start, end]
    if programme:
        sql += " AND programme = ?"
        params.append(programme)
    days = sorted(int(row[0]) for row in conn.execute(sql, params))
    if not days:
        return None
    p90 = statistics.quantiles(days, n=10, method="inclusive")[-1] if len(days) > 1 else days[0]
    return LeadTime(segment, len(days), float(statistics.median(days)), float(p90))
