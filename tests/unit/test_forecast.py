"""The year-end forecast, the expected pace and the lead-time percentiles of the dashboard."""

from __future__ import annotations

import statistics
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.dashboard import quantile, seasons
from tracker.forecast import expected_share, forecast, share_by, share_of_year

FLAT = dict.fromkeys(range(1, 13), 40)  # 480 a year, 40 each month
BUSY_AUTUMN = {**dict.fromkeys(range(1, 9), 20), **dict.fromkeys(range(9, 13), 80)}  # 160+320


def test_without_history_the_forecast_is_the_straight_line_of_the_year_so_far() -> None:
    day = date(2026, 7, 1)  # 182 days of 365 elapsed
    result = forecast(250, day, {})
    assert result is not None
    assert result.central == round(250 / (182 / 365))
    assert result.seasons_from == ()
    assert result.low <= result.central <= result.high


def test_a_past_year_that_did_most_of_its_work_in_autumn_raises_the_forecast() -> None:
    day = date(2026, 8, 31)  # by then BUSY_AUTUMN had done 160 of 480, a third
    result = forecast(200, day, {2025: BUSY_AUTUMN})
    assert result is not None
    assert result.central == 600  # 200 / (160 / 480)
    assert result.seasons_from == (2025,)
    straight = 200 / share_of_year(day)
    assert result.low <= straight <= result.high  # the range spans both readings


def test_the_range_never_falls_below_what_is_already_done() -> None:
    result = forecast(480, date(2026, 12, 30), {2025: FLAT})
    assert result is not None
    assert result.low >= 480
    assert result.high >= result.central >= result.low


def test_nothing_is_forecast_in_the_first_weeks_of_a_year_without_history() -> None:
    assert forecast(3, date(2026, 1, 10), {}) is None
    assert forecast(3, date(2026, 1, 10), {2025: FLAT}) is not None


def test_the_share_by_a_day_counts_whole_months_then_part_of_the_current_one() -> None:
    assert share_by(date(2026, 3, 31), FLAT) == pytest.approx(3 / 12)
    assert share_by(date(2026, 4, 15), FLAT) == pytest.approx((3 + 15 / 30) / 12)
    assert share_by(date(2026, 4, 15), {}) is None


def test_the_expected_pace_follows_last_years_profile_when_there_is_one() -> None:
    day = date(2026, 8, 31)
    assert expected_share(day, {}) == pytest.approx(share_of_year(day))
    assert expected_share(day, {2025: BUSY_AUTUMN}) == pytest.approx(160 / 480)


def test_a_programme_first_year_still_filling_its_chain_lends_no_season() -> None:
    years = {
        2024: {"loaned": {6: 10, 9: 30}},  # the programme's first year
        2025: {"loaned": FLAT},
        2026: {"loaned": {1: 5}},
    }
    assert seasons(years, "loaned", 2026) == {2025: FLAT}
    assert seasons(years, "loaned", 2025) == {}


@given(st.lists(st.integers(min_value=0, max_value=400), min_size=1, max_size=60))
def test_percentiles_from_counts_equal_those_of_the_listed_values(days: list[int]) -> None:
    histogram: dict[int, int] = {}
    for value in days:
        histogram[value] = histogram.get(value, 0) + 1
    assert quantile(histogram, 0.5) == pytest.approx(statistics.median(days))
    expected_p90 = (
        statistics.quantiles(days, n=10, method="inclusive")[-1] if len(days) > 1 else days[0]
    )
    assert quantile(histogram, 0.9) == pytest.approx(expected_p90)


def test_no_percentile_without_values() -> None:
    assert quantile({}, 0.5) is None
