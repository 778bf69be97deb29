"""How the history page words a computer's events: details, and the corrections beside each one."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from decimal import Decimal
from typing import Any
from uuid import UUID

from babel.dates import format_date
from babel.numbers import format_decimal

from tracker.history import HistoryEntry
from tracker.web.i18n import translate
from tracker.web.pages import N_
from tracker.web.step_labels import COMPONENTS, VALUES

FIELDS = {
    "tag": N_("étiquette"), "programme": N_("programme"), "batch_id": N_("lot de don"),
    "donor": N_("donateur"), "device_type": N_("type d'appareil"), "brand": N_("marque"),
    "model": N_("modèle"), "serial": N_("numéro de série"), "checks": N_("vérifications"),
    "grade": N_("grade"), "outcome": N_("décision"), "method": N_("méthode"),
    "result": N_("résultat"), "standard": N_("norme"), "tool": N_("outil"),
    "certificate_reference": N_("n° de certificat"), "components": N_("pièces récupérées"),
    "materials_kg": N_("matières (kg)"), "outlet": N_("filière de recyclage"),
    "waste_slip_reference": N_("n° de bordereau"), "work_done": N_("travaux faits"),
    "parts_used": N_("pièces utilisées"), "operating_system": N_("système installé"),
    "quality_check_passed": N_("contrôle qualité réussi"),
    "hours_of_work": N_("heures de travail"), "final_grade": N_("grade final"),
    "beneficiary_code": N_("code du bénéficiaire"),
    "agreement_start": N_("début de la convention"),
    "agreement_end": N_("fin de la convention"), "contribution_eur": N_("participation (€)"),
    "contribution_method": N_("mode de paiement"), "receipt_number": N_("n° de reçu"),
    "reason": N_("motif"), "condition": N_("état"), "to_site": N_("site de destination"),
    "occurred_on": N_("date de l'étape"), "changes": N_("modifications"),
    "note": N_("remarque"),
}  # fmt: skip
PAIR = N_("%(label)s : %(value)s")  # a field and its value (no space before ":" in English)
YES, NO = N_("oui"), N_("non")
REUSABLE, NOT_REUSABLE = N_("réutilisable"), N_("non réutilisable")
# Shown apart: as links in the "Corrections" column, and as "field → new value".
_APART = frozenset({"cancels_version", "corrects_version", "changes"})
_DATES = frozenset({"occurred_on", "agreement_start", "agreement_end"})
_AMOUNTS = frozenset({"hours_of_work", "contribution_eur"})
_COMPONENTS: Mapping[str, str] = {str(kind): words for kind, words in COMPONENTS.items()}

Lines = list[str]


@dataclass(frozen=True)
class Row:
    """One event as the history table shows it."""

    entry: HistoryEntry
    recorded_at: datetime  # in the programme's time zone
    details: Lines  # "field : value"
    changed: Lines  # for a correction: "field → new value"
    touches: int | None  # for a cancellation or a correction: the step it touches
    cancelled: tuple[int, datetime] | None  # by which event, recorded when (local time)
    corrections: tuple[tuple[int, Lines], ...]  # by which event, and what it changed


def rows(entries: Sequence[HistoryEntry], zone: tzinfo, language: str) -> list[Row]:
    """Every event in order, worded in this language, with what later events did to it."""
    by_version = {entry.version: entry for entry in entries}
    found = []
    for entry in entries:
        cancelling = by_version.get(entry.cancelled_by or 0)
        touches = entry.details.get("cancels_version") or entry.details.get("corrects_version")
        details = {k: v for k, v in entry.details.items() if k not in _APART}
        found.append(Row(
            entry=entry,
            recorded_at=entry.recorded_at.astimezone(zone),
            details=worded(language, {**details, "note": entry.note}),
            changed=changes(language, entry.details.get("changes", {})),
            touches=touches,
            cancelled=(cancelling.version, cancelling.recorded_at.astimezone(zone))
            if cancelling else None,
            corrections=tuple(
                (v, changes(language, by_version[v].details["changes"]))
                for v in entry.corrected_by
            ),
        ))  # fmt: skip
    return found


def worded(language: str, details: Mapping[str, Any]) -> Lines:
    """Each field and its value in words, as the command line prints them; empty ones left out."""
    return [
        _pair(language, label(language, name), _words(language, name, value))
        for name, value in details.items()
        if value not in ("", [], {}, None)
    ]


def changes(language: str, new_values: Mapping[str, str]) -> Lines:
    """What a correction changed: each field and its new value, read from the stored text."""
    return [
        f"{label(language, name)} → {_words(language, name, _typed(name, raw))}"
        for name, raw in new_values.items()
    ]


def label(language: str, name: str) -> str:
    """The words for a field ("materials_kg.plastics" reads "matières (kg) : plastiques")."""
    base, _, part = name.partition(".")
    words = translate(language, FIELDS.get(base, base))
    return _pair(language, words, _words(language, "", part)) if part else words


def _pair(language: str, label: str, value: str) -> str:
    return translate(language, PAIR, label=label, value=value)


def _typed(name: str, raw: str) -> object:
    if name in _DATES:
        return date.fromisoformat(raw)
    if name in _AMOUNTS or name.startswith("materials_kg."):
        return Decimal(raw)
    return raw


def _words(language: str, name: str, value: object) -> str:  # noqa: PLR0911 (one per kind)
    if isinstance(value, bool):
        return translate(language, YES if value else NO)
    if isinstance(value, date):
        return format_date(value, "medium", locale=language)
    if isinstance(value, Decimal | int):
        return format_decimal(value, locale=language)
    if isinstance(value, UUID):
        return str(value)[:8]
    if isinstance(value, dict):
        return ", ".join(
            _pair(language, _words(language, "", k), _words(language, "", v))
            for k, v in value.items()
        )
    if isinstance(value, list):
        return ", ".join(_item(language, name, item) for item in value)
    text = str(value)
    return translate(language, VALUES[text]) if text in VALUES else text


def _item(language: str, name: str, item: object) -> str:
    if not isinstance(item, dict):  # work done, parts used
        return _words(language, name, item)
    kind = str(item.get("kind", ""))
    what = translate(language, _COMPONENTS[kind]) if kind in _COMPONENTS else kind
    reusable = translate(language, REUSABLE if item.get("reusable") else NOT_REUSABLE)
    return _pair(language, what, f"{item.get('count', 1)} ({reusable})")
