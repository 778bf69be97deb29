"""The integrity chain: every stored event linked by SHA-256 to the one before, in log order.

Each event's digest covers its stored bytes and its place in the log (position, stream,
version, topic, state); each link is the digest of the previous link and this digest. The
links are written by the application in the same transaction as the events (the recorders
below), never by a database trigger, so an event inserted with plain SQL has no link and is
found by `tracker verify`. Personal data never enters an event, so erasing a person later
leaves every stored byte, and so the chain, as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from hashlib import sha256
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteDatastore
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

GENESIS = bytes(32)  # the link before the first event


def event_digest(
    position: int, originator_id: UUID, version: int, topic: str, state: bytes
) -> bytes:
    """SHA-256 of one stored event and its position; every field length-prefixed."""
    digest = sha256(position.to_bytes(8, "big"))
    digest.update(originator_id.bytes)
    digest.update(version.to_bytes(8, "big"))
    for part in (topic.encode(), state):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.digest()


def next_link(previous: bytes, digest: bytes) -> bytes:
    """The link of an event: SHA-256 of the previous link and the event's digest."""
    return sha256(previous + digest).digest()


@dataclass(frozen=True)
class Link:
    """One row of the chain table."""

    position: int
    previous: int  # the position of the event before (0 for the first): gaps are allowed
    digest: bytes
    link: bytes


def extend(head: Link | None, events: Iterable[tuple[int, StoredEvent]]) -> list[Link]:
    """The links of events stored after `head` (None: the log's first events)."""
    previous, link = (head.position, head.link) if head else (0, GENESIS)
    made = []
    for position, event in events:
        stream = event.originator_id
        digest = event_digest(
            position,
            stream if isinstance(stream, UUID) else UUID(stream),
            event.originator_version,
            event.topic,
            event.state,
        )
        link = next_link(link, digest)
        made.append(Link(position, previous, digest, link))
        previous = position
    return made


def chain_table(events_table: str) -> str:
    """The chain of an events table lives beside it."""
    return f"{events_table}_chain"


_COLUMNS = "position, previous, digest, link"


class ChainedSQLiteRecorder(SQLiteApplicationRecorder):
    """The library's SQLite recorder, writing each event's link in the same transaction."""

    def __init__(self, datastore: SQLiteDatastore, events_table_name: str = "stored_events"):
        # Named before the library's constructor, which asks for the CREATE statements.
        chain = self.chain_table = chain_table(events_table_name)
        # Table names come from the code, never from input.
        self._create_chain = (
            f"CREATE TABLE IF NOT EXISTS {chain} (position INTEGER PRIMARY KEY, "
            "previous INTEGER NOT NULL, digest BLOB NOT NULL, link BLOB NOT NULL)"
        )
        self._select_head = f"SELECT {_COLUMNS} FROM {chain} ORDER BY position DESC LIMIT 1"  # noqa: S608
        self._select_head_upto = (
            f"SELECT {_COLUMNS} FROM {chain} WHERE position <= ? "  # noqa: S608
            "ORDER BY position DESC LIMIT 1"
        )
        self._select_links = (
            f"SELECT {_COLUMNS} FROM {chain} WHERE position > ? ORDER BY position LIMIT ?"  # noqa: S608
        )
        self._insert_links = f"INSERT INTO {chain} ({_COLUMNS}) VALUES (?, ?, ?, ?)"  # noqa: S608
        self._select_log = f"SELECT rowid, originator_id, originator_version, topic, state FROM {events_table_name} ORDER BY rowid"  # noqa: S608, E501
        super().__init__(datastore, events_table_name)

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), self._create_chain]

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        # The inserts above took SQLite's write lock: no other writer can move the head now.
        positions = super()._insert_events(c, stored_events, **kwargs)
        if positions:
            c.execute(self._select_head)
            row = c.fetchone()
            head = Link(row[0], row[1], bytes(row[2]), bytes(row[3])) if row else None
            links = extend(head, zip(positions, stored_events, strict=True))
            c.executemany(self._insert_links, [_row(k) for k in links])
        return positions

    def select_links(self, after: int, limit: int) -> list[Link]:
        """Links of the positions after `after`, in order."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(self._select_links, (after, limit))
            return [Link(r[0], r[1], bytes(r[2]), bytes(r[3])) for r in c.fetchall()]

    def head(self, at_most: int | None = None) -> Link | None:
        """The last link (None: empty log); with `at_most`, the last one at or before it."""
        with self.datastore.transaction(commit=False) as c:
            if at_most is None:
                c.execute(self._select_head)
            else:
                c.execute(self._select_head_upto, (at_most,))
            row = c.fetchone()
            return Link(row[0], row[1], bytes(row[2]), bytes(row[3])) if row else None

    def seal(self, batch: int = 20_000) -> int:
        """Link a log written before the chain existed, once; returns how many were linked."""
        with self.datastore.transaction(commit=True) as c:
            c.execute(self._select_head)
            if c.fetchone():
                return 0
            log = c.sqlite_cursor.connection.cursor()  # a second cursor in the same transaction
            log.execute(self._select_log)
            return _link_all(
                iter(lambda: log.fetchmany(batch), []),
                lambda links: c.executemany(self._insert_links, links),
            )


class ChainedPostgresRecorder(PostgresApplicationRecorder):
    """The library's PostgreSQL recorder, writing each event's link in the same transaction."""

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name=events_table_name)
        self.chain_table = chain_table(events_table_name)
        table = SQL("{}.{}").format(Identifier(datastore.schema), Identifier(self.chain_table))
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {} (position bigint PRIMARY KEY, "
                "previous bigint NOT NULL, digest bytea NOT NULL, link bytea NOT NULL)"
            ).format(table)
        )
        self._select_head = SQL(
            "SELECT position, previous, digest, link FROM {} ORDER BY position DESC LIMIT 1"
        ).format(table)
        self._select_head_upto = SQL(
            "SELECT position, previous, digest, link FROM {} WHERE position <= %s "
            "ORDER BY position DESC LIMIT 1"
        ).format(table)
        self._select_links = SQL(
            "SELECT position, previous, digest, link FROM {} WHERE position > %s "
            "ORDER BY position LIMIT %s"
        ).format(table)
        self._insert_links = SQL(
            "INSERT INTO {} (position, previous, digest, link) VALUES (%s, %s, %s, %s)"
        ).format(table)

    def _fetch_ids_after_insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        # The library holds the events table in EXCLUSIVE mode here: writers take turns, so
        # the head read below is the last committed link and nobody else extends it meanwhile.
        positions = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        if positions:
            curs.execute(self._select_head, prepare=True)
            row = curs.fetchone()
            head = (
                Link(row["position"], row["previous"], bytes(row["digest"]), bytes(row["link"]))
                if row
                else None
            )
            links = extend(head, zip(positions, stored_events, strict=True))
            curs.executemany(self._insert_links, [_row(k) for k in links])
        return positions

    def select_links(self, after: int, limit: int) -> list[Link]:
        """Links of the positions after `after`, in order."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._select_links, (after, limit))
            return [
                Link(r["position"], r["previous"], bytes(r["digest"]), bytes(r["link"]))
                for r in curs.fetchall()
            ]

    def head(self, at_most: int | None = None) -> Link | None:
        """The last link (None: empty log); with `at_most`, the last one at or before it."""
        with self.datastore.transaction(commit=False) as curs:
            if at_most is None:
                curs.execute(self._select_head)
            else:
                curs.execute(self._select_head_upto, (at_most,))
            r = curs.fetchone()
            return (
                Link(r["position"], r["previous"], bytes(r["digest"]), bytes(r["link"]))
                if r
                else None
            )

    def seal(self, batch: int = 20_000) -> int:
        """Link a log written before the chain existed, once; returns how many were linked."""
        with self.datastore.get_connection() as conn, conn.transaction():
            with conn.cursor() as curs:
                for statement in self.lock_table_statements:
                    curs.execute(statement)
                curs.execute(self._select_head)
                if curs.fetchone():
                    return 0
            with conn.cursor(name="tracker_seal") as log, conn.cursor() as curs:
                log.execute(
                    SQL("SELECT notification_id, originator_id, originator_version, topic, state "
                        "FROM {}.{} ORDER BY notification_id").format(
                        Identifier(self.datastore.schema), Identifier(self.events_table_name)
                    )
                )  # fmt: skip

                batches = iter(lambda: [tuple(r.values()) for r in log.fetchmany(batch)], [])
                return _link_all(batches, lambda links: curs.executemany(self._insert_links, links))


def _row(link: Link) -> tuple[int, int, bytes, bytes]:
    return (link.position, link.previous, link.digest, link.link)


def _link_all(
    batches: Iterator[Sequence[Sequence[Any]]],
    insert: Callable[[list[tuple[int, int, bytes, bytes]]], object],
) -> int:
    """Link every batch of (position, stream, version, topic, state) rows, in log order."""
    head: Link | None = None
    linked = 0
    for rows in batches:
        events = [
            (int(r[0]), StoredEvent(r[1] if isinstance(r[1], UUID) else UUID(r[1]),
                                    int(r[2]), r[3], bytes(r[4])))
            for r in rows
        ]  # fmt: skip
        links = extend(head, events)
        insert([_row(k) for k in links])
        head = links[-1]
        linked += len(links)
    return linked


ChainedRecorder = ChainedSQLiteRecorder | ChainedPostgresRecorder


def chained(recorder: object) -> ChainedRecorder:
    """The application's recorder, which the store settings always make a chained one."""
    if not isinstance(recorder, ChainedSQLiteRecorder | ChainedPostgresRecorder):
        msg = f"{type(recorder).__name__} keeps no integrity chain (see tracker.storage)"
        raise TypeError(msg)
    return recorder
