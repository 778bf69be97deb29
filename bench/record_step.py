"""Recording a step through the application, beside the library's raw save and a raw insert.

    .venv/bin/python -m bench.record_step [--url URL | --postgres] [--quick] [--json FILE]

A step is `Inventory.record(Transfer)`: load the computer from its events, check that the
command was not already recorded and that the user saw the current version, run the domain,
save the new event. The computers come from a donation registered at ESAT-RANCE for the run;
they travel ESAT-RANCE -> AI-VILAINE -> ESAT-RANCE… a few times each, so their histories hold
1 to 7 events, like computers in the middle of their lives. Measured with 1 writer, then with
4 writers (threads, each with its own Inventory opened as a separate process would, each on its
own computers): per-command latency (median, p99) and throughput (steps per second).

The baselines run in the same rounds, on the same backend, with as many writers:

- raw library save: a `Crate` aggregate kept in memory, one event with the fields of a
  transfer (strings, a date as ISO string, a UUID) triggered on it, then `app.save(crate)`, in
  an eventsourcing application of its own (`BenchRaw`: its own SQLite file, or its own tables
  in a scratch schema) with the store's persistence settings. The ratio is what the use case
  adds to the library's write: loading the computer, the checks and the domain rules.
- raw insert+commit: the stored bytes of a real transfer event, inserted as one row and
  committed, with the sqlite3 module (WAL, the library's journal mode and default
  synchronous) or psycopg in autocommit, into a scratch table shaped like the library's. The
  ratio is what the whole stack costs over the database's own durable commit, the floor of any
  write path (on PostgreSQL it also shows the library's table lock, which serialises writers).

Rounds alternate the three paths, so drift on a shared machine falls on all of them. Each
row's details give every path's p95, p99, throughput and CPU time per write in the writer
threads (this process only, not the PostgreSQL server's): CPU time moves less than wall time
when other work shares the disk or the cores. Threads share one interpreter (the GIL): N
writers show how the database and the library serialise commits under contention, not how
far several worker processes would go.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass, field
from datetime import date
from itertools import cycle, islice
from pathlib import Path
from typing import Any, Protocol
from uuid import UUID, uuid4

import psycopg
import structlog
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate
from psycopg import sql

from bench import servers
from bench.harness import Report, Row, Target, Timings
from tracker import demo_catalogue as cat
from tracker import storage
from tracker.application import MAX_UNITS_PER_DONATION, Inventory
from tracker.bootstrap import open_inventory
from tracker.commands import DonatedUnit, RegisterDonation, Transfer
from tracker.demo_directory import donor_code
from tracker.logs import configure_logging
from tracker.settings import Settings

WRITERS = 4
ROUNDS = 10  # each path runs once per round, in turn: noise from other work falls on all three
WARM_UP = 20  # untimed writes per writer and path first: connections, statements, caches
TRANSFERS_PER_COMPUTER = 6  # histories of 1 to 7 events
START_TIMEOUT = 120.0  # seconds for every writer thread to reach the start line
HOME, AWAY = cat.ESAT, cat.WORKSHOP  # a sorting workshop and an insertion workshop

STEP, RAW_SAVE, RAW_INSERT = "step", "raw library save", "raw insert+commit"


@dataclass(frozen=True)
class Phase:
    """How many writers write at once, and how many timed writes each makes per path and round."""

    writers: int
    writes_per_round: int

    @property
    def writes_per_writer(self) -> int:
        return self.writes_per_round * ROUNDS

    @property
    def label(self) -> str:
        return "1 writer" if self.writers == 1 else f"{self.writers} writers"

    @property
    def computers_per_writer(self) -> int:
        return math.ceil((WARM_UP + self.writes_per_writer) / TRANSFERS_PER_COMPUTER)


QUICK = (Phase(1, 12), Phase(WRITERS, 5))  # 320 timed steps
FULL = (Phase(1, 150), Phase(WRITERS, 36))  # 2,940 timed steps


class Writer(Protocol):
    def write_one(self) -> None: ...


# -- the path measured: a step through the application ----------------------------------------


class StepWriter:
    """Transfers its computers to and fro with `Inventory.record`, one new command each time."""

    def __init__(self, inventory: Inventory, tags: Sequence[str], occurred_on: date) -> None:
        self.inventory = inventory
        self.occurred_on = occurred_on
        self.version = dict.fromkeys(tags, 1)  # a computer just donated is at version 1
        self.site = dict.fromkeys(tags, HOME)
        self.turns = cycle(tags)

    def write_one(self) -> None:
        tag = next(self.turns)
        here = self.site[tag]
        there = AWAY if here is HOME else HOME
        command = Transfer(
            command_id=uuid4(), tag=tag, seen_version=self.version[tag], actor=here.staff[0],
            site=here.code, occurred_on=self.occurred_on, to_site=there.code,
        )  # fmt: skip
        self.version[tag] = self.inventory.record(command).version
        self.site[tag] = there


# -- baseline: the library's save alone --------------------------------------------------------


class Crate(Aggregate):
    """The raw baseline's aggregate: moved between two sites, one event per move."""

    class Moved(Aggregate.Event):
        command_id: UUID
        actor: str
        site: str
        occurred_on: str  # an ISO date
        note: str
        to_site: str

        def apply(self, aggregate: Any) -> None:
            aggregate.site = self.to_site

    def __init__(self, site: str) -> None:
        self.site = site

    def move(self, *, command_id: UUID, actor: str, occurred_on: str, to_site: str) -> None:
        self.trigger_event(
            self.Moved, command_id=command_id, actor=actor, site=self.site,
            occurred_on=occurred_on, note="", to_site=to_site,
        )  # fmt: skip


class BenchRaw(Application[UUID]):
    """The raw baseline's application: the library alone, in tables of its own."""

    name = "BenchRaw"


class RawSaveWriter:
    """Moves crates kept in memory and saves each one: no load, no check."""

    def __init__(self, app: BenchRaw, crates: int, occurred_on: date) -> None:
        self.app = app
        self.crates = [Crate(site=HOME.code) for _ in range(crates)]
        app.save(*self.crates)
        self.turns = cycle(self.crates)
        self.occurred_on = occurred_on.isoformat()

    def write_one(self) -> None:
        crate = next(self.turns)
        here = HOME if crate.site == HOME.code else AWAY
        there = AWAY if here is HOME else HOME
        crate.move(command_id=uuid4(), actor=here.staff[0], occurred_on=self.occurred_on,
                   to_site=there.code)  # fmt: skip
        self.app.save(crate)


# -- baseline: the database's own insert and commit -------------------------------------------


@dataclass(frozen=True)
class StoredRow:
    """The topic and state of a real transfer event, as the store keeps them."""

    topic: str
    state: bytes


SQLITE_TABLE = (
    "CREATE TABLE IF NOT EXISTS raw_rows (originator_id TEXT, originator_version INTEGER, "
    "topic TEXT, state BLOB, PRIMARY KEY (originator_id, originator_version))"
)  # the library's SQLite events table
SQLITE_INSERT = "INSERT INTO raw_rows VALUES (?, ?, ?, ?)"
POSTGRES_TABLE = (
    "CREATE TABLE {schema}.raw_rows (originator_id uuid NOT NULL, "
    "originator_version bigint NOT NULL, topic text, state bytea, notification_id bigserial, "
    "PRIMARY KEY (originator_id, originator_version));"
    "CREATE UNIQUE INDEX ON {schema}.raw_rows (notification_id)"
)  # the library's PostgreSQL events table
POSTGRES_INSERT = (
    "INSERT INTO {schema}.raw_rows (originator_id, originator_version, topic, state) "
    "VALUES (%s, %s, %s, %s)"
)


class SQLiteInsertWriter:
    """BEGIN, one INSERT, COMMIT: what the library sends for a save, without the library."""

    def __init__(self, connection: sqlite3.Connection, row: StoredRow) -> None:
        self.connection = connection
        self.row = row

    def write_one(self) -> None:
        self.connection.execute("BEGIN")
        self.connection.execute(SQLITE_INSERT, (uuid4().hex, 1, self.row.topic, self.row.state))
        self.connection.execute("COMMIT")


class PostgresInsertWriter:
    """One INSERT in autocommit: a transaction and a durable commit, nothing else."""

    def __init__(self, connection: psycopg.Connection[Any], schema: str, row: StoredRow) -> None:
        self.connection = connection
        self.statement = sql.SQL(POSTGRES_INSERT).format(schema=sql.Identifier(schema))
        self.row = row

    def write_one(self) -> None:
        self.connection.execute(self.statement, (uuid4(), 1, self.row.topic, self.row.state))


@dataclass(frozen=True)
class Scratch:
    """Where the baselines write: the raw application's settings, and raw insert writers."""

    raw_app_env: dict[str, str]
    open_inserter: Callable[[StoredRow, ExitStack], Writer]


def sqlite_scratch(store: storage.Store, folder: Path, cleanup: ExitStack) -> Scratch:
    stem = f"bench-record-step-{uuid4().hex[:8]}"
    raw_app_file, insert_file = folder / f"{stem}-raw.sqlite3", folder / f"{stem}-insert.sqlite3"
    for file in (raw_app_file, insert_file):
        cleanup.callback(remove_sqlite_file, file)
    with closing(sqlite3.connect(insert_file, isolation_level=None)) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute(SQLITE_TABLE)
    lock_timeout = float(store.env.get("SQLITE_LOCK_TIMEOUT", "5"))

    def open_inserter(row: StoredRow, phase_cleanup: ExitStack) -> Writer:
        connection = sqlite3.connect(
            insert_file, isolation_level=None, timeout=lock_timeout, check_same_thread=False
        )
        phase_cleanup.callback(connection.close)
        return SQLiteInsertWriter(connection, row)

    return Scratch({**store.env, "SQLITE_DBNAME": str(raw_app_file)}, open_inserter)


def remove_sqlite_file(file: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{file}{suffix}").unlink(missing_ok=True)


def postgres_scratch(store: storage.Store, cleanup: ExitStack) -> Scratch:
    params: dict[str, Any] = storage.connection_params(store)
    schema = f"bench_record_step_{uuid4().hex[:8]}"
    with psycopg.connect(**params, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        cleanup.callback(drop_schema, params, schema)
        connection.execute(sql.SQL(POSTGRES_TABLE).format(schema=sql.Identifier(schema)))

    def open_inserter(row: StoredRow, phase_cleanup: ExitStack) -> Writer:
        connection = psycopg.connect(**params, autocommit=True)
        phase_cleanup.callback(connection.close)
        return PostgresInsertWriter(connection, schema, row)

    return Scratch({**store.env, "POSTGRES_SCHEMA": schema}, open_inserter)


def drop_schema(params: dict[str, Any], schema: str) -> None:
    with psycopg.connect(**params, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
        )


# -- setting up: computers to move, the sample event, the scratch database --------------------


@dataclass(frozen=True)
class Setup:
    """What every phase draws on: the store, the scratch database, the computers and the date."""

    target: Target
    scratch: Scratch
    row: StoredRow
    raw_event_bytes: int
    occurred_on: date
    tags: Iterator[str]


def prepare(target: Target, phases: Sequence[Phase], cleanup: ExitStack) -> Setup:
    """Register the computers of the run, record one sample step, open the scratch database."""
    store = storage.parse(target.database_url, base=Path.cwd())
    inventory = open_inventory(Settings(database_url=target.database_url))
    try:
        occurred_on = inventory.today()
        needed = 1 + sum(phase.writers * phase.computers_per_writer for phase in phases)
        tags = register_computers(inventory, needed, occurred_on)
        row = sample_row(inventory, tags[0], occurred_on)
        raw_bytes = raw_event_bytes(inventory, occurred_on)
    finally:
        inventory.close()
    if store.backend == "sqlite":
        scratch = sqlite_scratch(store, target.folder, cleanup)
    else:
        scratch = postgres_scratch(store, cleanup)
    return Setup(target, scratch, row, raw_bytes, occurred_on, iter(tags[1:]))


def register_computers(inventory: Inventory, count: int, received_on: date) -> list[str]:
    """Laptops donated at ESAT-RANCE by a donor of the demo programme: their tags."""
    donor = donor_code(cat.DONORS[0])
    inventory.donor(donor)  # fails at once on a store without the demo's reference data
    tags: list[str] = []
    while len(tags) < count:
        units = min(MAX_UNITS_PER_DONATION, count - len(tags))
        request = RegisterDonation(
            command_id=uuid4(), actor=HOME.staff[0], site=HOME.code, programme=cat.PROGRAMME,
            donor=donor, received_on=received_on,
            units=(DonatedUnit(device_type="laptop", brand="Dell", model="Latitude 5490"),) * units,
        )  # fmt: skip
        tags += inventory.register_donation(request).tags
    return tags


def sample_row(inventory: Inventory, tag: str, occurred_on: date) -> StoredRow:
    """One real transfer on a spare computer: the stored bytes the raw insert writes."""
    StepWriter(inventory, [tag], occurred_on).write_one()
    computer_id = inventory.computer(tag).id
    stored = inventory.recorder.select_events(computer_id, desc=True, limit=1)[0]
    return StoredRow(stored.topic, stored.state)


def raw_event_bytes(inventory: Inventory, occurred_on: date) -> int:
    """The stored size of the raw baseline's event, with the store's persistence settings."""
    crate = Crate(site=HOME.code)
    crate.move(command_id=uuid4(), actor=HOME.staff[0], occurred_on=occurred_on.isoformat(),
               to_site=AWAY.code)  # fmt: skip
    moved = crate.collect_events()[-1]
    return len(inventory.mapper.to_stored_event(moved).state)


def open_writers(setup: Setup, phase: Phase, cleanup: ExitStack) -> dict[str, list[Writer]]:
    """Each path's writers for a phase, each with its own application or connection."""
    writers: dict[str, list[Writer]] = {STEP: [], RAW_SAVE: [], RAW_INSERT: []}
    for _ in range(phase.writers):
        inventory = open_inventory(Settings(database_url=setup.target.database_url))
        cleanup.callback(inventory.close)
        tags = list(islice(setup.tags, phase.computers_per_writer))
        writers[STEP].append(StepWriter(inventory, tags, setup.occurred_on))
        raw_app = BenchRaw(setup.scratch.raw_app_env)
        cleanup.callback(raw_app.close)
        writers[RAW_SAVE].append(RawSaveWriter(raw_app, len(tags), setup.occurred_on))
        writers[RAW_INSERT].append(setup.scratch.open_inserter(setup.row, cleanup))
    return writers


# -- measuring ----------------------------------------------------------------------------------


@dataclass
class Tally:
    """The timings of one path in one phase, over every round."""

    seconds: list[float] = field(default_factory=list)
    wall_seconds: float = 0.0
    cpu_seconds: float = 0.0  # of the writer threads: steadier than wall time on a busy machine

    @property
    def timings(self) -> Timings:
        return Timings.of_seconds(self.seconds)

    @property
    def per_second(self) -> float:
        return len(self.seconds) / self.wall_seconds

    def summary(self) -> dict[str, float]:
        cpu_ms = self.cpu_seconds / len(self.seconds) * 1000
        return {**self.timings.summary(), "per_s": round(self.per_second, 1),
                "cpu_ms": round(cpu_ms, 3)}  # fmt: skip


def burst(writers: Sequence[Writer], each: int, tally: Tally | None = None) -> None:
    """Every writer writes `each` times, all at once, each in its own thread."""
    start_line = threading.Barrier(len(writers) + 1, timeout=START_TIMEOUT)
    with ThreadPoolExecutor(len(writers), thread_name_prefix="bench-writer") as pool:
        futures = [pool.submit(timed_writes, writer, each, start_line) for writer in writers]
        start_line.wait()
        started = time.perf_counter()
        results = [future.result() for future in futures]
        wall = time.perf_counter() - started
    if tally is not None:
        for seconds, cpu_seconds in results:
            tally.seconds += seconds
            tally.cpu_seconds += cpu_seconds
        tally.wall_seconds += wall


def timed_writes(
    writer: Writer, count: int, start_line: threading.Barrier
) -> tuple[list[float], float]:
    """The wall time of each write, and the CPU time this thread spent on them all."""
    start_line.wait()
    seconds = []
    cpu_started = time.thread_time()
    for _ in range(count):
        started = time.perf_counter()
        writer.write_one()
        seconds.append(time.perf_counter() - started)
    return seconds, time.thread_time() - cpu_started


def run_phase(writers: dict[str, list[Writer]], phase: Phase) -> dict[str, Tally]:
    for path_writers in writers.values():
        burst(path_writers, WARM_UP)
    tallies = {path: Tally() for path in writers}
    for _ in range(ROUNDS):
        for path, path_writers in writers.items():
            burst(path_writers, phase.writes_per_round, tallies[path])
    return tallies


def add_rows(
    report: Report, setup: Setup, phase: Phase, tallies: dict[str, Tally], load: list[float]
) -> None:
    """Latency beside the library's save; throughput beside the save, then beside SQL."""
    step, save, insert = tallies[STEP], tallies[RAW_SAVE], tallies[RAW_INSERT]
    target = setup.target
    details = {
        "writers": phase.writers,
        "rounds": ROUNDS,
        "load_average_1min_before_after": load,  # other work on a shared machine shows here
        "events_per_computer": f"1 to {TRANSFERS_PER_COMPUTER + 1}",
        "event_bytes": {STEP: len(setup.row.state), RAW_SAVE: setup.raw_event_bytes,
                        RAW_INSERT: len(setup.row.state)},
        **{path: tally.summary() for path, tally in tallies.items()},
    }  # fmt: skip
    path = f"record a step (application, {phase.label})"
    for suffix, figure, unit, baseline_name, baseline, kind in (
        ("", step.timings.median, "ms", RAW_SAVE, save.timings.median, "time"),
        (", throughput", step.per_second, "steps/s", RAW_SAVE, save.per_second, "rate"),
        (", throughput vs SQL", step.per_second, "steps/s", RAW_INSERT, insert.per_second, "rate"),
    ):
        report.add(Row(f"{path}{suffix}", target.backend, target.scale, figure, unit,
                       baseline_name, baseline, kind, details))  # fmt: skip


def measure(report: Report, target: Target) -> None:
    """Add this benchmark's rows: 1 writer, then WRITERS writers, each beside its baselines.

    The transfers recorded stay in the store (real events); everything else is removed, even
    on error. Logs go where the caller configured them; unconfigured, structlog would print
    every step's info line, so they are then set to warnings only, as for the bench servers.
    """
    if not structlog.is_configured():
        configure_logging(Settings(), default_level="WARNING")
    phases = QUICK if target.quick else FULL
    target.folder.mkdir(parents=True, exist_ok=True)
    with ExitStack() as cleanup:
        setup = prepare(target, phases, cleanup)
        for phase in phases:
            load_before = os.getloadavg()[0]
            with ExitStack() as phase_cleanup:
                tallies = run_phase(open_writers(setup, phase, phase_cleanup), phase)
            add_rows(report, setup, phase, tallies, [load_before, os.getloadavg()[0]])


# -- running it alone ---------------------------------------------------------------------------


def load_demo(database_url: str) -> None:
    print("Generating one year of the demo programme…", file=sys.stderr, flush=True)
    command = [str(servers.TRACKER), "demo", "--years", "1", "--seed", "35"]
    done = subprocess.run(  # noqa: S603 (our own executable, fixed arguments)
        command, cwd=servers.ROOT, env=servers.environment(database_url),
        capture_output=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        sys.exit(f"`tracker demo` failed ({done.returncode}):\n{done.stderr.decode()[-2000:]}")


@contextmanager
def demo_store(backend: str, folder: Path) -> Iterator[str]:
    """A year of the demo programme in a new SQLite file or PostgreSQL schema: its URL."""
    if backend == "sqlite":
        url = servers.store_url("sqlite", folder, "")
        load_demo(url)
        yield url
        return
    with servers.postgres() as server:
        url = servers.store_url("postgres", folder, server)
        store = storage.parse(url, base=Path.cwd())
        try:
            load_demo(url)
            yield url
        finally:
            drop_schema(dict(storage.connection_params(store)), store.schema)


@contextmanager
def store_for(args: argparse.Namespace, folder: Path) -> Iterator[str]:
    if args.url:
        yield args.url
        return
    with demo_store("postgres" if args.postgres else "sqlite", folder) as url:
        yield url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="", help="a store with the demo's reference data")
    parser.add_argument(
        "--postgres", action="store_true", help="without --url: the demo in PostgreSQL, not SQLite"
    )
    parser.add_argument("--scale", default="demo", help="the scale named in the rows")
    parser.add_argument("--quick", action="store_true", help="a few hundred steps, not thousands")
    parser.add_argument("--json", default="", help="also write the rows to this file")
    args = parser.parse_args()
    configure_logging(Settings(), default_level="WARNING")
    report = Report()
    folder = Path(tempfile.mkdtemp(prefix="tracker-bench-"))
    try:
        with store_for(args, folder) as url:
            backend = storage.parse(url, base=Path.cwd()).backend
            target = Target(backend, args.scale, url, folder, quick=args.quick)
            started = time.perf_counter()
            measure(report, target)
            print(f"Measured in {time.perf_counter() - started:.1f} s.", file=sys.stderr)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(report.table())
    if args.json:
        report.write_json(Path(args.json))


if __name__ == "__main__":
    main()
