"""The scan station on a real store: the steps offered to a person here, refusals, retries, undo."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest

from tracker import storage
from tracker.accounts import Account
from tracker.application import Inventory
from tracker.commands import (
    Dismantle,
    DonatedUnit,
    Loan,
    Recondition,
    RecordDataWipe,
    RegisterDonation,
    StepCommand,
    Triage,
    WriteOff,
)
from tracker.domain.exceptions import StepNotOfferedError
from tracker.domain.lifecycle import State, Step
from tracker.domain.site import SiteKind
from tracker.domain.user import Role
from tracker.domain.vocabulary import Check

SORTING, INSERTION, THIRD_PLACE, OTHER = "ESAT-RANCE", "AI-VILAINE", "TL-REDON", "MAIRIE-VITRE"
ELSEWHERE = "ESAT-FOUGERES"  # a sorting workshop none of the people below works at
OURS = (SORTING, INSERTION, THIRD_PLACE, OTHER)
RECEIVED, STEP_DAY = date(2026, 6, 1), date(2026, 6, 10)
WIPE = {"method": "software_overwrite", "result": "success", "tool": "nwipe"}
FIELDS: dict[type[StepCommand], dict[str, Any]] = {
    Triage: {"checks": dict.fromkeys(map(str, Check), "ok"), "grade": "B",
             "outcome": "recondition"},
    Dismantle: {"materials_kg": {"plastics": Decimal("1.2")}, "outlet": "Ecologic"},
    Recondition: {"work_done": ["cleaning"], "operating_system": "Linux Mint 22",
                  "quality_check_passed": True, "hours_of_work": Decimal("2.5"),
                  "final_grade": "A"},
    Loan: {"beneficiary_code": "BN-7K3P9Q", "agreement_start": STEP_DAY,
           "agreement_end": date(2028, 6, 10), "contribution_eur": Decimal(25),
           "contribution_method": "cash"},
    RecordDataWipe: WIPE,
    WriteOff: {"reason": "lost"},
}  # fmt: skip
# The steps that lead a donated computer to each state.
PATHS: dict[State, list[tuple[type[StepCommand], dict[str, Any]]]] = {
    State.AWAITING_TRIAGE: [],
    State.TO_RECONDITION: [(Triage, {})],
    State.TO_DISMANTLE: [(Triage, {"outcome": "dismantle"})],
    State.DISMANTLED: [(Triage, {"outcome": "dismantle", "wipe": WIPE}), (Dismantle, {})],
    State.READY_TO_LOAN: [(Triage, {"wipe": WIPE}), (Recondition, {})],
    State.ON_LOAN: [(Triage, {"wipe": WIPE}), (Recondition, {}), (Loan, {})],
    State.WRITTEN_OFF: [(WriteOff, {})],
}


@dataclass
class FakeClock:
    """The time the application reads; tests move it forward."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)


def person(name: str = "amel", sites: tuple[str, ...] = OURS, **changes: Any) -> Account:
    """A signed-in account as the web passes it: by default workshop staff at our four sites."""
    account = Account(uuid4(), name, name.title(), frozenset({Role.WORKSHOP}), sites, True, 1)
    return replace(account, **changes)


@pytest.fixture
def clock(now: datetime) -> FakeClock:
    return FakeClock(now)


@pytest.fixture
def inventory(database_url: str, tmp_path: Path, clock: FakeClock) -> Iterator[Inventory]:
    """The programme's store, with a site of each kind, on each backend, reading `clock`."""
    store = storage.parse(database_url, base=tmp_path)
    storage.prepare(store)
    inventory = Inventory(store.env, clock=clock, zone=ZoneInfo("Europe/Paris"))
    inventory.register_programme(code="CD35", name="Parcours 35", territory="Ille-et-Vilaine",
                                 actor="root")  # fmt: skip
    kinds = {SORTING: SiteKind.SORTING_WORKSHOP, INSERTION: SiteKind.INSERTION_WORKSHOP,
             THIRD_PLACE: SiteKind.THIRD_PLACE, OTHER: SiteKind.OTHER,
             ELSEWHERE: SiteKind.SORTING_WORKSHOP}  # fmt: skip
    for code, kind in kinds.items():
        inventory.register_site(code=code, name=code.title(), kind=kind, town="Rennes",
                                programme="CD35", actor="root")  # fmt: skip
    yield inventory
    inventory.close()


def command(kind: type[StepCommand], tag: str, seen: int, site: str, **fields: Any) -> Any:
    fields = {"actor": "amel", **FIELDS[kind], **fields}
    return kind(command_id=uuid4(), tag=tag, seen_version=seen, site=site, occurred_on=STEP_DAY,
                **fields)  # fmt: skip


def computer_in(inventory: Inventory, state: State, site: str = SORTING) -> str:
    """A computer donated at `site`, then taken there to `state` (whoever may do what)."""
    donation = RegisterDonation(
        command_id=uuid4(), actor="amel", site=site, programme="CD35", donor="RENNES",
        received_on=RECEIVED, units=(DonatedUnit(device_type="laptop", brand="Dell"),),
    )  # fmt: skip
    tag = inventory.register_donation(donation).tags[0]
    for kind, fields in PATHS[state]:
        inventory.record(command(kind, tag, inventory.computer(tag).version, site, **fields))
    assert inventory.computer(tag).state == state
    return tag


def head(inventory: Inventory) -> int:
    return inventory.recorder.max_notification_id() or 0


def refused(inventory: Inventory, tag: str, error: type[Exception], call: Any) -> Any:
    """The refusal `call()` meets, once checked that nothing at all was recorded."""
    before, events = head(inventory), len(inventory.computer_events(tag))
    with pytest.raises(error) as refusal:
        call()
    assert (head(inventory), len(inventory.computer_events(tag))) == (before, events)
    return refusal.value


# -- what is offered ----------------------------------------------------------------------------

TRI, ERASE, DIS, REC = Step.TRIAGE, Step.WIPE_DATA, Step.DISMANTLE, Step.RECONDITION
LOAN, BACK, SEND, OFF = Step.LOAN, Step.RETURN, Step.TRANSFER, Step.WRITE_OFF


@pytest.mark.parametrize(
    ("state", "site", "offered"),
    [
        (State.AWAITING_TRIAGE, SORTING, {TRI, ERASE, SEND, OFF}),
        (State.AWAITING_TRIAGE, INSERTION, {ERASE, SEND, OFF}),
        (State.AWAITING_TRIAGE, THIRD_PLACE, {SEND, OFF}),
        (State.AWAITING_TRIAGE, OTHER, {TRI, ERASE, SEND, OFF}),
        (State.TO_RECONDITION, SORTING, {ERASE, SEND, OFF}),
        (State.TO_RECONDITION, INSERTION, {ERASE, REC, SEND, OFF}),
        (State.TO_RECONDITION, THIRD_PLACE, {SEND, OFF}),
        (State.TO_DISMANTLE, SORTING, {ERASE, DIS, SEND, OFF}),
        (State.TO_DISMANTLE, INSERTION, {ERASE, SEND, OFF}),
        (State.READY_TO_LOAN, INSERTION, {SEND, OFF}),
        (State.READY_TO_LOAN, THIRD_PLACE, {LOAN, SEND, OFF}),
        (State.READY_TO_LOAN, OTHER, {LOAN, SEND, OFF}),
        (State.ON_LOAN, THIRD_PLACE, {BACK, OFF}),
        (State.ON_LOAN, SORTING, {OFF}),
    ],
)
def test_a_workshop_person_is_offered_the_steps_of_the_state_that_this_kind_of_site_does(
    inventory: Inventory, state: State, site: str, offered: set[Step]
) -> None:
    card = inventory.card(computer_in(inventory, state, site), person())
    assert (card.state, card.site, card.blocked) == (state, site, "")
    assert sorted(card.steps) == sorted(offered)  # in whichever order the buttons come


def test_a_site_that_was_never_registered_may_record_every_step_of_the_state(
    inventory: Inventory,
) -> None:
    card = inventory.card(computer_in(inventory, State.AWAITING_TRIAGE, "DEPOT-1"),
                          person(sites=("DEPOT-1",)))  # fmt: skip
    assert (set(card.steps), card.blocked) == ({TRI, ERASE, SEND, OFF}, "")


@pytest.mark.parametrize(
    ("account", "blocked"),
    [
        (person("basile", sites=(SORTING,)), "other_site"),
        (person("odile", roles=frozenset({Role.OFFICER}), sites=()), "not_workshop"),
        (person("ines", active=False), "not_workshop"),
    ],
    ids=["workshop elsewhere", "officer", "deactivated workshop account"],
)
def test_a_person_who_may_not_record_here_is_offered_nothing_and_told_why(
    inventory: Inventory, account: Account, blocked: str
) -> None:
    card = inventory.card(computer_in(inventory, State.AWAITING_TRIAGE, ELSEWHERE), account)
    assert (card.steps, card.blocked) == ((), blocked)


@pytest.mark.parametrize("state", [State.DISMANTLED, State.WRITTEN_OFF])
def test_a_computer_at_the_end_of_its_path_offers_no_step_to_anyone(
    inventory: Inventory, state: State
) -> None:
    tag = computer_in(inventory, state)
    for account in (person(), person("odile", roles=frozenset({Role.OFFICER}))):
        card = inventory.card(tag, account)
        assert (card.steps, card.blocked) == ((), "final")


# -- what is refused --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "site", "kind", "fields"),
    [
        (State.TO_RECONDITION, SORTING, Recondition, {"wipe": WIPE}),
        (State.AWAITING_TRIAGE, THIRD_PLACE, Triage, {}),
        (State.READY_TO_LOAN, INSERTION, Loan, {}),
        (State.TO_DISMANTLE, INSERTION, Dismantle, {"wipe": WIPE}),
    ],
)
def test_a_step_that_this_kind_of_site_does_not_do_is_refused_and_records_nothing(
    inventory: Inventory, state: State, site: str, kind: type[StepCommand], fields: dict[str, Any]
) -> None:
    tag = computer_in(inventory, state, site)
    step = command(kind, tag, inventory.computer(tag).version, site, **fields)
    error = refused(
        inventory, tag, StepNotOfferedError, lambda: inventory.record_for(person(), step)
    )
    assert (error.code, error.why) == ("step_not_offered", "site_kind")


@pytest.mark.parametrize(
    ("account", "why"),
    [
        (person("basile", sites=(SORTING,)), "other_site"),
        (person("odile", roles=frozenset({Role.OFFICER}), sites=()), "not_workshop"),
    ],
    ids=["workshop elsewhere", "officer"],
)
def test_a_step_by_someone_who_may_not_record_at_the_computer_s_site_is_refused(
    inventory: Inventory, account: Account, why: str
) -> None:
    tag = computer_in(inventory, State.AWAITING_TRIAGE, ELSEWHERE)
    step = command(Triage, tag, 1, ELSEWHERE)
    error = refused(
        inventory, tag, StepNotOfferedError, lambda: inventory.record_for(account, step)
    )
    assert error.why == why


def test_a_step_said_to_be_done_at_one_of_my_sites_while_the_computer_is_at_another_is_refused(
    inventory: Inventory,
) -> None:
    tag = computer_in(inventory, State.AWAITING_TRIAGE, OTHER)
    step = command(Triage, tag, 1, SORTING)
    error = refused(
        inventory, tag, StepNotOfferedError, lambda: inventory.record_for(person(), step)
    )
    assert error.why == "other_site"
    assert inventory.computer(tag).site == OTHER


# -- undo ---------------------------------------------------------------------------------------


def triaged_by(inventory: Inventory, account: Account) -> str:
    """A computer the person has just triaged (version 2), at the sorting workshop."""
    tag = computer_in(inventory, State.AWAITING_TRIAGE)
    inventory.record_for(account, command(Triage, tag, 1, SORTING, actor=account.username))
    return tag


def undo(inventory: Inventory, account: Account, tag: str) -> Any:
    return inventory.undo_last_step(account, tag=tag, seen_version=2, command_id=uuid4(),
                                    reason="wrong computer")  # fmt: skip


def test_the_author_may_undo_a_step_within_ten_minutes_and_the_state_is_restored(
    inventory: Inventory, clock: FakeClock
) -> None:
    tag = triaged_by(inventory, person())
    recorded_at = clock.now
    clock.advance(minutes=9)
    offered = inventory.card(tag, person()).undo
    assert offered is not None
    assert (offered.version, offered.step, offered.until) == (
        2, "Triaged", recorded_at + timedelta(minutes=10))  # fmt: skip

    undone = undo(inventory, person(), tag)

    assert (undone.version, undone.state, undone.replayed) == (3, State.AWAITING_TRIAGE, False)
    events = inventory.computer_events(tag)
    assert type(events[-1]).__name__ == "StepCancelled"
    assert events[-1].cancels_version == 2  # type: ignore[attr-defined]
    card = inventory.card(tag, person())
    assert (card.state, card.grade, card.version) == (State.AWAITING_TRIAGE, "", 3)
    assert set(card.steps) == {TRI, ERASE, SEND, OFF}
    assert (card.last.name, card.last.actor) == ("StepCancelled", "amel")
    assert card.undo is None  # a cancellation is not itself undone


def test_an_undo_ten_minutes_after_the_step_is_refused_and_records_nothing(
    inventory: Inventory, clock: FakeClock
) -> None:
    tag = triaged_by(inventory, person())
    clock.advance(minutes=10)

    assert inventory.card(tag, person()).undo is None
    error = refused(inventory, tag, StepNotOfferedError, lambda: undo(inventory, person(), tag))
    assert error.why == "undo_expired"
    assert inventory.computer(tag).state == State.TO_RECONDITION


def test_only_the_author_may_undo_a_step(inventory: Inventory) -> None:
    tag = triaged_by(inventory, person())
    colleague = person("basile")

    assert inventory.card(tag, colleague).undo is None
    error = refused(inventory, tag, StepNotOfferedError, lambda: undo(inventory, colleague, tag))
    assert error.why == "not_yours"


def test_the_card_shows_the_last_event_whoever_recorded_it(inventory: Inventory) -> None:
    tag = computer_in(inventory, State.AWAITING_TRIAGE)
    assert inventory.card(tag, person()).last.name == "Donated"
    inventory.record_for(person("basile"), command(Triage, tag, 1, SORTING, actor="basile"))

    card = inventory.card(tag, person())

    assert (card.last.name, card.last.actor, card.last.site) == ("Triaged", "basile", SORTING)
    assert (card.last.occurred_on, card.version) == (STEP_DAY, 2)
