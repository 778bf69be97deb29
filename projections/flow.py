"""Flow: steps counted per business day, stage, site and programme (throughput and targets)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from projections.database import Connection
from projections.readmodel import Derived, ReadModel, Table
from projections.timeline import STAGES, Timeline

TABLE = Table("flow", ("day", "stage", "site", "programme"), ("computers",), additive=True)


def derive(timeline: Timeline) -> Derived:
    """Each step in force counts once, on its (corrected) business date, where it was done."""
    programme = timeline.identity["programme"]
    rows = tuple(
        (step.occurred_on, STAGES[step.kind], step.site, programme, 1)
        for step in timeline.in_force()
    )
    return {TABLE.name: rows}


READ_MODEL = ReadModel("flow", (TABLE,), derive)


@dataclass(frozen=True)
class StageTotal:
    """How many steps of one stage were done in a period."""

    stage: str
    computers: int


def totals(
    conn: Connection,
    start: date,
    end: date,
    *,
    programme: str | None = None,
    site: str | None = None,
) -> list[StageTotal]:
    """Steps per stage with a business date from start to end inclusive."""
    sql = "SELECT stage, SUM(computers) FROM flow WHERE day >= ? AND day <= ?"
    params: list[object] = [start, end]
    if programme:
        sql += " AND programme = ?"
        params.append(programme)
    if site:
        sql += " AND site = ?"
        params.append(site)
    rows = conn.execute(sql + " GROUP BY stage ORDER BY stage", params)
    return [StageTotal(stage, int(n)) for stage, n in rows]
