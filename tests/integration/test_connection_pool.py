"""The web's connection pool: connections are reused, never lent in a bad state."""

from __future__ import annotations

from pathlib import Path

import pytest

from projections.database import ConnectionPool, Database, connection
from tracker import storage
from tracker.bootstrap import read_database


@pytest.fixture
def database(database_url: str, tmp_path: Path) -> Database:
    store = storage.parse(database_url, base=tmp_path)
    storage.prepare(store)
    return read_database(store)


def backend_id(conn: object) -> object:
    """Which server-side connection (PostgreSQL) or file handle (SQLite) this is."""
    if conn.backend == "postgres":  # type: ignore[attr-defined]
        return conn.execute("SELECT pg_backend_pid()")[0][0]  # type: ignore[attr-defined]
    return id(conn._open())  # type: ignore[attr-defined]


def test_a_connection_given_back_is_lent_again(database: Database) -> None:
    pool = ConnectionPool(database)
    with connection(pool) as first:
        first.execute("CREATE TABLE t (x INTEGER)")
        first_id = backend_id(first)
    with connection(pool) as second:
        assert backend_id(second) == first_id
        assert second.execute("SELECT COUNT(*) FROM t") == [(0,)]
    pool.close()


def test_two_borrowers_at_once_get_two_connections(database: Database) -> None:
    pool = ConnectionPool(database)
    with connection(pool) as first, connection(pool) as second:
        assert backend_id(first) != backend_id(second)
    pool.close()


def test_a_connection_left_inside_a_transaction_is_closed_not_lent(database: Database) -> None:
    pool = ConnectionPool(database)
    conn = pool.connect()
    conn.execute("CREATE TABLE t (x INTEGER)")
    conn.execute("BEGIN")
    conn.execute("INSERT INTO t VALUES (1)")
    left_id = backend_id(conn)
    conn.close()  # given back in the middle of a transaction
    with connection(pool) as next_one:
        assert backend_id(next_one) != left_id
        assert next_one.execute("SELECT COUNT(*) FROM t") == [(0,)]
    pool.close()


def test_a_connection_given_back_cannot_be_used_by_its_old_borrower(database: Database) -> None:
    pool = ConnectionPool(database)
    conn = pool.connect()
    conn.close()
    with pytest.raises(RuntimeError, match="given back"):
        conn.execute("SELECT 1")
    pool.close()


def test_no_more_than_keep_connections_stay_open(database: Database) -> None:
    pool = ConnectionPool(database, keep=1)
    first, second = pool.connect(), pool.connect()
    first.close()
    second.close()
    assert pool._idle.qsize() == 1
    pool.close()
    assert pool._idle.qsize() == 0


@pytest.mark.postgres
def test_a_broken_postgres_connection_is_not_lent_again(postgres_url: str, tmp_path: Path) -> None:
    database = read_database(storage.parse(postgres_url, base=tmp_path))
    pool = ConnectionPool(database)
    with connection(pool) as doomed:
        doomed_id = backend_id(doomed)
    with connection(database) as admin:  # the server closes the idle connection
        admin.execute("SELECT pg_terminate_backend(?)", (doomed_id,))
    with connection(pool) as lent:
        assert lent.execute("SELECT 1") == [(1,)]
        assert backend_id(lent) != doomed_id
    pool.close()
