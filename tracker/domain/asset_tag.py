"""Asset tags: generated per programme and year, or pre-printed; each maps to one computer id."""

from __future__ import annotations

import re
from uuid import UUID, uuid5

from tracker.domain.exceptions import InvalidTagError, InvalidValueError

# Fixed forever: changing it would give every stored computer a different id.
NAMESPACE = UUID("6f1c2a7e-3b9d-5e21-9a43-0c5d8e7b1f60")

PROGRAMME_CODE = re.compile(r"^[A-Z0-9]{2,8}$")
GENERATED = re.compile(r"^[A-Z0-9]{2,8}-\d{4}-\d{5}$")
PRE_PRINTED = re.compile(r"^[A-Z0-9][A-Z0-9-]{2,31}$")


def normalize(tag: str) -> str:
    """Tags are read case-insensitively and without surrounding blanks (scanners add some)."""
    return tag.strip().upper()


def programme_code(value: str, field: str = "programme") -> str:
    """A programme code as used in tags, e.g. "CD35"."""
    code = value.strip().upper()
    if not PROGRAMME_CODE.fullmatch(code):
        raise InvalidValueError(field=field, reason="not_a_programme_code")
    return code


def generated(programme: str, year: int, number: int) -> str:
    """The tag for the n-th computer of a programme's year, e.g. "CD35-2026-00042"."""
    return f"{programme}-{year:04d}-{number:05d}"


def pre_printed(tag: str) -> str:
    """A tag from a pre-printed label, refused if malformed or if it imitates generated tags."""
    normal = normalize(tag)
    if not PRE_PRINTED.fullmatch(normal):
        raise InvalidTagError(tag=normal, reason="malformed")
    if GENERATED.fullmatch(normal):
        raise InvalidTagError(tag=normal, reason="reserved_format")
    return normal


def valid(tag: str) -> str:
    """Any tag a computer may carry (generated or pre-printed), normalised."""
    normal = normalize(tag)
    if not PRE_PRINTED.fullmatch(normal):
        raise InvalidTagError(tag=normal, reason="malformed")
    return normal


def computer_id(tag: str) -> UUID:
    """The id of the computer carrying this tag: the same tag always gives the same id."""
    return uuid5(NAMESPACE, f"computer:{normalize(tag)}")
