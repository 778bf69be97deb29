"""The home page of each role: what a person of that role needs to see first."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from typing import Any

from litestar import Controller, Request, get
from litestar.response import Redirect, Template

from projections import activity, asset_register, directory, funding
from projections.database import connection
from tracker.domain.lifecycle import State
from tracker.domain.user import Role
from tracker.web.access import EVERYONE, REFERENCE_EDITORS, allow, home_of
from tracker.web.beneficiary_forms import third_places
from tracker.web.pages import account_of, page
from tracker.web.sign_in import services_of

WAITING = (State.AWAITING_TRIAGE, State.TO_RECONDITION, State.TO_DISMANTLE, State.READY_TO_LOAN)


class HomeController(Controller):
    """One home page per role, all read from the read models."""

    @get("/", opt=allow(EVERYONE))
    async def go_home(self, request: Request[Any, Any, Any]) -> Redirect:
        account = account_of(request)
        return Redirect(home_of(account) if account else "/connexion", status_code=303)

    @get("/atelier", opt=allow(Role.WORKSHOP), sync_to_thread=True)
    def show_workshop_home(self, request: Request[Any, Any, Any]) -> Template:
        account = account_of(request)
        sites = account.sites if account else ()
        services = services_of(request)
        with connection(services.database) as conn:
            stock = [s for s in asset_register.stock(conn) if s.site in sites]
            known = {s.code: s for s in directory.sites(conn)}
            recent = [e for site in sites for e in activity.recent(conn, 10, site=site)]
            keeps_register = bool(third_places(conn, account))
        counts: dict[str, dict[State, int]] = {site: defaultdict(int) for site in sites}
        for line in stock:
            counts[line.site][line.state] += line.computers
        recent.sort(key=lambda e: e.recorded_at, reverse=True)
        return page(request, "pages/home_workshop.html", {
            "sites": [(code, known.get(code), counts[code]) for code in sites],
            "states": WAITING, "recent": recent[:10], "keeps_register": keeps_register,
        })  # fmt: skip

    @get("/audit", opt=allow(Role.AUDITOR), sync_to_thread=True)
    def show_auditor_home(self, request: Request[Any, Any, Any]) -> Template:
        services = services_of(request)
        with connection(services.database) as conn:
            recent = activity.recent(conn, 25)
            computers = asset_register.count(conn)
        status = services.read_models.status(with_rows=False)
        zone = services.inventory.zone
        for_people = [replace(e, recorded_at=e.recorded_at.astimezone(zone)) for e in recent]
        return page(request, "pages/home_auditor.html",
                    {"recent": for_people, "computers": computers, "status": status})  # fmt: skip

    @get("/gestion", opt=allow(REFERENCE_EDITORS), sync_to_thread=True)
    def show_management_home(self, request: Request[Any, Any, Any]) -> Template:
        with connection(services_of(request).database) as conn:
            counts = {
                "users": len(directory.users(conn)),
                "sites": len(directory.sites(conn)),
                "programmes": len(directory.programmes(conn)),
                "donors": len(directory.donors(conn)),
                "funders": len(funding.funders(conn)),
                "funding_lines": len(funding.funding_lines(conn)),
            }
        return page(request, "pages/home_management.html", {"counts": counts})
