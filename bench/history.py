"""Histories and "as of" readings: one computer, and a whole programme, at a past date.

One computer's history and the computer as known at a past moment replay its own stream, never
the log, so their cost should not grow with the size of the store: compare the demo and
national figures. Baseline: the library's raw select of the same stream
(`recorder.select_events`, no decoding), the least any reading must do. The computers are a
seeded sample of the store's tags (from the asset register).

A programme as of a date reads the ledger read model: a year's figures per stage as known at
the end of January after it, and every computer's state on 31 December as known then.
Baseline: a plain indexed count of the same programme-year rows of the ledger.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import UTC, date, datetime

from bench.harness import Report, Row, Target, Timings
from projections import ledger
from projections.database import Connection, connection
from tracker.bootstrap import open_inventory, read_database_of
from tracker.domain import asset_tag
from tracker.history import computer_as_known, computer_history
from tracker.logs import configure_logging
from tracker.settings import Settings

SAMPLE = 200
# A moment to read the record as it was known: a report issued at the end of January.
AS_KNOWN_ON = datetime(2026, 1, 31, 17, tzinfo=UTC)
YEAR = (date(2025, 1, 1), date(2025, 12, 31))
PROGRAMMES = 10


def sample_tags(settings: Settings, count: int) -> list[str]:
    """A seeded random sample of the store's tags, read from the asset register."""
    with connection(read_database_of(settings)) as conn:
        total = int(conn.execute("SELECT COUNT(*) FROM asset_register")[0][0])
        rng = random.Random(7)  # noqa: S311 (a reproducible sample)
        offsets = sorted(rng.randrange(total) for _ in range(count))
        query = "SELECT tag FROM asset_register ORDER BY computer_id LIMIT 1 OFFSET ?"
        return [str(conn.execute(query, (offset,))[0][0]) for offset in offsets]


def measure(report: Report, target: Target) -> None:
    settings = Settings(database_url=target.database_url)
    configure_logging(settings, default_level="WARNING")
    tags = sample_tags(settings, SAMPLE // 4 if target.quick else SAMPLE)
    inventory = open_inventory(settings)
    try:
        events = sum(len(computer_history(inventory, tag).entries) for tag in tags)

        def each(action: Callable[[str], object]) -> Timings:
            seconds = []
            for tag in tags:
                started = time.perf_counter()
                action(tag)
                seconds.append(time.perf_counter() - started)
            return Timings.of_seconds(seconds)

        raw = each(lambda tag: inventory.recorder.select_events(asset_tag.computer_id(tag)))
        history = each(lambda tag: computer_history(inventory, tag))
        as_known = each(lambda tag: computer_as_known(inventory, tag, AS_KNOWN_ON))
    finally:
        inventory.close()
    details = {"computers": len(tags), "events_per_computer": round(events / len(tags), 1)}
    for name, timings in (("history of one computer", history),
                          ("one computer as known on a date", as_known)):  # fmt: skip
        report.add(Row(name, target.backend, target.scale, timings.median, "ms",
                       "raw select of its stream", raw.median, "time",
                       {**details, **timings.summary(), "baseline_p99_ms": raw.p99}))  # fmt: skip
    measure_programmes(report, target, settings)


def measure_programmes(report: Report, target: Target, settings: Settings) -> None:
    """A programme's year as known on AS_KNOWN_ON, figures and list, for a sample of them."""
    with connection(read_database_of(settings)) as conn:
        names = [str(row[0]) for row in conn.execute(
            "SELECT DISTINCT programme FROM asset_register ORDER BY programme")]  # fmt: skip
        programmes = random.Random(11).sample(names, min(PROGRAMMES, len(names)))  # noqa: S311
        rounds = 1 if target.quick else 3

        def each(action: Callable[[Connection, str], object]) -> Timings:
            action(conn, programmes[0])  # warm up: the first query also loads the pages
            seconds = []
            for _ in range(rounds):
                for programme in programmes:
                    started = time.perf_counter()
                    action(conn, programme)
                    seconds.append(time.perf_counter() - started)
            return Timings.of_seconds(seconds)

        start, end = YEAR
        raw = each(lambda c, p: c.execute(
            "SELECT COUNT(*) FROM ledger WHERE programme = ? AND occurred_on >= ? "
            "AND occurred_on <= ?", (p, start, end)))  # fmt: skip
        figures = each(lambda c, p: ledger.figures(c, p, start, end, known_at=AS_KNOWN_ON))
        listed = each(lambda c, p: ledger.computers_on(c, p, end, known_at=AS_KNOWN_ON))
        rows = sum(int(conn.execute(
            "SELECT COUNT(*) FROM ledger WHERE programme = ? AND occurred_on >= ? "
            "AND occurred_on <= ?", (p, start, end))[0][0]) for p in programmes)  # fmt: skip
    details = {"programmes": len(programmes), "ledger_rows_per_programme_year":
               rows // max(len(programmes), 1)}  # fmt: skip
    for name, timings in (("a programme's year as known on a date", figures),
                          ("a programme's computers on a date, as known", listed)):  # fmt: skip
        report.add(Row(name, target.backend, target.scale, timings.median, "ms",
                       "indexed count of the same rows", raw.median, "time",
                       {**details, **timings.summary(), "baseline_p99_ms": raw.p99}))  # fmt: skip
