"""Errors shown as pages (or, for htmx requests, as a notice) that a person understands."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import structlog
from litestar import MediaType, Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
)
from litestar.plugins.htmx import ClientRedirect
from litestar.response import Redirect, Template
from litestar.types import ExceptionHandlersMap

from tracker.domain.exceptions import (
    DomainError,
    InvalidTagError,
    PersonalDataDeniedError,
    PersonErasedError,
    StaleEditError,
    UnknownComputerError,
    UnknownRecordError,
)
from tracker.web.pages import N_, account_of, language, refusal, t
from tracker.web.request_log import loggable_path

log = structlog.get_logger(__name__)

TITLES = {
    400: N_("La demande n'a pas pu être lue"),
    403: N_("Accès refusé"),
    404: N_("Page introuvable"),
    405: N_("Action impossible ici"),
    409: N_("La fiche a changé entre-temps"),
    410: N_("Personne effacée"),
    429: N_("Trop de demandes"),
    500: N_("Une erreur est survenue"),
}
EXPLANATIONS = {
    400: N_("Ce qui a été envoyé n'était pas complet. Revenez en arrière et réessayez."),
    403: N_("Votre compte ne permet pas d'ouvrir cette page. Si vous pensez en avoir besoin, "
            "demandez-le à un administrateur."),
    404: N_("Cette page n'existe pas ou n'existe plus. Vérifiez l'adresse, ou repartez de "
            "l'accueil."),
    405: N_("Cette action n'est pas possible sur cette page."),
    409: N_("Rien n'a été enregistré. Rechargez la page pour voir la version à jour."),
    429: N_("Attendez un peu avant de recommencer."),
    500: N_("Rien n'a été perdu de ce qui était déjà enregistré. Réessayez dans un moment ; si "
            "cela recommence, donnez ce numéro à la personne qui s'occupe de l'outil."),
}  # fmt: skip
PERSONAL_DATA_DENIED = N_("Les coordonnées d'une personne sont réservées à l'équipe du tiers-lieu "
                          "où elle est inscrite, et aux administrateurs.")  # fmt: skip
PERSON_ERASED = N_("Cette personne a été effacée du registre : ses données ne peuvent plus être "
                   "lues.")  # fmt: skip
CSRF_EXPLANATION = N_("La page était restée ouverte trop longtemps ou a été ouverte ailleurs. "
                      "Rien n'a été enregistré : rechargez la page, puis recommencez.")  # fmt: skip


def _is_htmx(request: Request[Any, Any, Any]) -> bool:
    return request.headers.get("hx-request") == "true"


def error_response(
    request: Request[Any, Any, Any], status: int, explanation: str | None = None
) -> Response[Any]:
    """The error page, or for htmx a notice fragment swapped into the page's notice area."""
    request.state.language = language(request)
    context = {
        "status": status,
        "title": t(request, TITLES.get(status, TITLES[500])),
        "explanation": explanation or t(request, EXPLANATIONS.get(status, EXPLANATIONS[500])),
        "request_id": request.state.get("request_id", ""),
        "account": account_of(request),
        "notice": None,
    }
    if _is_htmx(request):
        return Template(
            template_name="partials/error.html",
            context=context,
            status_code=status,
            headers={"HX-Retarget": "#notices", "HX-Reswap": "innerHTML"},
        )
    return Template(template_name="pages/error.html", context=context, status_code=status)


def _not_signed_in(request: Request[Any, Any, Any], _: Exception) -> Response[Any]:
    target = "/connexion"
    if request.method == "GET" and request.url.path not in ("/", "/connexion"):
        target += "?suite=" + quote(request.url.path)
    if _is_htmx(request):
        return ClientRedirect(target)
    return Redirect(target, status_code=303)


def _forbidden(request: Request[Any, Any, Any], error: PermissionDeniedException) -> Response[Any]:
    if "CSRF" in str(error.detail):
        log.warning("csrf_refused", path=loggable_path(request.url.path))
        return error_response(request, 403, t(request, CSRF_EXPLANATION))
    log.info("access_refused", path=loggable_path(request.url.path))
    return error_response(request, 403)


def _http_error(request: Request[Any, Any, Any], error: HTTPException) -> Response[Any]:
    return error_response(request, error.status_code)


def _domain_refusal(request: Request[Any, Any, Any], error: DomainError) -> Response[Any]:
    if isinstance(error, UnknownRecordError | UnknownComputerError | InvalidTagError):
        return error_response(request, 404)
    status = 409 if isinstance(error, StaleEditError) else 400
    return error_response(request, status, refusal(request, error))


def _personal_data_denied(
    request: Request[Any, Any, Any], _: PersonalDataDeniedError
) -> Response[Any]:
    log.info("access_refused", path=loggable_path(request.url.path), reason="personal_data")
    return error_response(request, 403, t(request, PERSONAL_DATA_DENIED))


def _person_erased(request: Request[Any, Any, Any], _: PersonErasedError) -> Response[Any]:
    return error_response(request, 410, t(request, PERSON_ERASED))


def _crash(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    log.exception("request_failed", error_type=type(error).__name__)
    try:
        return error_response(request, 500)
    except Exception:  # the templates themselves failed: answer in plain text
        log.exception("error_page_failed")
        return Response("Erreur interne / Internal error", status_code=500,
                        media_type=MediaType.TEXT)  # fmt: skip


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    NotAuthorizedException: _not_signed_in,
    PermissionDeniedException: _forbidden,
    NotFoundException: _http_error,
    HTTPException: _http_error,
    PersonalDataDeniedError: _personal_data_denied,
    PersonErasedError: _person_erased,
    DomainError: _domain_refusal,
    Exception: _crash,
}
