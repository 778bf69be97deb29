"""Sites, programmes and donors: registered with checked fields, then changed, closed, reopened."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import pytest
from eventsourcing.domain import Aggregate

from tracker.domain.donor import Donor, DonorKind
from tracker.domain.exceptions import InvalidValueError, NoChangeError
from tracker.domain.programme import DEFAULT_YEARLY_TARGET, MAX_YEARLY_TARGET, Programme
from tracker.domain.site import Site, SiteKind

AT = datetime(2026, 6, 15, 9, 30, tzinfo=UTC)
LATER = datetime(2026, 6, 16, 10, 0, tzinfo=UTC)

SITE = {"code": "esat-rance", "name": "ESAT de la Rance", "kind": "sorting_workshop",
        "town": "Dinan", "programme": "cd35"}  # fmt: skip
PROGRAMME = {"code": "cd35", "name": "Parcours numérique 35", "territory": "Ille-et-Vilaine"}
DONOR = {"code": "rennes-metropole", "name": "Rennes Métropole", "kind": "local_authority",
         "town": "Rennes"}  # fmt: skip


def replayed(events: Sequence[Aggregate.Event]) -> Any:
    copy: Any = None
    for event in events:
        copy = event.mutate(copy)
    return copy


def given_site(**changes: Any) -> Site:
    site: Site = replayed(
        Site.register(**{**SITE, **changes}, actor="admin", at=AT).collect_events()
    )
    return site


def given_programme(**changes: Any) -> Programme:
    record = Programme.register(**{**PROGRAMME, **changes}, actor="admin", at=AT)
    programme: Programme = replayed(record.collect_events())
    return programme


def given_donor(**changes: Any) -> Donor:
    donor: Donor = replayed(
        Donor.register(**{**DONOR, **changes}, actor="admin", at=AT).collect_events()
    )
    return donor


def refusal_of(register: Callable[..., Any], fields: dict[str, Any]) -> tuple[str, str]:
    with pytest.raises(InvalidValueError) as refusal:
        register(**fields, actor="admin", at=AT)
    return refusal.value.field, refusal.value.reason


# -- sites ---------------------------------------------------------------------------------


def test_registering_a_site_records_its_normalised_details_and_opens_it() -> None:
    site = Site.register(**{**SITE, "name": " ESAT de la Rance "}, actor="admin", at=AT)
    [event] = site.collect_events()
    assert isinstance(event, Site.Registered)
    assert (event.code, event.name, event.kind, event.town, event.programme, event.actor) == (
        "ESAT-RANCE", "ESAT de la Rance", "sorting_workshop", "Dinan", "CD35", "admin"
    )  # fmt: skip
    assert (site.id, site.kind, site.active) == (
        Site.id_for("ESAT-RANCE"),
        SiteKind.SORTING_WORKSHOP,
        True,
    )


@pytest.mark.parametrize(
    ("changes", "refused"),
    [
        ({"code": ""}, ("code", "required")),
        ({"code": "E"}, ("code", "not_a_site_code")),
        ({"code": "esat rance"}, ("code", "not_a_site_code")),
        ({"name": "  "}, ("name", "required")),
        ({"name": "x" * 121}, ("name", "too_long")),
        ({"kind": "warehouse"}, ("kind", "unknown_choice")),
        ({"town": "x" * 81}, ("town", "too_long")),
        ({"programme": "C"}, ("programme", "not_a_programme_code")),
        ({"programme": "CD-35"}, ("programme", "not_a_programme_code")),
    ],
)
def test_a_site_with_a_bad_field_is_refused(
    changes: dict[str, str], refused: tuple[str, str]
) -> None:
    assert refusal_of(Site.register, {**SITE, **changes}) == refused


def test_a_site_may_have_no_town() -> None:
    assert given_site(town="  ").town == ""


def test_changing_a_site_records_all_its_details_and_who_changed_them() -> None:
    site = given_site()
    site.change(name="ESAT Rance", kind="insertion_workshop", town="Dinan", programme="cd22",
                active=True, actor="root", at=LATER)  # fmt: skip
    [event] = site.collect_events()
    assert isinstance(event, Site.Changed)
    assert (event.name, event.kind, event.programme, event.active, event.actor) == (
        "ESAT Rance", "insertion_workshop", "CD22", True, "root"
    )  # fmt: skip
    assert (site.kind, site.programme, site.version) == (SiteKind.INSERTION_WORKSHOP, "CD22", 2)


def test_a_site_can_be_closed_and_reopened() -> None:
    site = given_site()
    details = {k: v for k, v in SITE.items() if k != "code"}
    site.change(**details, active=False, actor="admin", at=AT)
    assert site.active is False
    site.change(**details, active=True, actor="admin", at=LATER)
    assert site.active is True
    assert [e.active for e in site.collect_events()] == [False, True]  # type: ignore[attr-defined]


def test_changing_a_site_to_what_it_already_says_records_nothing() -> None:
    site = given_site()
    with pytest.raises(NoChangeError):
        site.change(name=" ESAT de la Rance", kind="sorting_workshop", town="Dinan ",
                    programme="CD35", active=True, actor="admin", at=AT)  # fmt: skip
    assert site.collect_events() == []
    assert site.version == 1


def test_a_bad_change_leaves_the_site_as_it_was() -> None:
    site = given_site()
    with pytest.raises(InvalidValueError):
        site.change(name="", kind="sorting_workshop", town="", programme="CD35", active=False,
                    actor="admin", at=AT)  # fmt: skip
    assert (site.collect_events(), site.name, site.active) == ([], "ESAT de la Rance", True)


# -- programmes ----------------------------------------------------------------------------


def test_a_programme_aims_at_500_computers_a_year_unless_told_otherwise() -> None:
    programme = Programme.register(**PROGRAMME, actor="admin", at=AT)
    [event] = programme.collect_events()
    assert isinstance(event, Programme.Registered)
    assert (event.code, event.yearly_target) == ("CD35", DEFAULT_YEARLY_TARGET) == ("CD35", 500)
    assert given_programme(yearly_target=120).yearly_target == 120


@pytest.mark.parametrize(
    ("changes", "refused"),
    [
        ({"code": "C"}, ("code", "not_a_programme_code")),
        ({"code": "CD-35"}, ("code", "not_a_programme_code")),
        ({"name": ""}, ("name", "required")),
        ({"territory": " "}, ("territory", "required")),
        ({"territory": "x" * 121}, ("territory", "too_long")),
        ({"yearly_target": 0}, ("yearly_target", "too_small")),
        ({"yearly_target": MAX_YEARLY_TARGET + 1}, ("yearly_target", "too_large")),
        ({"yearly_target": "500"}, ("yearly_target", "not_a_number")),
        ({"yearly_target": True}, ("yearly_target", "not_a_number")),
        ({"yearly_target": 12.5}, ("yearly_target", "not_a_number")),
    ],
)
def test_a_programme_with_a_bad_field_is_refused(
    changes: dict[str, Any], refused: tuple[str, str]
) -> None:
    assert refusal_of(Programme.register, {**PROGRAMME, **changes}) == refused


def test_the_largest_yearly_target_is_accepted() -> None:
    assert given_programme(yearly_target=MAX_YEARLY_TARGET).yearly_target == MAX_YEARLY_TARGET


def test_changing_a_programme_target_records_it() -> None:
    programme = given_programme()
    programme.change(name="Parcours numérique 35", territory="Ille-et-Vilaine", yearly_target=650,
                     active=True, actor="root", at=LATER)  # fmt: skip
    [event] = programme.collect_events()
    assert isinstance(event, Programme.Changed)
    assert (event.yearly_target, event.active, event.actor) == (650, True, "root")
    assert programme.yearly_target == 650


def test_changing_a_programme_to_what_it_already_says_records_nothing() -> None:
    programme = given_programme()
    with pytest.raises(NoChangeError):
        programme.change(name="Parcours numérique 35 ", territory="Ille-et-Vilaine",
                         yearly_target=500, active=True, actor="admin", at=AT)  # fmt: skip
    assert programme.collect_events() == []


def test_a_bad_target_change_leaves_the_programme_as_it_was() -> None:
    programme = given_programme()
    with pytest.raises(InvalidValueError):
        programme.change(name="P", territory="T", yearly_target=-1, active=False,
                         actor="admin", at=AT)  # fmt: skip
    assert (programme.collect_events(), programme.yearly_target, programme.active) == (
        [],
        500,
        True,
    )


# -- donors --------------------------------------------------------------------------------


def test_registering_a_donor_records_its_code_upper_case() -> None:
    donor = Donor.register(**DONOR, actor="admin", at=AT)
    [event] = donor.collect_events()
    assert isinstance(event, Donor.Registered)
    assert (event.code, event.name, event.kind, event.town) == (
        "RENNES-METROPOLE", "Rennes Métropole", "local_authority", "Rennes"
    )  # fmt: skip
    assert (donor.kind, donor.active) == (DonorKind.LOCAL_AUTHORITY, True)


@pytest.mark.parametrize(
    ("changes", "refused"),
    [
        ({"code": " "}, ("code", "required")),
        ({"code": "Rennes Métropole"}, ("code", "not_a_site_code")),
        ({"name": ""}, ("name", "required")),
        ({"kind": "person"}, ("kind", "unknown_choice")),
        ({"town": "x" * 81}, ("town", "too_long")),
    ],
)
def test_a_donor_with_a_bad_field_is_refused(
    changes: dict[str, str], refused: tuple[str, str]
) -> None:
    assert refusal_of(Donor.register, {**DONOR, **changes}) == refused


def test_a_donor_can_be_stopped_and_resumed() -> None:
    donor = given_donor()
    donor.change(name="Rennes Métropole", kind="local_authority", town="Rennes", active=False,
                 actor="admin", at=AT)  # fmt: skip
    donor.change(name="Rennes Métropole", kind="local_authority", town="Rennes", active=True,
                 actor="admin", at=LATER)  # fmt: skip
    assert [type(e) for e in donor.collect_events()] == [Donor.Changed, Donor.Changed]
    assert (donor.active, donor.version) == (True, 3)


def test_changing_a_donor_to_what_it_already_says_records_nothing() -> None:
    donor = given_donor()
    with pytest.raises(NoChangeError):
        donor.change(name="Rennes Métropole", kind="local_authority", town=" Rennes",
                     active=True, actor="admin", at=AT)  # fmt: skip
    assert donor.collect_events() == []


# -- ids and replay ------------------------------------------------------------------------


def test_a_code_gives_one_id_per_kind_of_record_whatever_its_case() -> None:
    assert Site.id_for("esat-rance ") == Site.id_for("ESAT-RANCE")
    assert Programme.id_for("cd35") == Programme.id_for("CD35")
    assert Donor.id_for("cd35") == Donor.id_for(" CD35")
    assert len({Site.id_for("CD35"), Programme.id_for("CD35"), Donor.id_for("CD35")}) == 3


@pytest.mark.parametrize(
    ("register", "change"),
    [
        (lambda: Site.register(**SITE, actor="admin", at=AT),
         {"name": "ESAT", "kind": "other", "town": "", "programme": "CD22"}),
        (lambda: Programme.register(**PROGRAMME, actor="admin", at=AT),
         {"name": "P", "territory": "Côtes-d'Armor", "yearly_target": 9}),
        (lambda: Donor.register(**DONOR, actor="admin", at=AT),
         {"name": "Rennes", "kind": "administration", "town": "Rennes"}),
    ],
    ids=["site", "programme", "donor"],
)  # fmt: skip
def test_replaying_the_events_of_a_record_gives_the_same_record(
    register: Callable[[], Any], change: dict[str, Any]
) -> None:
    record = register()
    record.change(**change, active=False, actor="admin", at=AT)
    record.change(**change, active=True, actor="root", at=LATER)
    events = record.collect_events()
    copy = replayed(events)
    assert vars(copy) == vars(record)
    assert (copy.version, copy.active, copy.name) == (3, True, change["name"])
