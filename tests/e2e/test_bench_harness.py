"""A tiny run of the benchmark harness: the generator and the measures work end to end.

The benchmarks themselves are not part of the tests (`make bench`); timings are never asserted.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bench import catch_up, history
from bench.generate import generate
from bench.harness import Report, Row, Target, percentile


def test_percentiles_are_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50
    assert percentile(values, 95) == 95
    assert percentile(values, 99) == 99
    assert percentile([3.0], 99) == 3


@pytest.mark.parametrize(
    ("kind", "figure", "baseline", "ratio"),
    [("time", 30.0, 10.0, 3.0), ("memory", 200.0, 100.0, 2.0), ("rate", 1000.0, 4000.0, 4.0)],
)
def test_a_ratio_says_how_many_times_the_baselines_cost(
    kind: str, figure: float, baseline: float, ratio: float
) -> None:
    row = Row("path", "sqlite", "demo", figure, "unit", "baseline", baseline, kind)
    assert row.ratio == ratio


def test_the_growth_table_divides_each_national_figure_by_its_demo_figure() -> None:
    report = Report()
    for scale, figure in (("demo", 20.0), ("national", 30.0)):
        report.rows.append(Row("page", "sqlite", scale, figure, "ms", "sante", 1.0))
    report.rows.append(Row("only national", "sqlite", "national", 5.0, "ms", "sante", 1.0))
    lines = report.growth_table().splitlines()
    assert lines[2:] == ["| page | sqlite | 20.0 ms | 30.0 ms | 1.50 |"]


def test_a_part_run_on_its_own_is_added_to_the_earlier_table(tmp_path: Path) -> None:
    earlier = Report(notes={"minutes": 3.0})
    earlier.rows.append(Row("page", "postgres", "demo", 20.0, "ms", "sante", 1.0))
    earlier.rows.append(Row("page", "sqlite", "national", 40.0, "ms", "sante", 1.0))
    earlier.rows.append(Row("page", "sqlite", "demo", 10.0, "ms", "sante", 1.0))
    earlier.write_json(tmp_path / "results.json")
    again = Report(notes={"minutes": 30.0})
    again.rows.append(Row("page", "sqlite", "national", 50.0, "ms", "sante", 1.0))

    both = again.added_to(Report.read_json(tmp_path / "results.json"))

    assert [(r.backend, r.scale, r.figure) for r in both.rows] == [
        ("sqlite", "demo", 10.0), ("sqlite", "national", 50.0), ("postgres", "demo", 20.0)
    ]  # fmt: skip
    assert [run["minutes"] for run in both.notes["runs"]] == [3.0, 30.0]
    assert "| page | sqlite | 10.0 ms | 50.0 ms | 5.00 |" in both.growth_table()


def test_a_small_data_set_is_generated_through_the_domain_then_measured(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"

    made = generate(url, programmes=2, years=1)

    with sqlite3.connect(tmp_path / "store.sqlite3") as db:
        head = db.execute("SELECT MAX(rowid) FROM stored_events").fetchone()[0]
        positions = {p for (p,) in db.execute("SELECT position FROM projection_positions")}
        programmes = db.execute("SELECT COUNT(DISTINCT programme) FROM asset_register").fetchone()
        computers = db.execute("SELECT COUNT(*) FROM asset_register").fetchone()[0]
    assert positions == {head}
    assert programmes == (2,)
    assert computers == made.computers > 1000
    assert made.events == head - made.directory_events
    assert made.events > 5 * made.computers

    report = Report()
    target = Target("sqlite", "demo", url, tmp_path, quick=True)
    catch_up.measure(report, target)
    history.measure(report, target)
    assert [row.path for row in report.rows] == [
        "read models: catch-up, all of them",
        "history of one computer",
        "one computer as known on a date",
        "a programme's year as known on a date",
        "a programme's computers on a date, as known",
    ]
    assert all(row.figure > 0 and row.baseline > 0 for row in report.rows)
    assert "| history of one computer | sqlite | demo |" in report.table()
