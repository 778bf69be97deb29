"""What every use-case module of the Inventory shares: the store, the clock, the time zone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import JSONTranscoder, Transcoding

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

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def today(self) -> date:
        """The current business date in the programme's time zone."""
        return self.clock().astimezone(self.zone).date()

    def is_empty(self) -> bool:
        """Whether nothing was ever recorded in this store."""
        return self.recorder.max_notification_id() in (None, 0)

    def _find(self, aggregate_id: UUID, kind: type[A], version: int | None = None) -> A | None:
        try:
            aggregate: object = self.repository.get(aggregate_id, version=version)
        except AggregateNotFoundError:
            return None
        return aggregate if isinstance(aggregate, kind) else None
