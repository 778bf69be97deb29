"""The officers' dashboard: each section's figures for a year and a scope, from the read models.

Every query reads a bounded slice: one scope's months (projections.dashboard), the computers
waiting now, or the agreements ending within sixty days. None reads the event log.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from projections import asset_register, dashboard, directory, loans
from projections.database import Connection
from tracker.co2 import Factors
from tracker.domain.lifecycle import State
from tracker.forecast import Forecast, expected_share, forecast

STAGES = ("donated", "triaged", "dismantled", "reconditioned", "loaned", "returned")
TARGET_STAGES = ("reconditioned", "loaned")
WAITING = (State.AWAITING_TRIAGE, State.TO_DISMANTLE, State.TO_RECONDITION, State.READY_TO_LOAN)
SEGMENTS = (
    "donated_to_triaged",
    "triaged_to_reconditioned",
    "triaged_to_dismantled",
    "reconditioned_to_loaned",
    "returned_to_triaged",
    "arrival_to_loaned",
    "arrival_to_dismantled",
)
HISTORY_YEARS = 3  # past years whose seasons shape the forecast
ENDING_WITHIN = timedelta(days=60)


@dataclass(frozen=True)
class Filters:
    """What the officer looks at: a year, all programmes or one, all sites or one."""

    year: int
    programme: str = ""
    site: str = ""
    stuck_after_days: int = 30

    @property
    def scope(self) -> str:
        return dashboard.scope_of(self.programme, self.site)

    @property
    def start(self) -> date:
        return date(self.year, 1, 1)

    @property
    def end(self) -> date:
        return date(self.year, 12, 31)


def as_of(filters: Filters, today: date) -> date:
    """The last day the figures of that year can cover: today, or the year's last day."""
    return min(today, filters.end)


# -- target ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """One counted stage against the target: done, expected by now, and where it may end."""

    stage: str
    done: int
    expected: int | None
    forecast: Forecast | None
    cumulative: tuple[int, ...]  # at the end of each month of the year so far
    last_year_cumulative: tuple[int, ...]


@dataclass(frozen=True)
class Target:
    """Progress towards the yearly target (None when a single site is looked at)."""

    target: int | None
    day: date
    progress: tuple[Progress, ...]


def target_of(conn: Connection, filters: Filters) -> int | None:
    """The yearly target of the programme looked at, or of them all; none for a single site."""
    if filters.site:
        return None
    programmes = directory.programmes(conn)
    chosen = [p for p in programmes if not filters.programme or p.code == filters.programme]
    return sum(p.yearly_target for p in chosen) if chosen else None


def monthly(
    conn: Connection, scope: str, first_year: int, last_year: int
) -> dict[int, dict[str, dict[int, int]]]:
    """Steps by year, stage and month, for whole years."""
    found: dict[int, dict[str, dict[int, int]]] = {}
    steps = dashboard.monthly_steps(conn, scope, f"{first_year}-01", f"{last_year}-12")
    for (month, stage), n in steps.items():
        year, number = int(month[:4]), int(month[5:])
        found.setdefault(year, {}).setdefault(stage, {})[number] = n
    return found


def _cumulative(months: Mapping[int, int], until: int) -> tuple[int, ...]:
    total, sums = 0, []
    for month in range(1, until + 1):
        total += months.get(month, 0)
        sums.append(total)
    return tuple(sums)


def seasons(
    years: Mapping[int, Mapping[str, Mapping[int, int]]], stage: str, before: int
) -> dict[int, dict[int, int]]:
    """The past years that can lend their monthly profile to a forecast of one stage.

    A programme's first year lends none: its chain was still filling up, which bends the
    profile towards the end of the year. A year counts when the year before it has records.
    """
    return {
        year: dict(by_stage[stage])
        for year, by_stage in years.items()
        if year < before and sum(by_stage.get(stage, {}).values()) > 0 and years.get(year - 1)
    }


def target(conn: Connection, filters: Filters, today: date) -> Target:
    """Reconditioned and handed-out computers of the year against the target, with a forecast."""
    day = as_of(filters, today)
    goal = target_of(conn, filters)
    years = monthly(conn, filters.scope, filters.year - HISTORY_YEARS - 1, filters.year)
    progress = []
    for stage in TARGET_STAGES:
        this = years.get(filters.year, {}).get(stage, {})
        history = seasons(years, stage, filters.year)
        done = sum(this.values())
        ongoing = day < filters.end
        expected = round(goal * expected_share(day, history)) if goal is not None else None
        progress.append(
            Progress(
                stage,
                done,
                expected if ongoing else goal,
                forecast(done, day, history) if ongoing else None,
                _cumulative(this, day.month),
                _cumulative(years.get(filters.year - 1, {}).get(stage, {}), 12),
            )
        )
    return Target(goal, day, tuple(progress))


# -- throughput and funnel ------------------------------------------------------------------


@dataclass(frozen=True)
class Throughput:
    """Steps per month and stage, the year looked at and the year before."""

    this_year: dict[str, tuple[int, ...]]
    last_year: dict[str, tuple[int, ...]]

    def total(self, stage: str) -> int:
        return sum(self.this_year.get(stage, ()))


def throughput(conn: Connection, filters: Filters) -> Throughput:
    years = monthly(conn, filters.scope, filters.year - 1, filters.year)

    def months(year: int, stage: str) -> tuple[int, ...]:
        counts = years.get(year, {}).get(stage, {})
        return tuple(counts.get(m, 0) for m in range(1, 13))

    return Throughput(
        {stage: months(filters.year, stage) for stage in STAGES},
        {stage: months(filters.year - 1, stage) for stage in STAGES},
    )


# -- stocks ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stocks:
    """Computers waiting now at each site and stage, their ages, and those stuck too long."""

    waiting: tuple[asset_register.Waiting, ...]
    stuck_after_days: int
    stuck_before: date

    def stuck(self, state: State) -> int:
        return sum(line.stuck for line in self.waiting if line.state == state)

    def total(self, state: State) -> int:
        return sum(line.computers for line in self.waiting if line.state == state)


def stocks(conn: Connection, filters: Filters, today: date) -> Stocks:
    before = today - timedelta(days=filters.stuck_after_days)
    waiting = asset_register.waiting(
        conn, WAITING, today, before, programme=filters.programme, site=filters.site
    )
    return Stocks(tuple(waiting), filters.stuck_after_days, before)


# -- lead times -----------------------------------------------------------------------------


@dataclass(frozen=True)
class LeadTime:
    """Days a segment took over the computers that completed it in the period."""

    segment: str
    computers: int
    median: float | None
    p90: float | None


def quantile(histogram: Mapping[int, int], share: float) -> float | None:
    """The inclusive quantile of the values a histogram counts (as statistics.quantiles does)."""
    n = sum(histogram.values())
    if n == 0:
        return None
    position = (n - 1) * share
    below, above = int(position), min(int(position) + 1, n - 1)
    values = _values_at(histogram, (below, above))
    fraction = position - below
    return values[0] + (values[1] - values[0]) * fraction


def _values_at(histogram: Mapping[int, int], ranks: tuple[int, int]) -> tuple[float, float]:
    found: list[float] = []
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        while len(found) < len(ranks) and ranks[len(found)] < seen:
            found.append(float(value))
    return found[0], found[1]


def lead_times(conn: Connection, filters: Filters, year: int) -> tuple[LeadTime, ...]:
    found = dashboard.lead_histogram(conn, filters.scope, f"{year}-01", f"{year}-12")
    return tuple(
        LeadTime(
            s,
            sum(found.get(s, {}).values()),
            quantile(found.get(s, {}), 0.5),
            quantile(found.get(s, {}), 0.9),
        )
        for s in SEGMENTS
    )


# -- loans ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Loans:
    """Computers on loan now, agreements ending soon, and the year's hand-outs and returns."""

    active: int
    ending: tuple[loans.EndingAtPlace, ...]
    ending_until: date
    handed_out: int
    returned: int
    contributions_cents: int


def loans_of(conn: Connection, filters: Filters, today: date, throughput: Throughput) -> Loans:
    until = today + ENDING_WITHIN
    ending = loans.ending_by_place(conn, today, until, filters.programme, filters.site)
    money = dashboard.handouts(conn, filters.scope, f"{filters.year}-01", f"{filters.year}-12")
    return Loans(
        asset_register.count_in(conn, State.ON_LOAN, filters.programme, filters.site),
        tuple(ending),
        until,
        throughput.total("loaned"),
        throughput.total("returned"),
        sum(cents for _, cents in money.values()),
    )


# -- materials and impact -------------------------------------------------------------------


@dataclass(frozen=True)
class Impact:
    """Hand-outs of one device type and the CO2e they avoided (None: no factor for the type)."""

    device_type: str
    handouts: int
    kg_co2e: Decimal | None
    assumed: bool


@dataclass(frozen=True)
class Materials:
    """kg recycled per fraction, components harvested, CO2e avoided by reuse."""

    kg_by_fraction: dict[str, Decimal]
    components: dict[tuple[str, bool], int]
    impact: tuple[Impact, ...]
    source: str
    years_counted: int

    @property
    def kg_co2e(self) -> Decimal:
        return sum((i.kg_co2e for i in self.impact if i.kg_co2e is not None), Decimal(0))


def materials(conn: Connection, filters: Filters, factors: Factors) -> Materials:
    first, last = f"{filters.year}-01", f"{filters.year}-12"
    grams = dashboard.grams_by_fraction(conn, filters.scope, first, last)
    impact = []
    for device_type, (handouts, _) in sorted(
        dashboard.handouts(conn, filters.scope, first, last).items()
    ):
        factor = factors.by_type.get(device_type)
        impact.append(
            Impact(
                device_type,
                handouts,
                factors.avoided_kg(device_type, handouts),
                bool(factor and factor.assumed),
            )
        )
    return Materials(
        {f: Decimal(g) / 1000 for f, g in sorted(grams.items())},
        dashboard.components(conn, filters.scope, first, last),
        tuple(impact),
        factors.source,
        factors.years,
    )
