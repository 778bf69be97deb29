"""The beneficiary register of the third places: the list, registering, a person's page, erasure.

Only the staff of a third place (its own register) and administrators reach these pages; the
register itself refuses anyone else (a 403 page). Pages holding personal data are never cached,
and notices, kept in the session table, carry the person's code, never their name.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import CacheControlHeader
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from projections.database import connection
from projections.directory import SiteEntry
from tracker.accounts import Account
from tracker.domain.exceptions import (
    InvalidValueError,
    PersonalDataDeniedError,
    PersonErasedError,
    StaleEditError,
)
from tracker.domain.user import Role
from tracker.erasure import erase
from tracker.register import Person, Register
from tracker.web.access import allow
from tracker.web.beneficiary_forms import (
    ERASURE_REASONS,
    PersonForm,
    back_to_loan,
    category_choices,
    errors_of,
    return_path,
    third_places,
)
from tracker.web.forms import Form, text
from tracker.web.pages import N_, REASONS, account_of, notify, page, refusal, t
from tracker.web.sign_in import services_of

PATH = "/beneficiaires"
STAFF = allow(Role.WORKSHOP, Role.ADMIN)
RESULTS = "beneficiaries-results"  # the id of the search results, swapped as one types
DAYS, DEFAULT_DAYS = (30, 60, 90), 60  # how far ahead the agreements ending are looked for
REGISTERED = N_("La personne est inscrite. Son code : %(code)s.")
SAVED = N_("C'est enregistré.")
ERASED = N_("Les données de la personne %(code)s sont effacées.")
CHOOSE_A_REASON = REASONS["unknown_choice"]
FIX_BELOW = N_("Rien n'a été enregistré. Corrigez ce qui est signalé en rouge, puis validez.")

Req = Request[Any, Any, Any]


class BeneficiaryController(Controller):
    """A third place's register, for its staff and for administrators."""

    path = PATH
    cache_control = CacheControlHeader(no_store=True)

    @get("/", opt=STAFF, sync_to_thread=True)
    def list_beneficiaries(
        self, request: HTMXRequest, site: FromQuery[str] = "", nom: FromQuery[str] = ""
    ) -> Template:
        """The people of one third place, those whose name has the words typed."""
        place, places = _place(request, site)
        people = _register(request).people(_account(request), place, nom) if place else []
        context = {"place": place, "places": places, "people": people, "words": nom}
        if request.htmx and request.htmx.target == RESULTS:  # typed in the search field
            return Template("partials/beneficiaries_results.html",
                            context={**context, "oob": True})  # fmt: skip
        return page(request, "pages/beneficiaries.html", context)

    @get("/nouveau", opt=STAFF, sync_to_thread=True)
    def new_beneficiary(
        self, request: Req, site: FromQuery[str] = "", retour: FromQuery[str] = ""
    ) -> Template:
        """An empty registration form, for this third place."""
        place, _ = _place(request, site)
        return _form(request, PersonForm(third_place=place), back=return_path(retour))

    @post("/nouveau", opt=STAFF, sync_to_thread=True)
    def create_beneficiary(self, request: Req, data: Form) -> Template | Redirect:
        """Register the person, or show the form again with every mistake beside its field."""
        typed, back = PersonForm.sent(data), return_path(text(data, "retour"))
        try:
            if refused := typed.refusals(registering=True):
                return _form(request, typed, back=back, errors=errors_of(request, refused))
            person = _register(request).register(
                _account(request), third_place=typed.third_place, details=typed.details(),
                categories=typed.categories, consent=typed.consent,
            )  # fmt: skip
        except InvalidValueError as error:
            return _form(request, typed, back=back, errors=errors_of(request, [error]))
        notify(request, t(request, REGISTERED, code=person.code))
        target = f"{PATH}/{person.code}" + (f"?retour={quote(back)}" if back else "")
        return Redirect(target, status_code=303)

    @get("/conventions", opt=STAFF, sync_to_thread=True)
    def list_agreements_ending(
        self, request: Req, site: FromQuery[str] = "", jours: FromQuery[str] = ""
    ) -> Template:
        """The agreements of a third place ending soon, and whom to call about each."""
        place, places = _place(request, site)
        days = int(jours) if jours in {str(d) for d in DAYS} else DEFAULT_DAYS
        register = _register(request)
        today = register.today()
        endings = register.ending_soon(_account(request), place, today,
                                       today + timedelta(days=days)) if place else []  # fmt: skip
        # Agreements already over whose computer has not come back: the first people to call.
        overdue = register.ending_soon(_account(request), place, date.min,
                                       today - timedelta(days=1)) if place else []  # fmt: skip
        return page(request, "pages/beneficiaries_endings.html", {
            "place": place, "places": places, "endings": endings, "overdue": overdue,
            "days": days, "choices": DAYS,
        })  # fmt: skip

    @get("/{code:str}", opt=STAFF, sync_to_thread=True)
    def show_beneficiary(
        self, request: Req, code: FromPath[str], retour: FromQuery[str] = ""
    ) -> Template:
        """A person's record and their loans; only the code and dates once they are erased."""
        account, register = _account(request), _register(request)
        person = register.person(account, code)
        back = return_path(retour)
        return page(request, "pages/beneficiary.html", {
            "person": person, "loans": register.loans_of(account, person.code),
            "can_erase": Role.ADMIN in account.roles, "reasons": ERASURE_REASONS,
            "back": back_to_loan(back, person.code) if back and not person.erased else "",
        })  # fmt: skip

    @get("/{code:str}/modifier", opt=STAFF, sync_to_thread=True)
    def edit_beneficiary(self, request: Req, code: FromPath[str]) -> Template:
        """The person's form, filled with their details as they stand."""
        person = _readable(request, code)
        return _form(request, PersonForm.of(person), code=person.code, version=person.version)

    @post("/{code:str}/modifier", opt=STAFF, sync_to_thread=True)
    def update_beneficiary(
        self, request: Req, code: FromPath[str], data: Form
    ) -> Template | Redirect:
        """Change the details, unless someone changed them since the form was opened."""
        person = _readable(request, code)
        typed = PersonForm.sent({**data, "third_place": person.third_place})
        seen = int(text(data, "seen_version")) if text(data, "seen_version").isdigit() else 0
        try:
            if refused := typed.refusals(registering=False):
                errors = errors_of(request, refused)
                return _form(request, typed, code=person.code, version=seen, errors=errors)
            _register(request).update(
                _account(request), person.code, seen_version=seen, details=typed.details(),
                categories=typed.categories,
            )  # fmt: skip
        except InvalidValueError as error:
            errors = errors_of(request, [error])
            return _form(request, typed, code=person.code, version=seen, errors=errors)
        except StaleEditError as error:
            fresh = _readable(request, code)
            return _form(request, PersonForm.of(fresh), code=fresh.code, version=fresh.version,
                         message=refusal(request, error), status=409)  # fmt: skip
        notify(request, t(request, SAVED))
        return Redirect(f"{PATH}/{person.code}", status_code=303)

    @get("/{code:str}/donnees.json", opt=STAFF, sync_to_thread=True)
    def export_beneficiary(self, request: Req, code: FromPath[str]) -> Response[bytes]:
        """Everything held on the person, as a file to hand them (their right of access)."""
        data = _register(request).export(_account(request), code)
        body = json.dumps(data, ensure_ascii=False, indent=2, default=_iso).encode()
        return Response(body, media_type="application/json", headers={
            "Content-Disposition": f'attachment; filename="donnees-{data["code"]}.json"',
        })  # fmt: skip

    @get("/{code:str}/effacer", opt=allow(Role.ADMIN), sync_to_thread=True)
    def confirm_erasure(self, request: Req, code: FromPath[str]) -> Template:
        """What an erasure does, in words, before an administrator confirms it."""
        return _erasure_form(request, _readable(request, code).code)

    @post("/{code:str}/effacer", opt=allow(Role.ADMIN), sync_to_thread=True)
    def erase_beneficiary(
        self, request: Req, code: FromPath[str], data: Form
    ) -> Template | Redirect:
        """Erase the person's name and contact for ever; their code and loans stay."""
        reason = text(data, "reason")
        if reason not in ERASURE_REASONS:
            error = t(request, CHOOSE_A_REASON)
            return _erasure_form(request, _readable(request, code).code, error)
        erased = erase(_register(request), _account(request), code, reason)
        notify(request, t(request, ERASED, code=erased.code))
        return Redirect(f"{PATH}/{erased.code}", status_code=303)


def _account(request: Req) -> Account:
    account = account_of(request)
    if account is None:  # the guard let no one through without an account
        raise PersonalDataDeniedError()
    return account


def _register(request: Req) -> Register:
    return services_of(request).register


def _place(request: Req, wanted: str) -> tuple[str, list[SiteEntry]]:
    """The third place asked for (the register says whether it may be seen), or the first one."""
    account = _account(request)
    with connection(services_of(request).database) as conn:
        places = third_places(conn, account)
    if wanted.strip():
        return wanted.strip().upper(), places
    if not places and Role.ADMIN not in account.roles:
        raise PersonalDataDeniedError()  # a workshop that is no third place keeps no register
    return (places[0].code if places else ""), places


def _readable(request: Req, code: str) -> Person:
    """A person whose details can still be read and changed."""
    person = _register(request).person(_account(request), code)
    if person.erased:
        raise PersonErasedError(code=person.code)
    return person


def _form(
    request: Req, typed: PersonForm, *, code: str = "", version: int = 0, back: str = "",
    errors: dict[str, str] | None = None, message: str = "", status: int = 0,
) -> Template:  # fmt: skip
    with connection(services_of(request).database) as conn:
        places = third_places(conn, account_of(request))
    return page(request, "pages/beneficiary_form.html", {
        "form": typed, "code": code, "version": version, "back": back, "places": places,
        "category_choices": category_choices(request), "errors": errors or {},
        "message": message or (t(request, FIX_BELOW) if errors else ""),
    }, status=status or (422 if errors else 200))  # fmt: skip


def _erasure_form(request: Req, code: str, error: str = "") -> Template:
    return page(request, "pages/beneficiary_erase.html", {
        "code": code, "reasons": ERASURE_REASONS, "error": error,
    }, status=422 if error else 200)  # fmt: skip


def _iso(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(type(value).__name__)
