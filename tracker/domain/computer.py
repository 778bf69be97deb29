"""The Computer aggregate: one donated computer, from intake to its last step."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from tracker.domain import asset_tag, validation
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
    QualityCheckNotPassedError,
    TransitionRefusedError,
)
from tracker.domain.lifecycle import TRANSITIONS, State, Step
from tracker.domain.recording import Recording
from tracker.domain.vocabulary import (
    MAX_HOURS,
    MAX_KG,
    MAX_MONEY,
    MAX_PARTS,
    Check,
    CheckResult,
    ComponentKind,
    Condition,
    ContributionMethod,
    DeviceType,
    Grade,
    MaterialFraction,
    ReconditioningWork,
    ReturnReason,
    TriageOutcome,
    WipeMethod,
    WipeResult,
    WriteOffReason,
)


@dataclass(frozen=True)
class StepInfo:
    """What the aggregate remembers of each recorded event, to check corrections."""

    name: str
    occurred_on: date
    undoable: bool


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
                type(self).__name__, self.occurred_on, self.undoable
            )
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
        del actor, note  # kept in the event; the aggregate needs neither
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
        self.steps: dict[int, StepInfo] = {1: StepInfo("Donated", occurred_on, False)}
        self.undo_stack: list[tuple[int, dict[str, Any]]] = []
        self.cancelled: list[int] = []

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
            tag=asset_tag.normalize(tag),
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
        results = {
            str(validation.choice("checks", name, Check)): str(
                validation.choice(f"checks.{name}", result, CheckResult)
            )
            for name, result in checks.items()
        }
        if set(results) != set(Check):
            raise InvalidValueError(field="checks", reason="incomplete")
        self.trigger_event(
            self.Triaged,
            checks=results,
            grade=str(validation.choice("grade", grade, Grade)),
            outcome=str(validation.choice("outcome", outcome, TriageOutcome)),
            **recording.event_fields(),
        )

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
        wipe_method = validation.choice("method", method, WipeMethod)
        software = wipe_method not in (WipeMethod.DRIVE_DESTROYED, WipeMethod.NO_STORAGE)
        self.trigger_event(
            self.DataWipeRecorded,
            method=str(wipe_method),
            result=str(validation.choice("result", result, WipeResult)),
            standard=validation.text("standard", standard, max_length=80),
            tool=validation.text("tool", tool, required=software, max_length=80),
            certificate_reference=validation.text("certificate_reference", certificate_reference),
            **recording.event_fields(),
        )

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
        harvested = [_component(item) for item in components]
        weights = {
            str(validation.choice("materials_kg", name, MaterialFraction)): validation.quantity(
                f"materials_kg.{name}", kg, maximum=MAX_KG
            )
            for name, kg in materials_kg.items()
        }
        self.trigger_event(
            self.Dismantled,
            components=harvested,
            materials_kg=weights,
            outlet=validation.text("outlet", outlet, required=True),
            waste_slip_reference=validation.text("waste_slip_reference", waste_slip_reference),
            **recording.event_fields(),
        )

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
        if not quality_check_passed:
            raise QualityCheckNotPassedError()
        self.trigger_event(
            self.Reconditioned,
            work_done=[
                str(validation.choice("work_done", w, ReconditioningWork)) for w in work_done
            ],
            parts_used=[validation.text("parts_used", p, required=True) for p in parts_used or []],
            operating_system=validation.text("operating_system", operating_system, required=True),
            quality_check_passed=True,
            hours_of_work=validation.quantity("hours_of_work", hours_of_work, maximum=MAX_HOURS),
            final_grade=str(validation.choice("final_grade", final_grade, Grade)),
            **recording.event_fields(),
        )

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
        if agreement_end <= agreement_start:
            raise InvalidValueError(field="agreement_end", reason="not_after_start")
        amount = validation.quantity("contribution_eur", contribution_eur, maximum=MAX_MONEY)
        method = validation.choice("contribution_method", contribution_method, ContributionMethod)
        if (method == ContributionMethod.WAIVED) != (amount == 0):
            raise InvalidValueError(field="contribution_eur", reason="inconsistent_with_method")
        self.trigger_event(
            self.Loaned,
            beneficiary_code=validation.beneficiary_code(beneficiary_code),
            agreement_start=agreement_start,
            agreement_end=agreement_end,
            contribution_eur=amount,
            contribution_method=str(method),
            receipt_number=validation.text("receipt_number", receipt_number, max_length=40),
            **recording.event_fields(),
        )

    def take_back(self, recording: Recording, *, reason: str, condition: str) -> None:
        """Record a returned computer; it goes back to triage and must be wiped again."""
        self._begin(Step.RETURN, recording)
        self.trigger_event(
            self.Returned,
            reason=str(validation.choice("reason", reason, ReturnReason)),
            condition=str(validation.choice("condition", condition, Condition)),
            **recording.event_fields(),
        )

    def transfer(self, recording: Recording, *, to_site: str) -> None:
        """Send the computer from the recording's site to another site."""
        self._begin(Step.TRANSFER, recording)
        destination = validation.text("to_site", to_site, required=True, max_length=40)
        if destination == recording.site.strip():
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
            self.steps[version] = StepInfo(info.name, new_date, info.undoable)
        if info.name == "Donated":
            for field in ("device_type", "brand", "model", "serial", "donor"):
                if field in changes:
                    setattr(self, field, changes[field])
        grade_field = {"Triaged": "grade", "Reconditioned": "final_grade"}.get(info.name, "")
        if grade_field in changes and version == self._latest_in_force("Triaged", "Reconditioned"):
            self.grade = changes[grade_field]
        if (
            "agreement_end" in changes
            and self.state == State.ON_LOAN
            and version == self._latest_in_force("Loaned")
        ):
            self.agreement_end = date.fromisoformat(changes["agreement_end"])

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


def _component(item: Mapping[str, Any]) -> dict[str, Any]:
    """One line of harvested components: kind, how many, and whether they can be reused."""
    kind = validation.choice("components.kind", str(item.get("kind", "")), ComponentKind)
    try:
        count = int(item.get("count", 0))
    except (TypeError, ValueError):
        raise InvalidValueError(field="components.count", reason="not_a_number") from None
    if not 1 <= count <= MAX_PARTS:
        raise InvalidValueError(field="components.count", reason="out_of_range")
    return {"kind": str(kind), "count": count, "reusable": bool(item.get("reusable", False))}
