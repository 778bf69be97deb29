"""Accounts on a real store: registering people, their roles, passwords and signing in."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pytest

from tracker.accounts import Account
from tracker.application import Inventory
from tracker.domain.exceptions import (
    InvalidValueError,
    NoChangeError,
    RecordExistsError,
    SelfLockoutError,
    StaleEditError,
    UnknownRecordError,
)
from tracker.domain.programme import Programme
from tracker.domain.user import Role, User

# What people type to sign in (passphrases of at least ten characters).
PHRASE, OTHER_PHRASE = "correct horse battery", "staple in the binder"
WORKSHOP: Mapping[Role, Sequence[str]] = {Role.WORKSHOP: ("esat-rance",)}
ADMIN: Mapping[Role, Sequence[str]] = {Role.ADMIN: ()}


def register(
    inventory: Inventory, name: str, roles: Mapping[Role, Sequence[str]] = WORKSHOP, **extra: Any
) -> Any:
    fields = {"display_name": name.title(), "password": PHRASE, "actor": "root", **extra}
    return inventory.register_user(name=name, roles=roles, **fields)


def head(inventory: Inventory) -> int:
    return inventory.recorder.max_notification_id() or 0


def refused(
    inventory: Inventory, error: type[Exception], command: Callable[..., Any], *args: Any, **kw: Any
) -> Any:
    """The refusal that `command(*args, **kw)` meets, once checked that it recorded nothing."""
    before = head(inventory)
    with pytest.raises(error) as refusal:
        command(*args, **kw)
    assert head(inventory) == before
    return refusal.value


def racing(monkeypatch: pytest.MonkeyPatch, inventory: Inventory, other: Callable[[], Any]) -> None:
    """Make another writer get in between the next load and the save that follows it."""
    save = inventory.save

    def save_after_the_other(*aggregates: Any, **kwargs: Any) -> Any:
        monkeypatch.setattr(inventory, "save", save)
        other()
        return save(*aggregates, **kwargs)

    monkeypatch.setattr(inventory, "save", save_after_the_other)


# -- registering ---------------------------------------------------------------------------


def test_a_registered_user_is_saved_at_once_with_its_roles_and_a_hashed_password(
    inventory: Inventory,
) -> None:
    saved = register(inventory, " Amelie.R ", {Role.WORKSHOP: ["esat-rance"], Role.OFFICER: []})
    assert (saved.key, saved.version, saved.position) == ("amelie.r", 3, head(inventory))
    user = inventory.user("AMELIE.R")
    assert user.roles == {Role.WORKSHOP: ("ESAT-RANCE",), Role.OFFICER: ()}
    events = list(inventory.repository.event_store.get(user.id))
    assert [type(e) for e in events] == [User.Registered, User.RoleGranted, User.RoleGranted]
    assert {e.actor for e in events} == {"root"}  # type: ignore[attr-defined]
    assert user.password_hash.startswith("$argon2id$")
    assert PHRASE not in user.password_hash


def test_a_user_name_already_taken_is_refused_whatever_its_case(inventory: Inventory) -> None:
    register(inventory, "amelie.r")
    error = refused(inventory, RecordExistsError, register, inventory, "Amelie.R")
    assert (error.kind, error.key) == ("user", "amelie.r")


def test_two_people_registering_one_name_at_once_give_one_user(
    monkeypatch: pytest.MonkeyPatch, open_inventory: Callable[[], Inventory]
) -> None:
    first, second = open_inventory(), open_inventory()
    racing(monkeypatch, first, lambda: register(second, "amelie.r", ADMIN))
    with pytest.raises(RecordExistsError):
        register(first, "amelie.r")
    assert first.user("amelie.r").roles == {Role.ADMIN: ()}


@pytest.mark.parametrize(
    ("fields", "field", "reason"),
    [
        ({"roles": {Role.WORKSHOP: []}}, "sites", "required"),
        ({"roles": {Role.OFFICER: ["ESAT-RANCE"]}}, "sites", "not_for_this_role"),
        ({"password": "x" * 9}, "password", "too_short"),
        ({"password": "x" * 201}, "password", "too_long"),
        ({"name": "jb.rousseau", "password": " JB.Rousseau"}, "password", "same_as_username"),
        ({"name": "a b"}, "username", "not_a_username"),
        ({"display_name": ""}, "display_name", "required"),
    ],
)
def test_a_registration_with_a_bad_field_records_nothing(
    inventory: Inventory, fields: dict[str, Any], field: str, reason: str
) -> None:
    arguments = {"name": "amelie.r", **fields}
    error = refused(inventory, InvalidValueError, register, inventory, **arguments)
    assert (error.field, error.reason) == (field, reason)


def test_the_user_name_cannot_be_the_password_even_typed_with_blanks(inventory: Inventory) -> None:
    name = " amelie.rousseau "
    with pytest.raises(InvalidValueError):
        register(inventory, name, password=name.strip())


def test_an_unknown_user_is_refused_by_its_normalised_name(inventory: Inventory) -> None:
    error = refused(inventory, UnknownRecordError, inventory.user, " Nobody.Here")
    assert (error.kind, error.key) == ("user", "nobody.here")


# -- signing in ----------------------------------------------------------------------------


def test_signing_in_with_the_right_password_gives_the_account(inventory: Inventory) -> None:
    register(inventory, "amelie.r")
    account = inventory.authenticate(" Amelie.R", PHRASE)
    user_id = User.id_for("amelie.r")
    assert account == Account(user_id, "amelie.r", "Amelie.R", frozenset({Role.WORKSHOP}),
                              ("ESAT-RANCE",), True, 2)  # fmt: skip
    assert account == inventory.account(user_id)


@pytest.mark.parametrize(
    ("name", "password"),
    [("amelie.r", OTHER_PHRASE), ("amelie.r", ""), ("nobody.here", PHRASE), ("a b", PHRASE)],
)
def test_a_wrong_password_or_name_gives_no_account(
    inventory: Inventory, name: str, password: str
) -> None:
    register(inventory, "amelie.r")
    assert inventory.authenticate(name, password) is None


def test_a_deactivated_person_cannot_sign_in_until_reactivated(inventory: Inventory) -> None:
    register(inventory, "amelie.r")
    saved = inventory.set_active("amelie.r", False, actor="root", seen_version=2)
    assert inventory.authenticate("amelie.r", PHRASE) is None
    inventory.set_active("amelie.r", True, actor="root", seen_version=saved.version)
    assert inventory.authenticate("amelie.r", PHRASE) is not None


def test_a_new_password_replaces_the_old_one(inventory: Inventory) -> None:
    register(inventory, "amelie.r")
    saved = inventory.set_password("amelie.r", OTHER_PHRASE, actor="amelie.r")
    assert saved.version == 3
    assert inventory.authenticate("amelie.r", PHRASE) is None
    assert inventory.authenticate("amelie.r", OTHER_PHRASE) is not None
    [*_, changed] = inventory.repository.event_store.get(User.id_for("amelie.r"))
    assert isinstance(changed, User.PasswordChanged)
    assert changed.actor == "amelie.r"


def test_a_new_password_follows_the_length_rule(inventory: Inventory) -> None:
    register(inventory, "amelie.r")
    error = refused(
        inventory, InvalidValueError, inventory.set_password, "amelie.r", "short", actor="a"
    )
    assert error.reason == "too_short"


def test_an_account_is_read_fresh_so_a_revoked_role_takes_effect_at_once(
    inventory: Inventory,
) -> None:
    register(inventory, "amelie.r", {Role.WORKSHOP: ["ESAT-RANCE"], Role.OFFICER: []})
    inventory.revoke_role("amelie.r", Role.WORKSHOP, actor="root", seen_version=3)
    account = inventory.account(User.id_for("amelie.r"))
    assert account is not None
    assert (account.roles, account.sites, account.version) == (frozenset({Role.OFFICER}), (), 4)


def test_an_id_that_is_not_a_user_gives_no_account(inventory: Inventory) -> None:
    inventory.register_programme(code="CD35", name="CD35", territory="35", actor="root")
    assert inventory.account(Programme.id_for("CD35")) is None
    assert inventory.account(User.id_for("nobody.here")) is None


@pytest.mark.parametrize(
    ("roles", "active", "site", "can"),
    [
        ({Role.WORKSHOP}, True, "ESAT-RANCE", True),
        ({Role.WORKSHOP}, True, "ATELIER-VITRE", False),
        ({Role.WORKSHOP}, False, "ESAT-RANCE", False),
        ({Role.OFFICER, Role.ADMIN}, True, "ESAT-RANCE", False),
    ],
)
def test_only_an_active_workshop_account_records_and_only_at_its_sites(
    roles: set[Role], active: bool, site: str, can: bool
) -> None:
    account = Account(User.id_for("amelie.r"), "amelie.r", "A", frozenset(roles),
                      ("ESAT-RANCE",), active, 2)  # fmt: skip
    assert account.can_record_at(site) is can


# -- changing access -----------------------------------------------------------------------


def test_granting_and_revoking_roles_follows_the_version_seen(inventory: Inventory) -> None:
    register(inventory, "amelie.r")
    saved = inventory.grant_role("amelie.r", Role.AUDITOR, [], actor="root", seen_version=2)
    saved = inventory.grant_role(
        "amelie.r", Role.WORKSHOP, ["atelier-vitre"], actor="root", seen_version=saved.version
    )
    saved = inventory.revoke_role(
        "amelie.r", Role.AUDITOR, actor="root", seen_version=saved.version
    )
    assert (saved.version, saved.position) == (5, head(inventory))
    assert inventory.user("amelie.r").roles == {Role.WORKSHOP: ("ATELIER-VITRE",)}


def test_a_change_made_on_a_stale_version_is_refused(inventory: Inventory) -> None:
    register(inventory, "amelie.r")
    inventory.grant_role("amelie.r", Role.AUDITOR, [], actor="root", seen_version=2)
    error = refused(inventory, StaleEditError, inventory.set_active, "amelie.r", False,
                    actor="bruno.k", seen_version=2)  # fmt: skip
    assert (error.kind, error.key, error.details["current"]) == ("user", "amelie.r", 3)


def test_a_change_saved_meanwhile_by_someone_else_makes_an_edit_stale(
    monkeypatch: pytest.MonkeyPatch, open_inventory: Callable[[], Inventory]
) -> None:
    first, second = open_inventory(), open_inventory()
    register(first, "amelie.r")
    racing(
        monkeypatch,
        first,
        lambda: second.grant_role("amelie.r", Role.ADMIN, [], actor="bruno.k", seen_version=2),
    )
    with pytest.raises(StaleEditError):
        first.revoke_role("amelie.r", Role.WORKSHOP, actor="root", seen_version=2)
    assert first.user("amelie.r").roles == {Role.WORKSHOP: ("ESAT-RANCE",), Role.ADMIN: ()}


def test_granting_a_role_held_as_it_is_records_nothing(inventory: Inventory) -> None:
    register(inventory, "amelie.r")
    refused(inventory, NoChangeError, inventory.grant_role, "amelie.r", Role.WORKSHOP,
            ["esat-rance"], actor="root", seen_version=2)  # fmt: skip


@pytest.mark.parametrize(
    "lock_out",
    [
        lambda i: i.revoke_role(" Root", Role.ADMIN, actor="root", seen_version=2),
        lambda i: i.set_active("root", False, actor="root", seen_version=2),
        lambda i: i.set_roles(" Root", {Role.OFFICER: []}, actor="root", seen_version=2),
    ],
    ids=["revoke-own-admin-role", "deactivate-own-account", "set-roles-without-admin"],
)
def test_administrators_cannot_lock_themselves_out(
    inventory: Inventory, lock_out: Callable[[Inventory], Any]
) -> None:
    register(inventory, "root", ADMIN)
    refused(inventory, SelfLockoutError, lock_out, inventory)
    assert inventory.authenticate("root", PHRASE) == inventory.account(User.id_for("root"))
    assert inventory.user("root").roles == {Role.ADMIN: ()}


def test_administrators_may_drop_their_other_roles_and_another_admin_may_revoke_theirs(
    inventory: Inventory,
) -> None:
    register(inventory, "root", {Role.ADMIN: [], Role.OFFICER: []})
    saved = inventory.revoke_role("root", Role.OFFICER, actor="root", seen_version=3)
    inventory.revoke_role("root", Role.ADMIN, actor="bruno.k", seen_version=saved.version)
    assert inventory.user("root").roles == {}


def test_setting_roles_grants_and_revokes_what_differs_in_one_save(inventory: Inventory) -> None:
    register(inventory, "amelie.r", {Role.WORKSHOP: ["ESAT-RANCE"], Role.AUDITOR: []})
    wanted = {Role.WORKSHOP: ["ESAT-RANCE", "ATELIER-VITRE"], Role.OFFICER: []}
    saved = inventory.set_roles("amelie.r", wanted, actor="root", seen_version=3)
    assert (saved.version, saved.position) == (6, head(inventory))
    *_, revoked, granted, officer = inventory.repository.event_store.get(User.id_for("amelie.r"))
    assert [type(e) for e in (revoked, granted, officer)] == [
        User.RoleRevoked,
        *[User.RoleGranted] * 2,
    ]
    roles = inventory.user("amelie.r").roles
    assert roles == {Role.WORKSHOP: ("ATELIER-VITRE", "ESAT-RANCE"), Role.OFFICER: ()}


def test_setting_the_roles_a_person_already_has_records_nothing(inventory: Inventory) -> None:
    register(inventory, "amelie.r", {Role.WORKSHOP: ["ESAT-RANCE"], Role.AUDITOR: []})
    roles = {Role.AUDITOR: [], Role.WORKSHOP: ["ESAT-RANCE"]}
    refused(inventory, NoChangeError, inventory.set_roles, "amelie.r", roles, actor="root",
            seen_version=3)  # fmt: skip


def test_setting_roles_reads_site_codes_as_granting_does(inventory: Inventory) -> None:
    register(inventory, "amelie.r", {Role.WORKSHOP: ["ESAT-RANCE"]})
    wanted = {Role.WORKSHOP: ["esat-rance"], Role.OFFICER: []}
    inventory.set_roles("amelie.r", wanted, actor="root", seen_version=2)
    assert set(inventory.user("amelie.r").roles) == {Role.WORKSHOP, Role.OFFICER}
