"""A correction must leave the corrected step valid and cannot be dated before it."""

from __future__ import annotations

from datetime import date

import pytest
from domain_builders import TODAY, assert_refused, donate, given, recording

from tracker.domain.exceptions import (
    DateBeforePreviousStepError,
    InvalidTagError,
    InvalidValueError,
)
from tracker.domain.lifecycle import State

YESTERDAY = date(2026, 6, 14)


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"agreement_end": "2026-01-01"}, id="agreement_end_before_start"),
        pytest.param({"contribution_method": "waived"}, id="waived_while_25_euros_paid"),
        pytest.param({"contribution_eur": "0"}, id="nothing_paid_but_not_waived"),
    ],
)
def test_a_corrected_loan_must_still_be_a_valid_agreement(changes: dict[str, str]) -> None:
    computer = given(State.ON_LOAN)
    assert_refused(
        computer,
        InvalidValueError,
        lambda: computer.correct_details(
            recording(), version=computer.version, reason="typo", changes=changes
        ),
    )


def test_a_waiver_can_be_corrected_with_its_amount_in_one_correction() -> None:
    computer = given(State.ON_LOAN)
    computer.correct_details(
        recording(),
        version=computer.version,
        reason="participation offerte par le CCAS",
        changes={"contribution_method": "waived", "contribution_eur": "0"},
    )
    assert computer.loan_terms[computer.version - 1]["contribution_method"] == "waived"


def test_a_cancellation_cannot_be_dated_before_the_step_it_cancels() -> None:
    computer = given(State.TO_RECONDITION)
    assert_refused(
        computer,
        DateBeforePreviousStepError,
        lambda: computer.cancel_step(
            recording(occurred_on=YESTERDAY.replace(day=1)),
            version=computer.version,
            reason="erreur",
        ),
    )


def test_a_correction_cannot_be_dated_before_the_step_it_corrects() -> None:
    computer = given(State.TO_RECONDITION)
    assert_refused(
        computer,
        DateBeforePreviousStepError,
        lambda: computer.correct_details(
            recording(occurred_on=YESTERDAY.replace(day=1)),
            version=computer.version,
            reason="erreur",
            changes={"grade": "C"},
        ),
    )


@pytest.mark.parametrize("tag", ["", "  ", "a b", "é-123"])
def test_a_computer_cannot_be_donated_under_a_malformed_tag(tag: str) -> None:
    with pytest.raises(InvalidTagError):
        donate(recording(), tag=tag)


def test_today_is_a_valid_date_for_a_correction() -> None:
    computer = given(State.TO_RECONDITION)
    computer.cancel_step(recording(occurred_on=TODAY), version=computer.version, reason="erreur")
    assert computer.state == State.AWAITING_TRIAGE
