"""A computer's history as the read models see it, cancellations and corrections folded in."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from tracker.domain.computer import Computer

# Fields every step event carries; what remains of an event's fields are its details.
_COMMON = frozenset(
    {"originator_id", "originator_version", "originator_topic", "timestamp", "command_id",
     "actor", "site", "occurred_on", "note"}
)  # fmt: skip
_IDENTITY = ("tag", "programme", "batch_id", "donor", "device_type", "brand", "model", "serial")
_DATES = frozenset({"agreement_end", "agreement_start", "occurred_on"})
_AMOUNTS = frozenset({"contribution_eur", "hours_of_work"})


@dataclass(frozen=True)
class Step:
    """One recorded event of a computer, with the corrections made to it since."""

    version: int
    kind: str  # the event class name: "Donated", "Triaged", ... "StepCancelled"
    occurred_on: date
    recorded_at: datetime
    actor: str
    site: str
    details: Mapping[str, Any]
    cancelled_by: int | None = None
    corrected_by: int | None = None  # the correction that made these details (None: as recorded)
    earlier: tuple[Step, ...] = ()  # the step as it stood before each correction, oldest first

    def editions(self) -> tuple[Step, ...]:
        """The step as first recorded, then after each correction: the last is this one."""
        return (*self.earlier, replace(self, earlier=()))

    @property
    def in_force(self) -> bool:
        """A lifecycle step that was not cancelled (cancellations and corrections never are)."""
        return self.cancelled_by is None and self.kind not in CORRECTION_KINDS


CORRECTION_KINDS = frozenset({"StepCancelled", "DetailsCorrected"})


@dataclass(frozen=True)
class Timeline:
    """Everything recorded about one computer, in version order."""

    computer_id: UUID
    identity: Mapping[str, Any]
    steps: tuple[Step, ...]

    @property
    def version(self) -> int:
        return self.steps[-1].version

    def in_force(self) -> Iterable[Step]:
        """The donation and every lifecycle step not cancelled, in order."""
        return (step for step in self.steps if step.in_force)

    def last_change(self) -> datetime:
        return self.steps[-1].recorded_at


def fold(timeline: Timeline | None, event: Computer.Event) -> Timeline:
    """The timeline after one more event; a pure function, so replays agree with live runs."""
    fields = vars(event)
    step = Step(
        version=event.originator_version,
        kind=type(event).__name__,
        occurred_on=fields["occurred_on"],
        recorded_at=event.timestamp,
        actor=fields["actor"],
        site=fields["site"],
        details={k: v for k, v in fields.items() if k not in _COMMON},
    )
    if timeline is None:
        return Timeline(event.originator_id, {n: step.details[n] for n in _IDENTITY}, (step,))
    steps = list(timeline.steps)
    identity = timeline.identity
    if isinstance(event, Computer.StepCancelled):
        index = event.cancels_version - 1  # versions start at 1, without gaps
        steps[index] = replace(steps[index], cancelled_by=step.version)
    elif isinstance(event, Computer.DetailsCorrected):
        index = event.corrects_version - 1
        steps[index] = _corrected(steps[index], event.changes, step.version)
        if steps[index].kind == "Donated":
            identity = {**identity, **{k: v for k, v in event.changes.items() if k in identity}}
    steps.append(step)
    return Timeline(timeline.computer_id, identity, tuple(steps))


def replay(events: Iterable[Computer.Event]) -> Timeline | None:
    """The timeline of a computer from its stored events."""
    timeline = None
    for event in events:
        timeline = fold(timeline, event)
    return timeline


def _corrected(step: Step, changes: Mapping[str, str], by: int) -> Step:
    details = dict(step.details)
    occurred_on = step.occurred_on
    for field, raw in changes.items():
        if field == "occurred_on":
            occurred_on = date.fromisoformat(raw)
        elif field.startswith("materials_kg."):
            fraction = field.removeprefix("materials_kg.")
            details["materials_kg"] = {**details["materials_kg"], fraction: Decimal(raw)}
        elif field in _DATES:
            details[field] = date.fromisoformat(raw)
        elif field in _AMOUNTS:
            details[field] = Decimal(raw)
        else:
            details[field] = raw
    return replace(
        step,
        occurred_on=occurred_on,
        details=details,
        corrected_by=by,
        earlier=(*step.earlier, replace(step, earlier=())),
    )


# The stage each step moves a computer into, as counted by the read models.
STAGES: Mapping[str, str] = {
    "Donated": "donated",
    "Triaged": "triaged",
    "DataWipeRecorded": "data_wiped",
    "Dismantled": "dismantled",
    "Reconditioned": "reconditioned",
    "Loaned": "loaned",
    "Returned": "returned",
    "Transferred": "transferred",
    "WrittenOff": "written_off",
    "StepCancelled": "cancelled",
    "DetailsCorrected": "corrected",
}


def whole(amount: Decimal, unit: int) -> int:
    """An amount in whole units (grams, cents, minutes), so totals add up exactly."""
    return int((amount * unit).to_integral_value())
