"""An auditor reads a computer on a past date, then a funder's report and downloads its PDF."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pypdfium2
from playwright.sync_api import Page, expect
from test_web_pages import named, sign_in

AxeCheck = Callable[[Page, str], dict[str, Any]]

KNOWN = "Que savait-on le… (selon ce qui était enregistré ce jour-là)"
FUNDER = "Conseil départemental d'Ille-et-Vilaine"


def test_an_auditor_reads_a_past_date_then_a_funder_report_and_downloads_its_pdf(
    page: Page, live_server: str, axe: AxeCheck
) -> None:
    sign_in(page, live_server, "auditeur", "demo-auditeur")
    expect(page).to_have_url(f"{live_server}/audit")
    axe(page, "auditor: home")
    tag = page.get_by_role("table", name="Derniers événements enregistrés").locator(
        "tbody code").first.inner_text()  # fmt: skip
    search = page.get_by_role("search", name="Historique d'un ordinateur")
    search.get_by_label(named("Étiquette de l'ordinateur")).fill(tag)
    search.get_by_role("button", name="Voir son historique").click()
    expect(page).to_have_url(f"{live_server}/audit/ordinateurs/{tag}")
    donation = page.get_by_role("table", name=re.compile("^Tous les événements")).get_by_role(
        "row").nth(1)  # fmt: skip
    recorded = (donation.locator("time").nth(1).get_attribute("datetime") or "")[:10]
    page.get_by_label(named(KNOWN)).fill(recorded)
    page.get_by_role("button", name="Voir à ces dates").click()
    expect(page.get_by_role("region", name=re.compile(r"^Que savait-on le "))).to_be_visible()
    axe(page, "auditor: a computer as known on a past date")

    page.get_by_role("link", name="Ordinateurs solidaires").click()
    reports = page.get_by_role("region", name="Rapports des financeurs")
    reports.get_by_role("link", name=re.compile("^Choisir un financeur")).click()
    axe(page, "auditor: funders")
    page.get_by_role("link", name=f"Rapport — {FUNDER}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Rapport du financeur {FUNDER} (CD35)")  # fmt: skip
    year = datetime.now(ZoneInfo("Europe/Paris")).year  # the demo covers this year
    page.get_by_label(named("Du")).fill(f"{year}-01-01")
    page.get_by_label(named("Au")).fill(f"{year}-12-31")
    page.get_by_label(named("Rapport établi le")).fill(recorded)
    page.get_by_role("button", name="Voir le rapport").click()

    expect(page).to_have_url(re.compile(rf"du={year}-01-01&au={year}-12-31&connu_le={recorded}"))
    known = page.get_by_role("table", name=re.compile(r"^Ligne DEPT-\d{4}-CD35 : ce que l'on"))
    now = page.get_by_role("table", name=re.compile(r"^Ligne DEPT-\d{4}-CD35 : aujourd'hui"))
    expect(known).to_be_visible()
    reconditioned = now.get_by_role("row", name=re.compile("^Reconditionnement"))
    figure = reconditioned.get_by_role("cell").first.inner_text()
    assert int(figure.replace("\u202f", "").replace("\xa0", "")) > 0
    command = page.locator("#verify-command").inner_text()
    assert re.fullmatch(r"tracker verify --tete \d+:[0-9a-f]{64}", command), command
    axe(page, "auditor: funder report as issued on a past date")

    reconditioned.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile(r"^Reconditionnement — ligne DEPT-"))  # fmt: skip
    expect(page.get_by_role("table", name="Les étapes comptées, par date")).to_be_visible()
    axe(page, "auditor: the steps behind a figure")
    page.go_back()

    with page.expect_download() as info:
        page.get_by_role("link", name="PDF").click()
    download = info.value
    assert re.fullmatch(r"rapport-CD35-\d{4}-01-01-\d{4}-12-31-connu-[\d-]+\.pdf",
                        download.suggested_filename)  # fmt: skip
    content = Path(download.path()).read_bytes()
    assert content.startswith(b"%PDF-")
    pages = pypdfium2.PdfDocument(content)
    text = " ".join(" ".join(p.get_textpage().get_text_range() for p in pages).split())
    assert command in text, "the PDF prints the chain link shown on the page"
    assert f"Rapport du financeur {FUNDER} (CD35)" in text
