"""Use cases about who pays: funders, and the funding lines saying what each one pays for."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from tracker.accounts import Saved
from tracker.domain.exceptions import InvalidValueError
from tracker.domain.funder import Funder
from tracker.domain.funding_line import FundingLine, Terms
from tracker.domain.site import Site
from tracker.references import References


class Funding(References):
    """Funders and their funding lines: what a report per funder and period will count."""

    def register_funder(self, *, code: str, name: str, kind: str, actor: str) -> Saved:
        """A new funder, active."""
        funder = Funder.register(code=code, name=name, kind=kind, actor=actor, at=self.clock())
        return self._register(funder, funder.code)

    def change_funder(
        self, code: str, *, name: str, kind: str, active: bool, actor: str, seen_version: int
    ) -> Saved:
        """New details for a funder, or close/reopen it."""
        now = self.clock()
        return self._change(
            Funder,
            code,
            seen_version,
            lambda f: f.change(name=name, kind=kind, active=active, actor=actor, at=now),
        )

    def register_funding_line(
        self, *, code: str, funder: str, programme: str, starts_on: date, ends_on: date,
        stages: Sequence[str], sites: Sequence[str] = (), categories: Sequence[str] = (),
        note: str = "", actor: str,
    ) -> Saved:  # fmt: skip
        """A new funding line of a registered funder, for a registered programme and its sites."""
        FundingLine.id_for(code)  # a malformed code is the first thing to say
        terms = self._checked(Terms.of(
            funder=funder, programme=programme, starts_on=starts_on, ends_on=ends_on,
            stages=stages, sites=sites, categories=categories, note=note,
        ))  # fmt: skip
        line = FundingLine.register(code=code, terms=terms, actor=actor, at=self.clock())
        return self._register(line, line.code)

    def change_funding_line(
        self, code: str, *, funder: str, programme: str, starts_on: date, ends_on: date,
        stages: Sequence[str], sites: Sequence[str], categories: Sequence[str], note: str,
        actor: str, seen_version: int,
    ) -> Saved:  # fmt: skip
        """New terms for a funding line: every field but the code is replaced."""
        self.funding_line(code)  # an unknown line is the first thing to say
        terms = self._checked(Terms.of(
            funder=funder, programme=programme, starts_on=starts_on, ends_on=ends_on,
            stages=stages, sites=sites, categories=categories, note=note,
        ))  # fmt: skip
        now = self.clock()
        return self._change(
            FundingLine, code, seen_version, lambda line: line.change(terms, actor=actor, at=now)
        )

    def funder(self, code: str) -> Funder:
        return self._reference(Funder, code)

    def funding_line(self, code: str) -> FundingLine:
        return self._reference(FundingLine, code)

    def _checked(self, terms: Terms) -> Terms:
        """The terms, once their funder, programme and sites are known to exist."""
        if self._find(Funder.id_for(terms.funder), Funder) is None:
            raise InvalidValueError(field="funder", reason="unknown_funder")
        self._check_programme(terms.programme)
        for code in terms.sites:
            site = self._find(Site.id_for(code), Site)
            if site is None:
                raise InvalidValueError(field="sites", reason="unknown_site")
            if site.programme != terms.programme:
                raise InvalidValueError(field="sites", reason="site_not_in_programme")
        return terms
