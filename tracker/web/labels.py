"""The words shown for codes (states, roles, kinds): French message ids, translated on display."""

from __future__ import annotations

from tracker.domain.donor import DonorKind
from tracker.domain.funder import FunderKind
from tracker.domain.lifecycle import State
from tracker.domain.site import SiteKind
from tracker.domain.user import Role
from tracker.domain.vocabulary import BeneficiaryCategory, FundedStage
from tracker.web.pages import N_

STATES = {
    State.AWAITING_TRIAGE: N_("À trier"),
    State.TO_RECONDITION: N_("À reconditionner"),
    State.TO_DISMANTLE: N_("À démanteler"),
    State.DISMANTLED: N_("Démantelé"),
    State.READY_TO_LOAN: N_("Prêt à être confié"),
    State.ON_LOAN: N_("Confié à un bénéficiaire"),
    State.WRITTEN_OFF: N_("Sorti du parc"),
}
ROLES = {
    Role.WORKSHOP: N_("Atelier"),
    Role.OFFICER: N_("Agent du département"),
    Role.AUDITOR: N_("Auditeur"),
    Role.ADMIN: N_("Administrateur"),
}
ROLE_HINTS = {
    Role.WORKSHOP: N_("Enregistre les étapes des ordinateurs, seulement sur ses sites."),
    Role.OFFICER: N_("Voit tout, gère les sites, programmes et donateurs, prépare les rapports."),
    Role.AUDITOR: N_("Voit tout, y compris les historiques complets ; ne peut rien modifier."),
    Role.ADMIN: N_("Gère les comptes, les sites, les programmes et les donateurs."),
}
SITE_KINDS = {
    SiteKind.SORTING_WORKSHOP: N_("Atelier de tri (ESAT)"),
    SiteKind.INSERTION_WORKSHOP: N_("Atelier d'insertion (reconditionnement)"),
    SiteKind.THIRD_PLACE: N_("Tiers-lieu (remise aux bénéficiaires)"),
    SiteKind.OTHER: N_("Autre"),
}
DONOR_KINDS = {
    DonorKind.COMPANY: N_("Entreprise"),
    DonorKind.ADMINISTRATION: N_("Administration ou établissement public"),
    DonorKind.LOCAL_AUTHORITY: N_("Collectivité"),
    DonorKind.ASSOCIATION: N_("Association"),
    DonorKind.OTHER: N_("Autre"),
}
FUNDER_KINDS = {
    FunderKind.DEPARTEMENT: N_("Département"),
    FunderKind.FSE_PLUS: N_("FSE+ (Fonds social européen)"),
    FunderKind.FEDER: N_("FEDER (Fonds européen de développement régional)"),
    FunderKind.FOUNDATION: N_("Fondation"),
    FunderKind.STATE_CALL: N_("Appel à projets de l'État"),
    FunderKind.OTHER: N_("Autre"),
}
FUNDED_STAGES = {  # what a funding line pays for, in the order of the chain
    FundedStage.TRIAGED: N_("Tri"),
    FundedStage.DATA_WIPED: N_("Effacement des données"),
    FundedStage.DISMANTLED: N_("Démantèlement"),
    FundedStage.RECONDITIONED: N_("Reconditionnement"),
    FundedStage.LOANED: N_("Remise au bénéficiaire (prêt)"),
    FundedStage.RETURNED: N_("Retour"),
}
BENEFICIARY_CATEGORIES = {
    BeneficiaryCategory.MINIMUM_INCOME: N_("allocataire de minima sociaux (RSA, ASS…)"),
    BeneficiaryCategory.JOBSEEKER: N_("demandeur d'emploi"),
    BeneficiaryCategory.YOUNG_16_25: N_("jeune de 16 à 25 ans"),
    BeneficiaryCategory.SENIOR_60_PLUS: N_("senior de 60 ans et plus"),
    BeneficiaryCategory.DISABILITY: N_("personne en situation de handicap"),
    BeneficiaryCategory.PRIORITY_NEIGHBOURHOOD: N_("habitant d'un quartier prioritaire (QPV)"),
}
STAGES = {
    "donated": N_("Dons reçus"),
    "triaged": N_("Triés"),
    "dismantled": N_("Démantelés"),
    "reconditioned": N_("Reconditionnés"),
    "loaned": N_("Confiés"),
    "returned": N_("Rendus"),
}
STEPS = {  # what each event of a computer is called in lists of activity
    **STAGES,
    "data_wiped": N_("Données effacées"),
    "transferred": N_("Transféré"),
    "written_off": N_("Sorti du parc"),
    "cancelled": N_("Annulation"),
    "corrected": N_("Correction"),
}


def install(globals_: dict[str, object]) -> None:
    """Give the templates the words for codes."""
    globals_.update(
        STATES=STATES,
        STAGE_NAMES=STEPS,
        ROLE_NAMES=ROLES,
        FUNDED_STAGE_NAMES=FUNDED_STAGES,
        CATEGORY_NAMES=BENEFICIARY_CATEGORIES,
    )
