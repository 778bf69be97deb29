"""Keep read models up to date with the event log, exactly once, many events per transaction.

The runner reads the log after the lowest position of its read models, folds each computer
event into that computer's timeline (kept in a bounded cache, reloaded from the computer's own
stream when missing), and writes, in one transaction, the rows that changed and every read
model's new position. Positions are checked again inside that transaction: if another runner
(or a rebuild being swapped in) moved them meanwhile, the batch is dropped and redone.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import structlog
from eventsourcing.application import Application
from eventsourcing.persistence import Notification

from projections import (
    activity,
    asset_register,
    dashboard,
    directory,
    flow,
    funding,
    lead_times,
    ledger,
    loans,
    materials,
)
from projections.database import Connection, Database
from projections.readmodel import AnyModel, Changes, Derived, ReadModel, RecordModel
from projections.timeline import Timeline, fold, replay
from tracker.domain.computer import Computer

log = structlog.get_logger(__name__)

READ_MODELS: tuple[AnyModel, ...] = (
    asset_register.READ_MODEL,
    flow.READ_MODEL,
    lead_times.READ_MODEL,
    loans.READ_MODEL,
    materials.READ_MODEL,
    activity.READ_MODEL,
    dashboard.READ_MODEL,
    directory.READ_MODEL,
    funding.READ_MODEL,
    ledger.READ_MODEL,
)
COMPUTER_TOPIC = f"{Computer.__module__}:"
Progress = Callable[[int, int], None]  # (events read in this batch, position reached)


def by_names(names: Sequence[str]) -> tuple[AnyModel, ...]:
    """The read models with these names (all of them when no name is given)."""
    known = {model.name: model for model in READ_MODELS}
    unknown = [name for name in names if name not in known]
    if unknown:
        msg = f"unknown read model: {', '.join(unknown)} (known: {', '.join(known)})"
        raise ValueError(msg)
    return tuple(known[name] for name in names) if names else READ_MODELS


@dataclass
class _Entry:
    timeline: Timeline
    derived: dict[str, Derived] = field(default_factory=dict)


class Runner:
    """Brings a set of read models in one database up to the head of an application's log."""

    def __init__(
        self,
        app: Application[UUID],
        database: Database,
        models: Sequence[AnyModel] = READ_MODELS,
        *,
        batch_size: int = 2000,
        cache_size: int = 50_000,
    ) -> None:
        self.app = app
        self.models = tuple(models)
        self.batch_size = batch_size
        self.cache_size = cache_size
        self._conn: Connection = database.connect()
        self._cache: OrderedDict[UUID, _Entry] = OrderedDict()
        self._cache_position: int | None = None
        self._names = [model.name for model in self.models]
        self._timeline_models = sum(isinstance(model, ReadModel) for model in self.models)
        self._in = ", ".join("?" for _ in self.models)
        self._conn.executemany(
            "INSERT INTO projection_positions (name, position) VALUES (?, 0) "
            "ON CONFLICT (name) DO NOTHING",
            [(name,) for name in self._names],
        )

    def close(self) -> None:
        self._conn.close()

    def positions(self) -> dict[str, int]:
        """Each read model's position: the id of the last notification it includes."""
        rows = self._conn.execute(
            f"SELECT name, position FROM projection_positions WHERE name IN ({self._in})",  # noqa: S608
            self._names,
        )
        return {str(name): int(position) for name, position in rows}

    def head(self) -> int:
        """The id of the last notification in the log."""
        return self.app.recorder.max_notification_id() or 0

    def run_batch(self) -> int:
        """Process one batch of notifications; returns how many were read (0: up to date)."""
        while True:
            positions = self.positions()
            start = min(positions.values())
            # Read models ahead of others (after a rebuild) wait until the others catch up.
            ahead = [position for position in positions.values() if position > start]
            behind = [model for model in self.models if positions[model.name] == start]
            if start != self._cache_position:
                self._cache.clear()
            notifications = self.app.recorder.select_notifications(
                start, self.batch_size, stop=min(ahead, default=None), inclusive_of_start=False
            )
            if not notifications:
                return 0
            changes = self._process(notifications, behind)
            last = notifications[-1].id
            if self._commit(positions, changes, [m.name for m in behind], last):
                self._cache_position = last
                return len(notifications)
            self._cache.clear()
            self._cache_position = None
            log.info("projection_batch_redone", start=start)

    def catch_up(
        self,
        until: int | None = None,
        progress: Progress | None = None,
        stopping: threading.Event | None = None,
    ) -> int:
        """Process batches until the read models reach `until` (default: the head now).

        `stopping` set: stop after the batch being processed (it is committed with its
        position, so the next catch-up starts where this one stopped).
        """
        target = self.head() if until is None else until
        total = 0
        while min(self.positions().values()) < target:
            if stopping is not None and stopping.is_set():
                break
            read = self.run_batch()
            if read == 0:
                break
            total += read
            if progress is not None:
                progress(read, min(self.positions().values()))
        return total

    # -- internals ------------------------------------------------------------------------

    def _process(
        self, notifications: Sequence[Notification], models: list[AnyModel]
    ) -> list[Changes]:
        timeline_models = [model for model in models if isinstance(model, ReadModel)]
        changes = self._process_computers(notifications, timeline_models)
        for model in models:
            if isinstance(model, RecordModel):
                changes.append(self._process_records(notifications, model))
        return changes

    def _process_records(
        self, notifications: Sequence[Notification], model: RecordModel
    ) -> Changes:
        """Derive each record touched by the batch as it was before the batch and after it."""
        versions: dict[UUID, tuple[int, int]] = {}
        for notification in notifications:
            if model.reads(notification.topic):
                record_id = UUID(str(notification.originator_id))
                first, _ = versions.get(record_id, (notification.originator_version, 0))
                versions[record_id] = (first, notification.originator_version)
        changes = Changes(model)
        for record_id, (first, last) in versions.items():
            before = self.app.repository.get(record_id, version=first - 1) if first > 1 else None
            changes.record(
                model.derive(before), model.derive(self.app.repository.get(record_id, version=last))
            )
        return changes

    def _process_computers(
        self, notifications: Sequence[Notification], models: list[ReadModel]
    ) -> list[Changes]:
        """Fold the batch into each computer's timeline, then derive each computer once."""
        before: dict[UUID, _Entry | None] = {}
        timelines: dict[UUID, Timeline] = {}
        for notification in notifications:
            if not notification.topic.startswith(COMPUTER_TOPIC):
                continue
            event: Any = self.app.mapper.to_domain_event(notification)
            computer_id = event.originator_id
            timeline = timelines.get(computer_id)
            if timeline is None:
                entry = self._entry_before(event)
                before[computer_id] = entry
                timeline = entry.timeline if entry else None
            timelines[computer_id] = fold(timeline, event)
        changes = [Changes(model) for model in models]
        for computer_id, entry in before.items():
            after = _Entry(timelines[computer_id])
            for model, model_changes in zip(models, changes, strict=True):
                old: Derived = {}
                if entry is not None:
                    old = entry.derived.get(model.name) or model.derive(entry.timeline)
                new = after.derived[model.name] = model.derive(after.timeline)
                model_changes.record(old, new)
            if len(models) < self._timeline_models:
                after.derived.clear()  # the other read models have not seen these events
            self._cache[computer_id] = after
            self._cache.move_to_end(computer_id)
            if len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return changes

    def _entry_before(self, event: Computer.Event) -> _Entry | None:
        """The computer's timeline just before this event: cached, or replayed from its stream."""
        if event.originator_version == 1:
            return None
        entry = self._cache.get(event.originator_id)
        if entry is not None and entry.timeline.version == event.originator_version - 1:
            return entry
        stored: Any = self.app.repository.event_store.get(
            event.originator_id, lte=event.originator_version - 1
        )
        timeline = replay(stored)
        return _Entry(timeline) if timeline is not None else None

    def _commit(
        self, seen: dict[str, int], changes: list[Changes], names: list[str], last: int
    ) -> bool:
        lock = " FOR UPDATE" if self._conn.backend == "postgres" else ""
        with self._conn.transaction():
            rows = self._conn.execute(
                f"SELECT name, position FROM projection_positions WHERE name IN ({self._in})"  # noqa: S608
                + lock,
                self._names,
            )
            if {str(n): int(p) for n, p in rows} != seen:
                return False
            for model_changes in changes:
                model_changes.write(self._conn)
            self._conn.executemany(
                "UPDATE projection_positions SET position = ?, updated_at = ? WHERE name = ?",
                [(last, datetime.now(UTC), name) for name in names],
            )
        return True
