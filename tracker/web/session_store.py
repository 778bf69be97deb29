"""Server-side sessions in the tracker's own database, so every web worker sees every session."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

import anyio.to_thread
from litestar.stores.base import Store

from projections.database import Connection, Database

T = TypeVar("T")


def _seconds(value: int | timedelta | None) -> float | None:
    if value is None:
        return None
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class DatabaseStore(Store):
    """A Litestar store on the `web_sessions` table (SQLite file or PostgreSQL schema).

    Each call opens a short connection in a worker thread: the databases are blocking.
    """

    def __init__(self, database: Database) -> None:
        self.database = database

    async def set(
        self, key: str, value: str | bytes, expires_in: int | timedelta | None = None
    ) -> None:
        data = value.encode() if isinstance(value, str) else value
        seconds = _seconds(expires_in)
        expires_at = time.time() + seconds if seconds is not None else None
        await self._run(
            lambda conn: conn.execute(
                "INSERT INTO web_sessions (session_key, data, expires_at) VALUES (?, ?, ?) "
                "ON CONFLICT (session_key) DO UPDATE SET data = excluded.data, "
                "expires_at = excluded.expires_at",
                (key, data, expires_at),
            )
        )

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        seconds = _seconds(renew_for)

        def read(conn: Connection) -> bytes | None:
            now = time.time()
            rows = conn.execute(
                "SELECT data, expires_at FROM web_sessions WHERE session_key = ?", (key,)
            )
            if not rows:
                return None
            data, expires_at = rows[0]
            if expires_at is not None and expires_at <= now:
                conn.execute("DELETE FROM web_sessions WHERE session_key = ?", (key,))
                return None
            if seconds is not None:
                conn.execute(
                    "UPDATE web_sessions SET expires_at = ? WHERE session_key = ?",
                    (now + seconds, key),
                )
            return bytes(data)

        return await self._run(read)

    async def delete(self, key: str) -> None:
        await self._run(
            lambda conn: conn.execute("DELETE FROM web_sessions WHERE session_key = ?", (key,))
        )

    async def delete_all(self) -> None:
        await self._run(lambda conn: conn.execute("DELETE FROM web_sessions"))

    async def exists(self, key: str) -> bool:
        return await self.get(key) is not None

    async def expires_in(self, key: str) -> int | None:
        rows = await self._run(
            lambda conn: conn.execute(
                "SELECT expires_at FROM web_sessions WHERE session_key = ?", (key,)
            )
        )
        if not rows or rows[0][0] is None:
            return None
        return max(int(rows[0][0] - time.time()), 0)

    async def delete_expired(self) -> None:
        """Forget the sessions whose time is over (called now and then by the server)."""
        await self._run(
            lambda conn: conn.execute(
                "DELETE FROM web_sessions WHERE expires_at <= ?", (time.time(),)
            )
        )

    async def _run(self, work: Callable[[Connection], T]) -> T:
        def call() -> T:
            conn = self.database.connect()
            try:
                return work(conn)
            finally:
                conn.close()

        return await anyio.to_thread.run_sync(call)
