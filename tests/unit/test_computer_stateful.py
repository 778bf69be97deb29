"""Random sequences of commands, valid or not, never break what a computer's history guarantees."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from typing import Any

import domain_builders as build
import pytest
from domain_builders import ALL_CHECKS_OK, TODAY, donate, recording, replay
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from tracker.domain.computer import Computer
from tracker.domain.exceptions import DomainError
from tracker.domain.lifecycle import State
from tracker.domain.recording import Recording

pytestmark = pytest.mark.slow

SITES = ["ESAT-RENNES", "ATELIER-INSERTION", "TIERS-LIEU-VITRE"]
GRADES = st.sampled_from(["A", "B", "C", "D"])
# Mostly today so that the history moves on; a late entry may fall before the previous step.
recordings = st.builds(
    lambda site, day: recording(site=site, occurred_on=day),
    st.sampled_from(SITES),
    st.sampled_from([TODAY, TODAY, TODAY - timedelta(days=1), TODAY - timedelta(days=10)]),
)
FLAWED_RECORDINGS = [
    {"site": " "},
    {"actor": ""},
    {"note": "x" * 2001},
    {"occurred_on": TODAY + timedelta(days=1)},
]
Command = Callable[[Computer, Recording], None]
VALID_STEPS: list[Command] = [
    build.triage,
    build.wipe,
    build.dismantle,
    build.recondition,
    build.loan,
    build.take_back,
    build.transfer,
    build.write_off,
]
INVALID_ARGUMENTS: list[Command] = [
    lambda c, r: c.triage(r, checks={"screen": "ok"}, grade="B", outcome="recondition"),
    lambda c, r: c.triage(r, checks=ALL_CHECKS_OK, grade="B", outcome="scrap"),
    lambda c, r: c.record_data_wipe(r, method="magnet", result="success", tool="x"),
    lambda c, r: c.record_data_wipe(r, method="software_overwrite", result="success", tool=""),
    lambda c, r: c.dismantle(r, components=[], materials_kg={"plastics": "-1"}, outlet="Envie"),
    lambda c, r: build.recondition(c, r, quality_check_passed=False),
    lambda c, r: build.loan(c, r, beneficiary_code="Jean Dupont"),
    lambda c, r: build.loan(c, r, agreement_end=r.occurred_on),
    lambda c, r: build.loan(c, r, contribution_eur="0", contribution_method="cash"),
    lambda c, r: c.take_back(r, reason="stolen", condition="good"),
    lambda c, r: c.transfer(r, to_site=r.site),
    lambda c, r: c.write_off(r, reason="forgotten"),
]
# (state, data wiped or None for either) -> the next step of Donated → Triaged → ... → Returned.
TYPICAL_FLOW: dict[tuple[State, bool | None], Command] = {
    (State.TO_RECONDITION, False): build.wipe,
    (State.TO_RECONDITION, True): build.recondition,
    (State.TO_DISMANTLE, False): build.wipe,
    (State.TO_DISMANTLE, True): build.dismantle,
    (State.READY_TO_LOAN, None): build.loan,
    (State.ON_LOAN, None): build.take_back,
}
CORRECTIONS = [
    ("brand", "HP"),
    ("brand", " "),
    ("device_type", "desktop"),
    ("grade", "C"),
    ("outcome", "dismantle"),
    ("tool", "shred"),
    ("final_grade", "D"),
    ("hours_of_work", "3.5"),
    ("agreement_end", "2028-01-31"),
    ("contribution_method", "card"),
    ("condition", "broken"),
    ("site", "elsewhere"),
]


def standing(computer: Computer) -> tuple[object, ...]:
    return (computer.state, computer.site, computer.version, computer.data_wiped, computer.grade)


class ComputerHistory(RuleBasedStateMachine):
    """One computer driven by arbitrary commands; every refused command must change nothing."""

    def __init__(self) -> None:
        super().__init__()
        self.computer: Computer
        self.events: list[Any] = []
        # The steps a cancellation may still undo, with where the computer stood before each.
        self.in_force: list[tuple[int, tuple[object, ...]]] = []

    @initialize(day=st.dates(TODAY - timedelta(days=40), TODAY))
    def donate(self, day: date) -> None:
        self.computer = donate(recording(occurred_on=day))
        self.events = list(self.computer.collect_events())

    def where_it_stands(self) -> tuple[object, ...]:
        computer = self.computer
        return (computer.state, computer.site, computer.data_wiped, computer.beneficiary_code)

    def attempt(self, command: Callable[[], None]) -> None:
        before = copy.deepcopy(vars(self.computer))
        stood = self.where_it_stands()
        try:
            command()
        except DomainError:
            assert self.computer.pending_events == []
            assert vars(self.computer) == before
            return
        [event] = self.computer.collect_events()
        assert event.originator_version == len(self.events) + 1
        self.events.append(event)
        if isinstance(event, Computer.StepCancelled):
            version, stood_before = self.in_force.pop()
            assert event.cancels_version == version
            assert self.where_it_stands() == stood_before
        elif not isinstance(event, Computer.DetailsCorrected):
            self.in_force.append((event.originator_version, stood))

    @rule(rec=recordings, outcome=st.sampled_from(["recondition", "dismantle"]))
    def follow_the_usual_flow(self, rec: Recording, outcome: str) -> None:
        """The next step of the typical flow, so that every state is reached often."""
        state, wiped = self.computer.state, self.computer.data_wiped
        step = TYPICAL_FLOW.get((state, wiped)) or TYPICAL_FLOW.get((state, None))
        if state == State.AWAITING_TRIAGE:
            step = partial(build.triage, outcome=outcome)
        if step is not None:
            self.attempt(lambda: step(self.computer, rec))

    @rule(rec=recordings, outcome=st.sampled_from(["recondition", "dismantle"]), grade=GRADES)
    def triage(self, rec: Recording, outcome: str, grade: str) -> None:
        self.attempt(
            lambda: self.computer.triage(rec, checks=ALL_CHECKS_OK, grade=grade, outcome=outcome)
        )

    @rule(
        rec=recordings,
        method=st.sampled_from(["software_overwrite", "drive_destroyed", "no_storage"]),
        result=st.sampled_from(["success", "failure"]),
    )
    def record_data_wipe(self, rec: Recording, method: str, result: str) -> None:
        self.attempt(
            lambda: self.computer.record_data_wipe(rec, method=method, result=result, tool="nwipe")
        )

    @rule(rec=recordings)
    def dismantle(self, rec: Recording) -> None:
        self.attempt(lambda: build.dismantle(self.computer, rec))

    @rule(rec=recordings, grade=GRADES)
    def recondition(self, rec: Recording, grade: str) -> None:
        self.attempt(
            lambda: self.computer.recondition(
                rec,
                work_done=["cleaning"],
                operating_system="Linux Mint",
                quality_check_passed=True,
                hours_of_work="2",
                final_grade=grade,
            )
        )

    @rule(
        rec=recordings,
        code=st.sampled_from(["BN-7K3P9Q", "tl-00ab12"]),
        payment=st.sampled_from([("25", "cash"), ("25", "card"), ("0", "waived")]),
    )
    def loan(self, rec: Recording, code: str, payment: tuple[str, str]) -> None:
        amount, method = payment
        self.attempt(
            lambda: build.loan(
                self.computer,
                rec,
                beneficiary_code=code,
                agreement_start=rec.occurred_on,
                agreement_end=rec.occurred_on + timedelta(days=730),
                contribution_eur=amount,
                contribution_method=method,
            )
        )

    @rule(rec=recordings, reason=st.sampled_from(["end_of_agreement", "breakdown"]))
    def take_back(self, rec: Recording, reason: str) -> None:
        self.attempt(lambda: self.computer.take_back(rec, reason=reason, condition="damaged"))

    @rule(rec=recordings, to_site=st.sampled_from(SITES))
    def transfer(self, rec: Recording, to_site: str) -> None:
        self.attempt(lambda: self.computer.transfer(rec, to_site=to_site))

    @rule(rec=recordings, reason=st.sampled_from(["lost", "stolen", "kept_by_beneficiary"]))
    def write_off(self, rec: Recording, reason: str) -> None:
        self.attempt(lambda: self.computer.write_off(rec, reason=reason))

    @rule(rec=recordings, data=st.data(), the_last=st.booleans())
    def cancel_step(self, rec: Recording, data: st.DataObject, the_last: bool) -> None:
        last = self.computer.last_step_in_force()
        if the_last and last is not None:
            version = last
        else:
            version = data.draw(st.integers(0, self.computer.version + 1), label="version")
        self.attempt(lambda: self.computer.cancel_step(rec, version=version, reason="mistake"))

    @rule(rec=recordings, data=st.data(), change=st.sampled_from(CORRECTIONS))
    def correct_details(self, rec: Recording, data: st.DataObject, change: tuple[str, str]) -> None:
        version = data.draw(st.integers(0, self.computer.version + 1), label="version")
        if data.draw(st.booleans(), label="correct the date"):
            day = data.draw(st.dates(TODAY - timedelta(days=45), TODAY + timedelta(days=1)))
            changes = {"occurred_on": day.isoformat()}
        else:
            changes = dict([change])
        self.attempt(
            lambda: self.computer.correct_details(
                rec, version=version, reason="typo", changes=changes
            )
        )

    @rule(
        rec=recordings,
        step=st.sampled_from(VALID_STEPS),
        flaw=st.sampled_from(FLAWED_RECORDINGS),
    )
    def step_with_a_flawed_recording(
        self, rec: Recording, step: Command, flaw: dict[str, Any]
    ) -> None:
        flawed = recording(**{"site": rec.site, "occurred_on": rec.occurred_on, **flaw})
        self.attempt(lambda: step(self.computer, flawed))

    @rule(rec=recordings, command=st.sampled_from(INVALID_ARGUMENTS))
    def step_with_an_invalid_argument(self, rec: Recording, command: Command) -> None:
        self.attempt(lambda: command(self.computer, rec))

    @invariant()
    def the_state_is_one_of_the_lifecycle(self) -> None:
        assert isinstance(self.computer.state, State)

    @invariant()
    def the_version_counts_the_events(self) -> None:
        assert self.computer.version == len(self.events)
        assert [event.originator_version for event in self.events] == list(
            range(1, len(self.events) + 1)
        )

    @invariant()
    def replaying_the_events_gives_the_same_computer(self) -> None:
        rebuilt = replay(self.events)
        assert standing(rebuilt) == standing(self.computer)
        assert rebuilt == self.computer

    @invariant()
    def only_the_last_step_in_force_can_be_cancelled(self) -> None:
        expected = self.in_force[-1][0] if self.in_force else None
        assert self.computer.last_step_in_force() == expected

    @invariant()
    def no_computer_is_reconditioned_or_dismantled_with_its_data(self) -> None:
        if self.computer.state in (State.READY_TO_LOAN, State.ON_LOAN, State.DISMANTLED):
            assert self.computer.data_wiped

    @invariant()
    def a_computer_on_loan_has_a_beneficiary_and_an_agreement(self) -> None:
        if self.computer.state == State.ON_LOAN:
            assert self.computer.beneficiary_code
            assert self.computer.agreement_end is not None


ComputerHistory.TestCase.settings = settings(
    max_examples=200,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_random_commands_keep_the_history_of_a_computer_consistent = ComputerHistory.TestCase
