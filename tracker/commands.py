"""What a user asks the tracker to do: one frozen dataclass per command."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar
from uuid import UUID, uuid5

from tracker.domain.computer import Computer
from tracker.domain.recording import Recording


@dataclass(frozen=True, kw_only=True)
class StepCommand:
    """A step on one computer, as the user saw it (`seen_version`), sent once or retried."""

    command_id: UUID
    tag: str
    seen_version: int
    actor: str
    site: str
    occurred_on: date
    note: str = ""
    # A data wipe done at the same time (triage, dismantling, reconditioning): the fields of
    # RecordDataWipe, recorded just before the step, in the same save.
    wipe: dict[str, str] | None = None
    event_name: ClassVar[str]

    def run(self, computer: Computer, recording: Recording) -> None:
        """Record the wipe done with this step, if any, then the step itself."""
        if self.wipe is not None:
            wipe_id = uuid5(self.command_id, "data_wipe")
            computer.record_data_wipe(replace(recording, command_id=wipe_id), **self.wipe)
        self.perform(computer, recording)

    def perform(self, computer: Computer, recording: Recording) -> None:
        """Call the aggregate's command."""
        raise NotImplementedError


@dataclass(frozen=True, kw_only=True)
class Triage(StepCommand):
    checks: dict[str, str]
    grade: str
    outcome: str
    event_name = "Triaged"

    def perform(self, computer: Computer, recording: Recording) -> None:
        computer.triage(recording, checks=self.checks, grade=self.grade, outcome=self.outcome)


@dataclass(frozen=True, kw_only=True)
class RecordDataWipe(StepCommand):
    method: str
    result: str
    standard: str = ""
    tool: str = ""
    certificate_reference: str = ""
    event_name = "DataWipeRecorded"

    def perform(self, computer: Computer, recording: Recording) -> None:
        computer.record_data_wipe(
            recording,
            method=self.method,
            result=self.result,
            standard=self.standard,
            tool=self.tool,
            certificate_reference=self.certificate_reference,
        )


@dataclass(frozen=True, kw_only=True)
class Dismantle(StepCommand):
    components: list[dict[str, Any]] = field(default_factory=list)
    materials_kg: dict[str, Decimal] = field(default_factory=dict)
    outlet: str
    waste_slip_reference: str = ""
    event_name = "Dismantled"

    def perform(self, computer: Computer, recording: Recording) -> None:
        computer.dismantle(
            recording,
            components=self.components,
            materials_kg=self.materials_kg,
            outlet=self.outlet,
            waste_slip_reference=self.waste_slip_reference,
        )


@dataclass(frozen=True, kw_only=True)
class Recondition(StepCommand):
    work_done: list[str]
    operating_system: str
    quality_check_passed: bool
    hours_of_work: Decimal
    final_grade: str
    parts_used: list[str] = field(default_factory=list)
    event_name = "Reconditioned"

    def perform(self, computer: Computer, recording: Recording) -> None:
        computer.recondition(
            recording,
            work_done=self.work_done,
            operating_system=self.operating_system,
            quality_check_passed=self.quality_check_passed,
            hours_of_work=self.hours_of_work,
            final_grade=self.final_grade,
            parts_used=self.parts_used,
        )


@dataclass(frozen=True, kw_only=True)
class Loan(StepCommand):
    beneficiary_code: str
    agreement_start: date
    agreement_end: date
    contribution_eur: Decimal
    contribution_method: str
    receipt_number: str = ""
    event_name = "Loaned"

    def perform(self, computer: Computer, recording: Recording) -> None:
        computer.loan(
            recording,
            beneficiary_code=self.beneficiary_code,
            agreement_start=self.agreement_start,
            agreement_end=self.agreement_end,
            contribution_eur=self.contribution_eur,
            contribution_method=self.contribution_method,
            receipt_number=self.receipt_number,
        )


@dataclass(frozen=True, kw_only=True)
class TakeBack(StepCommand):
    reason: str
    condition: str
    event_name = "Returned"

    def perform(self, computer: Computer, recording: Recording) -> None:
        computer.take_back(recording, reason=self.reason, condition=self.condition)


@dataclass(frozen=True, kw_only=True)
class Transfer(StepCommand):
    to_site: str
    event_name = "Transferred"

    def perform(self, computer: Computer, recording: Recording) -> None:
        computer.transfer(recording, to_site=self.to_site)


@dataclass(frozen=True, kw_only=True)
class WriteOff(StepCommand):
    reason: str
    event_name = "WrittenOff"

    def perform(self, computer: Computer, recording: Recording) -> None:
        computer.write_off(recording, reason=self.reason)


@dataclass(frozen=True, kw_only=True)
class CancelStep(StepCommand):
    version: int
    reason: str
    event_name = "StepCancelled"

    def perform(self, computer: Computer, recording: Recording) -> None:
        computer.cancel_step(recording, version=self.version, reason=self.reason)


@dataclass(frozen=True, kw_only=True)
class CorrectDetails(StepCommand):
    version: int
    reason: str
    changes: dict[str, str]
    event_name = "DetailsCorrected"

    def perform(self, computer: Computer, recording: Recording) -> None:
        computer.correct_details(
            recording, version=self.version, reason=self.reason, changes=self.changes
        )


# The name a user types (CLI) or posts (web) for each step.
STEP_COMMANDS: dict[str, type[StepCommand]] = {
    "triage": Triage,
    "wipe_data": RecordDataWipe,
    "dismantle": Dismantle,
    "recondition": Recondition,
    "loan": Loan,
    "return": TakeBack,
    "transfer": Transfer,
    "write_off": WriteOff,
    "cancel": CancelStep,
    "correct": CorrectDetails,
}


@dataclass(frozen=True, kw_only=True)
class DonatedUnit:
    """One computer of a donation; `tag` only when it carries a pre-printed label."""

    device_type: str
    brand: str
    model: str = ""
    serial: str = ""
    tag: str = ""


@dataclass(frozen=True, kw_only=True)
class RegisterDonation:
    """An intake: a donor's batch received at a site, with the computers in it."""

    command_id: UUID
    actor: str
    site: str
    programme: str
    donor: str
    received_on: date
    units: tuple[DonatedUnit, ...]
    note: str = ""
