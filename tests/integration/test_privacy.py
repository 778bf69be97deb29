"""Privacy on a real store: a beneficiary's name, phone and address exist only sealed in the
register, never in the events, the read models or the logs; an erasure leaves nothing that
opens, and changes no event, no read-model row, no link of the chain and no funder figure.

Zéphyrine Quillevéré (minimum income) and Yannick Le Bihan (jobseeker) are registered at
TL-REDON, and each is handed a computer there: donated and triaged at ESAT-RANCE, wiped,
reconditioned, moved to TL-REDON and loaned to the person's code. Raw bytes are read the way
an intruder or a backup would read them: the SQLite file and its write-ahead log, or on
PostgreSQL every table of the schema copied out (COPY, binary and text).
"""

from __future__ import annotations

import logging
import random
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from psycopg import sql
from structlog.testing import capture_logs

from projections.database import connection
from projections.runner import READ_MODELS
from tracker import storage
from tracker.accounts import Account
from tracker.application import Inventory
from tracker.bootstrap import read_models_of
from tracker.commands import (
    DonatedUnit,
    Loan,
    Recondition,
    RecordDataWipe,
    RegisterDonation,
    StepCommand,
    Transfer,
    Triage,
)  # fmt: skip
from tracker.domain.beneficiary import PersonalDetails
from tracker.domain.user import Role
from tracker.domain.vocabulary import Check
from tracker.erasure import erase
from tracker.funder_report import FunderReport, funder_report
from tracker.integrity import chained
from tracker.personal_data import Sealed, Sealer, UnreadableError, new_master_key, parse_master_key
from tracker.read_models import ReadModels
from tracker.register import Register
from tracker.settings import Settings
from tracker.verification import verify

SHOP, THIRD_PLACE = "ESAT-RANCE", "TL-REDON"
ZEPHYRINE = PersonalDetails.checked(given_name="Zéphyrine", family_name="Quillevéré",
                                    phone="06 98 76 54 32", address="12 impasse des Goélands",
                                    referrer="CCAS de Redon")  # fmt: skip
YANNICK = PersonalDetails.checked(given_name="Yannick", family_name="Le Bihan",
                                  email="yannick@exemple.fr")  # fmt: skip
STAFF = Account(uuid4(), "tl", "Tiers-lieu", frozenset({Role.WORKSHOP}), (THIRD_PLACE,), True, 1)
ADMIN = Account(uuid4(), "admin", "Administratrice", frozenset({Role.ADMIN}), (), True, 1)
# What an erasure changes: the register, and on SQLite the counter of its journal's ids.
REGISTER_TABLES = {"beneficiaries", "beneficiary_secrets", "register_journal", "sqlite_sequence"}
SEALED_TABLE = "beneficiary_secrets"


def unaccented(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def needles() -> set[bytes]:
    """Zéphyrine's name, phone and address as UTF-8, also folded, upper-cased, unaccented."""
    words = {ZEPHYRINE.given_name, ZEPHYRINE.family_name, ZEPHYRINE.phone, ZEPHYRINE.address,
             f"{ZEPHYRINE.given_name} {ZEPHYRINE.family_name}",
             ZEPHYRINE.phone.replace(" ", ""), "Goélands"}  # fmt: skip
    forms = {form for word in words for form in (word, unaccented(word))}
    return {case(form).encode() for form in forms for case in (str, str.casefold, str.upper)}


@dataclass
class Scene:
    inventory: Inventory
    models: ReadModels
    register: Register
    store: storage.Store
    code: str  # Zéphyrine's
    other: str  # Yannick's
    logs: list[dict[str, Any]]
    caplog: pytest.LogCaptureFixture


@pytest.fixture
def scene(
    inventory: Inventory, database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> Iterator[Scene]:
    """The story above, every read model caught up, every log line captured."""
    caplog.set_level(logging.DEBUG)
    with capture_logs() as logs:
        inventory.register_programme(code="CD35", name="CD35", territory="35", actor="root")
        for site, kind in ((SHOP, "sorting_workshop"), (THIRD_PLACE, "third_place")):
            inventory.register_site(code=site, name=site, kind=kind, town="Redon",
                                    programme="CD35", actor="root")  # fmt: skip
        inventory.register_funder(code="FSE-PLUS", name="FSE+", kind="fse_plus", actor="root")
        inventory.register_funding_line(
            code="FSE-2026-CD35", funder="FSE-PLUS", programme="CD35", starts_on=date(2026, 1, 1),
            ends_on=date(2026, 12, 31), stages=["loaned"], categories=["minimum_income"],
            actor="root",
        )  # fmt: skip
        models = read_models_of(Settings(database_url=database_url), inventory)
        models.catch_up()
        sealer = Sealer(parse_master_key(new_master_key(), "test"))
        register = Register(models.database, sealer, clock=inventory.clock,
                            today=inventory.today, pick=random.Random(5).choice)  # fmt: skip
        inventory.beneficiaries = register  # as the web app does: loans name registered people
        people = ((ZEPHYRINE, "minimum_income"), (YANNICK, "jobseeker"))
        codes = [register.register(STAFF, third_place=THIRD_PLACE, details=details,
                                   categories=[public], consent=True).code
                 for details, public in people]  # fmt: skip
        for code in codes:
            _loan(inventory, code)
        models.catch_up()
        store = storage.parse(database_url, base=tmp_path)
        yield Scene(inventory, models, register, store, *codes, logs, caplog)


def _loan(inventory: Inventory, code: str) -> None:
    today = inventory.today()
    [tag] = inventory.register_donation(RegisterDonation(
        command_id=uuid4(), actor="amelie", site=SHOP, programme="CD35", donor="Redon",
        received_on=today, units=(DonatedUnit(device_type="laptop", brand="Dell"),),
    )).tags  # fmt: skip
    steps: list[tuple[type[StepCommand], str, dict[str, Any]]] = [
        (Triage, SHOP, {"checks": dict.fromkeys(map(str, Check), "ok"), "grade": "B",
                        "outcome": "recondition"}),
        (RecordDataWipe, SHOP, {"method": "software_overwrite", "result": "success",
                                "tool": "nwipe"}),
        (Recondition, SHOP, {"work_done": ["cleaning"], "operating_system": "Debian 12",
                             "quality_check_passed": True, "hours_of_work": Decimal(2),
                             "final_grade": "A"}),
        (Transfer, SHOP, {"to_site": THIRD_PLACE}),
        (Loan, THIRD_PLACE, {"beneficiary_code": code, "agreement_start": today,
                             "agreement_end": date(2028, 6, 1), "contribution_eur": Decimal(25),
                             "contribution_method": "cash"}),
    ]  # fmt: skip
    for kind, site, fields in steps:
        inventory.record(kind(command_id=uuid4(), tag=tag, actor="amelie", site=site,
                              seen_version=inventory.computer(tag).version,
                              occurred_on=today, **fields))  # fmt: skip


# -- reading the store as raw bytes -----------------------------------------------------------


def sqlite_bytes(store: storage.Store) -> bytes:
    """The database file and its write-ahead log (and shared memory), as a copy would hold them."""
    files = [Path(store.env["SQLITE_DBNAME"] + suffix) for suffix in ("", "-wal", "-shm")]
    return b"".join(file.read_bytes() for file in files if file.exists())


def table_bytes(scene: Scene) -> dict[str, bytes]:
    """Every table of the store, dumped: rows as stored (SQLite), or COPY binary + text (PG)."""
    if scene.store.backend == "sqlite":
        with connection(scene.models.database) as conn:
            names = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = ?",
                                                ("table",))]  # fmt: skip
            rows = {name: conn.execute(f'SELECT * FROM "{name}"') for name in names}  # noqa: S608
        return {name: repr(sorted(map(repr, found))).encode() for name, found in rows.items()}
    dumps = {}
    params = storage.connection_params(scene.store)
    with psycopg.connect(**params, autocommit=True) as conn:  # type: ignore[arg-type]
        names = [n for (n,) in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s "
            "AND table_type = 'BASE TABLE'", (scene.store.schema,))]  # fmt: skip
        for name in names:
            table = sql.Identifier(scene.store.schema, name)
            dumps[name] = b""
            for form in ("binary", "text"):
                query = sql.SQL("COPY {} TO STDOUT (FORMAT {})").format(table, sql.SQL(form))
                with conn.cursor().copy(query) as copy:
                    dumps[name] += b"".join(bytes(chunk) for chunk in copy)
    return dumps


def secrets(scene: Scene) -> list[tuple[str, bytes, bytes, str]]:
    with connection(scene.models.database) as conn:
        rows = conn.execute("SELECT code, wrapped_key, details, master_id FROM beneficiary_secrets")
    return [
        (code, bytes(wrapped), bytes(details), master) for code, wrapped, details, master in rows
    ]


def logged(scene: Scene) -> str:
    return "\n".join([*map(repr, scene.logs), scene.caplog.text])


def report(scene: Scene, known_on: date | None = None) -> FunderReport:
    with connection(scene.models.database) as conn:
        return funder_report(scene.inventory, conn, "FSE-PLUS", start=date(2026, 1, 1),
                             end=date(2026, 12, 31), known_on=known_on,
                             categories_of=scene.register.categories_of)  # fmt: skip


# -- the tests --------------------------------------------------------------------------------


def test_the_person_s_name_phone_and_address_are_stored_only_sealed(scene: Scene) -> None:
    dumps = table_bytes(scene)
    everything = sqlite_bytes(scene.store) if scene.store.backend == "sqlite" else b"".join(
        dump for name, dump in dumps.items() if name != SEALED_TABLE)  # fmt: skip

    assert scene.code.encode() in everything, "the scan reads the events and the read models"
    assert {"ledger", "loans"} <= set(dumps)
    assert all(scene.code.encode() in dumps[name] for name in ("ledger", "loans"))
    for needle in needles():
        assert needle not in everything, needle
        assert needle not in dumps[SEALED_TABLE], needle  # sealed: not even in its own table
    [(wrapped, details, master)] = [s[1:] for s in secrets(scene) if s[0] == scene.code]
    assert scene.register.sealer.open(scene.code, Sealed(wrapped, details, master)) == (
        ZEPHYRINE.as_dict()
    )  # it is there, encrypted


def test_the_logs_name_no_one(scene: Scene) -> None:
    erase(scene.register, ADMIN, scene.code)
    lines = logged(scene)

    assert {"register_registered", "register_erased"} <= {entry["event"] for entry in scene.logs}
    for needle in needles():
        assert needle.decode() not in lines, needle


def test_an_erasure_leaves_no_key_that_opens_what_a_backup_holds(scene: Scene) -> None:
    [(_, wrapped, details, master)] = [s for s in secrets(scene) if s[0] == scene.code]
    backup = Sealed(wrapped, details, master)  # as a backup made before the erasure holds it

    erase(scene.register, ADMIN, scene.code)

    left = secrets(scene)
    assert [code for code, *_ in left] == [scene.other]
    for _, other_key, _, _ in left:  # every key the store still holds, with the master key
        with pytest.raises(UnreadableError):
            scene.register.sealer.open(scene.code, Sealed(other_key, details, master))
    assert scene.register.person(ADMIN, scene.code).details is None
    if scene.store.backend == "sqlite":  # secure_delete zeroed the row, the log was emptied
        raw = sqlite_bytes(scene.store)
        assert wrapped not in raw
        assert details not in raw
    # The limit, stated: a backup made before the erasure still holds the person's wrapped key,
    # which the master key opens; the erasure reaches it when that backup expires, and the
    # master key is kept apart from the backups.
    assert scene.register.sealer.open(scene.code, backup) == ZEPHYRINE.as_dict()


def test_an_erasure_changes_no_event_no_read_model_row_no_link_and_no_figure(
    scene: Scene,
) -> None:
    recorder = chained(scene.inventory.recorder)
    before = {n: d for n, d in table_bytes(scene).items() if n not in REGISTER_TABLES}
    verdict = verify(recorder)
    figures = (report(scene), report(scene, scene.inventory.today()))

    erase(scene.register, ADMIN, scene.code)

    after = {n: d for n, d in table_bytes(scene).items() if n not in REGISTER_TABLES}
    assert {table.name for model in READ_MODELS for table in model.tables} <= before.keys()
    assert [name for name in before if before[name] != after[name]] == []
    assert verify(recorder) == verdict
    assert verdict.intact
    assert (report(scene), report(scene, scene.inventory.today())) == figures
    assert figures[0].lines[0].publics.counted == 1  # type: ignore[union-attr]
