"""The bulk path (`Inventory.batched`) and a computer as it was known at a past moment."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from test_inventory import donation, step

from tracker import demo_catalogue as cat
from tracker import storage
from tracker.application import Inventory
from tracker.commands import Transfer, Triage
from tracker.demo import DemoRun, SimulatedClock
from tracker.domain.exceptions import UnknownComputerError, VersionConflictError
from tracker.domain.lifecycle import State
from tracker.history import computer_as_known

ZONE = ZoneInfo("Europe/Paris")


@pytest.fixture
def clock(now: datetime) -> SimulatedClock:
    return SimulatedClock(now)


@pytest.fixture
def store(database_url: str, tmp_path: Path, clock: SimulatedClock) -> Iterator[Inventory]:
    """An Inventory whose clock the test moves."""
    parsed = storage.parse(database_url, base=tmp_path)
    storage.prepare(parsed)
    inventory = Inventory(parsed.env, clock=clock, zone=ZONE)
    yield inventory
    inventory.close()


def head(inventory: Inventory) -> int:
    return inventory.recorder.max_notification_id() or 0


def test_a_batch_writes_its_saves_together_when_full_and_at_the_end(store: Inventory) -> None:
    with store.batched(saves=3):
        tag = store.register_donation(donation()).tags[0]
        store.record(step(Triage, tag, 1))
        assert head(store) == 0  # two saves held in memory
        store.record(step(Transfer, tag, 2, to_site="TL-VITRE"))
        written = head(store)
        assert written == 7  # batch (2 events), tag sequence (2), donated, triaged, transferred
        store.record(step(Transfer, tag, 3, to_site="ESAT-RANCE"))
        assert head(store) == written
    assert head(store) == written + 1
    assert [type(e).__name__ for e in store.computer_events(tag)] == [
        "Donated", "Triaged", "Transferred", "Transferred",
    ]  # fmt: skip


def test_a_batch_that_fails_writes_nothing_it_still_held(store: Inventory) -> None:
    tag = store.register_donation(donation()).tags[0]
    before = head(store)

    def fails_after_a_step() -> None:
        with store.batched(saves=100):
            store.record(step(Triage, tag, 1))
            raise RuntimeError

    with pytest.raises(RuntimeError):
        fails_after_a_step()
    assert head(store) == before
    assert store.computer(tag).state == State.AWAITING_TRIAGE


def test_a_step_refused_inside_a_batch_changes_nothing_and_the_batch_goes_on(
    store: Inventory,
) -> None:
    with store.batched(saves=100):
        tag = store.register_donation(donation()).tags[0]
        store.record(step(Triage, tag, 1))
        with pytest.raises(VersionConflictError):
            store.record(step(Triage, tag, 1))
        store.record(step(Transfer, tag, 2, to_site="TL-VITRE"))
    computer = store.computer(tag)
    assert (computer.version, computer.site) == (3, "TL-VITRE")


def test_the_bulk_path_records_exactly_the_events_of_one_save_per_step(
    store: Inventory, clock: SimulatedClock, tmp_path: Path
) -> None:
    until = datetime(2026, 3, 31, 18, tzinfo=ZONE)
    reference_clock = SimulatedClock(datetime(2026, 1, 1, tzinfo=ZONE))
    reference = Inventory(
        {"PERSISTENCE_MODULE": "eventsourcing.sqlite",
         "SQLITE_DBNAME": str(tmp_path / "reference.sqlite3")},
        clock=reference_clock, zone=ZONE,
    )  # fmt: skip
    clock.now = datetime(2026, 1, 1, tzinfo=ZONE)
    try:
        DemoRun(reference, reference_clock, seed=5, years=1, until=until).run()
        DemoRun(store, clock, seed=5, years=1, until=until, bulk=True).run()
        computers = [
            (str(event.originator_id), event.originator_version, type(event).__name__,
             event.timestamp, vars(event))
            for notification in store.recorder.select_notifications(0, 100_000)
            if "computer" in notification.topic
            for event in [store.mapper.to_domain_event(notification)]
        ]  # fmt: skip
        expected = [
            (str(event.originator_id), event.originator_version, type(event).__name__,
             event.timestamp, vars(event))
            for notification in reference.recorder.select_notifications(0, 100_000)
            if "computer" in notification.topic
            for event in [reference.mapper.to_domain_event(notification)]
        ]  # fmt: skip
    finally:
        reference.close()
    assert len(expected) > 300
    assert sorted(computers, key=lambda e: e[:2]) == sorted(expected, key=lambda e: e[:2])


def test_national_chains_have_their_own_sites_donors_and_labels() -> None:
    chains = cat.national(100)
    assert len(chains) == 100
    assert chains[0] == cat.DEMO
    for attribute in ("programme", "label_prefix"):
        assert len({getattr(chain, attribute) for chain in chains}) == 100
    sites = [site.code for chain in chains for site in chain.sites]
    donors = [donor for chain in chains for donor in chain.donors]
    assert len(set(sites)) == len(sites) == 500
    assert len(set(donors)) == len(donors)


def test_a_computer_as_known_at_a_moment_is_its_record_up_to_then(
    store: Inventory, clock: SimulatedClock
) -> None:
    donated_at = clock.now
    tag = store.register_donation(donation()).tags[0]
    clock.now += timedelta(days=2)
    store.record(step(Triage, tag, 1))
    triaged_at = clock.now
    clock.now += timedelta(days=1)
    store.record(step(Transfer, tag, 2, to_site="TL-VITRE"))

    assert computer_as_known(store, tag, donated_at - timedelta(seconds=1)) is None
    as_donated = computer_as_known(store, tag, donated_at)
    assert as_donated is not None
    assert (as_donated.version, as_donated.state) == (1, State.AWAITING_TRIAGE)
    as_triaged = computer_as_known(store, tag, triaged_at + timedelta(hours=23))
    assert as_triaged is not None
    assert (as_triaged.version, as_triaged.state, as_triaged.site) == (
        2, State.TO_RECONDITION, "RENNES",
    )  # fmt: skip
    now = computer_as_known(store, tag, clock.now)
    assert now is not None
    assert now.site == "TL-VITRE"


def test_a_computer_never_recorded_is_unknown_at_any_moment(
    store: Inventory, now: datetime
) -> None:
    with pytest.raises(UnknownComputerError):
        computer_as_known(store, "CD35-2026-00042", now)
