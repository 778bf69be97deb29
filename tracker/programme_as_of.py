"""A programme over a past period, read two ways from the ledger (never replayed).

As it happened, by the dates of the steps and as the record stands now (cancelled steps left
out, corrections applied, steps entered late counted); and as it was known at the end of day K,
what a report issued that day could see, with the steps recorded, corrected or cancelled since.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from projections import ledger
from projections.database import Connection
from projections.ledger import ComputerOn, LedgerStep, StageFigures
from projections.timeline import STAGES
from tracker.domain.lifecycle import State
from tracker.history_as_of import end_of_day

# The stages in the order of the chain, then what the steps add up to.
STAGE_ORDER = ("donated", "triaged", "data_wiped", "dismantled", "reconditioned", "loaned",
               "returned", "transferred", "written_off")  # fmt: skip
AMOUNTS = ("contribution_cents", "work_minutes", "grams", "beneficiaries")
SHOWN = ("occurred_on", "site", "state", "contribution_cents", "work_minutes", "grams")
EVENT_OF = {stage: event for event, stage in STAGES.items()}
PAGE_SIZE = 100


@dataclass(frozen=True)
class Period:
    """A programme's days from `start` to `end`, and the day K a report was issued (if any)."""

    programme: str
    start: date
    end: date
    known_on: date | None = None

    def known_at(self, zone: tzinfo) -> datetime | None:
        """The end of day K in the programme's time zone: what was recorded before counts."""
        return end_of_day(self.known_on, zone) if self.known_on else None


def last_full_year(today: date) -> tuple[date, date]:
    """The calendar year before today's: the period a yearly report covers."""
    return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)


@dataclass(frozen=True)
class Figure:
    """One figure of the period: now (as corrected since) and, with a K, as known on K."""

    name: str  # a stage (the computers that went through it) or one of AMOUNTS
    now: int
    then: int | None = None

    @property
    def difference(self) -> int | None:
        return None if self.then is None else self.now - self.then


def figures(conn: Connection, period: Period, zone: tzinfo) -> list[Figure]:
    """The computers per stage, in the chain's order, then the amounts."""
    scope = (conn, period.programme, period.start, period.end)
    now = {f.stage: f for f in ledger.figures(*scope)}
    known_at = period.known_at(zone)
    then = {f.stage: f for f in ledger.figures(*scope, known_at=known_at)} if known_at else None

    def total(rows: dict[str, StageFigures] | None, name: str) -> int | None:
        if rows is None:
            return None
        if name in AMOUNTS:
            return sum(int(getattr(f, name)) for f in rows.values())
        return rows[name].computers if name in rows else 0

    stages = [s for s in STAGE_ORDER if s in now or s in (then or {})]
    return [Figure(name, total(now, name) or 0, total(then, name)) for name in [*stages, *AMOUNTS]]


@dataclass(frozen=True)
class StateCount:
    """How many computers stood in a state at a site on the period's last day."""

    state: State
    site: str
    now: int
    then: int | None = None


@dataclass(frozen=True)
class Listing:
    """One page of the computers of a reading, in one state or all."""

    computers: tuple[ComputerOn, ...]
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class Standings:
    """The programme's computers on the period's last day: counts, and the list asked for."""

    counts: tuple[StateCount, ...]
    listing: Listing


def standings(
    conn: Connection, period: Period, zone: tzinfo, *, as_known: bool = False,
    state: State | None = None, page: int = 1,
) -> Standings:  # fmt: skip
    """Counts per state and site in both readings; the list in the one asked for."""
    known_at = period.known_at(zone)
    now = ledger.computers_on(conn, period.programme, period.end)
    then = ledger.computers_on(conn, period.programme, period.end, known_at=known_at) \
        if known_at else None  # fmt: skip
    now_counts = Counter((c.state, c.site) for c in now)
    then_counts = Counter((c.state, c.site) for c in then or ())
    order = list(State)
    counts = tuple(
        StateCount(s, site, now_counts[s, site], then_counts[s, site] if then is not None else None)
        for s, site in sorted(now_counts.keys() | then_counts.keys(),
                              key=lambda key: (order.index(key[0]), key[1]))
    )  # fmt: skip
    listed = [c for c in (then if as_known and then is not None else now)
              if state is None or c.state == state]  # fmt: skip
    pages = max((len(listed) + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(max(page, 1), pages)
    shown = tuple(listed[(page - 1) * PAGE_SIZE : page * PAGE_SIZE])
    return Standings(counts, Listing(shown, len(listed), page, pages))


@dataclass(frozen=True)
class ChangeLine:
    """A step of the period that reads differently now than on K, in words to show."""

    tag: str
    version: int
    kind: str  # "late" (recorded after K), "cancelled" or "corrected" since
    event: str  # the step's event class name ("Loaned")
    step: LedgerStep  # as it reads now, or as it read on K when cancelled since
    changed_at: datetime  # when the first change after K was recorded, local time
    differences: tuple[tuple[str, object, object], ...]  # (field, on K, now) for a correction


def changes(conn: Connection, period: Period, zone: tzinfo) -> list[ChangeLine]:
    """The steps of the period recorded, corrected or cancelled after the end of day K."""
    known_at = period.known_at(zone)
    if known_at is None:
        return []
    found = []
    differences: tuple[tuple[str, object, object], ...]
    for change in ledger.changes_since(conn, period.programme, period.start, period.end, known_at):
        then, now = change.then, change.now
        if then is None and now is not None:
            kind, step, at, differences = "late", now, now.known_from, ()
        elif now is None and then is not None and then.known_to is not None:
            kind, step, at, differences = "cancelled", then, then.known_to, ()
        elif then is not None and now is not None and then.known_to is not None:
            kind, step, at = "corrected", now, then.known_to
            differences = tuple(
                (name, getattr(then, name), getattr(now, name))
                for name in SHOWN
                if getattr(then, name) != getattr(now, name)
            )
        else:  # the ledger lists only steps that changed after K
            continue
        found.append(ChangeLine(change.tag, change.version, kind, EVENT_OF[step.stage], step,
                                at.astimezone(zone), differences))  # fmt: skip
    return found
