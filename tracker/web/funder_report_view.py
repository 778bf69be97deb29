"""How the funder report reads: the period asked for, each figure's value, the changes since K."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

from projections.ledger import Change, LedgerStep, StageFigures
from tracker.domain.exceptions import InvalidValueError
from tracker.funder_report import MEASURES, Total, check_period
from tracker.web.forms import NOT_A_DATE, day_in
from tracker.web.i18n import translate
from tracker.web.pages import N_

COLUMNS = (
    ("steps", N_("Étapes comptées")),
    ("computers", N_("Ordinateurs")),
    ("hours", N_("Heures de travail en insertion")),
    ("euros", N_("Participations encaissées")),
    ("beneficiaries", N_("Bénéficiaires distincts")),
    ("kg", N_("Matières recyclées (kg)")),
)
FIELDS = {"start": "du", "end": "au", "known_on": "connu_le"}  # the application's -> the form's
PERIOD_REFUSALS = {
    "before_start": N_("La fin de la période est avant son début : corrigez l'une des deux dates."),
    "in_future": N_("Ce jour n'est pas encore passé : choisissez aujourd'hui ou un jour passé."),
}
Value = int | Decimal | None  # None: the stage does not carry this measure


@dataclass(frozen=True)
class Asked:
    """The period and reading asked for in the address, or what is wrong with them."""

    start: date
    end: date
    known_on: date | None
    values: Mapping[str, str]  # the form's fields as they will be shown again
    errors: Mapping[str, str] = field(default_factory=dict)

    def query(self, **changes: str) -> str:
        """The address parameters of this report, with some changed ("" drops one)."""
        params = {"du": self.start.isoformat(), "au": self.end.isoformat(),
                  "connu_le": self.known_on.isoformat() if self.known_on else ""}  # fmt: skip
        params.update(changes)
        return urlencode({name: value for name, value in params.items() if value})

    def steps_href(self, code: str, line: str, stage: str, *, current: bool = False) -> str:
        """The drill-down of one stage of one line, in the reading asked (or now)."""
        extra = {"ligne": line, "etape": stage, **({"connu_le": ""} if current else {})}
        return f"/audit/financeurs/{code}/rapport/etapes?{self.query(**extra)}"


def asked(language: str, du: str, au: str, connu_le: str, today: date) -> Asked:
    """The period from the address (default: the last whole year, or the year of the day given)."""
    typed = {"du": du.strip(), "au": au.strip(), "connu_le": connu_le.strip()}
    days = {name: day_in(text) if text else None for name, text in typed.items()}
    year = (days["du"] or days["au"] or date(today.year - 1, 1, 1)).year
    first, last = date(year, 1, 1), date(year, 12, 31)
    errors = {
        name: translate(language, NOT_A_DATE)
        for name, text in typed.items()
        if text and days[name] is None
    }
    start, end, known_on = days["du"] or first, days["au"] or last, days["connu_le"]
    days.update(du=start, au=end)
    if not errors:
        try:
            check_period(start, end, known_on, today)
        except InvalidValueError as error:
            message = PERIOD_REFUSALS.get(error.reason, NOT_A_DATE)
            errors = {FIELDS.get(error.field, "au"): translate(language, message)}
    values = {
        name: typed[name] if name in errors else (day.isoformat() if day else "")
        for name, day in days.items()
    }
    return Asked(start, end, known_on, values, errors)


def measures(figures: StageFigures | Total) -> dict[str, Value]:
    """Each column's value for one stage: counts, then the measures this stage carries."""
    carried = MEASURES.get(figures.stage, ())
    return {
        "steps": figures.steps,
        "computers": figures.computers,
        "hours": hours(figures.work_minutes) if "work_minutes" in carried else None,
        "euros": euros(figures.contribution_cents) if "contribution_cents" in carried else None,
        "beneficiaries": figures.beneficiaries if "beneficiaries" in carried else None,
        "kg": kg(figures.grams) if "grams" in carried else None,
    }


def hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / 60).quantize(Decimal("0.01"))


def euros(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


def kg(grams: int) -> Decimal:
    return (Decimal(grams) / 1000).quantize(Decimal("0.001"))


def amount(language: str, step: LedgerStep) -> str:
    """What one step brings to its stage's measure, in words ("" when nothing)."""
    carried = MEASURES.get(step.stage, ())
    if "work_minutes" in carried:
        return translate(language, N_("%(n)s h"), n=number(language, hours(step.work_minutes)))
    if "contribution_cents" in carried:
        return format_currency(euros(step.contribution_cents), "EUR", locale=language)
    if "grams" in carried:
        return translate(language, N_("%(n)s kg"), n=number(language, kg(step.grams)))
    return ""


def number(language: str, value: Any) -> str:
    return str(format_decimal(value, locale=language))


def cell(language: str, name: str, value: Value) -> str:
    """A figure as printed: a dash where the stage does not carry this measure."""
    if value is None:
        return "—"
    if name == "euros":
        return str(format_currency(value, "EUR", locale=language))
    return number(language, value)


@dataclass(frozen=True)
class ChangeRow:
    """A step read differently now than on K: what it was then, what it is now."""

    change: Change
    what: str
    then: str
    now: str


def change_rows(language: str, changes: tuple[Change, ...]) -> list[ChangeRow]:
    return [
        ChangeRow(
            change,
            translate(language, _what(change)),
            _side(language, change.then),
            _side(language, change.now),
        )
        for change in changes
    ]


def _what(change: Change) -> str:
    if change.then is None:
        return N_("enregistrée après ce jour")
    if change.now is None:
        return N_("annulée depuis")
    return N_("corrigée depuis")


def _side(language: str, step: LedgerStep | None) -> str:
    if step is None:
        return translate(language, N_("pas comptée"))
    parts = [format_date(step.occurred_on, "medium", locale=language), step.site]
    return " · ".join(part for part in [*parts, amount(language, step)] if part)
