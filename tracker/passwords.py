"""Password hashing with Argon2id (argon2-cffi's recommended parameters) and the length rule."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from tracker.domain.exceptions import InvalidValueError

MIN_LENGTH = 10  # long enough to resist guessing, short enough to type: passphrases welcome
MAX_LENGTH = 200

_hasher = PasswordHasher()
# Verified when the user name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a password anyone has")


def checked(password: str, username: str = "") -> str:
    """The password, or a refusal when it is too short, too long or the user name itself."""
    if len(password) < MIN_LENGTH:
        raise InvalidValueError(field="password", reason="too_short")
    if len(password) > MAX_LENGTH:
        raise InvalidValueError(field="password", reason="too_long")
    if username.strip() and password.strip().lower() == username.strip().lower():
        raise InvalidValueError(field="password", reason="same_as_username")
    return password


def hashed(password: str) -> str:
    """The Argon2id hash to store (salted: the same password never gives the same hash)."""
    return _hasher.hash(password)


def matches(stored_hash: str | None, password: str) -> bool:
    """Whether the password matches the stored hash; takes as long when there is no hash."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and bool(stored_hash)
    except (VerificationError, InvalidHashError):
        return False
