"""Reading submitted forms: the body type every form handler takes, and field helpers."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from litestar.enums import RequestEncodingType
from litestar.params import Body

from tracker.domain.exceptions import InvalidValueError
from tracker.web.pages import N_

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]


def text(form: dict[str, Any], name: str) -> str:
    """One field's text ("" when missing; the first value when sent several times)."""
    value = form.get(name, "")
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value)


def values(form: dict[str, Any], name: str) -> list[str]:
    """Every value of a field sent several times (checkboxes)."""
    value = form.get(name, [])
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def safe_path(target: str, default: str = "/") -> str:
    """A local path to go back to; anything else (another site) becomes the default."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


def new_password(form: dict[str, Any]) -> str:
    """The new password typed twice, or a refusal when the two differ."""
    password = text(form, "password")
    if password != text(form, "password_again"):
        raise InvalidValueError(field="password_again", reason="passwords_differ")
    return password


NOT_A_DATE = N_("Ce n'est pas une date. Exemple : 21/11/2026.")
# What a date field accepts: the browser's ISO date, or a date typed the French way.
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
FRENCH_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})", re.ASCII)


def day_in(raw: str) -> date | None:
    """The date typed in a field (ISO or French day/month/year); None if empty or not a date."""
    text = raw.strip()
    try:
        if ISO_DATE.fullmatch(text):
            return date.fromisoformat(text)
        french = FRENCH_DATE.fullmatch(text)
        if french:
            day, month, year = map(int, french.groups())
            return date(year, month, day)
    except ValueError:  # 2026-02-30
        return None
    return None
