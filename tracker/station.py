"""The workshop's scan station: a computer's card, the steps offered to a person, and undo.

The card is read from the computer's own events (not from a read model), so what a person sees
right after their own step is what was just saved.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol
from uuid import UUID

from tracker.accounts import Account
from tracker.commands import CancelStep, Loan, StepCommand, Transfer
from tracker.domain import validation
from tracker.domain.computer import Computer, StepInfo
from tracker.domain.exceptions import (
    InvalidValueError,
    NothingToCancelError,
    StepNotOfferedError,
    UnknownRecordError,
)
from tracker.domain.lifecycle import State, Step, allowed_steps
from tracker.domain.site import Site, SiteKind
from tracker.domain.user import Role
from tracker.references import References
from tracker.steps import StepRecorded, Steps

UNDO_MINUTES = 10

# What each kind of site does in the chain; a site of another kind does everything.
STEPS_AT: Mapping[SiteKind, frozenset[Step]] = {
    SiteKind.SORTING_WORKSHOP: frozenset(
        {Step.TRIAGE, Step.WIPE_DATA, Step.DISMANTLE, Step.TRANSFER, Step.WRITE_OFF}
    ),
    SiteKind.INSERTION_WORKSHOP: frozenset(
        {Step.WIPE_DATA, Step.RECONDITION, Step.TRANSFER, Step.WRITE_OFF}
    ),
    SiteKind.THIRD_PLACE: frozenset({Step.LOAN, Step.RETURN, Step.TRANSFER, Step.WRITE_OFF}),
    SiteKind.OTHER: frozenset(Step),
}


class Beneficiaries(Protocol):
    """The register a loan's beneficiary code is checked against (tracker.register)."""

    def check_loanable(self, code: str, site: str) -> None: ...


@dataclass(frozen=True)
class Undo:
    """The last step, which its author may still cancel until `until`."""

    version: int
    step: str
    until: datetime


@dataclass(frozen=True)
class Card:
    """A computer at a glance, and what this person may do with it here and now."""

    tag: str
    version: int
    programme: str
    device_type: str
    brand: str
    model: str
    serial: str
    state: State
    site: str
    grade: str
    data_wiped: bool
    agreement_end: date | None
    last: StepInfo
    steps: tuple[Step, ...]
    blocked: str  # why no step is offered: "", final, not_workshop, other_site, site_kind
    undo: Undo | None


class Station(Steps, References):
    """What workshop staff do at the scan station."""

    beneficiaries: Beneficiaries | None = None  # set by the web app: loans name registered people

    def card(self, tag: str, account: Account) -> Card:
        """The computer carrying this tag, with the steps this person may record on it now."""
        return self._card(self.computer(tag), account)

    def was_recorded(self, tag: str, command_id: UUID) -> bool:
        """Whether this command already produced an event on this computer (a retry)."""
        return self.computer(tag).version_of_command(command_id) is not None

    def record_for(self, account: Account, command: StepCommand) -> StepRecorded:
        """Record a step only if it is offered to this person, at the computer's site.

        A retried command still returns its first result; a stale view is still a conflict.
        """

        def offered(computer: Computer) -> None:
            step = _STEP_OF_EVENT.get(command.event_name)
            if step is None:  # corrections have their own use cases
                raise StepNotOfferedError(step=command.event_name, why="not_a_step")
            steps, blocked = self._offered(computer, account)
            if step in allowed_steps(computer.state) and step not in steps:
                raise StepNotOfferedError(step=step, why=blocked or "site_kind")
            if command.actor != account.username:  # a step is recorded in one's own name
                raise StepNotOfferedError(step=step, why="not_workshop")
            if command.site != computer.site:
                raise StepNotOfferedError(step=step, why="other_site")
            if isinstance(command, Transfer) and not self._open_site(command.to_site):
                raise InvalidValueError(field="to_site", reason="unknown_choice")
            if isinstance(command, Loan) and self.beneficiaries is not None:
                code = validation.beneficiary_code(command.beneficiary_code)
                self.beneficiaries.check_loanable(code, computer.site)

        return self.record(command, check=offered)

    def undo_last_step(
        self, account: Account, *, tag: str, seen_version: int, command_id: UUID, reason: str
    ) -> StepRecorded:
        """Cancel the last step of this person, within minutes of recording it."""
        computer = self.computer(tag)
        last = computer.last_step_in_force() or 0
        site = computer.steps[last].site if last else computer.site
        command = CancelStep(
            command_id=command_id, tag=tag, seen_version=seen_version, actor=account.username,
            site=site, occurred_on=self.today(), version=last, reason=reason,
        )  # fmt: skip

        def still_undoable(fresh: Computer) -> None:
            if fresh.last_step_in_force() is None:
                raise NothingToCancelError()
            undo = self._undo(fresh, account)
            if undo is None or undo.version != last:
                why = "not_yours" if last and fresh.steps[last].actor != account.username else (
                    "undo_expired")  # fmt: skip
                raise StepNotOfferedError(step="cancel", why=why)

        return self.record(command, check=still_undoable)

    # -- internals ------------------------------------------------------------------------

    def _card(self, computer: Computer, account: Account) -> Card:
        steps, blocked = self._offered(computer, account)
        return Card(
            tag=computer.tag, version=computer.version, programme=computer.programme,
            device_type=computer.device_type, brand=computer.brand, model=computer.model,
            serial=computer.serial, state=computer.state, site=computer.site,
            grade=computer.grade, data_wiped=computer.data_wiped,
            agreement_end=computer.agreement_end, last=computer.steps[max(computer.steps)],
            steps=steps, blocked=blocked, undo=self._undo(computer, account),
        )  # fmt: skip

    def _offered(self, computer: Computer, account: Account) -> tuple[tuple[Step, ...], str]:
        possible = allowed_steps(computer.state)
        if not possible:
            return (), "final"
        if not account.active or Role.WORKSHOP not in account.roles:
            return (), "not_workshop"
        if not account.can_record_at(computer.site):
            return (), "other_site"
        here = STEPS_AT[self._site_kind(computer.site)]
        steps = sorted((step for step in possible if step in here),
                       key=lambda step: _likelihood(step, computer))  # fmt: skip
        return tuple(steps), "" if steps else "site_kind"

    def _undo(self, computer: Computer, account: Account) -> Undo | None:
        last = computer.last_step_in_force()
        if last is None or Role.WORKSHOP not in account.roles or not account.active:
            return None
        info = computer.steps[last]
        if info.actor != account.username or info.recorded_at is None:
            return None
        until = info.recorded_at + timedelta(minutes=UNDO_MINUTES)
        return Undo(last, info.name, until) if self.clock() < until else None

    def _open_site(self, code: str) -> bool:
        try:
            return bool(self.site(code.strip().upper()).active)
        except UnknownRecordError:
            return False

    def _site_kind(self, code: str) -> SiteKind:
        try:
            site: Site = self.site(code)
        except UnknownRecordError:
            return SiteKind.OTHER  # a site recorded before sites were registered
        return SiteKind(site.kind)


_STEP_OF_EVENT: Mapping[str, Step] = {
    "Triaged": Step.TRIAGE, "DataWipeRecorded": Step.WIPE_DATA, "Dismantled": Step.DISMANTLE,
    "Reconditioned": Step.RECONDITION, "Loaned": Step.LOAN, "Returned": Step.RETURN,
    "Transferred": Step.TRANSFER, "WrittenOff": Step.WRITE_OFF,
}  # fmt: skip


def _likelihood(step: Step, computer: Computer) -> int:
    """Buttons in the order a person most likely needs them: the chain's next step first."""
    if step == Step.WRITE_OFF:
        return 3
    if step == Step.TRANSFER or (step == Step.WIPE_DATA and computer.data_wiped):
        return 2 if step == Step.WIPE_DATA else 1
    return 0


def sites_for_next_step(state: State, kinds: Mapping[str, SiteKind]) -> list[str]:
    """The sites (by code) whose kind does the next step of a computer in this state."""
    useful = set(allowed_steps(state)) - {Step.TRANSFER, Step.WRITE_OFF}
    core = useful - {Step.WIPE_DATA}
    specific = [code for code, kind in kinds.items() if kind != SiteKind.OTHER
                and core & STEPS_AT[kind]]  # fmt: skip
    return specific or [code for code, kind in kinds.items() if useful & STEPS_AT[kind]]
