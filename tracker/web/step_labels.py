"""The words of the scan station: steps, events and every code a step form offers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any

from tracker.domain.lifecycle import State, Step
from tracker.domain.vocabulary import (
    Check,
    CheckResult,
    ComponentKind,
    Condition,
    ContributionMethod,
    DeviceType,
    Grade,
    MaterialFraction,
    ReconditioningWork,
    ReturnReason,
    TriageOutcome,
    WipeMethod,
    WipeResult,
    WriteOffReason,
)
from tracker.web.pages import N_

ACTIONS = {  # the big buttons of the card, in the order of the lifecycle
    Step.TRIAGE: N_("Trier"),
    Step.WIPE_DATA: N_("Effacer les données"),
    Step.DISMANTLE: N_("Démanteler"),
    Step.RECONDITION: N_("Reconditionner"),
    Step.LOAN: N_("Prêter à un bénéficiaire"),
    Step.RETURN: N_("Enregistrer un retour"),
    Step.TRANSFER: N_("Envoyer vers un autre site"),
    Step.WRITE_OFF: N_("Sortir du parc"),
}
DONE = {  # the confirmation after a step, with %(tag)s
    Step.TRIAGE: N_("Tri enregistré pour %(tag)s."),
    Step.WIPE_DATA: N_("Effacement des données enregistré pour %(tag)s."),
    Step.DISMANTLE: N_("Démantèlement enregistré pour %(tag)s."),
    Step.RECONDITION: N_("Reconditionnement enregistré pour %(tag)s."),
    Step.LOAN: N_("Prêt enregistré pour %(tag)s."),
    Step.RETURN: N_("Retour enregistré pour %(tag)s."),
    Step.TRANSFER: N_("Envoi vers un autre site enregistré pour %(tag)s."),
    Step.WRITE_OFF: N_("Sortie du parc enregistrée pour %(tag)s."),
}
EVENTS = {  # what each event is called on the card and in histories
    "Donated": N_("Don reçu"),
    "Triaged": N_("Tri"),
    "DataWipeRecorded": N_("Effacement des données"),
    "Dismantled": N_("Démantèlement"),
    "Reconditioned": N_("Reconditionnement"),
    "Loaned": N_("Prêt"),
    "Returned": N_("Retour"),
    "Transferred": N_("Envoi vers un autre site"),
    "WrittenOff": N_("Sortie du parc"),
    "StepCancelled": N_("Annulation"),
    "DetailsCorrected": N_("Correction"),
}
STATE_HINTS = {  # what comes next, in one plain sentence
    State.AWAITING_TRIAGE: N_("Il attend d'être vérifié à l'atelier de tri."),
    State.TO_RECONDITION: N_("Il attend d'être remis en état."),
    State.TO_DISMANTLE: N_("Il attend d'être démonté pour le recyclage."),
    State.DISMANTLED: N_("Il a été démonté. Son parcours est terminé."),
    State.READY_TO_LOAN: N_("Il est prêt. Il attend d'être prêté à un bénéficiaire."),
    State.ON_LOAN: N_("Un bénéficiaire l'utilise."),
    State.WRITTEN_OFF: N_("Il est sorti du parc. Son parcours est terminé."),
}
VALUES: dict[str, str] = {
    DeviceType.LAPTOP: N_("Portable"), DeviceType.DESKTOP: N_("Ordinateur de bureau"),
    DeviceType.ALL_IN_ONE: N_("Tout-en-un"), DeviceType.MINI_PC: N_("Mini-PC"),
    DeviceType.TABLET: N_("Tablette"),
    Check.POWERS_ON: N_("Démarrage"), Check.SCREEN: N_("Écran"), Check.KEYBOARD: N_("Clavier"),
    Check.BATTERY: N_("Batterie"), Check.STORAGE: N_("Disque"), Check.RAM: N_("Mémoire"),
    Check.CPU: N_("Processeur"),
    CheckResult.OK: N_("Bon"), CheckResult.FAULTY: N_("En panne"), CheckResult.ABSENT: N_("Absent"),
    TriageOutcome.RECONDITION: N_("À reconditionner"),
    TriageOutcome.DISMANTLE: N_("À démanteler"),
    WipeMethod.SOFTWARE_OVERWRITE: N_("Réécriture par logiciel"),
    WipeMethod.CRYPTOGRAPHIC_ERASE: N_("Effacement cryptographique"),
    WipeMethod.FIRMWARE_SECURE_ERASE: N_("Effacement sécurisé du disque"),
    WipeMethod.DRIVE_DESTROYED: N_("Disque détruit"),
    WipeMethod.NO_STORAGE: N_("Pas de disque"),
    WipeResult.SUCCESS: N_("Réussi"), WipeResult.FAILURE: N_("Échoué"),
    MaterialFraction.FERROUS: N_("Métaux ferreux"),
    MaterialFraction.NON_FERROUS: N_("Métaux non ferreux"),
    MaterialFraction.PLASTICS: N_("Plastiques"),
    MaterialFraction.CIRCUIT_BOARDS: N_("Cartes électroniques"),
    MaterialFraction.BATTERIES: N_("Piles et batteries"),
    MaterialFraction.CABLES: N_("Câbles"), MaterialFraction.SCREENS: N_("Écrans"),
    ComponentKind.POWER_SUPPLY: N_("Alimentation"), ComponentKind.FAN: N_("Ventilateur"),
    ComponentKind.OTHER: N_("Autre"),
    ReconditioningWork.CLEANING: N_("Nettoyage"), ReconditioningWork.REPAIR: N_("Réparation"),
    ReconditioningWork.PARTS_REPLACED: N_("Pièces changées"),
    ReconditioningWork.OS_INSTALLED: N_("Système installé"),
    ReconditioningWork.SOFTWARE_SETUP: N_("Logiciels installés"),
    ContributionMethod.CASH: N_("Espèces"), ContributionMethod.CARD: N_("Carte bancaire"),
    ContributionMethod.CHEQUE: N_("Chèque"), ContributionMethod.TRANSFER: N_("Virement"),
    ContributionMethod.WAIVED: N_("Offerte (0 €)"),
    ReturnReason.END_OF_AGREEMENT: N_("Fin de la convention"),
    ReturnReason.BREAKDOWN: N_("Panne"),
    ReturnReason.NO_LONGER_NEEDED: N_("La personne n'en a plus besoin"),
    Condition.GOOD: N_("Bon état"), Condition.DAMAGED: N_("Abîmé"),
    Condition.BROKEN: N_("Ne marche plus"),
    WriteOffReason.LOST: N_("Perdu"), WriteOffReason.STOLEN: N_("Volé"),
    WriteOffReason.KEPT_BY_BENEFICIARY: N_("Gardé par le bénéficiaire"),
    WriteOffReason.REGISTERED_IN_ERROR: N_("Enregistré par erreur"),
}  # fmt: skip
# Some codes mean different things in different lists: the component names win there.
COMPONENTS = {
    ComponentKind.RAM: N_("Barrette de mémoire"),
    ComponentKind.STORAGE: N_("Disque"),
    ComponentKind.BATTERY: N_("Batterie"),
    ComponentKind.POWER_SUPPLY: N_("Alimentation"),
    ComponentKind.SCREEN: N_("Écran"),
    ComponentKind.KEYBOARD: N_("Clavier"),
    ComponentKind.CPU: N_("Processeur"),
    ComponentKind.FAN: N_("Ventilateur"),
    ComponentKind.OTHER: N_("Autre pièce"),
}
GRADES = {
    Grade.A: N_("A : comme neuf"),
    Grade.B: N_("B : traces d'usage"),
    Grade.C: N_("C : marche, avec des défauts"),
    Grade.D: N_("D : pas réutilisable tel quel"),
}


def _pairs(codes: Iterable[StrEnum], words: Mapping[Any, str] = VALUES) -> list[tuple[str, str]]:
    return [(str(code), words[code]) for code in codes]


OPTIONS = {  # what each list of a step form offers: (code, French words) pairs
    "device_type": _pairs(DeviceType),
    "check_results": _pairs(CheckResult),
    "grades": _pairs(Grade, GRADES),
    "outcomes": _pairs(TriageOutcome),
    "wipe_methods": _pairs(WipeMethod),
    "wipe_results": _pairs(WipeResult),
    "work": _pairs(ReconditioningWork),
    "contribution_methods": _pairs(ContributionMethod),
    "return_reasons": _pairs(ReturnReason),
    "conditions": _pairs(Condition),
    "write_off_reasons": _pairs(WriteOffReason),
}


def install(globals_: dict[str, object]) -> None:
    """Give the templates the words of the scan station and the lists the forms offer."""
    globals_.update(
        ACTIONS=ACTIONS, EVENTS=EVENTS, STATE_HINTS=STATE_HINTS, VALUES=VALUES, GRADES=GRADES,
        COMPONENT_NAMES=COMPONENTS, OPTIONS=OPTIONS, CHECKS=_pairs(Check),
        FRACTIONS=_pairs(MaterialFraction), COMPONENT_KINDS=_pairs(ComponentKind, COMPONENTS),
    )  # fmt: skip
