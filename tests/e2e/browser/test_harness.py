"""The browser harness itself, on static pages: Chromium runs, htmx loads, axe can fail."""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

AxeCheck = Callable[[Page, str], dict[str, Any]]

# script-src 'self' as the application will send it: axe must still get in, htmx must still load.
ACCESSIBLE_PAGE = """<!doctype html>
<html lang="fr">
<head>
  <meta charset="utf-8">
  <meta http-equiv="Content-Security-Policy" content="script-src 'self'">
  <title>Banc d'essai du navigateur</title>
  <script src="/vendor/htmx.min.js"></script>
</head>
<body>
  <main>
    <h1>Inventaire</h1>
    <p>Une page simple, lisible par tout le monde.</p>
  </main>
</body>
</html>
"""

# An image without text alternative (critical) and grey-on-white text (serious).
BROKEN_PAGE = """<!doctype html>
<html lang="fr">
<head>
  <meta charset="utf-8">
  <title>Page fautive</title>
</head>
<body>
  <main>
    <h1>Inventaire</h1>
    <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" width="40" height="40">
    <p style="color: #c8c8c8; background: #ffffff">Texte presque invisible.</p>
  </main>
</body>
</html>
"""


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base signature)
        pass


@pytest.fixture
def site(tmp_path: Path, vendored_htmx: Path) -> Iterator[str]:
    """Base URL of a static server for the two pages above and the vendored htmx."""
    (tmp_path / "vendor").mkdir()
    shutil.copy(vendored_htmx, tmp_path / "vendor" / "htmx.min.js")
    (tmp_path / "accessible.html").write_text(ACCESSIBLE_PAGE)
    (tmp_path / "broken.html").write_text(BROKEN_PAGE)
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), partial(_QuietHandler, directory=os.fspath(tmp_path))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def axe_results_path(tmp_path: Path) -> Path:
    """The harness's own pages stay out of var/axe-results.json, which reports on the app."""
    path = tmp_path / "axe-results.json"
    path.write_text("[]\n")
    return path


def test_chromium_renders_the_page_and_htmx_2_is_loaded(page: Page, site: str) -> None:
    page.goto(f"{site}/accessible.html")

    assert page.title() == "Banc d'essai du navigateur"
    assert page.get_by_role("heading", level=1).inner_text() == "Inventaire"
    assert page.evaluate("typeof htmx") == "object"
    assert page.evaluate("htmx.version").startswith("2.")


def test_axe_passes_an_accessible_page(page: Page, site: str, axe: AxeCheck) -> None:
    page.goto(f"{site}/accessible.html")

    summary = axe(page, "harness: accessible page")

    assert summary["passes"] > 0
    assert not [v for v in summary["violations"] if v["impact"] in {"serious", "critical"}]


def test_axe_fails_a_page_with_an_unlabelled_image_and_low_contrast_text(
    page: Page, site: str, axe: AxeCheck
) -> None:
    page.goto(f"{site}/broken.html")

    with pytest.raises(AssertionError) as failure:
        axe(page, "harness: broken page")

    message = str(failure.value)
    assert "image-alt (critical)" in message
    assert "color-contrast (serious)" in message
    assert "<img" in message


def test_axe_records_a_summary_of_every_page_it_checks(
    page: Page, site: str, axe: AxeCheck, axe_results_path: Path
) -> None:
    page.goto(f"{site}/accessible.html")
    axe(page, "harness: accessible page")
    page.goto(f"{site}/broken.html")
    with pytest.raises(AssertionError):
        axe(page, "harness: broken page")

    recorded = json.loads(axe_results_path.read_text())

    assert [entry["label"] for entry in recorded] == [
        "harness: accessible page",
        "harness: broken page",
    ]
    assert recorded[1]["url"] == f"{site}/broken.html"
    broken = {v["id"]: v for v in recorded[1]["violations"]}
    assert broken["image-alt"] == {
        "id": "image-alt",
        "impact": "critical",
        "nodes": 1,
        "help": broken["image-alt"]["help"],
    }
    assert recorded[1]["passes"] > 0
