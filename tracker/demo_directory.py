"""The demo's reference data and accounts: programmes, sites, donors, people, funders.

Two funders pay for the demo's programme, each through one funding line over the demo years.

The four demo accounts (one per role) have published passwords: for the demo only.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from tracker import demo_catalogue as cat
from tracker.application import Inventory
from tracker.domain.site import SiteKind
from tracker.domain.user import Role
from tracker.domain.vocabulary import BeneficiaryCategory as Public
from tracker.domain.vocabulary import FundedStage as Stage

SETUP = "demo"
_KINDS = {"esat": SiteKind.SORTING_WORKSHOP, "insertion": SiteKind.INSERTION_WORKSHOP,
          "third_place": SiteKind.THIRD_PLACE}  # fmt: skip
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


DEMO_FUNDERS = (
    ("CD35", "Conseil départemental d'Ille-et-Vilaine", "departement"),
    ("FSE-PLUS", "Fonds social européen (FSE+)", "fse_plus"),
)


def donor_code(name: str) -> str:
    """A short code for a donor's name: "Rennes Métropole" -> "RENNES-METROPOLE"."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Z0-9]+", "-", plain.upper()).strip("-")[:40]


def register_directory(
    inventory: Inventory, years: tuple[int, int], chains: Sequence[cat.Chain] = (cat.DEMO,)
) -> int:
    """Record the programmes, sites, donors and accounts; returns how many records.

    When the demo's programme is among the chains, its funders and their funding lines, which
    cover `years` (the first and the last), are recorded too.
    """
    records = 0
    for chain in chains:
        inventory.register_programme(
            code=chain.programme, name=chain.name, territory=chain.territory, actor=SETUP
        )
        for site in chain.sites:
            inventory.register_site(
                code=site.code,
                name=site.name,
                kind=_KINDS[site.kind],
                town=site.town,
                programme=chain.programme,
                actor=SETUP,
            )
        for name in chain.donors:
            inventory.register_donor(
                code=donor_code(name), name=name, kind=_donor_kind(name), town="", actor=SETUP
            )
        records += 1 + len(chain.sites) + len(chain.donors)
        if chain.accounts:
            records += _register_staff(inventory, chain)
    for account in DEMO_ACCOUNTS:
        inventory.register_user(
            name=account.username,
            display_name=account.display_name,
            password=account.password,
            roles=account.roles,
            actor=SETUP,
        )
    if cat.DEMO in chains:
        records += _register_funding(inventory, *years)
    return records + len(DEMO_ACCOUNTS)


def _register_funding(inventory: Inventory, first: int, last: int) -> int:
    """The département pays for reconditioning and hand-outs at every site.

    The FSE+ pays for the work of the two workshops (triage, dismantling, reconditioning),
    where people with disabilities and people back into work are employed.
    """
    for code, name, kind in DEMO_FUNDERS:
        inventory.register_funder(code=code, name=name, kind=kind, actor=SETUP)
    starts_on, ends_on = date(first, 1, 1), date(last, 12, 31)
    inventory.register_funding_line(
        code=f"DEPT-{first}-CD35", funder="CD35", programme=cat.PROGRAMME, starts_on=starts_on,
        ends_on=ends_on,
        stages=[Stage.RECONDITIONED, Stage.LOANED], categories=[Public.MINIMUM_INCOME],
        note="Convention du parcours numérique solidaire (démo)", actor=SETUP,
    )  # fmt: skip
    inventory.register_funding_line(
        code=f"FSE-{first}-CD35", funder="FSE-PLUS", programme=cat.PROGRAMME,
        starts_on=starts_on, ends_on=ends_on,
        stages=[Stage.TRIAGED, Stage.DISMANTLED, Stage.RECONDITIONED],
        sites=[cat.ESAT.code, cat.WORKSHOP.code],
        categories=[Public.MINIMUM_INCOME, Public.JOBSEEKER, Public.YOUNG_16_25],
        note="Opération FSE+ « insertion par le réemploi » (démo)", actor=SETUP,
    )  # fmt: skip
    return len(DEMO_FUNDERS) + 2


def _donor_kind(name: str) -> str:
    if name.startswith(_PUBLIC_BODIES):
        return "local_authority"
    if name.startswith(_ADMINISTRATIONS):
        return "administration"
    return "company"


def _register_staff(inventory: Inventory, chain: cat.Chain) -> int:
    """Accounts for the people of a chain's sites (nobody knows their passwords)."""
    for site in chain.sites:
        for person in site.staff:
            inventory.register_user(
                name=person,
                display_name=person.split(".")[0].capitalize(),
                password=secrets.token_urlsafe(24),
                roles={Role.WORKSHOP: (site.code,)},
                actor=SETUP,
            )
    return sum(len(site.staff) for site in chain.sites)
