"""The officers' dashboard: the page, each section's live refresh, and every table's export."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXTemplate
from litestar.response import Template

from projections import dashboard as dash_model
from projections import directory
from projections.database import Connection, connection
from tracker.dashboard import Filters
from tracker.domain.user import Role
from tracker.web import exports
from tracker.web.access import allow
from tracker.web.dashboard_sections import SECTIONS, TABLES, Context
from tracker.web.dashboard_view import Section, filter_query
from tracker.web.pages import language, page, t
from tracker.web.sign_in import services_of

READERS = allow(Role.OFFICER, Role.AUDITOR)
STUCK_CHOICES = (7, 30, 90)
LIVE_SECONDS = 15
FIRST_YEAR = 2000  # any year from then to this one can be looked at, even empty
MAX_DIGITS = 5  # a year, a number of days: longer numbers are not filters


def filters_of(
    conn: Connection, today: date, *, year: int | None, programme: str, site: str, attente: int
) -> Filters:
    """The filters asked for, kept to what exists (an unknown code shows everything)."""
    programmes = {p.code for p in directory.programmes(conn)}
    sites = {s.code: s.programme for s in directory.sites(conn)}
    programme = programme if programme in programmes else ""
    if site not in sites or (programme and sites[site] != programme):
        site = ""
    year = year if year is not None and FIRST_YEAR <= year <= today.year else today.year
    stuck = attente if attente in STUCK_CHOICES else Filters.stuck_after_days
    return Filters(year, programme, site, stuck)


def _number(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) <= MAX_DIGITS else None


def filters_from(request: Request[Any, Any, Any], conn: Connection, today: date) -> Filters:
    """The filters in the address (annee, programme, site, attente), checked."""
    p = request.query_params
    return filters_of(conn, today, year=_number(p.get("annee", "")),
                      programme=p.get("programme", ""), site=p.get("site", ""),
                      attente=_number(p.get("attente", "")) or 0)  # fmt: skip


def position(conn: Connection) -> int:
    """How far into the event log every read model has read."""
    rows = conn.execute("SELECT MIN(position) FROM projection_positions")
    return int(rows[0][0] or 0)


class DashboardController(Controller):
    """Where the programme stands: target, throughput, stocks, lead times, loans, materials."""

    path = "/suivi"

    def _context(self, request: Request[Any, Any, Any], conn: Connection) -> Context:
        services = services_of(request)
        today = services.inventory.today()
        filters = filters_from(request, conn, today)
        lang = language(request)

        def tr(message: str, **values: Any) -> str:
            return t(request, message, **values)

        return Context(conn, filters, today, lang, tr, services.co2)

    @get("/", opt=READERS, sync_to_thread=True)
    def show_dashboard(self, request: Request[Any, Any, Any]) -> Template:
        with connection(services_of(request).database) as conn:
            ctx = self._context(request, conn)
            sections = [build(ctx) for build in SECTIONS.values()]
            at = position(conn)
            choices = {
                "years": sorted(
                    {*dash_model.years(conn), ctx.today.year, ctx.filters.year}, reverse=True
                ),
                "programmes": directory.programmes(conn),
                "sites": [
                    s
                    for s in directory.sites(conn)
                    if not ctx.filters.programme or s.programme == ctx.filters.programme
                ],
            }
        context = {
            "sections": sections,
            "filters": ctx.filters,
            "query": filter_query(ctx.filters),
            "choices": choices,
            "position": at,
            "today": ctx.today,
            "stuck_choices": STUCK_CHOICES,
            "live_seconds": LIVE_SECONDS,
        }
        if getattr(
            request, "htmx", False
        ):  # the filters changed: the whole board, the address follows
            return HTMXTemplate(
                template_name="partials/dashboard.html",
                context=context,
                push_url=request.url.path + "?" + request.url.query,
            )
        return page(request, "pages/dashboard.html", context)

    @get("/partie/{section:str}", opt=READERS, sync_to_thread=True)
    def show_section(
        self,
        request: Request[Any, Any, Any],
        section: FromPath[str],
        empreinte: FromQuery[str] = "",
    ) -> Response[Any] | Template:
        """One section again, or 204 when its figures have not changed (the page keeps it)."""
        if section not in SECTIONS:
            raise NotFoundException
        with connection(services_of(request).database) as conn:
            ctx = self._context(request, conn)
            built = SECTIONS[section](ctx)
        if empreinte and built.digest() == empreinte:
            return Response(content=b"", status_code=204)
        return Template(
            template_name="partials/dashboard_section.html",
            context={"section": built, "query": filter_query(ctx.filters)},
        )

    @get("/nouveautes", opt=READERS, sync_to_thread=True)
    def check_news(
        self, request: Request[Any, Any, Any], depuis: FromQuery[int] = 0
    ) -> Response[Any] | Template:
        """204 while the read models have read nothing new; else a new marker and an event."""
        with connection(services_of(request).database) as conn:
            at = position(conn)
        if at == depuis:
            return Response(content=b"", status_code=204)
        return HTMXTemplate(
            template_name="partials/dashboard_live.html",
            context={
                "position": at,
                "now": datetime.now(services_of(request).settings.zone()),
                "live_seconds": LIVE_SECONDS,
            },
            trigger_event="suivi-maj",
            after="settle",
        )

    @get("/export/{table:str}", opt=READERS, sync_to_thread=True)
    def export_table(
        self, request: Request[Any, Any, Any], table: FromPath[str]
    ) -> Response[bytes]:
        """One table of the dashboard as CSV or XLSX (name: slug.csv or slug.xlsx)."""
        slug, _, fmt = table.rpartition(".")
        if slug not in TABLES or fmt not in ("csv", "xlsx"):
            raise NotFoundException
        with connection(services_of(request).database) as conn:
            ctx = self._context(request, conn)
            found = SECTIONS[TABLES[slug]](ctx).table(slug)
        if found is None:
            raise NotFoundException
        return exports.download(
            found,
            fmt,
            generated_at=datetime.now(services_of(request).settings.zone()),
            context=describe(ctx),
            generated=ctx.tr("Généré le"),
        )


def describe(ctx: Context) -> str:
    """The filters in words, written at the top of an exported table."""
    f = ctx.filters
    parts = [
        ctx.tr("Année %(year)s", year=f.year),
        ctx.tr("programme %(code)s", code=f.programme)
        if f.programme
        else ctx.tr("tous les programmes"),
    ]
    if f.site:
        parts.append(ctx.tr("site %(code)s", code=f.site))
    return ctx.tr("Filtres : %(filters)s", filters=", ".join(parts))


def sections_by_name(sections: list[Section]) -> dict[str, Section]:
    return {s.name: s for s in sections}
