"""Read models survive their process killed at any moment: no event counted twice or missed."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from psycopg import sql

from projections.database import (
    Connection,
    Database,
    PostgresDatabase,
    SQLiteDatabase,
    connection,
)
from projections.migrate import migrate
from projections.readmodel import Changes, dump
from projections.runner import READ_MODELS, Runner
from tracker import storage
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
    Triage,
)
from tracker.domain.vocabulary import Check
from tracker.settings import Settings

TRACKER = Path(sys.executable).parent / "tracker"
SEED = 20260615
WAIT = 30.0  # seconds any single wait may take before the test fails instead of hanging

STEP_DAY = date(2026, 6, 10)
CHECKS = dict.fromkeys(map(str, Check), "ok")
WIPE = {"method": "software_overwrite", "result": "success", "tool": "nwipe"}
# Each computer walks this path; cancellations and corrections are mixed in along the way.
PATH: tuple[tuple[type[StepCommand], dict[str, Any]], ...] = (
    (Triage, {"checks": CHECKS, "grade": "B", "outcome": "recondition"}),
    (RecordDataWipe, WIPE),
    (
        Recondition,
        {
            "work_done": ["cleaning"],
            "operating_system": "Debian 12",
            "quality_check_passed": True,
            "hours_of_work": Decimal("1.5"),
            "final_grade": "B",
        },
    ),
    (
        Loan,
        {
            "beneficiary_code": "BN-7K3P9Q",
            "agreement_start": STEP_DAY,
            "agreement_end": date(2026, 12, 10),
            "contribution_eur": Decimal("20"),
            "contribution_method": "cash",
        },
    ),
    (TakeBack, {"reason": "end_of_agreement", "condition": "good"}),
    (Triage, {"checks": CHECKS, "grade": "C", "outcome": "dismantle"}),
    (RecordDataWipe, WIPE),
    (
        Dismantle,
        {
            "components": [{"kind": "ram", "count": 2, "reusable": True}],
            "materials_kg": {"plastics": Decimal("1.2")},
            "outlet": "Ecologic",
        },
    ),
)
CORRECTIONS = {
    "Donated": {"brand": "HP"},
    "Triaged": {"grade": "C"},
    "DataWipeRecorded": {"tool": "shred"},
    "Reconditioned": {"hours_of_work": "2.5"},
    "Loaned": {"contribution_eur": "15"},
    "Returned": {"condition": "damaged"},
    "Dismantled": {"materials_kg.plastics": "0.8"},
}


def donation(units: int) -> RegisterDonation:
    return RegisterDonation(
        command_id=uuid4(),
        actor="alice",
        site="Rennes",
        programme="CD35",
        donor="Mairie de Rennes",
        received_on=date(2026, 6, 1),
        units=tuple(DonatedUnit(device_type="laptop", brand="Lenovo") for _ in range(units)),
    )


def step(kind: type[StepCommand], tag: str, seen: int, **fields: Any) -> StepCommand:
    return kind(
        command_id=uuid4(),
        tag=tag,
        seen_version=seen,
        actor="bob",
        site="Rennes",
        occurred_on=STEP_DAY,
        **fields,
    )


@dataclass
class Walker:
    """One computer on its way along PATH, with the versions of its steps still in force."""

    tag: str
    version: int = 1
    next_step: int = 0
    in_force: list[tuple[int, str]] = field(default_factory=lambda: [(1, "Donated")])
    just_stepped: bool = False


class Stream:
    """A seeded, endless mix of intakes, steps, cancellations and corrections."""

    def __init__(self, inventory: Inventory, rng: random.Random, pace: float = 0.0) -> None:
        self.inventory = inventory
        self.rng = rng
        self.pace = pace
        self.walkers: list[Walker] = []
        self.cancelled = self.corrected = 0
        self.sites: list[str] = []

    def run(self, operations: int) -> None:
        for _ in range(operations):
            self.once()
            if self.pace:
                time.sleep(self.rng.uniform(0, self.pace))  # spreads the writes, syncs nothing

    def once(self) -> None:
        if self.rng.random() < 0.04:  # reference data changes too (the directory read model)
            self._touch_site()
            return
        active = [w for w in self.walkers if w.next_step < len(PATH)]
        if not active or self.rng.random() < 0.12:
            tags = self.inventory.register_donation(donation(self.rng.randint(1, 3))).tags
            self.walkers += [Walker(tag) for tag in tags]
            return
        walker, roll = self.rng.choice(active), self.rng.random()
        if walker.just_stepped and roll < 0.15:
            version, _ = walker.in_force.pop()
            self._send(walker, CancelStep, version=version, reason="wrong computer")
            walker.next_step -= 1
            self.cancelled += 1
        elif roll < 0.3:
            version, name = self.rng.choice(walker.in_force)
            changes = CORRECTIONS[name]
            self._send(walker, CorrectDetails, version=version, reason="typo", changes=changes)
            self.corrected += 1
        else:
            kind, fields = PATH[walker.next_step]
            self._send(walker, kind, **fields)
            walker.in_force.append((walker.version, kind.event_name))
            walker.next_step += 1
            walker.just_stepped = True
            return
        walker.just_stepped = False

    def _touch_site(self) -> None:
        if not self.sites:
            self.inventory.register_programme(code="CD35", name="CD35", territory="35",
                                              actor="admin")  # fmt: skip
            self.inventory.register_funder(code="FSE-PLUS", name="FSE+", kind="fse_plus",
                                           actor="admin")  # fmt: skip
            self.inventory.register_funding_line(
                code="FSE-2026-CD35", funder="FSE-PLUS", programme="CD35",
                starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31),
                stages=("reconditioned",), actor="admin",
            )  # fmt: skip
        if not self.sites or self.rng.random() < 0.5:
            code = f"SITE-{len(self.sites) + 1}"
            self.inventory.register_site(code=code, name=code, kind="third_place", town="",
                                         programme="CD35", actor="admin")  # fmt: skip
            self.sites.append(code)
            return
        site = self.inventory.site(self.rng.choice(self.sites))
        self.inventory.change_site(site.code, name=f"{site.name}+", kind=site.kind, town="",
                                   programme="CD35", active=not site.active, actor="admin",
                                   seen_version=site.version)  # fmt: skip

    def _send(self, walker: Walker, kind: type[StepCommand], **fields: Any) -> None:
        walker.version = self.inventory.record(
            step(kind, walker.tag, walker.version, **fields)
        ).version


class Projector:
    """`tracker project` as a separate process, killed and restarted at will; keeps its output."""

    def __init__(self, database_url: str, folder: Path) -> None:
        self.folder = folder
        self.env = {
            **os.environ,
            "TRACKER_DATABASE_URL": database_url,
            "TRACKER_LOG_LEVEL": "WARNING",
        }
        self.started = 0
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Projector:
        return self

    def __exit__(self, *_: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.kill()
        print(self.output())  # noqa: T201 (pytest shows it when the test fails)

    def start(self) -> None:
        self.started += 1
        with (
            (self.folder / f"project-{self.started}.out").open("wb") as out,
            (self.folder / f"project-{self.started}.err").open("wb") as err,
        ):
            self.process = subprocess.Popen(
                [str(TRACKER), "project", "--poll", "0.2"],
                cwd=self.folder,
                env=self.env,
                stdout=out,
                stderr=err,
            )

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=WAIT)

    def stop(self) -> int:
        """Ask the running process to stop (SIGTERM); returns its exit code."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=WAIT)

    def output(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')}"
            for path in sorted(self.folder.glob("project-*.*"))
        )


@dataclass(frozen=True)
class Snapshot:
    """Every read model's position and rows, to compare two builds of them."""

    positions: dict[str, int]
    rows: dict[str, dict[str, list[tuple[str, ...]]]]

    @classmethod
    def of(cls, conn: Connection) -> Snapshot:
        return cls(positions(conn), {model.name: dump(conn, model) for model in READ_MODELS})


def positions(conn: Connection) -> dict[str, int]:
    found = {
        str(name): int(at)
        for name, at in conn.execute("SELECT name, position FROM projection_positions")
    }
    return {model.name: found.get(model.name, 0) for model in READ_MODELS}


def wait_until(
    condition: Callable[[], bool],
    what: str,
    projector: Projector,
    meanwhile: Callable[[], object] = lambda: time.sleep(0.05),
) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {WAIT} s: {what}\n{projector.output()}")
        meanwhile()


def assert_same_read_models(actual: Snapshot, expected: Snapshot) -> None:
    assert actual.positions == expected.positions
    for model in READ_MODELS:  # one model at a time: a failure names it and shows its rows
        assert actual.rows[model.name] == expected.rows[model.name], model.name


def clean_build(inventory: Inventory, database: Database) -> Snapshot:
    """The read models built in one go from the whole log, in a database of their own."""
    runner = Runner(inventory, database)
    try:
        runner.catch_up()
    finally:
        runner.close()
    with connection(database) as conn:
        return Snapshot.of(conn)


@pytest.fixture
def clean_database(database_url: str, tmp_path: Path) -> Iterator[Database]:
    """Empty, migrated read-model tables apart from the live ones (another file or schema)."""
    store = storage.parse(database_url, base=tmp_path)
    if store.backend == "sqlite":
        database: Database = SQLiteDatabase(tmp_path / "clean.sqlite3")
        migrate(database)
        yield database
        return
    params: dict[str, Any] = dict(storage.connection_params(store))
    schema = sql.Identifier(f"{store.schema}_clean")
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE SCHEMA {}").format(schema))
    try:
        database = PostgresDatabase(params, f"{store.schema}_clean")
        migrate(database)
        yield database
    finally:
        with psycopg.connect(**params, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(schema))


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_a_projection_process_killed_at_random_moments_ends_equal_to_a_clean_rebuild(
    inventory: Inventory, database_url: str, clean_database: Database, tmp_path: Path
) -> None:
    rng = random.Random(SEED)
    stream = Stream(inventory, random.Random(SEED + 1), pace=0.02)
    database = open_read_models(Settings(database_url=database_url))
    kills = rng.randint(5, 8)
    with Projector(database_url, tmp_path) as projector, connection(database) as conn:

        def lowest() -> int:
            return min(positions(conn).values())

        projector.start()
        for _ in range(kills):
            at_start = lowest()
            stream.run(rng.randint(10, 40))
            wait_until(  # each process commits a batch before it dies; events keep coming
                lambda: lowest() > at_start,  # noqa: B023 (called before the loop moves on)
                "a batch committed by this process",
                projector,
                meanwhile=lambda: stream.run(1),
            )
            stream.run(rng.randint(0, 5))
            projector.kill()
            projector.start()
        stream.run(rng.randint(20, 40))
        head = inventory.recorder.max_notification_id() or 0
        wait_until(
            lambda: set(positions(conn).values()) == {head},
            f"every read model at the head of the log ({head})",
            projector,
        )
        assert projector.stop() == 0, projector.output()
        live = Snapshot.of(conn)

    assert projector.started == kills + 1
    assert stream.cancelled > 0
    assert stream.corrected > 0
    assert set(live.positions.values()) == {head}
    assert all(any(tables.values()) for tables in live.rows.values())
    assert_same_read_models(live, clean_build(inventory, clean_database))


class WriteFailedError(Exception):
    """Raised by the sabotaged write, in the middle of a batch."""


def test_a_batch_that_fails_part_way_keeps_no_row_and_no_position_then_is_redone_whole(
    inventory: Inventory,
    database_url: str,
    clean_database: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stream = Stream(inventory, random.Random(SEED))
    live = open_read_models(Settings(database_url=database_url))
    runner = Runner(inventory, live)
    stream.run(40)
    runner.catch_up()
    with connection(live) as conn:
        before = Snapshot.of(conn)
    stream.run(40)  # steps on computers the runner holds in its cache, and new intakes
    written: list[int] = []
    write = Changes.write

    def third_write_fails(changes: Changes, conn: Connection) -> int:
        if len(written) == 2:
            raise WriteFailedError
        written.append(write(changes, conn))
        return written[-1]

    monkeypatch.setattr(Changes, "write", third_write_fails)
    try:
        with pytest.raises(WriteFailedError):
            runner.run_batch()
        monkeypatch.undo()
        with connection(live) as conn:
            after_failure = Snapshot.of(conn)
        runner.catch_up()
    finally:
        runner.close()

    assert sum(written) > 0  # rows were written inside the transaction before it failed
    assert after_failure == before
    with connection(live) as conn:
        redone = Snapshot.of(conn)
    assert set(redone.positions.values()) == {inventory.recorder.max_notification_id()}
    assert_same_read_models(redone, clean_build(inventory, clean_database))
