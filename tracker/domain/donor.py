"""A donor: a company, an administration or a local authority that gives used computers."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from tracker.domain import validation
from tracker.domain.asset_tag import NAMESPACE
from tracker.domain.exceptions import NoChangeError


class DonorKind(StrEnum):
    """What kind of organisation gives (people are not donors here: no personal data)."""

    COMPANY = "company"
    ADMINISTRATION = "administration"
    LOCAL_AUTHORITY = "local_authority"
    ASSOCIATION = "association"
    OTHER = "other"


class Donor(Aggregate):
    """An organisation that gives computers, known by a short code."""

    class Registered(Aggregate.Created):
        code: str
        name: str
        kind: str
        town: str
        actor: str

    class Changed(Aggregate.Event):
        name: str
        kind: str
        town: str
        active: bool
        actor: str

        def apply(self, aggregate: Donor) -> None:
            aggregate.name, aggregate.kind = self.name, DonorKind(self.kind)
            aggregate.town, aggregate.active = self.town, self.active

    def __init__(self, *, code: str, name: str, kind: str, town: str, actor: str) -> None:
        self.code = code
        self.name = name
        self.kind = DonorKind(kind)
        self.town = town
        self.active = True

    @staticmethod
    def id_for(code: str) -> UUID:
        return uuid5(NAMESPACE, f"donor:{validation.site_code('code', code)}")

    @classmethod
    def register(
        cls, *, code: str, name: str, kind: str, town: str, actor: str, at: datetime
    ) -> Donor:
        """A new donor, active."""
        return cls._create(
            cls.Registered,
            id=cls.id_for(code),
            code=validation.site_code("code", code),
            actor=actor,
            timestamp=at,
            **_details(name, kind, town),
        )

    def change(
        self, *, name: str, kind: str, town: str, active: bool, actor: str, at: datetime
    ) -> None:
        """New details, or stop (inactive) and resume taking gifts from this donor."""
        details = _details(name, kind, town)
        if (self.name, self.kind.value, self.town, self.active) == (*details.values(), active):
            raise NoChangeError()
        self.trigger_event(self.Changed, active=active, actor=actor, timestamp=at, **details)


def _details(name: str, kind: str, town: str) -> dict[str, str]:
    return {
        "name": validation.text("name", name, required=True, max_length=120),
        "kind": validation.choice("kind", kind, DonorKind).value,
        "town": validation.text("town", town, max_length=80),
    }
