"""An auditor reads the programme over a past period in Chromium, as it happened and as known."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date
from playwright.sync_api import Page, expect
from test_web_pages import named, sign_in

AxeCheck = Callable[[Page, str], dict[str, Any]]

ROOT = Path(__file__).resolve().parents[3]
SCREENSHOTS = ROOT / "var" / "screenshots"


def test_an_auditor_compares_a_period_as_corrected_since_with_what_was_known_on_a_day(
    page: Page, live_server: str, axe: AxeCheck
) -> None:
    today = datetime.now(ZoneInfo("Europe/Paris")).date()  # the demo: this year so far
    start = date(today.year, 1, 1)
    known_on = today.replace(day=1)
    end = max(start, known_on - timedelta(days=1))
    sign_in(page, live_server, "auditeur", "demo-auditeur")
    expect(page).to_have_url(f"{live_server}/audit")

    page.get_by_role("link", name="Voir le programme à une date passée").click()

    expect(page).to_have_url(f"{live_server}/audit/programme")
    expect(page.get_by_role("heading", level=1)).to_have_text("Le programme à une date passée")
    axe(page, "auditor: programme at a past date, by default")

    page.get_by_label(named("Du (premier jour)")).fill(start.isoformat())
    page.get_by_label(named("Au (dernier jour, compris)")).fill(end.isoformat())
    page.get_by_label(named("Tel que connu le…")).fill(known_on.isoformat())
    page.get_by_role("button", name="Voir cette période").click()

    expect(page).to_have_url(re.compile(rf"connu_le={known_on.isoformat()}"))
    in_words = format_date(known_on, "medium", locale="fr")
    figures = page.get_by_role("table", name=re.compile(r"^Chiffres de \w+ du "))
    expect(figures.get_by_role("columnheader", name=f"Tel que connu le {in_words}")).to_be_visible()
    expect(figures.get_by_role("rowheader", name="Dons reçus")).to_be_visible()
    changes = page.get_by_role("region", name=f"Enregistré, annulé ou corrigé depuis le {in_words}")
    expect(changes).to_be_visible()
    axe(page, "auditor: programme at a past date, two readings")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "auditor-programme-as-of.png", full_page=True)

    page.get_by_label(f"Tel que connu le {in_words}").check()
    page.get_by_role("button", name="Afficher la liste").click()

    expect(page).to_have_url(re.compile(r"lecture=connu.*#ordinateurs$"))
    listed = page.get_by_role("table", name=re.compile(rf"tel que connu le {in_words}$"))
    first = listed.locator("tbody th code").first
    tag = first.inner_text()
    axe(page, "auditor: programme at a past date, the list as known")

    first.click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Historique de {tag}")
