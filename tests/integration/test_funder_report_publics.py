"""Beneficiaries reached by public in the funder report, on SQLite and PostgreSQL.

Each figure is checked against a count made here: the loans' codes decoded from the raw log
(cancellations applied, only what was recorded by an instant), joined with the publics this
test registered. The story, in CD35, registered on 1 March 2026 and recorded on 31 March:
Anne (minimum income) handed two computers and Bruno (minimum income and jobseeker) one at
TL-REDON, Chloé (16-25) one at TL-REDON, Denis (no public) one at TL-DINAN, and a code given
before the register one at TL-DINAN. After the report issued on 1 April (K): Chloé's loan is
cancelled and Emma (jobseeker, disability) is recorded late, loaned on 25 March at TL-DINAN.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest
from test_funder_report import Desk, decoded, paris

from projections.database import connection
from tracker import storage
from tracker.accounts import Account
from tracker.application import Inventory
from tracker.bootstrap import read_models_of
from tracker.commands import CancelStep, Loan
from tracker.domain.beneficiary import PersonalDetails
from tracker.domain.computer import Computer
from tracker.domain.user import Role
from tracker.domain.vocabulary import BeneficiaryCategory
from tracker.erasure import erase
from tracker.funder_publics import Publics
from tracker.funder_report import FunderReport, funder_report, steps_behind
from tracker.personal_data import Sealer, new_master_key, parse_master_key
from tracker.read_models import ReadModels
from tracker.register import Register
from tracker.settings import Settings

K = date(2026, 4, 1)
START, END = date(2026, 1, 1), date(2026, 6, 30)
REDON, DINAN = "TL-REDON", "TL-DINAN"
EVERY = "FSE-2026-TOUS"  # hand-outs everywhere, every public
NAMED = "FSE-2026-RSA"  # reconditioning and hand-outs everywhere, minimum income or jobseeker
YOUNG = "FSE-2026-JEUNES"  # hand-outs at TL-REDON, people aged 16 to 25
BEFORE_THE_REGISTER = "BN-AAAA11"
PEOPLE = {  # name: (third place, publics)
    "Anne": (REDON, ("minimum_income",)),
    "Bruno": (REDON, ("minimum_income", "jobseeker")),
    "Chloé": (REDON, ("young_16_25",)),
    "Denis": (DINAN, ()),
    "Emma": (DINAN, ("jobseeker", "disability")),
}
ADMIN = Account(uuid4(), "admin", "Administratrice", frozenset({Role.ADMIN}), (), True, 1)
EVERY_PUBLIC = tuple(str(category) for category in BeneficiaryCategory)


@dataclass(frozen=True)
class Story:
    inventory: Inventory
    models: ReadModels
    register: Register
    codes: dict[str, str]  # name: code


@pytest.fixture
def story(database_url: str, tmp_path: Path) -> Iterator[Story]:
    store = storage.parse(database_url, base=tmp_path)
    storage.prepare(store)
    inventory = Inventory(store.env, zone=ZoneInfo("Europe/Paris"))
    try:
        desk = Desk(inventory)
        models = read_models_of(Settings(database_url=database_url), inventory)
        sealer = Sealer(parse_master_key(new_master_key(), "test"))
        register = Register(models.database, sealer, clock=inventory.clock,
                            today=inventory.today, pick=random.Random(3).choice)  # fmt: skip
        yield Story(inventory, models, register, _record(desk, models, register))
    finally:
        inventory.close()


def _record(desk: Desk, models: ReadModels, register: Register) -> dict[str, str]:
    inventory = desk.inventory
    inventory.register_programme(code="CD35", name="CD35", territory="Bretagne", actor="root")
    for site, kind in (("ESAT-RANCE", "sorting_workshop"), ("AI-VILAINE", "other"),
                       (REDON, "third_place"), (DINAN, "third_place")):  # fmt: skip
        inventory.register_site(code=site, name=site, kind=kind, town="", programme="CD35",
                                actor="root")  # fmt: skip
    inventory.register_funder(code="FSE-PLUS", name="FSE+", kind="fse_plus", actor="root")
    line = {"funder": "FSE-PLUS", "programme": "CD35", "starts_on": date(2026, 1, 1),
            "ends_on": date(2026, 12, 31), "actor": "root"}  # fmt: skip
    inventory.register_funding_line(code=EVERY, stages=["loaned"], **line)
    inventory.register_funding_line(code=NAMED, stages=["reconditioned", "loaned"],
                                    categories=["minimum_income", "jobseeker"], **line)  # fmt: skip
    inventory.register_funding_line(code=YOUNG, stages=["loaned"], sites=[REDON],
                                    categories=["young_16_25"], **line)  # fmt: skip
    desk.now = paris(date(2026, 3, 1), 9)
    models.catch_up()
    staff = Account(uuid4(), "tl", "Tiers-lieu", frozenset({Role.WORKSHOP}), (REDON, DINAN),
                    True, 1)  # fmt: skip
    codes = {
        name: register.register(
            staff, third_place=place, categories=publics, consent=True,
            details=PersonalDetails.checked(given_name=name, family_name="Test",
                                            phone="06 00 00 00 00"),
        ).code
        for name, (place, publics) in PEOPLE.items()
    }  # fmt: skip
    desk.now = paris(date(2026, 3, 31), 9)
    loans = [("Anne", REDON, 5), ("Anne", REDON, 6), ("Bruno", REDON, 10),
             ("Chloé", REDON, 12), ("Denis", DINAN, 15), (None, DINAN, 20)]  # fmt: skip
    versions = [_loan(desk, codes.get(name or "", BEFORE_THE_REGISTER), site, date(2026, 3, day))
                for name, site, day in loans]  # fmt: skip
    desk.now = paris(date(2026, 4, 10), 9)
    chloe_tag, chloe_version = versions[3]
    desk.record(CancelStep, chloe_tag, date(2026, 4, 10), REDON, version=chloe_version,
                reason="erreur de saisie")  # fmt: skip
    _loan(desk, codes["Emma"], DINAN, date(2026, 3, 25))  # entered late
    models.catch_up()
    return codes


def _loan(desk: Desk, code: str, site: str, on: date) -> tuple[str, int]:
    tag = desk.reconditioned(on - timedelta(days=2), "2")
    version = desk.record(Loan, tag, on, site, beneficiary_code=code, agreement_start=on,
                          contribution_eur=Decimal(25))  # fmt: skip
    return tag, version


# -- the count made here, from the raw log ---------------------------------------------------


def codes_from_log(events: list[Computer.Event], *, sites: tuple[str, ...],
                   before: datetime | None) -> set[str]:  # fmt: skip
    """The codes of the loans in force in the period among the events recorded before an
    instant (None: all), at the sites given (none: every site)."""
    loans: dict[tuple[Any, int], Computer.Loaned] = {}
    for event in events:
        if before is not None and event.timestamp >= before:
            continue
        if isinstance(event, Computer.Loaned):
            loans[(event.originator_id, event.originator_version)] = event
        elif isinstance(event, Computer.StepCancelled):
            loans.pop((event.originator_id, event.cancels_version), None)
    return {
        loan.beneficiary_code
        for loan in loans.values()
        if START <= loan.occurred_on <= END and (not sites or loan.site in sites)
    }


def expected(story: Story, line: str, before: datetime | None) -> Publics:
    """The line's beneficiaries by public, from the log and the publics registered above."""
    named = {EVERY: (), NAMED: ("minimum_income", "jobseeker"), YOUNG: ("young_16_25",)}[line]
    sites = (REDON,) if line == YOUNG else ()
    registered = {story.codes[name]: set(publics) for name, (_, publics) in PEOPLE.items()}
    reached = codes_from_log(decoded(story.inventory), sites=sites, before=before)
    publics = {code: registered.get(code, set()) for code in reached}
    counted = {code for code in reached if not named or publics[code] & set(named)}
    return Publics(
        reached=len(reached),
        counted=len(counted),
        by_public=tuple(
            (public, len({c for c in counted if public in publics[c]}))
            for public in named or EVERY_PUBLIC
        ),
        without_public=len({code for code in reached if not publics[code]}),
        elsewhere=len({c for c in reached if named and publics[c] and not publics[c] & set(named)}),
        named=bool(named),
    )


def report(story: Story, known_on: date | None = None) -> FunderReport:
    with connection(story.models.database) as conn:
        return funder_report(story.inventory, conn, "FSE-PLUS", start=START, end=END,
                             known_on=known_on,
                             categories_of=story.register.categories_of)  # fmt: skip


def loaned(figures: Any) -> Any:
    return next(f for f in figures if f.stage == "loaned")


# -- the tests --------------------------------------------------------------------------------


@pytest.mark.parametrize("known_on", [K, None], ids=["as known on K", "as corrected since"])
def test_each_line_gives_its_beneficiaries_by_public_as_counted_from_the_log(
    story: Story, known_on: date | None
) -> None:
    found = report(story, known_on)
    end_of_k = datetime.combine(K + timedelta(days=1), time(), tzinfo=story.inventory.zone)

    assert sorted(part.line.code for part in found.lines) == sorted([EVERY, NAMED, YOUNG])
    for part in found.lines:
        then = expected(story, part.line.code, end_of_k if known_on else None)
        now = expected(story, part.line.code, None)
        assert (part.publics, part.current_publics) == (then, now), part.line.code
        assert loaned(part.figures).beneficiaries == then.counted, part.line.code
        assert loaned(part.current).beneficiaries == now.counted, part.line.code


def test_a_line_naming_publics_counts_only_the_people_in_one_of_them(story: Story) -> None:
    then = {part.line.code: part for part in report(story, K).lines}
    now = {part.line.code: part for part in report(story).lines}
    named_then, named_now = then[NAMED].publics, now[NAMED].publics
    assert named_then is not None
    assert named_now is not None

    # On K: Anne and Bruno counted; Chloé (16-25 only) elsewhere; Denis and the old code without.
    assert (named_then.reached, named_then.counted) == (5, 2)
    assert named_then.by_public == (("minimum_income", 2), ("jobseeker", 1))
    assert (named_then.without_public, named_then.elsewhere) == (2, 1)
    assert sum(n for _, n in named_then.by_public) > named_then.counted, "Bruno is in both"
    # Every loan still counts as a hand-out: six steps, six computers.
    assert (loaned(then[NAMED].figures).steps, loaned(then[NAMED].figures).computers) == (6, 6)
    # Now: Chloé's loan is cancelled and Emma (jobseeker) counted.
    assert (named_now.counted, named_now.by_public) == (3, (("minimum_income", 2),
                                                            ("jobseeker", 2)))  # fmt: skip
    assert (then[YOUNG].publics.counted, now[YOUNG].publics.counted) == (1, 0)  # type: ignore[union-attr]
    assert then[EVERY].publics.counted == then[EVERY].publics.reached == 5  # type: ignore[union-attr]


def test_the_loans_behind_a_figure_give_the_same_beneficiaries_as_the_report(
    story: Story,
) -> None:
    for known_on in (K, None):
        lines = {part.line.code: part for part in report(story, known_on).lines}
        with connection(story.models.database) as conn:
            behind = steps_behind(story.inventory, conn, "FSE-PLUS", line=NAMED, stage="loaned",
                                  start=START, end=END, known_on=known_on,
                                  categories_of=story.register.categories_of)  # fmt: skip

        assert behind.figures == loaned(lines[NAMED].figures)
        assert behind.publics == lines[NAMED].publics
        assert len(behind.steps) == behind.figures.steps  # every loan is listed


def test_erasing_people_leaves_every_figure_of_the_report_unchanged(story: Story) -> None:
    before = (report(story, K), report(story))

    for name in ("Anne", "Chloé"):
        erase(story.register, ADMIN, story.codes[name])

    assert (report(story, K), report(story)) == before
    assert story.register.categories_of([story.codes["Anne"]]) == {
        story.codes["Anne"]: ("minimum_income",)
    }
