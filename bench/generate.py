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
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bench.servers import ROOT, TRACKER, environment
from tracker import demo_catalogue as cat
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
    events: int
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
        with _projecting(url):
            summary = run.run(directory=False)
        recorded = time.perf_counter() - started - directory
        runner = models.runner(batch_size=5000)
        try:
            runner.catch_up()
        finally:
            runner.close()
        built = time.perf_counter() - started - directory - recorded
    finally:
        inventory.close()
    events = sum(summary.events.values())
    return Generated(programmes, years, summary.computers, events, directory, recorded, built)


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


if __name__ == "__main__":
    main()
