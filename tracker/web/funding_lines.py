"""Funding lines: what each funder pays for, listed for everyone who reads, edited by managers.

A line names its funder, its programme, its period, the steps paid for (ticked), the sites
(none ticked: every site of the programme) and the publics counted.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from projections import directory, funding
from projections.database import connection
from tracker.domain.exceptions import DomainError, InvalidValueError, StaleEditError
from tracker.domain.funding_line import FundingLine
from tracker.web.forms import Form, text, values
from tracker.web.labels import BENEFICIARY_CATEGORIES, FUNDED_STAGES
from tracker.web.pages import N_, field_errors, notify, page, refusal, t
from tracker.web.references import EDIT, SAVED, VIEW, actor_of, can_edit
from tracker.web.sign_in import services_of
from tracker.web.step_forms import read_date

PATH = "/gestion/lignes-de-financement"
TITLE = N_("Lignes de financement")


@dataclass(frozen=True)
class LineForm:
    """A funding line form as typed (kept as text, to be shown again if refused)."""

    code: str = ""
    funder: str = ""
    programme: str = ""
    starts_on: str = ""
    ends_on: str = ""
    stages: tuple[str, ...] = ()
    sites: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    note: str = ""

    @classmethod
    def sent(cls, data: Form) -> LineForm:
        def typed(name: str) -> str:
            return text(data, name).strip()

        return cls(typed("code"), typed("funder"), typed("programme"), typed("starts_on"),
                   typed("ends_on"), tuple(values(data, "stages")), tuple(values(data, "sites")),
                   tuple(values(data, "categories")), text(data, "note"))  # fmt: skip

    @classmethod
    def of(cls, line: FundingLine) -> LineForm:
        terms = line.terms
        return cls(line.code, terms.funder, terms.programme, terms.starts_on.isoformat(),
                   terms.ends_on.isoformat(), terms.stages, terms.sites, terms.categories,
                   terms.note)  # fmt: skip

    def terms(self) -> dict[str, Any]:
        """What the use cases take; a date that cannot be read is refused here."""
        fields = asdict(self)
        del fields["code"]
        for name in ("starts_on", "ends_on"):
            fields[name] = read_date(fields, name)
        return fields


def _list(request: Request[Any, Any, Any], funder: str) -> Template:
    with connection(services_of(request).database) as conn:
        funders = funding.funders(conn)
        lines = funding.funding_lines(conn, funder=funder or None)
    return page(request, "pages/funding_lines.html", {
        "title": TITLE, "path": PATH, "lines": lines, "funders": funders, "funder": funder,
        "can_edit": can_edit(request), "funder_names": {f.code: f.name for f in funders},
    })  # fmt: skip


def _form(
    request: Request[Any, Any, Any], typed: LineForm, *, editing: bool = False, version: int = 0,
    errors: dict[str, str] | None = None, message: str = "", status: int = 200,
) -> Template:  # fmt: skip
    with connection(services_of(request).database) as conn:
        funders, programmes = funding.funders(conn), directory.programmes(conn)
        sites = directory.sites(conn)
    return page(request, "pages/funding_line_form.html", {
        "title": TITLE, "path": PATH, "form": typed, "editing": editing, "version": version,
        "funders": funders, "programmes": programmes, "site_choices": _site_choices(request, sites),
        "stage_choices": [(value, t(request, label)) for value, label in FUNDED_STAGES.items()],
        "category_choices": [
            (value, t(request, label)) for value, label in BENEFICIARY_CATEGORIES.items()
        ],
        "errors": errors or {}, "message": message,
    }, status=status)  # fmt: skip


def _site_choices(
    request: Request[Any, Any, Any], sites: list[directory.SiteEntry]
) -> list[tuple[str, str]]:
    closed = f" — {t(request, 'fermé')}"
    return [
        (s.code, f"{s.name} — {s.code} ({s.programme}){'' if s.active else closed}") for s in sites
    ]


def _done(request: Request[Any, Any, Any], position: int) -> Redirect:
    services_of(request).after_write(position)
    notify(request, t(request, SAVED))
    return Redirect(PATH, status_code=303)


class FundingLineController(Controller):
    path = PATH

    @get("/", opt=VIEW, sync_to_thread=True)
    def list_funding_lines(
        self, request: Request[Any, Any, Any], financeur: FromQuery[str] = ""
    ) -> Template:
        """Every funding line, or those of one funder."""
        return _list(request, financeur.strip().upper())

    @get("/nouveau", opt=EDIT, sync_to_thread=True)
    def new_funding_line(
        self, request: Request[Any, Any, Any], financeur: FromQuery[str] = ""
    ) -> Template:
        """An empty form (its funder chosen when coming from that funder's page)."""
        return _form(request, LineForm(funder=financeur.strip().upper()))

    @post("/", opt=EDIT, sync_to_thread=True)
    def create_funding_line(
        self, request: Request[Any, Any, Any], data: Form
    ) -> Template | Redirect:
        """Register the line, or show the form again with why it was refused."""
        typed = LineForm.sent(data)
        inventory = services_of(request).inventory
        try:
            saved = inventory.register_funding_line(
                code=typed.code, **typed.terms(), actor=actor_of(request)
            )
        except InvalidValueError as error:
            return _form(request, typed, errors=field_errors(request, error), status=400)
        except DomainError as error:
            return _form(request, typed, message=refusal(request, error), status=409)
        return _done(request, saved.position)

    @get("/{code:str}", opt=EDIT, sync_to_thread=True)
    def edit_funding_line(self, request: Request[Any, Any, Any], code: FromPath[str]) -> Template:
        """The line's form, filled with its terms as they stand."""
        line = services_of(request).inventory.funding_line(code)
        return _form(request, LineForm.of(line), editing=True, version=line.version)

    @post("/{code:str}", opt=EDIT, sync_to_thread=True)
    def update_funding_line(
        self, request: Request[Any, Any, Any], code: FromPath[str], data: Form
    ) -> Template | Redirect:
        """Replace the line's terms, unless someone changed it since the form was opened."""
        inventory = services_of(request).inventory
        line = inventory.funding_line(code)
        typed = LineForm.sent({**data, "code": line.code})
        seen = int(text(data, "version") or 0)
        try:
            saved = inventory.change_funding_line(
                line.code, **typed.terms(), actor=actor_of(request), seen_version=seen
            )
        except InvalidValueError as error:
            return _form(request, typed, editing=True, version=seen,
                         errors=field_errors(request, error), status=400)  # fmt: skip
        except StaleEditError as error:
            fresh = inventory.funding_line(code)
            return _form(request, LineForm.of(fresh), editing=True, version=fresh.version,
                         message=refusal(request, error), status=409)  # fmt: skip
        except DomainError as error:
            return _form(request, typed, editing=True, version=seen,
                         message=refusal(request, error), status=409)  # fmt: skip
        return _done(request, saved.position)
