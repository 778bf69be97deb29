"""Directory: the users, sites, programmes and donors as they stand now, for lists and forms."""

from __future__ import annotations

from dataclasses import dataclass

from eventsourcing.domain import Aggregate

from projections.database import Connection
from projections.readmodel import Derived, RecordModel, Table
from tracker.domain.donor import Donor
from tracker.domain.programme import Programme
from tracker.domain.site import Site
from tracker.domain.user import User

USERS = Table(
    "directory_users",
    ("user_id",),
    ("username", "display_name", "roles", "sites", "active", "version"),
)
SITES = Table(
    "directory_sites", ("code",), ("name", "kind", "town", "programme", "active", "version")
)
PROGRAMMES = Table(
    "directory_programmes",
    ("code",),
    ("name", "territory", "yearly_target", "active", "version"),
)
DONORS = Table("directory_donors", ("code",), ("name", "kind", "town", "active", "version"))


def derive(record: Aggregate | None) -> Derived:
    """One row per record, in the table of its kind."""
    if isinstance(record, User):
        roles = ",".join(sorted(record.roles))
        return {
            USERS.name: (
                (
                    record.id,
                    record.username,
                    record.display_name,
                    roles,
                    ",".join(record.sites),
                    record.active,
                    record.version,
                ),
            )
        }
    if isinstance(record, Site):
        return {
            SITES.name: (
                (
                    record.code,
                    record.name,
                    record.kind.value,
                    record.town,
                    record.programme,
                    record.active,
                    record.version,
                ),
            )
        }
    if isinstance(record, Programme):
        return {
            PROGRAMMES.name: (
                (
                    record.code,
                    record.name,
                    record.territory,
                    record.yearly_target,
                    record.active,
                    record.version,
                ),
            )
        }
    if isinstance(record, Donor):
        return {
            DONORS.name: (
                (
                    record.code,
                    record.name,
                    record.kind.value,
                    record.town,
                    record.active,
                    record.version,
                ),
            )
        }
    return {}


READ_MODEL = RecordModel(
    "directory", (USERS, SITES, PROGRAMMES, DONORS), derive, (User, Site, Programme, Donor)
)


@dataclass(frozen=True)
class UserEntry:
    """A user as listed to administrators (no password hash here)."""

    username: str
    display_name: str
    roles: tuple[str, ...]
    sites: tuple[str, ...]
    active: bool


@dataclass(frozen=True)
class SiteEntry:
    code: str
    name: str
    kind: str
    town: str
    programme: str
    active: bool


@dataclass(frozen=True)
class ProgrammeEntry:
    code: str
    name: str
    territory: str
    yearly_target: int
    active: bool


@dataclass(frozen=True)
class DonorEntry:
    code: str
    name: str
    kind: str
    town: str
    active: bool


def _split(text: str) -> tuple[str, ...]:
    return tuple(part for part in text.split(",") if part)


def users(conn: Connection) -> list[UserEntry]:
    """Every user, by user name."""
    rows = conn.execute(
        "SELECT username, display_name, roles, sites, active FROM directory_users ORDER BY username"
    )
    return [UserEntry(u, d, _split(r), _split(s), bool(a)) for u, d, r, s, a in rows]


def sites(conn: Connection, *, only_active: bool = False) -> list[SiteEntry]:
    """The sites, by code (the open ones only if asked)."""
    where = " WHERE active" if only_active else ""
    rows = conn.execute(
        f"SELECT code, name, kind, town, programme, active FROM directory_sites{where} "  # noqa: S608
        "ORDER BY code"
    )
    return [SiteEntry(c, n, k, t, p, bool(a)) for c, n, k, t, p, a in rows]


def programmes(conn: Connection) -> list[ProgrammeEntry]:
    """The programmes, by code."""
    rows = conn.execute(
        "SELECT code, name, territory, yearly_target, active FROM directory_programmes "
        "ORDER BY code"
    )
    return [ProgrammeEntry(c, n, t, int(y), bool(a)) for c, n, t, y, a in rows]


def donors(conn: Connection) -> list[DonorEntry]:
    """The donors, by name."""
    rows = conn.execute(
        "SELECT code, name, kind, town, active FROM directory_donors ORDER BY name, code"
    )
    return [DonorEntry(c, n, k, t, bool(a)) for c, n, k, t, a in rows]
