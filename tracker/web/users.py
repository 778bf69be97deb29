"""Accounts: administrators create them, set roles and sites, reset passwords, deactivate.

Auditors may read the list and each account's history of access changes, and change nothing.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from projections import directory
from projections.database import connection
from tracker.domain.exceptions import DomainError, InvalidValueError, StaleEditError
from tracker.domain.user import Role, User
from tracker.web.access import allow
from tracker.web.forms import Form, new_password, text, values
from tracker.web.labels import ROLE_HINTS, ROLES
from tracker.web.pages import N_, account_of, field_errors, notify, page, refusal, t
from tracker.web.sign_in import services_of

PATH = "/gestion/utilisateurs"
CREATED = N_("Le compte %(username)s est créé. Donnez-lui son mot de passe de vive voix.")
SAVED = N_("C'est enregistré.")
HISTORY = {
    "Registered": N_("Compte créé"),
    "RoleGranted": N_("Rôle donné"),
    "RoleRevoked": N_("Rôle retiré"),
    "PasswordChanged": N_("Mot de passe changé"),
    "Deactivated": N_("Compte désactivé"),
    "Reactivated": N_("Compte réactivé"),
}


def _roles_of(data: Form) -> dict[Role, list[str]]:
    chosen = {Role(r) for r in values(data, "roles") if r in {role.value for role in Role}}
    return {role: (values(data, "sites") if role is Role.WORKSHOP else []) for role in chosen}


def _actor(request: Request[Any, Any, Any]) -> str:
    account = account_of(request)
    return account.username if account else ""


class UserController(Controller):
    """The accounts of the people who use the tracker."""

    path = PATH

    @get("/", opt=allow(Role.ADMIN, Role.AUDITOR), sync_to_thread=True)
    def list_users(self, request: Request[Any, Any, Any]) -> Template:
        with connection(services_of(request).database) as conn:
            users = directory.users(conn)
        can_edit = Role.ADMIN in getattr(account_of(request), "roles", ())
        return page(request, "pages/users.html",
                    {"users": users, "roles": ROLES, "can_edit": can_edit})  # fmt: skip

    @get("/nouveau", opt=allow(Role.ADMIN), sync_to_thread=True)
    def new_user(self, request: Request[Any, Any, Any]) -> Template:
        return self._form(request, {}, {})

    @post("/", opt=allow(Role.ADMIN), sync_to_thread=True)
    def create_user(self, request: Request[Any, Any, Any], data: Form) -> Template | Redirect:
        services = services_of(request)
        try:
            saved = services.inventory.register_user(
                name=text(data, "username"), display_name=text(data, "display_name"),
                password=new_password(data), roles=_roles_of(data), actor=_actor(request),
            )  # fmt: skip
        except InvalidValueError as error:
            return self._form(request, data, field_errors(request, error), status=400)
        except DomainError as error:
            return self._form(request, data, {}, refusal(request, error), status=409)
        services.after_write(saved.position)
        notify(request, t(request, CREATED, username=saved.key))
        return Redirect(f"{PATH}/{saved.key}", status_code=303)

    @get("/{username:str}", opt=allow(Role.ADMIN, Role.AUDITOR), sync_to_thread=True)
    def show_user(self, request: Request[Any, Any, Any], username: FromPath[str]) -> Template:
        return self._user_page(request, username)

    @post("/{username:str}/roles", opt=allow(Role.ADMIN), sync_to_thread=True)
    def update_roles(
        self, request: Request[Any, Any, Any], username: FromPath[str], data: Form
    ) -> Template | Redirect:
        return self._change(request, username, data, lambda inv, seen: inv.set_roles(
            username, _roles_of(data), actor=_actor(request), seen_version=seen))  # fmt: skip

    @post("/{username:str}/activation", opt=allow(Role.ADMIN), sync_to_thread=True)
    def update_activation(
        self, request: Request[Any, Any, Any], username: FromPath[str], data: Form
    ) -> Template | Redirect:
        active = text(data, "active") == "1"
        return self._change(request, username, data, lambda inv, seen: inv.set_active(
            username, active, actor=_actor(request), seen_version=seen))  # fmt: skip

    @post("/{username:str}/mot-de-passe", opt=allow(Role.ADMIN), sync_to_thread=True)
    def reset_password(
        self, request: Request[Any, Any, Any], username: FromPath[str], data: Form
    ) -> Template | Redirect:
        def change(inventory: Any, _seen: int) -> Any:
            return inventory.set_password(username, new_password(data), actor=_actor(request))

        return self._change(request, username, data, change)

    # -- helpers --------------------------------------------------------------------------

    def _change(
        self, request: Request[Any, Any, Any], username: str, data: Form, action: Any
    ) -> Template | Redirect:
        services = services_of(request)
        try:
            saved = action(services.inventory, int(text(data, "version") or 0))
        except InvalidValueError as error:
            return self._user_page(request, username, field_errors(request, error), status=400)
        except StaleEditError as error:
            return self._user_page(request, username, message=refusal(request, error), status=409)
        except DomainError as error:
            return self._user_page(request, username, message=refusal(request, error), status=409)
        services.after_write(saved.position)
        notify(request, t(request, SAVED))
        return Redirect(f"{PATH}/{saved.key}", status_code=303)

    def _form(
        self, request: Request[Any, Any, Any], data: dict[str, Any], errors: dict[str, str],
        message: str = "", status: int = 200,
    ) -> Template:  # fmt: skip
        with connection(services_of(request).database) as conn:
            sites = directory.sites(conn, only_active=True)
        chosen = {"roles": values(data, "roles") if data else [],
                  "sites": values(data, "sites") if data else []}  # fmt: skip
        return page(request, "pages/user_new.html", {
            "values": {k: text(data, k) for k in ("username", "display_name")}, "chosen": chosen,
            "errors": errors, "message": message, "sites": sites, "roles": ROLES,
            "role_hints": ROLE_HINTS,
        }, status=status)  # fmt: skip

    def _user_page(
        self, request: Request[Any, Any, Any], username: str,
        errors: dict[str, str] | None = None, message: str = "", status: int = 200,
    ) -> Template:  # fmt: skip
        services = services_of(request)
        user = services.inventory.user(username)
        events = services.inventory.repository.event_store.get(user.id)
        history = [_history_line(event) for event in events]
        with connection(services.database) as conn:
            sites = directory.sites(conn)
        account = account_of(request)
        return page(request, "pages/user.html", {
            "user": user, "history": history, "sites": sites, "roles": ROLES,
            "role_hints": ROLE_HINTS, "errors": errors or {}, "message": message,
            "can_edit": account is not None and Role.ADMIN in account.roles,
        }, status=status)  # fmt: skip


def _history_line(event: Any) -> dict[str, Any]:
    """One access change, for auditors: what, when, by whom (never the password hash)."""
    kind = type(event).__name__
    detail = ""
    if isinstance(event, User.RoleGranted | User.RoleRevoked):
        detail = event.role
    return {"what": HISTORY.get(kind, kind), "role": detail,
            "sites": getattr(event, "sites", []), "when": event.timestamp,
            "by": getattr(event, "actor", "")}  # fmt: skip
