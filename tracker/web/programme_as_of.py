"""The programme as of a past date, for auditors: its figures and computers, read two ways.

As it happened (by the dates of the steps, the record as corrected since) and, given a day K,
as it was known at the end of K (what a report issued that day could see), with the steps
recorded, corrected or cancelled since. A GET form, so the address can be kept and shared.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from litestar import Controller, Request, get
from litestar.response import Template

from projections import directory
from projections.database import connection
from projections.directory import ProgrammeEntry
from tracker.domain.lifecycle import State
from tracker.programme_as_of import Period, changes, figures, last_full_year, standings
from tracker.web.access import READERS, allow
from tracker.web.forms import NOT_A_DATE, day_in
from tracker.web.pages import N_, REASONS, page, t
from tracker.web.sign_in import services_of

UNKNOWN_PROGRAMME = N_("Aucun programme n'a le code « %(code)s ». Choisissez-en un dans la liste.")
NO_PROGRAMME = N_("Aucun programme pour l'instant : il n'y a rien à montrer.")
END_BEFORE_START = REASONS["before_start"]
AS_KNOWN = "connu"  # `lecture`: the list as known on K (else as corrected since)
MAX_PAGE_DIGITS = 6


@dataclass(frozen=True)
class Asked:
    """What the address asks for, checked: the period, the list's filters, what was wrong."""

    values: dict[str, str]  # what the form shows again
    period: Period | None  # None: nothing to show (no programme, or a wrong field)
    state: State | None = None
    as_known: bool = False
    page: int = 1
    errors: dict[str, str] = field(default_factory=dict)


def asked_in(
    request: Request[Any, Any, Any], query: Mapping[str, str],
    programmes: Sequence[ProgrammeEntry], today: date,
) -> Asked:  # fmt: skip
    """The period and filters in the address; empty dates are the last full calendar year."""
    codes = [p.code for p in programmes]
    code = query.get("programme", "").strip().upper() or (codes[0] if codes else "")
    default_start, default_end = last_full_year(today)
    days: dict[str, date | None] = {}
    errors: dict[str, str] = {}
    for name, default in (("du", default_start), ("au", default_end), ("connu_le", None)):
        raw = query.get(name, "").strip()
        days[name] = day_in(raw) if raw else default
        if raw and days[name] is None:
            errors[name] = t(request, NOT_A_DATE)
    start, end, known_on = days["du"], days["au"], days["connu_le"]
    if start and end and end < start:
        errors["au"] = t(request, END_BEFORE_START)
    if code and code not in codes:
        errors["programme"] = t(request, UNKNOWN_PROGRAMME, code=code)
    values = {"programme": code, **{n: d.isoformat() if d else "" for n, d in days.items()}}
    if not codes or not start or not end or set(errors) & {"du", "au", "programme"}:
        return Asked(values, None, errors=errors)
    state_text, page_text = query.get("etat", ""), query.get("page", "")
    return Asked(
        values,
        Period(code, start, end, known_on),
        state=State(state_text) if state_text in set(State) else None,
        as_known=query.get("lecture") == AS_KNOWN and known_on is not None,
        page=int(page_text) if page_text.isdigit() and len(page_text) <= MAX_PAGE_DIGITS else 1,
        errors=errors,
    )


class ProgrammeAsOfController(Controller):
    """One page: the form, the figures, the changes since K and the computers on the last day."""

    path = "/audit/programme"

    @get("/", opt=allow(READERS), sync_to_thread=True)
    def show_programme_as_of(self, request: Request[Any, Any, Any]) -> Template:
        """The page for the programme and period in the address (400 if a field is wrong)."""
        services = services_of(request)
        zone = services.inventory.zone
        query = {key: request.query_params.get(key, "") for key in request.query_params}
        with connection(services.database) as conn:
            programmes = directory.programmes(conn)
            asked = asked_in(request, query, programmes, services.inventory.today())
            context: dict[str, Any] = {
                "programmes": programmes,
                "values": asked.values,
                "errors": asked.errors,
                "period": asked.period,
                "zone": str(zone),
                "nothing": t(request, NO_PROGRAMME) if not programmes else "",
            }
            if asked.period is not None:
                period = asked.period
                context |= {
                    "programme": next(p for p in programmes if p.code == period.programme),
                    "figures": figures(conn, period, zone),
                    "changes": changes(conn, period, zone),
                    "standings": standings(conn, period, zone, as_known=asked.as_known,
                                           state=asked.state, page=asked.page),
                    "state": asked.state,
                    "as_known": asked.as_known,
                    "list_query": {
                        **asked.values,
                        "etat": asked.state.value if asked.state else "",
                        "lecture": AS_KNOWN if asked.as_known else "",
                    },
                }  # fmt: skip
        status = 400 if asked.errors else 200
        return page(request, "pages/programme_as_of.html", context, status=status)
