"""A report per funder and period: what each of its funding lines paid for, read from the ledger.

Each line counts the steps it pays for, in its programme and at its sites, over the days the
line and the period share. Two readings: as the record stands now (cancelled steps removed,
corrections applied, late entries counted), or as it was known at the end of the day a report
was issued, with the changes recorded since. The figures come with the place in the log they
were read up to and its chain link, which `tracker verify --tete N:EMPREINTE` checks later.
Beneficiaries are counted by public through the register (tracker.funder_publics): the
report holds counts and names of publics, never a person's name or contact.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from projections import funding, ledger
from projections.database import Connection
from projections.funding import FunderEntry, FundingLineEntry
from projections.ledger import Change, LedgerStep, StageFigures
from tracker.application import Inventory
from tracker.domain.exceptions import InvalidValueError, UnknownRecordError
from tracker.domain.vocabulary import FundedStage
from tracker.funder_publics import CategoriesOf, Publics, line_publics, with_publics
from tracker.history_as_of import end_of_day
from tracker.integrity import Link, chained

ORDER = tuple(stage.value for stage in FundedStage)  # the order of the chain
# What each stage carries beyond its count of steps and computers.
MEASURES = {
    FundedStage.DISMANTLED.value: ("grams",),
    FundedStage.RECONDITIONED.value: ("work_minutes",),
    FundedStage.LOANED.value: ("contribution_cents", "beneficiaries"),
}
READ_ATTEMPTS = 5  # while the ledger moves under a read, read again


@dataclass(frozen=True)
class LineReport:
    """One funding line over the days it shares with the period, stage by stage."""

    line: FundingLineEntry
    start: date
    end: date
    figures: tuple[StageFigures, ...]  # in the report's reading, one per stage paid for
    current: tuple[StageFigures, ...]  # as the record stands now (the same without a K)
    changes: tuple[Change, ...]  # steps up to K counted differently now than on K
    later: int = 0  # steps that happened after K (counted now, unknown on K)
    publics: Publics | None = None  # whom its loans reached, in the report's reading
    current_publics: Publics | None = None  # the same as the record stands now


@dataclass(frozen=True)
class Total:
    """One stage over every line of the funder that pays for it.

    Computers and beneficiaries are distinct counts: added up over several lines, one computer
    or one person could count twice, so they are given only when a single line pays for it.
    """

    stage: str
    lines: int
    steps: int
    computers: int | None
    work_minutes: int
    contribution_cents: int
    beneficiaries: int | None
    grams: int


@dataclass(frozen=True)
class FunderReport:
    """Everything a report shows, read at `generated_at` up to the chain link `head`."""

    funder: FunderEntry
    start: date
    end: date
    known_on: date | None  # None: as the record stands now
    generated_at: datetime
    position: int  # the last event of the log the figures include
    head: Link | None  # its link in the integrity chain (None: empty log)
    lines: tuple[LineReport, ...]

    def totals(self, *, current: bool = False) -> tuple[Total, ...]:
        """Per stage, the sum of the lines paying for it (the report's reading, or now)."""
        by_stage: dict[str, list[StageFigures]] = {}
        for report in self.lines:
            for figures in report.current if current else report.figures:
                by_stage.setdefault(figures.stage, []).append(figures)
        return tuple(_total(stage, by_stage[stage]) for stage in ORDER if stage in by_stage)


@dataclass(frozen=True)
class StepsBehind:
    """The steps behind one figure: one stage of one line, in one reading."""

    line: FundingLineEntry
    start: date
    end: date
    figures: StageFigures
    steps: tuple[LedgerStep, ...]
    publics: Publics | None = None  # for the loans: whom they reached, by public


def check_period(start: date, end: date, known_on: date | None, today: date) -> None:
    """Refuse a period ending before it starts, or a report issued on a day still to come."""
    if end < start:
        raise InvalidValueError(field="end", reason="before_start")
    if known_on is not None and known_on > today:
        raise InvalidValueError(field="known_on", reason="in_future")


def funder_report(
    inventory: Inventory, conn: Connection, code: str, *, start: date, end: date,
    categories_of: CategoriesOf, known_on: date | None = None,
) -> FunderReport:  # fmt: skip
    """The report of one funder over a period, as of now or as known at the end of `known_on`.

    `categories_of` gives the publics of beneficiary codes (the register's `categories_of`).
    """
    funder = funder_of(conn, code)
    check_period(start, end, known_on, inventory.today())
    known_at = end_of_day(known_on, inventory.zone) if known_on else None
    generated_at = inventory.clock()
    for _attempt in range(READ_ATTEMPTS):
        position = _ledger_position(conn)
        lines = tuple(
            _line_report(conn, line, start, end, (known_on, known_at), categories_of=categories_of)
            for line in funding.funding_lines(conn, funder.code, start=start, end=end)
        )
        if _ledger_position(conn) == position:
            break
    head = chained(inventory.recorder).head(at_most=position) if position else None
    return FunderReport(funder, start, end, known_on, generated_at, position, head, lines)


def steps_behind(
    inventory: Inventory, conn: Connection, code: str, *, line: str, stage: str,
    start: date, end: date, categories_of: CategoriesOf, known_on: date | None = None,
    limit: int | None = None,
) -> StepsBehind:  # fmt: skip
    """The steps one figure of a report counts (the first `limit` of them, by date and tag)."""
    funder = funder_of(conn, code)
    check_period(start, end, known_on, inventory.today())
    found_line = funding.funding_line(conn, line.strip().upper())
    if found_line is None or found_line.funder != funder.code or stage not in found_line.stages:
        raise UnknownRecordError(kind="funding_line", key=line)
    first, last = max(found_line.starts_on, start), min(found_line.ends_on, end)
    if last < first:
        raise UnknownRecordError(kind="funding_line", key=line)
    known_at = end_of_day(known_on, inventory.zone) if known_on else None
    programme, sites = found_line.programme, found_line.sites
    counted = ledger.figures(conn, programme, first, last, known_at=known_at, sites=sites,
                             stages=(stage,))  # fmt: skip
    publics = None
    if stage == FundedStage.LOANED.value:
        publics = line_publics(
            conn, found_line, first, last, known_at=known_at, categories_of=categories_of
        )
    [figures] = with_publics(_stages(counted, (stage,)), publics)
    found = ledger.steps(conn, programme, first, last, known_at=known_at, sites=sites,
                         stages=(stage,), limit=limit)  # fmt: skip
    return StepsBehind(found_line, first, last, figures, tuple(found), publics)


def funder_of(conn: Connection, code: str) -> FunderEntry:
    """The funder with this code (any case), or UnknownRecordError."""
    funder = funding.funder(conn, code.strip().upper())
    if funder is None:
        raise UnknownRecordError(kind="funder", key=code)
    return funder


def _ledger_position(conn: Connection) -> int:
    rows = conn.execute(
        "SELECT position FROM projection_positions WHERE name = ?", (ledger.READ_MODEL.name,)
    )
    return int(rows[0][0]) if rows else 0


def _line_report(
    conn: Connection, line: FundingLineEntry, start: date, end: date,
    known: tuple[date | None, datetime | None], *, categories_of: CategoriesOf,
) -> LineReport:  # fmt: skip
    known_on, known_at = known
    first, last = max(line.starts_on, start), min(line.ends_on, end)
    paid = tuple(stage for stage in ORDER if stage in line.stages)

    def read(at: datetime | None) -> tuple[tuple[StageFigures, ...], Publics | None]:
        found = ledger.figures(conn, line.programme, first, last, known_at=at, sites=line.sites,
                               stages=paid)  # fmt: skip
        publics = line_publics(conn, line, first, last, known_at=at, categories_of=categories_of)
        return with_publics(_stages(found, paid), publics), publics

    current, reached = read(None)
    if known_on is None or known_at is None:
        return LineReport(line, first, last, current, current, (), 0, reached, reached)
    changes = [
        change
        for change in ledger.changes_since(conn, line.programme, first, last, known_at)
        if any(_counted(step, line, paid) for step in (change.then, change.now))
    ]
    by_then = tuple(c for c in changes if c.then or (c.now and c.now.occurred_on <= known_on))
    later = len(changes) - len(by_then)
    then, reached_then = read(known_at)
    return LineReport(line, first, last, then, current, by_then, later, reached_then, reached)


def _counted(step: LedgerStep | None, line: FundingLineEntry, paid: tuple[str, ...]) -> bool:
    return step is not None and step.stage in paid and (line.every_site or step.site in line.sites)


def _stages(found: list[StageFigures], paid: tuple[str, ...]) -> tuple[StageFigures, ...]:
    """One entry per stage paid for, in the chain's order, zero where no step was found."""
    by_stage = {figures.stage: figures for figures in found}
    return tuple(by_stage.get(stage, StageFigures(stage, 0, 0, 0, 0, 0, 0)) for stage in paid)


def _total(stage: str, parts: list[StageFigures]) -> Total:
    single = len(parts) == 1
    return Total(
        stage=stage,
        lines=len(parts),
        steps=sum(p.steps for p in parts),
        computers=parts[0].computers if single else None,
        work_minutes=sum(p.work_minutes for p in parts),
        contribution_cents=sum(p.contribution_cents for p in parts),
        beneficiaries=parts[0].beneficiaries if single else None,
        grams=sum(p.grams for p in parts),
    )
