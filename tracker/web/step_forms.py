"""The form of each lifecycle step, read into the command the application records.

Only the shape of the input is checked here (a date, a number, a known choice); every rule of
the lifecycle stays in the domain, which refuses with a field the form shows the message on.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from tracker import commands
from tracker.domain.exceptions import InvalidValueError
from tracker.domain.lifecycle import Step
from tracker.domain.vocabulary import MAX_PARTS, Check, ComponentKind, MaterialFraction
from tracker.web.forms import text, values

# The fields of a data wipe, the same in its own form and in the section other steps embed.
WIPE_FIELDS = ("method", "result", "standard", "tool", "certificate_reference")
# Steps whose form may also record the data wipe, when the computer was not wiped yet.
WITH_WIPE = frozenset({Step.TRIAGE, Step.DISMANTLE, Step.RECONDITION})
AGREEMENT_YEARS = 2
EARLIEST_YEAR = 2000
CENTURY = 100
CONTRIBUTION_EUR = Decimal(25)


def command_for(
    step: Step, form: dict[str, Any], *, tag: str, actor: str, site: str
) -> commands.StepCommand:
    """The command a submitted step form asks for, or a refusal naming the faulty field."""
    common: dict[str, Any] = {
        "command_id": _command_id(form),
        "tag": tag,
        "seen_version": _integer(form, "seen_version"),
        "actor": actor,
        "site": site,
        "occurred_on": read_date(form, "occurred_on"),
        "note": text(form, "note").strip(),
    }
    if step in WITH_WIPE and text(form, "method"):
        common["wipe"] = {name: text(form, name) for name in WIPE_FIELDS}
    return _READERS[step](form, common)


REQUIRED: dict[Step, tuple[str, ...]] = {  # the fields each form cannot leave empty
    Step.TRIAGE: (*(f"checks.{check}" for check in Check), "grade", "outcome"),
    Step.WIPE_DATA: ("method", "result"),
    Step.DISMANTLE: ("outlet",),
    Step.RECONDITION: ("operating_system", "hours_of_work", "final_grade"),
    Step.LOAN: ("beneficiary_code", "agreement_start", "agreement_end", "contribution_eur",
                "contribution_method"),
    Step.RETURN: ("reason", "condition"),
    Step.TRANSFER: ("to_site",),
    Step.WRITE_OFF: ("reason",),
}  # fmt: skip


# A required field that another field may fill instead: the person chosen in the loan form's
# list, or their code typed from the agreement (without JavaScript, or with the code at hand).
INSTEAD = {"beneficiary_code": "code_typed"}


def missing(step: Step, form: dict[str, Any]) -> list[str]:
    """Every required field left empty, so that all of them are shown at once."""
    names = (*REQUIRED[step], "occurred_on")
    return [name for name in names if not _filled(form, name)]


def beneficiary_code(form: dict[str, Any]) -> str:
    """The code of the person a loan is for: the one chosen in the list, else the one typed."""
    return text(form, "beneficiary_code").strip() or text(form, "code_typed").strip()


def agreement_end(start: date) -> date:
    """The default end of a loan agreement: two years after it starts."""
    try:
        return start.replace(year=start.year + AGREEMENT_YEARS)
    except ValueError:  # 29 February
        return start.replace(year=start.year + AGREEMENT_YEARS, day=28)


def read_date(form: dict[str, Any], name: str) -> date:
    """A date typed as YYYY-MM-DD (what a date field sends) or DD/MM/YYYY."""
    raw = text(form, name).strip()
    if not raw:
        raise InvalidValueError(field=name, reason="required")
    try:
        if "/" in raw:
            day, month, year = (int(part) for part in raw.split("/"))
            typed = date(EARLIEST_YEAR + year if year < CENTURY else year, month, day)  # 01/06/26
        else:
            typed = date.fromisoformat(raw)
    except ValueError:
        raise InvalidValueError(field=name, reason="not_a_date") from None
    if typed.year < EARLIEST_YEAR:  # a slip of the keyboard, not a computer of the 1980s
        raise InvalidValueError(field=name, reason="not_a_date")
    return typed


def decimal(form: dict[str, Any], name: str, *, required: bool = True) -> Decimal:
    """A number typed the French way ("2,5") or not ("2.5"); the domain checks its range."""
    raw = text(form, name).strip().replace(",", ".").replace(" ", "")
    if not raw:
        if required:
            raise InvalidValueError(field=name, reason="required")
        return Decimal(0)
    try:
        number = Decimal(raw)
    except InvalidOperation:
        raise InvalidValueError(field=name, reason="not_a_number") from None
    if not number.is_finite():
        raise InvalidValueError(field=name, reason="not_a_number")
    return number


def _filled(form: dict[str, Any], name: str) -> bool:
    return bool(text(form, name).strip() or (name in INSTEAD and text(form, INSTEAD[name]).strip()))


def _integer(form: dict[str, Any], name: str) -> int:
    try:
        return int(text(form, name))
    except ValueError:
        raise InvalidValueError(field=name, reason="form_damaged") from None


def _command_id(form: dict[str, Any]) -> UUID:
    try:
        return UUID(text(form, "command_id"))
    except ValueError:
        raise InvalidValueError(field="command_id", reason="form_damaged") from None


def _triage(form: dict[str, Any], common: dict[str, Any]) -> commands.StepCommand:
    checks = {str(check): text(form, f"checks.{check}") for check in Check}
    for name, result in checks.items():
        if not result:
            raise InvalidValueError(field=f"checks.{name}", reason="required")
    return commands.Triage(
        **common, checks=checks, grade=text(form, "grade"), outcome=text(form, "outcome")
    )


def _wipe(form: dict[str, Any], common: dict[str, Any]) -> commands.StepCommand:
    return commands.RecordDataWipe(
        **common,
        method=text(form, "method"),
        result=text(form, "result"),
        standard=text(form, "standard"),
        tool=text(form, "tool"),
        certificate_reference=text(form, "certificate_reference"),
    )


def _dismantle(form: dict[str, Any], common: dict[str, Any]) -> commands.StepCommand:
    components = []
    for kind in ComponentKind:
        field = f"components.{kind}"
        raw = text(form, field).strip() or "0"
        try:
            count = int(raw)
        except ValueError:
            raise InvalidValueError(field=field, reason="not_a_number") from None
        if count < 0:
            raise InvalidValueError(field=field, reason="negative")
        if count > MAX_PARTS:
            raise InvalidValueError(field=field, reason="too_large")
        if count:
            reusable = text(form, f"reusable.{kind}") == "yes"
            components.append({"kind": str(kind), "count": count, "reusable": reusable})
    materials = {
        str(fraction): decimal(form, f"materials_kg.{fraction}", required=False)
        for fraction in MaterialFraction
    }
    return commands.Dismantle(
        **common,
        components=components,
        materials_kg={name: kg for name, kg in materials.items() if kg != 0},
        outlet=text(form, "outlet"),
        waste_slip_reference=text(form, "waste_slip_reference"),
    )


def _recondition(form: dict[str, Any], common: dict[str, Any]) -> commands.StepCommand:
    parts = [p.strip() for p in text(form, "parts_used").replace("\n", ",").split(",")]
    return commands.Recondition(
        **common,
        work_done=[w for w in values(form, "work_done") if w],
        parts_used=[part for part in parts if part],
        operating_system=text(form, "operating_system"),
        quality_check_passed=text(form, "quality_check_passed") == "yes",
        hours_of_work=decimal(form, "hours_of_work"),
        final_grade=text(form, "final_grade"),
    )


def _loan(form: dict[str, Any], common: dict[str, Any]) -> commands.StepCommand:
    return commands.Loan(
        **common,
        beneficiary_code=beneficiary_code(form),
        agreement_start=read_date(form, "agreement_start"),
        agreement_end=read_date(form, "agreement_end"),
        contribution_eur=decimal(form, "contribution_eur"),
        contribution_method=text(form, "contribution_method"),
        receipt_number=text(form, "receipt_number"),
    )


def _return(form: dict[str, Any], common: dict[str, Any]) -> commands.StepCommand:
    return commands.TakeBack(
        **common, reason=text(form, "reason"), condition=text(form, "condition")
    )


def _transfer(form: dict[str, Any], common: dict[str, Any]) -> commands.StepCommand:
    destination = text(form, "to_site").strip()
    if not destination:
        raise InvalidValueError(field="to_site", reason="required")
    return commands.Transfer(**common, to_site=destination)


def _write_off(form: dict[str, Any], common: dict[str, Any]) -> commands.StepCommand:
    return commands.WriteOff(**common, reason=text(form, "reason"))


_READERS: dict[Step, Callable[[dict[str, Any], dict[str, Any]], commands.StepCommand]] = {
    Step.TRIAGE: _triage,
    Step.WIPE_DATA: _wipe,
    Step.DISMANTLE: _dismantle,
    Step.RECONDITION: _recondition,
    Step.LOAN: _loan,
    Step.RETURN: _return,
    Step.TRANSFER: _transfer,
    Step.WRITE_OFF: _write_off,
}
