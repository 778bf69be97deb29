"""What every use-case module of the Inventory shares: the store, the clock, the time zone."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any, TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import JSONTranscoder, Recording, Transcoding

Clock = Callable[[], datetime]
A = TypeVar("A", bound=Aggregate)


def utc_now() -> datetime:
    return datetime.now(UTC)


class DateAsISO(Transcoding):
    """Business dates are stored as ISO strings."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class Service(Application[UUID]):
    """The event-sourced application base: a clock for recording times, a zone for "today"."""

    def __init__(
        self,
        env: dict[str, str] | None = None,
        *,
        clock: Clock = utc_now,
        zone: ZoneInfo | None = None,
    ) -> None:
        super().__init__(env)
        self.clock = clock
        self.zone = zone or ZoneInfo("Europe/Paris")
        self._batch: _Batch | None = None

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def today(self) -> date:
        """The current business date in the programme's time zone."""
        return self.clock().astimezone(self.zone).date()

    def is_empty(self) -> bool:
        """Whether nothing was ever recorded in this store."""
        return self.recorder.max_notification_id() in (None, 0)

    @contextmanager
    def batched(self, saves: int = 1000, keep: int = 100_000) -> Iterator[None]:
        """Run many use cases with their saves grouped: the bulk path of imports and generators.

        Inside the block the use cases run unchanged (every domain rule and check), but
        `save` keeps the aggregates in memory and writes them together, in one transaction,
        every `saves` saves and at the end of the block; `keep` recently used aggregates stay
        in memory so the next command on them needs no read. Saves return no recordings, so
        the use cases report no position. If the block raises, what was not yet written is
        dropped (the store holds whole batches only).
        """
        self._batch = _Batch(saves, keep)
        try:
            yield
            self._flush()
        finally:
            self._batch = None

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        if self._batch is None:
            return super().save(*objs, **kwargs)
        self._batch.saves += 1
        for aggregate in objs:
            if aggregate is not None:
                self._batch.hold(aggregate)
        if self._batch.saves >= self._batch.limit:
            self._flush()
        return []

    @staticmethod
    def _position(recordings: list[Recording[UUID]]) -> int | None:
        """The log position of a save, to wait for (none inside `batched`)."""
        return recordings[-1].notification.id if recordings else None

    def _flush(self) -> None:
        batch = self._batch
        if batch is not None and batch.dirty:
            super().save(*batch.dirty.values())
            batch.written()

    def _find(self, aggregate_id: UUID, kind: type[A], version: int | None = None) -> A | None:
        if self._batch is not None:
            if version is None and aggregate_id in self._batch.cached:
                held = self._batch.take(aggregate_id)
                return held if isinstance(held, kind) else None
            if aggregate_id in self._batch.dirty:  # an earlier version: write it first
                self._flush()
        try:
            aggregate: object = self.repository.get(aggregate_id, version=version)
        except AggregateNotFoundError:
            return None
        return aggregate if isinstance(aggregate, kind) else None


class _Batch:
    """The aggregates held by `Service.batched`: the ones to write, and a cache of recent ones."""

    def __init__(self, limit: int, keep: int) -> None:
        self.limit = limit
        self.keep = keep
        self.saves = 0
        self.dirty: dict[UUID, Aggregate] = {}
        self.cached: OrderedDict[UUID, Aggregate] = OrderedDict()
        self.held_events: dict[UUID, int] = {}

    def hold(self, aggregate: Aggregate) -> None:
        self.dirty[aggregate.id] = aggregate
        self.cached[aggregate.id] = aggregate
        self.cached.move_to_end(aggregate.id)
        self.held_events[aggregate.id] = len(aggregate.pending_events)

    def take(self, aggregate_id: UUID) -> Aggregate:
        """A held aggregate, unless a use case changed it and then failed before saving it."""
        aggregate = self.cached[aggregate_id]
        if len(aggregate.pending_events) != self.held_events.get(aggregate_id, 0):
            msg = f"{aggregate_id} was changed inside a batch without being saved"
            raise RuntimeError(msg)
        return aggregate

    def written(self) -> None:
        self.saves = 0
        self.dirty.clear()
        self.held_events.clear()
        while len(self.cached) > self.keep:
            self.cached.popitem(last=False)
