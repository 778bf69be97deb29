"""Who may use which route: sessions, sign-in state and roles, deny by default.

Every route handler declares `opt=allow(...)` (the roles that may use it) or `opt=PUBLIC`; a
route with neither is refused to everyone, and the route x role test fails until it has a rule.
"""

from __future__ import annotations

import secrets
import time
from typing import Any
from uuid import UUID

import anyio.to_thread
import structlog
from litestar.connection import ASGIConnection
from litestar.exceptions import PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)
from litestar.security.session_auth import SessionAuth
from litestar.types import Empty, Message, ScopeSession

from tracker.accounts import Account
from tracker.domain.user import Role
from tracker.settings import Settings

log = structlog.get_logger(__name__)

PUBLIC: dict[str, Any] = {"public": True}
EVERYONE = frozenset(Role)
READERS = frozenset({Role.OFFICER, Role.AUDITOR, Role.ADMIN})
REFERENCE_EDITORS = frozenset({Role.OFFICER, Role.ADMIN})
HOMES = {  # where each role lands after signing in, in order of precedence
    Role.ADMIN: "/gestion",
    Role.OFFICER: "/suivi",
    Role.AUDITOR: "/audit",
    Role.WORKSHOP: "/atelier",
}


def allow(*roles: Role | frozenset[Role]) -> dict[str, Any]:
    """The `opt` of a route that these roles (and only they) may use."""
    allowed: set[Role] = set()
    for role in roles:
        allowed |= role if isinstance(role, frozenset) else {role}
    return {"roles": frozenset(allowed)}


def home_of(account: Account) -> str:
    """The page a person lands on: the first of their roles in order of precedence."""
    return next((path for role, path in HOMES.items() if role in account.roles), "/compte")


def role_guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """Let through public routes and people holding one of the route's roles; refuse the rest."""
    if handler.opt.get("public") or connection.scope.get("method") == "OPTIONS":
        return  # OPTIONS: Litestar's own handlers, which only list the allowed methods
    roles = handler.opt.get("roles")
    if roles is None:
        log.error("route_without_rule", route=handler.handler_name)
        raise PermissionDeniedException("route_without_rule")
    account = connection.user
    if not isinstance(account, Account) or not account.roles & roles:
        raise PermissionDeniedException("role_required")


class RotatingSessionBackend(ServerSideSessionBackend):
    """Gives a session a new id when someone signs in (no session fixation)."""

    def get_session_id(self, connection: ASGIConnection[Any, Any, Any, Any]) -> str:
        fresh = connection.state.get("new_session_id")
        return str(fresh) if fresh else super().get_session_id(connection)

    async def store_in_message(
        self,
        scope_session: ScopeSession,
        message: Message,
        connection: ASGIConnection[Any, Any, Any, Any],
    ) -> None:
        """Store nothing for visitors who have no session yet and put nothing in one."""
        nothing = scope_session is not Empty and not scope_session
        if nothing and not connection.cookies.get(self.config.key):
            return
        await super().store_in_message(scope_session, message, connection)


class SessionConfig(ServerSideSessionConfig):
    _backend_class = RotatingSessionBackend


def session_cookie(settings: Settings) -> str:
    """The session cookie's name (host-only and Secure over HTTPS)."""
    return "__Host-session" if settings.https else "session"


async def start_session(
    connection: ASGIConnection[Any, Any, Any, Any], account: Account, settings: Settings
) -> None:
    """Sign a person in under a fresh session id (the previous session is forgotten)."""
    previous = connection.cookies.get(session_cookie(settings))
    if previous:
        await connection.app.stores.get("sessions").delete(previous)
    connection.state["new_session_id"] = secrets.token_hex(32)
    connection.set_session({"uid": str(account.id), "since": time.time()})


def session_auth(settings: Settings) -> SessionAuth[Account, ServerSideSessionBackend]:
    """Server-side sessions (shared by every worker through the database store).

    The cookie lives as long as the person is active (idle timeout, renewed on each request);
    a session also ends `session_max_hours` after signing in, whatever happens.
    """
    secure = settings.https
    absolute = settings.session_max_hours * 3600

    async def retrieve_account(
        session: dict[str, Any], connection: ASGIConnection[Any, Any, Any, Any]
    ) -> Account | None:
        uid, since = session.get("uid"), session.get("since")
        if not uid or not isinstance(since, int | float):
            return None
        if time.time() - since > absolute:
            log.info("session_expired", reason="absolute")
            connection.clear_session()
            return None
        services = connection.app.state.services
        account: Account | None = await anyio.to_thread.run_sync(
            services.inventory.account, UUID(uid)
        )
        if account is None or not account.active:
            connection.clear_session()
            return None
        structlog.contextvars.bind_contextvars(user_id=uid)
        return account

    return SessionAuth[Account, ServerSideSessionBackend](
        retrieve_user_handler=retrieve_account,
        session_backend_config=SessionConfig(
            key=session_cookie(settings),
            max_age=settings.session_idle_minutes * 60,
            renew_on_access=True,
            secure=secure,
            httponly=True,
            samesite="lax",
        ),
        exclude_opt_key="public",
    )
