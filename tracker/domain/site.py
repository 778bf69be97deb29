"""A site of the chain: a sorting workshop, an insertion workshop or a third place."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from tracker.domain import asset_tag, validation
from tracker.domain.asset_tag import NAMESPACE
from tracker.domain.exceptions import NoChangeError


class SiteKind(StrEnum):
    """What a site does in the chain."""

    SORTING_WORKSHOP = "sorting_workshop"  # the ESAT: triage, data wipe, dismantling
    INSERTION_WORKSHOP = "insertion_workshop"  # reconditioning
    THIRD_PLACE = "third_place"  # hands computers over to beneficiaries
    OTHER = "other"


class Site(Aggregate):
    """Where computers are kept and steps recorded; its code is what events carry."""

    class Registered(Aggregate.Created):
        code: str
        name: str
        kind: str
        town: str
        programme: str
        actor: str

    class Changed(Aggregate.Event):
        name: str
        kind: str
        town: str
        programme: str
        active: bool
        actor: str

        def apply(self, aggregate: Site) -> None:
            aggregate.name, aggregate.kind = self.name, SiteKind(self.kind)
            aggregate.town, aggregate.programme = self.town, self.programme
            aggregate.active = self.active

    def __init__(
        self, *, code: str, name: str, kind: str, town: str, programme: str, actor: str
    ) -> None:
        self.code = code
        self.name = name
        self.kind = SiteKind(kind)
        self.town = town
        self.programme = programme
        self.active = True

    @staticmethod
    def id_for(code: str) -> UUID:
        return uuid5(NAMESPACE, f"site:{validation.site_code('code', code)}")

    @classmethod
    def register(
        cls, *, code: str, name: str, kind: str, town: str, programme: str, actor: str,
        at: datetime,
    ) -> Site:  # fmt: skip
        """A new site, open."""
        return cls._create(
            cls.Registered,
            id=cls.id_for(code),
            code=validation.site_code("code", code),
            actor=actor,
            timestamp=at,
            **_details(name, kind, town, programme),
        )

    def change(
        self, *, name: str, kind: str, town: str, programme: str, active: bool, actor: str,
        at: datetime,
    ) -> None:  # fmt: skip
        """New details for the site, or close (inactive) and reopen it."""
        details = _details(name, kind, town, programme)
        now = (self.name, self.kind.value, self.town, self.programme, self.active)
        if now == (*details.values(), active):
            raise NoChangeError()
        self.trigger_event(self.Changed, active=active, actor=actor, timestamp=at, **details)


def _details(name: str, kind: str, town: str, programme: str) -> dict[str, str]:
    return {
        "name": validation.text("name", name, required=True, max_length=120),
        "kind": validation.choice("kind", kind, SiteKind).value,
        "town": validation.text("town", town, max_length=80),
        "programme": asset_tag.programme_code(programme),
    }
