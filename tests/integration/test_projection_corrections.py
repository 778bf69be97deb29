"""The read models follow cancellations, corrections and the end of loans, on both backends."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest

from projections import activity, asset_register, flow, lead_times, loans, materials
from projections.database import Connection, Database, as_date, connection
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
    TakeBack,
    Transfer,
    Triage,
    WriteOff,
)
from tracker.domain.lifecycle import State
from tracker.domain.vocabulary import Check
from tracker.settings import Settings

RECEIVED = date(2026, 6, 1)
JUNE = {day: date(2026, 6, day) for day in range(1, 16)}
SITE = "ESAT-RENNES"
THIRD_PLACE = "TIERS-LIEU-VITRE"
AGREEMENT_END = date(2027, 6, 10)

FIELDS: dict[type[StepCommand], dict[str, Any]] = {
    Triage: {"checks": dict.fromkeys(map(str, Check), "ok"), "grade": "B"},
    RecordDataWipe: {"method": "software_overwrite", "result": "success", "tool": "nwipe"},
    Recondition: {
        "work_done": ["cleaning"],
        "operating_system": "Debian 12",
        "quality_check_passed": True,
        "hours_of_work": Decimal("1.5"),
        "final_grade": "A",
    },
    Loan: {
        "beneficiary_code": "BN-7K3P9Q",
        "agreement_start": JUNE[10],
        "agreement_end": AGREEMENT_END,
        "contribution_eur": Decimal("20"),
        "contribution_method": "cash",
    },
    Dismantle: {
        "components": [{"kind": "ram", "count": 2, "reusable": True}],
        "materials_kg": {"plastics": Decimal("1.2"), "ferrous": Decimal("3.5")},
        "outlet": "Ecologic",
    },
}


class Desk:
    """Records steps on the inventory and brings the read models up to date after each one."""

    def __init__(self, inventory: Inventory, database: Database) -> None:
        self.inventory = inventory
        self.runner = Runner(inventory, database, batch_size=3, cache_size=2)

    def donate(self) -> str:
        [tag] = self.inventory.register_donation(
            RegisterDonation(
                command_id=uuid4(),
                actor="alice",
                site=SITE,
                programme="CD35",
                donor="Mairie de Rennes",
                received_on=RECEIVED,
                units=(DonatedUnit(device_type="laptop", brand="Lenovo"),),
            )
        ).tags
        self.runner.catch_up()
        return tag

    def record(self, kind: type[StepCommand], tag: str, on: date, **fields: Any) -> int:
        """Record a step dated `on`; returns the computer's new version."""
        command = kind(
            command_id=uuid4(),
            tag=tag,
            seen_version=self.inventory.computer(tag).version,
            actor="bob",
            site=fields.pop("site", SITE),
            occurred_on=on,
            **{**FIELDS.get(kind, {}), **fields},
        )
        version = self.inventory.record(command).version
        self.runner.catch_up()
        return version

    def loaned(self) -> tuple[str, int]:
        """A computer loaned on 10 June at the third place; returns its tag and the loan's
        version."""
        tag = self.donate()
        self.record(Triage, tag, JUNE[3], outcome="recondition")
        self.record(RecordDataWipe, tag, JUNE[4])
        self.record(Recondition, tag, JUNE[8])
        return tag, self.record(Loan, tag, JUNE[10], site=THIRD_PLACE)


@pytest.fixture
def read_models(database_url: str) -> Database:
    return open_read_models(Settings(database_url=database_url))


@pytest.fixture
def desk(inventory: Inventory, read_models: Database) -> Iterator[Desk]:
    desk = Desk(inventory, read_models)
    yield desk
    desk.runner.close()


@pytest.fixture
def conn(read_models: Database) -> Iterator[Connection]:
    with connection(read_models) as conn:
        yield conn


def flow_on(conn: Connection, day: date) -> dict[str, int]:
    return {total.stage: total.computers for total in flow.totals(conn, day, day)}


def loan_rows(conn: Connection) -> list[tuple[Any, ...]]:
    return [
        (status, as_date(ended_on), reason)
        for status, ended_on, reason in conn.execute(
            "SELECT status, ended_on, end_reason FROM loans ORDER BY loan_version"
        )
    ]


def test_cancelling_a_loan_removes_it_and_puts_the_computer_back_on_the_shelf(
    desk: Desk, conn: Connection
) -> None:
    tag, loan_version = desk.loaned()
    assert loans.active_count(conn) == 1
    assert flow_on(conn, JUNE[10]) == {"loaned": 1}

    cancelled_on = desk.record(CancelStep, tag, JUNE[11], version=loan_version, reason="mistake")

    assert loans.active_count(conn) == 0
    assert loan_rows(conn) == []
    assert loans.ending_between(conn, JUNE[1], AGREEMENT_END) == []
    assert flow_on(conn, JUNE[10]) == {}
    entry = asset_register.find(conn, tag)
    assert entry is not None
    assert (entry.state, entry.site, entry.state_since) == (State.READY_TO_LOAN, SITE, JUNE[8])
    assert (entry.agreement_end, entry.version) == (None, cancelled_on)


def test_correcting_the_date_of_a_triage_moves_its_flow_count_and_changes_its_lead_time(
    desk: Desk, conn: Connection
) -> None:
    tag = desk.donate()
    triaged = desk.record(Triage, tag, JUNE[10], outcome="dismantle")
    before = lead_times.percentiles(conn, "donated_to_triaged", JUNE[1], JUNE[15])
    assert before is not None
    assert (before.computers, before.median_days) == (1, 9.0)

    desk.record(CorrectDetails, tag, JUNE[12], version=triaged, reason="typo",
                changes={"occurred_on": "2026-06-04"})  # fmt: skip

    assert flow_on(conn, JUNE[10]) == {}
    assert flow_on(conn, JUNE[4]) == {"triaged": 1}
    after = lead_times.percentiles(conn, "donated_to_triaged", JUNE[1], JUNE[15])
    assert after is not None
    assert (after.computers, after.median_days, after.p90_days) == (1, 3.0, 3.0)
    assert lead_times.percentiles(conn, "donated_to_triaged", JUNE[5], JUNE[15]) is None


def test_correcting_the_plastics_of_a_dismantling_changes_the_kg_total(
    desk: Desk, conn: Connection
) -> None:
    tags = [desk.donate(), desk.donate()]
    dismantled = 0
    for tag in tags:
        desk.record(Triage, tag, JUNE[2], outcome="dismantle")
        desk.record(RecordDataWipe, tag, JUNE[2])
        dismantled = desk.record(Dismantle, tag, JUNE[5])
    assert materials.kg_by_fraction(conn, JUNE[1], JUNE[15]) == [
        materials.FractionTotal("ferrous", 7.0), materials.FractionTotal("plastics", 2.4)
    ]  # fmt: skip

    desk.record(CorrectDetails, tags[1], JUNE[6], version=dismantled, reason="weighed again",
                changes={"materials_kg.plastics": "0.25"})  # fmt: skip

    assert materials.kg_by_fraction(conn, JUNE[1], JUNE[15]) == [
        materials.FractionTotal("ferrous", 7.0), materials.FractionTotal("plastics", 1.45)
    ]  # fmt: skip
    rows = conn.execute("SELECT fraction, dismantlings, grams FROM materials ORDER BY fraction")
    assert [tuple(row) for row in rows] == [("ferrous", 2, 7000), ("plastics", 2, 1450)]


def test_a_write_off_of_a_computer_on_loan_ends_its_loan(desk: Desk, conn: Connection) -> None:
    tag, _ = desk.loaned()

    desk.record(WriteOff, tag, JUNE[14], reason="kept_by_beneficiary")

    assert loan_rows(conn) == [("written_off", JUNE[14], "kept_by_beneficiary")]
    assert loans.active_count(conn) == 0
    entry = asset_register.find(conn, tag)
    assert entry is not None
    assert (entry.state, entry.agreement_end) == (State.WRITTEN_OFF, None)


def test_a_return_ends_the_loan_and_the_computer_awaits_triage_again(
    desk: Desk, conn: Connection
) -> None:
    tag, _ = desk.loaned()
    assert loans.ending_between(conn, AGREEMENT_END, AGREEMENT_END) == [
        loans.LoanEnding(tag, THIRD_PLACE, AGREEMENT_END)
    ]

    desk.record(TakeBack, tag, JUNE[14], reason="breakdown", condition="broken")

    assert loan_rows(conn) == [("returned", JUNE[14], "breakdown")]
    assert loans.ending_between(conn, AGREEMENT_END, AGREEMENT_END) == []
    assert loans.contributions_cents(conn, JUNE[10], JUNE[10]) == 2000
    assert [(s.state, s.site, s.computers) for s in asset_register.stock(conn)] == [
        (State.AWAITING_TRIAGE, SITE, 1)
    ]


def test_correcting_the_agreement_end_of_a_loan_changes_when_it_ends(
    desk: Desk, conn: Connection
) -> None:
    tag, loan_version = desk.loaned()

    desk.record(CorrectDetails, tag, JUNE[12], version=loan_version, reason="typo",
                changes={"agreement_end": "2026-12-31"})  # fmt: skip

    assert loans.ending_between(conn, date(2026, 12, 1), date(2026, 12, 31)) == [
        loans.LoanEnding(tag, THIRD_PLACE, date(2026, 12, 31))
    ]
    entry = asset_register.find(conn, tag)
    assert entry is not None
    assert entry.agreement_end == date(2026, 12, 31)


def test_the_activity_row_of_a_cancelled_step_names_its_cancellation(
    desk: Desk, conn: Connection
) -> None:
    tag = desk.donate()
    moved = desk.record(Transfer, tag, JUNE[2], to_site=THIRD_PLACE)
    cancel = desk.record(CancelStep, tag, JUNE[3], version=moved, reason="never left")

    rows = conn.execute(
        "SELECT version, stage, refers_to, cancelled_by FROM activity ORDER BY version"
    )
    assert [tuple(row) for row in rows] == [
        (1, "donated", None, None), (moved, "transferred", None, cancel),
        (cancel, "cancelled", moved, None),
    ]  # fmt: skip
    recent = activity.recent(conn)
    assert [(entry.stage, entry.cancelled) for entry in recent] == [
        ("cancelled", False), ("transferred", True), ("donated", False)
    ]  # fmt: skip
    entry = asset_register.find(conn, tag)
    assert entry is not None
    assert entry.site == SITE
