"""The User aggregate: given its events, when a command runs, then these events (or a refusal)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pytest
from eventsourcing.domain import Aggregate

from tracker import passwords
from tracker.domain.exceptions import InvalidValueError, NoChangeError
from tracker.domain.user import Role, User, username

AT = datetime(2026, 6, 15, 9, 30, tzinfo=UTC)
LATER = datetime(2026, 6, 16, 10, 0, tzinfo=UTC)
# What the application would pass in (the domain never sees a password, only its hash).
FIRST_HASH, SECOND_HASH = "$argon2id$stand-in-1", "$argon2id$stand-in-2"
# What people type to sign in (passphrases of at least ten characters).
PHRASE, OTHER_PHRASE = "correct horse battery", "staple in the binder"


def registered(name: str = "amelie.r", **roles: Sequence[str]) -> User:
    """Given the events that register a user and grant it `roles`: the user they rebuild."""
    user = User.register(
        name=name, display_name="Amélie R.", password_hash=FIRST_HASH, actor="admin", at=AT
    )
    for role, sites in roles.items():
        user.grant(Role(role), list(sites), actor="admin", at=AT)
    given: User = replayed(user.collect_events())
    return given


def replayed(events: Sequence[Aggregate.Event], start: User | None = None) -> Any:
    copy: Any = start
    for event in events:
        copy = event.mutate(copy)
    return copy


def assert_refused_and_nothing_recorded(user: User, command: Any, error: type[Exception]) -> Any:
    before = dict(vars(user))
    with pytest.raises(error) as refusal:
        command(user)
    assert user.collect_events() == []
    assert vars(user) == before
    return refusal.value


# -- user names ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "name"),
    [(" Amelie.R ", "amelie.r"), ("j-p_2", "j-p_2"), ("abc", "abc"), ("a" * 32, "a" * 32)],
)
def test_a_user_name_is_read_lower_case_without_surrounding_blanks(typed: str, name: str) -> None:
    assert username(typed) == name


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", "required"),
        ("   ", "required"),
        ("ab", "not_a_username"),
        ("a" * 33, "not_a_username"),
        ("amélie", "not_a_username"),
        ("amelie r", "not_a_username"),
        ("amelie@example.org", "not_a_username"),
        (".amelie", "not_a_username"),
    ],
)
def test_a_malformed_user_name_is_refused(typed: str, reason: str) -> None:
    with pytest.raises(InvalidValueError) as refusal:
        username(typed)
    assert (refusal.value.field, refusal.value.reason) == ("username", reason)


def test_a_user_name_gives_one_id_whatever_its_case() -> None:
    assert User.id_for(" Amelie.R") == User.id_for("amelie.r")
    assert User.id_for("amelie.r") != User.id_for("amelie.s")


# -- registering ---------------------------------------------------------------------------


def test_registering_records_who_registered_whom_with_no_role_yet() -> None:
    user = User.register(
        name=" Amelie.R ",
        display_name=" Amélie R. ",
        password_hash=FIRST_HASH,
        actor="admin",
        at=AT,
    )
    [event] = user.collect_events()
    assert isinstance(event, User.Registered)
    assert (event.username, event.display_name, event.actor) == ("amelie.r", "Amélie R.", "admin")
    assert event.timestamp == AT
    assert user.id == User.id_for("amelie.r")
    assert (user.roles, user.sites, user.active, user.registered_by) == ({}, (), True, "admin")


@pytest.mark.parametrize(("display_name", "reason"), [("  ", "required"), ("x" * 81, "too_long")])
def test_a_display_name_is_required_and_short(display_name: str, reason: str) -> None:
    with pytest.raises(InvalidValueError) as refusal:
        User.register(
            name="amelie.r",
            display_name=display_name,
            password_hash=FIRST_HASH,
            actor="admin",
            at=AT,
        )
    assert (refusal.value.field, refusal.value.reason) == ("display_name", reason)


# -- roles ---------------------------------------------------------------------------------


def test_granting_the_workshop_role_records_its_sites_normalised_and_sorted() -> None:
    user = registered()
    typed = ["tiers-lieu-e ", "esat-d", "ATELIER-C", "ESAT-D", "b-site", "A-SITE"]
    user.grant(Role.WORKSHOP, typed, actor="root", at=LATER)
    [event] = user.collect_events()
    assert isinstance(event, User.RoleGranted)
    sites = ["A-SITE", "ATELIER-C", "B-SITE", "ESAT-D", "TIERS-LIEU-E"]
    assert (event.role, event.sites, event.actor) == ("workshop", sites, "root")
    assert user.sites == tuple(sites)
    assert user.roles == {Role.WORKSHOP: tuple(sites)}


def test_a_workshop_role_needs_at_least_one_site() -> None:
    refusal = assert_refused_and_nothing_recorded(
        registered(), lambda u: u.grant(Role.WORKSHOP, [], actor="admin", at=AT), InvalidValueError
    )
    assert (refusal.field, refusal.reason) == ("sites", "required")


@pytest.mark.parametrize("role", [Role.OFFICER, Role.AUDITOR, Role.ADMIN])
def test_only_the_workshop_role_names_sites(role: Role) -> None:
    refusal = assert_refused_and_nothing_recorded(
        registered(),
        lambda u: u.grant(role, ["ESAT-RANCE"], actor="admin", at=AT),
        InvalidValueError,
    )
    assert (refusal.field, refusal.reason) == ("sites", "not_for_this_role")


def test_a_malformed_site_code_is_refused_when_granting() -> None:
    refusal = assert_refused_and_nothing_recorded(
        registered(),
        lambda u: u.grant(Role.WORKSHOP, ["esat rance"], actor="a", at=AT),
        InvalidValueError,
    )
    assert (refusal.field, refusal.reason) == ("sites", "not_a_site_code")


def test_a_person_may_hold_several_roles() -> None:
    user = registered(officer=[], auditor=[])
    user.grant(Role.WORKSHOP, ["ESAT-RANCE"], actor="admin", at=AT)
    assert set(user.roles) == {Role.OFFICER, Role.AUDITOR, Role.WORKSHOP}


def test_granting_the_workshop_role_again_replaces_its_sites() -> None:
    user = registered(workshop=["ESAT-RANCE"])
    user.grant(Role.WORKSHOP, ["ATELIER-VITRE"], actor="admin", at=AT)
    assert [type(e) for e in user.collect_events()] == [User.RoleGranted]
    assert user.sites == ("ATELIER-VITRE",)


@pytest.mark.parametrize(
    ("held", "role", "sites"),
    [
        ({"officer": []}, Role.OFFICER, []),
        ({"workshop": ["B-SITE", "A-SITE"]}, Role.WORKSHOP, ["a-site", "B-SITE", "A-SITE"]),
    ],
)
def test_granting_a_role_already_held_as_it_is_changes_nothing(
    held: dict[str, list[str]], role: Role, sites: list[str]
) -> None:
    assert_refused_and_nothing_recorded(
        registered(**held), lambda u: u.grant(role, sites, actor="admin", at=AT), NoChangeError
    )


def test_revoking_a_role_records_who_took_it_away() -> None:
    user = registered(workshop=["ESAT-RANCE"], officer=[])
    user.revoke(Role.WORKSHOP, actor="root", at=LATER)
    [event] = user.collect_events()
    assert isinstance(event, User.RoleRevoked)
    assert (event.role, event.actor, event.timestamp) == ("workshop", "root", LATER)
    assert user.roles == {Role.OFFICER: ()}
    assert user.sites == ()


def test_revoking_a_role_not_held_changes_nothing() -> None:
    assert_refused_and_nothing_recorded(
        registered(officer=[]), lambda u: u.revoke(Role.ADMIN, actor="admin", at=AT), NoChangeError
    )


# -- password and activity -----------------------------------------------------------------


def test_changing_the_password_records_only_the_new_hash() -> None:
    user = registered()
    user.change_password(SECOND_HASH, actor="amelie.r", at=LATER)
    [event] = user.collect_events()
    assert isinstance(event, User.PasswordChanged)
    assert (event.password_hash, event.actor) == (SECOND_HASH, "amelie.r")
    assert user.password_hash == SECOND_HASH


def test_a_deactivated_user_can_be_reactivated() -> None:
    user = registered()
    user.deactivate(actor="admin", at=AT)
    assert user.active is False
    user.reactivate(actor="admin", at=LATER)
    assert user.active is True
    assert [type(e) for e in user.collect_events()] == [User.Deactivated, User.Reactivated]


def test_deactivating_an_inactive_user_changes_nothing() -> None:
    user = registered()
    user.deactivate(actor="admin", at=AT)
    user.collect_events()
    assert_refused_and_nothing_recorded(
        user, lambda u: u.deactivate(actor="admin", at=AT), NoChangeError
    )


def test_reactivating_an_active_user_changes_nothing() -> None:
    assert_refused_and_nothing_recorded(
        registered(), lambda u: u.reactivate(actor="admin", at=AT), NoChangeError
    )


# -- replay --------------------------------------------------------------------------------


def test_replaying_the_events_gives_the_same_user() -> None:
    user = User.register(
        name="amelie.r", display_name="Amélie R.", password_hash=FIRST_HASH, actor="admin", at=AT
    )
    user.grant(Role.WORKSHOP, ["ESAT-RANCE", "ATELIER-VITRE"], actor="admin", at=AT)
    user.grant(Role.ADMIN, [], actor="admin", at=AT)
    user.grant(Role.WORKSHOP, ["ESAT-RANCE"], actor="admin", at=AT)
    user.revoke(Role.ADMIN, actor="root", at=LATER)
    user.change_password(SECOND_HASH, actor="amelie.r", at=LATER)
    user.deactivate(actor="root", at=LATER)
    events = user.collect_events()
    copy = replayed(events)
    assert vars(copy) == vars(user)
    assert copy.version == len(events) == 7
    assert (copy.roles, copy.password_hash, copy.active) == (
        {Role.WORKSHOP: ("ESAT-RANCE",)},
        SECOND_HASH,
        False,
    )


# -- the hashes a User stores (tracker.passwords) ------------------------------------------


@pytest.mark.parametrize("password", ["x" * passwords.MIN_LENGTH, "x" * passwords.MAX_LENGTH])
def test_a_password_between_the_length_limits_is_accepted(password: str) -> None:
    assert passwords.checked(password, "amelie.r") == password


def test_a_hash_is_never_the_password_and_is_salted() -> None:
    first, second = passwords.hashed(PHRASE), passwords.hashed(PHRASE)
    assert PHRASE not in first
    assert first != second
    assert passwords.matches(first, PHRASE)
    assert passwords.matches(second, PHRASE)
    assert not passwords.matches(first, OTHER_PHRASE)


@pytest.mark.parametrize("stored", [None, "", "garbage"])
def test_no_password_matches_a_missing_or_broken_hash(stored: str | None) -> None:
    assert not passwords.matches(stored, PHRASE)
    assert not passwords.matches(stored, "not a password anyone has")  # the dummy's, in the code
