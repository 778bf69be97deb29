"""The report of one funder over a period: the page, the steps behind each figure, the files.

Auditors, officers and administrators read it; nobody changes anything here. Every figure links
to the steps it counts, and every report carries the chain link it was read up to, which
`tracker verify --tete N:EMPREINTE` checks against the log later.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from projections.database import connection
from tracker.funder_report import MEASURES, FunderReport, funder_of, funder_report, steps_behind
from tracker.report_pdf import render
from tracker.web import exports
from tracker.web.access import READERS, allow
from tracker.web.errors import error_response
from tracker.web.funder_report_files import (
    TITLE,
    export_table,
    filename,
    generated,
    generated_words,
    pdf_report,
    reading,
    sites,
)
from tracker.web.funder_report_publics import (
    STEPS_NAMED,
    line_publics,
    publics_table,
    what_it_counts,
)
from tracker.web.funder_report_view import (
    COLUMNS,
    Asked,
    amount,
    asked,
    cell,
    change_rows,
    measures,
)
from tracker.web.pages import N_, language, page, t
from tracker.web.sign_in import services_of

PAGE_SIZE = 100
MEDIA_TYPES = {**exports.MEDIA_TYPES, "pdf": "application/pdf"}


class FunderReportController(Controller):
    """/audit/financeurs/{code}/rapport, its drill-down and its PDF, CSV and XLSX downloads."""

    path = "/audit/financeurs"

    @get("/{code:str}/rapport", opt=allow(READERS), sync_to_thread=True)
    def show_report(
        self, request: Request[Any, Any, Any], code: FromPath[str], *, du: FromQuery[str] = "",
        au: FromQuery[str] = "", connu_le: FromQuery[str] = "",
    ) -> Template:  # fmt: skip
        """The form for the period, then the figures of each line (400 with the form's errors)."""
        services, lang = services_of(request), language(request)
        inventory = services.inventory
        ask = asked(lang, du, au, connu_le, inventory.today())
        with connection(services.database) as conn:
            funder = funder_of(conn, code)
            report = None
            if not ask.errors:
                report = funder_report(inventory, conn, funder.code, start=ask.start,
                                       end=ask.end, known_on=ask.known_on,
                                       categories_of=services.register.categories_of)  # fmt: skip
        context: dict[str, Any] = {
            "funder": funder, "ask": ask, "report": report, "lines": [],
            "title": t(request, TITLE, name=funder.name, code=funder.code),
            "COLUMNS": COLUMNS, "measures": measures,
            "show": lambda name, value: cell(lang, name, value),
        }  # fmt: skip
        if report is not None:
            context.update(_shown(request, report, ask))
        return page(request, "pages/funder_report.html", context,
                    status=400 if ask.errors else 200)  # fmt: skip

    @get("/{code:str}/rapport/etapes", opt=allow(READERS), sync_to_thread=True)
    def list_steps(
        self, request: Request[Any, Any, Any], code: FromPath[str], *, ligne: FromQuery[str] = "",
        etape: FromQuery[str] = "", du: FromQuery[str] = "", au: FromQuery[str] = "",
        connu_le: FromQuery[str] = "",
    ) -> Response[Any]:  # fmt: skip
        """The steps one figure counts, a hundred a page, each linked to its computer's history.

        An address naming no figure leads back to the report; an unknown one is not found.
        """
        services, lang = services_of(request), language(request)
        inventory = services.inventory
        ask = asked(lang, du, au, connu_le, inventory.today())
        if ask.errors:
            return error_response(request, 400, " ".join(ask.errors.values()))
        text = request.query_params.get("page", "1")
        number = max(int(text), 1) if text.isdigit() else 1
        with connection(services.database) as conn:
            funder = funder_of(conn, code)
            report = f"/audit/financeurs/{funder.code}/rapport?{ask.query()}"
            if not ligne.strip() or not etape.strip():
                return Redirect(report, status_code=303)
            behind = steps_behind(inventory, conn, funder.code, line=ligne, stage=etape,
                                  start=ask.start, end=ask.end, known_on=ask.known_on,
                                  categories_of=services.register.categories_of,
                                  limit=number * PAGE_SIZE)  # fmt: skip
        pages = max((behind.figures.steps + PAGE_SIZE - 1) // PAGE_SIZE, 1)
        carried = MEASURES.get(behind.figures.stage, ())
        return page(request, "pages/funder_report_steps.html", {
            "funder": funder, "ask": ask, "behind": behind, "number": number, "pages": pages,
            "steps": behind.steps[(number - 1) * PAGE_SIZE:], "zone": inventory.zone,
            "reading": reading(lang, ask.known_on, inventory.zone), "measured": bool(carried),
            "figures": {n: v for n, v in measures(behind.figures).items() if v is not None},
            "COLUMNS": dict(COLUMNS), "show": lambda name, value: cell(lang, name, value),
            "amount": lambda step: amount(lang, step),
            "publics_shown": publics_table(lang, [(t(request, N_("Bénéficiaires")), behind.publics)]
                                           if behind.publics else []),
            "publics_words": t(request, STEPS_NAMED)
            if behind.publics and behind.line.categories else "",
            "back": report,
            "here": ask.query(ligne=behind.line.code, etape=behind.figures.stage),
        })  # fmt: skip

    @get("/{code:str}/rapport.pdf", opt=allow(READERS), sync_to_thread=True)
    def download_report_pdf(
        self, request: Request[Any, Any, Any], code: FromPath[str], *, du: FromQuery[str] = "",
        au: FromQuery[str] = "", connu_le: FromQuery[str] = "",
    ) -> Response[Any]:  # fmt: skip
        """The report as PDF: title, period, reading, generation time, chain link, tables."""
        return _download(request, code, (du, au, connu_le), "pdf")

    @get("/{code:str}/rapport.csv", opt=allow(READERS), sync_to_thread=True)
    def download_report_csv(
        self, request: Request[Any, Any, Any], code: FromPath[str], *, du: FromQuery[str] = "",
        au: FromQuery[str] = "", connu_le: FromQuery[str] = "",
    ) -> Response[Any]:  # fmt: skip
        """Every figure in one table, each row with the generation time and the chain link."""
        return _download(request, code, (du, au, connu_le), "csv")

    @get("/{code:str}/rapport.xlsx", opt=allow(READERS), sync_to_thread=True)
    def download_report_xlsx(
        self, request: Request[Any, Any, Any], code: FromPath[str], *, du: FromQuery[str] = "",
        au: FromQuery[str] = "", connu_le: FromQuery[str] = "",
    ) -> Response[Any]:  # fmt: skip
        """The same table as the CSV, for spreadsheet users, the chain link above it."""
        return _download(request, code, (du, au, connu_le), "xlsx")


def _shown(request: Request[Any, Any, Any], report: FunderReport, ask: Asked) -> dict[str, Any]:
    """What the page needs beyond the report: words for each line, the files, the command."""
    lang, zone = language(request), services_of(request).inventory.zone
    lines = [
        {"part": part, "sites": sites(lang, part.line), "about": what_it_counts(lang, part.line),
         "publics": line_publics(lang, part, report.known_on),
         "changes": change_rows(lang, part.changes)}
        for part in report.lines
    ]  # fmt: skip
    return {
        "lines": lines, "reading": reading(lang, report.known_on, zone),
        "generated": generated(report, zone),
        "generated_words": generated_words(lang, report, zone),
        "files": {ext: f"/audit/financeurs/{report.funder.code}/rapport.{ext}?{ask.query()}"
                  for ext in ("pdf", "csv", "xlsx")},
    }  # fmt: skip


def _download(
    request: Request[Any, Any, Any], code: str, typed: tuple[str, str, str], extension: str
) -> Response[Any]:
    services, lang = services_of(request), language(request)
    inventory = services.inventory
    ask = asked(lang, *typed, inventory.today())
    if ask.errors:
        return error_response(request, 400, " ".join(ask.errors.values()))
    with connection(services.database) as conn:
        report = funder_report(inventory, conn, code, start=ask.start, end=ask.end,
                               known_on=ask.known_on,
                               categories_of=services.register.categories_of)  # fmt: skip
    zone = inventory.zone
    if extension == "pdf":
        body = render(pdf_report(lang, report, zone))
    elif extension == "csv":
        body = exports.to_csv(export_table(lang, report, zone))
    else:
        head = report.head
        context = " — ".join([
            f"{report.funder.name} ({report.funder.code})",
            t(request, N_("du %(start)s au %(end)s"), start=report.start, end=report.end),
            reading(lang, report.known_on, zone),
            t(request, N_("maillon n° %(n)s, empreinte %(link)s"),
              n=head.position if head else 0, link=head.link.hex() if head else ""),
        ])  # fmt: skip
        body = exports.to_xlsx(export_table(lang, report, zone),
                               generated_at=generated(report, zone), context=context,
                               generated=t(request, N_("Généré le")))  # fmt: skip
    return Response(body, media_type=MEDIA_TYPES[extension], headers={
        "Content-Disposition": f'attachment; filename="{filename(report, extension)}"',
        "Cache-Control": "no-store",
    })  # fmt: skip
