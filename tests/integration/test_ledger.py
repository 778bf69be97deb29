"""The ledger answers "as it happened" and "as it was known on K" as the event log itself does.

A programme's year 2025 is recorded with a clock in Paris time: steps on time, a grade corrected
in March, a wipe entered late at 23:30 on K (31 January 2026) and a triage at 00:30 the day
after, then a dismantling cancelled, a late step recorded and cancelled, a loan's date and
amount corrected and a triage's date moved out of the year. The expected answers are folded
here from the decoded events (filtered by their timestamps): never from the read models.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import pytest

from projections import ledger
from projections.database import Connection, Database, connection
from projections.readmodel import dump
from projections.runner import Runner
from tracker.application import Inventory
from tracker.bootstrap import open_read_models
from tracker.commands import (
    CancelStep,
    CorrectDetails,
    Dismantle,
    DonatedUnit,
    Loan,
    Recondition,
    RecordDataWipe,
    RegisterDonation,
    StepCommand,
    Transfer,
    Triage,
)
from tracker.domain.vocabulary import Check
from tracker.history_as_of import end_of_day
from tracker.read_models import ReadModels
from tracker.settings import Settings

ZONE = ZoneInfo("Europe/Paris")
START, END = date(2025, 1, 1), date(2025, 12, 31)
K = date(2026, 1, 31)
KNOWN_ON = (date(2025, 3, 11), K, date(2026, 2, 4))
SHOP, THIRD_PLACE = "ESAT-RANCE", "TL-REDON"
STAGES = {"Donated": "donated", "Triaged": "triaged", "DataWipeRecorded": "data_wiped",
          "Dismantled": "dismantled", "Reconditioned": "reconditioned", "Loaned": "loaned",
          "Returned": "returned", "Transferred": "transferred",
          "WrittenOff": "written_off"}  # fmt: skip
ENTERS = {"Donated": "awaiting_triage", "recondition": "to_recondition", "dismantle":
          "to_dismantle", "Dismantled": "dismantled", "Reconditioned": "ready_to_loan",
          "Loaned": "on_loan", "Returned": "awaiting_triage",
          "WrittenOff": "written_off"}  # fmt: skip
FIELDS: dict[type[StepCommand], dict[str, Any]] = {
    Triage: {"checks": dict.fromkeys(map(str, Check), "ok"), "grade": "B"},
    RecordDataWipe: {"method": "software_overwrite", "result": "success", "tool": "nwipe"},
    Dismantle: {"materials_kg": {"plastics": Decimal("1.2"), "ferrous": Decimal("3.5")},
                "outlet": "Ecologic"},
    Recondition: {"work_done": ["cleaning"], "operating_system": "Debian 12",
                  "quality_check_passed": True, "hours_of_work": Decimal("1.5"),
                  "final_grade": "A"},
    Loan: {"beneficiary_code": "BN-7K3P9Q", "agreement_start": date(2025, 4, 1),
           "agreement_end": date(2027, 4, 1), "contribution_eur": Decimal(25),
           "contribution_method": "cash"},
}  # fmt: skip


def day(month: int, number: int, year: int = 2025) -> date:
    return date(year, month, number)


class Desk:
    """Records each step at the time the test says, and feeds the ledger after each one."""

    def __init__(self, inventory: Inventory, database: Database) -> None:
        self.inventory, self.now = inventory, datetime(2025, 1, 1, tzinfo=ZONE)
        inventory.clock = lambda: self.now
        self.runner = Runner(inventory, database, [ledger.READ_MODEL], batch_size=3, cache_size=2)

    def donate(self, on: date, programme: str = "CD35") -> str:
        self.now = datetime.combine(on, time(9), tzinfo=ZONE)
        [tag] = self.inventory.register_donation(RegisterDonation(
            command_id=uuid4(), actor="alice", site=SHOP, programme=programme, donor="Mairie",
            received_on=on, units=(DonatedUnit(device_type="laptop", brand="Lenovo"),),
        )).tags  # fmt: skip
        self.runner.catch_up()
        return tag

    def record(self, kind: type[StepCommand], tag: str, on: date, at: datetime | None = None,
               **fields: Any) -> None:  # fmt: skip
        self.now = at or datetime.combine(on, time(10), tzinfo=ZONE)
        self.inventory.record(kind(
            command_id=uuid4(), tag=tag, seen_version=self.inventory.computer(tag).version,
            actor="bob", site=fields.pop("site", SHOP), occurred_on=on,
            **{**FIELDS.get(kind, {}), **fields},
        ))  # fmt: skip
        self.runner.catch_up()


def tell(desk: Desk) -> dict[str, str]:
    """The story of the module docstring; returns the tags by letter."""
    a = desk.donate(day(3, 3))
    desk.record(Triage, a, day(3, 5), outcome="recondition")
    desk.record(RecordDataWipe, a, day(3, 6))
    desk.record(CorrectDetails, a, day(3, 12), version=2, reason="mal lu", changes={"grade": "C"})
    desk.record(Recondition, a, day(3, 14))
    desk.record(Transfer, a, day(3, 20), to_site=THIRD_PLACE)
    desk.record(Loan, a, day(4, 1), site=THIRD_PLACE)  # version 7
    f = desk.donate(day(5, 1), programme="CD22")
    desk.record(Triage, f, day(5, 2), outcome="dismantle")
    b = desk.donate(day(6, 2))
    desk.record(Triage, b, day(6, 3), outcome="dismantle")
    desk.record(RecordDataWipe, b, day(6, 4))
    desk.record(Dismantle, b, day(6, 5))  # version 4
    h = desk.donate(day(11, 3))
    c = desk.donate(day(12, 15))
    d = desk.donate(day(12, 29))
    desk.record(Triage, d, day(12, 30), outcome="recondition")  # version 2
    e = desk.donate(day(1, 5, 2026))
    desk.record(RecordDataWipe, c, day(12, 16), at=datetime(2026, 1, 31, 23, 30, tzinfo=ZONE))
    desk.record(Triage, c, day(12, 20), at=datetime(2026, 2, 1, 0, 30, tzinfo=ZONE),
                outcome="recondition")  # fmt: skip
    desk.record(Triage, h, day(11, 4), at=datetime(2026, 2, 2, 10, tzinfo=ZONE),
                outcome="dismantle")  # fmt: skip
    desk.record(CancelStep, h, day(2, 3, 2026), version=2, reason="pas cet ordinateur")
    desk.record(CancelStep, b, day(2, 3, 2026), version=4, reason="pas encore démonté")
    desk.record(CorrectDetails, a, day(2, 5, 2026), version=7, reason="reçu relu",
                changes={"occurred_on": "2025-04-02", "contribution_eur": "20"})  # fmt: skip
    desk.record(CorrectDetails, d, day(2, 10, 2026), version=2, reason="date mal saisie",
                changes={"occurred_on": "2026-01-02"})  # fmt: skip
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "h": h}


@dataclass(frozen=True)
class Story:
    tags: dict[str, str]
    inventory: Inventory
    database: Database
    conn: Connection


@pytest.fixture
def story(inventory: Inventory, database_url: str) -> Iterator[Story]:
    database = open_read_models(Settings(database_url=database_url))
    desk = Desk(inventory, database)
    try:
        tags = tell(desk)
    finally:
        desk.runner.close()
    with connection(database) as conn:
        yield Story(tags, inventory, database, conn)


# -- what the log says, folded here ----------------------------------------------------------


@dataclass
class Fact:
    """One event of a computer as a reading sees it, its corrections applied."""

    version: int
    kind: str
    day: date
    site: str
    details: dict[str, Any]
    cancelled: bool = False
    after: tuple[str, str, str] = ("", "", "")  # state, holder site, grade it left


@dataclass
class Computer:
    facts: list[Fact] = field(default_factory=list)

    @property
    def donation(self) -> dict[str, Any]:
        return self.facts[0].details

    def in_force(self) -> list[Fact]:
        return [f for f in self.facts if f.kind in STAGES and not f.cancelled]


def log_of(inventory: Inventory, known_on: date | None) -> dict[UUID, Computer]:
    """Every computer as the events recorded before the end of `known_on` (all if None) say."""
    before = end_of_day(known_on, ZONE) if known_on else None
    found: dict[UUID, Computer] = {}
    for notification in inventory.recorder.select_notifications(0, 10_000):
        if not notification.topic.startswith("tracker.domain.computer:"):
            continue
        event = inventory.mapper.to_domain_event(notification)
        if before is not None and event.timestamp >= before:
            continue
        facts = found.setdefault(event.originator_id, Computer()).facts
        kind, details = type(event).__name__, dict(vars(event))
        if kind == "StepCancelled":
            facts[event.cancels_version - 1].cancelled = True
        elif kind == "DetailsCorrected":
            corrected = facts[event.corrects_version - 1]
            for name, raw in event.changes.items():
                if name == "occurred_on":
                    corrected.day = date.fromisoformat(raw)
                elif name in ("contribution_eur", "hours_of_work"):
                    corrected.details[name] = Decimal(raw)
                else:
                    corrected.details[name] = raw
        facts.append(Fact(event.originator_version, kind, event.occurred_on, event.site, details))
    for computer in found.values():
        state, grade = "", ""
        for fact in computer.in_force():
            state = ENTERS.get(fact.details.get("outcome", fact.kind), state)
            grade = fact.details.get("grade") or fact.details.get("final_grade") or grade
            fact.after = (state, fact.details.get("to_site", fact.site), grade)
    return {cid: c for cid, c in found.items() if c.donation["programme"] == "CD35"}


def amounts(fact: Fact) -> tuple[int, int, int, str]:
    """Cents, minutes, grams and beneficiary code a step adds to the figures."""
    d = fact.details
    kg = sum(d.get("materials_kg", {}).values())
    return (int(d.get("contribution_eur", 0) * 100), int(d.get("hours_of_work", 0) * 60),
            int(kg * 1000), d.get("beneficiary_code", ""))  # fmt: skip


def expected_figures(log: dict[UUID, Computer]) -> list[ledger.StageFigures]:
    per_stage: dict[str, list[tuple[UUID, Fact]]] = {}
    for cid, computer in log.items():
        for fact in computer.in_force():
            if START <= fact.day <= END:
                per_stage.setdefault(STAGES[fact.kind], []).append((cid, fact))
    return [
        ledger.StageFigures(
            stage,
            len(done),
            len({cid for cid, _ in done}),
            *(sum(amounts(f)[i] for _, f in done) for i in range(3)),
            len({amounts(f)[3] for _, f in done} - {""}),
        )
        for stage, done in sorted(per_stage.items())
    ]


def expected_on(log: dict[UUID, Computer], on: date) -> list[tuple[Any, ...]]:
    found = []
    for computer in log.values():
        facts = [f for f in computer.in_force() if f.day <= on]
        if facts:
            state, site, grade = facts[-1].after
            found.append((computer.donation["tag"], state, site, grade, facts[-1].day, "laptop"))
    return sorted(found)


def seen(fact: Fact | None) -> tuple[Any, ...] | None:
    """What the page shows of a step (and where it left the computer)."""
    if fact is None:
        return None
    return (fact.day, fact.site, STAGES[fact.kind], fact.after[0], *amounts(fact)[:3])


def expected_changes(inventory: Inventory, known_on: date) -> dict[tuple[str, int], Any]:
    then, now = log_of(inventory, known_on), log_of(inventory, None)
    found = {}
    for cid, computer in now.items():
        before = {f.version: f for f in then[cid].in_force()} if cid in then else {}
        after = {f.version: f for f in computer.in_force()}
        for version in before.keys() | after.keys():
            old, new = before.get(version), after.get(version)
            in_period = any(f is not None and START <= f.day <= END for f in (old, new))
            moved = (seen(old), old and old.after) != (seen(new), new and new.after)
            if in_period and moved:
                found[computer.donation["tag"], version] = (seen(old), seen(new))
    return found


def ledger_seen(step: ledger.LedgerStep | None) -> tuple[Any, ...] | None:
    if step is None:
        return None
    return (step.occurred_on, step.site, step.stage, str(step.state),
            step.contribution_cents, step.work_minutes, step.grams)  # fmt: skip


# -- the ledger against the log ------------------------------------------------------------


@pytest.mark.parametrize("known_on", [None, *KNOWN_ON], ids=str)
def test_figures_of_a_period_are_the_steps_in_force_by_their_dates_in_either_reading(
    story: Story, known_on: date | None
) -> None:
    known_at = end_of_day(known_on, ZONE) if known_on else None

    found = ledger.figures(story.conn, "CD35", START, END, known_at=known_at)

    expected = expected_figures(log_of(story.inventory, known_on))
    assert sorted(found, key=lambda f: f.stage) == expected


def test_a_report_issued_on_k_counted_what_was_recorded_by_midnight_paris_time(
    story: Story,
) -> None:
    by_stage = {
        reading: {f.stage: (f.computers, f.contribution_cents, f.grams) for f in figures}
        for reading, figures in (
            ("now", ledger.figures(story.conn, "CD35", START, END)),
            ("K", ledger.figures(story.conn, "CD35", START, END, known_at=end_of_day(K, ZONE))),
        )
    }

    assert by_stage["K"]["data_wiped"][0] == 3, "the wipe recorded at 23:30 on K counts"
    assert by_stage["K"]["triaged"][0] == 3, "the triage recorded at 00:30 after K does not"
    assert by_stage["now"]["triaged"][0] == 3, "one late, one moved to 2026"
    assert by_stage["K"]["dismantled"] == (1, 0, 4700)
    assert "dismantled" not in by_stage["now"]
    assert by_stage["K"]["loaned"] == (1, 2500, 0)
    assert by_stage["now"]["loaned"] == (1, 2000, 0)
    assert by_stage["now"]["donated"][0] == 5, "the other programme and 2026 left out"


@pytest.mark.parametrize("known_on", [None, *KNOWN_ON], ids=str)
@pytest.mark.parametrize("on", [date(2025, 3, 13), date(2025, 6, 4), END], ids=str)
def test_computers_on_a_day_stand_where_their_steps_up_to_that_day_left_them(
    story: Story, known_on: date | None, on: date
) -> None:
    known_at = end_of_day(known_on, ZONE) if known_on else None

    found = ledger.computers_on(story.conn, "CD35", on, known_at=known_at)

    as_rows = [(c.tag, str(c.state), c.site, c.grade, c.last_step_on, c.device_type) for c in found]
    assert as_rows == expected_on(log_of(story.inventory, known_on), on)


def test_on_the_last_day_the_two_readings_disagree_where_the_record_changed_after_k(
    story: Story,
) -> None:
    readings = [
        {c.tag: (str(c.state), c.site) for c in ledger.computers_on(story.conn, "CD35", END,
                                                                    known_at=known_at)}
        for known_at in (None, end_of_day(K, ZONE))
    ]  # fmt: skip
    now, then = readings
    t = story.tags

    assert now[t["a"]] == then[t["a"]] == ("on_loan", THIRD_PLACE)
    assert (now[t["b"]], then[t["b"]]) == (("to_dismantle", SHOP), ("dismantled", SHOP))
    assert (now[t["c"]], then[t["c"]]) == (("to_recondition", SHOP), ("awaiting_triage", SHOP))
    assert (now[t["d"]], then[t["d"]]) == (("awaiting_triage", SHOP), ("to_recondition", SHOP))
    assert t["e"] not in now
    assert t["f"] not in now


@pytest.mark.parametrize("known_on", KNOWN_ON, ids=str)
def test_the_changes_since_k_are_the_steps_of_the_period_recorded_corrected_or_cancelled_after(
    story: Story, known_on: date
) -> None:
    found = ledger.changes_since(story.conn, "CD35", START, END, end_of_day(known_on, ZONE))

    as_seen = {(c.tag, c.version): (ledger_seen(c.then), ledger_seen(c.now)) for c in found}
    assert as_seen == expected_changes(story.inventory, known_on)


def test_after_k_a_late_step_a_cancellation_and_two_corrections_are_listed_not_the_undone_step(
    story: Story,
) -> None:
    t = story.tags

    found = ledger.changes_since(story.conn, "CD35", START, END, end_of_day(K, ZONE))

    assert sorted((c.tag, c.version, c.then is None, c.now is None) for c in found) == sorted([
        (t["a"], 7, False, False), (t["b"], 4, False, True),
        (t["c"], 3, True, False), (t["d"], 2, False, False),
    ])  # fmt: skip
    assert set(expected_changes(story.inventory, K)) == {(c.tag, c.version) for c in found}


def test_rebuilding_the_ledger_gives_the_rows_kept_up_step_by_step(story: Story) -> None:
    kept_up = dump(story.conn, ledger.READ_MODEL)

    ReadModels(story.inventory, story.database).rebuild(["ledger"])

    with connection(story.database) as conn:
        rebuilt = dump(conn, ledger.READ_MODEL)
    assert rebuilt == kept_up
    closed = [row for row in kept_up["ledger"] if row[-1]]
    assert len(closed) >= 5, "corrections and cancellations closed earlier editions"
