"""Follow the log for as long as the process lives: in a thread of the app, or as its own process.

The follower sleeps until it is woken (a PostgreSQL notification, or a nudge from the same
process after a write) or until the polling interval has passed, so a lost notification
delays the read models by one interval at most and never stalls them.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

import psycopg
import structlog

from projections.runner import Runner

log = structlog.get_logger(__name__)
RETRY_PAUSE = 2.0


class Waker(Protocol):
    """Something the follower can sleep on until there may be new events."""

    def wait(self, timeout: float) -> None: ...
    def close(self) -> None: ...


class Nudges:
    """Woken by `nudge()` from the same process (the embedded mode)."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def nudge(self) -> None:
        self._event.set()

    def wait(self, timeout: float) -> None:
        self._event.wait(timeout)
        self._event.clear()

    def close(self) -> None:
        self._event.set()


class PostgresNotifications:
    """Woken by the NOTIFY that the event store sends with every write."""

    def __init__(self, params: dict[str, Any], channel: str) -> None:
        self._db = psycopg.connect(**params, autocommit=True)
        self._db.execute(f'LISTEN "{channel}"')

    def wait(self, timeout: float) -> None:
        for _ in self._db.notifies(timeout=timeout, stop_after=1):
            pass

    def close(self) -> None:
        self._db.close()


class Follower:
    """Keeps a runner at the head of the log until stopped; lets writers wait for a position."""

    def __init__(
        self,
        open_runner: Callable[[], Runner],
        waker: Waker,
        *,
        poll_interval: float = 1.0,
        stopping: threading.Event | None = None,
    ) -> None:
        self._open_runner = open_runner
        self._waker = waker
        self.poll_interval = poll_interval
        self.stopping = stopping or threading.Event()
        self._reached = threading.Condition()
        self.position = 0
        self._thread: threading.Thread | None = None

    def run(self) -> None:
        """Follow until `stop()`; errors (a database restarting) are logged and retried."""
        while not self.stopping.is_set():
            try:
                runner = self._open_runner()
            except (psycopg.Error, sqlite3.Error, OSError) as error:
                log.warning("projection_runner_unavailable", error=str(error))
                self.stopping.wait(RETRY_PAUSE)
                continue
            try:
                self._follow(runner)
            except Exception as error:
                log.exception("projection_batch_failed", error=repr(error))
                self.stopping.wait(RETRY_PAUSE)
            finally:
                runner.close()

    def start(self) -> None:
        """Follow in a background thread (the embedded mode)."""
        self._thread = threading.Thread(target=self.run, name="projections", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self._waker.close()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def nudge(self) -> None:
        """Wake the follower now (after a write in this process; PostgreSQL wakes it anyway)."""
        if isinstance(self._waker, Nudges):
            self._waker.nudge()

    def wait_for(self, position: int, timeout: float = 5.0) -> bool:
        """Block until every read model includes the notification `position`."""
        deadline = time.monotonic() + timeout
        with self._reached:
            while self.position < position:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._reached.wait(left)
        return True

    def _follow(self, runner: Runner) -> None:
        while not self.stopping.is_set():
            read = runner.run_batch()
            with self._reached:
                self.position = min(runner.positions().values())
                self._reached.notify_all()
            if read == 0:
                self._waker.wait(self.poll_interval)
