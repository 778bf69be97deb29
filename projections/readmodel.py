"""What a read model is: tables whose rows are a pure function of each computer's timeline.

Each read model derives, from one computer's timeline, the rows it owns in each table. When an
event arrives, the rows derived before and after it are compared and only the difference is
written. Keyed tables hold one row per key; additive tables hold totals (a count first, then
amounts) that many computers add to, and a total whose count falls to zero is deleted. Because
rows depend only on the timeline, processing events one by one or replaying the whole log gives
the same tables, and a cancellation or a correction simply changes what is derived.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from eventsourcing.domain import Aggregate

from projections.database import Connection, Row
from projections.timeline import Timeline

Derived = Mapping[str, Sequence[Row]]


@dataclass(frozen=True)
class Table:
    """A read-model table: its key columns, then its value columns."""

    name: str
    key: tuple[str, ...]
    values: tuple[str, ...]
    additive: bool = False

    @property
    def columns(self) -> tuple[str, ...]:
        return self.key + self.values


@dataclass(frozen=True)
class ReadModel:
    """A named read model: its tables and how a computer's timeline maps onto them."""

    name: str
    tables: tuple[Table, ...]
    derive: Callable[[Timeline], Derived]


@dataclass(frozen=True)
class RecordModel:
    """A read model of small records (users, sites...): rows derived from each one's state.

    `derive` receives the aggregate as it stood after an event (None before it existed); only
    aggregates of the listed `kinds` reach it.
    """

    name: str
    tables: tuple[Table, ...]
    derive: Callable[[Aggregate | None], Derived]
    kinds: tuple[type[Aggregate], ...]

    def reads(self, topic: str) -> bool:
        """Whether events with this topic concern this read model."""
        return topic.split(":", 1)[0] in {kind.__module__ for kind in self.kinds}


AnyModel = ReadModel | RecordModel


@dataclass
class Changes:
    """The writes a batch of events makes to one read model, merged per key."""

    model: AnyModel
    keyed: dict[str, dict[Row, Row | None]] = field(default_factory=lambda: defaultdict(dict))
    added: dict[str, dict[Row, list[int]]] = field(default_factory=lambda: defaultdict(dict))

    def record(self, before: Derived, after: Derived) -> None:
        """Note what changes for one computer when its derived rows go from before to after."""
        for table in self.model.tables:
            old, new = before.get(table.name, ()), after.get(table.name, ())
            if old == new:
                continue
            width = len(table.key)
            if new[: len(old)] == old:  # the usual case: a step appended rows, changed none
                old, new = (), new[len(old) :]
            if table.additive:
                totals = self.added[table.name]
                for rows, sign in ((old, -1), (new, 1)):
                    for row in rows:
                        total = totals.setdefault(row[:width], [0] * len(table.values))
                        for i, amount in enumerate(row[width:]):
                            total[i] += sign * amount
            else:
                pending = self.keyed[table.name]
                new_by_key = {row[:width]: row for row in new}
                for row in old:
                    if row[:width] not in new_by_key:
                        pending[row[:width]] = None
                old_set = set(old)
                for key, row in new_by_key.items():
                    if row not in old_set:
                        pending[key] = row

    def write(self, conn: Connection) -> int:
        """Apply the changes; returns how many rows were written or deleted."""
        written = 0
        for table in self.model.tables:
            if table.additive:
                written += _write_totals(conn, table, self.added.get(table.name, {}))
            else:
                written += _write_rows(conn, table, self.keyed.get(table.name, {}))
        return written


def _where(table: Table) -> str:
    return " AND ".join(f"{column} = ?" for column in table.key)


def _write_rows(conn: Connection, table: Table, pending: Mapping[Row, Row | None]) -> int:
    gone = [key for key, row in pending.items() if row is None]
    rows = [row for row in pending.values() if row is not None]
    if gone:
        conn.executemany(f"DELETE FROM {table.name} WHERE {_where(table)}", gone)  # noqa: S608
    if rows:
        assignments = ", ".join(f"{v} = excluded.{v}" for v in table.values)
        conn.upsert(table.name, table.key, table.values, assignments, rows)
    return len(gone) + len(rows)


def _write_totals(conn: Connection, table: Table, totals: Mapping[Row, list[int]]) -> int:
    changed = [(key, amounts) for key, amounts in totals.items() if any(amounts)]
    if not changed:
        return 0
    add = ", ".join(f"{v} = {table.name}.{v} + excluded.{v}" for v in table.values)
    rows = [key + tuple(amounts) for key, amounts in changed]
    conn.upsert(table.name, table.key, table.values, add, rows)
    emptied = [key for key, amounts in changed if amounts[0] < 0]
    if emptied:
        count = table.values[0]
        conn.executemany(
            f"DELETE FROM {table.name} WHERE {_where(table)} AND {count} = 0",  # noqa: S608
            emptied,
        )
    return len(changed)


def dump(conn: Connection, model: AnyModel) -> dict[str, list[tuple[str, ...]]]:
    """Every row of a read model as text, sorted: to compare two builds of it."""
    return {
        table.name: sorted(
            tuple("" if v is None else str(v) for v in row)
            for row in conn.execute(f"SELECT {', '.join(table.columns)} FROM {table.name}")  # noqa: S608
        )
        for table in model.tables
    }


def count_rows(conn: Connection, model: AnyModel) -> dict[str, int]:
    """How many rows each table of a read model holds."""
    return {
        table.name: int(conn.execute(f"SELECT COUNT(*) FROM {table.name}")[0][0])  # noqa: S608
        for table in model.tables
    }
