"""The demo's reference data and accounts: one programme, its sites and donors, its people.

The four demo accounts (one per role) have published passwords: for the demo only.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass

from tracker import demo_catalogue as cat
from tracker.application import Inventory
from tracker.domain.site import SiteKind
from tracker.domain.user import Role

SETUP = "demo"
_KINDS = {"esat": SiteKind.SORTING_WORKSHOP, "insertion": SiteKind.INSERTION_WORKSHOP,
          "third_place": SiteKind.THIRD_PLACE}  # fmt: skip
_TOWNS = {"ESAT-RANCE": "Dinan", "AI-VILAINE": "Rennes", "TL-REDON": "Redon",
          "TL-VITRE": "Vitré", "TL-FOUGERES": "Fougères"}  # fmt: skip
_PUBLIC_BODIES = ("Conseil", "Rennes Métropole", "Région", "Caisse", "Mairie")
_ADMINISTRATIONS = ("CHU", "Université", "Lycée")


@dataclass(frozen=True)
class DemoAccount:
    """A demo account whose password the README publishes."""

    username: str
    password: str
    display_name: str
    roles: dict[Role, tuple[str, ...]]


DEMO_ACCOUNTS = (
    DemoAccount(
        "atelier",
        "demo-atelier",
        "Compte atelier (démo)",
        {Role.WORKSHOP: (cat.ESAT.code, cat.WORKSHOP.code, cat.THIRD_PLACES[0].code)},
    ),
    DemoAccount("agent", "demo-agent", "Agent du département (démo)", {Role.OFFICER: ()}),
    DemoAccount("auditeur", "demo-auditeur", "Auditeur (démo)", {Role.AUDITOR: ()}),
    DemoAccount("admin", "demo-admin", "Administrateur (démo)", {Role.ADMIN: ()}),
)


def donor_code(name: str) -> str:
    """A short code for a donor's name: "Rennes Métropole" -> "RENNES-METROPOLE"."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Z0-9]+", "-", plain.upper()).strip("-")[:40]


def register_directory(inventory: Inventory) -> int:
    """Record the programme, sites, donors and accounts; returns how many records."""
    inventory.register_programme(
        code=cat.PROGRAMME,
        name="Parcours numérique solidaire 35",
        territory="Ille-et-Vilaine",
        actor=SETUP,
    )
    for site in cat.SITES:
        inventory.register_site(
            code=site.code,
            name=site.name,
            kind=_KINDS[site.kind],
            town=_TOWNS[site.code],
            programme=cat.PROGRAMME,
            actor=SETUP,
        )
    for name in cat.DONORS:
        kind = "company"
        if name.startswith(_PUBLIC_BODIES):
            kind = "local_authority"
        elif name.startswith(_ADMINISTRATIONS):
            kind = "administration"
        inventory.register_donor(code=donor_code(name), name=name, kind=kind, town="", actor=SETUP)
    for site in cat.SITES:
        for person in site.staff:
            inventory.register_user(
                name=person,
                display_name=person.split(".")[0].capitalize(),
                password=secrets.token_urlsafe(24),  # nobody signs in as them: no known password
                roles={Role.WORKSHOP: (site.code,)},
                actor=SETUP,
            )
    for account in DEMO_ACCOUNTS:
        inventory.register_user(
            name=account.username,
            display_name=account.display_name,
            password=account.password,
            roles=account.roles,
            actor=SETUP,
        )
    return (
        1
        + len(cat.SITES)
        + len(cat.DONORS)
        + sum(len(s.staff) for s in cat.SITES)
        + len(DEMO_ACCOUNTS)
    )
