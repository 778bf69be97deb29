"""Mistakes are fixed by new events: cancelling the last step, correcting recorded details."""

from __future__ import annotations

from datetime import date

import pytest
from domain_builders import (
    OTHER_SITE,
    SITE,
    TODAY,
    assert_refused,
    donate,
    given,
    history,
    loan,
    recondition,
    recording,
    replay,
    take_back,
    transfer,
    triage,
    wipe,
    write_off,
)

from tracker.domain.computer import Computer
from tracker.domain.exceptions import (
    CorrectionRefusedError,
    DateAfterNextStepError,
    DateBeforePreviousStepError,
    DateInFutureError,
    InvalidValueError,
    NothingToCancelError,
    NotTheLastStepError,
)
from tracker.domain.lifecycle import State


def cancel(computer: Computer, version: int) -> None:
    computer.cancel_step(recording(), version=version, reason="wrong computer scanned")


def correct(computer: Computer, version: int, **changes: str) -> None:
    computer.correct_details(recording(), version=version, reason="typo", changes=changes)


def dated(*days: int) -> Computer:
    """A computer donated, triaged and wiped on these days of June 2026."""
    computer = donate(recording(occurred_on=date(2026, 6, days[0])))
    for step, day in zip((triage, wipe), days[1:], strict=False):
        step(computer, recording(occurred_on=date(2026, 6, day)))
    return replay(computer.collect_events())


# -- cancelling the last step ---------------------------------------------------------------


def test_cancelling_a_triage_puts_the_computer_back_awaiting_triage() -> None:
    computer = given(State.TO_RECONDITION)

    cancel(computer, 2)

    [cancelled] = computer.collect_events()
    assert isinstance(cancelled, Computer.StepCancelled)
    assert cancelled.cancels_version == 2
    assert computer.state == State.AWAITING_TRIAGE
    assert computer.version == 3


def test_cancelling_a_transfer_brings_the_computer_back_to_its_site() -> None:
    computer = replay(history(transfer))
    assert computer.site == OTHER_SITE

    cancel(computer, 2)

    assert computer.site == SITE


def test_cancelling_a_data_wipe_means_the_data_is_no_longer_wiped() -> None:
    computer = given(State.TO_RECONDITION, wiped=True)

    cancel(computer, 3)

    assert computer.data_wiped is False


def test_cancelling_a_loan_forgets_the_beneficiary() -> None:
    computer = given(State.ON_LOAN)

    cancel(computer, 5)

    assert computer.state == State.READY_TO_LOAN
    assert computer.beneficiary_code == ""
    assert computer.agreement_end is None


def test_cancelling_a_return_puts_the_computer_back_on_loan_with_its_beneficiary() -> None:
    computer = replay(history(triage, wipe, recondition, loan, take_back))

    cancel(computer, 6)

    assert computer.state == State.ON_LOAN
    assert computer.beneficiary_code == "BN-7K3P9Q"
    assert computer.data_wiped is True


def test_cancelling_a_write_off_brings_the_computer_back_into_the_chain() -> None:
    computer = replay(history(triage, write_off))

    cancel(computer, 3)

    assert computer.state == State.TO_RECONDITION


def test_successive_cancellations_undo_the_steps_from_the_last_one_back() -> None:
    computer = given(State.TO_RECONDITION, wiped=True)

    cancel(computer, 3)
    cancel(computer, 2)

    assert computer.state == State.AWAITING_TRIAGE
    assert computer.last_step_in_force() is None


def test_only_the_last_step_in_force_can_be_cancelled() -> None:
    computer = given(State.TO_RECONDITION, wiped=True)

    refusal = assert_refused(computer, NotTheLastStepError, lambda: cancel(computer, 2))

    assert refusal.code == "not_the_last_step"


def test_a_donation_alone_has_nothing_to_cancel() -> None:
    computer = given(State.AWAITING_TRIAGE)

    refusal = assert_refused(computer, NothingToCancelError, lambda: cancel(computer, 1))

    assert refusal.code == "nothing_to_cancel"


def test_a_cancellation_cannot_itself_be_cancelled() -> None:
    computer = given(State.TO_RECONDITION)
    cancel(computer, 2)

    assert_refused(computer, NothingToCancelError, lambda: cancel(computer, 3))


def test_a_cancellation_needs_a_reason() -> None:
    computer = given(State.TO_RECONDITION)

    assert_refused(
        computer,
        InvalidValueError,
        lambda: computer.cancel_step(recording(), version=2, reason="  "),
    )


def test_a_cancelled_step_no_longer_bounds_the_date_of_the_next_one() -> None:
    computer = dated(1, 10)
    cancel(computer, 2)

    triage(computer, recording(occurred_on=date(2026, 6, 5)))

    assert computer.state == State.TO_RECONDITION


# -- correcting details ---------------------------------------------------------------------


def test_correcting_the_brand_changes_the_computer_and_keeps_the_donation_as_recorded() -> None:
    events = history(triage)
    computer = replay(events)

    correct(computer, 1, brand="HP")

    [corrected] = computer.collect_events()
    assert isinstance(corrected, Computer.DetailsCorrected)
    assert (corrected.corrects_version, corrected.changes) == (1, {"brand": "HP"})
    assert computer.brand == "HP"
    assert events[0].brand == "Dell"


def test_correcting_the_triage_grade_changes_the_grade_of_the_computer() -> None:
    computer = given(State.TO_RECONDITION)

    correct(computer, 2, grade="C")

    assert computer.grade == "C"
    assert computer.state == State.TO_RECONDITION


def test_correcting_an_earlier_triage_grade_leaves_the_final_grade_of_reconditioning() -> None:
    computer = given(State.READY_TO_LOAN)

    correct(computer, 2, grade="C")

    assert computer.grade == "A"


@pytest.mark.parametrize(
    ("version", "field"), [(2, "outcome"), (1, "tag"), (5, "beneficiary_code")]
)
def test_a_correction_cannot_change_where_the_computer_stands(version: int, field: str) -> None:
    computer = given(State.ON_LOAN)

    refusal = assert_refused(
        computer, CorrectionRefusedError, lambda: correct(computer, version, **{field: "x"})
    )

    assert refusal.code == "correction_refused"


@pytest.mark.parametrize("version", [0, 3, 4, 99])
def test_a_correction_must_name_a_recorded_step_still_in_force(version: int) -> None:
    computer = given(State.TO_RECONDITION, wiped=True)
    cancel(computer, 3)

    assert_refused(computer, CorrectionRefusedError, lambda: correct(computer, version, tool="x"))


def test_a_corrected_date_cannot_fall_before_the_previous_step() -> None:
    computer = dated(5, 10, 12)

    assert_refused(
        computer,
        DateBeforePreviousStepError,
        lambda: correct(computer, 2, occurred_on="2026-06-04"),
    )


def test_a_corrected_date_cannot_fall_after_the_next_step() -> None:
    computer = dated(5, 10, 12)

    assert_refused(
        computer, DateAfterNextStepError, lambda: correct(computer, 2, occurred_on="2026-06-13")
    )


def test_the_date_of_the_last_step_cannot_be_corrected_into_the_future() -> None:
    computer = dated(5, 10, 12)

    assert_refused(
        computer, DateInFutureError, lambda: correct(computer, 3, occurred_on="2026-07-01")
    )


def test_a_corrected_date_between_its_neighbours_bounds_the_next_step() -> None:
    computer = dated(5, 10)

    correct(computer, 2, occurred_on="2026-06-14")

    assert_refused(
        computer,
        DateBeforePreviousStepError,
        lambda: wipe(computer, recording(occurred_on=date(2026, 6, 13))),
    )
    wipe(computer, recording(occurred_on=TODAY))


def test_a_correction_needs_changes_and_a_reason() -> None:
    computer = given(State.TO_RECONDITION)

    assert_refused(computer, InvalidValueError, lambda: correct(computer, 2))
    assert_refused(
        computer,
        InvalidValueError,
        lambda: computer.correct_details(recording(), version=2, reason="", changes={"grade": "A"}),
    )


def test_a_corrected_grade_survives_the_cancellation_of_a_later_step() -> None:
    computer = given(State.TO_RECONDITION, wiped=True)
    correct(computer, 2, grade="C")

    cancel(computer, 3)

    assert computer.grade == "C"


def test_a_corrected_agreement_end_survives_the_cancellation_of_the_return() -> None:
    computer = replay(history(triage, wipe, recondition, loan, take_back))
    correct(computer, 5, agreement_end="2028-01-31")

    cancel(computer, 6)

    assert computer.agreement_end == date(2028, 1, 31)


def test_a_computer_rebuilt_from_its_events_has_its_corrections_and_cancellations() -> None:
    computer = donate()
    for step in (triage, wipe, recondition, loan):
        step(computer, recording())
    correct(computer, 1, brand="Lenovo")
    correct(computer, 4, final_grade="B")
    cancel(computer, 5)

    assert replay(computer.collect_events()) == computer
