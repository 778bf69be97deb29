"""The funder report as files: one flat table (CSV, XLSX) and a PDF, in the reader's language."""

from __future__ import annotations

import re
from datetime import date, datetime, tzinfo

from babel.dates import format_date, format_datetime

from projections.funding import FundingLineEntry
from projections.ledger import StageFigures
from tracker.funder_publics import LOANED
from tracker.funder_report import FunderReport, LineReport, Total
from tracker.report_pdf import PdfReport, Section
from tracker.tables import Cell, DataTable
from tracker.web.funder_report_publics import (
    SEVERAL,
    as_data_table,
    line_publics,
    named_publics,
    publics_table,
    what_it_counts,
)
from tracker.web.funder_report_view import COLUMNS, cell, change_rows, measures
from tracker.web.i18n import translate
from tracker.web.labels import FUNDED_STAGES
from tracker.web.pages import N_

TITLE = N_("Rapport du financeur %(name)s (%(code)s)")
NOW = N_("selon tout ce qui est enregistré aujourd'hui (corrections appliquées, étapes annulées "
         "retirées, étapes saisies en retard comptées)")  # fmt: skip
KNOWN = N_("ce que l'on savait le %(day)s (seulement ce qui était enregistré à la fin de ce "
           "jour-là, fuseau horaire %(zone)s)")  # fmt: skip
AT = N_("%(when)s (fuseau horaire %(zone)s)")
CURRENT = N_("aujourd'hui, corrigé depuis")
HOW_TO_CHECK = N_("Pour vérifier plus tard que le journal n'a pas été modifié depuis ce rapport, "
                  "lancez la commande ci-dessous : elle recalcule toute la chaîne et compare ce "
                  "maillon.")  # fmt: skip
STAGE_WORDS = {str(stage): words for stage, words in FUNDED_STAGES.items()}
EVERY_SITE = N_("tous les sites du programme")
TOTAL_NOTE = N_("Total : la somme des lignes. Les ordinateurs et les bénéficiaires distincts ne "
                "s'additionnent pas d'une ligne à l'autre (un même ordinateur peut compter deux "
                "fois) : ils ne sont donnés que si une seule ligne paie cette étape.")  # fmt: skip


def verify_command(report: FunderReport) -> str:
    """The command that checks the report's chain link against the log ("" for an empty log)."""
    head = report.head
    return f"tracker verify --tete {head.position}:{head.link.hex()}" if head else ""


def reading(language: str, known_on: date | None, zone: tzinfo) -> str:
    if known_on is None:
        return translate(language, NOW)
    day = format_date(known_on, "long", locale=language)
    return translate(language, KNOWN, day=day, zone=str(zone))


def generated_words(language: str, report: FunderReport, zone: tzinfo) -> str:
    """When the report was generated, in the programme's time zone, to the second."""
    when = format_datetime(generated(report, zone), "medium", locale=language)
    return translate(language, AT, when=when, zone=str(zone))


def sites(language: str, line: FundingLineEntry) -> str:
    return ", ".join(line.sites) if line.sites else translate(language, EVERY_SITE)


def generated(report: FunderReport, zone: tzinfo) -> datetime:
    return report.generated_at.astimezone(zone).replace(microsecond=0)


def filename(report: FunderReport, extension: str) -> str:
    """An ASCII file name: funder, period, and the day of the reading when there is one."""
    parts = ["rapport", report.funder.code, report.start.isoformat(), report.end.isoformat()]
    if report.known_on:
        parts += ["connu", report.known_on.isoformat()]
    return re.sub(r"[^A-Za-z0-9.-]", "-", "-".join(parts)) + f".{extension}"


def export_table(language: str, report: FunderReport, zone: tzinfo) -> DataTable:
    """Every figure of the report in one rectangular table, with its generation and link."""

    def tr(message: str) -> str:
        return translate(language, message)

    columns = (tr(N_("Financeur")), tr(N_("Ligne")), tr(N_("Programme")), tr(N_("Du")),
               tr(N_("Au")), tr(N_("Sites")), tr(N_("Étape")), tr(N_("Lecture")),
               *(tr(label) for _, label in COLUMNS), tr(N_("Public")), tr(N_("Établi le")),
               tr(N_("Journal lu jusqu'au n°")), tr(N_("Empreinte du maillon")))  # fmt: skip
    head = report.head
    tail: tuple[Cell, ...] = (generated(report, zone), head.position if head else 0,
                              head.link.hex() if head else "")  # fmt: skip
    readings = _readings(language, report)
    rows: list[tuple[Cell, ...]] = []
    for part in report.lines:
        line = part.line
        where = (report.funder.code, line.code, line.programme, part.start, part.end,
                 sites(language, line))  # fmt: skip
        for label, current in readings:
            for figures in part.current if current else part.figures:
                public = named_publics(language, line) if figures.stage == LOANED else ""
                rows.append((*where, _stage(language, figures.stage), label,
                             *measures(figures).values(), public, *tail))  # fmt: skip
            publics = part.current_publics if current else part.publics
            shown = publics_table(language, [(label, publics)] if publics else [])
            for row in shown.rows if shown else ():
                rows.append((*where, _stage(language, LOANED), label, None, None, None, None,
                             *row.counts, None, row.label, *tail))  # fmt: skip
    for label, current in readings:
        for total in report.totals(current=current):
            rows.append((report.funder.code, tr(N_("Total")), "", report.start, report.end, "",
                         _stage(language, total.stage), label, *measures(total).values(), "",
                         *tail))  # fmt: skip
    title = translate(language, TITLE, name=report.funder.name, code=report.funder.code)
    return DataTable("rapport-financeur", title, columns, tuple(rows),
                     f"{tr(TOTAL_NOTE)} {tr(SEVERAL)}")  # fmt: skip


def pdf_report(language: str, report: FunderReport, zone: tzinfo) -> PdfReport:
    """The report as a PDF document says it."""

    def tr(message: str, **values: object) -> str:
        return translate(language, message, **values)

    head = report.head
    link = (tr(N_("n° %(n)s, empreinte %(link)s"), n=head.position, link=head.link.hex())
            if head else tr(N_("aucun (journal vide)")))  # fmt: skip
    facts = (
        (tr(N_("Période :")), tr(N_("du %(start)s au %(end)s"), start=_day(language, report.start),
                                 end=_day(language, report.end))),
        (tr(N_("Lecture :")), reading(language, report.known_on, zone)),
        (tr(N_("Établi le :")), generated_words(language, report, zone)),
        (tr(N_("Maillon de la chaîne :")), link),
    )  # fmt: skip
    sections = [_line_section(language, part, report.known_on) for part in report.lines]
    totals = [(tr(N_("Total du financeur")), report.totals())]
    if report.known_on:
        totals.append((tr(N_("Total, aujourd'hui (corrigé depuis)")),
                       report.totals(current=True)))  # fmt: skip
    sections.append(Section(tr(N_("Total du financeur")), (tr(TOTAL_NOTE),),
                            tuple(_figures_table(language, t, f) for t, f in totals)))  # fmt: skip
    return PdfReport(
        title=tr(TITLE, name=report.funder.name, code=report.funder.code),
        facts=facts, sections=tuple(sections),
        closing=(tr(HOW_TO_CHECK),) if head else (),
        code=(verify_command(report),) if head else (),
        footer=tr(N_("%(code)s — maillon n° %(n)s"), code=report.funder.code,
                  n=head.position if head else 0),
        page_word=tr(N_("page")),
    )  # fmt: skip


def _line_section(language: str, part: LineReport, known_on: date | None) -> Section:
    def tr(message: str, **values: object) -> str:
        return translate(language, message, **values)

    line = part.line
    about = (
        tr(N_("Programme %(programme)s, du %(start)s au %(end)s (jours communs à la ligne et à "
              "la période), sites : %(sites)s."), programme=line.programme,
           start=_day(language, part.start), end=_day(language, part.end),
           sites=sites(language, line)),
        *filter(None, [what_it_counts(language, line)]),
    )  # fmt: skip
    tables = [_figures_table(language, tr(N_("Ce que l'on savait le %(day)s"),
                                          day=_day(language, known_on)) if known_on
                             else tr(N_("Chiffres")), part.figures)]  # fmt: skip
    if known_on:
        tables.append(_figures_table(language, tr(N_("Aujourd'hui, corrigé depuis")), part.current))
    publics = line_publics(language, part, known_on)
    if publics is not None:
        tables.append(as_data_table(language, line.code, publics))
    items: tuple[str, ...] = ()
    if known_on:
        items = tuple(
            f"{row.change.tag} n° {row.change.version} : {row.what} — {row.then} / {row.now}"
            for row in change_rows(language, part.changes)
        ) or (tr(N_("Aucune étape comptée par cette ligne n'a changé depuis ce jour.")),)
        if part.later:
            items += (
                tr(
                    N_(
                        "De plus, %(n)s étape(s) ont eu lieu après ce jour : elles comptent "
                        "aujourd'hui, pas dans un rapport publié ce jour-là."
                    ),
                    n=part.later,
                ),
            )
    since = tr(N_("Changé depuis le %(day)s"), day=_day(language, known_on)) if known_on else ""
    return Section(tr(N_("Ligne %(code)s"), code=line.code), about, tuple(tables), items, since)


def _figures_table(
    language: str, title: str, figures: tuple[StageFigures, ...] | tuple[Total, ...]
) -> DataTable:
    columns = (translate(language, N_("Étape")), *(translate(language, c) for _, c in COLUMNS))
    rows = tuple(
        (_stage(language, f.stage),
         *(cell(language, name, value) for name, value in measures(f).items()))
        for f in figures
    )  # fmt: skip
    return DataTable("chiffres", title, columns, rows)


def _readings(language: str, report: FunderReport) -> list[tuple[str, bool]]:
    if report.known_on is None:
        return [(translate(language, N_("aujourd'hui")), True)]
    known = translate(language, N_("connu le %(day)s"), day=report.known_on.isoformat())
    return [(known, False), (translate(language, CURRENT), True)]


def _stage(language: str, stage: str) -> str:
    return translate(language, STAGE_WORDS.get(stage, stage))


def _day(language: str, day: date) -> str:
    return str(format_date(day, "long", locale=language))
