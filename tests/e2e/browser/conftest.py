"""Browser fixtures: Debian's Chromium driven by Playwright, axe-core checks, a live server."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError

ROOT = Path(__file__).resolve().parents[3]
VAR = ROOT / "var"
AXE_SOURCE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
HTMX = ROOT / "tracker" / "web" / "static" / "vendor" / "htmx.min.js"
TRACKER = ROOT / ".venv" / "bin" / "tracker"

CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# WCAG 2.2 AA as axe-core tags it: each level's own rules, since tags are not cumulative.
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
    }
}
BLOCKING_IMPACTS = {"serious", "critical"}
SERVER_START_TIMEOUT = 60.0
SERVER_STOP_TIMEOUT = 10.0

PHASE_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()

AxeCheck = Callable[[Page, str], dict[str, Any]]


def _unavailable(reason: str) -> None:
    """Fail in CI, where the browser tests must run; skip on a developer's machine."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"Browser tests are required in CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep each phase's report on the test, so fixtures can see at teardown how it went."""
    report = yield
    item.stash.setdefault(PHASE_REPORTS, {})[report.when] = report
    return report


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = Path(os.environ.get("TRACKER_CHROMIUM", "/usr/bin/chromium"))
    if not executable.is_file():
        _unavailable(
            f"no Chromium at {executable}: install Debian's `chromium` package "
            "or set TRACKER_CHROMIUM to a Chromium executable"
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A page in a fresh context (French, desktop size); screenshot in var/ if the test fails."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="fr-FR")
    opened = context.new_page()
    try:
        yield opened
        reports = request.node.stash.get(PHASE_REPORTS, {})
        if any(report.failed for report in reports.values()):
            name = re.sub(r"[^\w.-]+", "_", request.node.name)
            folder = VAR / "screenshots"
            folder.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(PlaywrightError):  # the page may be gone: keep the failure
                opened.screenshot(path=folder / f"{name}.png", full_page=True)
    finally:
        context.close()


@pytest.fixture(scope="session")
def vendored_htmx() -> Path:
    """The htmx.min.js that `make assets` copies from node_modules for the app to serve."""
    if not HTMX.is_file():
        _unavailable(f"{HTMX.relative_to(ROOT)} is missing: run `make assets`")
    return HTMX


@pytest.fixture(scope="session")
def axe_results_path() -> Path:
    """Where each axe check appends its summary: var/axe-results.json, emptied per session."""
    VAR.mkdir(exist_ok=True)
    path = VAR / "axe-results.json"
    path.write_text("[]\n")
    return path


@pytest.fixture
def axe(axe_results_path: Path) -> AxeCheck:
    """check(page, label): run axe-core's WCAG 2.2 AA rules on the page as it is now, record a
    summary, and fail on any serious or critical violation."""
    if not AXE_SOURCE.is_file():
        _unavailable(f"{AXE_SOURCE.relative_to(ROOT)} is missing: run `make assets`")
    source = AXE_SOURCE.read_text(encoding="utf-8")

    def check(page: Page, label: str) -> dict[str, Any]:
        # Evaluated through the DevTools protocol, so a page's Content-Security-Policy does not
        # block it as it would an injected <script> tag.
        if page.evaluate("typeof axe") == "undefined":
            page.evaluate(source)
        result = page.evaluate(
            """async (options) => {
                const found = await axe.run(document, options);
                return {
                    passes: found.passes.length,
                    violations: found.violations.map((v) => ({
                        id: v.id,
                        impact: v.impact,
                        help: v.help,
                        nodes: v.nodes.length,
                        target: v.nodes.length ? v.nodes[0].target.join(" ") : "",
                        html: v.nodes.length ? v.nodes[0].html : "",
                    })),
                };
            }""",
            AXE_OPTIONS,
        )
        summary = {
            "label": label,
            "url": page.url,
            "violations": [
                {key: v[key] for key in ("id", "impact", "nodes", "help")}
                for v in result["violations"]
            ],
            "passes": result["passes"],
        }
        recorded = json.loads(axe_results_path.read_text(encoding="utf-8"))
        recorded.append(summary)
        axe_results_path.write_text(
            json.dumps(recorded, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )

        blocking = [v for v in result["violations"] if v["impact"] in BLOCKING_IMPACTS]
        assert not blocking, (
            f"axe found serious or critical violations on {label} ({page.url}):\n"
            + "\n".join(
                f"- {v['id']} ({v['impact']}): {v['help']}\n  at {v['target']}: {v['html']}"
                for v in blocking
            )
        )
        return summary

    return check


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _tail(path: Path, size: int = 3000) -> str:
    return path.read_text(errors="replace")[-size:] if path.exists() else ""


def _wait_until_healthy(url: str, server: subprocess.Popen[bytes], stderr: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(
                f"`tracker serve` exited with code {server.returncode} before answering "
                f"{url}; its stderr ends with:\n{_tail(stderr)}",
                pytrace=False,
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (our own http URL)
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    pytest.fail(
        f"`tracker serve` did not answer 200 on {url} within {SERVER_START_TIMEOUT:.0f} s; "
        f"its stderr ends with:\n{_tail(stderr)}",
        pytrace=False,
    )


def _stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is not None:
        return
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=SERVER_STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


@pytest.fixture(scope="session")
def live_server() -> Iterator[str]:
    """Base URL of `tracker serve` on a fresh SQLite store filled by one year of demo data."""
    folder = Path(tempfile.mkdtemp(prefix="tracker-e2e-"))
    env = {
        **os.environ,
        "TRACKER_DATABASE_URL": f"sqlite:///{folder / 'tracker.sqlite3'}",
        "TRACKER_SECRET_KEY": "test-secret-key-not-for-production",
        "TRACKER_LOG_FORMAT": "json",
    }
    try:
        subprocess.run(
            [str(TRACKER), "demo", "--years", "1", "--seed", "35"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
            timeout=SERVER_START_TIMEOUT * 5,
        )
    except subprocess.CalledProcessError as error:
        shutil.rmtree(folder, ignore_errors=True)
        pytest.fail(
            f"`tracker demo` failed with code {error.returncode}:\n{error.stderr[-3000:]}",
            pytrace=False,
        )
    port = _free_port()
    stdout, stderr = folder / "server.out", folder / "server.err"
    with stdout.open("wb") as out, stderr.open("wb") as err:
        server = subprocess.Popen(
            [str(TRACKER), "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=err,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(f"{base_url}/sante", server, stderr)
        yield base_url
    finally:
        _stop(server)
        shutil.rmtree(folder, ignore_errors=True)
