"""Whom the loans of a funding line reached, public by public: counts only, never a name.

A funding line names the publics it counts among the people handed a computer (none named:
every public). The loans it counts give distinct pseudonymous codes, and the beneficiary
register tells which publics each code was counted in (kept when a person is erased). A line
that names publics counts as its beneficiaries only the people in at least one of them; its
steps, computers and contributions still count every loan, since they come from the log alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from projections import ledger
from projections.database import Connection
from projections.funding import FundingLineEntry
from projections.ledger import StageFigures
from tracker.domain.vocabulary import BeneficiaryCategory, FundedStage

# The publics each code was counted in, as the register keeps them (Register.categories_of).
CategoriesOf = Callable[[Iterable[str]], Mapping[str, Sequence[str]]]
EVERY_PUBLIC = tuple(category.value for category in BeneficiaryCategory)
LOANED = FundedStage.LOANED.value


@dataclass(frozen=True)
class Publics:
    """The people reached by the loans a line counts, in one reading, counted by public.

    One person may be in several publics: the counts per public do not add up to `counted`.
    """

    reached: int  # distinct codes handed a computer by the loans the line counts
    counted: int  # the line's beneficiaries: in one of its publics (everyone if it names none)
    by_public: tuple[tuple[str, int], ...]  # per public of the line (every public if none named)
    without_public: int  # no public recorded, or a code the register does not know
    elsewhere: int  # only in publics the line does not name (0 when it names none)
    named: bool  # whether the line names its publics (else it counts every one)


def publics_of(codes: Iterable[str], named: Sequence[str], categories_of: CategoriesOf) -> Publics:
    """How the codes reached fall into the publics a line names (none named: every public)."""
    reached = sorted(set(codes))
    found = categories_of(reached) if reached else {}
    of = {code: set(found.get(code, ())) for code in reached}
    wanted = set(named)
    counted = [code for code in reached if not wanted or of[code] & wanted]
    return Publics(
        reached=len(reached),
        counted=len(counted),
        by_public=tuple(
            (public, sum(1 for code in counted if public in of[code]))
            for public in (tuple(named) or EVERY_PUBLIC)
        ),
        without_public=sum(1 for code in reached if not of[code]),
        elsewhere=sum(1 for code in reached if wanted and of[code] and not of[code] & wanted),
        named=bool(wanted),
    )


def line_publics(
    conn: Connection, line: FundingLineEntry, first: date, last: date, *,
    known_at: datetime | None, categories_of: CategoriesOf,
) -> Publics | None:  # fmt: skip
    """The publics reached by a line's loans from first to last, in one reading.

    None when the line does not pay for loans: it counts no beneficiaries.
    """
    if LOANED not in line.stages:
        return None
    codes = ledger.beneficiary_codes(conn, line.programme, first, last, known_at=known_at,
                                     sites=line.sites)  # fmt: skip
    return publics_of(codes, line.categories, categories_of)


def with_publics(
    figures: tuple[StageFigures, ...], publics: Publics | None
) -> tuple[StageFigures, ...]:
    """The figures, the loans' distinct beneficiaries being those the line counts."""
    if publics is None:
        return figures
    return tuple(
        replace(found, beneficiaries=publics.counted) if found.stage == LOANED else found
        for found in figures
    )
