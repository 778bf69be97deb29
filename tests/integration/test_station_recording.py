"""Recording a step at the scan station: exactly once, on what the person saw, wipe included."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest

from tracker.accounts import Account
from tracker.application import Inventory
from tracker.commands import (
    DonatedUnit,
    Recondition,
    RecordDataWipe,
    RegisterDonation,
    StepCommand,
    Transfer,
    Triage,
)
from tracker.domain.exceptions import (
    DataWipeRequiredError,
    InvalidValueError,
    StepNotOfferedError,
    VersionConflictError,
)
from tracker.domain.lifecycle import State
from tracker.domain.site import SiteKind
from tracker.domain.user import Role
from tracker.domain.vocabulary import Check

SORTING, INSERTION = "ESAT-RANCE", "AI-VILAINE"
WIPE = {"method": "software_overwrite", "result": "success", "tool": "nwipe"}
FIELDS: dict[type[StepCommand], dict[str, Any]] = {
    Triage: {"checks": dict.fromkeys(map(str, Check), "ok"), "grade": "B",
             "outcome": "recondition"},
    RecordDataWipe: WIPE,
    Recondition: {"work_done": ["cleaning"], "operating_system": "Linux Mint 22",
                  "quality_check_passed": True, "hours_of_work": Decimal("2.5"),
                  "final_grade": "A"},
    Transfer: {"to_site": INSERTION},
}  # fmt: skip
AMEL = Account(uuid4(), "amel", "Amel", frozenset({Role.WORKSHOP}), (SORTING, INSERTION), True, 1)


@pytest.fixture
def inventory(inventory: Inventory) -> Inventory:
    """The shared store on each backend, with a sorting and an insertion workshop."""
    inventory.register_programme(code="CD35", name="Parcours 35", territory="Ille-et-Vilaine",
                                 actor="root")  # fmt: skip
    for code, kind in ((SORTING, SiteKind.SORTING_WORKSHOP),
                       (INSERTION, SiteKind.INSERTION_WORKSHOP)):  # fmt: skip
        inventory.register_site(code=code, name=code.title(), kind=kind, town="Rennes",
                                programme="CD35", actor="root")  # fmt: skip
    return inventory


def donated(inventory: Inventory, site: str = SORTING) -> str:
    donation = RegisterDonation(
        command_id=uuid4(), actor="amel", site=site, programme="CD35", donor="RENNES",
        received_on=date(2026, 6, 1), units=(DonatedUnit(device_type="laptop", brand="Dell"),),
    )  # fmt: skip
    return inventory.register_donation(donation).tags[0]


def command(
    kind: type[StepCommand], tag: str, seen: int, site: str = SORTING, **fields: Any
) -> Any:
    return kind(command_id=uuid4(), tag=tag, seen_version=seen, actor="amel", site=site,
                occurred_on=date(2026, 6, 10), **{**FIELDS[kind], **fields})  # fmt: skip


def head(inventory: Inventory) -> int:
    return inventory.recorder.max_notification_id() or 0


def names(inventory: Inventory, tag: str) -> list[str]:
    return [type(event).__name__ for event in inventory.computer_events(tag)]


def test_a_retried_step_returns_its_first_result_and_records_nothing(inventory: Inventory) -> None:
    tag = donated(inventory)
    triage = command(Triage, tag, 1)
    first = inventory.record_for(AMEL, triage)
    inventory.record_for(AMEL, command(RecordDataWipe, tag, 2))
    before = head(inventory)

    retried = inventory.record_for(AMEL, triage)

    assert (first.replayed, retried.replayed) == (False, True)
    assert (retried.version, retried.state) == (first.version, first.state)
    assert (retried.version, retried.state) == (2, State.TO_RECONDITION)
    assert head(inventory) == before
    assert names(inventory, tag) == ["Donated", "Triaged", "DataWipeRecorded"]


def test_a_retried_step_is_still_answered_once_the_computer_has_left_for_another_site(
    inventory: Inventory,
) -> None:
    tag = donated(inventory)
    sending = command(Transfer, tag, 1)
    inventory.record_for(AMEL, sending)
    before = head(inventory)

    retried = inventory.record_for(AMEL, sending)

    assert (retried.replayed, retried.version) == (True, 2)
    assert head(inventory) == before
    assert inventory.computer(tag).site == INSERTION


def test_a_step_on_a_version_the_person_no_longer_sees_is_refused_with_the_fresh_state(
    inventory: Inventory,
) -> None:
    tag = donated(inventory)
    inventory.record_for(AMEL, command(Triage, tag, 1))
    before = head(inventory)

    with pytest.raises(VersionConflictError) as refused:
        inventory.record_for(AMEL, command(Triage, tag, 1, outcome="dismantle"))

    assert (refused.value.seen, refused.value.current) == (1, 2)
    assert refused.value.state == State.TO_RECONDITION
    assert head(inventory) == before
    assert names(inventory, tag) == ["Donated", "Triaged"]


def test_a_triage_with_a_data_wipe_records_both_in_one_save_and_the_computer_is_then_wiped(
    inventory: Inventory, monkeypatch: pytest.MonkeyPatch
) -> None:
    tag = donated(inventory)
    saved: list[list[str]] = []  # the events each call to save() recorded, by name
    save = inventory.save

    def spying_save(*aggregates: Any, **kwargs: Any) -> Any:
        recordings = save(*aggregates, **kwargs)
        saved.append([type(r.domain_event).__name__ for r in recordings])
        return recordings

    monkeypatch.setattr(inventory, "save", spying_save)
    triage = command(Triage, tag, 1, wipe=WIPE)

    recorded = inventory.record_for(AMEL, triage)

    assert saved == [["DataWipeRecorded", "Triaged"]]
    assert names(inventory, tag) == ["Donated", "DataWipeRecorded", "Triaged"]
    assert (recorded.version, recorded.state, recorded.position) == (
        3, State.TO_RECONDITION, head(inventory))  # fmt: skip
    card = inventory.card(tag, AMEL)
    assert (card.data_wiped, card.last.name) == (True, "Triaged")

    retried = inventory.record_for(AMEL, triage)

    assert (retried.replayed, retried.version, retried.state) == (True, 3, State.TO_RECONDITION)
    assert saved == [["DataWipeRecorded", "Triaged"]]
    assert len(names(inventory, tag)) == 3


def test_reconditioning_a_computer_whose_data_was_not_wiped_is_refused_and_records_nothing(
    inventory: Inventory,
) -> None:
    tag = donated(inventory, INSERTION)
    inventory.record(command(Triage, tag, 1, INSERTION))  # sorted there before the rules
    before = head(inventory)

    with pytest.raises(DataWipeRequiredError) as refused:
        inventory.record_for(AMEL, command(Recondition, tag, 2, INSERTION))

    assert refused.value.code == "data_wipe_required"
    assert head(inventory) == before
    assert names(inventory, tag) == ["Donated", "Triaged"]


def test_reconditioning_with_the_data_wipe_in_the_same_form_is_recorded(
    inventory: Inventory,
) -> None:
    tag = donated(inventory, INSERTION)
    inventory.record(command(Triage, tag, 1, INSERTION))

    recorded = inventory.record_for(AMEL, command(Recondition, tag, 2, INSERTION, wipe=WIPE))

    assert (recorded.version, recorded.state) == (4, State.READY_TO_LOAN)
    assert names(inventory, tag)[-2:] == ["DataWipeRecorded", "Reconditioned"]


def test_a_data_wipe_done_with_a_step_follows_the_step_s_refusal(inventory: Inventory) -> None:
    tag = donated(inventory)  # at the sorting workshop, which does not recondition
    inventory.record(command(Triage, tag, 1))
    before = head(inventory)

    with pytest.raises(StepNotOfferedError) as refused:
        inventory.record_for(AMEL, command(Recondition, tag, 2, wipe=WIPE))

    assert refused.value.why == "site_kind"
    assert head(inventory) == before
    assert not inventory.computer(tag).data_wiped


@pytest.mark.parametrize("destination", ["NULLE-PART", INSERTION], ids=["unknown", "closed"])
def test_a_computer_is_sent_only_to_a_registered_site_still_open(
    inventory: Inventory, destination: str
) -> None:
    site = inventory.site(INSERTION)
    inventory.change_site(INSERTION, name=site.name, kind=site.kind, town=site.town,
                          programme="CD35", active=False, actor="root",
                          seen_version=site.version)  # fmt: skip
    tag = donated(inventory)
    before = head(inventory)

    with pytest.raises(InvalidValueError) as refused:
        inventory.record_for(AMEL, command(Transfer, tag, 1, to_site=destination))

    assert (refused.value.field, refused.value.reason) == ("to_site", "unknown_choice")
    assert head(inventory) == before
    assert names(inventory, tag) == ["Donated"]
