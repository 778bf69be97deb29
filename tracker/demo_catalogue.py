"""The fictional but realistic programmes the demo data describes: sites, people, donors, models.

The demo is one département's chain (CD35). The national data set of the benchmarks adds one
chain per other département, built by `national()` on the same pattern.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

PROGRAMME = "CD35"


@dataclass(frozen=True)
class Site:
    code: str
    name: str
    kind: str  # "esat" (triage, wipe, dismantling), "insertion" (reconditioning), "third_place"
    staff: tuple[str, ...]
    town: str = ""


ESAT = Site("ESAT-RANCE", "ESAT Les Ateliers du Rance", "esat", ("amelie.r", "karim.b", "lea.g"),
            "Dinan")  # fmt: skip
WORKSHOP = Site("AI-VILAINE", "Atelier d'insertion Vilaine Numérique", "insertion",
                ("sofia.m", "lucas.d", "ines.k"), "Rennes")  # fmt: skip
THIRD_PLACES = (
    Site("TL-REDON", "Tiers-lieu La Fabrique, Redon", "third_place", ("nadia.t",), "Redon"),
    Site("TL-VITRE", "Espace numérique de Vitré", "third_place", ("julien.p",), "Vitré"),
    Site("TL-FOUGERES", "La Maison du numérique, Fougères", "third_place", ("claire.v",),
         "Fougères"),
)  # fmt: skip
SITES = (ESAT, WORKSHOP, *THIRD_PLACES)

DONORS = (
    "Conseil départemental d'Ille-et-Vilaine",
    "Rennes Métropole",
    "CHU de Rennes",
    "Crédit Mutuel de Bretagne",
    "Université Rennes 2",
    "Région Bretagne",
    "Caisse d'allocations familiales 35",
    "Groupama Loire Bretagne",
    "Lycée Chateaubriand",
    "Enedis Bretagne",
    "SNCF Voyageurs Bretagne",
    "Mairie de Saint-Malo",
    "Ouest-France",
    "Orange Business Rennes",
    "Thales Rennes",
)

# (device type, brand, model, share of donations)
MODELS = (
    ("laptop", "Dell", "Latitude E5470", 8),
    ("laptop", "Dell", "Latitude 5490", 9),
    ("laptop", "Dell", "Latitude 7480", 5),
    ("laptop", "HP", "EliteBook 840 G3", 8),
    ("laptop", "HP", "EliteBook 840 G5", 7),
    ("laptop", "HP", "ProBook 450 G5", 6),
    ("laptop", "Lenovo", "ThinkPad T470", 9),
    ("laptop", "Lenovo", "ThinkPad T480", 8),
    ("laptop", "Lenovo", "ThinkPad L480", 5),
    ("laptop", "Lenovo", "ThinkPad X270", 4),
    ("desktop", "Dell", "OptiPlex 7040", 6),
    ("desktop", "HP", "ProDesk 600 G3", 6),
    ("desktop", "Lenovo", "ThinkCentre M710s", 5),
    ("all_in_one", "HP", "EliteOne 800 G3", 3),
    ("mini_pc", "Lenovo", "ThinkCentre M720q", 4),
    ("mini_pc", "Dell", "OptiPlex 3070 Micro", 3),
    ("tablet", "Microsoft", "Surface Pro 5", 2),
)

# Typical kg recovered per fraction when one unit is dismantled.
MATERIALS_KG = {
    "laptop": {"ferrous": "0.30", "non_ferrous": "0.35", "plastics": "0.60",
               "circuit_boards": "0.25", "batteries": "0.30", "cables": "0.05",
               "screens": "0.40"},
    "desktop": {"ferrous": "4.20", "non_ferrous": "0.80", "plastics": "0.70",
                "circuit_boards": "0.60", "cables": "0.30"},
    "all_in_one": {"ferrous": "3.10", "non_ferrous": "0.60", "plastics": "1.40",
                   "circuit_boards": "0.55", "cables": "0.20", "screens": "2.50"},
    "mini_pc": {"ferrous": "0.60", "non_ferrous": "0.20", "plastics": "0.20",
                "circuit_boards": "0.20", "cables": "0.10"},
    "tablet": {"non_ferrous": "0.25", "plastics": "0.10", "circuit_boards": "0.10",
               "batteries": "0.20", "screens": "0.30"},
}  # fmt: skip

OUTLETS = ("ecosystem - Rennes", "Envie 35", "Paprec Bretagne")
WIPE_TOOLS = (("nwipe 0.37 (ShredOS)", "NIST SP 800-88 Clear"),
              ("Blancco Drive Eraser 7", "NIST SP 800-88 Purge"))  # fmt: skip
OPERATING_SYSTEMS = ("Linux Mint 22.1", "Ubuntu 24.04 LTS", "Emmabuntüs DE5",
                     "Windows 11 Pro (licence reconditionneur)")  # fmt: skip
PARTS = ("barrette RAM 8 Go", "SSD 256 Go", "batterie neuve", "clavier AZERTY", "chargeur")

# Relative intake by month: less in summer, more at the end of the companies' budget year.
SEASON = (1.1, 1.0, 1.2, 1.1, 1.0, 1.2, 0.7, 0.3, 1.0, 1.2, 1.3, 1.0)
UNITS_PER_YEAR = 740  # about 72 % are reconditioned: ~500 handed out a year
RECONDITION_SHARE = 0.72
CONTRIBUTION = Decimal(25)


@dataclass(frozen=True)
class Chain:
    """One programme's chain: its sites in order, its donors, how many computers it receives."""

    programme: str
    name: str
    territory: str
    esat: Site
    workshop: Site
    third_places: tuple[Site, ...]
    donors: tuple[str, ...]
    units_per_year: int
    accounts: bool = False  # whether its staff get user accounts (the demo's chain only)

    @property
    def sites(self) -> tuple[Site, ...]:
        return (self.esat, self.workshop, *self.third_places)

    @property
    def label_prefix(self) -> str:
        """How the donors of this chain label their assets (INV-…, INV01-…)."""
        return "INV" if self == DEMO else f"INV{self.programme.removeprefix('CD')}"


DEMO = Chain(PROGRAMME, "Parcours numérique solidaire 35", "Ille-et-Vilaine", ESAT, WORKSHOP,
             THIRD_PLACES, DONORS, UNITS_PER_YEAR, accounts=True)  # fmt: skip

# Département numbers (mainland and overseas) for the other chains of the national data set.
DEPARTEMENTS = (
    *(f"{n:02d}" for n in range(1, 96) if n not in (20, 35)), "2A", "2B",
    "971", "972", "973", "974", "976",
)  # fmt: skip
NATIONAL_UNITS_PER_YEAR = 500  # about 100 programmes by 500 a year: the brief's national scale


def national(programmes: int) -> tuple[Chain, ...]:
    """The demo's chain and `programmes - 1` others, one per département, on its pattern."""
    chains = [DEMO]
    for number in DEPARTEMENTS[: max(programmes - 1, 0)]:
        chains.append(
            Chain(
                programme=f"CD{number}",
                name=f"Parcours numérique solidaire {number}",
                territory=f"Département {number}",
                esat=_site(number, "ESAT", "ESAT du réemploi", "esat", 3),
                workshop=_site(number, "AI", "Atelier d'insertion numérique", "insertion", 3),
                third_places=tuple(
                    _site(number, f"TL{i}", f"Tiers-lieu numérique {i}", "third_place", 1)
                    for i in range(1, 4)
                ),
                donors=tuple(f"{donor} ({number})" for donor in NATIONAL_DONORS),
                units_per_year=NATIONAL_UNITS_PER_YEAR,
            )
        )
    return tuple(chains)


def _site(number: str, prefix: str, name: str, kind: str, people: int) -> Site:
    staff = tuple(f"{prefix.lower()}{i}.{number.lower()}" for i in range(1, people + 1))
    return Site(f"{prefix}-{number}", f"{name} ({number})", kind, staff, f"Département {number}")


NATIONAL_DONORS = ("Conseil départemental", "Préfecture", "Caisse d'allocations familiales",
                   "Centre hospitalier", "Université", "Banque régionale", "Mutuelle",
                   "Énergie et réseaux", "Chambre de commerce", "Mairie")  # fmt: skip
