"""One computer as of a past date: as it happened (step dates) and as it was known (records)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from itertools import takewhile

from projections.asset_register import standing
from projections.timeline import Step, replay
from tracker.domain.computer import Computer
from tracker.domain.lifecycle import State


@dataclass(frozen=True)
class Reading:
    """Where a computer stood on a date, and the steps (in force) that put it there."""

    day: date
    state: State | None  # None: not donated yet (by step dates) or not recorded yet
    site: str = ""
    grade: str = ""
    steps: tuple[Step, ...] = ()


@dataclass(frozen=True)
class LaterCorrection:
    """A cancellation or a correction recorded after a date, of a step already known then."""

    version: int
    kind: str  # "StepCancelled" or "DetailsCorrected"
    touches: int  # the version of the step it cancels or corrects
    occurred_on: date
    recorded_at: datetime
    actor: str
    reason: str
    changes: Mapping[str, str] = field(default_factory=dict)


def as_happened(events: Iterable[Computer.Event], day: date) -> Reading:
    """The computer on `day` by the dates of its steps, as the record stands now.

    Cancelled steps do not count and every correction is applied, so a corrected date moves
    its step; a step entered late counts from the day it happened.
    """
    timeline = replay(events)
    in_force = timeline.in_force() if timeline else ()
    steps = sorted(
        (step for step in in_force if step.occurred_on <= day),
        key=lambda step: (step.occurred_on, step.version),
    )
    return _reading(day, steps)


def as_known(events: Sequence[Computer.Event], day: date, zone: tzinfo) -> Reading:
    """The computer as the record stood at the end of `day` in `zone`.

    What a report issued that day could see: a step cancelled later still counts, a correction
    made later is not applied, a step entered later is not there.
    """
    timeline = replay(recorded_by(events, day, zone))
    return _reading(day, list(timeline.in_force()) if timeline else [])


def corrected_since(
    events: Sequence[Computer.Event], day: date, zone: tzinfo
) -> tuple[LaterCorrection, ...]:
    """The cancellations and corrections recorded after `day` of steps known by then."""
    known = recorded_by(events, day, zone)
    last_known = known[-1].originator_version if known else 0
    found: list[LaterCorrection] = []
    for event in events[len(known) :]:
        changes: dict[str, str] = {}
        if isinstance(event, Computer.StepCancelled):
            touches = event.cancels_version
        elif isinstance(event, Computer.DetailsCorrected):
            touches, changes = event.corrects_version, dict(event.changes)
        else:
            continue
        if touches <= last_known:
            found.append(
                LaterCorrection(
                    version=event.originator_version,
                    kind=type(event).__name__,
                    touches=touches,
                    occurred_on=event.occurred_on,
                    recorded_at=event.timestamp,
                    actor=event.actor,
                    reason=event.reason,
                    changes=changes,
                )
            )
    return tuple(found)


def recorded_by(events: Sequence[Computer.Event], day: date, zone: tzinfo) -> list[Computer.Event]:
    """The events recorded up to the end of `day` in `zone`: always a beginning of the stream."""
    end = end_of_day(day, zone)
    return list(takewhile(lambda event: event.timestamp < end, events))


def end_of_day(day: date, zone: tzinfo) -> datetime:
    """The first instant after `day` in this time zone (its midnight, whatever the offset)."""
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=zone)


def _reading(day: date, steps: list[Step]) -> Reading:
    if not steps:
        return Reading(day, None)
    now = standing(steps)
    return Reading(day, now.state, now.site, now.grade, tuple(steps))
