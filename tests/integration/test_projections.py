"""Read models kept up step by step agree with the computers and with a rebuild; migrations."""

from __future__ import annotations

import contextlib
import itertools
import shutil
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from uuid import uuid4

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg import sql

from projections import activity, asset_register, flow, loans, materials
from projections.database import Connection, Database, PostgresDatabase, SQLiteDatabase, connection
from projections.migrate import MIGRATIONS, MigrationError, applied, available, migrate
from projections.readmodel import count_rows, dump
from projections.runner import READ_MODELS, Runner
from tracker import bootstrap, commands, storage
from tracker.application import Inventory
from tracker.domain.computer import Computer
from tracker.domain.exceptions import DomainError
from tracker.domain.lifecycle import State
from tracker.domain.vocabulary import Check, MaterialFraction
from tracker.settings import Settings

TODAY = date(2026, 6, 15)  # the business date of the clocks below, in Paris
FIRST_DAY = date(2026, 5, 6)
SITES = st.sampled_from(["ESAT-RENNES", "ATELIER-INSERTION", "TIERS-LIEU-VITRE"])
GRADES = st.sampled_from(["A", "B", "C", "D"])
KG = st.decimals(min_value=0, max_value=30, places=3)
STAGES = {"Donated": "donated", "Triaged": "triaged", "DataWipeRecorded": "data_wiped",
          "Dismantled": "dismantled", "Reconditioned": "reconditioned", "Loaned": "loaned",
          "Returned": "returned", "Transferred": "transferred",
          "WrittenOff": "written_off"}  # fmt: skip


def step(kind: type[commands.StepCommand], **fields: Any) -> st.SearchStrategy[Any]:
    """A kind of step with its details, each one fixed or drawn."""
    drawn = {k: v if isinstance(v, st.SearchStrategy) else st.just(v) for k, v in fields.items()}
    return st.tuples(st.just(kind), st.fixed_dictionaries(drawn))


# Where a computer stands -> the step that usually comes next, with its details.
USUAL_NEXT = {
    State.AWAITING_TRIAGE: step(
        commands.Triage, checks=dict.fromkeys(map(str, Check), "ok"), grade=GRADES,
        outcome=st.sampled_from(["recondition", "dismantle"])),
    State.TO_RECONDITION: step(
        commands.Recondition, work_done=["cleaning"], operating_system="Debian",
        quality_check_passed=True, hours_of_work=Decimal(2), final_grade=GRADES),
    State.TO_DISMANTLE: step(
        commands.Dismantle, outlet="Envie",
        components=st.builds(lambda n: [{"kind": "ram", "count": n}], st.integers(1, 3)),
        materials_kg=st.dictionaries(st.sampled_from(list(MaterialFraction)), KG, max_size=3)),
    State.READY_TO_LOAN: step(
        commands.Loan, beneficiary_code="BN-7K3P9Q", agreement_start=FIRST_DAY,
        agreement_end=st.dates(TODAY, TODAY + timedelta(days=700)),
        contribution_eur=st.sampled_from([Decimal(25), Decimal("12.5")]),
        contribution_method=st.sampled_from(["cash", "card"])),
    State.ON_LOAN: step(
        commands.TakeBack, reason=st.sampled_from(["end_of_agreement", "breakdown"]),
        condition="good") | step(commands.WriteOff, reason="kept_by_beneficiary"),
}  # fmt: skip
WIPE = step(commands.RecordDataWipe, method="no_storage",
            result=st.sampled_from(["success", "success", "failure"]))  # fmt: skip
OTHER_STEPS = {
    "transfer": step(commands.Transfer, to_site=SITES),
    "write_off": step(commands.WriteOff, reason=st.sampled_from(["lost", "kept_by_beneficiary"])),
}
CORRECTIONS: dict[str, list[tuple[str, st.SearchStrategy[str]]]] = {
    "Donated": [("brand", st.sampled_from(["HP", "Lenovo"]))],
    "Triaged": [("grade", GRADES)],
    "Reconditioned": [("final_grade", GRADES)],
    "Dismantled": [(f"materials_kg.{f}", KG.map(str)) for f in ("plastics", "ferrous")],
    "Loaned": [
        ("agreement_end", st.dates(TODAY, TODAY + timedelta(days=900)).map(date.isoformat)),
        ("contribution_eur", st.sampled_from(["15", "30.50"])),
    ],
}
ACTIONS = st.sampled_from(["advance"] * 8 + ["cancel"] * 2 + ["correct"] * 3 + ["catch_up"] * 2
                          + ["transfer", "write_off", "donate"])  # fmt: skip


class Stores:
    """Fresh empty stores on the test's backend; PostgreSQL schemas are dropped at the end."""

    def __init__(self, database_url: str, folder: Path) -> None:
        self.url, self.folder = database_url, folder
        self.store = storage.parse(database_url, base=folder)
        self.names = (f"{self.store.schema or 'store'}_{n}" for n in itertools.count())
        self.schemas: list[str] = []

    @contextlib.contextmanager
    def inventory(self) -> Iterator[tuple[Inventory, Database]]:
        """An empty event log and its read models beside it; the clock ticks at every call."""
        name = next(self.names)
        url = f"sqlite:///{self.folder / name / 'events.sqlite3'}"
        if self.store.backend == "postgres":
            parts = urlsplit(self.url)
            query = [(k, v) for k, v in parse_qsl(parts.query) if k != "schema"]
            url = urlunsplit(parts._replace(query=urlencode([*query, ("schema", name)])))
            self.schemas.append(name)
        start = datetime(2026, 6, 15, 8, tzinfo=UTC)
        ticks = (start + timedelta(seconds=n) for n in itertools.count())
        inventory = bootstrap.open_inventory(Settings(url), clock=lambda: next(ticks))
        try:
            yield inventory, bootstrap.open_read_models(Settings(url))
        finally:
            inventory.close()

    def empty_database(self) -> Database:
        """A database with no table at all."""
        name = next(self.names)
        if self.store.backend == "sqlite":
            return SQLiteDatabase(self.folder / f"{name}.sqlite3")
        self.schemas.append(name)
        self._execute("CREATE SCHEMA {}", name)
        return PostgresDatabase(storage.connection_params(self.store), name)

    def _execute(self, statement: str, schema: str) -> None:
        params: Any = storage.connection_params(self.store)
        with psycopg.connect(**params, autocommit=True) as conn:
            conn.execute(sql.SQL(statement).format(sql.Identifier(schema)))

    def drop(self) -> None:
        for name in self.schemas:
            self._execute("DROP SCHEMA IF EXISTS {} CASCADE", name)


@pytest.fixture
def stores(database_url: str, tmp_path: Path) -> Iterator[Stores]:
    stores = Stores(database_url, tmp_path)
    yield stores
    stores.drop()


# -- random histories ----------------------------------------------------------------------


def donation(data: st.DataObject) -> commands.RegisterDonation:
    laptop = commands.DonatedUnit(device_type="laptop", brand="Dell")
    return commands.RegisterDonation(
        command_id=uuid4(), actor="alice", site=data.draw(SITES),
        programme=data.draw(st.sampled_from(["CD35", "AB12"])), donor="Mairie",
        received_on=data.draw(st.dates(FIRST_DAY, FIRST_DAY + timedelta(days=20))),
        units=(laptop,) * data.draw(st.integers(1, 2)),
    )  # fmt: skip


def command(data: st.DataObject, action: str, computer: Computer) -> commands.StepCommand:
    """A command of this kind on this computer, mostly valid, sometimes not."""
    latest = max(info.occurred_on for info in computer.steps.values())
    day = min(latest + timedelta(days=data.draw(st.sampled_from([0, 1, 2, 3, 5, -1]))), TODAY)
    triaged = computer.state in (State.TO_RECONDITION, State.TO_DISMANTLE)
    unwiped = triaged and not computer.data_wiped
    next_step = WIPE if unwiped else USUAL_NEXT.get(computer.state)
    if action in OTHER_STEPS:
        next_step = OTHER_STEPS[action]
    if action == "cancel":
        last = computer.last_step_in_force() or 1
        version = data.draw(st.sampled_from([last, last, computer.version]))
        kind, fields = commands.CancelStep, {"version": version, "reason": "mistake"}
    elif action == "correct" or next_step is None:  # a computer at its end can only be corrected
        in_force = [
            v
            for v, info in computer.steps.items()
            if info.name in STAGES and v not in computer.cancelled
        ]
        version = data.draw(st.sampled_from(in_force[::-1]) | st.integers(1, computer.version))
        iso_days = st.dates(FIRST_DAY, TODAY).map(date.isoformat)
        options = [*CORRECTIONS.get(computer.steps[version].name, []), ("occurred_on", iso_days)]
        name, values = data.draw(st.sampled_from(options))
        changes = {name: data.draw(values)}
        kind, fields = (
            commands.CorrectDetails,
            {"version": version, "reason": "typo", "changes": changes},
        )
    else:
        kind, fields = data.draw(next_step)
    return kind(
        command_id=uuid4(), tag=computer.tag, seen_version=computer.version, actor="bob",
        site=data.draw(SITES), occurred_on=day, **fields,
    )  # fmt: skip


def play(data: st.DataObject, inventory: Inventory, read_models: Database) -> list[str]:
    """Record a random history of a few computers, the read models following it in small
    batches with a tiny cache (so that timelines are often reloaded); returns the tags."""
    batch_size = data.draw(st.integers(1, 7), label="batch_size")
    runner = Runner(inventory, read_models, batch_size=batch_size, cache_size=2)
    tags = list(inventory.register_donation(donation(data)).tags)
    try:
        for _ in range(data.draw(st.integers(10, 50), label="steps")):
            action = data.draw(ACTIONS)
            if action == "catch_up":
                runner.catch_up()
            elif action == "donate":
                tags += inventory.register_donation(donation(data)).tags
            else:
                computer = inventory.computer(data.draw(st.sampled_from(tags)))
                with contextlib.suppress(DomainError):  # a refusal records nothing
                    inventory.record(command(data, action, computer))
        runner.catch_up()
        assert set(runner.positions().values()) == {runner.head()}
    finally:
        runner.close()
    return tags


def stages_in_force(computer: Computer) -> Counter[tuple[date, str]]:
    """The steps the computer itself says are in force, on their (corrected) dates."""
    return Counter(
        (info.occurred_on, STAGES[info.name])
        for version, info in computer.steps.items()
        if info.name in STAGES and version not in computer.cancelled
    )


def grams_in_force(events: list[Computer.Event]) -> Counter[str]:
    """Grams per fraction of the dismantlings not cancelled, corrections applied in order."""
    cancelled = {e.cancels_version for e in events if isinstance(e, Computer.StepCancelled)}
    dismantlings = [e for e in events if isinstance(e, Computer.Dismantled)]
    kg = {e.originator_version: dict(e.materials_kg) for e in dismantlings
          if e.originator_version not in cancelled}  # fmt: skip
    for event in events:
        if isinstance(event, Computer.DetailsCorrected) and event.corrects_version in kg:
            for name, value in event.changes.items():
                if name.startswith("materials_kg."):
                    kg[event.corrects_version][name.partition(".")[2]] = Decimal(value)
    grams: Counter[str] = Counter()
    for amounts in kg.values():
        grams.update({f: int((a * 1000).to_integral_value()) for f, a in amounts.items()})
    return +grams  # without the fractions that weigh nothing


def assert_agree_with_the_computers(
    conn: Connection, inventory: Inventory, tags: list[str]
) -> None:
    stages: Counter[tuple[date, str]] = Counter()
    grams: Counter[str] = Counter()
    recorded = on_loan = 0
    for tag in tags:
        computer, entry = inventory.computer(tag), asset_register.find(conn, tag)
        assert entry is not None
        assert (entry.state, entry.site, entry.grade, entry.brand, entry.version) == (
            computer.state, computer.site, computer.grade, computer.brand, computer.version
        )  # fmt: skip
        is_on_loan = computer.state == State.ON_LOAN
        assert entry.agreement_end == (computer.agreement_end if is_on_loan else None)
        on_loan += is_on_loan
        events = inventory.computer_events(tag)
        stages += stages_in_force(computer)
        grams += grams_in_force(events)
        recorded += len(events)
    by_day = conn.execute("SELECT day, stage, SUM(computers) FROM flow GROUP BY day, stage")
    assert {(date.fromisoformat(str(day)), stage): n for day, stage, n in by_day} == stages
    per_stage: Counter[str] = Counter()
    for (_day, stage), n in stages.items():
        per_stage[stage] += n
    assert {t.stage: t.computers for t in flow.totals(conn, FIRST_DAY, TODAY)} == per_stage
    assert loans.active_count(conn) == on_loan
    fractions = materials.kg_by_fraction(conn, FIRST_DAY, TODAY)
    assert {t.fraction: round(t.kg * 1000) for t in fractions} == grams
    assert count_rows(conn, activity.READ_MODEL) == {"activity": recorded}
    assert asset_register.count(conn) == len(tags)


@pytest.mark.slow
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_read_models_kept_up_step_by_step_agree_with_the_computers_and_with_a_rebuild(
    stores: Stores, data: st.DataObject
) -> None:
    rebuilt = stores.empty_database()
    migrate(rebuilt)
    with stores.inventory() as (inventory, read_models), connection(read_models) as conn:
        tags = play(data, inventory, read_models)
        runner = Runner(inventory, rebuilt)  # the whole log in one batch
        try:
            runner.catch_up()
        finally:
            runner.close()

        assert_agree_with_the_computers(conn, inventory, tags)
        with connection(rebuilt) as fresh:
            for model in READ_MODELS:
                assert dump(conn, model) == dump(fresh, model), model.name


# -- migrations ----------------------------------------------------------------------------


def test_migrating_an_empty_database_runs_every_file_and_creates_every_table(
    stores: Stores,
) -> None:
    database = stores.empty_database()

    ran = migrate(database)

    files = available(database.backend)
    assert files
    assert [m.version for m in ran] == [m.version for m in files]
    assert [(v, n) for v, n, _at in applied(database)] == [(m.version, m.name) for m in files]
    with connection(database) as conn:
        for model in READ_MODELS:
            assert set(count_rows(conn, model).values()) == {0}


def test_migrating_again_runs_nothing_and_changes_nothing(stores: Stores) -> None:
    database = stores.empty_database()
    migrate(database)
    before = applied(database)
    with connection(database) as conn:
        conn.execute("INSERT INTO projection_positions (name, position) VALUES ('flow', 7)")

    assert migrate(database) == []

    assert applied(database) == before
    with connection(database) as conn:
        positions = conn.execute("SELECT name, position FROM projection_positions")
    assert [tuple(row) for row in positions] == [("flow", 7)]


def test_a_migration_edited_after_it_ran_is_refused(stores: Stores, tmp_path: Path) -> None:
    database = stores.empty_database()
    folder = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, folder)
    migrate(database, folder=folder)
    [first, *_] = sorted((folder / database.backend).glob("*.sql"))
    first.write_text(first.read_text(encoding="utf-8") + "\n-- edited\n", encoding="utf-8")

    with pytest.raises(MigrationError, match="changed after it ran"):
        migrate(database, folder=folder)

    assert len(applied(database)) == len(available(database.backend))
