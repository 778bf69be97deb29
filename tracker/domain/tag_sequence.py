"""The gapless sequence of asset-tag numbers of one programme for one year."""

from __future__ import annotations

from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from tracker.domain.asset_tag import NAMESPACE


class TagSequence(Aggregate):
    """Hands out consecutive numbers; saved with the computers it numbers, so none is lost."""

    class Started(Aggregate.Created):
        programme: str
        year: int

    class NumbersTaken(Aggregate.Event):
        first: int
        count: int

        def apply(self, aggregate: TagSequence) -> None:
            aggregate.last_number = self.first + self.count - 1

    def __init__(self, programme: str, year: int) -> None:
        self.programme = programme
        self.year = year
        self.last_number = 0

    @staticmethod
    def id_for(programme: str, year: int) -> UUID:
        """One sequence per programme and year."""
        return uuid5(NAMESPACE, f"tag-sequence:{programme}:{year}")

    @classmethod
    def start(cls, programme: str, year: int) -> TagSequence:
        """A new sequence whose first number will be 1."""
        return cls._create(
            cls.Started, id=cls.id_for(programme, year), programme=programme, year=year
        )

    def take(self, count: int) -> list[int]:
        """The next `count` numbers."""
        first = self.last_number + 1
        self.trigger_event(self.NumbersTaken, first=first, count=count)
        return list(range(first, first + count))
