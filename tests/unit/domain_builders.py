"""Builders for domain tests: a recording context, and the given events that lead to each state."""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest

from tracker.domain.computer import Computer
from tracker.domain.exceptions import DomainError
from tracker.domain.lifecycle import State
from tracker.domain.recording import Recording
from tracker.domain.vocabulary import Check

TODAY = date(2026, 6, 15)
RECORDED_AT = datetime(2026, 6, 15, 9, 30, tzinfo=UTC)
TAG = "CD35-2026-00001"
SITE = "ESAT-RENNES"
OTHER_SITE = "ATELIER-INSERTION"
BATCH_ID = UUID("00000000-0000-4000-8000-000000000001")
ALL_CHECKS_OK = {str(check): "ok" for check in Check}


def recording(
    *,
    occurred_on: date = TODAY,
    site: str = SITE,
    actor: str = "agent-07",
    note: str = "",
    today: date = TODAY,
    recorded_at: datetime = RECORDED_AT,
    command_id: UUID | None = None,
) -> Recording:
    """A valid recording context; every field can be overridden."""
    return Recording(
        command_id=command_id or uuid4(),
        actor=actor,
        site=site,
        occurred_on=occurred_on,
        recorded_at=recorded_at,
        today=today,
        note=note,
    )


def donate(rec: Recording | None = None, *, tag: str = TAG, brand: str = "Dell") -> Computer:
    return Computer.donate(
        rec or recording(),
        tag=tag,
        programme="CD35",
        batch_id=BATCH_ID,
        donor="Mairie de Rennes",
        device_type="laptop",
        brand=brand,
        model="Latitude 5490",
        serial="SN-123",
    )


# -- each step with valid arguments ---------------------------------------------------------


def triage(computer: Computer, rec: Recording, *, outcome: str = "recondition") -> None:
    computer.triage(rec, checks=ALL_CHECKS_OK, grade="B", outcome=outcome)


def wipe(computer: Computer, rec: Recording, *, result: str = "success") -> None:
    computer.record_data_wipe(rec, method="software_overwrite", result=result, tool="nwipe")


def dismantle(computer: Computer, rec: Recording) -> None:
    computer.dismantle(
        rec,
        components=[{"kind": "ram", "count": 2, "reusable": True}],
        materials_kg={"plastics": "1.2", "circuit_boards": Decimal("0.4")},
        outlet="Envie 35",
    )


def recondition(computer: Computer, rec: Recording, *, quality_check_passed: bool = True) -> None:
    computer.recondition(
        rec,
        work_done=["cleaning", "os_installed"],
        operating_system="Linux Mint 22",
        quality_check_passed=quality_check_passed,
        hours_of_work="2.5",
        final_grade="A",
    )


def loan(computer: Computer, rec: Recording, **overrides: Any) -> None:
    arguments: dict[str, Any] = {
        "beneficiary_code": "BN-7K3P9Q",
        "agreement_start": TODAY,
        "agreement_end": date(2028, 6, 15),
        "contribution_eur": "25",
        "contribution_method": "cash",
    }
    computer.loan(rec, **(arguments | overrides))


def take_back(computer: Computer, rec: Recording) -> None:
    computer.take_back(rec, reason="end_of_agreement", condition="good")


def transfer(computer: Computer, rec: Recording) -> None:
    computer.transfer(rec, to_site=OTHER_SITE)


def write_off(computer: Computer, rec: Recording) -> None:
    computer.write_off(rec, reason="lost")


Command = Callable[[Computer, Recording], None]

# The valid steps, from a fresh donation, that lead to each state (data wiped on the way).
PATHS: dict[State, tuple[Command, ...]] = {
    State.AWAITING_TRIAGE: (),
    State.TO_RECONDITION: (triage,),
    State.TO_DISMANTLE: (functools.partial(triage, outcome="dismantle"),),
    State.READY_TO_LOAN: (triage, wipe, recondition),
    State.ON_LOAN: (triage, wipe, recondition, loan),
    State.DISMANTLED: (functools.partial(triage, outcome="dismantle"), wipe, dismantle),
    State.WRITTEN_OFF: (write_off,),
}


def history(*commands: Command, **donation: Any) -> list[Any]:
    """The events of a donation followed by these steps, all recorded today."""
    computer = donate(**donation)
    for command in commands:
        command(computer, recording())
    return list(computer.collect_events())


def history_to(state: State, *, wiped: bool = False) -> list[Any]:
    """The events that bring a computer to `state`; with `wiped`, its data is wiped too."""
    steps = PATHS[state]
    if wiped and state in (State.AWAITING_TRIAGE, State.TO_RECONDITION, State.TO_DISMANTLE):
        steps = (*steps, wipe)
    return history(*steps)


def replay(events: Sequence[Any]) -> Computer:
    """The aggregate rebuilt from its events, with nothing pending."""
    computer: Computer = functools.reduce(lambda agg, event: event.mutate(agg), events, None)
    return computer


def given(state: State, *, wiped: bool = False) -> Computer:
    return replay(history_to(state, wiped=wiped))


def assert_refused(
    computer: Computer, error: type[DomainError], attempt: Callable[[], object]
) -> DomainError:
    """The attempt raises `error`, records no event and leaves the computer as it was."""
    pending = list(computer.pending_events)
    before = copy.deepcopy(vars(computer))
    with pytest.raises(error) as refusal:
        attempt()
    assert computer.pending_events == pending
    assert vars(computer) == before
    return refusal.value
