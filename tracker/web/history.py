"""An auditor's history of one computer: every event in order, and the computer as of a date.

Two readings of "as of": as it happened (by the dates of the steps, as the record stands now)
and as it was known (only what had been recorded by the end of that day, as a report issued
that day saw it), with the corrections recorded since.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from tracker.domain import asset_tag
from tracker.domain.exceptions import InvalidTagError, UnknownComputerError
from tracker.history import computer_history
from tracker.history_as_of import as_happened, as_known, corrected_since
from tracker.web.access import READERS, allow
from tracker.web.forms import NOT_A_DATE, day_in
from tracker.web.history_view import changes, rows
from tracker.web.pages import N_, language, page, t
from tracker.web.sign_in import services_of

NOT_FOUND = N_("Aucun ordinateur ne porte l'étiquette « %(query)s ». Vérifiez ce qui est écrit "
               "sur l'étiquette et réessayez.")  # fmt: skip
EMPTY = N_("Tapez ou scannez l'étiquette de l'ordinateur.")


class HistoryController(Controller):
    """The history page of one computer, and the search that leads to it."""

    path = "/audit/ordinateurs"

    @get("/", opt=allow(READERS), sync_to_thread=True)
    def find_history(
        self, request: Request[Any, Any, Any], etiquette: FromQuery[str] = ""
    ) -> Template | Redirect:
        """The search form, or the history of the computer carrying the tag typed."""
        query = etiquette.strip()
        if not query:
            error = t(request, EMPTY) if "etiquette" in request.query_params else ""
            return page(request, "pages/history_search.html", {"query": "", "error": error})
        try:
            tag = services_of(request).inventory.computer(asset_tag.normalize(query)).tag
        except (UnknownComputerError, InvalidTagError):
            error = t(request, NOT_FOUND, query=query)
            context = {"query": query, "error": error}
            return page(request, "pages/history_search.html", context, status=404)
        return Redirect(f"/audit/ordinateurs/{tag}", status_code=303)

    @get("/{tag:str}", opt=allow(READERS), sync_to_thread=True)
    def show_history(
        self,
        request: Request[Any, Any, Any],
        tag: FromPath[str],
        au: FromQuery[str] = "",
        connu_le: FromQuery[str] = "",
    ) -> Template:
        """The page; an unknown tag raises UnknownComputerError, answered by the 404 page."""
        inventory = services_of(request).inventory
        history = computer_history(inventory, tag)
        zone, lang = inventory.zone, language(request)
        happened_on, known_on = day_in(au), day_in(connu_le)
        errors = {
            name: t(request, NOT_A_DATE)
            for name, raw, day in (("au", au, happened_on), ("connu_le", connu_le, known_on))
            if raw.strip() and day is None
        }
        context: dict[str, Any] = {
            "history": history,
            "rows": rows(history.entries, zone, lang),
            "values": {
                name: day.isoformat() if day else ""
                for name, day in (("au", happened_on), ("connu_le", known_on))
            },
            "zone": str(zone),
            "errors": errors,
            "happened": None,
            "known": None,
            "later": (),
            "last_recorded": history.entries[-1].recorded_at.astimezone(zone),
        }
        if happened_on or known_on:
            events = inventory.computer_events(tag)
            if happened_on:
                context["happened"] = as_happened(events, happened_on)
            if known_on:
                context["known"] = as_known(events, known_on, zone)
                context["later"] = [
                    (later, later.recorded_at.astimezone(zone), changes(lang, later.changes))
                    for later in corrected_since(events, known_on, zone)
                ]
        return page(request, "pages/history.html", context, status=400 if errors else 200)
