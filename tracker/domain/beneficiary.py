"""A beneficiary in a third place's register: the rules of their personal details and code.

The person's name and contact never enter the event log: events carry only the pseudonymous
code made here. What is checked is the shape of what staff type; the record is sealed apart.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass

from tracker.domain import validation
from tracker.domain.exceptions import InvalidValueError
from tracker.domain.vocabulary import BeneficiaryCategory

CODE_PREFIX = "BN"
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # no 0/O, 1/I/L: read aloud, copied by hand
CODE_LENGTH = 6
PHONE = re.compile(r"^\+?[0-9][0-9 .\-]{5,22}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_DIGITS = 2


@dataclass(frozen=True)
class PersonalDetails:
    """What a third place knows of a person to reach them; sealed with the person's own key."""

    given_name: str
    family_name: str
    phone: str = ""
    email: str = ""
    address: str = ""
    referrer: str = ""  # the organisation that sent the person (CCAS, France Travail...)

    @classmethod
    def checked(
        cls, *, given_name: str, family_name: str, phone: str = "", email: str = "",
        address: str = "", referrer: str = "",
    ) -> PersonalDetails:  # fmt: skip
        """The details as typed, trimmed; refused field by field when a value cannot be right."""
        details = cls(
            given_name=validation.text("given_name", given_name, required=True, max_length=80),
            family_name=validation.text("family_name", family_name, required=True, max_length=80),
            phone=validation.text("phone", phone, max_length=30),
            email=validation.text("email", email, max_length=120),
            address=validation.text("address", address, max_length=300),
            referrer=validation.text("referrer", referrer, max_length=120),
        )
        if details.phone and not PHONE.fullmatch(details.phone):
            raise InvalidValueError(field="phone", reason="not_a_phone")
        if details.email and not EMAIL.fullmatch(details.email):
            raise InvalidValueError(field="email", reason="not_an_email")
        if not (details.phone or details.email or details.address):
            raise InvalidValueError(field="phone", reason="no_contact")
        return details

    @classmethod
    def of(cls, data: dict[str, str]) -> PersonalDetails:
        """The details as they were sealed (read back, not re-checked)."""
        return cls(**{name: str(data.get(name, "")) for name in cls.__dataclass_fields__})

    def as_dict(self) -> dict[str, str]:
        return asdict(self)

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def matches(self, words: str) -> bool:
        """Whether every word typed is found in the given or family name (case, accents aside)."""
        name = folded(self.full_name)
        return all(word in name for word in folded(words).split())


def folded(text: str) -> str:
    """Lower case without accents, so that "Hélène" is found by "helene"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def categories(values: Iterable[str]) -> tuple[BeneficiaryCategory, ...]:
    """The publics a person belongs to, as funders count them (none is allowed)."""
    return validation.choices("categories", values, BeneficiaryCategory)


def consent(given: bool) -> None:
    """Nothing is registered without the person's consent to the register."""
    if not given:
        raise InvalidValueError(field="consent", reason="consent_required")


def new_code(pick: Callable[[str], str]) -> str:
    """A fresh pseudonymous code such as BN-7K3P9Q; `pick` chooses one character of a string.

    The code says nothing of the person: it is drawn at random, never derived from the name.
    """
    while True:
        body = "".join(pick(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if sum(c.isdigit() for c in body) >= MIN_DIGITS:
            return validation.beneficiary_code(f"{CODE_PREFIX}-{body}")
