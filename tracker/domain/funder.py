"""A funder: a public body or a foundation that pays for part of the chain over a period."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from tracker.domain import validation
from tracker.domain.asset_tag import NAMESPACE
from tracker.domain.exceptions import NoChangeError


class FunderKind(StrEnum):
    """Where the money comes from; each kind reports in its own way."""

    DEPARTEMENT = "departement"  # the département, its insertion programme (PDI) included
    FSE_PLUS = "fse_plus"  # European Social Fund
    FEDER = "feder"  # European Regional Development Fund
    FOUNDATION = "foundation"
    STATE_CALL = "state_call"  # a state call for projects (territorial hubs...)
    OTHER = "other"


class Funder(Aggregate):
    """An organisation that pays for part of the chain, known by a short code."""

    class Registered(Aggregate.Created):
        code: str
        name: str
        kind: str
        actor: str

    class Changed(Aggregate.Event):
        name: str
        kind: str
        active: bool
        actor: str

        def apply(self, aggregate: Funder) -> None:
            aggregate.name, aggregate.kind = self.name, FunderKind(self.kind)
            aggregate.active = self.active

    def __init__(self, *, code: str, name: str, kind: str, actor: str) -> None:
        self.code = code
        self.name = name
        self.kind = FunderKind(kind)
        self.active = True

    @staticmethod
    def id_for(code: str) -> UUID:
        return uuid5(NAMESPACE, f"funder:{validation.site_code('code', code)}")

    @classmethod
    def register(cls, *, code: str, name: str, kind: str, actor: str, at: datetime) -> Funder:
        """A new funder, active."""
        return cls._create(
            cls.Registered,
            id=cls.id_for(code),
            code=validation.site_code("code", code),
            actor=actor,
            timestamp=at,
            **_details(name, kind),
        )

    def change(self, *, name: str, kind: str, active: bool, actor: str, at: datetime) -> None:
        """New details, or close (inactive) and reopen the funder; its lines stay as they are."""
        details = _details(name, kind)
        if (self.name, self.kind.value, self.active) == (*details.values(), active):
            raise NoChangeError()
        self.trigger_event(self.Changed, active=active, actor=actor, timestamp=at, **details)


def _details(name: str, kind: str) -> dict[str, str]:
    return {
        "name": validation.text("name", name, required=True, max_length=120),
        "kind": validation.choice("kind", kind, FunderKind).value,
    }
