"""The fictional but realistic programme the demo data describes: sites, people, donors, models."""

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


ESAT = Site("ESAT-RANCE", "ESAT Les Ateliers du Rance", "esat", ("amelie.r", "karim.b", "lea.g"))
WORKSHOP = Site("AI-VILAINE", "Atelier d'insertion Vilaine Numérique", "insertion",
                ("sofia.m", "lucas.d", "ines.k"))  # fmt: skip
THIRD_PLACES = (
    Site("TL-REDON", "Tiers-lieu La Fabrique, Redon", "third_place", ("nadia.t",)),
    Site("TL-VITRE", "Espace numérique de Vitré", "third_place", ("julien.p",)),
    Site("TL-FOUGERES", "La Maison du numérique, Fougères", "third_place", ("claire.v",)),
)
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
