"""A loan at a third place in Chromium: the person is found by part of their name and chosen.

The computer is one the demo brought to the third place, ready to be lent (or, in the first
days of a year, when the demo has none there yet, one taken there through the station).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import closing
from typing import Any

from playwright.sync_api import Page, expect
from test_scan_station import (
    card,
    choose,
    database,
    events_of,
    expect_state,
    fill_triage,
    fill_wipe,
    open_step,
    pick_person,
    recondition,
    register,
    registered_person,
    scan,
    screenshot,
    sign_in,
    transfer,
    validate,
)

from tracker.domain.asset_tag import computer_id

AxeCheck = Callable[[Page, str], dict[str, Any]]
THIRD_PLACE = "TL-REDON"  # the demo's workshop account works there


def ready_here(page: Page, base_url: str, axe: AxeCheck) -> str:
    """A computer reconditioned and brought to the third place, ready to be lent."""
    with closing(database(base_url)) as db:
        found = db.execute(
            "SELECT tag FROM asset_register WHERE state = 'ready_to_loan' AND site = ? "
            "ORDER BY tag DESC LIMIT 1",
            (THIRD_PLACE,),
        ).fetchone()
    if found:
        return str(found[0])
    [tag] = register(page, base_url)
    page.goto(f"{base_url}/atelier/scan")
    scan(page, tag)
    form = open_step(page, "Trier")
    fill_triage(form, "À reconditionner")
    fill_wipe(form)
    validate(page, f"Tri enregistré pour {tag}.")
    transfer(page, tag, "AI-VILAINE")
    recondition(page, tag, axe)
    transfer(page, tag, THIRD_PLACE)
    return tag


def test_third_place_staff_lend_a_computer_to_a_person_found_by_part_of_their_name(
    page: Page, live_server: str, axe: AxeCheck
) -> None:
    sign_in(page, live_server)
    tag = ready_here(page, live_server, axe)
    code, words = registered_person(live_server, THIRD_PLACE)
    before = events_of(live_server, tag)
    page.goto(f"{live_server}/atelier/scan")
    scan(page, tag)
    expect_state(page, "Prêt à être confié", THIRD_PLACE)

    form = open_step(page, "Prêter à un bénéficiaire")
    search = form.get_by_label("Nom ou prénom de la personne")
    expect(search).to_be_focused()
    pick_person(form, words, code)
    expect(form.locator("#beneficiary-choices")).to_contain_text("Mission locale")
    sent: list[str] = []
    page.on("request", lambda request: sent.append(f"{request.method} {request.url}"))
    search.press("Enter")  # looks the name up again; it does not send the half-filled form
    page.wait_for_load_state("networkidle")
    assert [line for line in sent if line.startswith("POST")] == []
    expect(form.get_by_role("radio", name=re.compile(re.escape(code)))).to_be_checked()
    axe(page, "loan form, person chosen")
    screenshot(page, "loan-person-chosen")
    choose(form, "Payée comment ?", "Espèces")
    validate(page, f"Prêt enregistré pour {tag}.")

    expect_state(page, "Confié à un bénéficiaire", THIRD_PLACE)
    expect(card(page)).not_to_contain_text("Maëlle")  # the card shows no one's name
    axe(page, "card after the loan")
    assert events_of(live_server, tag) == [*before, "Loaned"]
    with closing(database(live_server)) as db:  # the loan as the event log keeps it
        [(state,)] = db.execute(
            "SELECT state FROM stored_events WHERE originator_id = ? AND originator_version = ?",
            (computer_id(tag).hex, len(before) + 1),
        ).fetchall()
    stored = state if isinstance(state, str) else bytes(state).decode()
    assert code in stored
    assert "Maëlle" not in stored
