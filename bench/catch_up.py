"""Projection catch-up speed beside the raw speed of reading and decoding the same log.

    .venv/bin/python bench/catch_up.py [--url URL] [--years N] [--rounds N] [--json FILE]

With no --url, a demo programme is generated into a temporary SQLite file. Each round reads
and decodes the whole log (select_notifications + to_domain_event: the baseline), then builds
all read models from scratch into a fresh database (a new SQLite file, or a new PostgreSQL
schema) with the same batch size. The medians and their ratio are printed (and written as JSON).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path

import psycopg

from projections.database import Database, PostgresDatabase, SQLiteDatabase
from projections.migrate import migrate
from projections.runner import Runner
from tracker import storage
from tracker.application import Inventory
from tracker.bootstrap import open_inventory
from tracker.demo import DemoRun, SimulatedClock
from tracker.logs import configure_logging
from tracker.settings import Settings

BATCH = 5000


def raw_read(app: Inventory) -> int:
    read, position = 0, 0
    while True:
        page = app.recorder.select_notifications(position, BATCH, inclusive_of_start=False)
        if not page:
            return read
        for notification in page:
            app.mapper.to_domain_event(notification)
        read += len(page)
        position = page[-1].id


def fresh_database(store: storage.Store, folder: Path) -> Database:
    if store.backend == "sqlite":
        return SQLiteDatabase(folder / f"bench-{uuid.uuid4().hex[:8]}.sqlite3")
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    params = storage.connection_params(store)
    with psycopg.connect(**params, autocommit=True) as conn:  # type: ignore[arg-type]
        conn.execute(f'CREATE SCHEMA "{schema}"')  # type: ignore[arg-type]
    return PostgresDatabase(params, schema)


def drop(database: Database) -> None:
    if isinstance(database, PostgresDatabase):
        with psycopg.connect(**database.params, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{database.schema}" CASCADE')  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="")
    parser.add_argument("--years", type=int, default=6)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", default="")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="tracker-bench-"))
    url = args.url or f"sqlite:///{folder}/events.sqlite3"
    settings = Settings(database_url=url)
    configure_logging(settings, default_level="WARNING")
    store = storage.parse(url, base=Path.cwd())
    zone = settings.zone()
    clock = SimulatedClock(datetime(2026 - args.years + 1, 1, 1, tzinfo=zone))
    app = open_inventory(settings, clock=clock)
    if app.is_empty():
        print(f"Generating {args.years} years of the demo programme…", file=sys.stderr)
        until = datetime(2026, 11, 1, tzinfo=zone)
        DemoRun(app, clock, seed=7, years=args.years, until=until).run()
    raw_rates, catch_up_rates = [], []
    for _ in range(args.rounds):
        started = time.perf_counter()
        events = raw_read(app)
        raw_rates.append(events / (time.perf_counter() - started))
        database = fresh_database(store, folder)
        migrate(database)
        runner = Runner(app, database, batch_size=BATCH)
        started = time.perf_counter()
        runner.catch_up()
        catch_up_rates.append(events / (time.perf_counter() - started))
        runner.close()
        drop(database)
    raw, catch_up = statistics.median(raw_rates), statistics.median(catch_up_rates)
    result = {
        "backend": store.backend,
        "events": events,
        "rounds": args.rounds,
        "raw_read_decode_events_per_s": round(raw),
        "catch_up_all_read_models_events_per_s": round(catch_up),
        "ratio": round(catch_up / raw, 3),
    }
    print(
        f"{store.backend}: {events} events, raw read+decode {raw:,.0f} ev/s, "
        f"catch-up of all read models {catch_up:,.0f} ev/s, ratio {catch_up / raw:.2f}"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    app.close()


if __name__ == "__main__":
    main()
