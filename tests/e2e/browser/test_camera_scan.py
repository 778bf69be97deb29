"""Scanning a tag with the camera: Chromium films a QR code and the scan page opens its computer.

Chromium's fake camera plays a Y4M video of the QR code of a tag. Headless Chromium on Linux has
no BarcodeDetector of its own, so the codes are read by the barcode-detector ponyfill and its
zxing .wasm, served from tracker/web/static/vendor like every other asset (`make assets`). The
whole scan runs on the live server; how the camera stops, fails and hides is shown on a copy of
the scan form served by Playwright, with the real partial and scripts.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import zxingcpp
from jinja2 import Environment, FileSystemLoader
from playwright.sync_api import Browser, Page, Request, Route, expect

from tracker.web import i18n

AxeCheck = Callable[[Page, str], dict[str, Any]]

ROOT = Path(__file__).resolve().parents[3]
STATIC = ROOT / "tracker" / "web" / "static"
TEMPLATES = ROOT / "tracker" / "web" / "templates"
WASM = STATIC / "vendor" / "barcode-detector" / "zxing_reader.wasm"

TAG = "CD35-2026-00042"
# The policy the application sends, and the one the camera needs: WebAssembly compiles only
# with 'wasm-unsafe-eval'; the camera stream, the canvas and fetching the .wasm need nothing more.
APP_CSP = (
    "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'none'; object-src 'none'"
)
CAMERA_CSP = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
)
SECURE_ORIGIN = "http://localhost:8731"  # localhost is a secure context: the camera may be used
PLAIN_ORIGIN = "http://atelier.test:8731"  # plain http elsewhere is not
CONTENT_TYPES = {".js": "text/javascript", ".css": "text/css", ".wasm": "application/wasm"}

# The scan form as the scan page will hold it, with the real partial inside.
SCAN_PAGE = """<!doctype html>
<html lang="fr">
<head>
  <meta charset="utf-8">
  <meta name="htmx-config" content='{"includeIndicatorStyles": false}'>
  <title>Scanner une étiquette</title>
  <link rel="stylesheet" href="/static/style.css">
  <script src="/static/vendor/htmx.min.js" defer></script>
</head>
<body>
  <main>
    <h1>Scanner une étiquette</h1>
    <form id="scan-form" action="/ordinateurs" method="get" hx-get="/ordinateurs"
          hx-target="#resultat">
      <label for="scan-input">Étiquette</label>
      <input id="scan-input" name="q" type="text" autocomplete="off">
      <button type="submit">Ouvrir</button>
      {camera}
    </form>
    <div id="resultat"></div>
  </main>
</body>
</html>
"""
# Recorded in the page: every camera stream it opened, and every CSP violation.
WATCH_PAGE = """
window.cameraStreams = [];
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(event.blockedURI + " " + event.effectiveDirective);
});
const open = navigator.mediaDevices?.getUserMedia?.bind(navigator.mediaDevices);
if (open) {
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    const stream = await open(constraints);
    window.cameraStreams.push(stream);
    return stream;
  };
}
"""
CAMERA_RELEASED = """() => window.cameraStreams.length > 0 && window.cameraStreams.every(
    (stream) => stream.getTracks().every((track) => track.readyState === "ended"))"""
CAMERA_ON = """() => window.cameraStreams.some(
    (stream) => stream.getTracks().some((track) => track.readyState === "live"))"""


def camera_partial() -> str:
    """partials/camera.html rendered in French, as the application renders it."""
    environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True)
    i18n.install(environment)
    environment.globals["url_for"] = lambda _name, file_path: f"/static{file_path}"
    return environment.get_template("partials/camera.html").render()


def write_qr_video(text: str, path: Path, width: int = 640, height: int = 480) -> Path:
    """A one-frame Y4M video (4:2:0, grey) of the QR code of `text` on white, for the fake
    camera, which plays it in a loop."""
    symbol = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode).to_image(scale=8)
    rows, columns = symbol.shape
    dots = bytes(symbol)  # one byte a pixel, row by row: 0 dark, 255 light, quiet zone included
    luma = bytearray(b"\xff" * (width * height))
    top, left = (height - rows) // 2, (width - columns) // 2
    for row in range(rows):
        start = (top + row) * width + left
        luma[start : start + columns] = dots[row * columns : (row + 1) * columns]
    chroma = b"\x80" * (width // 2 * height // 2)  # no colour
    header = f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode()
    path.write_bytes(header + b"FRAME\n" + bytes(luma) + chroma + chroma)
    return path


@dataclass
class ScanPage:
    """The scan form served by Playwright with the given CSP, and what it asked the network for."""

    page: Page
    csp: str
    requests: list[Request] = field(default_factory=list)
    elsewhere: list[str] = field(default_factory=list)
    held: list[Route] = field(default_factory=list)
    hold_wasm: bool = False

    def answer(self, route: Route, request: Request) -> None:
        if not request.url.startswith((SECURE_ORIGIN, PLAIN_ORIGIN)):
            self.elsewhere.append(request.url)  # a CDN would be caught here
            route.abort()
            return
        self.requests.append(request)
        path = request.url.split("/", 3)[3].split("?")[0]
        if path == "atelier/scan":
            html = SCAN_PAGE.replace("{camera}", camera_partial())
            headers = {"Content-Security-Policy": self.csp}
            route.fulfill(body=html, content_type="text/html; charset=utf-8", headers=headers)
        elif path.endswith(".wasm") and self.hold_wasm:
            self.held.append(route)  # never answered: the camera stays open, reading nothing
        elif path.startswith("static/") and (STATIC / path[len("static/") :]).is_file():
            file = STATIC / path[len("static/") :]
            route.fulfill(body=file.read_bytes(), content_type=CONTENT_TYPES[file.suffix])
        else:
            route.fulfill(status=404, body="introuvable")

    def open(self, origin: str = SECURE_ORIGIN) -> Page:
        self.page.route("**/*", self.answer)
        self.page.goto(f"{origin}/atelier/scan")
        return self.page

    def asked_for(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.url.split("/", 3)[3] == path]


def browser_conftest(config: pytest.Config) -> ModuleType:
    """tests/e2e/browser/conftest.py as pytest loaded it (it registers conftests by path)."""
    module = config.pluginmanager.get_plugin(str(Path(__file__).with_name("conftest.py")))
    assert isinstance(module, ModuleType)
    return module


@pytest.fixture(scope="module")
def camera_browser(
    browser: Browser, pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[[str], Browser]]:
    """camera_browser(text): Chromium whose camera films the QR code of `text`. (The `browser`
    fixture fails in CI, or skips elsewhere, when there is no Chromium.)"""
    harness = browser_conftest(pytestconfig)
    if not WASM.is_file():
        harness._unavailable(f"{WASM.relative_to(ROOT)} is missing: run `make assets`")
    launched: dict[str, Browser] = {}

    def filming(text: str) -> Browser:
        if text not in launched:
            video = write_qr_video(text, tmp_path_factory.mktemp("camera") / "tag.y4m")
            launched[text] = browser.browser_type.launch(
                executable_path=os.environ.get("TRACKER_CHROMIUM", "/usr/bin/chromium"),
                headless=True,
                args=[
                    *harness.CHROMIUM_ARGS,
                    "--use-fake-ui-for-media-stream",  # the camera is allowed without asking
                    "--use-fake-device-for-media-stream",
                    f"--use-file-for-fake-video-capture={video}",
                ],
            )
        return launched[text]

    yield filming
    for opened in launched.values():
        opened.close()


@pytest.fixture
def scan_page(camera_browser: Callable[[str], Browser]) -> Iterator[Callable[[str], ScanPage]]:
    contexts = []

    def make(csp: str) -> ScanPage:
        context = camera_browser(TAG).new_context(locale="fr-FR")
        contexts.append(context)
        # Chromium on Linux has no BarcodeDetector; elsewhere remove it, to test the ponyfill.
        context.add_init_script("delete window.BarcodeDetector;" + WATCH_PAGE)
        return ScanPage(context.new_page(), csp)

    yield make
    for context in contexts:
        context.close()


def demo_tag(page: Page, live_server: str) -> str:
    """A tag of the demo data, as the workshop's home page lists it."""
    sign_in(page, live_server)
    recent = page.get_by_role("region", name="Dernières étapes enregistrées sur vos sites")
    return recent.locator("td code").first.inner_text()


def sign_in(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/connexion")
    page.get_by_label("Nom d'utilisateur").fill("atelier")
    page.get_by_label("Mot de passe").fill("demo-atelier")
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(f"{live_server}/atelier")


def test_scanning_a_tag_with_the_camera_opens_its_card(
    page: Page, live_server: str, camera_browser: Callable[[str], Browser], axe: AxeCheck
) -> None:
    tag = demo_tag(page, live_server)
    context = camera_browser(tag).new_context(locale="fr-FR")
    try:
        context.add_init_script(WATCH_PAGE)
        station = context.new_page()
        elsewhere: list[str] = []
        station.on(
            "request",
            lambda r: None if r.url.startswith(live_server) else elsewhere.append(r.url),
        )
        sign_in(station, live_server)
        station.goto(f"{live_server}/atelier/scan")
        start = station.get_by_role("button", name="Scanner avec la caméra")
        expect(start).to_be_visible()
        axe(station, "poste de scan avec le bouton caméra")

        start.click()

        card = station.get_by_role("article", name=tag)
        expect(card).to_be_visible()
        expect(card.get_by_role("heading", level=2)).to_have_text(tag)
        expect(station).to_have_url(f"{live_server}/ordinateurs?q={tag}")
        expect(station.get_by_label("Étiquette ou numéro de série")).to_have_value(tag)
        said = station.locator("#camera").get_by_role("status")
        expect(said).to_have_text(f"Étiquette lue : {tag}")
        station.wait_for_function(CAMERA_RELEASED)
        expect(station.get_by_label("Image de la caméra")).to_be_hidden()
        assert elsewhere == []  # the .wasm came from our static folder, not from a CDN
        assert station.evaluate("window.cspViolations") == []
    finally:
        context.close()


def test_without_wasm_unsafe_eval_the_camera_says_it_cannot_read_codes(
    scan_page: Callable[[str], ScanPage],
) -> None:
    page = scan_page(APP_CSP).open()

    page.get_by_role("button", name="Scanner avec la caméra").click()

    expect(page.get_by_role("status")).to_have_text(
        "La lecture des codes QR ne marche pas dans ce navigateur. Tapez l'étiquette."
    )
    expect(page.get_by_label("Étiquette")).to_be_focused()
    expect(page.get_by_label("Étiquette")).to_have_value("")
    page.wait_for_function(CAMERA_RELEASED)
    expect(page.get_by_role("button", name="Scanner avec la caméra")).to_be_visible()
    assert "wasm-eval script-src" in page.evaluate("window.cspViolations")


@pytest.mark.parametrize("stop", ["the stop button", "Escape"])
def test_the_camera_can_be_stopped_before_it_reads_anything(
    scan_page: Callable[[str], ScanPage], stop: str
) -> None:
    scan = scan_page(CAMERA_CSP)
    scan.hold_wasm = True
    page = scan.open()
    page.get_by_role("button", name="Scanner avec la caméra").click()
    stop_button = page.get_by_role("button", name="Arrêter la caméra")
    expect(stop_button).to_be_focused()
    expect(page.get_by_label("Image de la caméra")).to_be_visible()
    page.wait_for_function(CAMERA_ON)

    if stop == "Escape":
        page.keyboard.press("Escape")
    else:
        stop_button.click()

    page.wait_for_function(CAMERA_RELEASED)
    expect(page.get_by_role("status")).to_have_text("Caméra arrêtée.")
    expect(page.get_by_label("Image de la caméra")).to_be_hidden()
    expect(page.get_by_role("button", name="Scanner avec la caméra")).to_be_focused()
    assert not scan.asked_for(f"ordinateurs?q={TAG}")


def test_the_camera_button_stays_hidden_where_the_camera_cannot_be_used(page: Page) -> None:
    scan = ScanPage(page, CAMERA_CSP)
    scan.open(PLAIN_ORIGIN)  # plain http on a network address: browsers give no camera there
    assert page.evaluate("window.isSecureContext") is False

    expect(page.get_by_role("button", name="Ouvrir")).to_be_visible()
    assert scan.asked_for("static/camera.js")
    expect(page.get_by_role("button", name="Scanner avec la caméra")).to_be_hidden()
