"""Erasing a person from the register, on request or when the retention period has passed.

Erasure deletes the person's wrapped key and sealed details (overwritten on SQLite, whose
`secure_delete` zeroes freed space) and keeps what counts need: the code, the third place,
the publics and the dates. Events, read models, reports and the integrity chain never held the
person's data, so they stay exactly as they were; screens show "personne effacée".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from projections import loans
from projections.database import Connection, as_date, connection
from tracker.accounts import Account
from tracker.domain.exceptions import PersonalDataDeniedError, PersonErasedError
from tracker.domain.user import Role
from tracker.register import ON_REQUEST, RETENTION, Person, Register, person_code

SYSTEM = "retention"  # the actor of erasures made by `tracker privacy purge`


@dataclass(frozen=True)
class Due:
    """A person whose retention period has passed: since when nothing ties them to a loan."""

    code: str
    third_place: str
    since: date  # the end of their last agreement, or their registration if they had none


def erase(register: Register, account: Account, code: str, reason: str = ON_REQUEST) -> Person:
    """Erase a person's personal data (administrators only); returns what remains of them."""
    if Role.ADMIN not in account.roles or not account.active:
        raise PersonalDataDeniedError()
    return _erase(register, person_code(code), account.username, reason)


def due_for_purge(register: Register, today: date, months: int) -> list[Due]:
    """The people whose last agreement ended more than `months` ago (none still active)."""
    with connection(register.database) as conn:
        ends = loans.last_agreement_ends(conn)
        rows = conn.execute("SELECT code, third_place, registered_on FROM beneficiaries "
                            "WHERE erased_on IS NULL ORDER BY code")  # fmt: skip
    limit = _months_before(today, months)
    due = []
    for code, place, registered in rows:
        if code in ends and ends[code] is None:
            continue  # an agreement still running
        since = ends.get(code) or as_date(registered) or today
        if since <= limit:
            due.append(Due(code, place, since))
    return due


def purge(register: Register, today: date, months: int) -> list[Due]:
    """Erase everyone past the retention period; returns whom."""
    due = due_for_purge(register, today, months)
    for person in due:
        _erase(register, person.code, SYSTEM, RETENTION)
    return due


def _erase(register: Register, code: str, actor: str, reason: str) -> Person:
    with connection(register.database) as conn:
        _overwrite_freed_space(conn)
        with conn.transaction():
            found = register.read(conn, code)
            if found.erased:
                raise PersonErasedError(code=code)
            conn.execute("DELETE FROM beneficiary_secrets WHERE code = ?", (code,))
            conn.execute(
                "UPDATE beneficiaries SET erased_on = ?, erased_reason = ?, version = version + 1 "
                "WHERE code = ?",
                (register.today(), reason, code),
            )
            register.journal(conn, actor, "erased", code, found.third_place)
        _checkpoint(conn)
        return register.read(conn, code)


def _overwrite_freed_space(conn: Connection) -> None:
    if conn.backend == "sqlite":
        conn.execute("PRAGMA secure_delete = ON")


def _checkpoint(conn: Connection) -> None:
    """On SQLite, copy the write-ahead log into the file and empty it, old pages with it."""
    if conn.backend == "sqlite":
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _months_before(day: date, months: int) -> date:
    month = day.month - 1 - months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    return date(year, month, 28)  # pragma: no cover - every month has a 28th
