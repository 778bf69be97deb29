"""Rebuild read models from the whole log beside the live ones, then swap them in at once.

While a rebuild runs, screens keep reading the previous tables. The new tables are filled in a
scratch place (a second SQLite file, or a second PostgreSQL schema) created with the live
tables' own definitions, brought to the head of the log, then swapped in with their positions
in one transaction; the live runner then goes on from the rebuilt position.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from uuid import UUID

from eventsourcing.application import Application

from projections.database import (
    Connection,
    Database,
    PostgresDatabase,
    SQLiteDatabase,
    connection,
)
from projections.readmodel import AnyModel
from projections.runner import Progress, Runner

POSITIONS = "projection_positions"


def rebuild(
    app: Application[UUID],
    database: Database,
    models: Sequence[AnyModel],
    *,
    progress: Progress | None = None,
    batch_size: int = 5000,
) -> dict[str, int]:
    """Rebuild the given read models; returns their positions once swapped in."""
    scratch = _scratch(database)
    tables = [table.name for model in models for table in model.tables]
    with connection(database) as live:
        _create_scratch(live, scratch, [*tables, POSITIONS])
    runner = Runner(app, scratch, models, batch_size=batch_size)
    try:
        runner.catch_up(progress=progress)
        runner.catch_up()  # what was recorded meanwhile
    finally:
        runner.close()
    names = [model.name for model in models]
    with connection(database) as live:
        if isinstance(scratch, SQLiteDatabase):
            _swap_sqlite(live, scratch.path, tables, names)
        elif isinstance(scratch, PostgresDatabase):
            _swap_postgres(live, database, scratch, tables, names)
        marks = ", ".join("?" for _ in names)
        rows = live.execute(
            f"SELECT name, position FROM {POSITIONS} WHERE name IN ({marks})",  # noqa: S608
            names,
        )
    _drop_scratch(scratch)
    return {str(name): int(position) for name, position in rows}


def _scratch(database: Database) -> Database:
    if isinstance(database, SQLiteDatabase):
        return SQLiteDatabase(database.path.with_name(database.path.name + ".rebuild"))
    if isinstance(database, PostgresDatabase):
        return replace(database, schema=f"{database.schema}_rebuild"[:63])
    msg = f"cannot rebuild read models kept in {database.describe()}"
    raise TypeError(msg)


def _drop_scratch(scratch: Database) -> None:
    if isinstance(scratch, SQLiteDatabase):
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{scratch.path}{suffix}").unlink(missing_ok=True)
    elif isinstance(scratch, PostgresDatabase):
        with connection(scratch) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{scratch.schema}" CASCADE')


def _create_scratch(live: Connection, scratch: Database, tables: list[str]) -> None:
    """Empty copies of the live tables (columns, keys and indexes) in the scratch place."""
    _drop_scratch(scratch)
    if isinstance(scratch, SQLiteDatabase):
        marks = ", ".join("?" for _ in tables)
        ddl = live.execute(
            f"SELECT sql FROM sqlite_master WHERE tbl_name IN ({marks}) AND sql IS NOT NULL "  # noqa: S608
            "ORDER BY type DESC",  # tables before their indexes
            tables,
        )
        with connection(scratch) as conn:
            for (statement,) in ddl:
                conn.execute(statement)
        return
    assert isinstance(scratch, PostgresDatabase)  # noqa: S101 (_scratch made it)
    live.execute(f'CREATE SCHEMA "{scratch.schema}"')
    for table in tables:
        live.execute(f'CREATE TABLE "{scratch.schema}".{table} (LIKE {table} INCLUDING ALL)')


def _swap_sqlite(live: Connection, scratch: Path, tables: list[str], names: list[str]) -> None:
    live.execute("ATTACH DATABASE ? AS rebuilt", (str(scratch),))
    try:
        with live.transaction():
            for table in tables:
                live.execute(f"DELETE FROM main.{table}")  # noqa: S608
                live.execute(f"INSERT INTO main.{table} SELECT * FROM rebuilt.{table}")  # noqa: S608
            _copy_positions(live, "rebuilt", names)
    finally:
        live.execute("DETACH DATABASE rebuilt")


def _swap_postgres(
    live: Connection,
    database: Database,
    scratch: PostgresDatabase,
    tables: list[str],
    names: list[str],
) -> None:
    assert isinstance(database, PostgresDatabase)  # noqa: S101 (_scratch made it)
    schema = database.schema
    marks = ", ".join("?" for _ in names)
    with live.transaction():
        live.execute(
            f"SELECT position FROM {POSITIONS} WHERE name IN ({marks}) FOR UPDATE",  # noqa: S608
            names,
        )
        for table in tables:
            original = {definition: name for name, definition in _indexes(live, schema, table)}
            live.execute(f"DROP TABLE {table}")
            live.execute(f'ALTER TABLE "{scratch.schema}".{table} SET SCHEMA "{schema}"')
            for name, definition in _indexes(live, schema, table):
                wanted = original.get(definition)
                if wanted and wanted != name:
                    live.execute(f'ALTER INDEX "{schema}"."{name}" RENAME TO "{wanted}"')
        _copy_positions(live, f'"{scratch.schema}"', names)


def _indexes(live: Connection, schema: str, table: str) -> list[tuple[str, str]]:
    """The indexes of a table: name, and definition with the name left out."""
    rows = live.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = ? AND tablename = ?",
        (schema, table),
    )
    return [
        (str(name), re.sub(r"^(CREATE (?:UNIQUE )?INDEX) \S+ ON ", r"\1 ON ", str(definition)))
        for name, definition in rows
    ]


def _copy_positions(live: Connection, source: str, names: list[str]) -> None:
    live.executemany(
        f"UPDATE {POSITIONS} SET position = (SELECT r.position FROM {source}.{POSITIONS} r "  # noqa: S608
        f"WHERE r.name = ?), updated_at = CURRENT_TIMESTAMP WHERE name = ?",
        [(name, name) for name in names],
    )
