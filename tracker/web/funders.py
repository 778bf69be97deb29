"""Funders: the list for everyone who reads, the forms for those who manage them.

They use the list and form pages of the other reference records; the list counts each funder's
funding lines and the form of a funder lists them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from projections import funding
from projections.database import Connection
from tracker.application import Inventory
from tracker.web.forms import Form
from tracker.web.labels import FUNDER_KINDS
from tracker.web.pages import N_
from tracker.web.references import EDIT, VIEW, Field, ReferencePages, Resource, code_field


@dataclass(frozen=True)
class FunderRow:
    """A funder as listed, with the codes of its funding lines."""

    code: str
    name: str
    kind: str
    active: bool
    lines: tuple[str, ...]


def _rows(conn: Connection) -> list[FunderRow]:
    lines: dict[str, list[str]] = {}
    for line in funding.funding_lines(conn):
        lines.setdefault(line.funder, []).append(line.code)
    return [
        FunderRow(f.code, f.name, f.kind, f.active, tuple(lines.get(f.code, ())))
        for f in funding.funders(conn)
    ]


def _related(conn: Connection, code: str) -> Mapping[str, Any]:
    funder = funding.funder(conn, code)
    names = {code: funder.name} if funder else {}
    return {"lines": funding.funding_lines(conn, funder=code), "funder_names": names}


def _current(inventory: Inventory, code: str) -> tuple[dict[str, Any], int]:
    funder = inventory.funder(code)
    return vars(funder), funder.version


FUNDERS = Resource(
    kind="funder", path="/gestion/financeurs", title=N_("Financeurs"),
    new_title=N_("Nouveau financeur"),
    columns=(("code", N_("Code")), ("name", N_("Nom")), ("kind", N_("Type")),
             ("lines", N_("Lignes de financement"))),
    fields=lambda conn: [
        code_field(N_("Court, en majuscules, par exemple CD35 ou FSE-BRETAGNE.")),
        Field("name", N_("Nom"), required=True),
        Field("kind", N_("Type"), "select", choices=list(FUNDER_KINDS.items())),
    ],
    rows=_rows, current=_current,
    register=Inventory.register_funder, change=Inventory.change_funder,
    names=("code", "name", "kind"),
    list_template="pages/funders.html", form_template="pages/funder_form.html", related=_related,
)  # fmt: skip
_FUNDERS = ReferencePages(FUNDERS)


class FunderController(Controller):
    path = FUNDERS.path

    @get("/", opt=VIEW, sync_to_thread=True)
    def list_funders(self, request: Request[Any, Any, Any]) -> Template:
        return _FUNDERS.list(request)

    @get("/nouveau", opt=EDIT, sync_to_thread=True)
    def new_funder(self, request: Request[Any, Any, Any]) -> Template:
        return _FUNDERS.form(request, {})

    @post("/", opt=EDIT, sync_to_thread=True)
    def create_funder(self, request: Request[Any, Any, Any], data: Form) -> Template | Redirect:
        return _FUNDERS.create(request, data)

    @get("/{code:str}", opt=EDIT, sync_to_thread=True)
    def edit_funder(self, request: Request[Any, Any, Any], code: FromPath[str]) -> Template:
        return _FUNDERS.edit(request, code)

    @post("/{code:str}", opt=EDIT, sync_to_thread=True)
    def update_funder(
        self, request: Request[Any, Any, Any], code: FromPath[str], data: Form
    ) -> Template | Redirect:
        return _FUNDERS.update(request, code, data)
