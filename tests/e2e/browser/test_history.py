"""An auditor reads one computer's history in Chromium, and the computer on a past date."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from babel.dates import format_date
from playwright.sync_api import Page, expect
from test_web_pages import named, sign_in

AxeCheck = Callable[[Page, str], dict[str, Any]]

ROOT = Path(__file__).resolve().parents[3]
SCREENSHOTS = ROOT / "var" / "screenshots"
HAPPENED = "Où en était-il le… (selon les dates des étapes)"
KNOWN = "Que savait-on le… (selon ce qui était enregistré ce jour-là)"


def test_an_auditor_opens_a_history_from_the_home_search_and_reads_a_past_date_both_ways(
    page: Page, live_server: str, axe: AxeCheck
) -> None:
    sign_in(page, live_server, "auditeur", "demo-auditeur")
    expect(page).to_have_url(f"{live_server}/audit")
    recent = page.get_by_role("table", name="Derniers événements enregistrés")
    tag = recent.locator("tbody code").first.inner_text()
    search = page.get_by_role("search", name="Historique d'un ordinateur")

    search.get_by_label(named("Étiquette de l'ordinateur")).fill(tag.lower())
    search.get_by_role("button", name="Voir son historique").click()

    expect(page).to_have_url(f"{live_server}/audit/ordinateurs/{tag}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Historique de {tag}")
    events = page.get_by_role("table", name=re.compile(f"^Tous les événements de {tag}"))
    numbers = events.locator("tbody th").all_inner_texts()
    assert numbers == [str(n) for n in range(1, len(numbers) + 1)], "every event, in order"
    donation = events.get_by_role("row").nth(1)
    expect(donation).to_contain_text("Don reçu")
    donated_on = date.fromisoformat(donation.locator("time").first.get_attribute("datetime") or "")
    recorded_on = date.fromisoformat((donation.locator("time").nth(1).get_attribute("datetime")
                                      or "")[:10])  # fmt: skip

    page.get_by_label(named(HAPPENED)).fill(donated_on.isoformat())
    page.get_by_label(named(KNOWN)).fill(recorded_on.isoformat())
    page.get_by_role("button", name="Voir à ces dates").click()

    expect(page).to_have_url(re.compile(r"au=\d{4}-\d{2}-\d{2}&connu_le=\d{4}-\d{2}-\d{2}"))
    in_words = format_date(donated_on, "medium", locale="fr")
    happened = page.get_by_role("region", name=f"Où en était-il le {in_words} ? "
                                "(selon les dates des étapes)")  # fmt: skip
    known = page.get_by_role("region", name=re.compile(r"^Que savait-on le .* \? \(selon ce"))
    later = page.get_by_role("region", name=re.compile(r"^Annulé ou corrigé depuis le "))
    for answer in (happened, known):
        expect(answer).to_contain_text("Étapes comptées :")
        expect(answer.get_by_role("link", name="n° 1")).to_have_attribute("href", "#n-1")
    expect(later).to_be_visible()
    expect(page.get_by_label(named(HAPPENED))).to_have_value(donated_on.isoformat())
    axe(page, "auditor: history of a computer on a past date")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "auditor-history.png", full_page=True)

    happened.get_by_role("link", name="n° 1").click()

    expect(page).to_have_url(re.compile("#n-1$"))
