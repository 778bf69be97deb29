"""The Computer aggregate: one donated computer, from intake to its last step."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from tracker.domain import asset_tag, step_details, validation
from tracker.domain.corrections import CORRECTABLE, read_date
from tracker.domain.exceptions import (
    CorrectionRefusedError,
    DataWipeRequiredError,
    DateAfterNextStepError,
    DateBeforePreviousStepError,
    DateInFutureError,
    InvalidValueError,
    NothingToCancelError,
    NotTheLastStepError,
    TransitionRefusedError,
)
from tracker.domain.lifecycle import TRANSITIONS, State, Step
from tracker.domain.recording import Recording
from tracker.domain.vocabulary import (
    DeviceType,
    TriageOutcome,
    WipeResult,
    WriteOffReason,
)


@dataclass(frozen=True)
class StepInfo:
    """What the aggregate remembers of each recorded event: to check corrections and undo."""

    name: str
    occurred_on: date
    undoable: bool
    actor: str
    site: str
    recorded_at: datetime | None  # None for the donation (the aggregate's created_on)


# The attributes a lifecycle step may change: saved before each step so it can be undone.
_UNDOABLE_ATTRIBUTES = ("state", "site", "data_wiped", "grade", "beneficiary_code", "agreement_end")


class Computer(Aggregate):
    """One donated computer; its events, in order, are its whole history."""

    class Donated(Aggregate.Created):
        command_id: UUID
        actor: str
        site: str
        occurred_on: date
        note: str
        tag: str
        programme: str
        batch_id: UUID
        donor: str
        device_type: str
        brand: str
        model: str
        serial: str

    class StepRecorded(Aggregate.Event):
        """Base of every event after the donation."""

        command_id: UUID
        actor: str
        site: str
        occurred_on: date
        note: str
        undoable: ClassVar[bool] = True

        def apply(self, aggregate: Computer) -> None:
            aggregate.commands[self.command_id] = self.originator_version
            aggregate.steps[self.originator_version] = StepInfo(
                type(self).__name__, self.occurred_on, self.undoable, self.actor, self.site,
                self.timestamp,
            )  # fmt: skip
            if self.undoable:
                saved = {name: getattr(aggregate, name) for name in _UNDOABLE_ATTRIBUTES}
                aggregate.undo_stack.append((self.originator_version, saved))
                aggregate.site = self.site
            self.change(aggregate)

        def change(self, computer: Computer) -> None:
            """How this event moves the computer on (overridden by each step)."""

    class Triaged(StepRecorded):
        checks: dict[str, str]
        grade: str
        outcome: str

        def change(self, computer: Computer) -> None:
            computer.grade = self.grade
            recondition = self.outcome == TriageOutcome.RECONDITION
            computer.state = State.TO_RECONDITION if recondition else State.TO_DISMANTLE

    class DataWipeRecorded(StepRecorded):
        method: str
        standard: str
        tool: str
        result: str
        certificate_reference: str

        def change(self, computer: Computer) -> None:
            if self.result == WipeResult.SUCCESS:
                computer.data_wiped = True

    class Dismantled(StepRecorded):
        components: list[dict[str, Any]]
        materials_kg: dict[str, Decimal]
        outlet: str
        waste_slip_reference: str

        def change(self, computer: Computer) -> None:
            computer.state = State.DISMANTLED

    class Reconditioned(StepRecorded):
        work_done: list[str]
        parts_used: list[str]
        operating_system: str
        quality_check_passed: bool
        hours_of_work: Decimal
        final_grade: str

        def change(self, computer: Computer) -> None:
            computer.grade = self.final_grade
            computer.state = State.READY_TO_LOAN

    class Loaned(StepRecorded):
        beneficiary_code: str
        agreement_start: date
        agreement_end: date
        contribution_eur: Decimal
        contribution_method: str
        receipt_number: str

        def change(self, computer: Computer) -> None:
            computer.state = State.ON_LOAN
            computer.beneficiary_code = self.beneficiary_code
            computer.agreement_end = self.agreement_end
            computer.loan_terms[self.originator_version] = {
                "agreement_start": self.agreement_start,
                "agreement_end": self.agreement_end,
                "contribution_eur": self.contribution_eur,
                "contribution_method": self.contribution_method,
                "receipt_number": self.receipt_number,
            }

    class Returned(StepRecorded):
        reason: str
        condition: str

        def change(self, computer: Computer) -> None:
            computer.state = State.AWAITING_TRIAGE
            computer.data_wiped = False
            computer.beneficiary_code = ""
            computer.agreement_end = None

    class Transferred(StepRecorded):
        to_site: str

        def change(self, computer: Computer) -> None:
            computer.site = self.to_site

    class WrittenOff(StepRecorded):
        reason: str

        def change(self, computer: Computer) -> None:
            computer.state = State.WRITTEN_OFF

    class StepCancelled(StepRecorded):
        """Undoes the last step still in force; the cancelled event stays in the history."""

        cancels_version: int
        reason: str
        undoable: ClassVar[bool] = False

        def change(self, computer: Computer) -> None:
            _version, saved = computer.undo_stack.pop()
            for name, value in saved.items():
                setattr(computer, name, value)
            computer.cancelled.append(self.cancels_version)

    class DetailsCorrected(StepRecorded):
        """Replaces details of an earlier event; the earlier event stays as it was recorded."""

        corrects_version: int
        reason: str
        changes: dict[str, str]
        undoable: ClassVar[bool] = False

        def change(self, computer: Computer) -> None:
            computer.apply_correction(self.corrects_version, self.changes)

    def __init__(
        self,
        *,
        command_id: UUID,
        actor: str,
        site: str,
        occurred_on: date,
        note: str,
        tag: str,
        programme: str,
        batch_id: UUID,
        donor: str,
        device_type: str,
        brand: str,
        model: str,
        serial: str,
    ) -> None:
        del note  # kept in the event; the aggregate does not need it
        self.tag = tag
        self.programme = programme
        self.batch_id = batch_id
        self.donor = donor
        self.device_type = device_type
        self.brand = brand
        self.model = model
        self.serial = serial
        self.state = State.AWAITING_TRIAGE
        self.site = site
        self.data_wiped = False
        self.grade = ""
        self.beneficiary_code = ""
        self.agreement_end: date | None = None
        self.commands: dict[UUID, int] = {command_id: 1}
        self.steps: dict[int, StepInfo] = {
            1: StepInfo("Donated", occurred_on, False, actor, site, None)
        }
        self.undo_stack: list[tuple[int, dict[str, Any]]] = []
        self.cancelled: list[int] = []
        self.loan_terms: dict[int, dict[str, Any]] = {}

    # -- intake ---------------------------------------------------------------------------

    @classmethod
    def donate(
        cls,
        recording: Recording,
        *,
        tag: str,
        programme: str,
        batch_id: UUID,
        donor: str,
        device_type: str,
        brand: str,
        model: str = "",
        serial: str = "",
    ) -> Computer:
        """Register a donated computer under its asset tag; it then awaits triage."""
        recording.check()
        return cls._create(
            cls.Donated,
            id=asset_tag.computer_id(tag),
            tag=asset_tag.valid(tag),
            programme=programme,
            batch_id=batch_id,
            donor=validation.text("donor", donor, required=True),
            device_type=str(validation.choice("device_type", device_type, DeviceType)),
            brand=validation.text("brand", brand, required=True, max_length=80),
            model=validation.text("model", model, max_length=80),
            serial=validation.text("serial", serial, max_length=80),
            **recording.event_fields(),
        )

    # -- lifecycle steps ------------------------------------------------------------------

    def triage(
        self, recording: Recording, *, checks: Mapping[str, str], grade: str, outcome: str
    ) -> None:
        """Record the checks of a computer and whether it will be reconditioned or dismantled."""
        self._begin(Step.TRIAGE, recording)
        details = step_details.triage(checks=checks, grade=grade, outcome=outcome)
        self.trigger_event(self.Triaged, **details, **recording.event_fields())

    def record_data_wipe(
        self,
        recording: Recording,
        *,
        method: str,
        result: str,
        standard: str = "",
        tool: str = "",
        certificate_reference: str = "",
    ) -> None:
        """Record how the storage was wiped (or the drive destroyed) and whether it worked."""
        self._begin(Step.WIPE_DATA, recording)
        details = step_details.data_wipe(
            method=method, result=result, standard=standard, tool=tool,
            certificate_reference=certificate_reference,
        )  # fmt: skip
        self.trigger_event(self.DataWipeRecorded, **details, **recording.event_fields())

    def dismantle(
        self,
        recording: Recording,
        *,
        components: Sequence[Mapping[str, Any]],
        materials_kg: Mapping[str, Decimal | str],
        outlet: str,
        waste_slip_reference: str = "",
    ) -> None:
        """Record the parts harvested and the materials sent to a recycling outlet."""
        self._begin(Step.DISMANTLE, recording)
        self._require_wiped()
        details = step_details.dismantling(
            components=components, materials_kg=materials_kg, outlet=outlet,
            waste_slip_reference=waste_slip_reference,
        )  # fmt: skip
        self.trigger_event(self.Dismantled, **details, **recording.event_fields())

    def recondition(
        self,
        recording: Recording,
        *,
        work_done: list[str],
        operating_system: str,
        quality_check_passed: bool,
        hours_of_work: Decimal | str,
        final_grade: str,
        parts_used: list[str] | None = None,
    ) -> None:
        """Record the work done; the computer is then ready to be loaned."""
        self._begin(Step.RECONDITION, recording)
        self._require_wiped()
        details = step_details.reconditioning(
            work_done=work_done, operating_system=operating_system,
            quality_check_passed=quality_check_passed, hours_of_work=hours_of_work,
            final_grade=final_grade, parts_used=parts_used or [],
        )  # fmt: skip
        self.trigger_event(self.Reconditioned, **details, **recording.event_fields())

    def loan(
        self,
        recording: Recording,
        *,
        beneficiary_code: str,
        agreement_start: date,
        agreement_end: date,
        contribution_eur: Decimal | str,
        contribution_method: str,
        receipt_number: str = "",
    ) -> None:
        """Hand the computer to a beneficiary, known here only by a pseudonymous code."""
        self._begin(Step.LOAN, recording)
        terms = step_details.loan_terms(
            agreement_start=agreement_start, agreement_end=agreement_end,
            contribution_eur=contribution_eur, contribution_method=contribution_method,
            receipt_number=receipt_number,
        )  # fmt: skip
        code = validation.beneficiary_code(beneficiary_code)
        self.trigger_event(self.Loaned, beneficiary_code=code, **terms, **recording.event_fields())

    def take_back(self, recording: Recording, *, reason: str, condition: str) -> None:
        """Record a returned computer; it goes back to triage and must be wiped again."""
        self._begin(Step.RETURN, recording)
        details = step_details.return_details(reason=reason, condition=condition)
        self.trigger_event(self.Returned, **details, **recording.event_fields())

    def transfer(self, recording: Recording, *, to_site: str) -> None:
        """Send the computer from the recording's site to another site."""
        self._begin(Step.TRANSFER, recording)
        destination = validation.site_code("to_site", to_site)
        if destination == validation.site_code("site", recording.site):
            raise InvalidValueError(field="to_site", reason="same_site")
        self.trigger_event(self.Transferred, to_site=destination, **recording.event_fields())

    def write_off(self, recording: Recording, *, reason: str) -> None:
        """Take the computer out of the chain for good (lost, stolen, kept, registered in error)."""
        self._begin(Step.WRITE_OFF, recording)
        why = validation.choice("reason", reason, WriteOffReason)
        if why == WriteOffReason.KEPT_BY_BENEFICIARY and self.state != State.ON_LOAN:
            raise InvalidValueError(field="reason", reason="not_on_loan")
        self.trigger_event(self.WrittenOff, reason=str(why), **recording.event_fields())

    # -- corrections ----------------------------------------------------------------------

    def cancel_step(self, recording: Recording, *, version: int, reason: str) -> None:
        """Undo the last step still in force; its event stays, marked as cancelled."""
        recording.check()
        if not self.undo_stack:
            raise NothingToCancelError()
        last = self.undo_stack[-1][0]
        if version != last:
            raise NotTheLastStepError(version=version, last=last)
        self._not_before(version, recording)
        self.trigger_event(
            self.StepCancelled,
            cancels_version=version,
            reason=validation.text("reason", reason, required=True, max_length=500),
            **recording.event_fields(),
        )

    def correct_details(
        self, recording: Recording, *, version: int, reason: str, changes: Mapping[str, str]
    ) -> None:
        """Replace details of an earlier event that do not change where the computer stands."""
        recording.check()
        info = self.steps.get(version)
        if info is None or info.name not in CORRECTABLE or version in self.cancelled:
            raise CorrectionRefusedError(version=version)
        if not changes:
            raise InvalidValueError(field="changes", reason="required")
        readers = CORRECTABLE[info.name]
        new_values: dict[str, str] = {}
        for field, raw in changes.items():
            if field == "occurred_on":
                new_values[field] = self._corrected_date(version, raw, recording.today)
            elif field in readers:
                new_values[field] = readers[field](field, raw)
            else:
                raise CorrectionRefusedError(version=version, field=field)
        self._not_before(version, recording)
        if info.name == "Loaned":  # the corrected agreement must still hold together
            step_details.loan_terms(**{**self.loan_terms[version], **_loan_values(new_values)})
        self.trigger_event(
            self.DetailsCorrected,
            corrects_version=version,
            reason=validation.text("reason", reason, required=True, max_length=500),
            changes=new_values,
            **recording.event_fields(),
        )

    def apply_correction(self, version: int, changes: Mapping[str, str]) -> None:
        """Bring the current attributes in line with corrected details (also on replay)."""
        info = self.steps[version]
        if "occurred_on" in changes:
            new_date = date.fromisoformat(changes["occurred_on"])
            self.steps[version] = replace(info, occurred_on=new_date)
        if info.name == "Loaned":
            self.loan_terms[version].update(_loan_values(changes))
        if info.name == "Donated":
            for field in ("device_type", "brand", "model", "serial", "donor"):
                if field in changes:
                    setattr(self, field, changes[field])
        grade_field = {"Triaged": "grade", "Reconditioned": "final_grade"}.get(info.name, "")
        if grade_field in changes:
            grade = changes[grade_field]
            if version == self._latest_in_force("Triaged", "Reconditioned"):
                self.grade = grade
            self._carry_into_undo(version, "grade", grade, "Triaged", "Reconditioned")
        if "agreement_end" in changes:
            agreement_end = date.fromisoformat(changes["agreement_end"])
            if self.state == State.ON_LOAN and version == self._latest_in_force("Loaned"):
                self.agreement_end = agreement_end
            self._carry_into_undo(version, "agreement_end", agreement_end, "Loaned", "Returned")

    # -- reading --------------------------------------------------------------------------

    def version_of_command(self, command_id: UUID) -> int | None:
        """The version of the event a command produced, if it was already recorded."""
        return self.commands.get(command_id)

    def last_step_in_force(self) -> int | None:
        """The version of the step a cancellation would undo, if any."""
        return self.undo_stack[-1][0] if self.undo_stack else None

    # -- guards ---------------------------------------------------------------------------

    def _begin(self, step: Step, recording: Recording) -> None:
        recording.check()
        if step not in TRANSITIONS[self.state]:
            raise TransitionRefusedError(step=step, state=self.state)
        previous = self.steps[self._in_force()[-1]].occurred_on
        if recording.occurred_on < previous:
            raise DateBeforePreviousStepError(occurred_on=recording.occurred_on, previous=previous)

    def _not_before(self, version: int, recording: Recording) -> None:
        """A correction cannot be dated before the step it corrects."""
        corrected_on = self.steps[version].occurred_on
        if recording.occurred_on < corrected_on:
            raise DateBeforePreviousStepError(
                occurred_on=recording.occurred_on, previous=corrected_on
            )

    def _require_wiped(self) -> None:
        if not self.data_wiped:
            raise DataWipeRequiredError(state=self.state)

    def _in_force(self) -> list[int]:
        """Versions of the donation and of every step not cancelled, in order."""
        return [
            v
            for v, info in sorted(self.steps.items())
            if (info.undoable or v == 1) and v not in self.cancelled
        ]

    def _latest_in_force(self, *names: str) -> int | None:
        matching = [v for v in self._in_force() if self.steps[v].name in names]
        return matching[-1] if matching else None

    def _carry_into_undo(self, version: int, name: str, value: object, *setters: str) -> None:
        """Steps after `version` saved its value; cancelling one restores the corrected value."""
        for later, saved in self.undo_stack:
            if later > version:
                saved[name] = value
                if self.steps[later].name in setters:
                    break

    def _corrected_date(self, version: int, raw: str, today: date) -> str:
        new_date = date.fromisoformat(read_date("occurred_on", raw))
        in_force = self._in_force()
        if version not in in_force:
            raise CorrectionRefusedError(version=version, field="occurred_on")
        position = in_force.index(version)
        if new_date > today:
            raise DateInFutureError(occurred_on=new_date, today=today)
        if position > 0 and new_date < self.steps[in_force[position - 1]].occurred_on:
            previous = self.steps[in_force[position - 1]].occurred_on
            raise DateBeforePreviousStepError(occurred_on=new_date, previous=previous)
        if (
            position + 1 < len(in_force)
            and new_date > self.steps[in_force[position + 1]].occurred_on
        ):
            following = self.steps[in_force[position + 1]].occurred_on
            raise DateAfterNextStepError(occurred_on=new_date, following=following)
        return new_date.isoformat()


def _loan_values(changes: Mapping[str, str]) -> dict[str, Any]:
    """Corrected loan terms as the types the Loaned event holds."""
    values: dict[str, Any] = dict(changes)
    values.pop("occurred_on", None)
    if "agreement_end" in values:
        values["agreement_end"] = date.fromisoformat(values["agreement_end"])
    if "contribution_eur" in values:
        values["contribution_eur"] = Decimal(values["contribution_eur"])
    return values
