"""The officers' dashboard on the demo data shows the figures the event log itself gives.

The expected figures are re-derived here from the decoded events, with this file's own fold of
cancellations and corrections: never from the read models or projections.timeline.
"""

from __future__ import annotations

import statistics
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
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
SOON = timedelta(days=60)
MILESTONES = {"Donated": "donated", "Triaged": "triaged", "Dismantled": "dismantled",
              "Reconditioned": "reconditioned", "Loaned": "loaned", "Returned": "returned",
              "WrittenOff": "written_off"}  # fmt: skip
COUNTED = tuple(MILESTONES.values())[:-1]
ENTERS = {"Donated": "awaiting_triage", "recondition": "to_recondition", "dismantle":
          "to_dismantle", "Reconditioned": "ready_to_loan", "Loaned": "on_loan", "Returned":
          "awaiting_triage", "Dismantled": "dismantled", "WrittenOff": "written_off"}  # fmt: skip
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
WAITING = ("awaiting_triage", "to_dismantle", "to_recondition", "ready_to_loan")


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
        wanted = kinds or MILESTONES
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
            units[event.originator_id] = Unit(event.tag, event.programme, event.device_type)
        unit = units[event.originator_id]
        assert event.originator_version == len(unit.events) + 1
        if kind == "StepCancelled":
            unit.events[event.cancels_version - 1].cancelled = True
        elif kind == "DetailsCorrected":
            apply_correction(unit, unit.events[event.corrects_version - 1], event.changes)
        unit.events.append(Step(len(unit.events) + 1, kind, event.occurred_on, event.site, fields))
    return list(units.values())


def apply_correction(unit: Unit, step: Step, changes: dict[str, str]) -> None:
    for name, raw in changes.items():
        if name == "occurred_on":
            step.day = date.fromisoformat(raw)
        elif name == "agreement_end":
            step.details[name] = date.fromisoformat(raw)
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


def where(f: Filters) -> dict[str, Any]:
    """The scope as the drill-down lists take it."""
    return {"programme": f.programme, "site": f.site}


def scopes(units: list[Unit], year: int) -> list[Filters]:
    sites = sorted({step.site for unit in units for step in unit.events})
    return [Filters(year), Filters(year, programme="CD35"), *(Filters(year, site=s) for s in sites)]


# -- the figures, from the log --------------------------------------------------------------


def done(units: list[Unit], f: Filters, *kinds: str) -> list[tuple[Unit, Step]]:
    """The steps in force of these kinds done in the scope (at a site of it), with their unit."""
    return [(u, s) for u in units for s in u.in_force(*kinds) if within(f, u, s.site)]


def flow(units: list[Unit], f: Filters) -> Counter[tuple[int, str, int]]:
    """Steps in force per (year, stage, month) in the scope."""
    return Counter((s.day.year, MILESTONES[s.kind], s.day.month) for _, s in done(units, f))


def months(steps: Counter[tuple[int, str, int]], year: int, stage: str) -> tuple[int, ...]:
    return tuple(steps[year, stage, month] for month in range(1, 13))


def leads(units: list[Unit], f: Filters) -> dict[str, list[int]]:
    """Days of each segment ended in the year, in the scope of the site where it ended."""
    found: dict[str, list[int]] = defaultdict(list)
    for unit in units:
        arrival, milestones = None, unit.in_force(*MILESTONES)
        for before, after in zip([None, *milestones], milestones, strict=False):
            starts = {} if before is None else {MILESTONES[before.kind]: before}
            if after.kind in ("Donated", "Returned"):
                arrival = after
            elif after.kind in ("Loaned", "Dismantled") and arrival:
                starts["arrival"] = arrival
            for origin, start in starts.items():
                if after.day.year == f.year and within(f, unit, after.site):
                    segment = f"{origin}_to_{MILESTONES[after.kind]}"
                    found[segment].append((after.day - start.day).days)
    return found


def summary(days: list[int]) -> tuple[int, float | None, float | None]:
    if not days:
        return 0, None, None
    p90 = statistics.quantiles(days, n=10, method="inclusive")[-1] if len(days) > 1 else days[0]
    return len(days), statistics.median(days), p90


def active_loans(units: list[Unit], f: Filters) -> list[Step]:
    """The Loaned step of each computer on loan now (no return or write-off after it)."""
    return [s[-1] for u in units if (s := u.in_force("Loaned", "Returned", "WrittenOff"))
            and s[-1].kind == "Loaned" and within(f, u, s[-1].site)]  # fmt: skip


def ending(units: list[Unit], f: Filters) -> dict[str, tuple[int, date]]:
    """(agreements, first end) per third place, of the active ones ending within sixty days."""
    ends: dict[str, list[date]] = defaultdict(list)
    for loan in active_loans(units, f):
        if TODAY <= (end := loan.details["agreement_end"]) <= TODAY + SOON:
            ends[loan.site].append(end)
    return {place: (len(days), min(days)) for place, days in ends.items()}


def stocks(units: list[Unit], f: Filters) -> dict[tuple[str, str], tuple[int, int, date]]:
    """(computers, stuck, oldest since) per waiting state and site where they are now."""
    found: dict[tuple[str, str], tuple[int, int, date]] = {}
    before = TODAY - timedelta(days=f.stuck_after_days)
    for unit in units:
        state, site, since = "", "", date.min  # since: when the state began (business date)
        for step in unit.in_force(*MILESTONES, "DataWipeRecorded", "Transferred"):
            new = ENTERS.get(step.details.get("outcome", step.kind), state)  # triage: its outcome
            site = step.details["to_site"] if step.kind == "Transferred" else step.site
            state, since = (new, step.day) if new != state else (state, since)
        if state in WAITING and within(f, unit, site):
            n, stuck, oldest = found.get((state, site), (0, 0, date.max))
            found[state, site] = (n + 1, stuck + (since < before), min(oldest, since))
    return found


# -- the demo store, once per backend -------------------------------------------------------


Fix = type[commands.CancelStep | commands.CorrectDetails]


@dataclass(frozen=True)
class Demo:
    units: list[Unit]
    targets: dict[str, int]  # programme -> yearly target, from the log
    conn: Connection


def correct_some(inventory: Inventory, units: list[Unit]) -> None:
    """What the demo does not record: corrected dates, weights, terms and types, and cancelled
    loans, dismantlings and transfers, on recent computers whose last step began a month."""

    def last(kind: str) -> Iterator[tuple[Unit, Step, Step]]:
        for unit in reversed(units):
            *_, before, step = [unit.events[0], *unit.in_force(*MILESTONES, "Transferred")]
            month_before = before.day.replace(day=1) < step.day.replace(day=1)
            if step.kind == kind and step.day.year == TODAY.year and month_before:
                yield unit, before, step

    def record(command: Fix, unit: Unit, **fields: Any) -> None:
        seen = inventory.computer(unit.tag).version
        inventory.record(command(command_id=uuid.uuid4(), tag=unit.tag, seen_version=seen,
                                 actor="agent", site=unit.events[-1].site, occurred_on=TODAY,
                                 reason="erreur", **fields))  # fmt: skip

    def correct(unit: Unit, step: Step, **changes: str) -> None:
        record(commands.CorrectDetails, unit, version=step.version, changes=changes)

    loans, scraps = last("Loaned"), last("Dismantled")
    unit, before, loan = next(loans)
    correct(unit, loan, occurred_on=before.day.isoformat())
    unit, _, loan = next(x for x in loans if x[2].details["contribution_method"] != "waived")
    correct(unit, loan, agreement_end=str(TODAY + timedelta(days=9)), contribution_eur="12.5")
    correct(unit, unit.events[0], device_type={"tablet": "laptop"}.get(unit.device_type, "tablet"))
    unit, before, scrap = next(scraps)
    correct(unit, scrap, occurred_on=before.day.isoformat(), **{"materials_kg.plastics": "9.125"})
    for unit, _, step in (next(loans), next(scraps), next(last("Transferred"))):
        record(commands.CancelStep, unit, version=step.version)


@pytest.fixture(scope="module", params=BACKENDS)
def demo(request: pytest.FixtureRequest) -> Iterator[Demo]:
    """The demo (and correct_some) recorded in bulk, its read models caught up, a connection."""
    schema = f"t_{uuid.uuid4().hex[:16]}"
    url = f"sqlite:///{request.getfixturevalue('tmp_path_factory').mktemp('demo')}/events.sqlite3"
    if request.param == "postgres":
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
        found = decoded(inventory, "tracker.domain.programme:")
        targets = {p.code: p.yearly_target for p in found if isinstance(p, Programme.Registered)}
        with connection(models.database) as conn:
            yield Demo(units_of(inventory), targets, conn)
    finally:
        inventory.close()
        if request.param == "postgres":
            params = storage.connection_params(storage.parse(url, base=Path.cwd()))
            with psycopg.connect(**params, autocommit=True) as admin:  # type: ignore[arg-type]
                admin.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


@pytest.fixture(params=YEARS)
def year(request: pytest.FixtureRequest) -> int:
    return int(request.param)


# -- the specifications ---------------------------------------------------------------------


def test_the_log_holds_every_milestone_cancellations_corrections_and_endings(demo: Demo) -> None:
    kinds = Counter(step.kind for unit in demo.units for step in unit.events)
    assert all(kinds[kind] >= 3 for kind in (*MILESTONES, "StepCancelled", "DetailsCorrected"))
    assert ending(demo.units, Filters(TODAY.year)), "some agreements end within sixty days"
    assert demo.targets == {"CD35": 500}


def test_monthly_throughput_is_the_steps_in_force_and_lists_them(demo: Demo, year: int) -> None:
    for f in scopes(demo.units, year):
        steps, shown = flow(demo.units, f), dashboard.throughput(demo.conn, f)
        assert shown.this_year == {stage: months(steps, year, stage) for stage in COUNTED}, f
        assert shown.last_year == {stage: months(steps, year - 1, stage) for stage in COUNTED}, f
        for stage in COUNTED:
            listed = computer_lists.steps(demo.conn, stage, f.start, f.end, **where(f))
            assert listed.total == sum(months(steps, year, stage)), (f, stage)


def test_progress_towards_the_target_counts_reconditioned_and_loaned(demo: Demo, year: int) -> None:
    everything = Filters(year)
    as_of, cd35 = min(TODAY, everything.end), replace(everything, programme="CD35")
    for f, goal in ((everything, sum(demo.targets.values())), (cd35, demo.targets["CD35"])):
        steps, shown = flow(demo.units, f), dashboard.target(demo.conn, f, TODAY)
        assert (shown.target, shown.day) == (goal, as_of)
        assert [p.stage for p in shown.progress] == ["reconditioned", "loaned"]
        for progress in shown.progress:
            this, last = (months(steps, y, progress.stage) for y in (year, year - 1))
            assert progress.done == sum(this)
            assert progress.cumulative == tuple(accumulate(this[: as_of.month]))
            assert progress.last_year_cumulative == tuple(accumulate(last))
    assert dashboard.target(demo.conn, Filters(year, site="AI-VILAINE"), TODAY).target is None


def test_lead_times_are_the_days_between_milestones_in_force(demo: Demo, year: int) -> None:
    for f in scopes(demo.units, year):
        expected = leads(demo.units, f)
        for shown in dashboard.lead_times(demo.conn, f, year):
            count, median, p90 = summary(expected[shown.segment])
            assert shown.computers == count, (f, shown.segment)
            assert shown.median == pytest.approx(median), (f, shown.segment)
            assert shown.p90 == pytest.approx(p90), (f, shown.segment)
            listed = computer_lists.segment(demo.conn, shown.segment, f.start, f.end, **where(f))
            assert listed.total == count, (f, shown.segment)


def test_materials_and_avoided_co2_add_up_dismantlings_and_loans(demo: Demo, year: int) -> None:
    factors = co2.load()
    for f in scopes(demo.units, year):
        scrapped = [s.details for _, s in done(demo.units, f, "Dismantled") if s.day.year == year]
        parts = Counter[tuple[str, bool]]()
        for part in (part for details in scrapped for part in details["components"]):
            parts[part["kind"], bool(part["reusable"])] += part["count"]
        loans = Counter(
            u.device_type for u, s in done(demo.units, f, "Loaned") if s.day.year == year
        )
        shown = dashboard.materials(demo.conn, f, factors)
        kg = sum((Counter(details["materials_kg"]) for details in scrapped), Counter[str]())
        assert shown.kg_by_fraction == kg, f  # Counter sums keep the fractions weighing something
        assert shown.components == parts, f
        impact = [(kind, n, factors.avoided_kg(kind, n)) for kind, n in sorted(loans.items())]
        assert [(i.device_type, i.handouts, i.kg_co2e) for i in shown.impact] == impact, f


def test_loans_are_the_agreements_in_force_and_the_contributions(demo: Demo, year: int) -> None:
    for f in scopes(demo.units, year):
        shown = dashboard.loans_of(demo.conn, f, TODAY, dashboard.throughput(demo.conn, f))
        steps, soon = flow(demo.units, f), ending(demo.units, f)
        loans = [s.details for _, s in done(demo.units, f, "Loaned") if s.day.year == year]
        cents = sum(int(details["contribution_eur"] * 100) for details in loans)
        assert shown.active == len(active_loans(demo.units, f)), f
        assert {e.third_place: (e.agreements, e.first_end) for e in shown.ending} == soon, f
        assert (shown.handed_out, shown.returned, shown.contributions_cents) == (
            sum(months(steps, year, "loaned")), sum(months(steps, year, "returned")), cents,
        ), f  # fmt: skip
        listed = computer_lists.agreements_ending(demo.conn, TODAY, TODAY + SOON, **where(f))
        assert listed.total == sum(n for n, _ in soon.values()), f


def test_stocks_are_the_computers_whose_steps_in_force_leave_them_waiting(demo: Demo) -> None:
    for f in scopes(demo.units, TODAY.year):
        shown, expected = dashboard.stocks(demo.conn, f, TODAY), stocks(demo.units, f)
        lines = {(str(w.state), w.site): w for w in shown.waiting}
        assert {k: (w.computers, w.stuck, w.oldest_since) for k, w in lines.items()} == expected, f
        for state in WAITING:
            here = [line for (s, _), line in expected.items() if s == state]
            listed = computer_lists.in_state(demo.conn, state, **where(f))
            assert listed.total == sum(n for n, _, _ in here), (f, state)
            before = shown.stuck_before
            late = computer_lists.in_state(demo.conn, state, since_before=before, **where(f))
            assert late.total == sum(stuck for _, stuck, _ in here), (f, state)
