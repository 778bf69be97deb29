"""A donation batch: the computers one donor gave, received together at one site."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from tracker.domain import validation
from tracker.domain.asset_tag import NAMESPACE
from tracker.domain.recording import Recording
from tracker.domain.validation import text


class DonationBatch(Aggregate):
    """Groups the computers of one donation; its id derives from the intake command id."""

    class Registered(Aggregate.Created):
        command_id: UUID
        actor: str
        site: str
        occurred_on: date
        note: str
        programme: str
        donor: str

    class UnitsAdded(Aggregate.Event):
        command_id: UUID
        actor: str
        site: str
        occurred_on: date
        note: str
        tags: list[str]

        def apply(self, aggregate: DonationBatch) -> None:
            aggregate.tags.extend(self.tags)
            aggregate.commands[self.command_id] = self.originator_version

    def __init__(
        self,
        *,
        command_id: UUID,
        actor: str,
        site: str,
        occurred_on: date,
        note: str,
        programme: str,
        donor: str,
    ) -> None:
        self.programme = programme
        self.donor = donor
        self.site = site
        self.received_on = occurred_on
        self.registered_by = actor
        self.note = note
        self.tags: list[str] = []
        self.commands: dict[UUID, int] = {command_id: 1}

    def is_result_of(self, donor: str, site: str, units: int) -> bool:
        """Whether a retried intake asks for this very batch (and not another one)."""
        return (self.donor, self.site, len(self.tags)) == (
            donor.strip(),
            validation.site_code("site", site),
            units,
        )

    @staticmethod
    def id_for(command_id: UUID) -> UUID:
        """The batch an intake command creates: a retried intake finds its first result."""
        return uuid5(NAMESPACE, f"donation-batch:{command_id}")

    @classmethod
    def register(cls, recording: Recording, *, programme: str, donor: str) -> DonationBatch:
        """Open a batch for a donation received at the recording's site and date."""
        recording.check()
        return cls._create(
            cls.Registered,
            id=cls.id_for(recording.command_id),
            programme=programme,
            donor=text("donor", donor, required=True),
            **recording.event_fields(),
        )

    def add_units(self, recording: Recording, tags: list[str]) -> None:
        """Record the asset tags of computers that belong to this batch."""
        recording.check()
        self.trigger_event(self.UnitsAdded, tags=list(tags), **recording.event_fields())
