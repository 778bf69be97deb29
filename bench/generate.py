"""A seeded data set at any scale, recorded through the domain, with its read models built.

    .venv/bin/python -m bench.generate --url URL [--scale demo|national] [--programmes N]
                                       [--years N] [--seed N]

The demo simulation (tracker/demo.py) runs every step of every computer through the
Inventory's use cases, so each history obeys the lifecycle; the bulk path (`batched`) only
groups the saves (about a thousand steps per transaction) and keeps recent computers in
memory. The national scale is the demo's chain plus one chain per other département, 500
computers a year each, over ten years: about 100 programmes, 500k computers, 5M events.
The read models are then built from the log, as `tracker read-models rebuild` would.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import psycopg
from psycopg import sql

from bench.servers import ROOT, TRACKER, environment, with_schema
from tracker import demo_catalogue as cat
from tracker import storage
from tracker.application import Inventory
from tracker.bootstrap import open_inventory, read_models_of
from tracker.demo import DemoRun, SimulatedClock
from tracker.logs import configure_logging
from tracker.settings import Settings

# A fixed "now", so that the same seed gives the same data set on any day.
UNTIL = (2026, 11, 1)
SCALES = {"demo": (1, 2), "national": (100, 10)}  # programmes, years


@dataclass(frozen=True)
class Generated:
    """What was recorded and how long it took."""

    programmes: int
    years: int
    computers: int
    events: int  # in the log, donation batches and tag sequences included
    directory_events: int  # programmes, sites, donors and accounts, recorded before
    directory_seconds: float
    events_seconds: float
    read_models_seconds: float

    @property
    def events_per_second(self) -> float:
        return self.events / self.events_seconds

    @property
    def total_seconds(self) -> float:
        return self.directory_seconds + self.events_seconds + self.read_models_seconds

    def describe(self) -> str:
        return (
            f"{self.programmes} programme(s) by {self.years} year(s): "
            f"{self.computers:,} computers, "
            f"{self.events:,} events in {self.events_seconds:.0f} s "
            f"({self.events_per_second:,.0f} events/s; read models fed meanwhile), read models "
            f"up to date {self.read_models_seconds:.0f} s later; {self.total_seconds:.0f} s in all"
        )


def generate(url: str, *, programmes: int, years: int, seed: int = 35) -> Generated:
    """Fill the empty store at `url` and build its read models.

    A `tracker project` process feeds the read models while the events are recorded (the two
    use both cores); once the last event is saved, the read models finish catching up here.
    """
    settings = Settings(database_url=url)
    configure_logging(settings, default_level="WARNING")
    zone = settings.zone()
    until = datetime(*UNTIL, 23, 59, tzinfo=zone)
    clock = SimulatedClock(datetime(until.year - years + 1, 1, 1, tzinfo=zone))
    inventory = open_inventory(settings, clock=clock)
    models = read_models_of(settings, inventory)
    try:
        if not inventory.is_empty():
            msg = f"{url} already holds events: generate into an empty store"
            raise RuntimeError(msg)
        run = DemoRun(inventory, clock, seed=seed, years=years, until=until,
                      chains=cat.national(programmes), bulk=True)  # fmt: skip
        started = time.perf_counter()
        run.register_directory()
        directory = time.perf_counter() - started
        first = inventory.recorder.max_notification_id() or 0
        with _projecting(url):
            summary = run.run(directory=False)
        recorded = time.perf_counter() - started - directory
        runner = models.runner(batch_size=5000)
        try:
            runner.catch_up()
        finally:
            runner.close()
        built = time.perf_counter() - started - directory - recorded
        events = (inventory.recorder.max_notification_id() or 0) - first
    finally:
        inventory.close()
    return Generated(
        programmes, years, summary.computers, events, first, directory, recorded, built
    )


@contextmanager
def _projecting(url: str) -> Iterator[None]:
    """`tracker project` on the store while the block runs."""
    process = subprocess.Popen(  # noqa: S603 (our own executable, fixed arguments)
        [str(TRACKER), "project", "--poll", "1"], cwd=ROOT, env=environment(url),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        yield
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=120)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _drop(store: storage.Store) -> None:
    """Remove a store: its SQLite files, or its PostgreSQL schema."""
    if store.backend == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(store.env["SQLITE_DBNAME"] + suffix).unlink(missing_ok=True)
        return
    with psycopg.connect(**storage.connection_params(store), autocommit=True) as conn:  # type: ignore[arg-type]
        conn.execute(
            sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(store.schema))
        )


def drop_store(url: str) -> None:
    """Remove the store at `url` (its files or its schema)."""
    _drop(storage.parse(url, base=ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", required=True, help="an empty store (TRACKER_DATABASE_URL)")
    parser.add_argument("--scale", choices=sorted(SCALES), default="demo")
    parser.add_argument("--programmes", type=int, default=0, help="instead of the scale's")
    parser.add_argument("--years", type=int, default=0, help="instead of the scale's")
    parser.add_argument("--seed", type=int, default=35)
    args = parser.parse_args()
    programmes, years = SCALES[args.scale]
    done = generate(
        args.url,
        programmes=args.programmes or programmes,
        years=args.years or years,
        seed=args.seed,
    )
    print(done.describe())
    print(f"Store: {args.url} ({Path.cwd()})")
    sidecar = sidecar_path(args.url)
    sidecar.write_text(json.dumps(dataclasses.asdict(done)))
    print(f"Figures kept beside it for bench.run --existing: {sidecar}")


def sidecar_path(url: str) -> Path:
    """Where `main` keeps what it measured, so `bench.run --existing` can report it."""
    store = storage.parse(url, base=ROOT)
    name = Path(store.env.get("SQLITE_DBNAME", "")).stem or store.schema
    folder = ROOT / "var" / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"generated-{store.backend}-{name}.json"


def load_sidecar(url: str) -> Generated | None:
    """The figures `main` kept when it generated the store at `url`, if any."""
    path = sidecar_path(url)
    return Generated(**json.loads(path.read_text())) if path.exists() else None


if __name__ == "__main__":
    main()


def raw_insert_rate(url: str, folder: Path, limit: int = 200_000) -> float:
    """Events/s of the library's raw insert of the store's first stored events.

    The first `limit` events, in batches of 5,000, into an empty store of the same backend:
    what recording costs without the simulation, the domain and the serialising.
    """
    source = storage.parse(url, base=ROOT)
    if source.backend == "sqlite":
        copy_url = f"sqlite:///{folder / 'raw-insert.sqlite3'}"
    else:
        copy_url = with_schema(url, "bench_raw_insert")
    copy = storage.parse(copy_url, base=ROOT)
    storage.prepare(copy)
    reader, writer = Inventory(source.env), Inventory(copy.env)
    try:
        seconds, copied, position = 0.0, 0, 0
        while copied < limit:
            page = reader.recorder.select_notifications(position, 5000, inclusive_of_start=False)
            if not page:
                break
            started = time.perf_counter()
            writer.recorder.insert_events(list(page))
            seconds += time.perf_counter() - started
            copied += len(page)
            position = page[-1].id
    finally:
        reader.close()
        writer.close()
        _drop(copy)
    return copied / seconds
