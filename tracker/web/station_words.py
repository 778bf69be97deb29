"""What the scan station says when a step is refused, kept, or undone: plain sentences."""

from __future__ import annotations

from datetime import date
from typing import Any

from babel.dates import format_date

from tracker.domain.exceptions import (
    DataWipeRequiredError,
    DateAfterNextStepError,
    DateBeforePreviousStepError,
    DateInFutureError,
    DomainError,
    InvalidValueError,
    QualityCheckNotPassedError,
    StepNotOfferedError,
    TransitionRefusedError,
)
from tracker.domain.lifecycle import Step, allowed_steps
from tracker.station import UNDO_MINUTES, Card
from tracker.web.forms import text
from tracker.web.labels import STATES
from tracker.web.pages import N_, REASONS, language, t
from tracker.web.step_labels import ACTIONS, DONE

UNDONE = N_("L'étape a été annulée. Elle reste visible dans l'historique, marquée « annulée ».")
NOTHING_SAVED = N_("Rien n'a été enregistré.")
IMPOSSIBLE = N_("Cette action n'est pas possible.")
CONFLICT = N_(
    "Quelqu'un d'autre a enregistré une étape sur cet ordinateur pendant que vous "
    "remplissiez le formulaire. Rien n'a été enregistré. Voici la fiche à jour : "
    "regardez-la, puis recommencez si c'est encore utile."
)
NOT_NOW = N_("« %(action)s » n'est pas possible maintenant : l'ordinateur est « %(state)s ».")
WHY = {
    "final": N_("Le parcours de cet ordinateur est terminé : aucune étape n'est possible."),
    "not_workshop": N_("Seul un compte atelier peut enregistrer les étapes."),
    "other_site": N_(
        "Cet ordinateur est sur un site qui n'est pas le vôtre (%(site)s). "
        "Vous ne pouvez enregistrer des étapes que sur vos sites."
    ),
    "site_kind": N_(
        "Cette étape ne se fait pas sur ce site. Envoyez d'abord l'ordinateur vers le bon site."
    ),
    "undo_expired": N_(
        "On ne peut plus annuler cette étape : le délai de %(minutes)s minutes "
        "est passé. Signalez l'erreur à un agent du département."
    ),
    "not_yours": N_("Seule la personne qui a enregistré cette étape peut l'annuler."),
    "not_a_step": N_("Cette action n'est pas possible ici."),
}
FIELD_SENTENCES = {
    "date_in_future": N_("La date ne peut pas être après aujourd'hui."),
    "date_before_previous_step": N_("Cette date est avant l'étape précédente (%(previous)s)."),
    "date_after_next_step": N_("Cette date est après l'étape suivante (%(following)s)."),
    "data_wipe_required": N_(
        "Les données ne sont pas encore effacées : remplissez d'abord "
        "la partie « Effacement des données »."
    ),
    "quality_check_not_passed": N_(
        "Le contrôle qualité doit être réussi. S'il ne l'est pas, "
        "ne validez pas : réparez d'abord l'ordinateur."
    ),
}
FORM_DAMAGED = N_("Le formulaire est incomplet ou abîmé. Rechargez la page et recommencez.")
UNDO_REASONS = {
    "wrong_computer": N_("Erreur : ce n'était pas le bon ordinateur"),
    "wrong_step": N_("Erreur : ce n'était pas la bonne étape"),
    "wrong_details": N_("Erreur dans les détails saisis"),
    "other": N_("Autre raison"),
}
MORE_REASONS = {  # the reasons a step form may give beyond those of the other forms
    "negative": N_("Le nombre ne peut pas être négatif."),
    "not_a_date": N_("Ce n'est pas une date. Exemple : 21/11/2026."),
    "out_of_range": N_("Le nombre n'est pas dans les limites."),
    "incomplete": N_("Répondez à chaque vérification."),
    "not_after_start": N_("La fin doit venir après le début."),
    "inconsistent_with_method": N_("0 € seulement si la participation est offerte, et "
                                   "« Offerte » seulement pour 0 €."),
    "not_a_pseudonymous_code": N_("Mettez le code du bénéficiaire, par exemple BN-7K3P9Q. "
                                  "Jamais son nom."),
    "not_registered_here": N_("Cette personne n'est pas inscrite dans ce tiers-lieu. "
                              "Cherchez-la par son nom, ou inscrivez-la d'abord."),
    "person_erased": N_("Les données de cette personne ont été effacées : on ne peut plus lui "
                        "prêter d'ordinateur. Si elle revient, inscrivez-la de nouveau."),
    "same_site": N_("L'ordinateur est déjà sur ce site."),
    "not_on_loan": N_("Seulement pour un ordinateur prêté à un bénéficiaire."),
    "decimal_number": N_("Écrivez un nombre, par exemple 2,5."),
}  # fmt: skip

__all__ = [
    "DONE",
    "NOTHING_SAVED",
    "UNDONE",
    "UNDO_REASONS",
    "field_error",
    "undo_reason",
    "why_refused",
]


def field_error(request: Any, error: DomainError) -> dict[str, str]:
    """The message to show beside the field a refusal is about; empty if it is about no field."""
    if isinstance(error, InvalidValueError):
        if error.reason == "form_damaged":
            return {}
        reason = "decimal_number" if error.reason == "not_a_number" and _decimal(error) else (
            error.reason)  # fmt: skip
        message = MORE_REASONS.get(reason) or REASONS.get(reason, N_("Valeur refusée."))
        return {error.field: t(request, message)}
    lang = language(request)
    dates = {k: format_date(v, locale=lang) for k, v in error.details.items()
             if isinstance(v, date) and k != "occurred_on"}  # fmt: skip
    if isinstance(error, DateInFutureError | DateBeforePreviousStepError | DateAfterNextStepError):
        return {"occurred_on": t(request, FIELD_SENTENCES[error.code], **dates)}
    if isinstance(error, DataWipeRequiredError):
        return {"method": t(request, FIELD_SENTENCES[error.code])}
    if isinstance(error, QualityCheckNotPassedError):
        return {"quality_check_passed": t(request, FIELD_SENTENCES[error.code])}
    return {}


def why_refused(
    request: Any,
    card: Card,
    step: Step | None,
    *,
    error: DomainError | None = None,
    conflict: bool = False,
) -> str:
    """Why nothing was recorded, in words, ending with what the person can do."""
    if conflict:
        return t(request, CONFLICT)
    if isinstance(error, InvalidValueError) and error.reason == "form_damaged":
        return t(request, FORM_DAMAGED)
    why = error.why if isinstance(error, StepNotOfferedError) else card.blocked
    if not why and step in allowed_steps(card.state) and step not in card.steps:
        why = "site_kind"
    if isinstance(error, TransitionRefusedError) or (error is None and step and not why):
        action = t(request, ACTIONS[step]) if step else ""
        sentence = t(request, NOT_NOW, action=action, state=t(request, STATES[card.state]))
        return f"{sentence} {t(request, NOTHING_SAVED)}"
    if why in WHY:
        sentence = t(request, WHY[why], site=card.site, minutes=UNDO_MINUTES)
        return f"{sentence} {t(request, NOTHING_SAVED)}"
    if error is None:
        return t(request, FORM_DAMAGED)
    return f"{t(request, IMPOSSIBLE)} {t(request, NOTHING_SAVED)}"


def undo_reason(form: dict[str, Any]) -> str:
    """The reason an undo records: the choice made, and the words added to it."""
    chosen = UNDO_REASONS.get(text(form, "reason"), UNDO_REASONS["wrong_step"])
    detail = text(form, "detail").strip()
    return f"{chosen} : {detail}" if detail else chosen


def _decimal(error: InvalidValueError) -> bool:
    return error.field.startswith(("materials_kg", "hours_of_work", "contribution_eur"))
