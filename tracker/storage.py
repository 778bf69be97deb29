"""Translate TRACKER_DATABASE_URL into the eventsourcing library's settings."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import psycopg
from psycopg import sql

from tracker.settings import SettingsError

SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


@dataclass(frozen=True)
class Store:
    """A parsed database URL: which backend, and the library settings that select it."""

    backend: str
    env: dict[str, str]
    schema: str = ""

    def describe(self) -> str:
        """Where the events are kept, without the password."""
        if self.backend == "sqlite":
            return f"SQLite {self.env['SQLITE_DBNAME']}"
        host, port, db = (
            self.env[k] for k in ("POSTGRES_HOST", "POSTGRES_PORT", "POSTGRES_DBNAME")
        )
        return f"PostgreSQL {host}:{port}/{db} (schema {self.schema or 'public'})"


def parse(url: str, *, base: Path) -> Store:
    """Read `sqlite:///relative/path`, `sqlite:////absolute/path` or a postgresql:// URL."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        return _sqlite(parts.path, base)
    if parts.scheme in ("postgresql", "postgres"):
        return _postgres(url)
    msg = "TRACKER_DATABASE_URL must start with sqlite:/// or postgresql://."
    raise SettingsError(msg)


# Any fixed 64-bit number: the advisory lock every tracker process takes while it sets up.
SETUP_LOCK = 0x7472_6163_6B65_7201


@contextmanager
def setting_up(store: Store) -> Iterator[None]:
    """Create what the store needs (a folder, a schema), then let the caller create tables.

    On PostgreSQL, processes starting together (web workers, projection runners) would race
    on the library's CREATE TABLE / CREATE FUNCTION; an advisory lock makes them take turns.
    """
    if store.backend == "sqlite":
        Path(store.env["SQLITE_DBNAME"]).parent.mkdir(parents=True, exist_ok=True)
        yield
        return
    with _connect(store) as connection:
        connection.execute("SELECT pg_advisory_lock(%s)", (SETUP_LOCK,))
        try:
            if store.schema:
                connection.execute(
                    sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(store.schema))
                )
            yield
        finally:
            connection.execute("SELECT pg_advisory_unlock(%s)", (SETUP_LOCK,))


def prepare(store: Store) -> None:
    """Create the folder or the schema the store needs."""
    with setting_up(store):
        pass


def connection_params(store: Store) -> dict[str, str | int]:
    """The psycopg connection arguments of a PostgreSQL store."""
    env = store.env
    return {
        "dbname": env["POSTGRES_DBNAME"],
        "host": env["POSTGRES_HOST"],
        "port": env["POSTGRES_PORT"],
        "user": env["POSTGRES_USER"],
        "password": env["POSTGRES_PASSWORD"],
        "connect_timeout": int(env["POSTGRES_CONNECT_TIMEOUT"]),
    }


def _connect(store: Store) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(**connection_params(store), autocommit=True)  # type: ignore[arg-type]


def _sqlite(path: str, base: Path) -> Store:
    # sqlite:///var/x.db gives "/var/x.db" (relative), sqlite:////srv/x.db gives "//srv/x.db".
    relative = path[1:] if path.startswith("/") else path
    if not relative:
        msg = "TRACKER_DATABASE_URL names no SQLite file (sqlite:///var/tracker.sqlite3)."
        raise SettingsError(msg)
    if relative == ":memory:":
        msg = "SQLite must be a file so that every part of the tracker sees the same data."
        raise SettingsError(msg)
    file = Path(unquote(relative))
    if not file.is_absolute():
        file = base / file
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "APPLICATION_RECORDER_TOPIC": "tracker.integrity:ChainedSQLiteRecorder",
        "SQLITE_DBNAME": str(file),
        "SQLITE_LOCK_TIMEOUT": "30",
    }
    return Store("sqlite", env)


def _postgres(url: str) -> Store:
    parts = urlsplit(url)
    database = unquote(parts.path.lstrip("/"))
    if not parts.hostname or not database:
        msg = "TRACKER_DATABASE_URL must name a host and a database: postgresql://user@host/db."
        raise SettingsError(msg)
    try:
        port = parts.port if parts.port is not None else 5432
    except ValueError:
        port = 0
    if port == 0:
        msg = "The port in TRACKER_DATABASE_URL must be a number from 1 to 65535."
        raise SettingsError(msg)
    query = parse_qs(parts.query)
    schema = query.get("schema", [""])[0]
    if schema and (not SCHEMA_NAME.fullmatch(schema) or schema.startswith("pg_")):
        msg = (
            "The schema in TRACKER_DATABASE_URL must be lower-case letters, digits and _, "
            "not starting with pg_."
        )
        raise SettingsError(msg)
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "APPLICATION_RECORDER_TOPIC": "tracker.integrity:ChainedPostgresRecorder",
        "POSTGRES_DBNAME": database,
        "POSTGRES_HOST": unquote(parts.hostname),  # %2Frun%2Fpostgresql: a socket folder
        "POSTGRES_PORT": str(port),
        "POSTGRES_USER": unquote(parts.username or ""),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
        "POSTGRES_CONNECT_TIMEOUT": "10",
        "POSTGRES_LOCK_TIMEOUT": "10",
        "POSTGRES_POOL_SIZE": query.get("pool_size", ["5"])[0],
        "POSTGRES_MAX_OVERFLOW": query.get("max_overflow", ["10"])[0],
    }
    if schema:
        env["POSTGRES_SCHEMA"] = schema
    return Store("postgres", env, schema)
