"""The guards of each step besides the lifecycle, and what every event records."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from domain_builders import (
    OTHER_SITE,
    SITE,
    TODAY,
    assert_refused,
    dismantle,
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
)

from tracker.domain.exceptions import (
    DataWipeRequiredError,
    InvalidValueError,
    QualityCheckNotPassedError,
)
from tracker.domain.lifecycle import State

# -- data wipe ------------------------------------------------------------------------------


def test_cannot_recondition_a_computer_whose_data_was_not_wiped() -> None:
    computer = given(State.TO_RECONDITION)

    refusal = assert_refused(
        computer, DataWipeRequiredError, lambda: recondition(computer, recording())
    )

    assert refusal.code == "data_wipe_required"


def test_cannot_dismantle_a_computer_whose_data_was_not_wiped() -> None:
    computer = given(State.TO_DISMANTLE)

    assert_refused(computer, DataWipeRequiredError, lambda: dismantle(computer, recording()))


def test_a_failed_data_wipe_does_not_allow_reconditioning() -> None:
    computer = replay(history(triage, lambda c, r: wipe(c, r, result="failure")))

    assert_refused(computer, DataWipeRequiredError, lambda: recondition(computer, recording()))


def test_a_data_wipe_before_triage_counts_for_the_reconditioning() -> None:
    computer = replay(history(wipe, triage))

    recondition(computer, recording())

    assert computer.state == State.READY_TO_LOAN


def test_a_returned_computer_must_be_wiped_again_before_reconditioning() -> None:
    computer = replay(history(triage, wipe, recondition, loan, take_back, triage))

    assert computer.data_wiped is False
    assert_refused(computer, DataWipeRequiredError, lambda: recondition(computer, recording()))


# -- reconditioning and loan ----------------------------------------------------------------


def test_cannot_recondition_without_a_passed_quality_check() -> None:
    computer = given(State.TO_RECONDITION, wiped=True)

    refusal = assert_refused(
        computer,
        QualityCheckNotPassedError,
        lambda: recondition(computer, recording(), quality_check_passed=False),
    )

    assert refusal.code == "quality_check_not_passed"


@pytest.mark.parametrize(
    "code", ["Jean Dupont", "jean.dupont@example.org", "DUPONT", "BN-ABCDEF", "06 12 34 56 78"]
)
def test_a_loan_refuses_a_beneficiary_code_that_is_not_pseudonymous(code: str) -> None:
    computer = given(State.READY_TO_LOAN)

    refusal = assert_refused(
        computer, InvalidValueError, lambda: loan(computer, recording(), beneficiary_code=code)
    )

    assert isinstance(refusal, InvalidValueError)
    assert refusal.field == "beneficiary_code"


def test_a_loan_records_the_beneficiary_code_in_capitals() -> None:
    computer = given(State.READY_TO_LOAN)

    loan(computer, recording(), beneficiary_code=" bn-7k3p9q ")

    [loaned] = computer.collect_events()
    assert loaned.beneficiary_code == "BN-7K3P9Q"
    assert computer.beneficiary_code == "BN-7K3P9Q"


@pytest.mark.parametrize(
    ("amount", "method"), [("25", "cash"), ("25.00", "card"), ("0", "waived"), ("10", "cheque")]
)
def test_a_loan_accepts_a_contribution_waived_exactly_when_it_is_zero(
    amount: str, method: str
) -> None:
    computer = given(State.READY_TO_LOAN)

    loan(computer, recording(), contribution_eur=amount, contribution_method=method)

    assert computer.state == State.ON_LOAN


@pytest.mark.parametrize(("amount", "method"), [("0", "cash"), ("25", "waived")])
def test_a_loan_refuses_a_contribution_inconsistent_with_its_method(
    amount: str, method: str
) -> None:
    computer = given(State.READY_TO_LOAN)

    refusal = assert_refused(
        computer,
        InvalidValueError,
        lambda: loan(computer, recording(), contribution_eur=amount, contribution_method=method),
    )

    assert isinstance(refusal, InvalidValueError)
    assert refusal.field == "contribution_eur"


@pytest.mark.parametrize("end", [TODAY, TODAY - timedelta(days=1)])
def test_a_loan_agreement_must_end_after_it_starts(end: date) -> None:
    computer = given(State.READY_TO_LOAN)

    refusal = assert_refused(
        computer, InvalidValueError, lambda: loan(computer, recording(), agreement_end=end)
    )

    assert isinstance(refusal, InvalidValueError)
    assert refusal.field == "agreement_end"


# -- transfer and write-off -----------------------------------------------------------------


def test_a_transfer_moves_the_computer_to_the_destination_site() -> None:
    computer = given(State.TO_RECONDITION)

    transfer(computer, recording(site=SITE))

    assert computer.site == OTHER_SITE


@pytest.mark.parametrize("destination", [SITE, f"  {SITE} "])
def test_cannot_transfer_a_computer_to_the_site_it_leaves(destination: str) -> None:
    computer = given(State.TO_RECONDITION)

    refusal = assert_refused(
        computer,
        InvalidValueError,
        lambda: computer.transfer(recording(site=SITE), to_site=destination),
    )

    assert isinstance(refusal, InvalidValueError)
    assert refusal.reason == "same_site"


@pytest.mark.parametrize("state", [State.AWAITING_TRIAGE, State.READY_TO_LOAN])
def test_only_a_computer_on_loan_can_be_written_off_as_kept_by_the_beneficiary(
    state: State,
) -> None:
    computer = given(state)

    refusal = assert_refused(
        computer,
        InvalidValueError,
        lambda: computer.write_off(recording(), reason="kept_by_beneficiary"),
    )

    assert isinstance(refusal, InvalidValueError)
    assert refusal.reason == "not_on_loan"


def test_a_computer_kept_by_its_beneficiary_is_written_off() -> None:
    computer = given(State.ON_LOAN)

    computer.write_off(recording(), reason="kept_by_beneficiary")

    assert computer.state == State.WRITTEN_OFF
