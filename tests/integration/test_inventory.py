"""The Inventory application on a real store, the same specifications on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest

from tracker.application import Inventory
from tracker.commands import (
    CancelStep,
    Dismantle,
    DonatedUnit,
    Loan,
    Recondition,
    RecordDataWipe,
    RegisterDonation,
    StepCommand,
    TakeBack,
    Triage,
)
from tracker.domain.exceptions import (
    CommandReusedError,
    DuplicateTagError,
    TransitionRefusedError,
    UnknownComputerError,
    VersionConflictError,
)
from tracker.domain.lifecycle import State, Step
from tracker.domain.vocabulary import Check

RECEIVED = date(2026, 6, 1)
STEP_DAY = date(2026, 6, 10)


def donation(
    *units: DonatedUnit,
    programme: str = "CD35",
    received_on: date = RECEIVED,
    command_id: UUID | None = None,
) -> RegisterDonation:
    return RegisterDonation(
        command_id=command_id or uuid4(),
        actor="alice",
        site="Rennes",
        programme=programme,
        donor="Mairie de Rennes",
        received_on=received_on,
        units=units or (laptop(),),
    )


def laptop(tag: str = "") -> DonatedUnit:
    return DonatedUnit(device_type="laptop", brand="Lenovo", model="T480", tag=tag)


# A valid command of each kind needs these fields besides who, where, when and which version.
FIELDS: dict[type[StepCommand], dict[str, Any]] = {
    Triage: {
        "checks": dict.fromkeys(map(str, Check), "ok"),
        "grade": "B",
        "outcome": "recondition",
    },
    RecordDataWipe: {"method": "software_overwrite", "result": "success", "tool": "nwipe"},
    Recondition: {
        "work_done": ["cleaning", "os_installed"],
        "operating_system": "Debian 12",
        "quality_check_passed": True,
        "hours_of_work": Decimal("1.5"),
        "final_grade": "B",
    },
    Loan: {
        "beneficiary_code": "BN-7K3P9Q",
        "agreement_start": STEP_DAY,
        "agreement_end": date(2026, 12, 10),
        "contribution_eur": Decimal("20"),
        "contribution_method": "cash",
    },
    TakeBack: {"reason": "end_of_agreement", "condition": "good"},
    Dismantle: {
        "components": [{"kind": "ram", "count": 2, "reusable": True}],
        "materials_kg": {"plastics": Decimal("1.2")},
        "outlet": "Ecologic",
    },
}


def step(kind: type[StepCommand], tag: str, seen: int, **fields: Any) -> Any:
    return kind(
        command_id=fields.pop("command_id", None) or uuid4(),
        tag=tag,
        seen_version=seen,
        actor="bob",
        site="Rennes",
        occurred_on=STEP_DAY,
        **{**FIELDS.get(kind, {}), **fields},
    )


def one_computer(inventory: Inventory) -> str:
    return inventory.register_donation(donation()).tags[0]


def test_a_new_store_is_empty_until_the_first_intake(inventory: Inventory) -> None:
    assert inventory.is_empty()
    one_computer(inventory)
    assert not inventory.is_empty()


def test_intake_gives_consecutive_tags_per_programme_and_year(inventory: Inventory) -> None:
    first = inventory.register_donation(donation(laptop(), laptop(), laptop()))
    second = inventory.register_donation(donation(laptop(), laptop()))

    assert first.tags == ("CD35-2026-00001", "CD35-2026-00002", "CD35-2026-00003")
    assert second.tags == ("CD35-2026-00004", "CD35-2026-00005")
    assert not first.replayed
    assert inventory.computer("CD35-2026-00005").state == State.AWAITING_TRIAGE


def test_tag_numbers_restart_for_another_year_and_another_programme(
    inventory: Inventory,
) -> None:
    inventory.register_donation(donation(laptop(), laptop()))

    last_year = inventory.register_donation(donation(received_on=date(2025, 12, 31)))
    other_programme = inventory.register_donation(donation(programme="ab12"))

    assert last_year.tags == ("CD35-2025-00001",)
    assert other_programme.tags == ("AB12-2026-00001",)
    assert inventory.register_donation(donation()).tags == ("CD35-2026-00003",)


def test_pre_printed_tags_are_kept_and_take_no_number(inventory: Inventory) -> None:
    registered = inventory.register_donation(donation(laptop(" asso-0042 "), laptop()))

    assert registered.tags == ("ASSO-0042", "CD35-2026-00001")
    assert inventory.computer("Asso-0042").tag == "ASSO-0042"


def test_a_pre_printed_tag_already_in_use_is_refused_and_nothing_is_recorded(
    inventory: Inventory,
) -> None:
    inventory.register_donation(donation(laptop("ASSO-0042")))
    before = inventory.recorder.max_notification_id()

    with pytest.raises(DuplicateTagError) as refused:
        inventory.register_donation(donation(laptop(), laptop("asso-0042")))

    assert refused.value.tag == "ASSO-0042"
    assert refused.value.code == "duplicate_tag"
    assert inventory.recorder.max_notification_id() == before
    assert inventory.register_donation(donation()).tags == ("CD35-2026-00001",)


def test_a_retried_intake_returns_the_same_tags_and_records_nothing(
    inventory: Inventory,
) -> None:
    request = donation(laptop(), laptop("ASSO-7"))
    first = inventory.register_donation(request)
    before = inventory.recorder.max_notification_id()

    retried = inventory.register_donation(request)

    assert retried.replayed
    assert (retried.batch_id, retried.tags) == (first.batch_id, first.tags)
    assert inventory.recorder.max_notification_id() == before


def test_an_intake_command_id_cannot_be_reused_for_another_donation(
    inventory: Inventory,
) -> None:
    first = donation(laptop())
    inventory.register_donation(first)
    before = inventory.recorder.max_notification_id()

    with pytest.raises(CommandReusedError):
        inventory.register_donation(donation(laptop(), laptop(), command_id=first.command_id))

    assert inventory.recorder.max_notification_id() == before


def test_a_computer_goes_from_donation_to_loan_and_back_then_to_dismantling(
    inventory: Inventory,
) -> None:
    tag = one_computer(inventory)
    steps: list[tuple[type[StepCommand], dict[str, Any], State]] = [
        (Triage, {}, State.TO_RECONDITION),
        (RecordDataWipe, {}, State.TO_RECONDITION),
        (Recondition, {}, State.READY_TO_LOAN),
        (Loan, {}, State.ON_LOAN),
        (TakeBack, {}, State.AWAITING_TRIAGE),
        (Triage, {"outcome": "dismantle"}, State.TO_DISMANTLE),
        (RecordDataWipe, {}, State.TO_DISMANTLE),
        (Dismantle, {}, State.DISMANTLED),
    ]
    results = [
        inventory.record(step(kind, tag, seen, **fields))
        for seen, (kind, fields, _) in enumerate(steps, start=1)
    ]

    assert [r.state for r in results] == [state for _, _, state in steps]
    assert [r.version for r in results] == list(range(2, 10))
    positions = [r.position or 0 for r in results]
    assert positions == sorted(set(positions))  # each step appended, in order, to the log
    assert positions[0] > 0
    events = inventory.computer_events(tag)
    assert [type(e).__name__ for e in events] == ["Donated"] + [k.event_name for k, _, _ in steps]
    assert [e.originator_version for e in events] == list(range(1, 10))
    assert inventory.computer(tag).state == State.DISMANTLED


def test_cannot_loan_a_computer_that_is_awaiting_triage(inventory: Inventory) -> None:
    tag = one_computer(inventory)
    before = inventory.recorder.max_notification_id()

    with pytest.raises(TransitionRefusedError) as refused:
        inventory.record(step(Loan, tag, 1))

    assert refused.value.code == "transition_refused"
    assert refused.value.state == State.AWAITING_TRIAGE
    assert refused.value.step == Step.LOAN
    assert inventory.recorder.max_notification_id() == before
    assert inventory.computer(tag).version == 1


def test_a_step_on_a_stale_version_is_refused_with_the_fresh_state(inventory: Inventory) -> None:
    tag = one_computer(inventory)
    inventory.record(step(Triage, tag, 1))
    before = inventory.recorder.max_notification_id()

    with pytest.raises(VersionConflictError) as refused:
        inventory.record(step(RecordDataWipe, tag, 1))

    assert refused.value.code == "version_conflict"
    assert (refused.value.seen, refused.value.current) == (1, 2)
    assert refused.value.state == State.TO_RECONDITION
    assert inventory.recorder.max_notification_id() == before


def test_a_retried_step_returns_its_first_result_and_records_nothing(
    inventory: Inventory,
) -> None:
    tag = one_computer(inventory)
    command = step(Triage, tag, 1)
    first = inventory.record(command)
    inventory.record(step(RecordDataWipe, tag, 2))
    inventory.record(step(Recondition, tag, 3))
    before = inventory.recorder.max_notification_id()

    retried = inventory.record(command)

    assert retried.replayed
    assert not first.replayed
    assert (retried.version, retried.state) == (first.version, first.state) == (2, "to_recondition")
    assert inventory.recorder.max_notification_id() == before
    assert len(inventory.computer_events(tag)) == 4


def test_a_command_id_cannot_be_reused_for_another_step(inventory: Inventory) -> None:
    tag = one_computer(inventory)
    command_id = uuid4()
    inventory.record(step(Triage, tag, 1, command_id=command_id))
    before = inventory.recorder.max_notification_id()

    with pytest.raises(CommandReusedError):
        inventory.record(step(RecordDataWipe, tag, 2, command_id=command_id))

    assert inventory.recorder.max_notification_id() == before
    assert inventory.computer(tag).version == 2


def test_cancelling_the_last_step_restores_the_previous_state(inventory: Inventory) -> None:
    tag = one_computer(inventory)
    inventory.record(step(Triage, tag, 1, outcome="dismantle"))

    cancelled = inventory.record(step(CancelStep, tag, 2, version=2, reason="wrong computer"))

    computer = inventory.computer(tag)
    assert cancelled.state == computer.state == State.AWAITING_TRIAGE
    assert computer.grade == ""
    assert [type(e).__name__ for e in inventory.computer_events(tag)][-1] == "StepCancelled"
    assert inventory.record(step(Triage, tag, 3)).state == State.TO_RECONDITION


def test_events_survive_closing_and_reopening_the_store(
    open_inventory: Callable[[], Inventory],
) -> None:
    first = open_inventory()
    tag = one_computer(first)
    first.record(step(Triage, tag, 1))
    events = first.computer_events(tag)
    first.close()

    reopened = open_inventory()

    assert reopened.computer_events(tag) == events
    computer = reopened.computer(tag)
    assert (computer.version, computer.state, computer.grade) == (2, State.TO_RECONDITION, "B")
    assert reopened.register_donation(donation()).tags == ("CD35-2026-00002",)


def test_an_unknown_tag_is_refused(inventory: Inventory) -> None:
    with pytest.raises(UnknownComputerError) as refused:
        inventory.record(step(Triage, " cd35-2026-00099", 1))

    assert refused.value.tag == "CD35-2026-00099"
