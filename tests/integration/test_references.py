"""Sites, programmes and donors on a real store, and the directory read model that lists them."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import pytest

from projections import directory
from projections.database import connection
from projections.readmodel import dump
from tracker.application import Inventory
from tracker.bootstrap import read_models_of
from tracker.domain.exceptions import (
    InvalidValueError,
    NoChangeError,
    RecordExistsError,
    StaleEditError,
    UnknownRecordError,
)
from tracker.domain.user import Role
from tracker.read_models import ReadModels
from tracker.settings import Settings

PHRASE = "correct horse battery"  # what people type to sign in
SITE = {
    "name": "ESAT de la Rance",
    "kind": "sorting_workshop",
    "town": "Dinan",
    "programme": "cd35",
}
PROGRAMME = {"name": "Parcours numérique 35", "territory": "Ille-et-Vilaine"}
DONOR = {"name": "Rennes Métropole", "kind": "local_authority", "town": "Rennes"}
# kind: (register, change, read back, details to register, details of a change)
KINDS: dict[str, tuple[str, str, str, dict[str, Any], dict[str, Any]]] = {
    "site": ("register_site", "change_site", "site", SITE, {**SITE, "programme": "CD22"}),
    "programme": ("register_programme", "change_programme", "programme", PROGRAMME,
                  {**PROGRAMME, "yearly_target": 650}),
    "donor": ("register_donor", "change_donor", "donor", DONOR, {**DONOR, "town": "Cesson"}),
}  # fmt: skip
EACH_KIND = pytest.mark.parametrize("kind", list(KINDS))


def register(inventory: Inventory, record: str, code: str, **changes: Any) -> Any:
    """Register a record; a site's programmes (CD35, and CD22 it may move to) first if missing."""
    method, _, _, details, _ = KINDS[record]
    for programme in ("CD35", "CD22") if record == "site" else ():
        with contextlib.suppress(RecordExistsError):
            register(inventory, "programme", programme)
    return getattr(inventory, method)(code=code, **{**details, **changes}, actor="root")


def change(inventory: Inventory, record: str, code: str, seen: int, **changes: Any) -> Any:
    _, method, _, _, details = KINDS[record]
    fields = {"active": True, **details, **changes}
    return getattr(inventory, method)(code, **fields, actor="root", seen_version=seen)


def read(inventory: Inventory, record: str, code: str) -> Any:
    return getattr(inventory, KINDS[record][2])(code)


def head(inventory: Inventory) -> int:
    return inventory.recorder.max_notification_id() or 0


def refused(inventory: Inventory, error: type[Exception], command: Callable[[], Any]) -> Any:
    """The refusal `command` meets, once checked that it recorded nothing."""
    before = head(inventory)
    with pytest.raises(error) as refusal:
        command()
    assert head(inventory) == before
    return refusal.value


@pytest.fixture
def models(inventory: Inventory, database_url: str) -> ReadModels:
    return read_models_of(Settings(database_url=database_url), inventory)


# -- registering and changing --------------------------------------------------------------


@EACH_KIND
def test_a_record_is_registered_under_its_code_upper_case(inventory: Inventory, kind: str) -> None:
    saved = register(inventory, kind, " cd35 ")
    assert (saved.key, saved.version, saved.position) == ("CD35", 1, head(inventory))
    record = read(inventory, kind, "Cd35")
    assert (record.code, record.name, record.active) == ("CD35", KINDS[kind][3]["name"], True)


def test_a_new_programme_aims_at_500_computers_a_year_unless_told_otherwise(
    inventory: Inventory,
) -> None:
    register(inventory, "programme", "CD35")
    register(inventory, "programme", "CD22", yearly_target=120)
    assert inventory.programme("CD35").yearly_target == 500
    assert inventory.programme("CD22").yearly_target == 120


def test_a_site_must_belong_to_a_registered_programme(inventory: Inventory) -> None:
    error = refused(inventory, InvalidValueError, lambda: inventory.register_site(
        code="ESAT-RANCE", **{**SITE, "programme": "CD29"}, actor="root"))  # fmt: skip
    assert (error.field, error.reason) == ("programme", "unknown_programme")


def test_a_site_cannot_move_to_a_programme_that_is_not_registered(inventory: Inventory) -> None:
    register(inventory, "site", "ESAT-RANCE")
    error = refused(inventory, InvalidValueError, lambda: change(inventory, "site", "ESAT-RANCE",
                                                                 1, programme="CD29"))  # fmt: skip
    assert (error.field, error.reason) == ("programme", "unknown_programme")


@EACH_KIND
def test_a_code_already_taken_is_refused_whatever_its_case(inventory: Inventory, kind: str) -> None:
    register(inventory, kind, "CD35")
    error = refused(inventory, RecordExistsError, lambda: register(inventory, kind, "cd35"))
    assert (error.kind, error.key) == (kind, "CD35")


def test_two_people_registering_one_code_at_once_give_one_record(
    monkeypatch: pytest.MonkeyPatch, open_inventory: Callable[[], Inventory]
) -> None:
    first, second = open_inventory(), open_inventory()
    save = first.save

    def save_after_the_other(*aggregates: Any, **kwargs: Any) -> Any:
        register(second, "site", "ESAT-RANCE", name="Registered first")
        return save(*aggregates, **kwargs)

    monkeypatch.setattr(first, "save", save_after_the_other)
    with pytest.raises(RecordExistsError):
        register(first, "site", "ESAT-RANCE")
    assert second.site("ESAT-RANCE").name == "Registered first"


@EACH_KIND
def test_an_unknown_code_is_refused(inventory: Inventory, kind: str) -> None:
    error = refused(inventory, UnknownRecordError, lambda: read(inventory, kind, " nowhere"))
    assert (error.kind, error.key) == (kind, "NOWHERE")
    refused(inventory, UnknownRecordError, lambda: change(inventory, kind, "NOWHERE", 1))


@EACH_KIND
def test_a_record_is_changed_then_closed_and_reopened(inventory: Inventory, kind: str) -> None:
    register(inventory, kind, "CD35")
    changed = change(inventory, kind, "cd35", 1)
    closed = change(inventory, kind, "CD35", changed.version, active=False)
    assert not read(inventory, kind, "CD35").active
    reopened = change(inventory, kind, "CD35", closed.version, active=True)
    assert (reopened.key, reopened.version, reopened.position) == ("CD35", 4, head(inventory))
    record = read(inventory, kind, "CD35")
    expected = {k: v.upper() if k == "programme" else v for k, v in KINDS[kind][4].items()}
    assert {field: getattr(record, field) for field in expected} == expected
    assert record.active


@EACH_KIND
def test_a_change_made_on_a_stale_version_is_refused(inventory: Inventory, kind: str) -> None:
    register(inventory, kind, "CD35")
    change(inventory, kind, "CD35", 1)
    error = refused(
        inventory, StaleEditError, lambda: change(inventory, kind, "CD35", 1, active=False)
    )
    assert (error.kind, error.key, error.details["current"]) == (kind, "CD35", 2)


def test_a_change_saved_meanwhile_by_someone_else_makes_an_edit_stale(
    monkeypatch: pytest.MonkeyPatch, open_inventory: Callable[[], Inventory]
) -> None:
    first, second = open_inventory(), open_inventory()
    register(first, "donor", "RENNES")
    save = first.save

    def save_after_the_other(*aggregates: Any, **kwargs: Any) -> Any:
        change(second, "donor", "RENNES", 1, active=False)
        return save(*aggregates, **kwargs)

    monkeypatch.setattr(first, "save", save_after_the_other)
    with pytest.raises(StaleEditError):
        change(first, "donor", "RENNES", 1, name="Rennes Métropole (DSI)")
    donor = second.donor("RENNES")
    assert (donor.name, donor.active, donor.version) == ("Rennes Métropole", False, 2)


@EACH_KIND
def test_a_change_to_what_the_record_says_already_records_nothing(
    inventory: Inventory, kind: str
) -> None:
    register(inventory, kind, "CD35")
    same = {**KINDS[kind][3], "active": True}
    if kind == "programme":
        same["yearly_target"] = 500
    refused(inventory, NoChangeError, lambda: change(inventory, kind, "CD35", 1, **same))


@EACH_KIND
def test_a_change_with_a_bad_field_records_nothing(inventory: Inventory, kind: str) -> None:
    register(inventory, kind, "CD35")
    error = refused(
        inventory, InvalidValueError, lambda: change(inventory, kind, "CD35", 1, name="")
    )
    assert (error.field, error.reason) == ("name", "required")


# -- the directory read model --------------------------------------------------------------


def test_the_directory_lists_records_as_the_aggregates_say(
    inventory: Inventory, models: ReadModels
) -> None:
    register(inventory, "programme", "CD35")
    register(inventory, "programme", "CD22", name="Parcours 22", territory="Côtes-d'Armor")
    register(inventory, "site", "ESAT-RANCE")
    register(inventory, "site", "ATELIER-VITRE", name="Atelier", kind="insertion_workshop")
    register(inventory, "donor", "RENNES")
    register(inventory, "donor", "VILLE-BREST", name="Brest (ville)", kind="local_authority")
    models.catch_up()
    change(inventory, "site", "ESAT-RANCE", 1, active=False)
    change(inventory, "programme", "CD35", 1)
    models.catch_up()
    with connection(models.database) as conn:
        sites = directory.sites(conn)
        open_sites = directory.sites(conn, only_active=True)
        programmes = directory.programmes(conn)
        donors = directory.donors(conn)
    assert [s.code for s in sites] == ["ATELIER-VITRE", "ESAT-RANCE"]
    assert [s.code for s in open_sites] == ["ATELIER-VITRE"]
    assert [p.code for p in programmes] == ["CD22", "CD35"]
    assert [d.code for d in donors] == ["VILLE-BREST", "RENNES"]  # by name
    for kind, listed in {"site": sites, "programme": programmes, "donor": donors}.items():
        for entry in listed:
            record = read(inventory, kind, entry.code)
            assert {field: getattr(record, field) for field in vars(entry)} == vars(entry)


def test_the_directory_lists_users_as_they_stand_without_their_password(
    inventory: Inventory, models: ReadModels
) -> None:
    roles = {"bruno.k": {Role.OFFICER: [], Role.ADMIN: []},
             "amelie.r": {Role.WORKSHOP: ["esat-rance", "atelier-vitre"]}}  # fmt: skip
    for name, held in roles.items():
        inventory.register_user(name=name, display_name=name.title(), password=PHRASE,
                                roles=held, actor="root")  # fmt: skip
    models.catch_up()
    inventory.set_active("bruno.k", False, actor="root", seen_version=3)
    models.catch_up()
    with connection(models.database) as conn:
        listed = directory.users(conn)
        rows = dump(conn, directory.READ_MODEL)
    assert listed == [
        directory.UserEntry("amelie.r", "Amelie.R", ("workshop",), ("ATELIER-VITRE", "ESAT-RANCE"),
                            True),
        directory.UserEntry("bruno.k", "Bruno.K", ("admin", "officer"), (), False),
    ]  # fmt: skip
    stored = {inventory.user(name).password_hash for name in roles}
    values = {value for table in rows.values() for row in table for value in row}
    assert not stored & values
    assert not any("argon2" in value or PHRASE in value for value in values)


def test_rebuilding_the_directory_gives_the_rows_kept_up_step_by_step(
    inventory: Inventory, models: ReadModels
) -> None:
    register(inventory, "programme", "CD35")
    models.catch_up()
    register(inventory, "site", "ESAT-RANCE")
    inventory.register_user(name="amelie.r", display_name="Amélie", password=PHRASE,
                            roles={Role.WORKSHOP: ["ESAT-RANCE"]}, actor="root")  # fmt: skip
    models.catch_up()
    change(inventory, "site", "ESAT-RANCE", 1, name="ESAT Rance")
    inventory.grant_role("amelie.r", Role.AUDITOR, [], actor="root", seen_version=2)
    register(inventory, "donor", "RENNES")
    models.catch_up()
    change(inventory, "donor", "RENNES", 1, active=False)
    inventory.revoke_role("amelie.r", Role.WORKSHOP, actor="root", seen_version=3)
    models.catch_up()
    with connection(models.database) as conn:
        kept_up = dump(conn, directory.READ_MODEL)
    models.rebuild(["directory"])
    with connection(models.database) as conn:
        rebuilt = dump(conn, directory.READ_MODEL)
        users = directory.users(conn)
    assert rebuilt == kept_up
    assert {table: len(rows) for table, rows in rebuilt.items()} == {
        "directory_users": 1, "directory_sites": 1, "directory_programmes": 2, "directory_donors": 1
    }  # fmt: skip
    assert users == [directory.UserEntry("amelie.r", "Amélie", ("auditor",), (), True)]
