"""Rendering pages and fragments the same way everywhere: who is signed in, notices, errors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar import Request
from litestar.response import Template

from tracker.accounts import Account
from tracker.domain.exceptions import DomainError, InvalidValueError
from tracker.web.i18n import LANGUAGE_COOKIE, language_of, translate


def N_(message: str) -> str:  # noqa: N802 (the gettext convention for "mark, translate later")
    """Mark a message for the catalogs without translating it yet."""
    return message


REASONS = {
    "required": N_("Ce champ est obligatoire."),
    "too_long": N_("C'est trop long."),
    "too_short": N_("C'est trop court : au moins 10 caractères."),
    "too_small": N_("Le nombre doit être au moins 1."),
    "too_large": N_("Le nombre est trop grand."),
    "not_a_number": N_("Écrivez un nombre entier, par exemple 500."),
    "unknown_choice": N_("Choisissez une des possibilités proposées."),
    "not_a_site_code": N_(
        "Lettres majuscules, chiffres et tirets seulement, par exemple TL-REDON."
    ),
    "not_a_programme_code": N_("2 à 8 lettres majuscules ou chiffres, par exemple CD35."),
    "not_a_username": N_(
        "3 à 32 caractères : lettres minuscules sans accent, chiffres, point, tiret."
    ),
    "same_as_username": N_("Le mot de passe ne peut pas être le nom d'utilisateur."),
    "unknown_programme": N_("Ce programme n'existe pas : créez-le d'abord dans Programmes."),
    "not_for_this_role": N_("Seul le rôle atelier est lié à des sites."),
    "passwords_differ": N_("Les deux mots de passe ne sont pas les mêmes."),
    "wrong_password": N_("Ce n'est pas votre mot de passe actuel."),
    "not_a_date": N_("Ce n'est pas une date. Exemple : 21/11/2026."),
    "before_start": N_("La fin ne peut pas être avant le début."),
    "unknown_funder": N_("Ce financeur n'existe pas : créez-le d'abord dans Financeurs."),
    "unknown_site": N_("Ce site n'existe pas : créez-le d'abord dans Sites."),
    "site_not_in_programme": N_("Choisissez seulement des sites du programme de la ligne."),
    "not_a_phone": N_("Ce n'est pas un numéro de téléphone. Exemple : 06 12 34 56 78."),
    "not_an_email": N_("Ce n'est pas une adresse de courriel. Exemple : prenom.nom@exemple.fr."),
    "no_contact": N_(
        "Donnez au moins un moyen de joindre la personne : téléphone, courriel ou adresse."
    ),
    "consent_required": N_("Sans l'accord de la personne, on ne peut pas l'inscrire."),
    "not_a_third_place": N_(
        "Choisissez un tiers-lieu : seuls les tiers-lieux tiennent un registre."
    ),
}
REFUSALS = {
    "record_exists": N_("Ce code (ou ce nom) est déjà utilisé. Choisissez-en un autre."),
    "unknown_record": N_("Cette fiche n'existe pas."),
    "stale_edit": N_("Quelqu'un d'autre a modifié cette fiche pendant que vous la regardiez. Rien "
                     "n'a été enregistré : voici la fiche à jour, refaites votre modification."),
    "no_change": N_("Rien à changer : c'était déjà comme ça."),
    "self_lockout": N_("Vous ne pouvez pas retirer vos propres droits d'administration ni "
                       "désactiver votre propre compte. Demandez à un autre administrateur."),
}  # fmt: skip


def language(request: Request[Any, Any, Any]) -> str:
    """The language of the person asking (also on pages no route answered, like a 404)."""
    chosen = request.state.get("language") or request.cookies.get(LANGUAGE_COOKIE)
    return language_of(chosen)


def t(request: Request[Any, Any, Any], message: str, **values: Any) -> str:
    """A message in the language of the person asking."""
    return translate(language(request), message, **values)


def account_of(request: Request[Any, Any, Any]) -> Account | None:
    """The signed-in person, or None on public pages."""
    user = request.scope.get("user")
    return user if isinstance(user, Account) else None


def notify(request: Request[Any, Any, Any], message: str) -> None:
    """A confirmation shown once, on the next page (after a redirect)."""
    session = dict(request.session) if request.scope.get("session") else {}
    session["notice"] = message
    request.set_session(session)


def field_errors(request: Request[Any, Any, Any], error: InvalidValueError) -> dict[str, str]:
    """An inline message for the field a refusal names."""
    return {error.field: t(request, REASONS.get(error.reason, N_("Valeur refusée.")))}


def refusal(request: Request[Any, Any, Any], error: DomainError) -> str:
    """A sentence explaining why nothing was recorded."""
    return t(request, REFUSALS.get(error.code, N_("Cette action n'est pas possible.")))


def page(
    request: Request[Any, Any, Any],
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status: int = 200,
) -> Template:
    """A full page, with the signed-in person and the notice left by the previous request."""
    notice = None
    if request.scope.get("session") and "notice" in request.session:
        session = dict(request.session)
        notice = session.pop("notice")
        request.set_session(session)
    full = {"account": account_of(request), "notice": notice, **(context or {})}
    return Template(template_name=template, context=full, status_code=status)
