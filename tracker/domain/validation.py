"""Checks of single field values shared by the aggregates; each raises InvalidValueError."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import TypeVar

from tracker.domain.exceptions import InvalidValueError

# A pseudonymous beneficiary code: 2-4 letters, a dash, 6-10 letters or digits of which
# at least two are digits, e.g. "BN-7K3P9Q". No space, "@" or digit-less word fits, so
# neither a name nor an e-mail address can be typed in its place.
BENEFICIARY_CODE = re.compile(r"^[A-Z]{2,4}-(?=(?:[A-Z]*[0-9]){2})[A-Z0-9]{6,10}$")


E = TypeVar("E", bound=StrEnum)


def choice(field: str, value: str, allowed: type[E]) -> E:
    """The enum member named by value, or a refusal."""
    try:
        return allowed(value)
    except ValueError:
        raise InvalidValueError(field=field, reason="unknown_choice") from None


def choices(
    field: str, values: Iterable[str], allowed: type[E], *, required: bool = False
) -> tuple[E, ...]:
    """The enum members named by values, each once and in the enum's order."""
    chosen = {choice(field, value, allowed) for value in values}
    if required and not chosen:
        raise InvalidValueError(field=field, reason="required")
    return tuple(member for member in allowed if member in chosen)


def day(field: str, value: date) -> date:
    """A calendar date (not a moment in time)."""
    if isinstance(value, datetime) or not isinstance(value, date):
        raise InvalidValueError(field=field, reason="not_a_date")
    return value


def text(field: str, value: str, *, required: bool = False, max_length: int = 200) -> str:
    """The value stripped, refused when required and empty or when too long."""
    stripped = value.strip()
    if required and not stripped:
        raise InvalidValueError(field=field, reason="required")
    if len(stripped) > max_length:
        raise InvalidValueError(field=field, reason="too_long")
    return stripped


def quantity(field: str, value: Decimal | int | str, *, maximum: Decimal) -> Decimal:
    """A non-negative decimal no greater than maximum."""
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidValueError(field=field, reason="not_a_number") from None
    if not number.is_finite():
        raise InvalidValueError(field=field, reason="not_a_number")
    if number < 0:
        raise InvalidValueError(field=field, reason="negative")
    if number > maximum:
        raise InvalidValueError(field=field, reason="too_large")
    return number


def beneficiary_code(value: str) -> str:
    """A pseudonymous code, never a name."""
    code = value.strip().upper()
    if not BENEFICIARY_CODE.fullmatch(code):
        raise InvalidValueError(field="beneficiary_code", reason="not_a_pseudonymous_code")
    return code


SITE_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{1,39}$")


def site_code(field: str, value: str) -> str:
    """A site code, upper-case: "esat-rance " and "ESAT-RANCE" name the same site."""
    code = value.strip().upper()
    if not code:
        raise InvalidValueError(field=field, reason="required")
    if not SITE_CODE.fullmatch(code):
        raise InvalidValueError(field=field, reason="not_a_site_code")
    return code
