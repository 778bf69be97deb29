"""Where a yearly count will end: the trend so far, shaped by last years' seasons, with a range.

With past years, each one says which share of its total it had reached by the same day; the
count so far divided by that share is that year's forecast. The central figure is their median;
the range spans them and a straight-line projection, widened by the chance variation of the
months still to come (a Poisson margin, 90 %). Without history, the straight line alone.
"""

from __future__ import annotations

import calendar
import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

MONTHS = range(1, 13)
Z_90 = 1.645  # two-sided 90 % interval of a normal approximation


@dataclass(frozen=True)
class Forecast:
    """A year-end estimate and its range, with the past years it leaned on."""

    central: int
    low: int
    high: int
    seasons_from: tuple[int, ...]  # the past years whose profile shaped it (none: straight line)


def share_of_year(day: date) -> float:
    """The part of the calendar year elapsed at the end of `day`."""
    return day.timetuple().tm_yday / (366 if calendar.isleap(day.year) else 365)


def share_by(day: date, months: Mapping[int, int]) -> float | None:
    """The part of a year's total done by the same day of the year (None if the year is empty)."""
    total = sum(months.values())
    if total <= 0:
        return None
    month_length = calendar.monthrange(day.year, day.month)[1]
    done = sum(months.get(m, 0) for m in MONTHS if m < day.month) + (
        months.get(day.month, 0) * day.day / month_length
    )
    return done / total


def expected_share(day: date, history: Mapping[int, Mapping[int, int]]) -> float:
    """The part of a year's target expected by `day`: last years' average profile, else linear."""
    shares = [s for s in (share_by(day, months) for months in history.values()) if s is not None]
    return statistics.fmean(shares) if shares else share_of_year(day)


def forecast(done: int, day: date, history: Mapping[int, Mapping[int, int]]) -> Forecast | None:
    """The year-end count given `done` so far on `day` and past years' months (year → month → n).

    None in the first four weeks of a year without history: too early to say anything honest.
    """
    elapsed = share_of_year(day)
    seasonal = {
        year: done / share
        for year, months in sorted(history.items())
        if (share := share_by(day, months))
    }
    if not seasonal and elapsed < 28 / 365:
        return None
    linear = done / elapsed
    central = statistics.median(seasonal.values()) if seasonal else linear
    candidates: Sequence[float] = [*seasonal.values(), linear]
    margin = Z_90 * math.sqrt(max(central - done, 0.0))
    low = max(done, math.floor(min(candidates) - margin))
    high = max(low, math.ceil(max(candidates) + margin))
    return Forecast(round(central), low, high, tuple(seasonal))
