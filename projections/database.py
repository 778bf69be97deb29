"""Connections to the read-model database, one small interface over sqlite3 and psycopg.

Read models live beside the event log: the same SQLite file, or the same PostgreSQL schema.
SQL is written once with `?` placeholders; the few differences between the backends are here.
"""

from __future__ import annotations

import queue
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol
from uuid import UUID

import psycopg

Row = tuple[Any, ...]
COPY_FROM = 200  # rows: below this, plain batched INSERTs are as fast as COPY


class Connection(Protocol):
    """What the projections need from a connection."""

    @property
    def backend(self) -> str: ...

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[Row]: ...
    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None: ...
    def script(self, sql: str) -> None: ...
    def upsert(self, table: str, key: Sequence[str], values: Sequence[str], assignments: str,
               rows: Sequence[Row]) -> None: ...  # fmt: skip
    def transaction(self) -> Any: ...
    def close(self) -> None: ...


def upsert_sql(table: str, key: Sequence[str], values: Sequence[str], assignments: str) -> str:
    """INSERT of one row that updates the row already there with the same key."""
    columns = [*key, *values]
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608
        f"VALUES ({', '.join('?' for _ in columns)}) "
        f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {assignments}"
    )


class Database(Protocol):
    """Where the read models are kept."""

    @property
    def backend(self) -> str: ...

    def connect(self) -> Connection: ...
    def describe(self) -> str: ...


# SQLite keeps dates and times as ISO text and ids as UUID text (the stdlib's own date
# adapters are deprecated since Python 3.12).
sqlite3.register_adapter(date, date.isoformat)
sqlite3.register_adapter(datetime, datetime.isoformat)
sqlite3.register_adapter(UUID, str)


class SQLiteConnection:
    """sqlite3 in autocommit mode; `transaction()` takes the write lock at once."""

    backend = "sqlite"

    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(path, isolation_level=None, timeout=30, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return self._db.execute(sql, params).fetchall()

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self._db.executemany(sql, rows)

    def upsert(
        self,
        table: str,
        key: Sequence[str],
        values: Sequence[str],
        assignments: str,
        rows: Sequence[Row],
    ) -> None:
        self._db.executemany(upsert_sql(table, key, values, assignments), rows)

    def script(self, sql: str) -> None:
        """Run several statements (no transaction control of their own) one by one."""
        pending = ""
        for line in sql.splitlines(keepends=True):
            pending += line
            if sqlite3.complete_statement(pending):
                self._db.execute(pending)
                pending = ""
        if pending.strip() and not pending.strip().startswith("--"):
            self._db.execute(pending)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if self._db.in_transaction:  # SQLite may have rolled back by itself (disk full)
                self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def reusable(self) -> bool:
        """Whether the connection can serve another request (no transaction left open)."""
        return not self._db.in_transaction

    def close(self) -> None:
        self._db.close()


class PostgresConnection:
    """psycopg in autocommit mode, with the schema of the read models first on the path."""

    backend = "postgres"

    def __init__(self, params: dict[str, Any], schema: str) -> None:
        self._db = psycopg.connect(**params, autocommit=True, options=f"-c search_path={schema}")
        self.raw = self._db

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        cursor = self._db.execute(sql.replace("?", "%s"), list(params))
        return cursor.fetchall() if cursor.description else []

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        with self._db.cursor() as cursor:
            cursor.executemany(sql.replace("?", "%s"), rows)

    def upsert(
        self,
        table: str,
        key: Sequence[str],
        values: Sequence[str],
        assignments: str,
        rows: Sequence[Row],
    ) -> None:
        """Many rows at once: COPY them into a scratch table, then one INSERT ... SELECT."""
        if len(rows) < COPY_FROM:
            self.executemany(upsert_sql(table, key, values, assignments), rows)
            return
        columns = ", ".join([*key, *values])
        stage = f"staged_{table}"
        self._db.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {stage} (LIKE {table}) ON COMMIT DELETE ROWS"
        )
        with self._db.cursor() as cursor:
            with cursor.copy(f"COPY {stage} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {stage} WHERE true "  # noqa: S608
                f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {assignments}"
            )
            cursor.execute(f"TRUNCATE {stage}")

    def script(self, sql: str) -> None:
        self._db.execute(sql.encode())  # several statements: simple query protocol, no params

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._db.transaction():
            yield

    def reusable(self) -> bool:
        """Whether the connection can serve another request (alive, no transaction open)."""
        idle = psycopg.pq.TransactionStatus.IDLE
        return (
            not self._db.closed and not self._db.broken and self._db.info.transaction_status == idle
        )

    def close(self) -> None:
        self._db.close()


@dataclass(frozen=True)
class SQLiteDatabase:
    """Read models in a SQLite file (the event log's own file, or a rebuild's scratch file)."""

    path: Path
    backend: str = "sqlite"

    def connect(self) -> SQLiteConnection:
        return SQLiteConnection(self.path)

    def describe(self) -> str:
        return f"SQLite {self.path}"


@dataclass(frozen=True)
class PostgresDatabase:
    """Read models in a PostgreSQL schema."""

    params: dict[str, Any] = field(hash=False)
    schema: str = "public"
    backend: str = "postgres"

    def connect(self) -> PostgresConnection:
        return PostgresConnection(self.params, self.schema)

    def describe(self) -> str:
        return f"PostgreSQL {self.params.get('host')}/{self.params.get('dbname')} ({self.schema})"


class ConnectionPool:
    """A Database whose connections stay open between uses: for the web's many short reads.

    Opening a PostgreSQL connection costs several milliseconds, more than most page queries;
    `connect()` lends an idle connection (or opens one), and closing what it lent puts it
    back, unless `keep` are already idle or it is broken or left inside a transaction.
    """

    def __init__(self, database: Database, keep: int = 8) -> None:
        self.database = database
        self.keep = keep
        self._idle: queue.LifoQueue[Connection] = queue.LifoQueue()

    @property
    def backend(self) -> str:
        return self.database.backend

    def describe(self) -> str:
        return self.database.describe()

    def connect(self) -> Connection:
        while True:
            try:
                idle = self._idle.get_nowait()
            except queue.Empty:
                return _Lent(self.database.connect(), self)
            if _alive(idle):
                return _Lent(idle, self)
            idle.close()

    def give_back(self, conn: Connection) -> None:
        reusable = isinstance(conn, SQLiteConnection | PostgresConnection) and conn.reusable()
        if reusable and self._idle.qsize() < self.keep:
            self._idle.put(conn)
        else:
            conn.close()

    def close(self) -> None:
        """Close the idle connections (those lent are closed when given back)."""
        self.keep = 0
        while not self._idle.empty():
            self._idle.get_nowait().close()


def _alive(conn: Connection) -> bool:
    """Whether an idle connection still answers (the server may have closed it meanwhile)."""
    if conn.backend != "postgres":
        return True
    try:
        conn.execute("SELECT 1")
    except psycopg.Error:
        return False
    return True


class _Lent:
    """A pooled connection as its borrower sees it: `close()` gives it back."""

    def __init__(self, conn: Connection, pool: ConnectionPool) -> None:
        self._conn: Connection | None = conn
        self._pool = pool
        self.backend = conn.backend

    def _open(self) -> Connection:
        if self._conn is None:
            msg = "this connection was given back to its pool"
            raise RuntimeError(msg)
        return self._conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return self._open().execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self._open().executemany(sql, rows)

    def script(self, sql: str) -> None:
        self._open().script(sql)

    def upsert(self, table: str, key: Sequence[str], values: Sequence[str], assignments: str,
               rows: Sequence[Row]) -> None:  # fmt: skip
        self._open().upsert(table, key, values, assignments, rows)

    def transaction(self) -> Any:
        return self._open().transaction()

    def close(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            self._pool.give_back(conn)


@contextmanager
def connection(database: Database) -> Iterator[Connection]:
    """A connection closed at the end of the block."""
    conn = database.connect()
    try:
        yield conn
    finally:
        conn.close()


def as_date(value: Any) -> date | None:
    """A date column read back (SQLite keeps ISO text, PostgreSQL a date)."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
