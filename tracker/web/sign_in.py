"""Signing in and out, choosing the language, and the health check of the server."""

from __future__ import annotations

import asyncio
from typing import Any

import anyio.to_thread
import structlog
from litestar import Controller, Request, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Response, Template

from tracker.web.access import PUBLIC, home_of, start_session
from tracker.web.forms import Form, safe_path, text
from tracker.web.i18n import LANGUAGE_COOKIE, LANGUAGES
from tracker.web.pages import N_, page, t
from tracker.web.services import Services

log = structlog.get_logger(__name__)
SLOW_DOWN = 0.4  # seconds added per recent failure, before answering a wrong password
WRONG = N_("Nom d'utilisateur ou mot de passe incorrect. Vérifiez et réessayez.")
TOO_MANY = N_("Trop d'essais manqués. Attendez %(minutes)s minute(s) avant de réessayer, ou "
              "demandez à un administrateur de vérifier votre compte.")  # fmt: skip


def services_of(request: Request[Any, Any, Any]) -> Services:
    services: Services = request.app.state.services
    return services


class SignInController(Controller):
    """The sign-in page and the actions anyone may take without being signed in."""

    @get("/connexion", opt=PUBLIC)
    async def show_sign_in(
        self, request: Request[Any, Any, Any], suite: FromQuery[str] = ""
    ) -> Template:
        signed_out = request.query_params.get("au-revoir") == "1"
        context = {"next": safe_path(suite, ""), "signed_out": signed_out}
        return page(request, "pages/sign_in.html", context)

    @post("/connexion", opt=PUBLIC)
    async def sign_in(self, request: Request[Any, Any, Any], data: Form) -> Template | Redirect:
        services = services_of(request)
        name, password = text(data, "username").strip().lower(), text(data, "password")
        throttle = services.throttle
        client = request.client.host if request.client else "unknown"
        subjects = [throttle.subject("user", name), throttle.subject("address", client)]
        wait = await anyio.to_thread.run_sync(throttle.wait_needed, subjects)
        if wait > 0:
            log.warning("sign_in_throttled", subjects=subjects, wait_s=round(wait))
            message = t(request, TOO_MANY, minutes=max(1, round(wait / 60)))
            return self._again(request, name, data, message, 429)
        account = await anyio.to_thread.run_sync(services.inventory.authenticate, name, password)
        if account is None:
            failures = await anyio.to_thread.run_sync(throttle.failed, subjects)
            log.warning("sign_in_failed", subjects=subjects, failures=failures)
            await asyncio.sleep(SLOW_DOWN * min(failures, 10))
            return self._again(request, name, data, t(request, WRONG), 400)
        await anyio.to_thread.run_sync(throttle.succeeded, subjects[0])
        await start_session(request, account, services.settings)
        log.info("signed_in", user_id=str(account.id))
        return Redirect(safe_path(text(data, "next"), home_of(account)), status_code=303)

    def _again(
        self, request: Request[Any, Any, Any], name: str, data: Form, error: str, status: int
    ) -> Template:
        context = {"username": name, "next": safe_path(text(data, "next"), ""), "error": error}
        return page(request, "pages/sign_in.html", context, status=status)

    @post("/deconnexion", opt=PUBLIC)
    async def sign_out(self, request: Request[Any, Any, Any]) -> Redirect:
        if request.scope.get("session"):
            log.info("signed_out")
        request.clear_session()
        return Redirect("/connexion?au-revoir=1", status_code=303)

    @post("/langue", opt=PUBLIC)
    async def switch_language(self, request: Request[Any, Any, Any], data: Form) -> Redirect:
        language = text(data, "language")
        target = safe_path(text(data, "back"))
        response = Redirect(target, status_code=303)
        if language in LANGUAGES:
            response.set_cookie(
                LANGUAGE_COOKIE,
                language,
                max_age=365 * 24 * 3600,
                httponly=True,
                samesite="lax",
                secure=services_of(request).settings.https,
            )
        return response

    @get("/sante", opt=PUBLIC, include_in_schema=False)
    async def check_health(self) -> Response[str]:
        return Response("ok", media_type="text/plain")
