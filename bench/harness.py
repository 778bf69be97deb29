"""What every benchmark shares: timings, a figure beside its baseline, the table and the JSON.

Only a ratio measured in the same run means something on a shared machine, so every `Row`
carries its own baseline, measured just before or after it, and their ratio.
"""

from __future__ import annotations

import json
import math
import os
import platform
import subprocess
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

Kind = str  # "time" (less is better), "rate" (more is better), "memory" (less is better)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


@dataclass(frozen=True)
class Timings:
    """Durations in milliseconds of repeated runs of one thing."""

    samples_ms: tuple[float, ...]

    @classmethod
    def of_seconds(cls, seconds: list[float]) -> Timings:
        return cls(tuple(s * 1000 for s in seconds))

    @property
    def median(self) -> float:
        return median(list(self.samples_ms))

    @property
    def p95(self) -> float:
        return percentile(list(self.samples_ms), 95)

    @property
    def p99(self) -> float:
        return percentile(list(self.samples_ms), 99)

    def summary(self) -> dict[str, float]:
        return {
            "n": len(self.samples_ms),
            "median_ms": round(self.median, 3),
            "p95_ms": round(self.p95, 3),
            "p99_ms": round(self.p99, 3),
        }


def timed(action: Callable[[], object], runs: int, warm_up: int = 3) -> Timings:
    """Run `action` `warm_up` times unmeasured, then `runs` times, each timed on its own."""
    for _ in range(warm_up):
        action()
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - started)
    return Timings.of_seconds(seconds)


@dataclass(frozen=True)
class Row:
    """One hot path on one backend and scale, beside the baseline measured in the same run.

    `ratio` is the figure divided by the baseline for times and memory, and the baseline
    divided by the figure for rates: in both cases how many times the baseline's cost.
    """

    path: str
    backend: str
    scale: str
    figure: float
    unit: str
    baseline_name: str
    baseline: float
    kind: Kind = "time"
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        if self.kind == "rate":
            return self.baseline / self.figure if self.figure else math.inf
        return self.figure / self.baseline if self.baseline else math.inf

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ratio": round(self.ratio, 3)}


def _number(value: float) -> str:
    if value >= 100:  # noqa: PLR2004
        return f"{value:,.0f}".replace(",", " ")
    if value >= 10:  # noqa: PLR2004
        return f"{value:.1f}"
    return f"{value:.2f}"


@dataclass
class Report:
    """The rows of a benchmark run; printed as a Markdown table, written as JSON."""

    rows: list[Row] = field(default_factory=list)
    notes: dict[str, Any] = field(default_factory=dict)

    def add(self, row: Row) -> Row:
        self.rows.append(row)
        print(f"  {_line(row)}", flush=True)
        return row

    def table(self) -> str:
        lines = [
            "| path | backend | scale | figure | baseline (same run) | ratio |",
            "|---|---|---|---|---|---|",
        ]
        lines += [
            f"| {r.path} | {r.backend} | {r.scale} | {_number(r.figure)} {r.unit} "
            f"| {r.baseline_name}: {_number(r.baseline)} {r.unit} | {r.ratio:.2f} |"
            for r in self.rows
        ]
        return "\n".join(lines)

    def growth_table(self) -> str:
        """Each path measured at both scales: national figure ÷ demo figure (1.0: no growth)."""
        demo = {(r.path, r.backend): r for r in self.rows if r.scale == "demo"}
        lines = ["| path | backend | demo | national | national ÷ demo |", "|---|---|---|---|---|"]
        for row in self.rows:
            small = demo.get((row.path, row.backend))
            if row.scale != "national" or small is None or not small.figure:
                continue
            lines.append(
                f"| {row.path} | {row.backend} | {_number(small.figure)} {row.unit} "
                f"| {_number(row.figure)} {row.unit} | {row.figure / small.figure:.2f} |"
            )
        return "\n".join(lines) if len(lines) > 2 else ""  # noqa: PLR2004 (the two header lines)

    @classmethod
    def read_json(cls, path: Path) -> Report:
        """A report written by `write_json`."""
        document = json.loads(path.read_text())
        rows = [Row(**{k: v for k, v in row.items() if k != "ratio"}) for row in document["rows"]]
        return cls(rows, document.get("notes", {}))

    def added_to(self, earlier: Report) -> Report:
        """Earlier rows with this run's: a path measured again replaces its earlier figure.

        Rows are ordered by backend, then scale, each group in the order it was measured; the
        notes of every run are kept, in order.
        """
        measured = {(r.path, r.backend, r.scale) for r in self.rows}
        rows = [r for r in earlier.rows if (r.path, r.backend, r.scale) not in measured]
        rows += self.rows
        order = {"sqlite": 0, "postgres": 1, "demo": 0, "national": 1}
        rows.sort(key=lambda r: (order.get(r.backend, 2), order.get(r.scale, 2)))
        runs = [*earlier.notes.get("runs", [earlier.notes] if earlier.notes else []), self.notes]
        return Report(rows, {"runs": runs})

    def write_json(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        document = {"machine": machine(), "notes": self.notes,
                    "rows": [row.as_dict() for row in self.rows]}  # fmt: skip
        path.write_text(json.dumps(document, indent=2, default=str) + "\n")


def _line(row: Row) -> str:
    return (
        f"{row.path} [{row.backend}, {row.scale}]: {_number(row.figure)} {row.unit} "
        f"(baseline {row.baseline_name}: {_number(row.baseline)} {row.unit}; "
        f"ratio {row.ratio:.2f})"
    )


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory / 2**30, 1),
        "python": platform.python_version(),
        "system": platform.platform(),
    }


def peak_rss_mib(pid: int) -> float:
    """The peak resident memory of a running process (VmHWM), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return math.nan


def run_measuring_rss(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Run a command to its end: its wall seconds and its own peak resident memory in MiB."""
    started = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603 (our own commands)
        command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    assert process.stderr is not None  # noqa: S101 (asked for above)
    errors = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)  # the rusage of this child alone
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        msg = f"{command[:3]} failed ({process.returncode}): {errors.decode()[-2000:]}"
        raise RuntimeError(msg)
    return seconds, usage.ru_maxrss / 1024


@dataclass(frozen=True)
class Target:
    """A store to measure, with a scratch folder; `quick` asks for fewer repetitions.

    The store holds the demo programme's reference data and accounts (`atelier`, `agent`…
    with the demo passwords) and its read models are up to date. `rebuild` False skips the
    full `tracker rebuild` (the longest measure at national scale).
    """

    backend: str  # "sqlite" or "postgres"
    scale: str  # "demo" or "national"
    database_url: str
    folder: Path
    quick: bool = False
    rebuild: bool = True
