"""Keep read models up to date with the event log, exactly once, many events per transaction.

The runner reads the log after the lowest position of its read models, folds each computer
event into that computer's timeline (kept in a bounded cache, reloaded from the computer's own
stream when missing), and writes, in one transaction, the rows that changed and every read
model's new position. Positions are checked again inside that transaction: if another runner
(or a rebuild being swapped in) moved them meanwhile, the batch is dropped and redone.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import structlog
from eventsourcing.application import Application

from projections import activity, asset_register, flow, lead_times, loans, materials
from projections.database import Connection, Database
from projections.readmodel import Changes, Derived, ReadModel
from projections.timeline import Timeline, fold, replay
from tracker.domain.computer import Computer

log = structlog.get_logger(__name__)

READ_MODELS: tuple[ReadModel, ...] = (
    asset_register.READ_MODEL,
    flow.READ_MODEL,
    lead_times.READ_MODEL,
    loans.READ_MODEL,
    materials.READ_MODEL,
    activity.READ_MODEL,
)
COMPUTER_TOPIC = f"{Computer.__module__}:"
Progress = Callable[[int, int], None]  # (events read in this batch, position reached)


def by_names(names: Sequence[str]) -> tuple[ReadModel, ...]:
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
        models: Sequence[ReadModel] = READ_MODELS,
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
            if start != self._cache_position:
                self._cache.clear()
            notifications = self.app.recorder.select_notifications(
                start, self.batch_size, inclusive_of_start=False
            )
            if not notifications:
                return 0
            changes = {
                name: Changes(model) for name, model in zip(self._names, self.models, strict=True)
            }
            for notification in notifications:
                if notification.topic.startswith(COMPUTER_TOPIC):
                    event = self.app.mapper.to_domain_event(notification)
                    behind = [n for n in self._names if positions[n] < notification.id]
                    self._apply(event, behind, changes)  # type: ignore[arg-type]
            last = notifications[-1].id
            if self._commit(positions, changes, last):
                self._cache_position = last
                return len(notifications)
            self._cache.clear()
            self._cache_position = None
            log.info("projection_batch_redone", start=start)

    def catch_up(self, until: int | None = None, progress: Progress | None = None) -> int:
        """Process batches until the read models reach `until` (default: the head now)."""
        target = self.head() if until is None else until
        total = 0
        while min(self.positions().values()) < target:
            read = self.run_batch()
            if read == 0:
                break
            total += read
            if progress is not None:
                progress(read, min(self.positions().values()))
        return total

    # -- internals ------------------------------------------------------------------------

    def _apply(self, event: Computer.Event, behind: list[str], changes: dict[str, Changes]) -> None:
        entry = self._entry_before(event)
        timeline = fold(entry.timeline if entry else None, event)
        after = _Entry(timeline)
        for model in self.models:
            if model.name not in behind:
                continue
            before: Derived = {}
            if entry is not None:
                before = entry.derived.get(model.name) or model.derive(entry.timeline)
            derived = model.derive(timeline)
            changes[model.name].record(before, derived)
            after.derived[model.name] = derived
        self._cache[event.originator_id] = after
        self._cache.move_to_end(event.originator_id)
        if len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)

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

    def _commit(self, seen: dict[str, int], changes: dict[str, Changes], last: int) -> bool:
        lock = " FOR UPDATE" if self._conn.backend == "postgres" else ""
        with self._conn.transaction():
            rows = self._conn.execute(
                f"SELECT name, position FROM projection_positions WHERE name IN ({self._in})"  # noqa: S608
                + lock,
                self._names,
            )
            if {str(n): int(p) for n, p in rows} != seen:
                return False
            for model_changes in changes.values():
                model_changes.write(self._conn)
            self._conn.executemany(
                "UPDATE projection_positions SET position = ?, updated_at = ? "
                "WHERE name = ? AND position < ?",
                [(last, datetime.now(UTC), name, last) for name in self._names],
            )
        return True
