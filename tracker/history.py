"""The full, ordered history of one computer, with corrections linked to what they correct."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any
from uuid import UUID

from tracker.application import Inventory
from tracker.domain import asset_tag
from tracker.domain.computer import Computer
from tracker.domain.exceptions import UnknownComputerError
from tracker.domain.lifecycle import State

# Carried by every event; shown in their own columns, not among the details.
_COMMON = {
    "originator_id", "originator_version", "originator_topic", "timestamp",
    "command_id", "actor", "site", "occurred_on", "note",
}  # fmt: skip


@dataclass(frozen=True)
class HistoryEntry:
    """One event as an auditor reads it."""

    version: int
    event: str
    occurred_on: date
    recorded_at: datetime
    actor: str
    site: str
    note: str
    command_id: UUID
    details: dict[str, Any]
    cancelled_by: int | None = None
    corrected_by: tuple[int, ...] = ()


@dataclass(frozen=True)
class ComputerHistory:
    """A computer as it stands now and every event that brought it there."""

    tag: str
    computer_id: UUID
    state: State
    site: str
    version: int
    description: dict[str, str]
    entries: tuple[HistoryEntry, ...] = field(default=())


def computer_history(inventory: Inventory, tag: str) -> ComputerHistory:
    """Replay one computer's stream (a single stream, never the whole log)."""
    computer = inventory.computer(tag)
    events = inventory.computer_events(tag)
    cancelled_by: dict[int, int] = {}
    corrected_by: dict[int, list[int]] = {}
    for event in events:
        if isinstance(event, Computer.StepCancelled):
            cancelled_by[event.cancels_version] = event.originator_version
        elif isinstance(event, Computer.DetailsCorrected):
            corrected_by.setdefault(event.corrects_version, []).append(event.originator_version)
    entries = tuple(
        HistoryEntry(
            version=event.originator_version,
            event=type(event).__name__,
            occurred_on=getattr(event, "occurred_on"),  # noqa: B009 (every computer event has it)
            recorded_at=event.timestamp,
            actor=getattr(event, "actor"),  # noqa: B009
            site=getattr(event, "site"),  # noqa: B009
            note=getattr(event, "note"),  # noqa: B009
            command_id=getattr(event, "command_id"),  # noqa: B009
            details={
                f.name: getattr(event, f.name) for f in fields(event) if f.name not in _COMMON
            },
            cancelled_by=cancelled_by.get(event.originator_version),
            corrected_by=tuple(corrected_by.get(event.originator_version, ())),
        )
        for event in events
    )
    return ComputerHistory(
        tag=computer.tag,
        computer_id=computer.id,
        state=computer.state,
        site=computer.site,
        version=computer.version,
        description={
            "device_type": computer.device_type,
            "brand": computer.brand,
            "model": computer.model,
            "serial": computer.serial,
            "donor": computer.donor,
            "programme": computer.programme,
        },
        entries=entries,
    )


def computer_as_known(inventory: Inventory, tag: str, moment: datetime) -> Computer | None:
    """The computer as the record stood at `moment` (recording time), None if not yet known.

    Reads only this computer's own stream, up to the last event recorded by then, so a report
    issued on a past date can be checked against what was known when it was issued.
    """
    computer_id = asset_tag.computer_id(tag)
    events: list[Any] = list(inventory.repository.event_store.get(computer_id))
    known = [event for event in events if event.timestamp <= moment]
    if not known:
        if events:
            return None
        raise UnknownComputerError(tag=asset_tag.normalize(tag))
    found: object = inventory.repository.get(computer_id, version=known[-1].originator_version)
    return found if isinstance(found, Computer) else None
