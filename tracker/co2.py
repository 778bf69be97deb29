"""CO2e avoided by reuse: a documented factor per device type, read from a TOML file."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

DEFAULT = Path(__file__).with_name("co2.toml")


class FactorsError(Exception):
    """Raised when the CO2e factors file is missing, malformed or incomplete."""


@dataclass(frozen=True)
class Factor:
    """Kilograms of CO2e avoided per computer of one type handed out, and where it comes from."""

    device_type: str
    kg_per_handout: Decimal
    assumed: bool  # True when the figure is not read from the source for this type


@dataclass(frozen=True)
class Factors:
    """The factors of every device type, their source and the years of use counted."""

    source: str
    years: int
    by_type: dict[str, Factor]

    def avoided_kg(self, device_type: str, handouts: int) -> Decimal | None:
        """The CO2e avoided by `handouts` computers of that type, in kg (None: no factor)."""
        factor = self.by_type.get(device_type)
        return None if factor is None else factor.kg_per_handout * handouts


def load(path: str | Path = "") -> Factors:
    """The factors from `path` (TRACKER_CO2_FACTORS), or the documented defaults."""
    file = Path(path) if path else DEFAULT
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
        years = int(data["years"])
        by_type = {
            name: Factor(
                name,
                Decimal(str(entry["kg_co2e_per_year"])) * years,
                entry.get("basis", "study") != "study",
            )
            for name, entry in data["device_types"].items()
        }
        return Factors(str(data["source"]), years, by_type)
    except (
        OSError,
        tomllib.TOMLDecodeError,
        KeyError,
        TypeError,
        ValueError,
        ArithmeticError,
    ) as error:
        msg = f"{file}: cannot read the CO2e factors ({error!r}); see tracker/co2.toml."
        raise FactorsError(msg) from error
