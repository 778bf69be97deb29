"""Which details of a recorded step a correction may change, and how each new value is read."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from enum import StrEnum

from tracker.domain import validation
from tracker.domain.exceptions import InvalidValueError
from tracker.domain.vocabulary import (
    MAX_HOURS,
    MAX_KG,
    MAX_MONEY,
    Condition,
    ContributionMethod,
    DeviceType,
    Grade,
    MaterialFraction,
    ReturnReason,
)

Reader = Callable[[str, str], str]


def _choice(allowed: type[StrEnum]) -> Reader:
    return lambda field, raw: str(validation.choice(field, raw.strip(), allowed))


def _text(field: str, raw: str) -> str:
    return validation.text(field, raw)


def _required_text(field: str, raw: str) -> str:
    return validation.text(field, raw, required=True)


def _amount(maximum: Decimal) -> Reader:
    return lambda field, raw: str(validation.quantity(field, raw, maximum=maximum))


def read_date(field: str, raw: str) -> str:
    """An ISO date (YYYY-MM-DD)."""
    try:
        return date.fromisoformat(raw.strip()).isoformat()
    except ValueError:
        raise InvalidValueError(field=field, reason="not_a_date") from None


# Event class name -> field -> reader. The business date of any step can be corrected too;
# lifecycle-changing fields (outcome, site, beneficiary) cannot: cancel the step instead.
CORRECTABLE: Mapping[str, Mapping[str, Reader]] = {
    "Donated": {
        "device_type": _choice(DeviceType),
        "brand": _required_text,
        "model": _text,
        "serial": _text,
        "donor": _required_text,
    },
    "Triaged": {"grade": _choice(Grade)},
    "DataWipeRecorded": {
        "standard": _text,
        "tool": _text,
        "certificate_reference": _text,
    },
    "Dismantled": {
        "outlet": _required_text,
        "waste_slip_reference": _text,
        **{f"materials_kg.{fraction}": _amount(MAX_KG) for fraction in MaterialFraction},
    },
    "Reconditioned": {
        "operating_system": _required_text,
        "hours_of_work": _amount(MAX_HOURS),
        "final_grade": _choice(Grade),
    },
    "Loaned": {
        "agreement_end": read_date,
        "contribution_eur": _amount(MAX_MONEY),
        "contribution_method": _choice(ContributionMethod),
        "receipt_number": _text,
    },
    "Returned": {"reason": _choice(ReturnReason), "condition": _choice(Condition)},
    "Transferred": {},
    "WrittenOff": {},
}
