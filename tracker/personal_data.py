"""Personal data sealed with a key per person, itself sealed with the register's master key.

Each person gets a random 256-bit key; their details are encrypted with it (AES-GCM, bound to
their code), and the key is kept only wrapped by the master key (AES-GCM again). Erasing a
person destroys their wrapped key: the details can no longer be read by anyone, while every
event, count and hash that names their code stays as it was. The master key comes from the
configuration (TRACKER_REGISTER_KEY or a file), never from the repository or the database.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import structlog
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from tracker.settings import Settings, SettingsError

log = structlog.get_logger(__name__)

KEY_BYTES = 32
NONCE_BYTES = 12
KEY_FILE = Path("var") / "register-key"


class UnreadableError(Exception):
    """Raised when sealed data cannot be opened: no key any more, another master key, or altered."""


@dataclass(frozen=True)
class Sealed:
    """A person's details encrypted with their key, and that key wrapped by the master key."""

    wrapped_key: bytes
    details: bytes
    master_id: str  # which master key wrapped it (a fingerprint, not the key)


class Sealer:
    """Seals and opens the personal data of the register with one master key."""

    def __init__(self, master_key: bytes) -> None:
        if len(master_key) != KEY_BYTES:
            msg = "the register's master key must be 32 bytes"
            raise SettingsError(msg)
        self._master = AESGCM(master_key)
        digest = hashlib.sha256(b"tracker register master key\x00" + master_key).hexdigest()
        self.master_id = digest[:16]

    def seal(self, code: str, details: dict[str, str], wrapped_key: bytes | None = None) -> Sealed:
        """Encrypt details under the person's key (a new one, or the one already wrapped)."""
        key = self._unwrap(code, wrapped_key) if wrapped_key else AESGCM.generate_key(256)
        if wrapped_key is None:
            wrapped_key = _encrypt(self._master, key, _purpose("key", code))
        plain = json.dumps(details, ensure_ascii=False, sort_keys=True).encode()
        return Sealed(wrapped_key, _encrypt(AESGCM(key), plain, _purpose("details", code)),
                      self.master_id)  # fmt: skip

    def open(self, code: str, sealed: Sealed) -> dict[str, str]:
        """The details, or UnreadableError when the key is gone, foreign or anything altered."""
        if sealed.master_id != self.master_id:
            msg = "sealed with another master key"
            raise UnreadableError(msg)
        key = self._unwrap(code, sealed.wrapped_key)
        plain = _decrypt(AESGCM(key), sealed.details, _purpose("details", code))
        data = json.loads(plain)
        return {str(name): str(value) for name, value in data.items()}

    def _unwrap(self, code: str, wrapped_key: bytes) -> bytes:
        return _decrypt(self._master, wrapped_key, _purpose("key", code))


def _purpose(what: str, code: str) -> bytes:
    """Associated data: a sealed value only opens for the person and the use it was made for."""
    return f"tracker/beneficiary/{what}/{code}".encode()


def _encrypt(cipher: AESGCM, plain: bytes, purpose: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + cipher.encrypt(nonce, plain, purpose)


def _decrypt(cipher: AESGCM, sealed: bytes, purpose: bytes) -> bytes:
    try:
        return cipher.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], purpose)
    except (InvalidTag, ValueError):
        msg = "cannot be opened with this key"
        raise UnreadableError(msg) from None


def new_master_key() -> str:
    """A fresh master key as text, for TRACKER_REGISTER_KEY or a key file."""
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode()


def parse_master_key(text: str, origin: str) -> bytes:
    """The 32 bytes of a master key written as base64 (what `tracker privacy new-key` prints)."""
    try:
        key = base64.urlsafe_b64decode(text.strip().encode())
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != KEY_BYTES:
        msg = (f"{origin} is not a register key: use the 44 characters printed by "
               "`tracker privacy new-key`.")  # fmt: skip
        raise SettingsError(msg)
    return key


def _create_key_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return  # another worker made it a moment ago
    with os.fdopen(descriptor, "w") as file:
        file.write(new_master_key() + "\n")
    log.warning("register_key_created", path=str(path))


def sealer_from(settings: Settings) -> Sealer:
    """The register's sealer: TRACKER_REGISTER_KEY, TRACKER_REGISTER_KEY_FILE, or var/register-key.

    The last is created on first use so that the product runs as it comes; an installation
    sets one of the first two and keeps a copy of the key apart from the database backups.
    """
    if settings.register_key:
        return Sealer(parse_master_key(settings.register_key, "TRACKER_REGISTER_KEY"))
    path = Path(settings.register_key_file) if settings.register_key_file else None
    if path is None:
        path = settings.working_directory() / KEY_FILE
        if not path.exists():
            _create_key_file(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        msg = f"The register key file {path} cannot be read ({error.strerror})."
        raise SettingsError(msg) from None
    return Sealer(parse_master_key(text, str(path)))
