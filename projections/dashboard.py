"""Dashboard: monthly totals per scope (everything, one programme, one site), kept ready to read.

Each step in force adds to three scopes at once: "*" (every programme), "p:<programme>" and
"s:<site where it was done>". A dashboard for any filter then reads twelve months of one
scope: a few hundred rows however long the history and however many programmes there are.
Lead times are kept as a histogram of days, so percentiles come from counts, not from rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from projections.database import Connection, Row
from projections.readmodel import Derived, ReadModel, Table
from projections.timeline import STAGES, Timeline, whole

ALL = "*"

FLOW = Table("dash_flow", ("scope", "month", "stage"), ("steps",), additive=True)
LEAD_DAYS = Table(
    "dash_lead_days", ("scope", "month", "segment", "days"), ("computers",), additive=True
)
MATERIALS = Table(
    "dash_materials", ("scope", "month", "fraction"), ("dismantlings", "grams"), additive=True
)
COMPONENTS = Table(
    "dash_components",
    ("scope", "month", "kind", "reusable"),
    ("dismantlings", "quantity"),
    additive=True,
)
HANDOUTS = Table(
    "dash_handouts",
    ("scope", "month", "device_type"),
    ("loans", "contribution_cents"),
    additive=True,
)
TABLES = (FLOW, LEAD_DAYS, MATERIALS, COMPONENTS, HANDOUTS)

# The steps that move a computer along the chain, in order (wipes and transfers happen within
# a stage); the lead-time segments join consecutive ones, and arrival to outcome.
MILESTONES = (
    "donated",
    "triaged",
    "dismantled",
    "reconditioned",
    "loaned",
    "returned",
    "written_off",
)
_ARRIVALS = frozenset({"donated", "returned"})
_OUTCOMES = frozenset({"loaned", "dismantled"})


def scope_of(programme: str = "", site: str = "") -> str:
    """The scope a filter reads: a site, else a programme, else everything."""
    return f"s:{site}" if site else f"p:{programme}" if programme else ALL


def _scopes(programme: str, site: str) -> tuple[str, str, str]:
    return ALL, f"p:{programme}", f"s:{site}"


def _month(day: date) -> str:
    return day.isoformat()[:7]


def segments(timeline: Timeline) -> Iterator[tuple[str, date, date, str]]:
    """(segment, from, to, site where it ended) between milestones, and arrival to outcome."""
    milestones = [s for s in timeline.in_force() if STAGES[s.kind] in MILESTONES]
    arrival = None
    for before, after in zip([None, *milestones], milestones, strict=False):
        stage = STAGES[after.kind]
        if before is not None:
            name = f"{STAGES[before.kind]}_to_{stage}"
            yield name, before.occurred_on, after.occurred_on, after.site
        if stage in _ARRIVALS:
            arrival = after
        elif stage in _OUTCOMES and arrival is not None:
            yield f"arrival_to_{stage}", arrival.occurred_on, after.occurred_on, after.site


def derive(timeline: Timeline) -> Derived:
    """What one computer adds to each scope's monthly totals."""
    identity = timeline.identity
    programme, device_type = identity["programme"], identity["device_type"]
    flow: list[Row] = []
    lead: list[Row] = []
    kilos: list[Row] = []
    parts: list[Row] = []
    handouts: list[Row] = []
    for step in timeline.in_force():
        month = _month(step.occurred_on)
        scopes = _scopes(programme, step.site)
        flow.extend((scope, month, STAGES[step.kind], 1) for scope in scopes)
        if step.kind == "Dismantled":
            for fraction, kg in sorted(step.details["materials_kg"].items()):
                grams = whole(kg, 1000)
                kilos.extend((scope, month, fraction, 1, grams) for scope in scopes if grams)
            for part in step.details["components"]:
                kind, reusable = part["kind"], bool(part["reusable"])
                parts.extend((scope, month, kind, reusable, 1, part["count"]) for scope in scopes)
        elif step.kind == "Loaned":
            cents = whole(step.details["contribution_eur"], 100)
            handouts.extend((scope, month, device_type, 1, cents) for scope in scopes)
    for segment, start, end, site in segments(timeline):
        days = (end - start).days
        lead.extend((scope, _month(end), segment, days, 1) for scope in _scopes(programme, site))
    return {
        FLOW.name: tuple(flow),
        LEAD_DAYS.name: tuple(lead),
        MATERIALS.name: tuple(kilos),
        COMPONENTS.name: tuple(parts),
        HANDOUTS.name: tuple(handouts),
    }


READ_MODEL = ReadModel("dashboard", TABLES, derive)


# -- queries: one scope, a range of months ------------------------------------------------


def monthly_steps(
    conn: Connection, scope: str, first: str, last: str
) -> dict[tuple[str, str], int]:
    """Steps per (month, stage) from month `first` to `last` inclusive ("YYYY-MM")."""
    rows = conn.execute(
        "SELECT month, stage, steps FROM dash_flow WHERE scope = ? AND month >= ? AND month <= ?",
        (scope, first, last),
    )
    return {(str(month), str(stage)): int(n) for month, stage, n in rows}


def lead_histogram(
    conn: Connection, scope: str, first: str, last: str
) -> dict[str, dict[int, int]]:
    """For each segment completed in those months: how many computers took each number of days."""
    rows = conn.execute(
        "SELECT segment, days, SUM(computers) FROM dash_lead_days "
        "WHERE scope = ? AND month >= ? AND month <= ? GROUP BY segment, days",
        (scope, first, last),
    )
    found: dict[str, dict[int, int]] = {}
    for segment, days, n in rows:
        found.setdefault(str(segment), {})[int(days)] = int(n)
    return found


def grams_by_fraction(conn: Connection, scope: str, first: str, last: str) -> dict[str, int]:
    """Grams sent to recycling per material fraction."""
    rows = conn.execute(
        "SELECT fraction, SUM(grams) FROM dash_materials "
        "WHERE scope = ? AND month >= ? AND month <= ? GROUP BY fraction",
        (scope, first, last),
    )
    return {str(fraction): int(grams) for fraction, grams in rows}


def components(conn: Connection, scope: str, first: str, last: str) -> dict[tuple[str, bool], int]:
    """Components harvested per (kind, reusable)."""
    rows = conn.execute(
        "SELECT kind, reusable, SUM(quantity) FROM dash_components "
        "WHERE scope = ? AND month >= ? AND month <= ? GROUP BY kind, reusable",
        (scope, first, last),
    )
    return {(str(kind), bool(reusable)): int(n) for kind, reusable, n in rows}


def handouts(conn: Connection, scope: str, first: str, last: str) -> dict[str, tuple[int, int]]:
    """Loans and contributions (in cents) per device type."""
    rows = conn.execute(
        "SELECT device_type, SUM(loans), SUM(contribution_cents) FROM dash_handouts "
        "WHERE scope = ? AND month >= ? AND month <= ? GROUP BY device_type",
        (scope, first, last),
    )
    return {str(kind): (int(loans), int(cents)) for kind, loans, cents in rows}


def years(conn: Connection) -> list[int]:
    """The years with at least one step, newest first."""
    rows = conn.execute(
        "SELECT DISTINCT SUBSTR(month, 1, 4) FROM dash_flow WHERE scope = ?", (ALL,)
    )
    return sorted((int(row[0]) for row in rows), reverse=True)
