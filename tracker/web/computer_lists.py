"""The computers behind a dashboard figure: a paginated, sortable list, exported on demand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from babel.dates import format_date
from litestar import Controller, Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from projections import computer_lists as lists
from projections.database import Connection, connection
from tracker.dashboard import Filters
from tracker.domain.lifecycle import State
from tracker.tables import DataTable
from tracker.web import exports
from tracker.web.dashboard import READERS, filters_from
from tracker.web.dashboard_sections import SEGMENTS
from tracker.web.dashboard_view import filter_query
from tracker.web.labels import STAGES, STATES
from tracker.web.pages import N_, language, page, t
from tracker.web.sign_in import services_of
from tracker.web.step_labels import VALUES

DAY_HEADINGS = {
    "etape": N_("Date de l'étape"),
    "etat": N_("Dans cet état depuis"),
    "delai": N_("Terminé le"),
    "fin-convention": N_("Fin de la convention"),
}
DETAIL_HEADINGS = {
    "etape": N_("État aujourd'hui"),
    "etat": N_("État"),
    "delai": N_("Jours"),
    "fin-convention": N_("Début de la convention"),
}
MAX_EXPORT_PAGES = 2000  # 100,000 computers


@dataclass(frozen=True)
class Query:
    """Which list, for which filters, sorted how, which page."""

    kind: str
    filters: Filters
    stage: str
    state: str
    segment: str
    device_type: str
    start: date
    end: date
    before: date | None
    order: str
    descending: bool
    page: int

    def fetch(self, conn: Connection, page: int | None = None) -> lists.Listing:
        f, number = self.filters, page or self.page
        scope: dict[str, Any] = {
            "programme": f.programme,
            "site": f.site,
            "order": self.order,
            "descending": self.descending,
            "page": number,
        }
        if self.kind == "etape":
            return lists.steps(
                conn, self.stage, self.start, self.end, device_type=self.device_type, **scope
            )
        if self.kind == "etat":
            return lists.in_state(conn, self.state, since_before=self.before, **scope)
        if self.kind == "delai":
            return lists.segment(conn, self.segment, self.start, self.end, **scope)
        return lists.agreements_ending(conn, self.start, self.end, **scope)

    def params(self, **changes: str | int) -> str:
        query = {
            **filter_query(self.filters),
            "liste": self.kind,
            "tri": self.order,
            "ordre": "desc" if self.descending else "asc",
            "page": str(self.page),
        }
        extra = {
            "etape": self.stage,
            "etat": self.state,
            "segment": self.segment,
            "type": self.device_type,
            "du": self.start.isoformat(),
            "au": self.end.isoformat(),
            "avant": self.before.isoformat() if self.before else "",
        }
        query.update({k: v for k, v in extra.items() if v})
        query.update({k: str(v) for k, v in changes.items()})
        return urlencode(query)


class UnknownListError(Exception):
    """Raised when the address names no list of computers."""


def _day(text: str, default: date) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return default


class ComputerListController(Controller):
    """The lists behind the figures: /suivi/ordinateurs?liste=etape|etat|delai|fin-convention."""

    path = "/suivi/ordinateurs"

    def _query(self, request: Request[Any, Any, Any], conn: Connection) -> Query:
        p = request.query_params
        kind = p.get("liste", "")
        if kind not in DAY_HEADINGS:
            raise UnknownListError
        today = services_of(request).inventory.today()
        filters = filters_from(request, conn, today)
        before = p.get("avant", "")
        page_text = p.get("page", "1")
        return Query(
            kind,
            filters,
            p.get("etape", ""),
            p.get("etat", ""),
            p.get("segment", ""),
            p.get("type", ""),
            _day(p.get("du", ""), filters.start),
            _day(p.get("au", ""), filters.end),
            _day(before, today) if before else None,
            p.get("tri", "date") if p.get("tri", "date") in lists.ORDERS else "date",
            p.get("ordre", "asc") == "desc",
            max(int(page_text), 1) if page_text.isdigit() else 1,
        )

    @get("/", opt=READERS, sync_to_thread=True)
    def list_computers(self, request: Request[Any, Any, Any]) -> Template | Redirect:
        """One page of a list; an address without a known list leads back to the dashboard."""
        with connection(services_of(request).database) as conn:
            try:
                query = self._query(request, conn)
            except UnknownListError:
                return Redirect("/suivi", status_code=303)
            listing = query.fetch(conn)
        pages = max((listing.total + lists.PAGE_SIZE - 1) // lists.PAGE_SIZE, 1)
        return page(
            request,
            "pages/computer_list.html",
            {
                "q": query,
                "listing": listing,
                "pages": pages,
                "title": title(request, query),
                "day_heading": DAY_HEADINGS[query.kind],
                "detail_heading": DETAIL_HEADINGS[query.kind],
                "back": "/suivi?" + urlencode(filter_query(query.filters)),
            },
        )

    @get("/export/{fmt:str}", opt=READERS, sync_to_thread=True)
    def export_computers(
        self, request: Request[Any, Any, Any], fmt: FromPath[str]
    ) -> Response[bytes] | Redirect:
        if fmt not in ("csv", "xlsx"):
            raise NotFoundException
        with connection(services_of(request).database) as conn:
            try:
                query = self._query(request, conn)
            except UnknownListError:
                return Redirect("/suivi", status_code=303)
            rows: list[tuple[Any, ...]] = []
            for number in range(1, MAX_EXPORT_PAGES + 1):
                listing = query.fetch(conn, number)
                rows.extend(
                    (
                        ln.tag,
                        ln.day,
                        ln.site,
                        ln.programme,
                        t(request, VALUES.get(ln.device_type, ln.device_type)),
                        detail(request, query.kind, ln.detail),
                    )
                    for ln in listing.lines
                )
                if len(rows) >= listing.total or not listing.lines:
                    break
        columns = (
            t(request, "Étiquette"),
            t(request, DAY_HEADINGS[query.kind]),
            t(request, "Site"),
            t(request, "Programme"),
            t(request, "Type"),
            t(request, DETAIL_HEADINGS[query.kind]),
        )
        table = DataTable("ordinateurs", title(request, query), columns, tuple(rows))
        now = datetime.now(services_of(request).settings.zone())
        return exports.download(
            table, fmt, generated_at=now, context=title(request, query),
            generated=t(request, "Généré le"),
        )  # fmt: skip


def detail(request: Request[Any, Any, Any], kind: str, value: str) -> str:
    """The last column of a list in words: a state's name, or the value as it is."""
    if kind in ("etape", "etat") and value in set(State):
        return t(request, STATES[State(value)])
    return value


def _when(request: Request[Any, Any, Any], day: date) -> str:
    return format_date(day, "long", locale=language(request))


def title(request: Request[Any, Any, Any], q: Query) -> str:
    """What the list holds, in one line."""
    where = q.filters.site or q.filters.programme or t(request, "tous les programmes")
    if q.kind == "etape":
        what = t(request, STAGES.get(q.stage, q.stage))
        return t(
            request,
            "%(what)s du %(start)s au %(end)s — %(where)s",
            what=what,
            start=_when(request, q.start),
            end=_when(request, q.end),
            where=where,
        )
    if q.kind == "etat":
        state = t(request, STATES[State(q.state)]) if q.state in set(State) else q.state
        if q.before:
            return t(
                request,
                "%(state)s depuis le %(day)s ou avant — %(where)s",
                state=state,
                day=_when(request, q.before),
                where=where,
            )
        return t(request, "%(state)s aujourd'hui — %(where)s", state=state, where=where)
    if q.kind == "delai":
        what = t(request, SEGMENTS.get(q.segment, q.segment))
        return t(
            request,
            "%(what)s : terminé entre le %(start)s et le %(end)s — %(where)s",
            what=what,
            start=_when(request, q.start),
            end=_when(request, q.end),
            where=where,
        )
    return t(
        request,
        "Conventions qui se terminent du %(start)s au %(end)s — %(where)s",
        start=_when(request, q.start),
        end=_when(request, q.end),
        where=where,
    )
