"""Shared fixtures: a PostgreSQL server for the session, one store per test on each backend."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import psycopg
import pytest
import structlog
from psycopg import sql

from tracker import storage, throwaway_postgres
from tracker.application import Inventory
from tracker.settings import SettingsError

# Business dates in the tests are read against this instant: "today" is 2026-06-15 in Paris.
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
ZONE = ZoneInfo("Europe/Paris")


@dataclass(frozen=True)
class PostgresServer:
    """A server the tests may create schemas on; `url` has no schema of its own."""

    url: str

    def url_for_schema(self, schema: str) -> str:
        parts = urlsplit(self.url)
        query = [(k, v) for k, v in parse_qsl(parts.query) if k != "schema"]
        query.append(("schema", schema))
        return urlunsplit(parts._replace(query=urlencode(query)))


def _unavailable(reason: str) -> None:
    """Fail in CI, where PostgreSQL must be tested; skip on a developer's machine."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"PostgreSQL is required in CI: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL unavailable ({reason}); set TRACKER_TEST_DATABASE_URL to test it")


def _check_reachable(url: str) -> None:
    store = storage.parse(url, base=Path.cwd())
    with storage._connect(store) as connection:
        connection.execute("SELECT 1")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """TRACKER_TEST_DATABASE_URL if set, else a cluster started for this session."""
    given = os.environ.get("TRACKER_TEST_DATABASE_URL", "").strip()
    if given:
        try:
            _check_reachable(given)
        except (psycopg.Error, OSError, SettingsError) as error:
            _unavailable(f"cannot connect to TRACKER_TEST_DATABASE_URL: {error}")
        yield PostgresServer(given)
        return
    bindir = throwaway_postgres.bindir()
    if bindir is None:
        _unavailable("no initdb found under /usr/lib/postgresql/*/bin, pg_config or PATH")
        return
    try:
        cluster = throwaway_postgres.ThrowawayCluster(bindir)
    except KeyError:
        _unavailable("running as root, but there is no `postgres` user to run the server as")
        return
    try:
        url = cluster.start()
        _check_reachable(url)
    except (RuntimeError, OSError, subprocess.SubprocessError, psycopg.Error) as error:
        cluster.stop()
        _unavailable(f"could not start a throwaway cluster from {bindir}: {error}")
        return
    try:
        yield PostgresServer(url)
    finally:
        cluster.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A URL whose schema is fresh for this test; the schema is dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:16]}"
    url = postgres_server.url_for_schema(schema)
    yield url
    store = storage.parse(url, base=Path.cwd())
    with storage._connect(store) as connection:
        connection.execute("SET lock_timeout = '10s'")
        connection.execute(
            sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
        )


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A TRACKER_DATABASE_URL for an empty store, once per backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'events.sqlite3'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def open_inventory(
    database_url: str, tmp_path: Path, now: datetime
) -> Iterator[Callable[[], Inventory]]:
    """Builds Inventory instances on the test's store (as separate processes would); all are
    closed at teardown."""
    opened: list[Inventory] = []

    def open_one() -> Inventory:
        store = storage.parse(database_url, base=tmp_path)
        storage.prepare(store)
        inventory = Inventory(store.env, clock=lambda: now, zone=ZONE)
        opened.append(inventory)
        return inventory

    yield open_one
    for inventory in opened:
        inventory.close()


@pytest.fixture
def inventory(open_inventory: Callable[[], Inventory]) -> Inventory:
    return open_inventory()


@pytest.fixture(autouse=True)
def default_logging() -> Iterator[None]:
    """Each test starts from structlog's defaults, whatever an earlier test configured."""
    structlog.reset_defaults()
    yield
    structlog.reset_defaults()
