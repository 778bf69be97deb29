"""The beneficiary register of the third places: the only place a person's name is kept.

Staff of a third place register a person and get a pseudonymous code, the only thing a loan
records. Details are sealed with a key per person (tracker.personal_data); the publics a
person is counted in and the dates stay readable so that funders' counts survive an erasure.
Only the staff of the person's third place and administrators see personal data.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import structlog

from projections import directory, loans
from projections.database import Connection, Database, as_date, connection
from tracker.accounts import Account
from tracker.domain import beneficiary, validation
from tracker.domain.beneficiary import PersonalDetails
from tracker.domain.exceptions import (
    InvalidValueError,
    PersonalDataDeniedError,
    PersonErasedError,
    StaleEditError,
    UnknownRecordError,
)
from tracker.domain.site import SiteKind
from tracker.domain.user import Role
from tracker.personal_data import Sealed, Sealer, UnreadableError
from tracker.settings import SettingsError

log = structlog.get_logger(__name__)

ON_REQUEST, RETENTION = "request", "retention"  # why a person was erased
PERSON_COLUMNS = (
    "b.code, b.third_place, b.categories, b.registered_on, b.consent_on, b.version, "
    "b.erased_on, b.erased_reason, s.master_id, s.wrapped_key, s.details"
)
FROM = "FROM beneficiaries b LEFT JOIN beneficiary_secrets s ON s.code = b.code"


@dataclass(frozen=True)
class Person:
    """A registered person as their third place sees them; `details` None once erased."""

    code: str
    third_place: str
    categories: tuple[str, ...]
    registered_on: date
    consent_on: date
    version: int
    details: PersonalDetails | None
    erased_on: date | None = None
    erased_reason: str = ""

    @property
    def erased(self) -> bool:
        return self.erased_on is not None


@dataclass(frozen=True)
class Ending:
    """An agreement of a third place coming to an end, and whom to contact about it."""

    tag: str
    agreement_end: date
    person: Person | None  # None: a code given before the register existed


class Register:
    """Use cases of the register; every change is written with a line of its journal."""

    def __init__(
        self, database: Database, sealer: Sealer, *, clock: Callable[[], datetime],
        today: Callable[[], date], pick: Callable[[str], str] = secrets.choice,
    ) -> None:  # fmt: skip
        self.database, self.sealer = database, sealer
        self.clock, self.today, self.pick = clock, today, pick

    def check_key(self) -> None:
        """Refuse a master key that opens none of the records already sealed.

        A lost key file, or another machine's key: new records would be sealed apart.
        """
        with connection(self.database) as conn:
            ids = {str(row[0]) for row in conn.execute(
                "SELECT DISTINCT master_id FROM beneficiary_secrets")}  # fmt: skip
        if ids and self.sealer.master_id not in ids:
            msg = ("The beneficiary register was sealed with another master key: set "
                   "TRACKER_REGISTER_KEY (or TRACKER_REGISTER_KEY_FILE) to the key kept "
                   "when it was installed (see README, Privacy).")  # fmt: skip
            raise SettingsError(msg)

    def register(
        self, account: Account, *, third_place: str, details: PersonalDetails,
        categories: Iterable[str], consent: bool,
    ) -> Person:  # fmt: skip
        """Register a person at a third place; returns them with their new code."""
        beneficiary.consent(consent)
        counted = ",".join(beneficiary.categories(categories))
        with connection(self.database) as conn:
            place = self._third_place(conn, third_place)
            _may_see(account, place)
            today = self.today()
            with conn.transaction():
                code = self._fresh_code(conn)
                conn.execute(
                    "INSERT INTO beneficiaries (code, third_place, categories, registered_on, "
                    "consent_on, version, erased_reason) VALUES (?, ?, ?, ?, ?, 1, '')",
                    (code, place, counted, today, today),
                )
                sealed = self.sealer.seal(code, details.as_dict())
                conn.execute(
                    "INSERT INTO beneficiary_secrets (code, master_id, wrapped_key, details) "
                    "VALUES (?, ?, ?, ?)",
                    (code, sealed.master_id, sealed.wrapped_key, sealed.details),
                )
                self.journal(conn, account.username, "registered", code, place)
            return self.read(conn, code)

    def person(self, account: Account, code: str) -> Person:
        """A person's record, if this account may see it."""
        with connection(self.database) as conn:
            found = self.read(conn, person_code(code))
        _may_see(account, found.third_place)
        return found

    def update(
        self, account: Account, code: str, *, seen_version: int, details: PersonalDetails,
        categories: Iterable[str],
    ) -> Person:  # fmt: skip
        """Change a person's details or publics; refused if someone changed them meanwhile."""
        counted = ",".join(beneficiary.categories(categories))
        with connection(self.database) as conn, conn.transaction():
            found = self.read(conn, person_code(code))
            _may_see(account, found.third_place)
            if found.erased:
                raise PersonErasedError(code=found.code)
            if found.version != seen_version:
                raise StaleEditError(kind="beneficiary", key=found.code, seen=seen_version,
                                     current=found.version)  # fmt: skip
            [(wrapped,)] = conn.execute(
                "SELECT wrapped_key FROM beneficiary_secrets WHERE code = ?", (found.code,)
            )
            sealed = self.sealer.seal(found.code, details.as_dict(), bytes(wrapped))
            conn.execute("UPDATE beneficiary_secrets SET details = ? WHERE code = ?",
                         (sealed.details, found.code))  # fmt: skip
            conn.execute("UPDATE beneficiaries SET categories = ?, version = version + 1 "
                         "WHERE code = ?", (counted, found.code))  # fmt: skip
            self.journal(conn, account.username, "changed", found.code, found.third_place)
            return self.read(conn, found.code)

    def people(self, account: Account, third_place: str, words: str = "") -> list[Person]:
        """The people registered at a third place (still readable), those whose name has `words`."""
        with connection(self.database) as conn:
            place = self._third_place(conn, third_place)
            _may_see(account, place)
            rows = conn.execute(
                f"SELECT {PERSON_COLUMNS} {FROM} WHERE b.third_place = ? AND b.erased_on IS NULL",
                (place,),
            )
        found = [self._person(row) for row in rows]
        return sorted(
            (p for p in found if p.details and (not words or p.details.matches(words))),
            key=lambda p: (beneficiary.folded(p.details.family_name if p.details else ""),
                           beneficiary.folded(p.details.given_name if p.details else "")),
        )  # fmt: skip

    def ending_soon(
        self, account: Account, third_place: str, start: date, end: date
    ) -> list[Ending]:
        """The agreements of a third place ending between two dates, with whom to contact."""
        with connection(self.database) as conn:
            place = self._third_place(conn, third_place)
            _may_see(account, place)
            endings = loans.ending_at(conn, place, start, end)
            people = self._people(conn, {e.beneficiary_code for e in endings})
        return [Ending(e.tag, e.agreement_end, people.get(e.beneficiary_code)) for e in endings]

    def export(self, account: Account, code: str) -> dict[str, Any]:
        """Everything the register and the loans hold on one person, for them (GDPR access)."""
        with connection(self.database) as conn:
            found = self.read(conn, person_code(code))
            _may_see(account, found.third_place)
            if found.erased:
                raise PersonErasedError(code=found.code)
            held = loans.of_beneficiary(conn, found.code)
            with conn.transaction():
                self.journal(conn, account.username, "exported", found.code, found.third_place)
        details = found.details.as_dict() if found.details else {}
        return {
            "code": found.code, "third_place": found.third_place, **details,
            "categories": list(found.categories), "registered_on": found.registered_on,
            "consent_on": found.consent_on,
            "loans": [loan.__dict__ for loan in held],
        }  # fmt: skip

    def loans_of(self, account: Account, code: str) -> list[loans.PersonLoan]:
        """The loans made to a person, for their record."""
        found = self.person(account, code)
        with connection(self.database) as conn:
            return loans.of_beneficiary(conn, found.code)

    def check_loanable(self, code: str, site: str) -> None:
        """Refuse a loan to a code not registered at this third place, or to an erased person."""
        with connection(self.database) as conn:
            rows = conn.execute(
                "SELECT third_place, erased_on FROM beneficiaries WHERE code = ?", (code,)
            )
        if not rows or rows[0][0] != site:
            raise InvalidValueError(field="beneficiary_code", reason="not_registered_here")
        if rows[0][1] is not None:
            raise InvalidValueError(field="beneficiary_code", reason="person_erased")

    def categories_of(self, codes: Iterable[str]) -> dict[str, tuple[str, ...]]:
        """The publics each of these codes was counted in (kept after an erasure, never names)."""
        wanted = sorted(set(codes))
        found: dict[str, tuple[str, ...]] = {}
        with connection(self.database) as conn:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ", ".join("?" for _ in chunk)
                rows = conn.execute("SELECT code, categories FROM beneficiaries "  # noqa: S608
                                    f"WHERE code IN ({marks})", chunk)  # fmt: skip
                found |= {code: _split(text) for code, text in rows}
        return found

    # -- internals ------------------------------------------------------------------------

    def read(self, conn: Connection, code: str) -> Person:
        """One person's row, opened (inside the caller's transaction, if any)."""
        rows = conn.execute(f"SELECT {PERSON_COLUMNS} {FROM} WHERE b.code = ?", (code,))
        if not rows:
            raise UnknownRecordError(kind="beneficiary", key=code)
        return self._person(rows[0])

    def _people(self, conn: Connection, codes: set[str]) -> dict[str, Person]:
        if not codes:
            return {}
        marks = ", ".join("?" for _ in codes)
        rows = conn.execute(f"SELECT {PERSON_COLUMNS} {FROM} WHERE b.code IN ({marks})",
                            sorted(codes))  # fmt: skip
        return {person.code: person for person in map(self._person, rows)}

    def _person(self, row: tuple[Any, ...]) -> Person:
        code, place, counted, registered, consent, version, erased, reason = row[:8]
        details = None
        if row[9] is not None:
            sealed = Sealed(bytes(row[9]), bytes(row[10]), str(row[8]))
            try:
                details = PersonalDetails.of(self.sealer.open(code, sealed))
            except UnreadableError:  # a foreign master key, or bytes altered in the database
                # No traceback, no code: logs name no one (the journal table has the codes).
                log.error("register_record_unreadable", third_place=place)  # noqa: TRY400
        return Person(code, place, _split(counted), as_date(registered) or date.min,
                      as_date(consent) or date.min, int(version), details, as_date(erased),
                      reason)  # fmt: skip

    def _third_place(self, conn: Connection, code: str) -> str:
        place = code.strip().upper()
        kinds = {site.code: site.kind for site in directory.sites(conn)}
        if kinds.get(place) not in (SiteKind.THIRD_PLACE, SiteKind.OTHER):
            raise InvalidValueError(field="third_place", reason="not_a_third_place")
        return place

    def _fresh_code(self, conn: Connection) -> str:
        while True:
            code = beneficiary.new_code(self.pick)
            if not conn.execute("SELECT 1 FROM beneficiaries WHERE code = ?", (code,)):
                return code

    def journal(self, conn: Connection, actor: str, action: str, code: str, place: str) -> None:
        """A line of the register's journal: who did what to whose record (codes only)."""
        conn.execute(
            "INSERT INTO register_journal (at, actor, action, code, third_place) "
            "VALUES (?, ?, ?, ?, ?)",
            (self.clock(), actor, action, code, place),
        )
        log.info("register_" + action, third_place=place, actor=actor)  # never the code


def _may_see(account: Account, third_place: str) -> None:
    if not account.active:
        raise PersonalDataDeniedError()
    if Role.ADMIN not in account.roles and not account.can_record_at(third_place):
        raise PersonalDataDeniedError()


def person_code(value: str) -> str:
    try:
        return validation.beneficiary_code(value)
    except InvalidValueError:
        raise UnknownRecordError(kind="beneficiary", key=value.strip()[:20]) from None


def _split(text: str) -> tuple[str, ...]:
    return tuple(part for part in str(text).split(",") if part)
