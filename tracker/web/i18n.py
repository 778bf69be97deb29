"""French first, English available: gettext catalogs (Babel) and locale-aware formatting.

Messages are written in French in the code and templates (the people who use and maintain the
tracker speak French); the English catalog translates them. `make translations` extracts new
messages into the catalogs; a test fails while any message lacks its English translation.
"""

from __future__ import annotations

import gettext
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal
from babel.support import NullTranslations, Translations
from jinja2 import Environment, pass_context
from jinja2.runtime import Context

LANGUAGES = {"fr": "Français", "en": "English"}
DEFAULT_LANGUAGE = "fr"
LANGUAGE_COOKIE = "langue"
CATALOGS = Path(__file__).parent / "locale"


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The catalog of a language, read from its .po file (French needs none)."""
    po_file = CATALOGS / language / "LC_MESSAGES" / "messages.po"
    if language == DEFAULT_LANGUAGE or not po_file.exists():
        return NullTranslations()
    with po_file.open("rb") as source:
        catalog = read_po(source, locale=language)
    compiled = BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(fp=compiled)


def language_of(value: str | None) -> str:
    """A known language code, French when unknown or missing."""
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def translate(language: str, message: str, **values: Any) -> str:
    """A message in the given language, with its %(name)s placeholders filled."""
    text = translations(language).gettext(message)
    return text % values if values else text


def _language(context: Context) -> str:
    request = context.get("request")
    return language_of(getattr(getattr(request, "state", None), "language", None))


@pass_context
def _gettext(context: Context, message: str) -> str:
    return translations(_language(context)).gettext(message)


@pass_context
def _ngettext(context: Context, singular: str, plural: str, n: int) -> str:
    return translations(_language(context)).ngettext(singular, plural, n)


@pass_context
def format_day(context: Context, value: date | datetime | None, style: str = "medium") -> str:
    """A date as people of this language write it ("22 nov. 2026")."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value, style, locale=_language(context))
    return format_date(value, style, locale=_language(context))


@pass_context
def format_number(context: Context, value: int | Decimal | float) -> str:
    """A number with this language's separators ("1 234,5" in French)."""
    return format_decimal(value, locale=_language(context))


@pass_context
def format_money(context: Context, cents: int) -> str:
    """An amount in euros from cents ("25,00 €" in French, "€25.00" in English)."""
    return format_currency(Decimal(cents) / 100, "EUR", locale=_language(context))


def install(environment: Environment) -> None:
    """Give the templates `_`, `ngettext`, {% trans %} and the formatting filters."""
    environment.add_extension("jinja2.ext.i18n")
    environment.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=_gettext, ngettext=_ngettext, newstyle=True
    )
    environment.filters.update(day=format_day, number=format_number, money=format_money)
    environment.globals["LANGUAGES"] = LANGUAGES
    environment.globals["locale_name"] = lambda code: Locale.parse(code).display_name
