"""Dates, numbers and amounts are written the way people of each language write them."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from jinja2 import Environment

from tracker.web import i18n


def render(language: str, source: str, **values: object) -> str:
    environment = Environment(autoescape=True)
    i18n.install(environment)
    request = SimpleNamespace(state=SimpleNamespace(language=language))
    return environment.from_string(source).render(request=request, **values)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", "22 nov. 2026 · 1\u202f234,5 · 25,00\u00a0€"),
        ("en", "Nov 22, 2026 · 1,234.5 · €25.00"),
    ],
)
def test_dates_numbers_and_money_follow_the_language(language: str, expected: str) -> None:
    text = render(language, "{{ d|day }} · {{ n|number }} · {{ c|money }}",
                  d=date(2026, 11, 22), n=1234.5, c=2500)  # fmt: skip
    assert text == expected


def test_an_unknown_language_falls_back_to_french() -> None:
    assert i18n.language_of("de") == "fr"
    assert i18n.language_of(None) == "fr"
    assert render("fr", "{{ _('Page introuvable') }}") == "Page introuvable"
    assert render("en", "{{ _('Page introuvable') }}") == "Page not found"
