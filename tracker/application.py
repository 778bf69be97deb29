"""The Inventory application: the use cases of the tracker, each one load, command, save."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from uuid import UUID

import structlog
from eventsourcing.persistence import IntegrityError

from tracker.accounts import Accounts
from tracker.commands import RegisterDonation
from tracker.domain import asset_tag
from tracker.domain.computer import Computer
from tracker.domain.donation_batch import DonationBatch
from tracker.domain.exceptions import (
    CommandReusedError,
    DuplicateTagError,
    InvalidValueError,
    StoreBusyError,
    UnknownRecordError,
)
from tracker.domain.recording import Recording
from tracker.domain.tag_sequence import TagSequence
from tracker.funding import Funding
from tracker.station import Station

log = structlog.get_logger(__name__)

MAX_UNITS_PER_DONATION = 500
INTAKE_ATTEMPTS = 60


@dataclass(frozen=True)
class DonationRegistered:
    """The outcome of an intake: the batch and the tags given to its computers, in order."""

    batch_id: UUID
    tags: tuple[str, ...]
    position: int | None
    replayed: bool = False


class Inventory(Station, Funding, Accounts):
    """Records every step of every computer; the event log is the system of record.

    Users and reference data (sites, programmes, donors, funders and their funding lines) live
    in the same log, so an audit of who could do what, where, and for whom, replays alongside
    the computers.
    """

    name = "Inventory"

    # -- use cases ------------------------------------------------------------------------

    def register_donation(self, request: RegisterDonation) -> DonationRegistered:
        """Open a donation batch and register its computers, giving each an asset tag.

        The batch, the computers and the tag sequence are saved together; a concurrent intake
        of the same programme and year makes this one retry with the next numbers.
        """
        if not request.units:
            raise InvalidValueError(field="units", reason="required")
        if len(request.units) > MAX_UNITS_PER_DONATION:
            raise InvalidValueError(field="units", reason="too_many")
        programme = asset_tag.programme_code(request.programme)
        pre_printed = [asset_tag.pre_printed(unit.tag) for unit in request.units if unit.tag]
        for tag in pre_printed:
            if pre_printed.count(tag) > 1:
                raise DuplicateTagError(tag=tag)
        batch_id = DonationBatch.id_for(request.command_id)
        for _attempt in range(INTAKE_ATTEMPTS):
            done = self._find(batch_id, DonationBatch)
            if done is not None:
                if not done.is_result_of(request.donor, request.site, len(request.units)):
                    raise CommandReusedError()
                return DonationRegistered(batch_id, tuple(done.tags), None, replayed=True)
            for tag in pre_printed:
                if self._find(asset_tag.computer_id(tag), Computer) is not None:
                    raise DuplicateTagError(tag=tag)
            try:
                return self._save_donation(request, programme)
            except IntegrityError:
                time.sleep(random.uniform(0.001, 0.02))  # noqa: S311 (jitter, not security)
        raise StoreBusyError()

    # -- internals ------------------------------------------------------------------------

    def donation(self, batch_id: UUID) -> DonationBatch:
        """A donation batch as registered: its donor, site, date and the tags of its computers."""
        found = self._find(batch_id, DonationBatch)
        if found is None:
            raise UnknownRecordError(kind="donation", key=str(batch_id))
        return found

    def _save_donation(self, request: RegisterDonation, programme: str) -> DonationRegistered:
        recording = Recording(
            command_id=request.command_id,
            actor=request.actor,
            site=request.site,
            occurred_on=request.received_on,
            recorded_at=self.clock(),
            today=self.today(),
            note=request.note,
        )
        batch = DonationBatch.register(recording, programme=programme, donor=request.donor)
        year = request.received_on.year
        sequence = self._find(TagSequence.id_for(programme, year), TagSequence)
        if sequence is None:
            sequence = TagSequence.start(programme, year)
        needed = sum(1 for unit in request.units if not unit.tag)
        numbers = iter(sequence.take(needed) if needed else [])
        computers = []
        for unit in request.units:
            tag = unit.tag or asset_tag.generated(programme, year, next(numbers))
            computers.append(
                Computer.donate(
                    recording,
                    tag=tag,
                    programme=programme,
                    batch_id=batch.id,
                    donor=request.donor,
                    device_type=unit.device_type,
                    brand=unit.brand,
                    model=unit.model,
                    serial=unit.serial,
                )
            )
        tags = [computer.tag for computer in computers]
        batch.add_units(recording, tags)
        recordings = self.save(batch, sequence if needed else None, *computers)
        log.info("donation_registered", batch_id=str(batch.id), units=len(tags))
        return DonationRegistered(batch.id, tuple(tags), self._position(recordings))
