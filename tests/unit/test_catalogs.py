"""The English catalog translates every message of the web interface, placeholders intact."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from tracker.web.i18n import CATALOGS, translate

ROOT = Path(__file__).parents[2]
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None, "t": (2,), "translate": (2,), "tr": None}
METHODS = [("tracker/web/**.py", "python"), ("tracker/web/templates/**.html", "jinja2")]
OPTIONS = {"tracker/web/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def extracted() -> set[str | tuple[str, ...]]:
    messages: set[str | tuple[str, ...]] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        ROOT, METHODS, OPTIONS, KEYWORDS
    ):
        messages.add(message if isinstance(message, str) else tuple(message))
    return messages


def english() -> dict[str | tuple[str, ...], object]:
    with (CATALOGS / "en" / "LC_MESSAGES" / "messages.po").open("rb") as source:
        catalog = read_po(source)
    return {
        (m.id if isinstance(m.id, str) else tuple(m.id)): m.string
        for m in catalog
        if m.id and not m.fuzzy
    }


def test_every_message_of_the_interface_has_an_english_translation() -> None:
    found = extracted()
    translated = {key for key, value in english().items() if value and all(value)}
    missing = sorted(map(str, found - translated))
    assert len(found) > 150  # the extraction really read the templates and the code
    assert not missing, f"run `make translations` and translate: {missing}"


def test_translations_keep_the_placeholders_of_their_message() -> None:
    for message, translation in english().items():
        sources = [message] if isinstance(message, str) else list(message)
        targets = [translation] if isinstance(translation, str) else list(translation)  # type: ignore[arg-type]
        for source, target in zip(sources, targets, strict=False):
            assert set(PLACEHOLDER.findall(source)) == set(PLACEHOLDER.findall(str(target))), source


def test_french_is_the_source_and_english_comes_from_the_catalog() -> None:
    assert translate("fr", "Page introuvable") == "Page introuvable"
    assert translate("en", "Page introuvable") == "Page not found"
    assert translate("en", "Bonjour %(name)s", name="Amélie") == "Hello Amélie"
