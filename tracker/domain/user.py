"""A person who signs in: roles (workshop sites included), password, active or not.

Every access change is an event, so who granted what to whom, and when, stays on record.
The password arrives already hashed: hashing is not the domain's business.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from tracker.domain import validation
from tracker.domain.asset_tag import NAMESPACE
from tracker.domain.exceptions import InvalidValueError, NoChangeError

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,31}$")


class Role(StrEnum):
    """What a person may do; a person may hold several roles."""

    WORKSHOP = "workshop"  # records steps, only at the sites the role names
    OFFICER = "officer"  # reads everything, manages reference data, runs reports
    AUDITOR = "auditor"  # reads everything, full histories included; changes nothing
    ADMIN = "admin"  # manages users, sites, programmes, donors


def username(value: str) -> str:
    """A user name: lower-case letters, digits, dot, dash or underscore; 3 to 32 characters."""
    name = value.strip().lower()
    if not name:
        raise InvalidValueError(field="username", reason="required")
    if not USERNAME.fullmatch(name):
        raise InvalidValueError(field="username", reason="not_a_username")
    return name


class User(Aggregate):
    """A person's access to the tracker; never deleted, only deactivated."""

    class Registered(Aggregate.Created):
        username: str
        display_name: str
        password_hash: str
        actor: str

    class RoleGranted(Aggregate.Event):
        role: str
        sites: list[str]
        actor: str

        def apply(self, aggregate: User) -> None:
            aggregate.roles[Role(self.role)] = tuple(self.sites)

    class RoleRevoked(Aggregate.Event):
        role: str
        actor: str

        def apply(self, aggregate: User) -> None:
            aggregate.roles.pop(Role(self.role), None)

    class PasswordChanged(Aggregate.Event):
        password_hash: str
        actor: str

        def apply(self, aggregate: User) -> None:
            aggregate.password_hash = self.password_hash

    class Deactivated(Aggregate.Event):
        actor: str

        def apply(self, aggregate: User) -> None:
            aggregate.active = False

    class Reactivated(Aggregate.Event):
        actor: str

        def apply(self, aggregate: User) -> None:
            aggregate.active = True

    def __init__(self, *, username: str, display_name: str, password_hash: str, actor: str) -> None:
        self.username = username
        self.display_name = display_name
        self.password_hash = password_hash
        self.registered_by = actor
        self.roles: dict[Role, tuple[str, ...]] = {}
        self.active = True

    @staticmethod
    def id_for(name: str) -> UUID:
        """The id of the user with this user name (so a name can be taken only once)."""
        return uuid5(NAMESPACE, f"user:{username(name)}")

    @property
    def sites(self) -> tuple[str, ...]:
        """The sites where this person records steps (those of the workshop role)."""
        return self.roles.get(Role.WORKSHOP, ())

    @classmethod
    def register(
        cls, *, name: str, display_name: str, password_hash: str, actor: str, at: datetime
    ) -> User:
        """A new active user with no role yet."""
        return cls._create(
            cls.Registered,
            id=cls.id_for(name),
            username=username(name),
            display_name=validation.text(
                "display_name", display_name, required=True, max_length=80
            ),
            password_hash=password_hash,
            actor=actor,
            timestamp=at,
        )

    def grant(self, role: Role, sites: list[str], *, actor: str, at: datetime) -> None:
        """Give a role; the workshop role names its sites, granting it again changes them."""
        codes = sorted({validation.site_code("sites", site) for site in sites})
        if role is Role.WORKSHOP and not codes:
            raise InvalidValueError(field="sites", reason="required")
        if role is not Role.WORKSHOP and codes:
            raise InvalidValueError(field="sites", reason="not_for_this_role")
        if self.roles.get(role) == tuple(codes):
            raise NoChangeError()
        self.trigger_event(
            self.RoleGranted, role=role.value, sites=codes, actor=actor, timestamp=at
        )

    def revoke(self, role: Role, *, actor: str, at: datetime) -> None:
        """Take a role away."""
        if role not in self.roles:
            raise NoChangeError()
        self.trigger_event(self.RoleRevoked, role=role.value, actor=actor, timestamp=at)

    def change_password(self, password_hash: str, *, actor: str, at: datetime) -> None:
        """Replace the password (its hash)."""
        self.trigger_event(
            self.PasswordChanged, password_hash=password_hash, actor=actor, timestamp=at
        )

    def deactivate(self, *, actor: str, at: datetime) -> None:
        """Stop this person from signing in; their past actions stay on record."""
        if not self.active:
            raise NoChangeError()
        self.trigger_event(self.Deactivated, actor=actor, timestamp=at)

    def reactivate(self, *, actor: str, at: datetime) -> None:
        """Let a deactivated person sign in again."""
        if self.active:
            raise NoChangeError()
        self.trigger_event(self.Reactivated, actor=actor, timestamp=at)
