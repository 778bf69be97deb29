"""The scan station's other paths in Chromium: conflicts, retries, undo, refusals, mistakes
and the keyboard alone.

Each test registers its own computer, then checks what the person sees and, in the server's
event store, that nothing was recorded twice or by mistake.
"""

from __future__ import annotations

import html
import json
import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, Route, expect
from test_scan_station import (
    CHECKS,
    SITES,
    Unit,
    card,
    events_of,
    expect_state,
    fact,
    fill_intake,
    fill_triage,
    fill_wipe,
    open_step,
    radio,
    register,
    scan,
    screenshot,
    sign_in,
    validate,
)

AxeCheck = Callable[[Page, str], dict[str, Any]]

CONFLICT = (
    "Quelqu'un d'autre a enregistré une étape sur cet ordinateur pendant que vous remplissiez "
    "le formulaire. Rien n'a été enregistré. Voici la fiche à jour : regardez-la, puis "
    "recommencez si c'est encore utile."
)
ALREADY = "C'était déjà enregistré : rien n'a été fait deux fois."
UNDONE = "L'étape a été annulée. Elle reste visible dans l'historique, marquée « annulée »."
NOTHING_SAVED = "Rien n'a été enregistré. Corrigez ce qui est signalé en rouge, puis validez."
REQUIRED = "Ce champ est obligatoire."


def new_computer_on_the_station(page: Page, live_server: str) -> str:
    sign_in(page, live_server)
    [tag] = register(page, live_server)
    page.goto(f"{live_server}/atelier/scan")
    scan(page, tag)
    return tag


def csrf_token(page: Page) -> str:
    """The token htmx sends with every request of the page, as a forged request would copy."""
    return str(json.loads(str(page.locator("body").get_attribute("hx-headers")))["x-csrftoken"])


def test_two_people_triaging_the_same_computer_record_it_once_and_the_second_sees_why(
    page: Page, browser: Browser, live_server: str, axe: AxeCheck
) -> None:
    tag = new_computer_on_the_station(page, live_server)
    other_context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="fr-FR")
    try:
        other = other_context.new_page()
        sign_in(other, live_server)
        other.goto(f"{live_server}/atelier/scan")
        scan(other, tag)
        mine, theirs = open_step(page, "Trier"), open_step(other, "Trier")
        fill_triage(mine, "À reconditionner", grade="B : traces d'usage")
        fill_triage(theirs, "À démanteler", grade="D : pas réutilisable tel quel")

        validate(page, f"Tri enregistré pour {tag}.")
        theirs.get_by_role("button", name="Valider").click()

        expect(card(other).get_by_role("alert")).to_have_text(CONFLICT)
        expect_state(other, "À reconditionner", "ESAT-RANCE")
        expect(fact(other, "Grade :")).to_have_text("B : traces d'usage")
        expect(fact(other, "Dernière étape :")).to_contain_text("Tri")
        expect(other.locator("#notices")).to_have_text("")
        axe(other, "card after a conflict")
        screenshot(other, "conflict")
    finally:
        other_context.close()
    assert events_of(live_server, tag) == ["Donated", "Triaged"]


def test_a_double_click_on_valider_records_the_step_once(
    page: Page, live_server: str, axe: AxeCheck
) -> None:
    tag = new_computer_on_the_station(page, live_server)
    form = open_step(page, "Envoyer vers un autre site")
    axe(page, "transfer form")
    form.get_by_label("Vers quel site ?").select_option(label=SITES["AI-VILAINE"])
    sent = form.locator("form").evaluate("form => Object.fromEntries(new FormData(form))")

    form.get_by_role("button", name="Valider").dblclick()

    expect(page.locator("#notices")).to_have_text(
        f"Envoi vers un autre site enregistré pour {tag}."
    )
    expect_state(page, "À trier", "AI-VILAINE")
    assert events_of(live_server, tag) == ["Donated", "Transferred"]

    again = page.request.post(f"{live_server}/ordinateurs/{tag}/etapes/transfer", form=sent)

    assert again.ok
    assert f"Envoi vers un autre site enregistré pour {tag}. {ALREADY}" in shown(again.text())
    assert events_of(live_server, tag) == ["Donated", "Transferred"]


def send_a_transfer_whose_answer_is_lost(page: Page, live_server: str) -> str:
    """Fill a transfer and click Valider: the server records it, the network drops its answer."""
    tag = new_computer_on_the_station(page, live_server)
    form = open_step(page, "Envoyer vers un autre site")
    form.get_by_label("Vers quel site ?").select_option(label=SITES["AI-VILAINE"])
    step_url = f"{live_server}/ordinateurs/{tag}/etapes/transfer"

    def lose_the_answer(route: Route) -> None:
        route.fetch()
        route.abort("connectionreset")

    page.route(step_url, lose_the_answer)
    with page.expect_event("requestfailed"):
        form.get_by_role("button", name="Valider").click()
    page.unroute(step_url, lose_the_answer)
    assert events_of(live_server, tag) == ["Donated", "Transferred"]
    return tag


def test_valider_clicked_again_after_a_lost_answer_says_it_was_already_recorded(
    page: Page, live_server: str
) -> None:
    tag = send_a_transfer_whose_answer_is_lost(page, live_server)
    valider = page.locator("#step-form").get_by_role("button", name="Valider")
    expect(valider).to_be_enabled()

    valider.click()

    expect(page.locator("#notices")).to_have_text(
        f"Envoi vers un autre site enregistré pour {tag}. {ALREADY}"
    )
    expect_state(page, "À trier", "AI-VILAINE")
    assert events_of(live_server, tag) == ["Donated", "Transferred"]


def test_a_lost_answer_is_told_to_the_person(page: Page, live_server: str) -> None:
    send_a_transfer_whose_answer_is_lost(page, live_server)

    told = page.locator("#notices > *, [role=alert]")
    expect(told.first).to_be_visible(timeout=2000)


def test_a_step_just_recorded_is_undone_from_the_card_and_stays_in_the_history(
    page: Page, live_server: str, axe: AxeCheck
) -> None:
    tag = new_computer_on_the_station(page, live_server)
    form = open_step(page, "Trier")
    fill_triage(form, "À reconditionner")
    validate(page, f"Tri enregistré pour {tag}.")
    expect_state(page, "À reconditionner")

    undo = card(page).locator("details.undo")
    undo.get_by_text(re.compile(r"^Annuler « Tri » \(possible jusqu'à \d\d:\d\d\)$")).click()
    radio(undo, "Pourquoi annuler ?", "Erreur : ce n'était pas le bon ordinateur").check()
    undo.get_by_label("Précisez si besoin").fill("J'ai scanné la mauvaise étiquette")
    axe(page, "card with its undo form open")
    undo.get_by_role("button", name="Annuler cette étape").click()

    expect(page.locator("#notices")).to_have_text(UNDONE)
    expect_state(page, "À trier", "ESAT-RANCE")
    expect(card(page).get_by_role("link", name="Trier", exact=True)).to_be_visible()
    expect(card(page).locator("details.undo")).to_have_count(0)
    expect(page.locator("#scan-input")).to_be_focused()
    assert events_of(live_server, tag) == ["Donated", "Triaged", "StepCancelled"]


def test_a_step_the_lifecycle_refuses_is_not_offered_and_a_forged_one_records_nothing(
    page: Page, live_server: str, axe: AxeCheck
) -> None:
    tag = new_computer_on_the_station(page, live_server)
    steps = card(page).get_by_role("list", name="Que voulez-vous enregistrer ?")
    expect(steps.get_by_role("link")).to_have_text(
        ["Trier", "Effacer les données", "Envoyer vers un autre site", "Sortir du parc"]
    )
    refused = "« Reconditionner » n'est pas possible maintenant : l'ordinateur est « À trier »."

    page.goto(f"{live_server}/ordinateurs/{tag}/etapes/recondition")

    expect(card(page).get_by_role("alert")).to_have_text(f"{refused} Rien n'a été enregistré.")
    expect(page.locator("#step-form")).to_have_count(0)
    axe(page, "card refusing a step")

    forged = page.request.post(
        f"{live_server}/ordinateurs/{tag}/etapes/recondition",
        headers={"x-csrftoken": csrf_token(page), "hx-request": "true"},
        form=recondition_form(),
    )

    assert forged.status == 409
    assert f"{refused} Rien n'a été enregistré." in shown(forged.text())
    assert events_of(live_server, tag) == ["Donated"]


WITH_A_WIPE = {"method": "software_overwrite", "result": "success", "tool": "ShredOS (nwipe)"}


@pytest.mark.parametrize(
    "changes", [{"hours_of_work": ""}, WITH_A_WIPE], ids=["field-left-out", "wipe-dated-before"]
)
def test_a_forged_step_that_is_not_offered_is_refused_whatever_its_fields(
    page: Page, live_server: str, changes: dict[str, str]
) -> None:
    tag = new_computer_on_the_station(page, live_server)

    forged = page.request.post(
        f"{live_server}/ordinateurs/{tag}/etapes/recondition",
        headers={"x-csrftoken": csrf_token(page), "hx-request": "true"},
        form={**recondition_form(), **changes},
    )

    assert 'id="step-form"' not in forged.text()
    assert forged.status == 409
    assert events_of(live_server, tag) == ["Donated"]


def shown(page_source: str) -> str:
    """The words of an answer as a browser shows them (the apostrophes unescaped)."""
    return html.unescape(page_source)


def recondition_form() -> dict[str, str]:
    """A complete reconditioning form, dated any day past: the lifecycle refuses it first."""
    return {
        "command_id": str(uuid.uuid4()), "seen_version": "1", "occurred_on": "2024-01-15",
        "work_done": "cleaning", "operating_system": "Linux Mint 22", "hours_of_work": "1",
        "final_grade": "B", "quality_check_passed": "yes",
    }  # fmt: skip


def test_a_forged_step_of_the_wrong_kind_of_site_is_refused_with_where_to_send_it(
    page: Page, live_server: str
) -> None:
    tag = new_computer_on_the_station(page, live_server)
    form = open_step(page, "Trier")
    fill_triage(form, "À reconditionner")
    fill_wipe(form)
    triaged_on = form.get_by_label("Date (obligatoire)").input_value()
    validate(page, f"Tri enregistré pour {tag}.")
    expect(card(page).get_by_role("link", name="Reconditionner")).to_have_count(0)

    forged = page.request.post(
        f"{live_server}/ordinateurs/{tag}/etapes/recondition",
        headers={"x-csrftoken": csrf_token(page), "hx-request": "true"},
        form={**recondition_form(), "seen_version": "3", "occurred_on": triaged_on},
    )

    assert forged.status == 409
    assert (
        "Cette étape ne se fait pas sur ce site. Envoyez d'abord l'ordinateur vers le bon site. "
        "Rien n'a été enregistré." in shown(forged.text())
    )
    assert events_of(live_server, tag) == ["Donated", "DataWipeRecorded", "Triaged"]


def test_an_empty_triage_form_shows_an_error_on_every_question_and_records_nothing(
    page: Page, live_server: str, axe: AxeCheck
) -> None:
    tag = new_computer_on_the_station(page, live_server)
    form = open_step(page, "Trier")
    axe(page, "triage form")

    form.get_by_role("button", name="Valider").click()

    expect(form.get_by_role("alert")).to_have_text(NOTHING_SAVED)
    for question in (*CHECKS, "Grade", "Décision"):
        group = form.get_by_role("group", name=question, exact=True)
        expect(group).to_contain_text(REQUIRED)
        for choice in group.get_by_role("radio").all():
            expect(choice).to_have_attribute("aria-invalid", "true")
            expect(choice).to_have_accessible_description(re.compile(re.escape(REQUIRED)))
    expect(radio(form, "Démarrage", "Bon")).to_be_focused()
    assert page.evaluate("document.activeElement.id") == "f-checks.powers_on-ok"
    expect(form.get_by_label("Date (obligatoire)")).not_to_have_attribute("aria-invalid", "true")
    axe(page, "triage form with errors")
    screenshot(page, "form-errors")
    assert events_of(live_server, tag) == ["Donated"]

    fill_triage(form, "À reconditionner")
    validate(page, f"Tri enregistré pour {tag}.")
    assert events_of(live_server, tag) == ["Donated", "Triaged"]


def test_an_intake_line_without_its_brand_is_refused_beside_the_field_keeping_the_lines(
    page: Page, live_server: str, axe: AxeCheck
) -> None:
    sign_in(page, live_server)
    fill_intake(page, live_server, [Unit(brand="", serial="SN-1"), Unit(serial="SN-2")])
    page.get_by_role("button", name="Enregistrer le don").click()

    expect(page.get_by_role("alert")).to_contain_text(NOTHING_SAVED)
    brand = page.get_by_label("Marque 1", exact=True)
    expect(brand).to_have_attribute("aria-invalid", "true")
    expect(brand).to_have_accessible_description(re.compile(re.escape(REQUIRED)))
    expect(brand).to_be_focused()
    expect(page.get_by_label("N° de série 1", exact=True)).to_have_value("SN-1")
    expect(page.get_by_label("Marque 2", exact=True)).to_have_value("Dell")
    axe(page, "intake form with errors")

    brand.fill("HP")
    page.get_by_label("Étiquette déjà collée 1", exact=True).fill("CD35-2026-99999")
    page.get_by_role("button", name="Enregistrer le don").click()

    tag_field = page.get_by_label("Étiquette déjà collée 1", exact=True)
    expect(tag_field).to_have_attribute("aria-invalid", "true")
    expect(tag_field).to_have_accessible_description(re.compile("Cette étiquette ne convient pas"))
    expect(page).to_have_url(f"{live_server}/atelier/dons/nouveau")


def test_a_computer_is_scanned_triaged_and_sent_with_the_keyboard_alone(
    page: Page, live_server: str
) -> None:
    sign_in(page, live_server)
    [tag] = register(page, live_server)
    page.goto(f"{live_server}/atelier/scan")
    expect(page.locator("#scan-input")).to_be_focused()

    page.keyboard.type(tag)
    page.keyboard.press("Enter")
    expect(card(page).get_by_role("heading", level=2)).to_have_text(tag)
    expect(page.locator("#scan-input")).to_be_focused()
    press_tab_until(page, card(page).get_by_role("link", name="Trier", exact=True))
    page.keyboard.press("Enter")

    form = page.locator("#step-form")
    for check in CHECKS:  # Space picks the first choice, "Bon"; Tab goes to the next question
        expect(radio(form, check, "Bon")).to_be_focused()
        page.keyboard.press("Space")
        page.keyboard.press("Tab")
    expect(radio(form, "Grade", "A : comme neuf")).to_be_focused()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")  # arrows move the choice along its group
    page.keyboard.press("Tab")
    expect(radio(form, "Décision", "À reconditionner")).to_be_focused()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    expect(radio(form, "Méthode", "Réécriture par logiciel")).to_be_focused()
    page.keyboard.press("Space")
    press_tab_until(page, form.get_by_label("Outil utilisé"))
    page.keyboard.type("ShredOS (nwipe)")
    press_tab_until(page, form.get_by_role("button", name="Valider"))
    page.keyboard.press("Enter")

    expect(page.locator("#notices")).to_have_text(f"Tri enregistré pour {tag}.")
    expect_state(page, "À reconditionner")
    expect(fact(page, "Grade :")).to_have_text("B : traces d'usage")
    expect(page.locator("#scan-input")).to_be_focused()
    assert page.evaluate("document.activeElement.id") == "scan-input"
    assert events_of(live_server, tag) == ["Donated", "DataWipeRecorded", "Triaged"]


def press_tab_until(page: Page, target: Locator, most: int = 30) -> None:
    """Press Tab until the target has the focus, as a keyboard user would."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    expect(target).to_be_focused()
