"""The dashboard's sections: figures from tracker.dashboard, as tables, charts and links."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from babel.dates import get_month_names

from projections.database import Connection
from tracker import dashboard as d
from tracker.co2 import Factors
from tracker.domain.vocabulary import ComponentKind
from tracker.forecast import expected_share
from tracker.tables import Cell, DataTable
from tracker.web import charts
from tracker.web.dashboard_view import Chart, Section, Shown, Translate, computers_link
from tracker.web.labels import STAGES, STATES
from tracker.web.pages import N_
from tracker.web.step_labels import COMPONENTS, VALUES

SEGMENTS = {
    "donated_to_triaged": N_("Du don au tri"),
    "triaged_to_reconditioned": N_("Du tri au reconditionnement"),
    "triaged_to_dismantled": N_("Du tri au démantèlement"),
    "reconditioned_to_loaned": N_("Du reconditionnement au prêt"),
    "returned_to_triaged": N_("Du retour au nouveau tri"),
    "arrival_to_loaned": N_("De l'arrivée au prêt (parcours complet)"),
    "arrival_to_dismantled": N_("De l'arrivée au démantèlement (parcours complet)"),
}


@dataclass(frozen=True)
class Context:
    """What every section needs: the reader, the filters, today, the read models."""

    conn: Connection
    filters: d.Filters
    today: date
    language: str
    tr: Translate
    factors: Factors

    def months(self) -> list[str]:
        names = get_month_names("abbreviated", locale=self.language)
        return [str(names[m]).rstrip(".") for m in range(1, 13)]

    def month_span(self, month: int, year: int | None = None) -> tuple[date, date]:
        year = year or self.filters.year
        first = date(year, month, 1)
        last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        return first, last

    def steps_link(self, stage: str, start: date, end: date) -> str:
        return computers_link(self.filters, "etape", etape=stage, du=start, au=end)


def target(ctx: Context) -> Section:
    tr, f = ctx.tr, ctx.filters
    data = d.target(ctx.conn, f, ctx.today)
    section = Section("objectif", tr("Objectif de l'année"), facts={"target": data})
    rows, links = [], {}
    for i, p in enumerate(data.progress):
        fc = p.forecast
        rows.append(
            (
                tr(STAGES[p.stage]),
                p.done,
                data.target,
                p.expected,
                fc.central if fc else None,
                fc.low if fc else None,
                fc.high if fc else None,
            )
        )
        links[i, 1] = ctx.steps_link(p.stage, f.start, data.day)
    columns = (
        tr("Étape"),
        tr("Fait"),
        tr("Objectif de l'année"),
        tr("Attendu à ce jour"),
        tr("Prévision fin d'année"),
        tr("Fourchette basse"),
        tr("Fourchette haute"),
    )
    section.tables.append(
        Shown(DataTable("objectif", tr("Objectif de l'année"), columns, tuple(rows)), links)
    )
    loaned = data.progress[-1]
    months = ctx.months()
    series = [
        charts.Series(str(f.year), loaned.cumulative),
        charts.Series(str(f.year - 1), loaned.last_year_cumulative),
    ]
    if data.target is not None:
        history = _stage_history(ctx, "loaned")
        pace = tuple(
            round(data.target * expected_share(ctx.month_span(m)[1], history)) for m in range(1, 13)
        )
        series.append(charts.Series(tr("Rythme attendu"), pace))
    title = tr("Ordinateurs confiés depuis le 1er janvier, cumulés par mois")
    cumulative = DataTable(
        "objectif-cumul",
        title,
        (tr("Mois"), *(s.label for s in series)),
        tuple((months[m], *(_at(s.values, m) for s in series)) for m in range(12)),
    )
    section.tables.append(Shown(cumulative, folded=True))
    svg = charts.line_chart(title, months, series, dashed=(tr("Rythme attendu"),))
    section.charts.append(Chart(charts.data_uri(svg), title, cumulative.slug))
    return section


def _at(values: tuple[int | float | None, ...], index: int) -> int | float | None:
    return values[index] if index < len(values) else None


def _stage_history(ctx: Context, stage: str) -> dict[int, dict[int, int]]:
    first = ctx.filters.year - d.HISTORY_YEARS - 1
    return d.seasons(d.monthly(ctx.conn, ctx.filters.scope, first, ctx.filters.year - 1),
                     stage, ctx.filters.year)  # fmt: skip


def throughput(ctx: Context) -> Section:
    tr, f = ctx.tr, ctx.filters
    data = d.throughput(ctx.conn, f)
    section = Section("debit", tr("Débit mois par mois"), facts={"throughput": data})
    months = ctx.months()
    for slug, year, by_stage in (
        ("debit-annee", f.year, data.this_year),
        ("debit-annee-precedente", f.year - 1, data.last_year),
    ):
        rows: tuple[tuple[Cell, ...], ...] = tuple(
            (months[m], *(by_stage[s][m] for s in d.STAGES)) for m in range(12)
        )
        links = {
            (m, c + 1): ctx.steps_link(stage, *ctx.month_span(m + 1, year))
            for m in range(12)
            for c, stage in enumerate(d.STAGES)
            if by_stage[stage][m]
        }
        title = tr("Étapes enregistrées par mois en %(year)s", year=year)
        columns = (tr("Mois"), *(tr(STAGES[s]) for s in d.STAGES))
        section.tables.append(Shown(DataTable(slug, title, columns, rows), links, folded=True))
    for stage in d.STAGES:
        title = tr(
            "%(stage)s par mois : %(year)s et %(last)s",
            stage=tr(STAGES[stage]),
            year=f.year,
            last=f.year - 1,
        )
        svg = charts.grouped_bars(
            title,
            months,
            [
                charts.Series(str(f.year), data.this_year[stage]),
                charts.Series(str(f.year - 1), data.last_year[stage]),
            ],
        )
        section.charts.append(Chart(charts.data_uri(svg), title, "debit-annee"))
    return section


def funnel(ctx: Context) -> Section:
    tr, f = ctx.tr, ctx.filters
    flow = d.throughput(ctx.conn, f)
    section = Section("entonnoir", tr("Du don au prêt"))
    donated = flow.total("donated")
    stages = ("donated", "triaged", "reconditioned", "loaned", "dismantled")
    rows = tuple((tr(STAGES[s]), flow.total(s), _share(flow.total(s), donated)) for s in stages)
    links = {(i, 1): ctx.steps_link(s, f.start, f.end) for i, s in enumerate(stages)}
    title = tr("Du don au prêt en %(year)s", year=f.year)
    table = DataTable(
        "entonnoir", title, (tr("Étape"), tr("Ordinateurs"), tr("Part des dons reçus (%)")), rows
    )
    section.tables.append(Shown(table, links))
    section.facts = {
        "dismantled_share": _share(flow.total("dismantled"), flow.total("triaged")),
        "donated": donated,
    }
    svg = charts.horizontal_bars(title, [str(r[0]) for r in rows], [int(r[1]) for r in rows])
    section.charts.append(Chart(charts.data_uri(svg), title, "entonnoir"))
    return section


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def stocks(ctx: Context) -> Section:
    tr, f = ctx.tr, ctx.filters
    data = d.stocks(ctx.conn, f, ctx.today)
    section = Section("stocks", tr("Stocks et attente"), facts={"stocks": data})
    sites = sorted({line.site for line in data.waiting})
    count = {(line.site, line.state): line.computers for line in data.waiting}
    rows: tuple[tuple[Cell, ...], ...] = tuple(
        (
            site,
            *(count.get((site, s), 0) for s in d.WAITING),
            sum(count.get((site, s), 0) for s in d.WAITING),
        )
        for site in sites
    )
    links = {
        (r, c + 1): computers_link(f, "etat", etat=state, site=site)
        for r, site in enumerate(sites)
        for c, state in enumerate(d.WAITING)
        if count.get((site, state))
    }
    columns = (tr("Site"), *(tr(STATES[s]) for s in d.WAITING), tr("Total"))
    title = tr("Ordinateurs en attente par site, aujourd'hui")
    section.tables.append(Shown(DataTable("stocks-par-site", title, columns, rows), links))
    ages, age_links = [], {}
    for r, state in enumerate(d.WAITING):
        lines = [line for line in data.waiting if line.state == state]
        bands = [sum(line.by_age[i] for line in lines) for i in range(4)]
        oldest = min((line.oldest_since for line in lines), default=None)
        ages.append((tr(STATES[state]), *bands, oldest, data.stuck(state)))
        if data.stuck(state):
            age_links[r, 6] = computers_link(f, "etat", etat=state, avant=data.stuck_before)
    columns = (
        tr("État"),
        tr("7 jours ou moins"),
        tr("8 à 30 jours"),
        tr("31 à 90 jours"),
        tr("Plus de 90 jours"),
        tr("En attente depuis le"),
        tr("Attendent depuis plus de %(n)s jours", n=data.stuck_after_days),
    )
    title = tr("Depuis combien de temps ils attendent")
    section.tables.append(
        Shown(DataTable("stocks-anciennete", title, columns, tuple(ages)), age_links)
    )
    return section


def lead_times(ctx: Context) -> Section:
    tr, f = ctx.tr, ctx.filters
    this, last = d.lead_times(ctx.conn, f, f.year), d.lead_times(ctx.conn, f, f.year - 1)
    section = Section("delais", tr("Délais en jours"))
    rows: tuple[tuple[Cell, ...], ...] = tuple(
        (tr(SEGMENTS[a.segment]), a.computers, a.median, a.p90, b.computers, b.median, b.p90)
        for a, b in zip(this, last, strict=True)
    )
    links = {}
    for r, (a, b) in enumerate(zip(this, last, strict=True)):
        if a.computers:
            links[r, 1] = computers_link(f, "delai", segment=a.segment, du=f.start, au=f.end)
        if b.computers:
            links[r, 4] = computers_link(
                f,
                "delai",
                segment=b.segment,
                du=date(f.year - 1, 1, 1),
                au=date(f.year - 1, 12, 31),
            )
    columns = (
        tr("Étape"),
        tr("Ordinateurs %(year)s", year=f.year),
        tr("Médiane %(year)s", year=f.year),
        tr("90 %% en moins de (%(year)s)", year=f.year),
        tr("Ordinateurs %(year)s", year=f.year - 1),
        tr("Médiane %(year)s", year=f.year - 1),
        tr("90 %% en moins de (%(year)s)", year=f.year - 1),
    )
    title = tr("Délais par étape, en jours : médiane et délai pour 9 ordinateurs sur 10")
    section.tables.append(Shown(DataTable("delais", title, columns, rows), links))
    return section


def loans(ctx: Context) -> Section:
    tr, f = ctx.tr, ctx.filters
    data = d.loans_of(ctx.conn, f, ctx.today, d.throughput(ctx.conn, f))
    section = Section(
        "prets",
        tr("Prêts"),
        facts={
            "loans": data,
            "links": {
                "active": computers_link(f, "etat", etat="on_loan"),
                "handed_out": ctx.steps_link("loaned", f.start, f.end),
                "returned": ctx.steps_link("returned", f.start, f.end),
            },
        },
    )
    rows = tuple((e.third_place, e.agreements, e.first_end) for e in data.ending)
    links = {
        (r, 1): computers_link(
            f, "fin-convention", site=e.third_place, du=ctx.today, au=data.ending_until
        )
        for r, e in enumerate(data.ending)
    }
    title = tr("Conventions qui se terminent d'ici 60 jours, par tiers-lieu")
    columns = (tr("Tiers-lieu"), tr("Conventions"), tr("Fin la plus proche"))
    section.tables.append(Shown(DataTable("conventions-a-echeance", title, columns, rows), links))
    return section


def materials(ctx: Context) -> Section:
    tr, f = ctx.tr, ctx.filters
    data = d.materials(ctx.conn, f, ctx.factors)
    section = Section("matieres", tr("Matières et impact"), facts={"materials": data})
    title = tr("Matières envoyées au recyclage en %(year)s (kg)", year=f.year)
    kg_rows = tuple((tr(VALUES.get(k, k)), kg) for k, kg in data.kg_by_fraction.items())
    dismantled = ctx.steps_link("dismantled", f.start, f.end)
    section.tables.append(
        Shown(
            DataTable("matieres-kg", title, (tr("Matière"), tr("kg")), kg_rows),
            {(r, 1): dismantled for r in range(len(kg_rows))},
        )
    )
    svg = charts.horizontal_bars(
        title, [str(r[0]) for r in kg_rows], [float(r[1]) for r in kg_rows], unit="kg"
    )
    section.charts.append(Chart(charts.data_uri(svg), title, "matieres-kg"))
    kinds = sorted({kind for kind, _ in data.components})
    parts = tuple(
        (
            tr(COMPONENTS.get(ComponentKind(k), k)),
            data.components.get((k, True), 0),
            data.components.get((k, False), 0),
        )
        for k in kinds
    )
    section.tables.append(
        Shown(
            DataTable(
                "composants",
                tr("Pièces récupérées en %(year)s", year=f.year),
                (tr("Pièce"), tr("Réutilisables"), tr("Non réutilisables")),
                parts,
            ),
            {(r, c): dismantled for r in range(len(parts)) for c in (1, 2) if parts[r][c]},
        )
    )
    impact = tuple(
        (
            tr(VALUES.get(i.device_type, i.device_type)),
            i.handouts,
            i.kg_co2e,
            tr("hypothèse") if i.assumed else tr("étude"),
        )
        for i in data.impact
    )
    note = tr(
        "Source : %(source)s. Chaque ordinateur confié compte pour %(years)s ans d'usage.",
        source=data.source,
        years=data.years_counted,
    )
    section.tables.append(
        Shown(
            DataTable(
                "co2-evite",
                tr("CO₂e évité par le réemploi en %(year)s", year=f.year),
                (
                    tr("Type d'appareil"),
                    tr("Confiés"),
                    tr("kg CO₂e évités"),
                    tr("Origine du facteur"),
                ),
                impact,
                note,
            ),
            {
                (r, 1): computers_link(
                    f, "etape", etape="loaned", du=f.start, au=f.end, type=i.device_type
                )
                for r, i in enumerate(data.impact)
            },
        )
    )
    return section


SECTIONS: dict[str, Callable[[Context], Section]] = {
    "objectif": target,
    "debit": throughput,
    "entonnoir": funnel,
    "stocks": stocks,
    "delais": lead_times,
    "prets": loans,
    "matieres": materials,
}
TABLES = {
    "objectif": "objectif",
    "objectif-cumul": "objectif",
    "debit-annee": "debit",
    "debit-annee-precedente": "debit",
    "entonnoir": "entonnoir",
    "stocks-par-site": "stocks",
    "stocks-anciennete": "stocks",
    "delais": "delais",
    "conventions-a-echeance": "prets",
    "matieres-kg": "matieres",
    "composants": "matieres",
    "co2-evite": "matieres",
}
