"""Plain-French words for states, steps, fields and refusals (English catalogues come with i18n)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from tracker.domain.exceptions import DomainError
from tracker.domain.lifecycle import State, Step, allowed_steps

STATES: Mapping[str, str] = {
    State.AWAITING_TRIAGE: "à trier",
    State.TO_RECONDITION: "à reconditionner",
    State.TO_DISMANTLE: "à démanteler",
    State.DISMANTLED: "démantelé",
    State.READY_TO_LOAN: "prêt à être confié",
    State.ON_LOAN: "confié à un bénéficiaire",
    State.WRITTEN_OFF: "sorti du parc",
}

# "On ne peut pas <verbe> cet ordinateur"
STEP_VERBS: Mapping[str, str] = {
    Step.TRIAGE: "trier",
    Step.WIPE_DATA: "effacer les données de",
    Step.DISMANTLE: "démanteler",
    Step.RECONDITION: "reconditionner",
    Step.LOAN: "prêter",
    Step.RETURN: "enregistrer le retour de",
    Step.TRANSFER: "transférer",
    Step.WRITE_OFF: "sortir du parc",
}

EVENTS: Mapping[str, str] = {
    "Donated": "Don reçu",
    "Triaged": "Tri",
    "DataWipeRecorded": "Effacement des données",
    "Dismantled": "Démantèlement",
    "Reconditioned": "Reconditionnement",
    "Loaned": "Prêt",
    "Returned": "Retour",
    "Transferred": "Transfert",
    "WrittenOff": "Sortie du parc",
    "StepCancelled": "Annulation",
    "DetailsCorrected": "Correction",
}

FIELDS: Mapping[str, str] = {
    "actor": "personne",
    "site": "site",
    "note": "remarque",
    "donor": "donateur",
    "programme": "programme",
    "device_type": "type d'appareil",
    "brand": "marque",
    "model": "modèle",
    "serial": "numéro de série",
    "tag": "étiquette",
    "units": "ordinateurs du lot",
    "checks": "vérifications",
    "grade": "grade",
    "outcome": "décision",
    "method": "méthode",
    "result": "résultat",
    "standard": "norme",
    "tool": "outil",
    "certificate_reference": "n° de certificat",
    "components": "pièces récupérées",
    "materials_kg": "matières (kg)",
    "outlet": "filière de recyclage",
    "waste_slip_reference": "n° de bordereau",
    "work_done": "travaux faits",
    "parts_used": "pièces utilisées",
    "operating_system": "système installé",
    "quality_check_passed": "contrôle qualité réussi",
    "hours_of_work": "heures de travail",
    "final_grade": "grade final",
    "beneficiary_code": "code du bénéficiaire",
    "agreement_start": "début de la convention",
    "agreement_end": "fin de la convention",
    "contribution_eur": "participation (€)",
    "contribution_method": "mode de paiement",
    "receipt_number": "n° de reçu",
    "reason": "motif",
    "condition": "état",
    "to_site": "site de destination",
    "occurred_on": "date",
    "changes": "modifications",
    "cancels_version": "étape annulée",
    "corrects_version": "étape corrigée",
    "batch_id": "lot de don",
    "funder": "financeur",
    "starts_on": "début de la période",
    "ends_on": "fin de la période",
    "stages": "étapes payées",
    "sites": "sites",
    "categories": "publics comptés",
}

REASONS: Mapping[str, str] = {
    "required": "il faut le remplir",
    "too_long": "le texte est trop long",
    "unknown_choice": "cette valeur n'est pas dans la liste",
    "not_a_number": "ce n'est pas un nombre",
    "negative": "le nombre ne peut pas être négatif",
    "too_large": "le nombre est trop grand, vérifiez-le",
    "out_of_range": "le nombre n'est pas dans les limites",
    "not_a_date": "ce n'est pas une date (AAAA-MM-JJ)",
    "incomplete": "toutes les vérifications doivent être renseignées",
    "not_after_start": "la fin doit venir après le début",
    "inconsistent_with_method": "0 € seulement si la participation est offerte, et inversement",
    "not_a_pseudonymous_code": "mettez le code du bénéficiaire (ex. BN-7K3P9Q), jamais son nom",
    "same_site": "l'ordinateur est déjà sur ce site",
    "not_a_site_code": "mettez le code du site (ex. ESAT-RANCE)",
    "not_on_loan": "seulement pour un ordinateur confié à un bénéficiaire",
    "not_a_programme_code": "de 2 à 8 lettres ou chiffres (ex. CD35)",
    "too_many": "trop d'ordinateurs dans un seul lot (500 au plus)",
    "malformed": "lettres, chiffres et tirets seulement (3 à 32 caractères)",
    "reserved_format": "cette forme est réservée aux étiquettes données par le système",
    "before_start": "la fin ne peut pas être avant le début",
    "unknown_funder": "ce financeur n'existe pas",
    "unknown_programme": "ce programme n'existe pas",
    "unknown_site": "ce site n'existe pas",
    "site_not_in_programme": "ce site n'est pas dans ce programme",
}


def french_date(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def explain(error: DomainError) -> str:
    """One or two sentences a workshop worker understands; nothing was recorded."""
    d = error.details
    code = error.code
    if code == "transition_refused":
        state = State(str(d["state"]))
        possible = ", ".join(STEP_VERBS[s] for s in allowed_steps(state)) or "aucune"
        return (
            f"Impossible : cet ordinateur est « {STATES[state]} ». On ne peut pas le "
            f"{STEP_VERBS[str(d['step'])]} maintenant. Étapes possibles : {possible}."
        )
    if code == "version_conflict":
        return (
            f"Rien n'a été enregistré : l'ordinateur {d['tag']} a changé pendant que vous le "
            f"regardiez (version {d['seen']} → {d['current']}). Il est maintenant "
            f"« {STATES[str(d['state'])]} ». Regardez sa fiche puis recommencez si besoin."
        )
    if code in ("invalid_value", "invalid_tag"):
        field = FIELDS.get(str(d.get("field", "tag")).split(".")[0], str(d.get("field", "")))
        reason = REASONS.get(str(d["reason"]), str(d["reason"]))
        subject = f"L'étiquette « {d['tag']} »" if code == "invalid_tag" else f"« {field} »"
        return f"{subject} ne convient pas : {reason}."
    template = _SIMPLE.get(code, "Refusé ({code}). Rien n'a été enregistré.")
    values = {k: french_date(v) if isinstance(v, date) else v for k, v in d.items()}
    return template.format(code=code, **values)


_SIMPLE: Mapping[str, str] = {
    "data_wipe_required": "Il faut d'abord effacer les données (ou détruire le disque).",
    "quality_check_not_passed": "Le contrôle qualité doit être réussi avant cette étape.",
    "date_in_future": "La date {occurred_on} est dans le futur : mettez le jour où c'est arrivé.",
    "date_before_previous_step": "La date {occurred_on} est avant l'étape précédente ({previous}).",
    "date_after_next_step": "La date {occurred_on} est après l'étape suivante ({following}).",
    "nothing_to_cancel": "Il n'y a aucune étape à annuler.",
    "not_the_last_step": "Seule la dernière étape (n° {last}) peut être annulée.",
    "correction_refused": "L'étape n° {version} ne peut pas être corrigée ainsi.",
    "unknown_computer": "Aucun ordinateur ne porte l'étiquette « {tag} ».",
    "duplicate_tag": "L'étiquette « {tag} » est déjà sur un autre ordinateur.",
    "command_reused": "Cette demande a déjà servi à autre chose. Repartez de la fiche.",
    "store_busy": "Le système est très occupé. Réessayez dans un instant.",
    "record_exists": "« {key} » existe déjà.",
    "unknown_record": "« {key} » n'existe pas.",
    "stale_edit": "« {key} » a changé entre-temps : rien n'a été enregistré.",
    "no_change": "Rien à changer : c'était déjà comme ça.",
    "self_lockout": "On ne retire pas ses propres droits d'administration.",
}

# Codes stored in events, shown in words.
VALUES: Mapping[str, str] = {
    "laptop": "portable", "desktop": "ordinateur de bureau", "all_in_one": "tout-en-un",
    "mini_pc": "mini-PC", "tablet": "tablette",
    "recondition": "à reconditionner", "dismantle": "à démanteler",
    "ok": "bon", "faulty": "en panne", "absent": "absent",
    "powers_on": "démarrage", "screen": "écran", "keyboard": "clavier", "battery": "batterie",
    "storage": "stockage", "ram": "mémoire", "cpu": "processeur",
    "software_overwrite": "réécriture par logiciel", "cryptographic_erase": "effacement chiffré",
    "firmware_secure_erase": "effacement sécurisé du disque", "drive_destroyed": "disque détruit",
    "no_storage": "pas de disque", "success": "réussi", "failure": "échoué",
    "ferrous": "métaux ferreux", "non_ferrous": "métaux non ferreux", "plastics": "plastiques",
    "circuit_boards": "cartes électroniques", "batteries": "piles et batteries",
    "cables": "câbles", "screens": "écrans", "power_supply": "alimentation", "fan": "ventilateur",
    "other": "autre", "cleaning": "nettoyage", "repair": "réparation",
    "parts_replaced": "pièces changées", "os_installed": "système installé",
    "software_setup": "logiciels installés", "cash": "espèces", "card": "carte bancaire",
    "cheque": "chèque", "transfer": "virement", "waived": "offerte",
    "end_of_agreement": "fin de convention", "breakdown": "panne",
    "no_longer_needed": "n'en a plus besoin", "good": "bon état", "damaged": "abîmé",
    "broken": "ne marche plus", "lost": "perdu", "stolen": "volé",
    "kept_by_beneficiary": "gardé par le bénéficiaire",
    "registered_in_error": "enregistré par erreur",
}  # fmt: skip
