"""Every benchmark, on SQLite and PostgreSQL, at demo and national scale: one table, one JSON.

    make bench          # demo and national scale on both backends (hours: see the README)
    make bench-quick    # demo scale on both backends, fewer repetitions (under five minutes)
    .venv/bin/python -m bench.run [--quick] [--backends sqlite,postgres] [--scales demo,national]
                                  [--existing BACKEND:SCALE=URL] [--add] [--no-rebuild]

For each backend and scale, a store is generated (bench.generate: seeded, through the domain,
bulk path), every module measures its hot paths beside a baseline taken in the same run, and
the store is removed. PostgreSQL is a throwaway cluster started from the installed binaries
with its crash-safe defaults, or TRACKER_BENCH_POSTGRES_URL. The run stops by itself after
--max-minutes, cleaning up what it started. Results: var/bench/results.json and results.md;
with --add, this run's rows are added to the ones already there (a path measured again replaces
its earlier figure), so parts run one at a time make one table.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from types import FrameType

from bench import catch_up, history, http_load, record_step, register
from bench.generate import (
    SCALES,
    Generated,
    drop_store,
    generate,
    load_sidecar,
    raw_insert_rate,
)
from bench.harness import Report, Row, Target, machine
from bench.servers import ROOT, postgres, store_url

MODULES: tuple[tuple[str, Callable[[Report, Target], None]], ...] = (
    ("read models", catch_up.measure),
    ("history", history.measure),
    ("beneficiary register", register.measure),
    ("record a step", record_step.measure),
    ("HTTP", http_load.measure),
)
RESULTS = ROOT / "var" / "bench"


class OutOfTimeError(Exception):
    """The run went past --max-minutes."""


@contextmanager
def deadline(minutes: float) -> Iterator[None]:
    def stop(_signum: int, _frame: FrameType | None) -> None:
        raise OutOfTimeError(f"the benchmarks ran past {minutes:g} minutes")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(int(minutes * 60))
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def measure_store(report: Report, target: Target, *, existing: bool = False) -> None:
    """Generate the store of one backend and scale, run every module on it, remove it.

    An `existing` store (generated earlier by bench.generate) is measured as it is and kept.
    """
    if existing:
        print(f"\n== {target.backend}, {target.scale} scale: {target.database_url}", flush=True)
        made = load_sidecar(target.database_url)
        if made is not None:
            report_generation(report, target, made)
        run_modules(report, target)
        return
    programmes, years = SCALES[target.scale]
    print(f"\n== {target.backend}, {target.scale} scale: generating {programmes} programme(s) "
          f"over {years} year(s)…", flush=True)  # fmt: skip
    try:
        report_generation(
            report, target, generate(target.database_url, programmes=programmes, years=years)
        )
        run_modules(report, target)
    finally:
        drop_store(target.database_url)


def report_generation(report: Report, target: Target, made: Generated) -> None:
    """The data set's size and the bulk path's rate beside a raw insert of the same events."""
    programmes, years = made.programmes, made.years
    print(f"   {made.describe()}", flush=True)
    data_set = {"backend": target.backend, "scale": target.scale, "programmes": programmes,
                "years": years, "computers": made.computers, "events": made.events,
                "events_seconds": round(made.events_seconds, 1),
                "read_models_after_seconds": round(made.read_models_seconds, 1),
                "total_seconds": round(made.total_seconds, 1)}  # fmt: skip
    report.notes.setdefault("data_sets", []).append(data_set)
    report.add(Row("generate: bulk path through the domain", target.backend, target.scale,
                   made.events_per_second, "events/s", "raw insert of stored events",
                   raw_insert_rate(target.database_url, target.folder), "rate",
                   {"events": made.events, "computers": made.computers}))  # fmt: skip


def run_modules(report: Report, target: Target) -> None:
    for name, module in MODULES:
        print(f"-- {name}", flush=True)
        try:
            module(report, target)
        except OutOfTimeError:
            raise
        except Exception:  # noqa: BLE001 (one failing module must not hide the others)
            traceback.print_exc()
            report.notes.setdefault("failures", []).append(
                f"{name} [{target.backend}, {target.scale}]: {traceback.format_exc(limit=3)}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="demo scale, fewer repetitions")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--scales", default="", help="demo,national (quick: demo)")
    parser.add_argument("--max-minutes", type=float, default=0, help="default 5 quick, 480")
    parser.add_argument("--existing", action="append", default=[], metavar="BACKEND:SCALE=URL",
                        help="measure a store made earlier by bench.generate instead of "
                             "generating one (kept afterwards)")  # fmt: skip
    parser.add_argument("--no-rebuild", action="store_true",
                        help="skip the full `tracker rebuild` (about an hour at national "
                             "scale); the catch-up is still measured")  # fmt: skip
    parser.add_argument("--add", action="store_true",
                        help="add this run's rows to var/bench/results.json instead of "
                             "replacing it")  # fmt: skip
    args = parser.parse_args()
    backends = [b for b in args.backends.split(",") if b]
    scales = (args.scales or ("demo" if args.quick else "demo,national")).split(",")
    limit = args.max_minutes or (5 if args.quick else 480)
    existing = dict(item.split("=", 1) for item in args.existing)
    report = Report(notes={"quick": args.quick, "backends": backends, "scales": scales})
    folder = Path(tempfile.mkdtemp(prefix="tracker-bench-"))
    started = time.perf_counter()
    try:
        with deadline(limit), postgres() if "postgres" in backends else nullcontext("") as pg:
            for backend in backends:
                for scale in scales:
                    given = existing.get(f"{backend}:{scale}")
                    url = given or store_url(backend, folder, str(pg), name=f"bench_{scale}")
                    target = Target(backend, scale, url, folder, args.quick,
                                    rebuild=not args.no_rebuild)  # fmt: skip
                    measure_store(report, target, existing=bool(given))
    except OutOfTimeError as error:
        report.notes.setdefault("failures", []).append(str(error))
        print(f"\n{error}: stopped, partial results below.", file=sys.stderr)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    report.notes["minutes"] = round((time.perf_counter() - started) / 60, 1)
    failed = bool(report.notes.get("failures"))
    earlier = RESULTS / "results.json"
    if args.add and earlier.exists():
        report = report.added_to(Report.read_json(earlier))
    write(report)
    sys.exit(1 if failed else 0)


def write(report: Report) -> None:
    """Print the table and keep it, with the machine, as Markdown and JSON."""
    about = machine()
    runs = report.notes.get("runs", [report.notes])
    minutes = " + ".join(f"{run.get('minutes', '?')} min" for run in runs)
    header = (f"{about['cpu']} ({about['cores']} cores, {about['memory_gib']} GiB), "
              f"Python {about['python']}; {minutes}")  # fmt: skip
    table = report.table()
    growth = report.growth_table()
    if growth:
        table += f"\n\nNational scale against demo scale, same backend:\n\n{growth}"
    print(f"\n{header}\n\n{table}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    report.write_json(RESULTS / "results.json")
    (RESULTS / "results.md").write_text(f"{header}\n\n{table}\n")
    print(f"\nWritten to {RESULTS / 'results.json'} and results.md")


if __name__ == "__main__":
    main()
