"""A funding line: what one funder pays for in one programme over a period.

It names the steps paid for, the sites where they count (none named: every site of the
programme) and the publics the funder counts among the people handed a computer. A report per
funder and period reads its lines and counts the steps they cover.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from tracker.domain import asset_tag, validation
from tracker.domain.asset_tag import NAMESPACE
from tracker.domain.exceptions import InvalidValueError, NoChangeError
from tracker.domain.vocabulary import BeneficiaryCategory, FundedStage

MAX_NOTE = 500


@dataclass(frozen=True)
class Terms:
    """Everything a funding line says but its code; `of` checks and normalises it."""

    funder: str
    programme: str
    starts_on: date
    ends_on: date
    stages: tuple[str, ...]
    sites: tuple[str, ...] = ()  # none: every site of the programme
    categories: tuple[str, ...] = ()
    note: str = ""

    @classmethod
    def of(
        cls, *, funder: str, programme: str, starts_on: date, ends_on: date,
        stages: Iterable[str], sites: Iterable[str] = (), categories: Iterable[str] = (),
        note: str = "",
    ) -> Terms:  # fmt: skip
        """Checked in the order of the form: the first bad field is the one refused."""
        funder = validation.site_code("funder", funder)
        programme = asset_tag.programme_code(programme)
        starts_on = validation.day("starts_on", starts_on)
        ends_on = validation.day("ends_on", ends_on)
        if ends_on < starts_on:
            raise InvalidValueError(field="ends_on", reason="before_start")
        paid = validation.choices("stages", stages, FundedStage, required=True)
        counted = validation.choices("categories", categories, BeneficiaryCategory)
        return cls(
            funder=funder,
            programme=programme,
            starts_on=starts_on,
            ends_on=ends_on,
            stages=tuple(stage.value for stage in paid),
            sites=tuple(sorted({validation.site_code("sites", site) for site in sites})),
            categories=tuple(category.value for category in counted),
            note=validation.text("note", note, max_length=MAX_NOTE),
        )

    def recorded(self) -> dict[str, object]:
        """The fields of an event (tuples are stored as lists)."""
        return {
            "funder": self.funder,
            "programme": self.programme,
            "starts_on": self.starts_on,
            "ends_on": self.ends_on,
            "stages": list(self.stages),
            "sites": list(self.sites),
            "categories": list(self.categories),
            "note": self.note,
        }


class FundingLine(Aggregate):
    """One funder's commitment to one programme, known by a code such as FSE-2026-CD35."""

    class Registered(Aggregate.Created):
        code: str
        funder: str
        programme: str
        starts_on: date
        ends_on: date
        stages: list[str]
        sites: list[str]
        categories: list[str]
        note: str
        actor: str

    class Changed(Aggregate.Event):
        funder: str
        programme: str
        starts_on: date
        ends_on: date
        stages: list[str]
        sites: list[str]
        categories: list[str]
        note: str
        actor: str

        def apply(self, aggregate: FundingLine) -> None:
            aggregate.terms = _terms(self)

    def __init__(
        self, *, code: str, funder: str, programme: str, starts_on: date, ends_on: date,
        stages: list[str], sites: list[str], categories: list[str], note: str, actor: str,
    ) -> None:  # fmt: skip
        self.code = code
        self.terms = Terms(funder, programme, starts_on, ends_on, tuple(stages), tuple(sites),
                           tuple(categories), note)  # fmt: skip

    @staticmethod
    def id_for(code: str) -> UUID:
        return uuid5(NAMESPACE, f"funding_line:{validation.site_code('code', code)}")

    @classmethod
    def register(cls, *, code: str, terms: Terms, actor: str, at: datetime) -> FundingLine:
        """A new funding line on terms already checked (`Terms.of`)."""
        return cls._create(
            cls.Registered,
            id=cls.id_for(code),
            code=validation.site_code("code", code),
            actor=actor,
            timestamp=at,
            **terms.recorded(),
        )

    def change(self, terms: Terms, *, actor: str, at: datetime) -> None:
        """New terms replacing all the previous ones; the code stays."""
        if terms == self.terms:
            raise NoChangeError()
        self.trigger_event(self.Changed, actor=actor, timestamp=at, **terms.recorded())


def _terms(event: FundingLine.Changed) -> Terms:
    return Terms(event.funder, event.programme, event.starts_on, event.ends_on,
                 tuple(event.stages), tuple(event.sites), tuple(event.categories),
                 event.note)  # fmt: skip
