"""The beneficiary register: registering a person, and finding one by name at a third place.

Names are sealed with a key per person, so finding "dup" among a third place's people opens
every record of that place (two AES-GCM decryptions each) instead of asking an index. This
measures what that costs with PEOPLE people at one third place (about ten years of loans of a
busy one), beside plain SQL on the same names kept in clear in a scratch table — what the
search would cost if the register were not encrypted. Registering is measured beside a raw
insert+commit of a row of the same size. The people registered here are removed afterwards.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime
from uuid import uuid4

from bench.harness import Report, Row, Target, Timings, timed
from projections import directory
from projections.database import Connection, Database, connection
from tracker.accounts import Account
from tracker.bootstrap import read_database_of
from tracker.domain.beneficiary import PersonalDetails
from tracker.domain.user import Role
from tracker.personal_data import Sealer, new_master_key, parse_master_key
from tracker.register import Register
from tracker.settings import Settings

PEOPLE = 2000
GIVEN = ("Marie", "Yann", "Aïcha", "Jean", "Nathalie", "Karim", "Sophie", "Loïc", "Fatou", "Paul")
FAMILY = ("Le Goff", "Martin", "Diallo", "Kerbrat", "Bernard", "Morvan", "Nguyen", "Petit",
          "Benali", "Guillou", "Robert", "Jégou")  # fmt: skip
SCRATCH = "bench_clear_names"
ADMIN = Account(uuid4(), "bench", "Bench", frozenset({Role.ADMIN}), (), True, 1)


def measure(report: Report, target: Target) -> None:
    settings = Settings(database_url=target.database_url)
    database = read_database_of(settings)
    with connection(database) as conn:
        places = [s.code for s in directory.sites(conn) if s.kind == "third_place"]
    if not places:
        return
    rng = random.Random(5)  # noqa: S311 (reproducible fake people)
    sealer = Sealer(parse_master_key(new_master_key(), "bench"))
    register = Register(database, sealer, clock=_utc_now, today=lambda: _utc_now().date())
    people = PEOPLE // 10 if target.quick else PEOPLE
    codes: list[str] = []
    try:
        seconds = []
        for _ in range(people):
            person = _person(rng)
            started = time.perf_counter()
            added = register.register(ADMIN, third_place=places[0], details=person,
                                      categories=["jobseeker"], consent=True)  # fmt: skip
            codes.append(added.code)
            seconds.append(time.perf_counter() - started)
        registering = Timings.of_seconds(seconds)
        raw_insert = _raw_inserts(database, people)
        found = timed(lambda: register.people(ADMIN, places[0], "goff mar"), 20 if target.quick
                      else 50)  # fmt: skip
        clear = _clear_search(database, register, places[0], 20 if target.quick else 50)
    finally:
        _remove(database, codes)
    details = {"people_at_the_place": people, **registering.summary()}
    report.add(Row("register a beneficiary (sealed)", target.backend, target.scale,
                   registering.median, "ms", "raw insert+commit of a row that size",
                   raw_insert.median, "time", details))  # fmt: skip
    report.add(Row("find a beneficiary by name at a third place", target.backend, target.scale,
                   found.median, "ms", "SQL LIKE on the same names in clear", clear.median,
                   "time", {"people_at_the_place": people, **found.summary()}))  # fmt: skip


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _person(rng: random.Random) -> PersonalDetails:
    return PersonalDetails.checked(
        given_name=rng.choice(GIVEN), family_name=rng.choice(FAMILY),
        phone=f"06 {rng.randrange(10**8):08d}", referrer=rng.choice(("CCAS", "France Travail")),
    )  # fmt: skip


def _raw_inserts(database: Database, count: int) -> Timings:
    """Insert+commit of one row of about the size of a sealed record, `count` times."""
    with connection(database) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {SCRATCH}")
        conn.execute(f"CREATE TABLE {SCRATCH} (code TEXT PRIMARY KEY, third_place TEXT, "
                     "name TEXT, payload TEXT)")  # fmt: skip
        seconds = []
        for index in range(count):
            started = time.perf_counter()
            with conn.transaction():
                conn.execute(f"INSERT INTO {SCRATCH} VALUES (?, ?, ?, ?)",
                             (f"X{index}", "TL", f"name {index}", "x" * 300))  # fmt: skip
            seconds.append(time.perf_counter() - started)
        conn.execute(f"DELETE FROM {SCRATCH}")
        return Timings.of_seconds(seconds)


def _clear_search(database: Database, register: Register, place: str, runs: int) -> Timings:
    """The same people's names in clear in the scratch table, searched with LIKE."""
    people = register.people(ADMIN, place)
    with connection(database) as conn:
        with conn.transaction():
            conn.executemany(f"INSERT INTO {SCRATCH} VALUES (?, ?, ?, ?)",
                             [(p.code, place, p.details.full_name.lower() if p.details else "",
                               "") for p in people])  # fmt: skip
        timings = timed(lambda: _like(conn, place), runs)
        conn.execute(f"DROP TABLE {SCRATCH}")
    return timings


def _like(conn: Connection, place: str) -> object:
    return conn.execute(f"SELECT code, name FROM {SCRATCH} WHERE third_place = ? "
                        "AND name LIKE ? AND name LIKE ? ORDER BY name",
                        (place, "%goff%", "%mar%"))  # fmt: skip


def _remove(database: Database, codes: list[str]) -> None:
    with connection(database) as conn, conn.transaction():
        for table in ("register_journal", "beneficiary_secrets", "beneficiaries"):
            conn.executemany(f"DELETE FROM {table} WHERE code = ?", [(c,) for c in codes])
