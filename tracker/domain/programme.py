"""A programme: one territory's solidarity digital pathway and its yearly target."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from tracker.domain import asset_tag, validation
from tracker.domain.asset_tag import NAMESPACE
from tracker.domain.exceptions import InvalidValueError, NoChangeError

DEFAULT_YEARLY_TARGET = 500
MAX_YEARLY_TARGET = 1_000_000


class Programme(Aggregate):
    """A programme; its code prefixes the asset tags it generates (e.g. "CD35")."""

    class Registered(Aggregate.Created):
        code: str
        name: str
        territory: str
        yearly_target: int
        actor: str

    class Changed(Aggregate.Event):
        name: str
        territory: str
        yearly_target: int
        active: bool
        actor: str

        def apply(self, aggregate: Programme) -> None:
            aggregate.name, aggregate.territory = self.name, self.territory
            aggregate.yearly_target, aggregate.active = self.yearly_target, self.active

    def __init__(
        self, *, code: str, name: str, territory: str, yearly_target: int, actor: str
    ) -> None:
        self.code = code
        self.name = name
        self.territory = territory
        self.yearly_target = yearly_target
        self.active = True

    @staticmethod
    def id_for(code: str) -> UUID:
        return uuid5(NAMESPACE, f"programme:{asset_tag.programme_code(code, 'code')}")

    @classmethod
    def register(
        cls, *, code: str, name: str, territory: str, yearly_target: int = DEFAULT_YEARLY_TARGET,
        actor: str, at: datetime,
    ) -> Programme:  # fmt: skip
        """A new programme, active; its target is 500 computers a year unless said otherwise."""
        return cls._create(
            cls.Registered,
            id=cls.id_for(code),
            code=asset_tag.programme_code(code, "code"),
            actor=actor,
            timestamp=at,
            **_details(name, territory, yearly_target),
        )

    def change(
        self, *, name: str, territory: str, yearly_target: int, active: bool, actor: str,
        at: datetime,
    ) -> None:  # fmt: skip
        """New name, territory or target; or close (inactive) and reopen the programme."""
        details = _details(name, territory, yearly_target)
        now = (self.name, self.territory, self.yearly_target, self.active)
        if now == (*details.values(), active):
            raise NoChangeError()
        self.trigger_event(self.Changed, active=active, actor=actor, timestamp=at, **details)


def _details(name: str, territory: str, yearly_target: int) -> dict[str, str | int]:
    if isinstance(yearly_target, bool) or not isinstance(yearly_target, int):
        raise InvalidValueError(field="yearly_target", reason="not_a_number")
    if yearly_target < 1:
        raise InvalidValueError(field="yearly_target", reason="too_small")
    if yearly_target > MAX_YEARLY_TARGET:
        raise InvalidValueError(field="yearly_target", reason="too_large")
    return {
        "name": validation.text("name", name, required=True, max_length=120),
        "territory": validation.text("territory", territory, required=True, max_length=120),
        "yearly_target": yearly_target,
    }
