"""The read models as the tracker uses them: kept current, checked, rebuilt."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from eventsourcing.application import Application

from projections import rebuild as rebuilding
from projections.database import Database, PostgresDatabase, connection
from projections.follow import Follower, Nudges, PostgresNotifications, Waker
from projections.readmodel import AnyModel, count_rows
from projections.runner import READ_MODELS, Progress, Runner, by_names


@dataclass(frozen=True)
class ProjectionStatus:
    """How far one read model has got in the event log."""

    name: str
    position: int
    head: int
    rows: int | None  # None: not counted (a count reads the whole table)
    updated_at: str

    @property
    def behind(self) -> int:
        """Notifications not yet included (an upper bound: the log may skip numbers)."""
        return max(self.head - self.position, 0)


class ReadModels:
    """The read models of one store, and the runners that feed them from its log."""

    def __init__(self, app: Application[UUID], database: Database) -> None:
        self.app = app
        self.database = database

    def runner(self, models: Sequence[AnyModel] = READ_MODELS, **options: int) -> Runner:
        return Runner(self.app, self.database, models, **options)

    def catch_up(
        self, progress: Progress | None = None, stopping: threading.Event | None = None
    ) -> int:
        """Bring every read model to the head of the log (or stop when `stopping` is set)."""
        runner = self.runner()
        try:
            return runner.catch_up(progress=progress, stopping=stopping)
        finally:
            runner.close()

    def status(self, *, with_rows: bool = True) -> list[ProjectionStatus]:
        """Each read model's position, the head of the log and (`with_rows`) the rows it holds.

        Counting rows reads every table whole (about a second at national scale on
        PostgreSQL): pages that only say how far each read model has got leave it out.
        """
        head = self.app.recorder.max_notification_id() or 0
        with connection(self.database) as conn:
            rows = conn.execute("SELECT name, position, updated_at FROM projection_positions")
            known = {str(name): (int(pos), str(at or "")) for name, pos, at in rows}
            return [
                ProjectionStatus(
                    model.name,
                    known.get(model.name, (0, ""))[0],
                    head,
                    sum(count_rows(conn, model).values()) if with_rows else None,
                    known.get(model.name, (0, ""))[1],
                )
                for model in READ_MODELS
            ]

    def wait_for(self, position: int, timeout: float = 5.0, interval: float = 0.02) -> bool:
        """Wait until every read model includes `position` (another process may feed them).

        The web layer calls this after a user's own write, so the next page shows it.
        """
        deadline = time.monotonic() + timeout
        with connection(self.database) as conn:
            while True:
                rows = conn.execute("SELECT MIN(position) FROM projection_positions")
                if rows and rows[0][0] is not None and int(rows[0][0]) >= position:
                    return True
                if time.monotonic() >= deadline:
                    return False
                time.sleep(interval)

    def rebuild(self, names: Sequence[str] = (), progress: Progress | None = None) -> None:
        """Rebuild the named read models (all by default) while the live ones keep serving."""
        rebuilding.rebuild(self.app, self.database, by_names(names), progress=progress)

    def follower(
        self, poll_interval: float = 1.0, stopping: threading.Event | None = None
    ) -> Follower:
        """A follower woken by PostgreSQL notifications, or by nudges in the embedded mode."""
        waker: Waker
        if isinstance(self.database, PostgresDatabase):
            channel = str(getattr(self.app.recorder, "channel_name", "inventory_events"))
            waker = PostgresNotifications(self.database.params, channel)
        else:
            waker = Nudges()
        return Follower(self.runner, waker, poll_interval=poll_interval, stopping=stopping)
