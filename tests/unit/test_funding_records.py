"""Funders and funding lines: registered with checked fields, changed, each time by someone."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

import pytest
from eventsourcing.domain import Aggregate

from projections.timeline import STAGES
from tracker.domain.exceptions import InvalidValueError, NoChangeError
from tracker.domain.funder import Funder, FunderKind
from tracker.domain.funding_line import MAX_NOTE, FundingLine, Terms
from tracker.domain.vocabulary import BeneficiaryCategory, FundedStage

AT = datetime(2026, 6, 15, 9, 30, tzinfo=UTC)
LATER = datetime(2026, 6, 16, 10, 0, tzinfo=UTC)

FUNDER = {"code": "fse-plus", "name": "Fonds social européen (FSE+)", "kind": "fse_plus"}
TERMS: dict[str, Any] = {
    "funder": "fse-plus",
    "programme": "cd35",
    "starts_on": date(2026, 1, 1),
    "ends_on": date(2026, 12, 31),
    "stages": ["reconditioned", "triaged"],
    "sites": ["atelier-vitre", "ESAT-RANCE", "esat-rance"],
    "categories": ["jobseeker", "minimum_income"],
    "note": " Convention 2026-017 ",
}


def replayed(events: Sequence[Aggregate.Event]) -> Any:
    copy: Any = None
    for event in events:
        copy = event.mutate(copy)
    return copy


def given_funder(**changes: Any) -> Funder:
    funder: Funder = replayed(
        Funder.register(**{**FUNDER, **changes}, actor="agent", at=AT).collect_events()
    )
    return funder


def given_line(**changes: Any) -> FundingLine:
    terms = Terms.of(**{**TERMS, **changes})
    line: FundingLine = replayed(
        FundingLine.register(code="fse-2026-cd35", terms=terms, actor="agent", at=AT)
        .collect_events()
    )  # fmt: skip
    return line


def refusal_of_terms(**changes: Any) -> tuple[str, str]:
    with pytest.raises(InvalidValueError) as refusal:
        Terms.of(**{**TERMS, **changes})
    return refusal.value.field, refusal.value.reason


# -- funders -------------------------------------------------------------------------------


def test_registering_a_funder_records_its_code_upper_case_and_who_did_it() -> None:
    funder = Funder.register(**{**FUNDER, "name": " FSE+ "}, actor="agent", at=AT)
    [event] = funder.collect_events()
    assert isinstance(event, Funder.Registered)
    assert (event.code, event.name, event.kind, event.actor) == (
        "FSE-PLUS", "FSE+", "fse_plus", "agent"
    )  # fmt: skip
    assert (funder.id, funder.kind, funder.active) == (
        Funder.id_for("FSE-PLUS"),
        FunderKind.FSE_PLUS,
        True,
    )


@pytest.mark.parametrize(
    ("changes", "refused"),
    [
        ({"code": " "}, ("code", "required")),
        ({"code": "Fonds social"}, ("code", "not_a_site_code")),
        ({"name": ""}, ("name", "required")),
        ({"name": "x" * 121}, ("name", "too_long")),
        ({"kind": "bank"}, ("kind", "unknown_choice")),
    ],
)
def test_a_funder_with_a_bad_field_is_refused(
    changes: dict[str, str], refused: tuple[str, str]
) -> None:
    with pytest.raises(InvalidValueError) as refusal:
        Funder.register(**{**FUNDER, **changes}, actor="agent", at=AT)
    assert (refusal.value.field, refusal.value.reason) == refused


def test_a_funder_is_renamed_closed_and_reopened_each_time_by_someone() -> None:
    funder = Funder.register(**FUNDER, actor="agent", at=AT)
    funder.change(name="FSE+ Bretagne", kind="fse_plus", active=False, actor="agent", at=AT)
    funder.change(name="FSE+ Bretagne", kind="fse_plus", active=True, actor="admin", at=LATER)
    events = funder.collect_events()
    assert [(type(e), e.actor) for e in events] == [  # type: ignore[attr-defined]
        (Funder.Registered, "agent"), (Funder.Changed, "agent"), (Funder.Changed, "admin")
    ]  # fmt: skip
    assert (funder.name, funder.active, funder.version) == ("FSE+ Bretagne", True, 3)
    assert vars(replayed(events)) == vars(funder)


def test_changing_a_funder_to_what_it_already_says_records_nothing() -> None:
    funder = given_funder()
    with pytest.raises(NoChangeError):
        funder.change(name=" Fonds social européen (FSE+)", kind="fse_plus", active=True,
                      actor="agent", at=AT)  # fmt: skip
    assert funder.collect_events() == []


# -- the terms of a funding line -----------------------------------------------------------


def test_terms_are_normalised_codes_upper_case_lists_in_a_fixed_order_once_each() -> None:
    terms = Terms.of(**TERMS)
    assert (terms.funder, terms.programme) == ("FSE-PLUS", "CD35")
    assert terms.stages == ("triaged", "reconditioned")  # the order of the chain
    assert terms.sites == ("ATELIER-VITRE", "ESAT-RANCE")
    assert terms.categories == ("minimum_income", "jobseeker")
    assert terms.note == "Convention 2026-017"


def test_a_line_may_pay_for_one_day_name_no_site_and_count_every_public() -> None:
    terms = Terms.of(**{**TERMS, "ends_on": date(2026, 1, 1), "sites": [], "categories": []})
    assert (terms.starts_on, terms.ends_on, terms.sites, terms.categories) == (
        date(2026, 1, 1), date(2026, 1, 1), (), ()
    )  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "refused"),
    [
        ({"funder": ""}, ("funder", "required")),
        ({"funder": "FSE PLUS"}, ("funder", "not_a_site_code")),
        ({"programme": "CD-35"}, ("programme", "not_a_programme_code")),
        ({"starts_on": "2026-01-01"}, ("starts_on", "not_a_date")),
        ({"ends_on": datetime(2026, 12, 31, tzinfo=UTC)}, ("ends_on", "not_a_date")),
        ({"ends_on": date(2025, 12, 31)}, ("ends_on", "before_start")),
        ({"stages": []}, ("stages", "required")),
        ({"stages": ["donated"]}, ("stages", "unknown_choice")),
        ({"stages": ["triaged", "repaired"]}, ("stages", "unknown_choice")),
        ({"sites": ["ESAT RANCE"]}, ("sites", "not_a_site_code")),
        ({"categories": ["rich"]}, ("categories", "unknown_choice")),
        ({"note": "x" * (MAX_NOTE + 1)}, ("note", "too_long")),
    ],
)
def test_terms_with_a_bad_field_are_refused(
    changes: dict[str, Any], refused: tuple[str, str]
) -> None:
    assert refusal_of_terms(**changes) == refused


def test_the_stages_a_line_pays_for_are_those_the_read_models_count() -> None:
    assert {stage.value for stage in FundedStage} <= set(STAGES.values())
    assert [stage.value for stage in FundedStage] == [
        "triaged", "data_wiped", "dismantled", "reconditioned", "loaned", "returned"
    ]  # fmt: skip


def test_the_publics_a_funder_may_count_are_a_closed_list() -> None:
    assert [category.value for category in BeneficiaryCategory] == [
        "minimum_income", "jobseeker", "young_16_25", "senior_60_plus", "disability",
        "priority_neighbourhood",
    ]  # fmt: skip


# -- funding lines -------------------------------------------------------------------------


def test_registering_a_line_records_its_terms_as_plain_values_and_who_did_it() -> None:
    line = FundingLine.register(code=" fse-2026-cd35", terms=Terms.of(**TERMS), actor="agent",
                                at=AT)  # fmt: skip
    [event] = line.collect_events()
    assert isinstance(event, FundingLine.Registered)
    assert (event.code, event.funder, event.programme, event.actor) == (
        "FSE-2026-CD35", "FSE-PLUS", "CD35", "agent"
    )  # fmt: skip
    assert (event.starts_on, event.ends_on) == (date(2026, 1, 1), date(2026, 12, 31))
    assert (event.stages, event.sites, event.categories) == (
        ["triaged", "reconditioned"], ["ATELIER-VITRE", "ESAT-RANCE"],
        ["minimum_income", "jobseeker"],
    )  # fmt: skip
    assert (line.id, line.terms) == (FundingLine.id_for("FSE-2026-CD35"), Terms.of(**TERMS))


def test_a_line_with_a_malformed_code_is_refused() -> None:
    with pytest.raises(InvalidValueError) as refusal:
        FundingLine.register(code="FSE 2026", terms=Terms.of(**TERMS), actor="agent", at=AT)
    assert (refusal.value.field, refusal.value.reason) == ("code", "not_a_site_code")


def test_a_change_replaces_every_term_but_the_code() -> None:
    line = given_line()
    new = Terms.of(funder="CD35", programme="CD22", starts_on=date(2027, 1, 1),
                   ends_on=date(2027, 6, 30), stages=["loaned"])  # fmt: skip
    line.change(new, actor="admin", at=LATER)
    [event] = line.collect_events()
    assert isinstance(event, FundingLine.Changed)
    assert (event.funder, event.programme, event.stages, event.sites, event.categories) == (
        "CD35", "CD22", ["loaned"], [], []
    )  # fmt: skip
    assert (event.note, event.actor) == ("", "admin")
    assert (line.code, line.terms, line.version) == ("FSE-2026-CD35", new, 2)


def test_changing_a_line_to_the_terms_it_already_has_records_nothing() -> None:
    line = given_line()
    with pytest.raises(NoChangeError):
        line.change(Terms.of(**{**TERMS, "stages": ["triaged", "reconditioned", "triaged"]}),
                    actor="agent", at=LATER)  # fmt: skip
    assert (line.collect_events(), line.version) == ([], 1)


def test_replaying_the_events_of_a_line_gives_the_same_line() -> None:
    line = FundingLine.register(code="FSE-2026-CD35", terms=Terms.of(**TERMS), actor="agent",
                                at=AT)  # fmt: skip
    line.change(Terms.of(**{**TERMS, "sites": []}), actor="admin", at=LATER)
    copy = replayed(line.collect_events())
    assert vars(copy) == vars(line)
    assert (copy.terms.sites, copy.version) == ((), 2)


def test_a_code_gives_one_id_per_kind_of_record_whatever_its_case() -> None:
    assert Funder.id_for("cd35 ") == Funder.id_for("CD35")
    assert FundingLine.id_for("fse-2026-cd35") == FundingLine.id_for("FSE-2026-CD35")
    assert Funder.id_for("CD35") != FundingLine.id_for("CD35")
