"""A person's own account page: who they are, their roles, and changing their password."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from tracker import passwords
from tracker.domain.exceptions import InvalidValueError
from tracker.domain.user import User
from tracker.web.access import EVERYONE, allow
from tracker.web.forms import Form, new_password, text
from tracker.web.labels import ROLES
from tracker.web.pages import N_, account_of, field_errors, notify, page, t
from tracker.web.sign_in import services_of

CHANGED = N_("Votre mot de passe est changé.")


class AccountController(Controller):
    """What every signed-in person can do with their own account."""

    path = "/compte"

    @get("/", opt=allow(EVERYONE))
    async def show_account(self, request: Request[Any, Any, Any]) -> Template:
        return page(request, "pages/account.html", {"roles": ROLES, "errors": {}})

    @post("/mot-de-passe", opt=allow(EVERYONE), sync_to_thread=True)
    def change_password(self, request: Request[Any, Any, Any], data: Form) -> Template | Redirect:
        account = account_of(request)
        assert account is not None  # noqa: S101 (the route requires a signed-in person)
        services = services_of(request)
        try:
            _check_current(services.inventory.user(account.username), text(data, "current"))
            saved = services.inventory.set_password(account.username, new_password(data),
                                                    actor=account.username)  # fmt: skip
        except InvalidValueError as error:
            context = {"roles": ROLES, "errors": field_errors(request, error)}
            return page(request, "pages/account.html", context, status=400)
        services.after_write(saved.position)
        notify(request, t(request, CHANGED))
        return Redirect("/compte", status_code=303)


def _check_current(user: User, password: str) -> None:
    if not passwords.matches(user.password_hash, password):
        raise InvalidValueError(field="current", reason="wrong_password")
