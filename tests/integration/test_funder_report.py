"""The funder report on SQLite and PostgreSQL: every figure equals a count made here from the log.

The count below reads the raw log (decoded events), applies cancellations and corrections itself
and keeps only what was recorded by an instant; it shares no code with the read models.

The story, in programme CD35 (and one computer of CD22), with the report issued on 1 April 2026:
two computers reconditioned at AI-VILAINE and loaned at TL-REDON, one dismantled at the sorting
workshop and one at AI-VILAINE, one loaned in December 2025; a computer recorded late at 23:30
on 1 April (Paris) is known that day. After that day: a loan cancelled, hours, a contribution
(at 00:30 on 2 April) and weights corrected, a triage date moved out of a line's period, a
computer entered late, and a triage that happened after the day.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest

from projections.database import connection
from projections.ledger import StageFigures
from tracker import storage
from tracker.application import Inventory
from tracker.bootstrap import read_models_of
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
    Triage,
)  # fmt: skip
from tracker.domain.computer import Computer
from tracker.domain.exceptions import InvalidValueError, UnknownRecordError
from tracker.domain.vocabulary import Check
from tracker.funder_report import FunderReport, funder_report, steps_behind
from tracker.integrity import chained
from tracker.read_models import ReadModels
from tracker.settings import Settings

K = date(2026, 4, 1)
START, END = date(2026, 1, 1), date(2026, 6, 30)
ESAT, WORKSHOP, THIRD_PLACE, DINAN = "ESAT-RANCE", "AI-VILAINE", "TL-REDON", "TL-DINAN"
LINE_WORK = "FSE-2026-CD35"  # dismantling, reconditioning, hand-outs at AI-VILAINE and TL-REDON
LINE_TRIAGE = "FSE-TRI-CD35"  # triage at every site, from 1 March
STAGES = {"Triaged": "triaged", "DataWipeRecorded": "data_wiped", "Dismantled": "dismantled",
          "Reconditioned": "reconditioned", "Loaned": "loaned", "Returned": "returned"}  # fmt: skip
FIELDS: dict[type[StepCommand], dict[str, Any]] = {
    Triage: {"checks": dict.fromkeys(map(str, Check), "ok"), "grade": "B"},
    RecordDataWipe: {"method": "software_overwrite", "result": "success", "tool": "nwipe"},
    Recondition: {"work_done": ["cleaning"], "operating_system": "Debian 12",
                  "quality_check_passed": True, "final_grade": "A"},
    Loan: {"agreement_end": date(2028, 1, 1), "contribution_method": "cash"},
    Dismantle: {"outlet": "Ecologic"},
}  # fmt: skip


def paris(day: date, hour: int, minute: int = 0) -> datetime:
    """An instant given in Paris time (winter: UTC+1, summer from 29 March: UTC+2)."""
    offset = 2 if day >= date(2026, 3, 29) else 1
    return datetime.combine(day, time(hour, minute), tzinfo=UTC) - timedelta(hours=offset)


class Desk:
    """Records the story through the application, its clock set to each recording time."""

    def __init__(self, inventory: Inventory) -> None:
        self.inventory = inventory
        self.now = paris(date(2025, 12, 1), 9)
        inventory.clock = lambda: self.now

    def donate(self, on: date, programme: str = "CD35", site: str = ESAT) -> str:
        [tag] = self.inventory.register_donation(RegisterDonation(
            command_id=uuid4(), actor="amelie", site=site, programme=programme, donor="Rennes",
            received_on=on, units=(DonatedUnit(device_type="laptop", brand="Dell"),),
        )).tags  # fmt: skip
        return tag

    def record(self, kind: type[StepCommand], tag: str, on: date, site: str = ESAT,
               **fields: Any) -> int:  # fmt: skip
        version = self.inventory.computer(tag).version
        return self.inventory.record(kind(
            command_id=uuid4(), tag=tag, seen_version=version, actor="bob", site=site,
            occurred_on=on, **{**FIELDS.get(kind, {}), **fields},
        )).version  # fmt: skip

    def reconditioned(self, on: date, hours: str) -> str:
        tag = self.donate(on - timedelta(days=7))
        self.record(Triage, tag, on - timedelta(days=6), outcome="recondition")
        self.record(RecordDataWipe, tag, on - timedelta(days=6))
        self.record(Recondition, tag, on, WORKSHOP, hours_of_work=Decimal(hours))
        return tag

    def dismantled(self, triaged: date, on: date, site: str, **kg: str) -> str:
        tag = self.donate(triaged - timedelta(days=11))
        self.record(Triage, tag, triaged, outcome="dismantle")
        self.record(RecordDataWipe, tag, triaged)
        materials = {fraction: Decimal(weight) for fraction, weight in kg.items()}
        self.record(Dismantle, tag, on, site, materials_kg=materials)
        return tag

    def loan(self, tag: str, on: date, code: str, euros: str) -> int:
        return self.record(Loan, tag, on, THIRD_PLACE, beneficiary_code=code,
                           agreement_start=on, contribution_eur=Decimal(euros))  # fmt: skip


@dataclass(frozen=True)
class Story:
    inventory: Inventory
    models: ReadModels
    tags: dict[str, str]


@pytest.fixture
def story(database_url: str, tmp_path: Path) -> Iterator[Story]:
    store = storage.parse(database_url, base=tmp_path)
    storage.prepare(store)
    inventory = Inventory(store.env, zone=ZoneInfo("Europe/Paris"))
    try:
        desk = Desk(inventory)
        yield Story(inventory, read_models_of(Settings(database_url=database_url), inventory),
                    _record(desk))  # fmt: skip
    finally:
        inventory.close()


def _record(desk: Desk) -> dict[str, str]:
    inventory, tags = desk.inventory, {}
    for code in ("CD35", "CD22"):
        inventory.register_programme(code=code, name=code, territory="Bretagne", actor="root")
    for site, programme in ((ESAT, "CD35"), (WORKSHOP, "CD35"), (THIRD_PLACE, "CD35"),
                            (DINAN, "CD22")):  # fmt: skip
        inventory.register_site(code=site, name=site, kind="other", town="", programme=programme,
                                actor="root")  # fmt: skip
    for funder, kind in (("FSE-PLUS", "fse_plus"), ("CD35", "departement")):
        inventory.register_funder(code=funder, name=f"Financeur {funder}", kind=kind, actor="root")
    line = {"programme": "CD35", "ends_on": date(2026, 12, 31), "actor": "root"}
    inventory.register_funding_line(code=LINE_WORK, funder="FSE-PLUS", starts_on=date(2026, 1, 1),
                                    stages=["loaned", "dismantled", "reconditioned"],
                                    sites=[WORKSHOP, THIRD_PLACE], **line)  # fmt: skip
    inventory.register_funding_line(code=LINE_TRIAGE, funder="FSE-PLUS", stages=["triaged"],
                                    starts_on=date(2026, 3, 1), **line)  # fmt: skip
    inventory.register_funding_line(code="DEPT-2026-CD35", funder="CD35", stages=["triaged"],
                                    starts_on=date(2026, 1, 1), **line)  # fmt: skip
    desk.now = paris(date(2025, 12, 20), 9)
    tags["F"] = desk.reconditioned(date(2025, 12, 5), "2")
    desk.loan(tags["F"], date(2025, 12, 10), "BN-FFFF11", "25")
    desk.now = paris(date(2026, 3, 31), 9)
    tags["A"] = desk.reconditioned(date(2026, 2, 10), "2.5")
    loan_a = desk.loan(tags["A"], date(2026, 2, 15), "BN-AAAA11", "25")
    tags["B"] = desk.reconditioned(date(2026, 3, 5), "1.5")
    loan_b = desk.loan(tags["B"], date(2026, 3, 10), "BN-BBBB22", "20")
    tags["C"] = desk.dismantled(date(2026, 3, 3), date(2026, 3, 4), ESAT, plastics="1")
    tags["D"] = desk.dismantled(date(2026, 3, 3), date(2026, 3, 6), WORKSHOP, plastics="1.2",
                                ferrous="3.5")  # fmt: skip
    tags["E"] = desk.donate(date(2026, 3, 1), "CD22", DINAN)
    desk.record(Triage, tags["E"], date(2026, 3, 2), DINAN, outcome="recondition")
    desk.now = paris(K, 23, 30)  # late on the day of the report: known that day
    tags["H"] = desk.donate(K)
    desk.record(Triage, tags["H"], K, outcome="recondition")
    desk.now = paris(K + timedelta(days=1), 0, 30)  # just after midnight: not known on K
    desk.record(CorrectDetails, tags["B"], date(2026, 4, 2), version=loan_b, reason="reçu",
                changes={"contribution_eur": "15"})  # fmt: skip
    desk.now = paris(date(2026, 4, 10), 9)
    desk.record(CancelStep, tags["A"], date(2026, 4, 10), version=loan_a, reason="erreur")
    desk.record(CorrectDetails, tags["B"], date(2026, 4, 10), WORKSHOP, version=loan_b - 1,
                reason="relu", changes={"hours_of_work": "3"})  # fmt: skip
    desk.record(CorrectDetails, tags["D"], date(2026, 4, 10), WORKSHOP, version=4,
                reason="pesé", changes={"materials_kg.plastics": "0.25"})  # fmt: skip
    desk.record(CorrectDetails, tags["C"], date(2026, 4, 10), version=2, reason="date",
                changes={"occurred_on": "2026-02-25"})  # fmt: skip
    tags["G"] = desk.reconditioned(date(2026, 3, 25), "4")  # entered late
    desk.now = paris(date(2026, 4, 12), 9)
    tags["I"] = desk.donate(date(2026, 4, 12))
    desk.record(Triage, tags["I"], date(2026, 4, 12), outcome="dismantle")
    return tags


# -- the count made here, from the raw log ---------------------------------------------------


def decoded(inventory: Inventory) -> list[Computer.Event]:
    """Every computer event of the log, decoded, in log order."""
    found, after = [], 0
    while batch := inventory.recorder.select_notifications(after, 500, inclusive_of_start=False):
        found += [inventory.mapper.to_domain_event(n) for n in batch]
        after = batch[-1].id
    return [event for event in found if isinstance(event, Computer.Event)]


def counted(
    events: list[Computer.Event], *, programme: str, start: date, end: date,
    stages: tuple[str, ...], sites: tuple[str, ...], before: datetime | None,
) -> dict[str, StageFigures]:  # fmt: skip
    """Per stage, the steps in force among the events recorded before `before` (None: all)."""
    steps: dict[tuple[Any, int], dict[str, Any]] = {}
    programmes: dict[Any, str] = {}
    for event in events:
        if before is not None and event.timestamp >= before:
            continue
        key = event.originator_id
        if isinstance(event, Computer.Donated):
            programmes[key] = event.programme
        elif isinstance(event, Computer.StepCancelled):
            steps.pop((key, event.cancels_version), None)
        elif isinstance(event, Computer.DetailsCorrected):
            step = steps.get((key, event.corrects_version))
            for name, value in event.changes.items() if step else ():
                if name == "occurred_on":
                    step["on"] = date.fromisoformat(value)  # type: ignore[index]
                elif name.startswith("materials_kg."):
                    step["kg"] = {**step["kg"], name.split(".")[1]: Decimal(value)}  # type: ignore[index]
                else:
                    step[name] = Decimal(value)  # type: ignore[index]
        elif type(event).__name__ in STAGES:
            steps[(key, event.originator_version)] = {
                "stage": STAGES[type(event).__name__], "site": event.site,
                "on": event.occurred_on, "hours_of_work": getattr(event, "hours_of_work", 0),
                "contribution_eur": getattr(event, "contribution_eur", 0),
                "kg": getattr(event, "materials_kg", {}),
                "code": getattr(event, "beneficiary_code", ""),
            }  # fmt: skip
    totals: dict[str, StageFigures] = {}
    for stage in stages:
        mine = [(computer, step) for (computer, _), step in steps.items()
                if programmes[computer] == programme and step["stage"] == stage
                and start <= step["on"] <= end
                and (not sites or step["site"] in sites)]  # fmt: skip
        totals[stage] = StageFigures(
            stage,
            len(mine),
            len({computer for computer, _ in mine}),
            sum(int(step["contribution_eur"] * 100) for _, step in mine),
            sum(int(step["hours_of_work"] * 60) for _, step in mine),
            sum(int(kg * 1000) for _, step in mine for kg in step["kg"].values()),
            len({step["code"] for _, step in mine if step["code"]}),
        )
    return totals


def unregistered(codes: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """The register of a programme that gave codes before it kept one: nobody in it."""
    return {}


def report(story: Story, known_on: date | None = None) -> FunderReport:
    story.models.catch_up()
    with connection(story.models.database) as conn:
        return funder_report(story.inventory, conn, "fse-plus", start=START, end=END,
                             known_on=known_on, categories_of=unregistered)  # fmt: skip


def by_line(found: FunderReport) -> dict[str, Any]:
    return {part.line.code: part for part in found.lines}


# -- the tests --------------------------------------------------------------------------------


@pytest.mark.parametrize("known_on", [K, None], ids=["as known on K", "as corrected since"])
def test_every_figure_of_each_line_equals_the_count_made_from_the_log(
    story: Story, known_on: date | None
) -> None:
    found = report(story, known_on)
    events = decoded(story.inventory)
    instant = datetime.combine(K + timedelta(days=1), time(), tzinfo=story.inventory.zone)

    assert sorted(by_line(found)) == [LINE_WORK, LINE_TRIAGE], "the other funder's line is apart"
    for part in found.lines:
        scope = {"programme": "CD35", "start": part.start, "end": part.end,
                 "stages": part.line.stages, "sites": part.line.sites}  # fmt: skip
        expected = counted(events, before=instant if known_on else None, **scope)
        assert {f.stage: f for f in part.figures} == expected, part.line.code
        assert {f.stage: f for f in part.current} == counted(events, before=None, **scope)


def test_as_known_on_k_and_as_corrected_since_give_the_story_s_figures(story: Story) -> None:
    then, now = by_line(report(story, K)), by_line(report(story))
    work_then = {f.stage: f for f in then[LINE_WORK].figures}
    work_now = {f.stage: f for f in now[LINE_WORK].figures}

    assert (then[LINE_WORK].start, then[LINE_WORK].end) == (START, END)
    assert (then[LINE_TRIAGE].start, then[LINE_TRIAGE].end) == (date(2026, 3, 1), END)
    assert work_then["reconditioned"].work_minutes == (2.5 + 1.5) * 60
    assert work_now["reconditioned"].work_minutes == (2.5 + 3 + 4) * 60
    assert (work_then["loaned"].contribution_cents, work_then["loaned"].beneficiaries) == (4500, 2)
    assert (work_now["loaned"].contribution_cents, work_now["loaned"].beneficiaries) == (1500, 1)
    assert (work_then["dismantled"].grams, work_now["dismantled"].grams) == (4700, 3750)
    assert then[LINE_TRIAGE].figures[0].steps == 3  # C and D on 3 March, H on 1 April
    assert now[LINE_TRIAGE].figures[0].steps == 4  # C moved to February; G and I counted


def test_the_changes_since_k_are_those_of_the_steps_each_line_counts(story: Story) -> None:
    lines = by_line(report(story, K))
    tags = {tag: name for name, tag in story.tags.items()}

    def described(code: str) -> list[tuple[str, str, str]]:
        return [(tags[c.tag], (c.now or c.then).stage,  # type: ignore[union-attr]
                 "late" if c.then is None else "cancelled" if c.now is None else "corrected")
                for c in lines[code].changes]  # fmt: skip

    assert sorted(described(LINE_WORK)) == [
        ("A", "loaned", "cancelled"), ("B", "loaned", "corrected"),
        ("B", "reconditioned", "corrected"), ("D", "dismantled", "corrected"),
        ("G", "reconditioned", "late"),
    ]  # fmt: skip
    assert sorted(described(LINE_TRIAGE)) == [("C", "triaged", "corrected"),
                                              ("G", "triaged", "late")]  # fmt: skip
    assert (lines[LINE_WORK].later, lines[LINE_TRIAGE].later) == (0, 1)  # I, triaged on 12 April


def test_the_totals_add_up_the_lines_and_give_distinct_counts_only_for_one_line(
    story: Story,
) -> None:
    found = report(story)
    totals = {total.stage: total for total in found.totals()}

    assert list(totals) == ["triaged", "dismantled", "reconditioned", "loaned"]
    assert (totals["triaged"].steps, totals["triaged"].lines) == (4, 1)
    assert (totals["loaned"].contribution_cents, totals["loaned"].beneficiaries) == (1500, 1)
    assert totals["reconditioned"].computers == 3


def test_the_report_carries_the_link_of_the_last_event_it_read(story: Story) -> None:
    found = report(story)
    recorder = chained(story.inventory.recorder)
    head = recorder.head()

    assert head is not None
    assert found.position == head.position == story.inventory.recorder.max_notification_id()
    assert found.head == head
    assert recorder.head(at_most=head.position - 1) == recorder.select_links(0, head.position)[-2]
    assert found.generated_at == story.inventory.clock()


def test_the_steps_behind_a_figure_are_exactly_those_it_counts(story: Story) -> None:
    story.models.catch_up()
    with connection(story.models.database) as conn:
        behind = steps_behind(story.inventory, conn, "FSE-PLUS", line=LINE_WORK,
                              stage="reconditioned", start=START, end=END,
                              categories_of=unregistered)  # fmt: skip
        then = steps_behind(story.inventory, conn, "FSE-PLUS", line=LINE_WORK,
                            stage="reconditioned", start=START, end=END, known_on=K,
                            categories_of=unregistered)  # fmt: skip
    names = {tag: name for name, tag in story.tags.items()}

    assert [names[step.tag] for step in behind.steps] == ["A", "B", "G"]
    assert sum(step.work_minutes for step in behind.steps) == behind.figures.work_minutes == 570
    assert [names[step.tag] for step in then.steps] == ["A", "B"]
    assert {step.site for step in behind.steps} == {WORKSHOP}


@pytest.mark.parametrize(
    ("ask", "refusal"),
    [
        ({"code": "FEDER"}, UnknownRecordError),
        ({"start": date(2026, 7, 1)}, InvalidValueError),
        ({"known_on": date(2026, 4, 13)}, InvalidValueError),
    ],
    ids=["unknown funder", "end before start", "issued on a day to come"],
)
def test_a_report_that_cannot_be_made_is_refused(
    story: Story, ask: dict[str, Any], refusal: type[Exception]
) -> None:
    query = {"code": "FSE-PLUS", "start": START, "end": END, "known_on": None, **ask}
    story.models.catch_up()
    with connection(story.models.database) as conn, pytest.raises(refusal):
        funder_report(story.inventory, conn, query.pop("code"), categories_of=unregistered,
                      **query)  # fmt: skip


def test_a_figure_the_line_does_not_pay_for_has_no_steps_to_show(story: Story) -> None:
    story.models.catch_up()
    with connection(story.models.database) as conn, pytest.raises(UnknownRecordError):
        steps_behind(story.inventory, conn, "FSE-PLUS", line=LINE_WORK, stage="triaged",
                     start=START, end=END, categories_of=unregistered)  # fmt: skip
