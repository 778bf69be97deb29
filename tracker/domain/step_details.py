"""The details of each lifecycle step, checked and turned into event fields."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from tracker.domain import validation
from tracker.domain.exceptions import InvalidValueError, QualityCheckNotPassedError
from tracker.domain.vocabulary import (
    MAX_HOURS,
    MAX_KG,
    MAX_MONEY,
    MAX_PARTS,
    Check,
    CheckResult,
    ComponentKind,
    Condition,
    ContributionMethod,
    Grade,
    MaterialFraction,
    ReconditioningWork,
    ReturnReason,
    TriageOutcome,
    WipeMethod,
    WipeResult,
)


def triage(*, checks: Mapping[str, str], grade: str, outcome: str) -> dict[str, Any]:
    """Every check answered, a grade, and the decision: recondition or dismantle."""
    results = {
        str(validation.choice("checks", name, Check)): str(
            validation.choice(f"checks.{name}", result, CheckResult)
        )
        for name, result in checks.items()
    }
    if set(results) != set(Check):
        raise InvalidValueError(field="checks", reason="incomplete")
    return {
        "checks": results,
        "grade": str(validation.choice("grade", grade, Grade)),
        "outcome": str(validation.choice("outcome", outcome, TriageOutcome)),
    }


def data_wipe(
    *, method: str, result: str, standard: str, tool: str, certificate_reference: str
) -> dict[str, Any]:
    """How the storage was wiped; a software wipe names its tool."""
    wipe_method = validation.choice("method", method, WipeMethod)
    software = wipe_method not in (WipeMethod.DRIVE_DESTROYED, WipeMethod.NO_STORAGE)
    return {
        "method": str(wipe_method),
        "result": str(validation.choice("result", result, WipeResult)),
        "standard": validation.text("standard", standard, max_length=80),
        "tool": validation.text("tool", tool, required=software, max_length=80),
        "certificate_reference": validation.text("certificate_reference", certificate_reference),
    }


def dismantling(
    *,
    components: Sequence[Mapping[str, Any]],
    materials_kg: Mapping[str, Decimal | str],
    outlet: str,
    waste_slip_reference: str,
) -> dict[str, Any]:
    """Parts harvested, kg per material fraction, and where the materials went."""
    return {
        "components": [_component(item) for item in components],
        "materials_kg": {
            str(validation.choice("materials_kg", name, MaterialFraction)): validation.quantity(
                f"materials_kg.{name}", kg, maximum=MAX_KG
            )
            for name, kg in materials_kg.items()
        },
        "outlet": validation.text("outlet", outlet, required=True),
        "waste_slip_reference": validation.text("waste_slip_reference", waste_slip_reference),
    }


def reconditioning(
    *,
    work_done: Sequence[str],
    operating_system: str,
    quality_check_passed: bool,
    hours_of_work: Decimal | str,
    final_grade: str,
    parts_used: Sequence[str],
) -> dict[str, Any]:
    """The work done, the system installed, hours of insertion work; quality check passed."""
    if not quality_check_passed:
        raise QualityCheckNotPassedError()
    return {
        "work_done": [
            str(validation.choice("work_done", w, ReconditioningWork)) for w in work_done
        ],
        "parts_used": [validation.text("parts_used", part, required=True) for part in parts_used],
        "operating_system": validation.text("operating_system", operating_system, required=True),
        "quality_check_passed": True,
        "hours_of_work": validation.quantity("hours_of_work", hours_of_work, maximum=MAX_HOURS),
        "final_grade": str(validation.choice("final_grade", final_grade, Grade)),
    }


def loan_terms(
    *,
    agreement_start: date,
    agreement_end: date,
    contribution_eur: Decimal | str,
    contribution_method: str,
    receipt_number: str,
) -> dict[str, Any]:
    """The agreement dates and the contribution: 0 € exactly when it is waived."""
    if agreement_end <= agreement_start:
        raise InvalidValueError(field="agreement_end", reason="not_after_start")
    amount = validation.quantity("contribution_eur", contribution_eur, maximum=MAX_MONEY)
    method = validation.choice("contribution_method", contribution_method, ContributionMethod)
    if (method == ContributionMethod.WAIVED) != (amount == 0):
        raise InvalidValueError(field="contribution_eur", reason="inconsistent_with_method")
    return {
        "agreement_start": agreement_start,
        "agreement_end": agreement_end,
        "contribution_eur": amount,
        "contribution_method": str(method),
        "receipt_number": validation.text("receipt_number", receipt_number, max_length=40),
    }


def return_details(*, reason: str, condition: str) -> dict[str, Any]:
    """Why the computer came back and in what condition."""
    return {
        "reason": str(validation.choice("reason", reason, ReturnReason)),
        "condition": str(validation.choice("condition", condition, Condition)),
    }


def _component(item: Mapping[str, Any]) -> dict[str, Any]:
    """One line of harvested components: kind, how many, and whether they can be reused."""
    kind = validation.choice("components.kind", str(item.get("kind", "")), ComponentKind)
    try:
        count = int(item.get("count", 0))
    except (TypeError, ValueError):
        raise InvalidValueError(field="components.count", reason="not_a_number") from None
    if not 1 <= count <= MAX_PARTS:
        raise InvalidValueError(field="components.count", reason="out_of_range")
    return {"kind": str(kind), "count": count, "reusable": bool(item.get("reusable", False))}
