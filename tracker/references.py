"""Use cases about reference data: sites, programmes and donors, registered then changed.

Funders and funding lines (tracker.funding) use the same registering and changing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import structlog
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from tracker.accounts import Saved
from tracker.domain.donor import Donor
from tracker.domain.exceptions import (
    InvalidValueError,
    RecordExistsError,
    StaleEditError,
    UnknownRecordError,
)
from tracker.domain.funder import Funder
from tracker.domain.funding_line import FundingLine
from tracker.domain.programme import DEFAULT_YEARLY_TARGET, Programme
from tracker.domain.site import Site
from tracker.service import Service

log = structlog.get_logger(__name__)


R = TypeVar("R", Site, Programme, Donor, Funder, FundingLine)
KINDS: dict[type[Aggregate], str] = {
    Site: "site",
    Programme: "programme",
    Donor: "donor",
    Funder: "funder",
    FundingLine: "funding_line",
}


class References(Service):
    """Sites, programmes and donors: what intake, steps and reports refer to by code."""

    def register_site(
        self, *, code: str, name: str, kind: str, town: str, programme: str, actor: str
    ) -> Saved:
        """A new site, open, in a programme that exists."""
        self._check_programme(programme)
        site = Site.register(
            code=code,
            name=name,
            kind=kind,
            town=town,
            programme=programme,
            actor=actor,
            at=self.clock(),
        )
        return self._register(site, site.code)

    def change_site(
        self,
        code: str,
        *,
        name: str,
        kind: str,
        town: str,
        programme: str,
        active: bool,
        actor: str,
        seen_version: int,
    ) -> Saved:
        """New details for a site, or close/reopen it."""
        self.site(code)  # an unknown site is the first thing to say
        self._check_programme(programme)
        now = self.clock()
        return self._change(
            Site,
            code,
            seen_version,
            lambda s: s.change(
                name=name,
                kind=kind,
                town=town,
                programme=programme,
                active=active,
                actor=actor,
                at=now,
            ),
        )

    def register_programme(
        self,
        *,
        code: str,
        name: str,
        territory: str,
        actor: str,
        yearly_target: int = DEFAULT_YEARLY_TARGET,
    ) -> Saved:
        """A new programme (500 computers a year unless said otherwise)."""
        programme = Programme.register(
            code=code,
            name=name,
            territory=territory,
            yearly_target=yearly_target,
            actor=actor,
            at=self.clock(),
        )
        return self._register(programme, programme.code)

    def change_programme(
        self,
        code: str,
        *,
        name: str,
        territory: str,
        yearly_target: int,
        active: bool,
        actor: str,
        seen_version: int,
    ) -> Saved:
        """New name, territory or yearly target for a programme, or close/reopen it."""
        now = self.clock()
        return self._change(
            Programme,
            code,
            seen_version,
            lambda p: p.change(
                name=name,
                territory=territory,
                yearly_target=yearly_target,
                active=active,
                actor=actor,
                at=now,
            ),
        )

    def register_donor(self, *, code: str, name: str, kind: str, town: str, actor: str) -> Saved:
        """A new donor."""
        donor = Donor.register(
            code=code, name=name, kind=kind, town=town, actor=actor, at=self.clock()
        )
        return self._register(donor, donor.code)

    def change_donor(
        self,
        code: str,
        *,
        name: str,
        kind: str,
        town: str,
        active: bool,
        actor: str,
        seen_version: int,
    ) -> Saved:
        """New details for a donor, or stop/resume taking its gifts."""
        now = self.clock()
        return self._change(
            Donor,
            code,
            seen_version,
            lambda d: d.change(name=name, kind=kind, town=town, active=active, actor=actor, at=now),
        )

    def site(self, code: str) -> Site:
        return self._reference(Site, code)

    def programme(self, code: str) -> Programme:
        return self._reference(Programme, code)

    def donor(self, code: str) -> Donor:
        return self._reference(Donor, code)

    def _check_programme(self, code: str) -> None:
        if self._find(Programme.id_for(code), Programme) is None:
            raise InvalidValueError(field="programme", reason="unknown_programme")

    def _reference(self, kind: type[R], code: str) -> R:
        found = self._find(kind.id_for(code), kind)
        if found is None:
            raise UnknownRecordError(kind=KINDS[kind], key=code.strip().upper())
        return found

    def _register(
        self, record: Site | Programme | Donor | Funder | FundingLine, code: str
    ) -> Saved:
        kind = KINDS[type(record)]
        if self._find(record.id, type(record)) is not None:
            raise RecordExistsError(kind=kind, key=code)
        try:
            recordings = self.save(record)
        except IntegrityError:
            raise RecordExistsError(kind=kind, key=code) from None
        log.info("reference_registered", kind=kind, code=code)
        return Saved(code, record.version, recordings[-1].notification.id)

    def _change(self, kind: type[R], code: str, seen: int, change: Callable[[R], None]) -> Saved:
        record = self._reference(kind, code)
        stale = StaleEditError(kind=KINDS[kind], key=record.code, seen=seen, current=record.version)
        if record.version != seen:
            raise stale
        change(record)
        try:
            recordings = self.save(record)
        except IntegrityError:
            raise stale from None
        log.info("reference_changed", kind=KINDS[kind], code=record.code, version=record.version)
        return Saved(record.code, record.version, recordings[-1].notification.id)
