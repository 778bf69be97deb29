"""Materials: kg per material fraction and components harvested, per day, site and outlet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from projections.database import Connection
from projections.readmodel import Derived, ReadModel, Table
from projections.timeline import Timeline, whole

MATERIALS = Table(
    "materials",
    ("day", "site", "programme", "outlet", "fraction"),
    ("dismantlings", "grams"),
    additive=True,
)
COMPONENTS = Table(
    "components",
    ("day", "site", "programme", "kind", "reusable"),
    ("dismantlings", "quantity"),
    additive=True,
)


def derive(timeline: Timeline) -> Derived:
    """What each dismantling in force sent to recycling and harvested, as corrected."""
    programme = timeline.identity["programme"]
    materials, components = [], []
    for step in timeline.in_force():
        if step.kind != "Dismantled":
            continue
        where = (step.occurred_on, step.site, programme)
        outlet = step.details["outlet"]
        for fraction, kg in sorted(step.details["materials_kg"].items()):
            grams = whole(kg, 1000)
            if grams:
                materials.append((*where, outlet, fraction, 1, grams))
        for part in step.details["components"]:
            components.append((*where, part["kind"], bool(part["reusable"]), 1, part["count"]))
    return {MATERIALS.name: tuple(materials), COMPONENTS.name: tuple(components)}


READ_MODEL = ReadModel("materials", (MATERIALS, COMPONENTS), derive)


@dataclass(frozen=True)
class FractionTotal:
    """Kilograms of one material fraction sent to recycling in a period."""

    fraction: str
    kg: float


def kg_by_fraction(
    conn: Connection, start: date, end: date, site: str | None = None
) -> list[FractionTotal]:
    """Kilograms per fraction dismantled from start to end inclusive."""
    sql = "SELECT fraction, SUM(grams) FROM materials WHERE day >= ? AND day <= ?"
    params: list[object] = [start, end]
    if site:
        sql += " AND site = ?"
        params.append(site)
    rows = conn.execute(sql + " GROUP BY fraction ORDER BY fraction", params)
    return [FractionTotal(fraction, int(grams) / 1000) for fraction, grams in rows]
