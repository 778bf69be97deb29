"""What a dashboard section shows: tables with links to the computers behind each number, charts.

A section is built the same way for the page, for its live refresh and for its exports, so a
downloaded table always holds the figures on screen.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

from tracker.dashboard import Filters
from tracker.tables import DataTable

Translate = Callable[..., str]  # (French message, **values) -> the reader's words


@dataclass(frozen=True)
class Shown:
    """A table as the page shows it: links on some cells, (row, column) → URL."""

    table: DataTable
    links: Mapping[tuple[int, int], str] = field(default_factory=dict)
    folded: bool = False  # the data table of a chart: shown on demand


@dataclass(frozen=True)
class Chart:
    """A chart (SVG as a data URI), its text alternative and the table that carries its data."""

    uri: str
    alt: str
    table: str  # slug of the Shown table with the same figures


@dataclass
class Section:
    """One part of the dashboard: refreshed alone, exported table by table."""

    name: str
    title: str
    tables: list[Shown] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)  # the figures its template writes out

    def table(self, slug: str) -> DataTable | None:
        return next((s.table for s in self.tables if s.table.slug == slug), None)

    def shown(self, slug: str) -> Shown | None:
        return next((s for s in self.tables if s.table.slug == slug), None)

    def digest(self) -> str:
        """A short fingerprint of the figures, to answer 'nothing changed' to a live refresh."""
        text = repr((self.tables, self.facts, [c.table for c in self.charts]))
        return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def filter_query(filters: Filters) -> dict[str, str]:
    """The filters as URL parameters (the defaults left out, so links stay short)."""
    query = {"annee": str(filters.year)}
    if filters.programme:
        query["programme"] = filters.programme
    if filters.site:
        query["site"] = filters.site
    if filters.stuck_after_days != Filters.stuck_after_days:
        query["attente"] = str(filters.stuck_after_days)
    return query


def computers_link(filters: Filters, liste: str, **params: str | date | int) -> str:
    """The list of the computers behind a figure, with the dashboard's filters."""
    query = {**filter_query(filters), "liste": liste}
    query.update({k: v.isoformat() if isinstance(v, date) else str(v) for k, v in params.items()})
    return "/suivi/ordinateurs?" + urlencode(query)
