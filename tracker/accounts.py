"""Use cases about people: register them, grant and revoke roles, passwords, sign-in."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from uuid import UUID

import structlog
from eventsourcing.persistence import IntegrityError

from tracker import passwords
from tracker.domain import validation
from tracker.domain.exceptions import (
    InvalidValueError,
    NoChangeError,
    RecordExistsError,
    SelfLockoutError,
    StaleEditError,
    UnknownRecordError,
)
from tracker.domain.user import Role, User, username
from tracker.service import Service

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Account:
    """Who a signed-in person is and what they may do, as it stands now."""

    id: UUID
    username: str
    display_name: str
    roles: frozenset[Role]
    sites: tuple[str, ...]
    active: bool
    version: int

    @classmethod
    def of(cls, user: User) -> Account:
        return cls(
            user.id,
            user.username,
            user.display_name,
            frozenset(user.roles),
            user.sites,
            user.active,
            user.version,
        )

    def can_record_at(self, site: str) -> bool:
        """Whether this person may record steps at this site."""
        return self.active and Role.WORKSHOP in self.roles and site in self.sites


@dataclass(frozen=True)
class Saved:
    """What a write to a user or a reference record produced."""

    key: str
    version: int
    position: int


class Accounts(Service):
    """The people who use the tracker; every change is an event with who made it."""

    def register_user(
        self,
        *,
        name: str,
        display_name: str,
        password: str,
        roles: Mapping[Role, Sequence[str]],
        actor: str,
    ) -> Saved:
        """A new account with its roles (the workshop role with its sites), saved at once."""
        now = self.clock()
        user = User.register(
            name=name,
            display_name=display_name,
            password_hash=passwords.hashed(passwords.checked(password, name)),
            actor=actor,
            at=now,
        )
        for role, sites in roles.items():
            user.grant(role, list(sites), actor=actor, at=now)
        if self._find(user.id, User) is not None:
            raise RecordExistsError(kind="user", key=user.username)
        try:
            recordings = self.save(user)
        except IntegrityError:
            raise RecordExistsError(kind="user", key=user.username) from None
        log.info("user_registered", user_id=str(user.id), roles=sorted(user.roles))
        return Saved(user.username, user.version, recordings[-1].notification.id)

    def user(self, name: str) -> User:
        """The user with this name."""
        found = self._find(User.id_for(name), User)
        if found is None:
            raise UnknownRecordError(kind="user", key=username(name))
        return found

    def account(self, user_id: UUID) -> Account | None:
        """The account of a signed-in person, read fresh (a revoked role takes effect now)."""
        user = self._find(user_id, User)
        return Account.of(user) if user is not None else None

    def authenticate(self, name: str, password: str) -> Account | None:
        """The active account with this name and password, or None (whatever was wrong)."""
        try:
            user = self._find(User.id_for(name), User)
        except InvalidValueError:  # not even a possible user name
            user = None
        ok = passwords.matches(user.password_hash if user else None, password)
        if user is None or not ok or not user.active:
            return None
        return Account.of(user)

    def grant_role(
        self, name: str, role: Role, sites: Sequence[str], *, actor: str, seen_version: int
    ) -> Saved:
        """Give a role (or change the sites of the workshop role)."""
        now = self.clock()
        return self._change_user(
            name, seen_version, lambda u: u.grant(role, list(sites), actor=actor, at=now)
        )

    def set_roles(
        self, name: str, roles: Mapping[Role, Sequence[str]], *, actor: str, seen_version: int
    ) -> Saved:
        """Make a person's roles exactly these (granting and revoking in one save)."""
        if Role.ADMIN not in roles and username(name) == actor:
            raise SelfLockoutError()
        now = self.clock()

        def change(user: User) -> None:
            wanted = {
                role: sorted({validation.site_code("sites", site) for site in sites})
                for role, sites in roles.items()
            }
            if {r: list(s) for r, s in user.roles.items()} == wanted:
                raise NoChangeError()
            for role in [r for r in user.roles if r not in wanted]:
                user.revoke(role, actor=actor, at=now)
            for role, sites in wanted.items():
                if list(user.roles.get(role, ["-"])) != sites:
                    user.grant(role, sites, actor=actor, at=now)

        return self._change_user(name, seen_version, change)

    def revoke_role(self, name: str, role: Role, *, actor: str, seen_version: int) -> Saved:
        """Take a role away; administrators cannot take away their own."""
        if role is Role.ADMIN and username(name) == actor:
            raise SelfLockoutError()
        now = self.clock()
        return self._change_user(name, seen_version, lambda u: u.revoke(role, actor=actor, at=now))

    def set_active(self, name: str, active: bool, *, actor: str, seen_version: int) -> Saved:
        """Deactivate or reactivate an account; nobody deactivates their own."""
        if not active and username(name) == actor:
            raise SelfLockoutError()
        now = self.clock()
        if active:
            return self._change_user(
                name, seen_version, lambda u: u.reactivate(actor=actor, at=now)
            )
        return self._change_user(name, seen_version, lambda u: u.deactivate(actor=actor, at=now))

    def set_password(self, name: str, password: str, *, actor: str) -> Saved:
        """Give an account a new password (an administrator's reset, or the person's own)."""
        new_hash = passwords.hashed(passwords.checked(password, name))
        now = self.clock()
        user = self.user(name)
        return self._change_user(
            name, user.version, lambda u: u.change_password(new_hash, actor=actor, at=now)
        )

    def _change_user(self, name: str, seen_version: int, change: Callable[[User], None]) -> Saved:
        user = self.user(name)
        if user.version != seen_version:
            raise StaleEditError(
                kind="user", key=user.username, seen=seen_version, current=user.version
            )
        change(user)
        try:
            recordings = self.save(user)
        except IntegrityError:
            raise StaleEditError(
                kind="user", key=user.username, seen=seen_version, current=user.version
            ) from None
        log.info("user_changed", user_id=str(user.id), version=user.version)
        return Saved(user.username, user.version, recordings[-1].notification.id)
