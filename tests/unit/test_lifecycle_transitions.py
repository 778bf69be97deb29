"""Every state against every step: what the lifecycle of DOMAIN.md allows, the rest refused."""

from __future__ import annotations

import itertools

import pytest
from domain_builders import (
    assert_refused,
    dismantle,
    given,
    loan,
    recondition,
    recording,
    take_back,
    transfer,
    triage,
    wipe,
    write_off,
)

from tracker.domain.computer import Computer
from tracker.domain.exceptions import TransitionRefusedError
from tracker.domain.lifecycle import TRANSITIONS, State, Step, allowed_steps, is_final

# Written out by hand from DOMAIN.md, never derived from the code under test:
# state -> step -> state after the step. A step missing from a row must be refused.
# (Triage goes to "to_recondition" or "to_dismantle" by its outcome; the attempts below
# ask for reconditioning, and a test further down asks for dismantling.)
EXPECTED_LIFECYCLE: dict[str, dict[str, str]] = {
    "awaiting_triage": {
        "triage": "to_recondition",
        "wipe_data": "awaiting_triage",
        "transfer": "awaiting_triage",
        "write_off": "written_off",
    },
    "to_recondition": {
        "wipe_data": "to_recondition",
        "recondition": "ready_to_loan",
        "transfer": "to_recondition",
        "write_off": "written_off",
    },
    "to_dismantle": {
        "wipe_data": "to_dismantle",
        "dismantle": "dismantled",
        "transfer": "to_dismantle",
        "write_off": "written_off",
    },
    "ready_to_loan": {
        "loan": "on_loan",
        "transfer": "ready_to_loan",
        "write_off": "written_off",
    },
    "on_loan": {
        "return": "awaiting_triage",
        "write_off": "written_off",
    },
    "dismantled": {},
    "written_off": {},
}

EXPECTED_EVENT = {
    "triage": Computer.Triaged,
    "wipe_data": Computer.DataWipeRecorded,
    "dismantle": Computer.Dismantled,
    "recondition": Computer.Reconditioned,
    "loan": Computer.Loaned,
    "return": Computer.Returned,
    "transfer": Computer.Transferred,
    "write_off": Computer.WrittenOff,
}

# Each step attempted with valid arguments.
ATTEMPT = {
    "triage": triage,
    "wipe_data": wipe,
    "dismantle": dismantle,
    "recondition": recondition,
    "loan": loan,
    "return": take_back,
    "transfer": transfer,
    "write_off": write_off,
}

EVERY_PAIR = list(itertools.product(State, Step))
ALLOWED = [(state, step) for state, step in EVERY_PAIR if step in EXPECTED_LIFECYCLE[state]]
REFUSED = [(state, step) for state, step in EVERY_PAIR if step not in EXPECTED_LIFECYCLE[state]]


def pair_id(pair: tuple[State, Step]) -> str:
    return f"{pair[0]}-{pair[1]}"


def test_the_expected_lifecycle_covers_every_state_and_every_step() -> None:
    assert set(EXPECTED_LIFECYCLE) == {str(state) for state in State}
    assert set(ATTEMPT) == set(EXPECTED_EVENT) == {str(step) for step in Step}
    for row in EXPECTED_LIFECYCLE.values():
        assert set(row) <= set(ATTEMPT)
        assert set(row.values()) <= set(EXPECTED_LIFECYCLE)


@pytest.mark.parametrize(("state", "step"), ALLOWED, ids=map(pair_id, ALLOWED))
def test_an_allowed_step_moves_the_computer_to_the_state_the_lifecycle_names(
    state: State, step: Step
) -> None:
    computer = given(state, wiped=True)
    version = computer.version

    ATTEMPT[step](computer, recording())

    events = computer.collect_events()
    assert [type(event) for event in events] == [EXPECTED_EVENT[step]]
    assert events[0].originator_version == version + 1
    assert computer.state == EXPECTED_LIFECYCLE[state][step]
    assert computer.version == version + 1


@pytest.mark.parametrize(("state", "step"), REFUSED, ids=map(pair_id, REFUSED))
def test_a_step_the_lifecycle_does_not_allow_is_refused_and_records_nothing(
    state: State, step: Step
) -> None:
    computer = given(state, wiped=True)

    refusal = assert_refused(
        computer, TransitionRefusedError, lambda: ATTEMPT[step](computer, recording())
    )

    assert isinstance(refusal, TransitionRefusedError)
    assert refusal.code == "transition_refused"
    assert refusal.state == state
    assert refusal.step == step
    assert computer.state == state


def test_a_triage_with_the_dismantle_outcome_sends_the_computer_to_dismantling() -> None:
    computer = given(State.AWAITING_TRIAGE)

    triage(computer, recording(), outcome="dismantle")

    assert [type(event) for event in computer.collect_events()] == [Computer.Triaged]
    assert computer.state == "to_dismantle"


def test_a_donated_computer_awaits_triage() -> None:
    assert given(State.AWAITING_TRIAGE).state == "awaiting_triage"


@pytest.mark.parametrize("state", list(State))
def test_allowed_steps_lists_exactly_the_steps_of_the_expected_lifecycle(state: State) -> None:
    expected = EXPECTED_LIFECYCLE[state]

    assert set(allowed_steps(state)) == set(expected)
    assert list(allowed_steps(state)) == [step for step in Step if step in expected]
    assert is_final(state) == (not expected)


@pytest.mark.parametrize("state", list(State))
def test_the_transition_table_leads_where_the_expected_lifecycle_says(state: State) -> None:
    expected = {step: {target} for step, target in EXPECTED_LIFECYCLE[state].items()}
    if "triage" in expected:
        expected["triage"] = {"to_recondition", "to_dismantle"}

    assert {str(step): set(targets) for step, targets in TRANSITIONS[state].items()} == expected


def test_only_dismantled_and_written_off_computers_are_final() -> None:
    assert {state for state in State if is_final(state)} == {"dismantled", "written_off"}
