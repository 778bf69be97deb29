"""The officers' dashboard on the demo data shows the figures the event log itself gives.

The expected figures are re-derived here from the decoded events (cancellations and corrections
applied by this file's own fold), never from the read models or projections.timeline.
"""

from __future__ import annotations

import statistics
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import accumulate
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import pytest
from psycopg import sql

from projections import computer_lists
from projections.database import Connection, connection
from tracker import co2, commands, dashboard, storage
from tracker.application import Inventory
from tracker.bootstrap import open_inventory, read_models_of
from tracker.dashboard import Filters
from tracker.demo import DemoRun, SimulatedClock
from tracker.domain.programme import Programme
from tracker.settings import Settings

ZONE = ZoneInfo("Europe/Paris")
UNTIL = datetime(2026, 6, 15, 18, tzinfo=ZONE)
TODAY = UNTIL.date()
SIMULATED_YEARS = 3  # so that agreements of the first year end within sixty days of TODAY
YEARS = (2025, 2026)
MILESTONES = {"Donated": "donated", "Triaged": "triaged", "Dismantled": "dismantled",
              "Reconditioned": "reconditioned", "Loaned": "loaned", "Returned": "returned",
              "WrittenOff": "written_off"}  # fmt: skip
COUNTED = ("donated", "triaged", "dismantled", "reconditioned", "loaned", "returned")
ENTERS = {"Donated": "awaiting_triage", "Reconditioned": "ready_to_loan", "Loaned": "on_loan",
          "Returned": "awaiting_triage", "Dismantled": "dismantled",
          "WrittenOff": "written_off"}  # fmt: skip
WAITING = ("awaiting_triage", "to_dismantle", "to_recondition", "ready_to_loan")
LOAN_STEPS = ("Loaned", "Returned", "WrittenOff")


@dataclass
class Step:
    version: int
    kind: str
    day: date
    site: str
    details: dict[str, Any]
    cancelled: bool = False


@dataclass
class Unit:
    tag: str
    programme: str
    device_type: str
    events: list[Step] = field(default_factory=list)  # index = version - 1

    def in_force(self, *kinds: str) -> list[Step]:
        """The lifecycle steps (of these kinds) no later event cancelled, in order."""
        wanted = kinds or (*MILESTONES, "DataWipeRecorded", "Transferred")
        return [s for s in self.events if s.kind in wanted and not s.cancelled]


def decoded(inventory: Inventory, topic: str) -> Iterator[Any]:
    """The events of the whole log whose topic starts so, page by page."""
    position = 0
    while page := inventory.recorder.select_notifications(position, 500, inclusive_of_start=False):
        position = page[-1].id
        yield from (inventory.mapper.to_domain_event(n) for n in page if n.topic.startswith(topic))


def units_of(inventory: Inventory) -> list[Unit]:
    units: dict[uuid.UUID, Unit] = {}
    for event in decoded(inventory, "tracker.domain.computer:"):
        kind, fields = type(event).__name__, dict(vars(event))
        if kind == "Donated":
            units[event.originator_id] = Unit(
                fields["tag"], fields["programme"], fields["device_type"]
            )
        unit = units[event.originator_id]
        assert event.originator_version == len(unit.events) + 1
        if kind == "StepCancelled":
            unit.events[fields["cancels_version"] - 1].cancelled = True
        elif kind == "DetailsCorrected":
            correct(unit, unit.events[fields["corrects_version"] - 1], fields["changes"])
        unit.events.append(Step(event.originator_version, kind, fields["occurred_on"],
                                fields["site"], fields))  # fmt: skip
    return list(units.values())


def correct(unit: Unit, step: Step, changes: dict[str, str]) -> None:
    for name, raw in changes.items():
        if name == "occurred_on":
            step.day = date.fromisoformat(raw)
        elif name == "agreement_end":
            pass
        elif name == "contribution_eur":
            step.details[name] = Decimal(raw)
        elif name.startswith("materials_kg."):
            fraction = name.removeprefix("materials_kg.")
            step.details["materials_kg"] = {**step.details["materials_kg"], fraction: Decimal(raw)}
        else:
            step.details[name] = raw
            if step.kind == "Donated" and name == "device_type":
                unit.device_type = raw


def within(f: Filters, unit: Unit, site: str) -> bool:
    return unit.programme == (f.programme or unit.programme) and site == (f.site or site)


def scopes(units: list[Unit], year: int) -> list[Filters]:
    sites = sorted({step.site for unit in units for step in unit.events})
    return [Filters(year), Filters(year, programme="CD35"), *(Filters(year, site=s) for s in sites)]


# -- the figures, from the log --------------------------------------------------------------


def flow(units: list[Unit], f: Filters) -> Counter[tuple[int, str, int]]:
    """Steps in force per (year, stage, month) in the scope."""
    return Counter((s.day.year, MILESTONES[s.kind], s.day.month) for u in units
                   for s in u.in_force(*MILESTONES) if within(f, u, s.site))  # fmt: skip


def months(steps: Counter[tuple[int, str, int]], year: int, stage: str) -> tuple[int, ...]:
    return tuple(steps[year, stage, month] for month in range(1, 13))


def leads(units: list[Unit], f: Filters) -> dict[str, list[int]]:
    """Days of each segment ended in the year, where it ended."""
    found = defaultdict(list)
    for unit in units:
        arrival = None
        milestones = unit.in_force(*MILESTONES)
        for before, after in zip([None, *milestones], milestones, strict=False):
            ended = (
                [(f"{MILESTONES[before.kind]}_to_{MILESTONES[after.kind]}", before)]
                if before
                else []
            )
            if after.kind in ("Donated", "Returned"):
                arrival = after
            elif after.kind in ("Loaned", "Dismantled") and arrival:
                ended.append((f"arrival_to_{MILESTONES[after.kind]}", arrival))
            for name, start in ended:
                if after.day.year == f.year and within(f, unit, after.site):
                    found[name].append((after.day - start.day).days)
    return found


def summary(days: list[int]) -> tuple[int, float | None, float | None]:
    if len(days) < 2:
        return len(days), (days or [None])[0], (days or [None])[0]
    p90 = statistics.quantiles(days, n=10, method="inclusive")[-1]
    return len(days), statistics.median(days), p90


def where_now(unit: Unit) -> tuple[str, str, date]:
    """The state, site and business date the state began, from the steps in force."""
    state, site, since = "", "", date.min
    for step in unit.in_force():
        new = ENTERS.get(step.kind, state)
        if step.kind == "Triaged":
            new = {"recondition": "to_recondition", "dismantle": "to_dismantle"}[
                step.details["outcome"]
            ]
        site = step.details["to_site"] if step.kind == "Transferred" else step.site
        if new != state:
            state, since = new, step.day
    return state, site, since


def active_loans(units: list[Unit], f: Filters) -> list[Step]:
    """The Loaned step of each computer on loan now (no return or write-off after it)."""
    lasts = [(u, u.in_force(*LOAN_STEPS)[-1]) for u in units if u.in_force(*LOAN_STEPS)]
    return [s for u, s in lasts if s.kind == "Loaned" and within(f, u, s.site)]


def ending(units: list[Unit], f: Filters) -> dict[str, tuple[int, date]]:
    ends: dict[str, list[date]] = defaultdict(list)
    for loan in active_loans(units, f):
        if TODAY <= loan.details["agreement_end"] <= TODAY + timedelta(days=60):
            ends[loan.site].append(loan.details["agreement_end"])
    return {place: (len(days), min(days)) for place, days in ends.items()}


def stocks(units: list[Unit], f: Filters) -> dict[tuple[str, str], tuple[int, int, date]]:
    found: dict[tuple[str, str], tuple[int, int, date]] = {}
    before = TODAY - timedelta(days=f.stuck_after_days)
    for unit in units:
        state, site, since = where_now(unit)
        if state in WAITING and within(f, unit, site):
            n, stuck, oldest = found.get((state, site), (0, 0, date.max))
            found[state, site] = (n + 1, stuck + (since < before), min(oldest, since))
    return found


# -- the demo store, once per backend -------------------------------------------------------


@dataclass(frozen=True)
class Demo:
    units: list[Unit]
    targets: dict[str, int]  # programme -> yearly target, from the log
    conn: Connection


def correct_some(inventory: Inventory, units: list[Unit]) -> None:
    """Corrections the demo does not make itself: business dates, weights, amounts, types."""

    def record(command: type[commands.StepCommand], unit: Unit, **fields: Any) -> None:
        version = inventory.computer(unit.tag).version
        inventory.record(command(command_id=uuid.uuid4(), tag=unit.tag, seen_version=version,
                                 actor="agent", site=unit.events[-1].site, occurred_on=TODAY,
                                 **fields))  # fmt: skip

    def last(kind: str) -> Iterator[tuple[Unit, Step, Step]]:
        for unit in units:
            steps = unit.in_force()
            if steps[-1].kind == kind and steps[-2].day.month != steps[-1].day.month:
                yield unit, steps[-2], steps[-1]

    loans, dismantlings = last("Loaned"), last("Dismantled")
    unit, before, loan = next(loans)
    record(commands.CorrectDetails, unit, version=loan.version, reason="date",
           changes={"occurred_on": before.day.isoformat()})  # fmt: skip
    unit, _, loan = next((u, b, s) for u, b, s in loans if s.details["contribution_eur"])
    record(
        commands.CorrectDetails,
        unit,
        version=loan.version,
        reason="terms",
        changes={"agreement_end": str(TODAY + timedelta(days=9)), "contribution_eur": "12.5"},
    )
    record(
        commands.CorrectDetails, unit, version=1, reason="type", changes={"device_type": "tablet"}
    )
    unit, _, loan = next(loans)
    record(commands.CancelStep, unit, version=loan.version, reason="wrong computer")
    unit, before, scrap = next(dismantlings)
    record(
        commands.CorrectDetails,
        unit,
        version=scrap.version,
        reason="weighed again",
        changes={"occurred_on": before.day.isoformat(), "materials_kg.plastics": "9.125"},
    )
    unit, _, scrap = next(dismantlings)
    record(commands.CancelStep, unit, version=scrap.version, reason="wrong computer")
    unit, _, move = next(last("Transferred"))
    record(commands.CancelStep, unit, version=move.version, reason="not sent")


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def demo(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Demo]:
    schema = f"t_{uuid.uuid4().hex[:16]}"
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'events.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_server").url_for_schema(schema)
    settings = Settings(url)
    clock = SimulatedClock(datetime(UNTIL.year - SIMULATED_YEARS + 1, 1, 1, tzinfo=ZONE))
    inventory = open_inventory(settings, clock=clock)
    try:
        DemoRun(inventory, clock, seed=35, years=SIMULATED_YEARS, until=UNTIL, bulk=True).run()
        clock.now = UNTIL
        correct_some(inventory, units_of(inventory))
        models = read_models_of(settings, inventory)
        models.catch_up()
        codes: dict[uuid.UUID, str] = {}
        targets: dict[str, int] = {}
        for event in decoded(inventory, "tracker.domain.programme:"):
            if isinstance(event, Programme.Registered):
                codes[event.originator_id] = event.code
            targets[codes[event.originator_id]] = event.yearly_target
        with connection(models.database) as conn:
            yield Demo(units_of(inventory), targets, conn)
    finally:
        inventory.close()
        if request.param == "postgres":
            params = storage.connection_params(storage.parse(url, base=Path.cwd()))
            with psycopg.connect(**params, autocommit=True) as admin:  # type: ignore[arg-type]
                admin.execute(
                    sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
                )


# -- the specifications ---------------------------------------------------------------------


def test_the_demo_log_holds_cancellations_corrections_and_every_kind_of_step(demo: Demo) -> None:
    kinds = Counter(step.kind for unit in demo.units for step in unit.events)
    assert kinds["StepCancelled"] >= 3 and kinds["DetailsCorrected"] >= 5
    assert all(kinds[kind] > 0 for kind in MILESTONES)
    assert ending(demo.units, Filters(2026)), "some agreements end within sixty days"


def test_monthly_throughput_equals_the_steps_in_force_of_the_event_log(demo: Demo) -> None:
    for f in scopes(demo.units, 2026):
        steps = flow(demo.units, f)
        shown = dashboard.throughput(demo.conn, f)
        assert shown.this_year == {stage: months(steps, 2026, stage) for stage in COUNTED}, f
        assert shown.last_year == {stage: months(steps, 2025, stage) for stage in COUNTED}, f


@pytest.mark.parametrize("year", YEARS)
def test_progress_towards_the_target_counts_the_reconditioned_and_loaned_of_the_log(
    demo: Demo, year: int
) -> None:
    as_of = min(TODAY, date(year, 12, 31))
    for f, goal in ((Filters(year), sum(demo.targets.values())),
                    (Filters(year, programme="CD35"), demo.targets["CD35"])):  # fmt: skip
        steps = flow(demo.units, f)
        shown = dashboard.target(demo.conn, f, TODAY)
        assert (shown.target, shown.day) == (goal, as_of)
        for progress in shown.progress:
            this, before = (
                months(steps, year, progress.stage),
                months(steps, year - 1, progress.stage),
            )
            assert progress.done == sum(this)
            assert progress.cumulative == tuple(accumulate(this[: as_of.month]))
            assert progress.last_year_cumulative == tuple(accumulate(before))
    assert dashboard.target(demo.conn, Filters(year, site="AI-VILAINE"), TODAY).target is None


@pytest.mark.parametrize("year", YEARS)
def test_lead_times_are_the_day_counts_between_milestones_in_force(demo: Demo, year: int) -> None:
    for f in scopes(demo.units, year):
        expected = leads(demo.units, f)
        for shown in dashboard.lead_times(demo.conn, f, year):
            count, median, p90 = summary(expected[shown.segment])
            assert shown.computers == count, (f, shown.segment)
            assert shown.median == pytest.approx(median), (f, shown.segment)
            assert shown.p90 == pytest.approx(p90), (f, shown.segment)


@pytest.mark.parametrize("year", YEARS)
def test_materials_and_avoided_co2_add_up_the_dismantlings_and_loans_of_the_log(
    demo: Demo, year: int
) -> None:
    factors = co2.load()
    for f in scopes(demo.units, year):
        kg: Counter[str] = Counter()
        parts: Counter[tuple[str, bool]] = Counter()
        loans: Counter[str] = Counter()
        for unit in demo.units:
            for step in unit.in_force("Dismantled", "Loaned"):
                if step.day.year == year and within(f, unit, step.site):
                    if step.kind == "Loaned":
                        loans[unit.device_type] += 1
                        continue
                    kg.update(step.details["materials_kg"])
                    for part in step.details["components"]:
                        parts[part["kind"], bool(part["reusable"])] += part["count"]
        shown = dashboard.materials(demo.conn, f, factors)
        assert shown.kg_by_fraction == {fraction: w for fraction, w in kg.items() if w}, f
        assert shown.components == dict(parts), f
        assert [(i.device_type, i.handouts, i.kg_co2e) for i in shown.impact] == [
            (kind, n, factors.avoided_kg(kind, n)) for kind, n in sorted(loans.items())
        ], f


def test_loans_count_the_agreements_in_force_and_the_contributions_of_the_year(demo: Demo) -> None:
    for year in YEARS:
        for f in scopes(demo.units, year):
            shown = dashboard.loans_of(demo.conn, f, TODAY, dashboard.throughput(demo.conn, f))
            steps = flow(demo.units, f)
            cents = sum(int(s.details["contribution_eur"] * 100) for u in demo.units
                        for s in u.in_force("Loaned") if s.day.year == year and within(f, u, s.site))  # fmt: skip
            assert shown.active == len(active_loans(demo.units, f)), f
            ends = {e.third_place: (e.agreements, e.first_end) for e in shown.ending}
            assert ends == ending(demo.units, f), f
            assert (shown.handed_out, shown.returned, shown.contributions_cents) == (
                sum(months(steps, year, "loaned")), sum(months(steps, year, "returned")), cents,
            ), f  # fmt: skip


def test_stocks_are_the_computers_whose_steps_in_force_leave_them_waiting(demo: Demo) -> None:
    for f in scopes(demo.units, 2026):
        shown = dashboard.stocks(demo.conn, f, TODAY)
        lines = {
            (str(w.state), w.site): (w.computers, w.stuck, w.oldest_since) for w in shown.waiting
        }
        assert lines == stocks(demo.units, f), f


def test_every_figure_drills_down_to_as_many_computers(demo: Demo) -> None:
    for year in YEARS:
        for f in scopes(demo.units, year):
            where = {"programme": f.programme, "site": f.site}
            steps, segments = flow(demo.units, f), leads(demo.units, f)
            for stage in COUNTED:
                found = computer_lists.steps(demo.conn, stage, f.start, f.end, **where)
                assert found.total == sum(months(steps, year, stage)), (f, stage)
            for name in dashboard.SEGMENTS:
                found = computer_lists.segment(demo.conn, name, f.start, f.end, **where)
                assert found.total == len(segments[name]), (f, name)
    for f in scopes(demo.units, 2026):
        where = {"programme": f.programme, "site": f.site}
        expected = stocks(demo.units, f)
        for state in WAITING:
            lines = [line for (s, _), line in expected.items() if s == state]
            stuck_before = TODAY - timedelta(days=f.stuck_after_days)
            assert computer_lists.in_state(demo.conn, state, **where).total == sum(
                n for n, _, _ in lines
            )
            found = computer_lists.in_state(demo.conn, state, since_before=stuck_before, **where)
            assert found.total == sum(stuck for _, stuck, _ in lines), (f, state)
        found = computer_lists.agreements_ending(
            demo.conn, TODAY, TODAY + timedelta(days=60), **where
        )
        assert found.total == sum(n for n, _ in ending(demo.units, f).values()), f
