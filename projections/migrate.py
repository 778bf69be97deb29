"""Apply the numbered SQL files of migrations/<backend>/ that a database has not run yet."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from projections.database import Connection, Database, connection

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
FILE_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
# Any fixed 64-bit number: held while migrating so that processes starting together take turns.
MIGRATION_LOCK = 0x7472_6163_6B65_7202


class MigrationError(Exception):
    """Raised when the database and the migration files disagree; the message says how."""


@dataclass(frozen=True)
class Migration:
    """One numbered SQL file."""

    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def available(backend: str, folder: Path = MIGRATIONS) -> list[Migration]:
    """The migration files for a backend, in order."""
    found = []
    for path in sorted((folder / backend).glob("*.sql")):
        match = FILE_NAME.fullmatch(path.name)
        if match is None:
            msg = f"{path}: migration files are named NNNN_lower_case_words.sql"
            raise MigrationError(msg)
        found.append(Migration(int(match[1]), match[2], path.read_text(encoding="utf-8")))
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        msg = f"two migration files in {folder / backend} share a number"
        raise MigrationError(msg)
    return found


def migrate(database: Database, folder: Path = MIGRATIONS) -> list[Migration]:
    """Run the pending migrations, each in its own transaction; returns those that ran.

    Running it again changes nothing. A migration edited after it ran, or a database migrated
    by newer code than this, is refused rather than guessed at.
    """
    migrations = available(database.backend, folder)
    ran = []
    with connection(database) as conn:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
            "name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        for migration in migrations:
            with conn.transaction():
                _lock(conn)
                if _already_ran(conn, migration):
                    continue
                conn.script(migration.sql)
                conn.execute(
                    "INSERT INTO schema_migrations (version, name, checksum, applied_at) "
                    "VALUES (?, ?, ?, ?)",
                    (migration.version, migration.name, migration.checksum,
                     datetime.now(UTC).isoformat(timespec="seconds")),
                )  # fmt: skip
                ran.append(migration)
        newest = conn.execute("SELECT MAX(version) FROM schema_migrations")[0][0]
    if newest is not None and migrations and newest > migrations[-1].version:
        msg = f"the database was migrated by a newer version (migration {newest}); update the code"
        raise MigrationError(msg)
    return ran


def applied(database: Database) -> list[tuple[int, str, str]]:
    """The migrations a database has run: number, name, when."""
    with connection(database) as conn:
        rows = conn.execute(
            "SELECT version, name, applied_at FROM schema_migrations ORDER BY version"
        )
    return [(int(v), str(n), str(at)) for v, n, at in rows]


def _lock(conn: Connection) -> None:
    if conn.backend == "postgres":  # SQLite's BEGIN IMMEDIATE already excludes other writers
        conn.execute("SELECT pg_advisory_xact_lock(?)", (MIGRATION_LOCK,))


def _already_ran(conn: Connection, migration: Migration) -> bool:
    rows = conn.execute(
        "SELECT checksum FROM schema_migrations WHERE version = ?", (migration.version,)
    )
    if not rows:
        return False
    if rows[0][0] != migration.checksum:
        msg = (
            f"migration {migration.version:04d}_{migration.name} was changed after it ran; "
            "add a new numbered file instead"
        )
        raise MigrationError(msg)
    return True
