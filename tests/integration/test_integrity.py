"""The integrity chain on SQLite and PostgreSQL: tampering with plain SQL is found and named."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from psycopg import sql

from tracker import storage
from tracker.application import Inventory
from tracker.bootstrap import open_inventory as open_from_settings
from tracker.commands import DonatedUnit, RecordDataWipe, RegisterDonation, Triage
from tracker.domain.vocabulary import Check
from tracker.integrity import ChainedRecorder, ChainedSQLiteRecorder, chained
from tracker.settings import Settings
from tracker.verification import Breach, Break, verify


def donation(*units: DonatedUnit, received_on: date = date(2026, 5, 4)) -> RegisterDonation:
    return RegisterDonation(command_id=uuid4(), actor="alice", site="Rennes", programme="CD35",
                            donor="Rennes", received_on=received_on, units=units)  # fmt: skip


def laptop() -> DonatedUnit:
    return DonatedUnit(device_type="laptop", brand="Lenovo", model="T480")


def triage(tag: str) -> Triage:
    return Triage(command_id=uuid4(), tag=tag, seen_version=1, actor="bob", site="Rennes",
                  occurred_on=date(2026, 5, 20), checks=dict.fromkeys(map(str, Check), "ok"),
                  grade="B", outcome="recondition")  # fmt: skip


def wipe(tag: str) -> RecordDataWipe:
    return RecordDataWipe(command_id=uuid4(), tag=tag, seen_version=2, actor="bob", site="Rennes",
                          occurred_on=date(2026, 5, 20), method="software_overwrite",
                          result="success", tool="nwipe")  # fmt: skip


class Log:
    """Plain SQL on the test's store, as someone with database access would tamper with it."""

    def __init__(self, inventory: Inventory) -> None:
        self.recorder: ChainedRecorder = chained(inventory.recorder)
        self.backend = "sqlite" if isinstance(self.recorder, ChainedSQLiteRecorder) else "postgres"

    def run(self, statement: str, *params: Any) -> list[tuple[Any, ...]]:
        """Run one statement; {events} and {chain} name the tables, ? marks parameters."""
        recorder = self.recorder
        if self.backend == "sqlite":
            text = statement.format(events=recorder.events_table_name, chain=recorder.chain_table)
            with recorder.datastore.transaction(commit=True) as cursor:
                cursor.execute(text, params)
                return [tuple(row) for row in cursor.fetchall()]
        schema = recorder.datastore.schema
        names = {
            "events": sql.SQL("{}.{}").format(
                sql.Identifier(schema), sql.Identifier(recorder.events_table_name)
            ),
            "chain": sql.SQL("{}.{}").format(
                sql.Identifier(schema), sql.Identifier(recorder.chain_table)
            ),
        }
        text = statement.replace("rowid", "notification_id").replace("?", "%s")
        with recorder.datastore.transaction(commit=True) as cursor:
            cursor.execute(sql.SQL(text).format(**names), params)  # type: ignore[arg-type]
            try:
                return [tuple(row.values()) for row in cursor.fetchall()]
            except psycopg.ProgrammingError:  # no result rows
                return []

    def positions(self) -> list[int]:
        return [row[0] for row in self.run("SELECT rowid FROM {events} ORDER BY rowid")]


@pytest.fixture
def log(inventory: Inventory) -> Log:
    """A log of a few dozen events: donations, triages, wipes."""
    for received in (date(2026, 5, 4), date(2026, 5, 11), date(2026, 5, 18)):
        tags = inventory.register_donation(
            donation(*(laptop() for _ in range(4)), received_on=received)
        ).tags
        for tag in tags[:3]:
            inventory.record(triage(tag))
            inventory.record(wipe(tag))
    return Log(inventory)


def broken(log: Log) -> Break | None:
    return verify(log.recorder, batch=7).broken  # a small batch crosses page boundaries


def test_an_untouched_log_verifies_up_to_its_last_event(log: Log) -> None:
    verdict = verify(log.recorder, batch=7)
    positions = log.positions()
    assert verdict.intact
    assert verdict.checked == len(positions) > 3 * (4 + 3 * 2)  # computers and steps, and more
    assert verdict.head is not None
    assert verdict.head.position == positions[-1]


def test_an_update_of_one_event_is_named(log: Log) -> None:
    target = log.positions()[17]
    log.run("UPDATE {events} SET state = ? WHERE rowid = ?", b'{"grade": "A"}', target)
    assert broken(log) == Break(target, Breach.ALTERED)


def test_a_deleted_event_is_named(log: Log) -> None:
    target = log.positions()[9]
    log.run("DELETE FROM {events} WHERE rowid = ?", target)
    assert broken(log) == Break(target, Breach.DELETED)


def test_an_event_deleted_with_its_link_is_named(log: Log) -> None:
    target = log.positions()[9]
    log.run("DELETE FROM {events} WHERE rowid = ?", target)
    log.run("DELETE FROM {chain} WHERE position = ?", target)
    assert broken(log) == Break(target, Breach.REMOVED)


def test_a_forged_event_inserted_with_sql_is_named(log: Log) -> None:
    last = log.positions()[-1]
    stream = uuid4().hex if log.backend == "sqlite" else str(uuid4())
    log.run(
        "INSERT INTO {events} (originator_id, originator_version, topic, state) "
        "SELECT ?, 1, topic, state FROM {events} WHERE rowid = ?",
        stream,
        log.positions()[5],
    )
    assert broken(log) == Break(log.positions()[-1], Breach.INSERTED)
    assert log.positions()[-1] > last


def test_two_swapped_events_are_named_at_the_first(log: Log) -> None:
    first, second = log.positions()[12], log.positions()[20]
    log.run("UPDATE {events} SET rowid = -1 WHERE rowid = ?", first)
    log.run("UPDATE {events} SET rowid = ? WHERE rowid = ?", first, second)
    log.run("UPDATE {events} SET rowid = ? WHERE rowid = -1", second)
    assert broken(log) == Break(first, Breach.ALTERED)


def test_an_edited_link_is_named(log: Log) -> None:
    target = log.positions()[3]
    log.run("UPDATE {chain} SET link = ? WHERE position = ?", bytes(32), target)
    assert broken(log) == Break(target, Breach.LINK_ALTERED)


def test_the_chain_goes_on_from_the_head_through_later_saves(
    log: Log, inventory: Inventory
) -> None:
    head = verify(log.recorder).head
    inventory.register_donation(donation(laptop(), laptop()))
    verdict = verify(log.recorder)
    assert verdict.intact
    assert head is not None
    assert verdict.head is not None
    assert verdict.head.position > head.position
    assert log.recorder.select_links(head.position - 1, 1)[0] == head


def test_concurrent_writers_keep_one_unbroken_chain(
    open_inventory: Callable[[], Inventory],
) -> None:
    writers = [open_inventory() for _ in range(4)]
    failures: list[BaseException] = []

    def write(inventory: Inventory) -> None:
        try:
            for _ in range(5):
                inventory.register_donation(donation(laptop(), laptop(), laptop()))
        except BaseException as error:  # noqa: BLE001 (reported below)
            failures.append(error)

    threads = [threading.Thread(target=write, args=(w,)) for w in writers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    verdict = verify(chained(writers[0].recorder))
    assert verdict.intact
    assert verdict.checked == len(Log(writers[0]).positions()) > 4 * 5 * 3


@pytest.fixture
def unchained_store(database_url: str, tmp_path: Path) -> tuple[str, int]:
    """A store written by the library's own recorder, as before the chain existed."""
    store = storage.parse(database_url, base=tmp_path)
    storage.prepare(store)
    env = {k: v for k, v in store.env.items() if k != "APPLICATION_RECORDER_TOPIC"}
    old = Inventory(env)
    old.register_donation(donation(laptop(), laptop()))
    written = len(old.recorder.select_notifications(None, 1000))
    old.close()
    return database_url, written


def test_a_log_older_than_the_chain_is_sealed_once_when_opened(
    unchained_store: tuple[str, int],
) -> None:
    url, written = unchained_store
    settings = Settings.from_env({"TRACKER_DATABASE_URL": url})
    inventory = open_from_settings(settings)
    try:
        recorder = chained(inventory.recorder)
        verdict = verify(recorder)
        assert verdict.intact
        assert verdict.checked == written
        inventory.register_donation(donation(laptop()))
        assert recorder.seal() == 0
        later = verify(recorder)
        assert later.intact
        assert later.checked > written
    finally:
        inventory.close()
