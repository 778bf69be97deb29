"""Repeated failed sign-ins are slowed down: per account and per address, shared by all workers.

Five failures in a row are free (people mistype); after that each attempt must wait, doubling
from 30 seconds up to 15 minutes. A success clears the account's count. Subjects are stored and
logged as keyed hashes: neither user names nor addresses appear in the table or the logs.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable

from projections.database import Database, connection

FREE_FAILURES = 5
FIRST_WAIT = 30.0
LONGEST_WAIT = 15 * 60.0
FORGET_AFTER = 60 * 60.0  # a count older than an hour starts again from zero


class SignInThrottle:
    """Counts failed sign-ins and says how long the next attempt must wait."""

    def __init__(
        self, database: Database, secret: str, clock: Callable[[], float] = time.time
    ) -> None:
        self.database = database
        self._secret = secret.encode()
        self._clock = clock

    def subject(self, kind: str, value: str) -> str:
        """A keyed hash standing for an account or an address."""
        digest = hmac.new(self._secret, f"{kind}:{value}".encode(), hashlib.sha256)
        return f"{kind}:{digest.hexdigest()[:24]}"

    def wait_needed(self, subjects: list[str]) -> float:
        """Seconds to wait before another attempt is allowed (0: go ahead)."""
        now = self._clock()
        longest = 0.0
        with connection(self.database) as conn:
            marks = ", ".join("?" for _ in subjects)
            rows = conn.execute(
                "SELECT failures, last_failure_at FROM sign_in_failures "  # noqa: S608
                f"WHERE subject IN ({marks})",
                subjects,
            )
        for failures, last in rows:
            if now - last > FORGET_AFTER or failures < FREE_FAILURES:
                continue
            wait = min(FIRST_WAIT * 2 ** (failures - FREE_FAILURES), LONGEST_WAIT)
            longest = max(longest, last + wait - now)
        return longest

    def failed(self, subjects: list[str]) -> int:
        """Count a failure for each subject; returns the highest count."""
        now = self._clock()
        with connection(self.database) as conn, conn.transaction():
            counts = []
            for subject in subjects:
                rows = conn.execute(
                    "INSERT INTO sign_in_failures (subject, failures, last_failure_at) "
                    "VALUES (?, 1, ?) ON CONFLICT (subject) DO UPDATE SET "
                    "failures = CASE WHEN ? - sign_in_failures.last_failure_at > ? THEN 1 "
                    "ELSE sign_in_failures.failures + 1 END, "
                    "last_failure_at = excluded.last_failure_at "
                    "RETURNING failures",
                    (subject, now, now, FORGET_AFTER),
                )
                counts.append(int(rows[0][0]))
        return max(counts)

    def succeeded(self, subject: str) -> None:
        with connection(self.database) as conn:
            conn.execute("DELETE FROM sign_in_failures WHERE subject = ?", (subject,))
