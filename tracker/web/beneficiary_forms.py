"""The register's forms: what staff typed, every mistake found at once, where to go back after."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from litestar import Request

from projections import directory
from projections.database import Connection
from tracker.accounts import Account
from tracker.domain import beneficiary
from tracker.domain.beneficiary import PersonalDetails
from tracker.domain.exceptions import InvalidValueError
from tracker.domain.site import SiteKind
from tracker.domain.user import Role
from tracker.register import ON_REQUEST, RETENTION, Person
from tracker.web.forms import Form, safe_path, text, values
from tracker.web.labels import BENEFICIARY_CATEGORIES
from tracker.web.pages import N_, field_errors, t

DETAILS = ("given_name", "family_name", "phone", "email", "address", "referrer")
# Values the rules accept: put in place of a refused value, they show what else is refused.
STAND_INS = {"given_name": "x", "family_name": "x", "phone": "0600000000",
             "email": "x@exemple.fr", "address": "x", "referrer": ""}  # fmt: skip
KEEPS_A_REGISTER = (SiteKind.THIRD_PLACE, SiteKind.OTHER)  # where loans are made (station)
ERASURE_REASONS = {ON_REQUEST: N_("à sa demande"), RETENTION: N_("fin de la durée de conservation")}
RETURNS_TO = "/ordinateurs/"  # only the scan station's pages may be gone back to


@dataclass(frozen=True)
class PersonForm:
    """A person's form as typed (kept as text, to be shown again if refused)."""

    given_name: str = ""
    family_name: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    referrer: str = ""
    categories: tuple[str, ...] = ()
    consent: bool = False
    third_place: str = ""

    @classmethod
    def sent(cls, data: Form) -> PersonForm:
        def typed(name: str) -> str:
            return text(data, name)

        return cls(typed("given_name"), typed("family_name"), typed("phone"), typed("email"),
                   typed("address"), typed("referrer"), tuple(values(data, "categories")),
                   typed("consent") == "yes", typed("third_place").strip().upper())  # fmt: skip

    @classmethod
    def of(cls, person: Person) -> PersonForm:
        """The form filled with what the register holds (nothing once the person is erased)."""
        held = person.details or PersonalDetails("", "")
        return cls(held.given_name, held.family_name, held.phone, held.email, held.address,
                   held.referrer, person.categories, True, person.third_place)  # fmt: skip

    def details(self) -> PersonalDetails:
        return PersonalDetails.checked(**{name: getattr(self, name) for name in DETAILS})

    def refusals(self, *, registering: bool) -> list[InvalidValueError]:
        """Every field the register would refuse, not only the first (it checks again on save)."""
        found: list[InvalidValueError] = []
        typed = {name: getattr(self, name) for name in DETAILS}
        while True:
            try:
                PersonalDetails.checked(**typed)
                break
            except InvalidValueError as error:
                found.append(error)
                if error.field not in STAND_INS or typed[error.field] == STAND_INS[error.field]:
                    break  # nothing left to stand in for: the refusals found are enough
                typed[error.field] = STAND_INS[error.field]
        checks: list[Callable[[], object]] = [lambda: beneficiary.categories(self.categories)]
        if registering:
            checks.append(lambda: beneficiary.consent(self.consent))
        for check in checks:
            try:
                check()
            except InvalidValueError as error:
                found.append(error)
        return found


def errors_of(request: Request[Any, Any, Any], refused: list[InvalidValueError]) -> dict[str, str]:
    """The sentence beside each refused field (the first refusal of a field wins)."""
    errors: dict[str, str] = {}
    for error in reversed(refused):
        errors |= field_errors(request, error)
    return errors


def category_choices(request: Request[Any, Any, Any]) -> list[tuple[str, str]]:
    return [(value, t(request, label)) for value, label in BENEFICIARY_CATEGORIES.items()]


def third_places(conn: Connection, account: Account | None) -> list[directory.SiteEntry]:
    """The registers this account keeps: those of its own sites, or every one for administrators."""
    if account is None:
        return []
    kept = [site for site in directory.sites(conn) if site.kind in KEEPS_A_REGISTER]
    if Role.ADMIN in account.roles:
        return kept
    return [site for site in kept if account.can_record_at(site.code)]


def return_path(raw: str) -> str:
    """The scan station page to go back to after a registration; "" for anything else."""
    path = safe_path(raw.strip(), "")
    return path if path.startswith(RETURNS_TO) else ""


def back_to_loan(path: str, code: str) -> str:
    """The station page again, with the new person's code to fill in the loan form."""
    return f"{path}{'&' if '?' in path else '?'}beneficiaire={code}"
