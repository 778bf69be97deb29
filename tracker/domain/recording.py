"""Who records a step, where, for which business date, and when the system recorded it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from tracker.domain import validation
from tracker.domain.exceptions import DateInFutureError, InvalidValueError

MAX_NOTE_LENGTH = 2000


@dataclass(frozen=True, kw_only=True)
class Recording:
    """The context every event carries; `recorded_at` becomes the event's timestamp."""

    command_id: UUID
    actor: str
    site: str
    occurred_on: date
    recorded_at: datetime
    today: date
    note: str = ""

    def check(self) -> None:
        """Refuse an anonymous or site-less recording and a business date in the future."""
        if not self.actor.strip():
            raise InvalidValueError(field="actor", reason="required")
        validation.site_code("site", self.site)
        if len(self.note) > MAX_NOTE_LENGTH:
            raise InvalidValueError(field="note", reason="too_long")
        if self.occurred_on > self.today:
            raise DateInFutureError(occurred_on=self.occurred_on, today=self.today)

    def event_fields(self) -> dict[str, object]:
        """The fields every event of a computer or a batch carries."""
        return {
            "command_id": self.command_id,
            "actor": self.actor.strip(),
            "site": validation.site_code("site", self.site),
            "occurred_on": self.occurred_on,
            "note": self.note.strip(),
            "timestamp": self.recorded_at,
        }
