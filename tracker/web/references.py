"""Sites, programmes and donors: lists for everyone who reads, forms for those who manage them.

The resources share one list page and one form page; each declares its fields (funders, in
tracker.web.funders, reuse them too).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from projections import directory
from projections.database import Connection, connection
from tracker.accounts import Saved
from tracker.application import Inventory
from tracker.domain.exceptions import DomainError, InvalidValueError, StaleEditError
from tracker.web.access import READERS, REFERENCE_EDITORS, allow
from tracker.web.forms import Form, text
from tracker.web.labels import DONOR_KINDS, FUNDER_KINDS, SITE_KINDS
from tracker.web.pages import N_, account_of, field_errors, notify, page, refusal, t
from tracker.web.sign_in import services_of

SAVED = N_("C'est enregistré.")


@dataclass(frozen=True)
class Field:
    """One field of a reference form."""

    name: str
    label: str
    kind: str = "text"  # text, number, select
    hint: str = ""
    required: bool = False
    choices: Sequence[tuple[str, str]] = ()  # (value, French label) for a select


@dataclass(frozen=True)
class Resource:
    """How one kind of reference record is listed, shown in a form and saved."""

    kind: str
    path: str
    title: str
    new_title: str
    columns: Sequence[tuple[str, str]]
    fields: Callable[[Connection], list[Field]]
    rows: Callable[[Connection], Sequence[Any]]
    current: Callable[[Inventory, str], tuple[dict[str, Any], int]]
    register: Callable[..., Saved]
    change: Callable[..., Saved]
    names: Sequence[str] = ("code", "name", "kind", "town")
    numbers: Sequence[str] = field(default_factory=tuple)
    list_template: str = "pages/records.html"
    form_template: str = "pages/record_form.html"
    related: Callable[[Connection, str], Mapping[str, Any]] = lambda _conn, _code: {}


def _programme_choices(conn: Connection) -> list[tuple[str, str]]:
    return [(p.code, f"{p.code} — {p.name}") for p in directory.programmes(conn)]


def code_field(hint: str) -> Field:
    return Field("code", N_("Code"), hint=hint, required=True)


SITES = Resource(
    kind="site", path="/gestion/sites", title=N_("Sites"), new_title=N_("Nouveau site"),
    columns=(("code", N_("Code")), ("name", N_("Nom")), ("kind", N_("Rôle")),
             ("town", N_("Commune")), ("programme", N_("Programme"))),
    fields=lambda conn: [
        code_field(N_("Court, en majuscules, par exemple TL-REDON. Il est enregistré avec chaque "
                      "étape et ne change plus.")),
        Field("name", N_("Nom"), required=True),
        Field("kind", N_("Rôle dans la chaîne"), "select", choices=list(SITE_KINDS.items())),
        Field("town", N_("Commune")),
        Field("programme", N_("Programme"), "select", choices=_programme_choices(conn)),
    ],
    rows=directory.sites,
    current=lambda inv, code: (vars(inv.site(code)), inv.site(code).version),
    register=Inventory.register_site, change=Inventory.change_site,
    names=("code", "name", "kind", "town", "programme"),
)  # fmt: skip
PROGRAMMES = Resource(
    kind="programme", path="/gestion/programmes", title=N_("Programmes"),
    new_title=N_("Nouveau programme"),
    columns=(("code", N_("Code")), ("name", N_("Nom")), ("territory", N_("Territoire")),
             ("yearly_target", N_("Objectif par an"))),
    fields=lambda conn: [
        code_field(N_("2 à 8 lettres ou chiffres, par exemple CD35. Il commence chaque "
                      "étiquette.")),
        Field("name", N_("Nom"), required=True),
        Field("territory", N_("Territoire"), required=True),
        Field("yearly_target", N_("Objectif : ordinateurs remis par an"), "number",
              hint=N_("500 par défaut."), required=True),
    ],
    rows=directory.programmes,
    current=lambda inv, code: (vars(inv.programme(code)), inv.programme(code).version),
    register=Inventory.register_programme, change=Inventory.change_programme,
    names=("code", "name", "territory", "yearly_target"), numbers=("yearly_target",),
)  # fmt: skip
DONORS = Resource(
    kind="donor", path="/gestion/donateurs", title=N_("Donateurs"),
    new_title=N_("Nouveau donateur"),
    columns=(("code", N_("Code")), ("name", N_("Nom")), ("kind", N_("Type")),
             ("town", N_("Commune"))),
    fields=lambda conn: [
        code_field(N_("Court, en majuscules, par exemple RENNES-METROPOLE.")),
        Field("name", N_("Nom"), required=True),
        Field("kind", N_("Type"), "select", choices=list(DONOR_KINDS.items())),
        Field("town", N_("Commune")),
    ],
    rows=directory.donors,
    current=lambda inv, code: (vars(inv.donor(code)), inv.donor(code).version),
    register=Inventory.register_donor, change=Inventory.change_donor,
)  # fmt: skip


def _parsed(resource: Resource, data: Form) -> dict[str, Any]:
    values: dict[str, Any] = {name: text(data, name) for name in resource.names}
    for number in resource.numbers:
        raw = values.get(number, "").strip()
        if not raw.isdigit():
            raise InvalidValueError(field=number, reason="not_a_number")
        values[number] = int(raw)
    return values


class ReferencePages:
    """The list, new, create, edit and update pages of one resource."""

    def __init__(self, resource: Resource) -> None:
        self.resource = resource

    def list(self, request: Request[Any, Any, Any]) -> Template:
        with connection(services_of(request).database) as conn:
            rows = self.resource.rows(conn)
        return page(request, self.resource.list_template, {
            "resource": self.resource, "rows": rows, "can_edit": can_edit(request),
            "labels": {**SITE_KINDS, **DONOR_KINDS, **FUNDER_KINDS},
        })  # fmt: skip

    def form(
        self, request: Request[Any, Any, Any], values: dict[str, Any], *, code: str = "",
        version: int = 0, errors: dict[str, str] | None = None, message: str = "",
        status: int = 200,
    ) -> Template:  # fmt: skip
        with connection(services_of(request).database) as conn:
            fields = self.resource.fields(conn)
            related = self.resource.related(conn, code) if code else {}
        return page(request, self.resource.form_template, {
            "resource": self.resource, "fields": fields, "values": values, "code": code,
            "version": version, "errors": errors or {}, "message": message, **related,
        }, status=status)  # fmt: skip

    def edit(self, request: Request[Any, Any, Any], code: FromPath[str]) -> Template:
        values, version = self.resource.current(services_of(request).inventory, code)
        return self.form(request, values, code=values["code"], version=version)

    def create(self, request: Request[Any, Any, Any], data: Form) -> Template | Redirect:
        services, actor = services_of(request), actor_of(request)
        try:
            values = _parsed(self.resource, data)
            saved = self.resource.register(services.inventory, **values, actor=actor)
        except InvalidValueError as error:
            return self.form(request, dict(data), errors=field_errors(request, error), status=400)
        except DomainError as error:
            return self.form(request, dict(data), message=refusal(request, error), status=409)
        return self._done(request, saved)

    def update(
        self, request: Request[Any, Any, Any], code: FromPath[str], data: Form
    ) -> Template | Redirect:
        services, actor = services_of(request), actor_of(request)
        seen = int(text(data, "version") or 0)
        active = text(data, "active") == "on"
        try:
            values = _parsed(self.resource, data)
            values.pop("code", None)
            saved = self.resource.change(services.inventory, code, **values, active=active,
                                         actor=actor, seen_version=seen)  # fmt: skip
        except InvalidValueError as error:
            return self.form(request, {**data, "code": code}, code=code, version=seen,
                             errors=field_errors(request, error), status=400)  # fmt: skip
        except StaleEditError as error:
            fresh, version = self.resource.current(services.inventory, code)
            return self.form(request, fresh, code=code, version=version,
                             message=refusal(request, error), status=409)  # fmt: skip
        except DomainError as error:
            return self.form(request, {**data, "code": code, "active": active}, code=code,
                             version=seen, message=refusal(request, error), status=409)  # fmt: skip
        return self._done(request, saved)

    def _done(self, request: Request[Any, Any, Any], saved: Saved) -> Redirect:
        services_of(request).after_write(saved.position)
        notify(request, t(request, SAVED))
        return Redirect(self.resource.path, status_code=303)


def actor_of(request: Request[Any, Any, Any]) -> str:
    """The user name of the person signed in, recorded as who made a change."""
    account = account_of(request)
    return account.username if account else ""


def can_edit(request: Request[Any, Any, Any]) -> bool:
    """Whether the person signed in manages reference records (the others only read them)."""
    account = account_of(request)
    return account is not None and bool(account.roles & REFERENCE_EDITORS)


_SITES, _PROGRAMMES, _DONORS = (
    ReferencePages(SITES),
    ReferencePages(PROGRAMMES),
    ReferencePages(DONORS),
)
VIEW, EDIT = allow(READERS), allow(REFERENCE_EDITORS)


class SiteController(Controller):
    path = SITES.path

    @get("/", opt=VIEW, sync_to_thread=True)
    def list_sites(self, request: Request[Any, Any, Any]) -> Template:
        return _SITES.list(request)

    @get("/nouveau", opt=EDIT, sync_to_thread=True)
    def new_site(self, request: Request[Any, Any, Any]) -> Template:
        return _SITES.form(request, {})

    @post("/", opt=EDIT, sync_to_thread=True)
    def create_site(self, request: Request[Any, Any, Any], data: Form) -> Template | Redirect:
        return _SITES.create(request, data)

    @get("/{code:str}", opt=EDIT, sync_to_thread=True)
    def edit_site(self, request: Request[Any, Any, Any], code: FromPath[str]) -> Template:
        return _SITES.edit(request, code)

    @post("/{code:str}", opt=EDIT, sync_to_thread=True)
    def update_site(
        self, request: Request[Any, Any, Any], code: FromPath[str], data: Form
    ) -> Template | Redirect:
        return _SITES.update(request, code, data)


class ProgrammeController(Controller):
    path = PROGRAMMES.path

    @get("/", opt=VIEW, sync_to_thread=True)
    def list_programmes(self, request: Request[Any, Any, Any]) -> Template:
        return _PROGRAMMES.list(request)

    @get("/nouveau", opt=EDIT, sync_to_thread=True)
    def new_programme(self, request: Request[Any, Any, Any]) -> Template:
        return _PROGRAMMES.form(request, {"yearly_target": 500})

    @post("/", opt=EDIT, sync_to_thread=True)
    def create_programme(self, request: Request[Any, Any, Any], data: Form) -> Template | Redirect:
        return _PROGRAMMES.create(request, data)

    @get("/{code:str}", opt=EDIT, sync_to_thread=True)
    def edit_programme(self, request: Request[Any, Any, Any], code: FromPath[str]) -> Template:
        return _PROGRAMMES.edit(request, code)

    @post("/{code:str}", opt=EDIT, sync_to_thread=True)
    def update_programme(
        self, request: Request[Any, Any, Any], code: FromPath[str], data: Form
    ) -> Template | Redirect:
        return _PROGRAMMES.update(request, code, data)


class DonorController(Controller):
    path = DONORS.path

    @get("/", opt=VIEW, sync_to_thread=True)
    def list_donors(self, request: Request[Any, Any, Any]) -> Template:
        return _DONORS.list(request)

    @get("/nouveau", opt=EDIT, sync_to_thread=True)
    def new_donor(self, request: Request[Any, Any, Any]) -> Template:
        return _DONORS.form(request, {})

    @post("/", opt=EDIT, sync_to_thread=True)
    def create_donor(self, request: Request[Any, Any, Any], data: Form) -> Template | Redirect:
        return _DONORS.create(request, data)

    @get("/{code:str}", opt=EDIT, sync_to_thread=True)
    def edit_donor(self, request: Request[Any, Any, Any], code: FromPath[str]) -> Template:
        return _DONORS.edit(request, code)

    @post("/{code:str}", opt=EDIT, sync_to_thread=True)
    def update_donor(
        self, request: Request[Any, Any, Any], code: FromPath[str], data: Form
    ) -> Template | Redirect:
        return _DONORS.update(request, code, data)
