"""Concurrent writers, in threads and in separate processes: nothing lost, nothing doubled."""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from typing import Any, TypeVar
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import pytest

from tracker import bootstrap
from tracker.application import DonationRegistered, Inventory
from tracker.commands import DonatedUnit, RegisterDonation, StepCommand, Triage
from tracker.domain import asset_tag
from tracker.domain.exceptions import DomainError, VersionConflictError
from tracker.domain.lifecycle import State
from tracker.domain.vocabulary import Check
from tracker.settings import Settings
from tracker.steps import StepRecorded

pytestmark = pytest.mark.slow

THREADS = 8
PROCESSES = 3
WAIT = 60  # seconds a stuck racer may block before the test fails instead of hanging
T = TypeVar("T")


def donation(units: int = 1) -> RegisterDonation:
    return RegisterDonation(
        command_id=uuid4(),
        actor="alice",
        site="Rennes",
        programme="CD35",
        donor="Mairie de Rennes",
        received_on=date(2026, 6, 1),
        units=tuple(DonatedUnit(device_type="laptop", brand="Dell") for _ in range(units)),
    )


def triage(
    tag: str, seen: int, outcome: str = "recondition", command_id: UUID | None = None
) -> Triage:
    return Triage(
        command_id=command_id or uuid4(),
        tag=tag,
        seen_version=seen,
        actor="bob",
        site="Rennes",
        occurred_on=date(2026, 6, 10),
        checks={str(check): "ok" for check in Check},
        grade="A",
        outcome=outcome,
    )


def in_threads(count: int, action: Callable[[int], T]) -> list[T | DomainError]:
    """Run `action(i)` in `count` threads released together; refusals are returned."""
    start = threading.Barrier(count)

    def run(i: int) -> T | DomainError:
        start.wait(timeout=WAIT)
        try:
            return action(i)
        except DomainError as refusal:
            return refusal

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def _racer(
    *, url: str, now: datetime, zone: ZoneInfo, commands: Sequence[Any], **sync: Any
) -> None:
    """One process: its own Inventory, released with the others, reporting plain tuples."""
    outcomes: list[tuple[Any, ...]] = []
    inventory = None
    try:
        # All processes set up at the same moment, as web workers starting together would:
        # open_inventory serialises the library's CREATE TABLE / FUNCTION on PostgreSQL.
        settings = Settings(database_url=url, timezone=str(zone))
        inventory = bootstrap.open_inventory(settings, clock=lambda: now)
        sync["start"].wait(timeout=WAIT)
        for command in commands:
            if isinstance(command, StepCommand):
                done = inventory.record(command)
                outcomes.append(("recorded", done.version, done.replayed))
            else:
                outcomes.append(("registered", inventory.register_donation(command).tags))
    except VersionConflictError as conflict:
        outcomes.append(("conflict", conflict.current, str(conflict.state)))
    except Exception as error:  # noqa: BLE001 (sent to the parent, which fails the test)
        sync["start"].abort()  # release the others at once instead of letting them time out
        outcomes.append(("error", repr(error)))
    finally:
        if inventory is not None:
            inventory.close()
        sync["results"].put(outcomes)


def in_processes(
    url: str, inventory: Inventory, commands_per_process: list[list[Any]]
) -> list[tuple[Any, ...]]:
    """Run each list of commands in its own spawned process, all released together."""
    context = multiprocessing.get_context("spawn")
    sync = {
        "start": context.Barrier(len(commands_per_process)),
        "results": context.Queue(),
    }
    processes = [
        context.Process(
            target=_racer,
            kwargs={
                "url": url,
                "now": inventory.clock(),
                "zone": inventory.zone,
                "commands": commands,
                **sync,
            },
            daemon=True,
        )
        for commands in commands_per_process
    ]
    for process in processes:
        process.start()
    outcomes = [o for _ in processes for o in sync["results"].get(timeout=WAIT * 2)]
    for process in processes:
        process.join(timeout=WAIT)
    errors = [o for o in outcomes if o[0] == "error"]
    assert not errors, errors
    assert [p.exitcode for p in processes] == [0] * len(processes)
    return outcomes


def generated_tags(count: int) -> list[str]:
    return [asset_tag.generated("CD35", 2026, n) for n in range(1, count + 1)]


def test_only_one_of_many_threads_racing_the_same_step_wins(inventory: Inventory) -> None:
    tag = inventory.register_donation(donation()).tags[0]

    outcomes = in_threads(THREADS, lambda _: inventory.record(triage(tag, 1)))

    wins = [o for o in outcomes if isinstance(o, StepRecorded)]
    conflicts = [o for o in outcomes if isinstance(o, VersionConflictError)]
    assert len(wins) == 1
    assert len(conflicts) == THREADS - 1
    assert {(c.current, c.state) for c in conflicts} == {(2, State.TO_RECONDITION)}
    assert [type(e).__name__ for e in inventory.computer_events(tag)] == ["Donated", "Triaged"]


def test_only_one_of_several_processes_racing_the_same_step_wins(
    inventory: Inventory, database_url: str
) -> None:
    tag = inventory.register_donation(donation()).tags[0]
    commands = [[triage(tag, 1)] for _ in range(PROCESSES)]

    outcomes = in_processes(database_url, inventory, commands)

    assert sorted(outcomes) == sorted(
        [("recorded", 2, False)] + [("conflict", 2, "to_recondition")] * (PROCESSES - 1)
    )
    assert len(inventory.computer_events(tag)) == 2


def test_threads_sending_the_same_command_record_it_once_and_all_get_its_version(
    inventory: Inventory,
) -> None:
    tag = inventory.register_donation(donation()).tags[0]
    command = triage(tag, 1)

    outcomes = in_threads(THREADS, lambda _: inventory.record(command))

    assert all(isinstance(o, StepRecorded) for o in outcomes)
    assert {o.version for o in outcomes if isinstance(o, StepRecorded)} == {2}
    assert sum(1 for o in outcomes if isinstance(o, StepRecorded) and not o.replayed) == 1
    assert len(inventory.computer_events(tag)) == 2


def test_concurrent_intakes_in_threads_take_every_number_once_without_gaps(
    inventory: Inventory,
) -> None:
    outcomes = in_threads(THREADS, lambda _: inventory.register_donation(donation(units=2)))

    assert all(isinstance(o, DonationRegistered) and not o.replayed for o in outcomes)
    tags = [tag for o in outcomes if isinstance(o, DonationRegistered) for tag in o.tags]
    assert sorted(tags) == generated_tags(THREADS * 2)


def test_concurrent_intakes_in_processes_take_every_number_once_without_gaps(
    inventory: Inventory, database_url: str
) -> None:
    commands = [[donation(units=2), donation(units=1)] for _ in range(PROCESSES)]

    outcomes = in_processes(database_url, inventory, commands)

    assert len(outcomes) == PROCESSES * 2
    tags = [tag for _, registered in outcomes for tag in registered]
    assert sorted(tags) == generated_tags(PROCESSES * 3)


def test_a_step_saved_by_another_writer_while_this_one_works_is_refused_with_its_state(
    open_inventory: Callable[[], Inventory], monkeypatch: pytest.MonkeyPatch
) -> None:
    ours, theirs = open_inventory(), open_inventory()
    tag = ours.register_donation(donation()).tags[0]
    interleave(monkeypatch, ours, lambda: theirs.record(triage(tag, 1, outcome="dismantle")))

    with pytest.raises(VersionConflictError) as refused:
        ours.record(triage(tag, 1))

    assert (refused.value.current, refused.value.state) == (2, State.TO_DISMANTLE)
    assert ours.computer(tag).state == State.TO_DISMANTLE
    assert len(ours.computer_events(tag)) == 2


def test_a_command_saved_by_another_writer_while_this_one_works_returns_its_result(
    open_inventory: Callable[[], Inventory], monkeypatch: pytest.MonkeyPatch
) -> None:
    ours, theirs = open_inventory(), open_inventory()
    tag = ours.register_donation(donation()).tags[0]
    command = triage(tag, 1)
    interleave(monkeypatch, ours, lambda: theirs.record(command))

    result = ours.record(command)

    assert (result.version, result.state, result.replayed) == (2, State.TO_RECONDITION, True)
    assert len(ours.computer_events(tag)) == 2


def test_an_intake_overtaken_by_another_takes_the_next_numbers(
    open_inventory: Callable[[], Inventory], monkeypatch: pytest.MonkeyPatch
) -> None:
    ours, theirs = open_inventory(), open_inventory()
    ours.register_donation(donation())
    interleave(monkeypatch, ours, lambda: theirs.register_donation(donation(units=2)))

    registered = ours.register_donation(donation(units=2))

    assert registered.tags == tuple(generated_tags(5)[3:])
    assert theirs.computer(generated_tags(3)[1]).state == State.AWAITING_TRIAGE


def interleave(monkeypatch: pytest.MonkeyPatch, app: Inventory, other: Callable[[], Any]) -> None:
    """Make `other` run once just before `app` first saves: a deterministic lost race."""
    save = app.save
    pending = [other]

    def save_after_other(*objects: Any, **kwargs: Any) -> Any:
        while pending:
            pending.pop()()
        return save(*objects, **kwargs)

    monkeypatch.setattr(app, "save", save_after_other)
