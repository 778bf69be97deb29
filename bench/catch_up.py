"""Read-model catch-up and a full rebuild, beside the raw speed of reading the same log.

Baseline: read and decode the log (`select_notifications` + `to_domain_event`, batches of
5,000), which every way of feeding read models must do. Measured against it:

- catch-up: all read models built from the start of the log into a fresh, empty database
  (a new SQLite file or PostgreSQL schema), in-process, batches of 5,000; at demo scale the
  median of several rounds, at national scale the first `NATIONAL_SLICE` events;
- full rebuild: `tracker rebuild` run as its own process on the whole log (scratch tables
  filled, then swapped in), its wall time and its peak resident memory, beside the peak
  memory of a process that only reads and decodes the whole log.
"""

from __future__ import annotations

import sys
import time
import uuid
from pathlib import Path

import psycopg

from bench.harness import Report, Row, Target, median, run_measuring_rss
from bench.servers import ROOT, TRACKER, environment
from projections.database import Database, PostgresDatabase, SQLiteDatabase
from projections.migrate import migrate
from projections.runner import Runner
from tracker import storage
from tracker.application import Inventory
from tracker.bootstrap import open_inventory
from tracker.logs import configure_logging
from tracker.settings import Settings

BATCH = 5000
NATIONAL_SLICE = 500_000


def raw_read(app: Inventory, until: int | None = None) -> int:
    """Read and decode the log up to `until` (the whole log by default); events read."""
    read, position = 0, 0
    while True:
        page = app.recorder.select_notifications(position, BATCH, stop=until,
                                                 inclusive_of_start=False)  # fmt: skip
        if not page:
            return read
        for notification in page:
            app.mapper.to_domain_event(notification)
        read += len(page)
        position = page[-1].id


def fresh_database(store: storage.Store, folder: Path) -> Database:
    if store.backend == "sqlite":
        return SQLiteDatabase(folder / f"catch-up-{uuid.uuid4().hex[:8]}.sqlite3")
    schema = f"catch_up_{uuid.uuid4().hex[:8]}"
    params = storage.connection_params(store)
    with psycopg.connect(**params, autocommit=True) as conn:  # type: ignore[arg-type]
        conn.execute(f'CREATE SCHEMA "{schema}"')  # type: ignore[arg-type]
    return PostgresDatabase(params, schema)


def drop(database: Database) -> None:
    if isinstance(database, PostgresDatabase):
        with psycopg.connect(**database.params, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{database.schema}" CASCADE')  # type: ignore[arg-type]
    elif isinstance(database, SQLiteDatabase):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database.path}{suffix}").unlink(missing_ok=True)


def catch_up_once(app: Inventory, store: storage.Store, folder: Path, until: int) -> float:
    """Seconds to build every read model up to `until` into a fresh database."""
    database = fresh_database(store, folder)
    try:
        migrate(database)
        runner = Runner(app, database, batch_size=BATCH)
        try:
            started = time.perf_counter()
            runner.catch_up(until=until)
            return time.perf_counter() - started
        finally:
            runner.close()
    finally:
        drop(database)


def measure(report: Report, target: Target) -> None:
    settings = Settings(database_url=target.database_url)
    configure_logging(settings, default_level="WARNING")
    store = storage.parse(target.database_url, base=ROOT)
    app = open_inventory(settings)
    try:
        head = app.recorder.max_notification_id() or 0
        until = min(head, NATIONAL_SLICE) if target.scale == "national" else head
        rounds = 1 if target.scale == "national" or target.quick else 3
        raw_rates, rates = [], []
        for _ in range(rounds):
            started = time.perf_counter()
            events = raw_read(app, until)
            raw_rates.append(events / (time.perf_counter() - started))
            rates.append(events / catch_up_once(app, store, target.folder, until))
    finally:
        app.close()
    report.add(Row("read models: catch-up, all of them", target.backend, target.scale,
                   median(rates), "events/s", "raw read + decode", median(raw_rates), "rate",
                   {"events": events, "rounds": rounds}))  # fmt: skip
    if (target.quick and target.scale != "national") or not target.rebuild:
        return
    _full_rebuild(report, target, head)


def _full_rebuild(report: Report, target: Target, head: int) -> None:
    """`tracker rebuild` as its own process: its speed and peak memory, beside a raw read."""
    env = environment(target.database_url)
    python = str(TRACKER.parent / "python")
    reader = [python, "-m", "bench.catch_up", target.database_url]
    raw_seconds, raw_rss = run_measuring_rss(reader, env, ROOT)
    seconds, rss = run_measuring_rss([str(TRACKER), "rebuild"], env, ROOT)
    report.add(Row("read models: full rebuild (own process)", target.backend, target.scale,
                   head / seconds, "events/s", "raw read + decode", head / raw_seconds, "rate",
                   {"events": head, "seconds": round(seconds, 1)}))  # fmt: skip
    report.add(Row("memory: full rebuild, peak RSS", target.backend, target.scale, rss, "MiB",
                   "raw read + decode", raw_rss, "memory"))  # fmt: skip


def read_store(url: str) -> None:
    """Read and decode the whole log of a store (the baseline process of `_full_rebuild`)."""
    settings = Settings(database_url=url)
    configure_logging(settings, default_level="WARNING")
    app = open_inventory(settings)
    try:
        raw_read(app)
    finally:
        app.close()


if __name__ == "__main__":
    read_store(sys.argv[1])
