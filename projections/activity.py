"""Activity: every event of every computer, who recorded it, where, for which date and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from projections.database import Connection, as_date
from projections.readmodel import Derived, ReadModel, Table
from projections.timeline import STAGES, Timeline

TABLE = Table(
    "activity",
    ("computer_id", "version"),
    ("tag", "programme", "stage", "actor", "site", "occurred_on", "recorded_at", "refers_to",
     "cancelled_by", "corrected_by"),
)  # fmt: skip


def derive(timeline: Timeline) -> Derived:
    """One row per event; cancelled and corrected events point at what changed them."""
    tag, programme = timeline.identity["tag"], timeline.identity["programme"]
    rows = tuple(
        (timeline.computer_id, step.version, tag, programme, STAGES[step.kind], step.actor,
         step.site, step.occurred_on, step.recorded_at,
         step.details.get("cancels_version", step.details.get("corrects_version")),
         step.cancelled_by, step.corrected_by)
        for step in timeline.steps
    )  # fmt: skip
    return {TABLE.name: rows}


READ_MODEL = ReadModel("activity", (TABLE,), derive)


@dataclass(frozen=True)
class ActivityEntry:
    """Who did what to which computer, for which date, and when it was recorded."""

    tag: str
    stage: str
    actor: str
    site: str
    occurred_on: date
    recorded_at: datetime
    cancelled: bool


def recent(conn: Connection, limit: int = 20, site: str | None = None) -> list[ActivityEntry]:
    """The latest events recorded, newest first."""
    sql = "SELECT tag, stage, actor, site, occurred_on, recorded_at, cancelled_by FROM activity"
    params: list[object] = []
    if site:
        sql += " WHERE site = ?"
        params.append(site)
    sql += " ORDER BY recorded_at DESC, computer_id, version DESC LIMIT ?"
    params.append(limit)
    return [
        ActivityEntry(
            tag, stage, actor, where, as_date(day) or date.min, _instant(at), by is not None
        )
        for tag, stage, actor, where, day, at, by in conn.execute(sql, params)
    ]


def _instant(value: object) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
