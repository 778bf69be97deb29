"""Scan station speed in Chromium, beside htmx fetching and swapping a trivial fragment.

    .venv/bin/python bench/scan_station.py [--url URL] [--runs N] [--computers N] [--json FILE]

With no --url, `tracker demo --years 1` fills a temporary SQLite file and `tracker serve` runs
on it; with --url, that server is used as it is (and gets one more donation). Signed in as the
workshop demo account, the script registers a donation of a few computers at ESAT-RANCE, then
in each run, timed inside the page with performance.now():

- scan: from the Enter key in #scan-input to htmx:afterSettle of the card in #station;
- transfer: from the click on "Valider" in a transfer form (to AI-VILAINE, then back to
  ESAT-RANCE, computers awaiting triage) to htmx:afterSettle of the updated card;
- baseline: from the Enter key in a field of a form added to the page by this script to
  htmx:afterSettle of GET /sante ("ok") in a div beside it: the same keyboard, htmx and
  swapping path, for a fragment that costs the server nothing.

Each figure includes htmx's settle delay (20 ms by default), the baseline too. Medians, 95th
percentiles and the ratios to the baseline are printed and written as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http import HTTPStatus
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
TRACKER = Path(sys.executable).parent / "tracker"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update"]  # fmt: skip
WARM_UP = 3
SERVER_START_TIMEOUT = 60.0

# Timings kept by the page itself: the start (Enter or a click on the step form's submit
# button), then the end at htmx:afterSettle of #station or of the baseline's target.
INSTRUMENT = """() => {
  if (window.benchTimes) return;
  window.benchTimes = [];
  let start = null;
  document.addEventListener("keydown", (event) => {
    if (event.key === "Enter") start = performance.now();
  }, true);
  document.addEventListener("click", (event) => {
    if (event.target.closest("#step-form button[type=submit]")) start = performance.now();
  }, true);
  document.body.addEventListener("htmx:afterSettle", (event) => {
    const id = event.detail.target && event.detail.target.id;
    if (start === null || (id !== "station" && id !== "bench-target")) return;
    window.benchTimes.push(performance.now() - start);
    start = null;
  });
  const form = document.createElement("form");
  form.setAttribute("hx-get", "/sante");
  form.setAttribute("hx-target", "#bench-target");
  form.innerHTML = '<input id="bench-input" name="q" aria-label="bench">' +
    '<div id="bench-target"></div>';
  document.querySelector("main").append(form);
  htmx.process(form);
}"""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_healthy(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"`tracker serve` stopped with code {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/sante", timeout=2) as answer:  # noqa: S310 (our own URL)
                if answer.status == HTTPStatus.OK:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    sys.exit(f"`tracker serve` did not answer on {url} within {SERVER_START_TIMEOUT:.0f} s")


@contextmanager
def demo_server() -> Iterator[tuple[str, Path]]:
    """`tracker serve` on a year of demo data in a temporary SQLite file: its URL and its log.

    As in the e2e tests; the log has one JSON line per request, with the server's milliseconds.
    """
    folder = Path(tempfile.mkdtemp(prefix="tracker-bench-"))
    env = {**os.environ, "TRACKER_DATABASE_URL": f"sqlite:///{folder / 'tracker.sqlite3'}",
           "TRACKER_SECRET_KEY": "bench-secret-key-not-for-production",
           "TRACKER_LOG_FORMAT": "json"}  # fmt: skip
    print("Generating one year of the demo programme…", file=sys.stderr)
    demo = [str(TRACKER), "demo", "--years", "1", "--seed", "35"]
    subprocess.run(demo, cwd=ROOT, env=env, check=True, capture_output=True)  # noqa: S603
    port = free_port()
    with (folder / "server.log").open("wb") as log:
        server = subprocess.Popen(  # noqa: S603 (our own executable, fixed arguments)
            [str(TRACKER), "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT, env=env, stdout=log, stderr=log,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, server)
        yield url, folder / "server.log"
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        shutil.rmtree(folder, ignore_errors=True)


def server_times(log: Path, runs: int) -> dict[str, float]:
    """The server's own median milliseconds for the last `runs` requests of each kind."""
    kinds = {"scan": ("GET", re.compile(r"^/ordinateurs$")),
             "transfer": ("POST", re.compile(r"^/ordinateurs/[^/]+/etapes/transfer$")),
             "baseline": ("GET", re.compile(r"^/sante$"))}  # fmt: skip
    found: dict[str, list[float]] = {name: [] for name in kinds}
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        for name, (method, path) in kinds.items():
            if entry.get("method") == method and path.match(str(entry.get("path", ""))):
                found[name].append(float(entry["ms"]))
    return {name: round(statistics.median(times[-runs:]), 1)
            for name, times in found.items() if times}  # fmt: skip


def sign_in(page: Page, url: str, username: str, password: str) -> None:
    page.goto(f"{url}/connexion")
    page.get_by_label("Nom d'utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{url}/atelier")


def register(page: Page, url: str, count: int) -> list[str]:
    """A donation of `count` laptops received at ESAT-RANCE; their tags."""
    page.goto(f"{url}/atelier/dons/nouveau")
    while (lines := page.locator("#unit-rows tr").count()) < count:
        page.get_by_role("button", name="Ajouter 5 lignes").click()
        expect(page.locator("#unit-rows tr")).to_have_count(lines + 5)
    page.get_by_label("Reçu sur le site").select_option(value="ESAT-RANCE")
    page.get_by_label("Donateur").select_option(index=1)
    for number in range(1, count + 1):
        page.get_by_label(f"Type {number}", exact=True).select_option(value="laptop")
        page.get_by_label(f"Marque {number}", exact=True).fill("Dell")
    page.get_by_role("button", name="Enregistrer le don").click()
    page.wait_for_url(f"{url}/atelier/dons/*")
    return page.locator("tbody tr td:first-child code").all_inner_texts()


def timed(page: Page, action: Callable[[], object]) -> float:
    """Run an action that starts one timing in the page; the milliseconds the page measured."""
    before = int(page.evaluate("window.benchTimes.length"))
    action()
    page.wait_for_function("n => window.benchTimes.length > n", arg=before)
    return float(page.evaluate("window.benchTimes[window.benchTimes.length - 1]"))


def one_run(page: Page, tag: str, destination: str) -> tuple[float, float, float]:
    """Baseline, scan and transfer once each: their milliseconds."""
    baseline_field = page.locator("#bench-input")
    baseline_field.fill("x")
    baseline = timed(page, lambda: baseline_field.press("Enter"))
    expect(page.locator("#bench-target")).to_have_text("ok")
    page.evaluate("document.getElementById('bench-target').textContent = ''")

    scan_field = page.locator("#scan-input")
    scan_field.fill(tag)
    scan = timed(page, lambda: scan_field.press("Enter"))
    expect(page.locator("#card h2")).to_have_text(tag)

    page.locator("#card").get_by_role("link", name="Envoyer vers un autre site").click()
    page.get_by_label("Vers quel site ?").select_option(value=destination)
    valider = page.locator("#step-form").get_by_role("button", name="Valider")
    transfer = timed(page, valider.click)
    expect(page.locator("#card .state-badge")).to_be_visible()
    expect(page.locator("#notices")).to_contain_text(tag)
    return baseline, scan, transfer


def summary(values: list[float]) -> dict[str, float]:
    p95 = statistics.quantiles(values, n=20, method="inclusive")[18]
    return {"median_ms": round(statistics.median(values), 1), "p95_ms": round(p95, 1)}


def measure(url: str, args: argparse.Namespace) -> dict[str, Any]:
    executable = os.environ.get("TRACKER_CHROMIUM", "/usr/bin/chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        page = browser.new_page(locale="fr-FR", viewport={"width": 1280, "height": 800})
        sign_in(page, url, args.username, args.password)
        tags = register(page, url, args.computers)
        page.goto(f"{url}/atelier/scan")
        page.evaluate(INSTRUMENT)
        where = dict.fromkeys(tags, "ESAT-RANCE")
        times: dict[str, list[float]] = {"baseline": [], "scan": [], "transfer": []}
        for run in range(WARM_UP + args.runs):
            tag = tags[run % len(tags)]
            destination = "AI-VILAINE" if where[tag] == "ESAT-RANCE" else "ESAT-RANCE"
            baseline, scan, transfer = one_run(page, tag, destination)
            where[tag] = destination
            if run >= WARM_UP:
                for name, value in (("baseline", baseline), ("scan", scan),
                                    ("transfer", transfer)):  # fmt: skip
                    times[name].append(value)
        version = browser.version
        browser.close()
    figures = {name: summary(values) for name, values in times.items()}
    base = figures["baseline"]["median_ms"]
    return {
        "url": url if args.url else "demo (tracker demo --years 1, SQLite)",
        "chromium": version,
        "runs": args.runs,
        "warm_up_runs": WARM_UP,
        **figures,
        "ratio_scan_to_baseline": round(figures["scan"]["median_ms"] / base, 2),
        "ratio_transfer_to_baseline": round(figures["transfer"]["median_ms"] / base, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="", help="a running server (else a demo is started)")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--computers", type=int, default=5)
    parser.add_argument("--username", default="atelier")
    parser.add_argument("--password", default="demo-atelier")
    parser.add_argument("--json", default=str(ROOT / "var" / "bench-scan-station.json"))
    args = parser.parse_args()
    if args.url:
        result = measure(args.url.rstrip("/"), args)
    else:
        with demo_server() as (url, log):
            result = measure(url, args)
            result["server_median_ms"] = server_times(log, args.runs)
    rows = (("scan: Enter -> card settled", "scan"),
            ("transfer: Valider -> card settled", "transfer"),
            ("baseline: Enter -> /sante settled", "baseline"))  # fmt: skip
    print(f"{'measure':<36}{'median ms':>10}{'p95 ms':>9}")
    for label, name in rows:
        figures = result[name]
        print(f"{label:<36}{figures['median_ms']:>10.1f}{figures['p95_ms']:>9.1f}")
    if "server_median_ms" in result:
        inside = result["server_median_ms"]
        print("of which in the server (medians, its request log): "
              + ", ".join(f"{name} {ms:.1f} ms" for name, ms in inside.items()))  # fmt: skip
    print(f"ratio to baseline (medians): scan {result['ratio_scan_to_baseline']:.2f}, "
          f"transfer {result['ratio_transfer_to_baseline']:.2f}; "
          f"{result['runs']} runs, Chromium {result['chromium']}")  # fmt: skip
    path = Path(args.json)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"written to {path}")


if __name__ == "__main__":
    main()
