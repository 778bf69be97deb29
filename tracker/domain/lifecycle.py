"""The lifecycle of a donated computer: its states, its steps, and which step is allowed when."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum


class State(StrEnum):
    """Where a computer stands in the chain."""

    AWAITING_TRIAGE = "awaiting_triage"
    TO_RECONDITION = "to_recondition"
    TO_DISMANTLE = "to_dismantle"
    DISMANTLED = "dismantled"
    READY_TO_LOAN = "ready_to_loan"
    ON_LOAN = "on_loan"
    WRITTEN_OFF = "written_off"


class Step(StrEnum):
    """What can happen to a computer after it was donated."""

    TRIAGE = "triage"
    WIPE_DATA = "wipe_data"
    DISMANTLE = "dismantle"
    RECONDITION = "recondition"
    LOAN = "loan"
    RETURN = "return"
    TRANSFER = "transfer"
    WRITE_OFF = "write_off"


# The whole lifecycle in one table: from a state, a step leads to one of these states.
# A step missing from a state's row is refused. Donation creates a computer in
# AWAITING_TRIAGE; a return sends it back there.
TRANSITIONS: Mapping[State, Mapping[Step, frozenset[State]]] = {
    State.AWAITING_TRIAGE: {
        Step.TRIAGE: frozenset({State.TO_RECONDITION, State.TO_DISMANTLE}),
        Step.WIPE_DATA: frozenset({State.AWAITING_TRIAGE}),
        Step.TRANSFER: frozenset({State.AWAITING_TRIAGE}),
        Step.WRITE_OFF: frozenset({State.WRITTEN_OFF}),
    },
    State.TO_RECONDITION: {
        Step.WIPE_DATA: frozenset({State.TO_RECONDITION}),
        Step.RECONDITION: frozenset({State.READY_TO_LOAN}),
        Step.TRANSFER: frozenset({State.TO_RECONDITION}),
        Step.WRITE_OFF: frozenset({State.WRITTEN_OFF}),
    },
    State.TO_DISMANTLE: {
        Step.WIPE_DATA: frozenset({State.TO_DISMANTLE}),
        Step.DISMANTLE: frozenset({State.DISMANTLED}),
        Step.TRANSFER: frozenset({State.TO_DISMANTLE}),
        Step.WRITE_OFF: frozenset({State.WRITTEN_OFF}),
    },
    State.READY_TO_LOAN: {
        Step.LOAN: frozenset({State.ON_LOAN}),
        Step.TRANSFER: frozenset({State.READY_TO_LOAN}),
        Step.WRITE_OFF: frozenset({State.WRITTEN_OFF}),
    },
    State.ON_LOAN: {
        Step.RETURN: frozenset({State.AWAITING_TRIAGE}),
        Step.WRITE_OFF: frozenset({State.WRITTEN_OFF}),
    },
    State.DISMANTLED: {},
    State.WRITTEN_OFF: {},
}


def allowed_steps(state: State) -> tuple[Step, ...]:
    """The steps that may be recorded for a computer in this state, in lifecycle order."""
    row = TRANSITIONS[state]
    return tuple(step for step in Step if step in row)


def is_final(state: State) -> bool:
    """A final state allows no further step (only corrections)."""
    return not TRANSITIONS[state]
