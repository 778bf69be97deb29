"""The scan station in Chromium: a donation's labels, then a computer's whole life, scanned.

Each test registers its own computers through the intake form, so the tests share the live
server without sharing a computer. The events each step recorded are counted in the server's
SQLite file (see `events_of`); everything else is asserted as a person sees it.
"""

from __future__ import annotations

import os
import random
import re
import sqlite3
import string
import tempfile
import uuid
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import zxingcpp
from playwright.sync_api import Locator, Page, Route, expect

from tracker.accounts import Account
from tracker.bootstrap import read_database_of
from tracker.domain.asset_tag import computer_id
from tracker.domain.beneficiary import PersonalDetails
from tracker.domain.user import Role
from tracker.personal_data import KEY_FILE, sealer_from
from tracker.register import Register
from tracker.settings import Settings

AxeCheck = Callable[[Page, str], dict[str, Any]]

ROOT = Path(__file__).resolve().parents[3]
SCREENSHOTS = ROOT / "var" / "screenshots"
SITES = {
    "ESAT-RANCE": "ESAT Les Ateliers du Rance (ESAT-RANCE)",
    "AI-VILAINE": "Atelier d'insertion Vilaine Numérique (AI-VILAINE)",
    "TL-REDON": "Tiers-lieu La Fabrique, Redon (TL-REDON)",
}
CHECKS = ("Démarrage", "Écran", "Clavier", "Batterie", "Disque", "Mémoire", "Processeur")
PDF_SCALE = 300 / 72  # 300 dpi, what a label printer prints


@dataclass(frozen=True)
class Unit:
    """One line of the intake table, as typed."""

    kind: str = "Portable"
    brand: str = "Dell"
    model: str = "Latitude 5490"
    serial: str = ""
    tag: str = ""


def unique() -> str:
    return uuid.uuid4().hex[:6].upper()


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"scan-{name}.png", full_page=True)


def sign_in(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/connexion")
    page.get_by_label("Nom d'utilisateur").fill("atelier")
    page.get_by_label("Mot de passe").fill("demo-atelier")
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(f"{base_url}/atelier")


def database_path(base_url: str) -> Path:
    """The live server's SQLite file.

    The fixture shares only the server's URL; its file sits beside the `server.out` in which
    `tracker serve` printed that URL.
    """
    outputs = Path(tempfile.gettempdir()).glob("tracker-e2e-*/server.out")
    ours = [out for out in outputs if f"{base_url} " in out.read_text(errors="replace")]
    assert ours, f"no tracker-e2e-*/server.out names {base_url}"
    return max(ours, key=lambda out: out.stat().st_mtime).parent / "tracker.sqlite3"


def database(base_url: str) -> sqlite3.Connection:
    """The live server's SQLite file, read-only."""
    return sqlite3.connect(f"file:{database_path(base_url)}?mode=ro", uri=True)


def registered_person(base_url: str, place: str = "TL-REDON") -> tuple[str, str]:
    """Someone registered at a third place of the live server (as its staff would): their
    code, and the part of their name to type to find them (without accents)."""
    environ = {**os.environ, "TRACKER_DATABASE_URL": f"sqlite:///{database_path(base_url)}"}
    settings = Settings.from_env(environ)
    if not (settings.register_key or settings.register_key_file):  # the server's, from ROOT
        settings = replace(settings, register_key_file=str(ROOT / KEY_FILE))
    register = Register(read_database_of(settings), sealer_from(settings),
                        clock=lambda: datetime.now(UTC), today=date.today)  # fmt: skip
    family = "Kerjean" + "".join(random.choices(string.ascii_lowercase, k=6))
    staff = Account(uuid.uuid4(), "atelier", "Atelier", frozenset({Role.WORKSHOP}), (place,),
                    active=True, version=1)  # fmt: skip
    person = register.register(
        staff, third_place=place, categories=["jobseeker"], consent=True,
        details=PersonalDetails.checked(given_name="Maëlle", family_name=family,
                                        phone="06 12 34 56 78", referrer="Mission locale"),
    )  # fmt: skip
    return person.code, f"maelle {family[:10].lower()}"


def events_of(base_url: str, tag: str) -> list[str]:
    """The names of the events stored for a computer, oldest first."""
    with closing(database(base_url)) as db:
        rows = db.execute(
            "SELECT topic FROM stored_events WHERE originator_id = ? ORDER BY originator_version",
            (computer_id(tag).hex,),
        ).fetchall()
    return [topic.rsplit(".", 1)[-1] for (topic,) in rows]


def fill_intake(page: Page, base_url: str, units: list[Unit]) -> None:
    page.goto(f"{base_url}/atelier/dons/nouveau")
    page.get_by_label("Reçu sur le site").select_option(label=SITES["ESAT-RANCE"])
    page.get_by_label("Donateur").select_option(label="CHU de Rennes")
    for number, unit in enumerate(units, start=1):
        page.get_by_label(f"Type {number}", exact=True).select_option(label=unit.kind)
        typed = {"Marque": unit.brand, "Modèle": unit.model, "N° de série": unit.serial,
                 "Étiquette déjà collée": unit.tag}  # fmt: skip
        for column, value in typed.items():
            page.get_by_label(f"{column} {number}", exact=True).fill(value)


def tags_of_batch(page: Page) -> list[str]:
    table = page.get_by_role("region", name="Les ordinateurs du lot")
    return table.locator("tbody tr td:first-child code").all_inner_texts()


def register(page: Page, base_url: str, count: int = 1) -> list[str]:
    """Register a donation of new computers at ESAT-RANCE; the tags its page shows."""
    fill_intake(page, base_url, [Unit(serial=f"SN-{unique()}") for _ in range(count)])
    page.get_by_role("button", name="Enregistrer le don").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Don du "))
    return tags_of_batch(page)


def scan(page: Page, tag: str) -> None:
    """Type the tag in the scan field and press Enter, as a USB barcode scanner does."""
    scan_field = page.locator("#scan-input")
    scan_field.fill("")
    scan_field.press_sequentially(tag)
    scan_field.press("Enter")
    expect(card(page).get_by_role("heading", level=2)).to_have_text(tag)


def card(page: Page) -> Locator:
    return page.locator("#station #card")


def expect_state(page: Page, words: str, site: str = "") -> None:
    expect(card(page).locator(".state-badge")).to_have_text(f"État : {words}")
    if site:
        expect(fact(page, "Où il est :")).to_contain_text(site)


def fact(page: Page, term: str) -> Locator:
    """What the card says after one of its terms ("Où il est :", "Données :")."""
    return card(page).locator("dl div", has=page.locator("dt", has_text=term)).locator("dd")


def open_step(page: Page, action: str) -> Locator:
    card(page).get_by_role("link", name=action, exact=True).click()
    form = page.locator("#station #step-form")
    expect(form.get_by_role("heading", level=2)).to_have_text(action)
    return form


def radio(scope: Locator, group: str, option: str) -> Locator:
    return scope.get_by_role("group", name=group, exact=True).get_by_role(
        "radio", name=option, exact=True
    )


def choose(scope: Locator, group: str, option: str) -> None:
    radio(scope, group, option).check()


def fill_triage(form: Locator, outcome: str, grade: str = "B : traces d'usage") -> None:
    for check in CHECKS:
        choose(form, check, "Bon")
    choose(form, "Grade", grade)
    choose(form, "Décision", outcome)


def fill_wipe(form: Locator, method: str = "Réécriture par logiciel") -> None:
    wipe = form.get_by_role("group", name="Effacement des données", exact=True)
    choose(wipe, "Méthode", method)
    expect(wipe.get_by_role("radio", name="Réussi", exact=True)).to_be_checked()
    if method != "Disque détruit":
        wipe.get_by_label("Outil utilisé").fill("ShredOS (nwipe)")


def validate(page: Page, done: str) -> None:
    """Send the step form and see the card again, with its confirmation."""
    page.locator("#step-form").get_by_role("button", name="Valider").click()
    expect(page.locator("#notices")).to_have_text(done)
    expect(card(page)).to_be_visible()
    expect(page.locator("#scan-input")).to_be_focused()
    assert page.evaluate("document.activeElement.id") == "scan-input"


def transfer(page: Page, tag: str, to: str) -> None:
    form = open_step(page, "Envoyer vers un autre site")
    form.get_by_label("Vers quel site ?").select_option(label=SITES[to])
    validate(page, f"Envoi vers un autre site enregistré pour {tag}.")


def test_a_donation_of_three_computers_prints_labels_whose_codes_read_back_as_their_tags(
    page: Page, live_server: str, axe: AxeCheck
) -> None:
    pre_printed = f"DON-{unique()}-001"
    sign_in(page, live_server)
    fill_intake(page, live_server, [
        Unit("Portable", "Dell", "Latitude 5490", f"SN-{unique()}"),
        Unit("Ordinateur de bureau", "HP", "ProDesk 400 G5", f"SN-{unique()}"),
        Unit("Portable", "Lenovo", "ThinkPad T480", f"SN-{unique()}", pre_printed.lower()),
    ])  # fmt: skip
    axe(page, "intake form filled")
    page.get_by_role("button", name="Enregistrer le don").click()

    expect(page).to_have_url(
        re.compile(rf"^{re.escape(live_server)}/atelier/dons/[0-9a-f-]{{36}}$")
    )
    expect(page.get_by_role("status")).to_have_text(
        "Don enregistré : 3 ordinateur(s). Imprimez leurs étiquettes et "
        "collez-les avant de ranger les ordinateurs."
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Don du "))
    tags = tags_of_batch(page)
    assert len(tags) == 3
    assert tags[2] == pre_printed
    assert all(re.fullmatch(r"CD35-\d{4}-\d{5}", tag) for tag in tags[:2])
    for tag in tags:
        row = page.get_by_role("row", name=re.compile(re.escape(tag)))
        expect(row).to_contain_text("À trier")
    axe(page, "batch page")
    screenshot(page, "batch")

    a4 = pdf_opened_by(page, page.get_by_role("button", name="Planche A4 (PDF)"))
    page.go_back()
    roll = page.get_by_role("link", name="Imprimante d'étiquettes 62 × 29 mm (PDF)")  # noqa: RUF001
    rolled = page.request.get(roll.evaluate("link => link.href"))

    assert rolled.headers["content-type"] == "application/pdf"
    assert decoded(a4) == set(tags)
    assert decoded(rolled.body()) == set(tags)
    assert len(pdfium.PdfDocument(rolled.body())) == 3  # one label per roll page


def pdf_opened_by(page: Page, control: Locator) -> bytes:
    """The PDF the browser receives when this button or link is used (before its viewer)."""
    received: list[bytes] = []

    def keep(route: Route) -> None:
        response = route.fetch()
        assert response.headers["content-type"] == "application/pdf"
        received.append(response.body())
        route.fulfill(response=response)

    page.route("**/etiquettes.pdf?*", keep)
    with page.expect_response("**/etiquettes.pdf?*"):
        control.click()
    page.unroute("**/etiquettes.pdf?*", keep)
    assert len(received) == 1
    return received[0]


def decoded(pdf: bytes) -> set[str]:
    found: set[str] = set()
    for pdf_page in pdfium.PdfDocument(pdf):
        image = pdf_page.render(scale=PDF_SCALE, grayscale=True).to_pil()
        codes = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
        found.update(code.text for code in codes)
    return found


def test_a_computer_goes_through_triage_reconditioning_a_loan_and_back_to_triage(
    page: Page, live_server: str, axe: AxeCheck
) -> None:
    sign_in(page, live_server)
    [tag] = register(page, live_server)
    page.goto(f"{live_server}/atelier/scan")
    expect(page.locator("#scan-input")).to_be_focused()
    axe(page, "scan page")
    screenshot(page, "station")

    scan(page, tag)
    expect_state(page, "À trier", "ESAT-RANCE")
    expect(fact(page, "Données :")).to_have_text("pas encore effacées")
    axe(page, "card awaiting triage")
    screenshot(page, "card")

    form = open_step(page, "Trier")
    fill_triage(form, "À reconditionner")
    fill_wipe(form)
    when = form.get_by_label("Date (obligatoire)")
    expect(when).to_have_attribute("max", when.input_value())  # no date after today
    axe(page, "triage form")
    screenshot(page, "form")
    validate(page, f"Tri enregistré pour {tag}.")
    expect_state(page, "À reconditionner", "ESAT-RANCE")
    expect(fact(page, "Données :")).to_have_text("effacées")
    expect(card(page).get_by_role("link", name="Reconditionner")).to_have_count(0)

    transfer(page, tag, "AI-VILAINE")
    expect_state(page, "À reconditionner", "AI-VILAINE")

    recondition(page, tag, axe)
    expect_state(page, "Prêt à être confié", "AI-VILAINE")

    transfer(page, tag, "TL-REDON")
    expect_state(page, "Prêt à être confié", "TL-REDON")

    end_of_agreement = lend(page, tag, axe, live_server)
    expect_state(page, "Confié à un bénéficiaire", "TL-REDON")
    expect(fact(page, "Fin de la convention :")).to_contain_text(str(end_of_agreement.year))

    take_back(page, tag, axe)
    expect_state(page, "À trier", "TL-REDON")
    expect(card(page).get_by_role("link", name="Trier")).to_have_count(0)  # not at a third place
    expect(fact(page, "Données :")).to_have_text("pas encore effacées")

    transfer(page, tag, "ESAT-RANCE")
    expect_state(page, "À trier", "ESAT-RANCE")
    form = open_step(page, "Trier")
    expect(form.get_by_role("group", name="Effacement des données")).to_be_visible()
    fill_triage(form, "À reconditionner", grade="C : marche, avec des défauts")
    fill_wipe(form)
    validate(page, f"Tri enregistré pour {tag}.")
    expect_state(page, "À reconditionner", "ESAT-RANCE")
    expect(fact(page, "Données :")).to_have_text("effacées")

    assert events_of(live_server, tag) == [
        "Donated", "DataWipeRecorded", "Triaged", "Transferred", "Reconditioned", "Transferred",
        "Loaned", "Returned", "Transferred", "DataWipeRecorded", "Triaged",
    ]  # fmt: skip


def test_a_computer_triaged_for_dismantling_with_its_drive_destroyed_is_dismantled(
    page: Page, live_server: str, axe: AxeCheck
) -> None:
    outlet = f"Ecosystem {unique()}"
    sign_in(page, live_server)
    [tag] = register(page, live_server)
    page.goto(f"{live_server}/atelier/scan")
    scan(page, tag)

    form = open_step(page, "Trier")
    fill_triage(form, "À démanteler", grade="D : pas réutilisable tel quel")
    fill_wipe(form, "Disque détruit")
    validate(page, f"Tri enregistré pour {tag}.")
    expect_state(page, "À démanteler", "ESAT-RANCE")
    expect(fact(page, "Données :")).to_have_text("effacées")

    form = open_step(page, "Démanteler")
    expect(form.get_by_role("group", name="Effacement des données")).to_have_count(0)
    memory = form.locator(".count-field", has=page.get_by_label("Barrette de mémoire"))
    memory.get_by_label("Barrette de mémoire").fill("2")
    memory.get_by_role("checkbox", name="réutilisable").check()
    form.get_by_label("Ventilateur", exact=True).fill("1")
    form.get_by_label("Métaux ferreux").fill("1,5")
    form.get_by_label("Plastiques").fill("0,25")
    form.get_by_label("Filière de recyclage (obligatoire)").fill(outlet)
    axe(page, "dismantling form")
    validate(page, f"Démantèlement enregistré pour {tag}.")

    expect_state(page, "Démantelé", "ESAT-RANCE")
    expect(card(page)).to_contain_text("Il a été démonté. Son parcours est terminé.")
    expect(card(page).get_by_role("heading", name="Que voulez-vous enregistrer ?")).to_have_count(0)
    assert events_of(live_server, tag) == ["Donated", "DataWipeRecorded", "Triaged", "Dismantled"]
    with closing(database(live_server)) as db:
        weighed = db.execute(
            "SELECT fraction, grams FROM materials WHERE outlet = ? ORDER BY fraction", (outlet,)
        ).fetchall()
    assert weighed == [("ferrous", 1500), ("plastics", 250)]


def recondition(page: Page, tag: str, axe: AxeCheck) -> None:
    form = open_step(page, "Reconditionner")
    axe(page, "reconditioning form")
    expect(form.get_by_role("group", name="Effacement des données")).to_have_count(0)
    form.get_by_role("checkbox", name="Nettoyage", exact=True).check()
    form.get_by_role("checkbox", name="Système installé", exact=True).check()
    form.get_by_label("Système installé (obligatoire)", exact=True).fill("Linux Mint 22")
    form.get_by_label("Heures de travail (obligatoire)").fill("2,5")
    choose(form, "Grade final", "B : traces d'usage")
    form.get_by_role("checkbox", name="Le contrôle qualité est réussi").check()
    validate(page, f"Reconditionnement enregistré pour {tag}.")


def lend(page: Page, tag: str, axe: AxeCheck, base_url: str) -> date:
    """Lend with the form's defaults (today, two years, 25 €) to someone found by name; the
    end of the agreement."""
    code, words = registered_person(base_url)
    form = open_step(page, "Prêter à un bénéficiaire")
    today = date.fromisoformat(form.get_by_label("Date (obligatoire)").input_value())
    end = today.replace(year=today.year + 2)
    expect(form.get_by_label("Début de la convention")).to_have_value(today.isoformat())
    expect(form.get_by_label("Fin de la convention")).to_have_value(end.isoformat())
    expect(form.get_by_label("Participation reçue (€)")).to_have_value("25")
    pick_person(form, words, code)
    axe(page, "loan form")
    choose(form, "Payée comment ?", "Espèces")
    validate(page, f"Prêt enregistré pour {tag}.")
    return end


def pick_person(form: Locator, words: str, code: str) -> None:
    """Type part of a person's name in the loan form, then choose them in the list."""
    form.get_by_label("Nom ou prénom de la personne").press_sequentially(words)
    found = form.get_by_role("group", name="Choisissez la personne").get_by_role(
        "radio", name=re.compile(re.escape(code))
    )
    expect(found).to_be_checked()  # the only match is chosen already
    found.check()


def take_back(page: Page, tag: str, axe: AxeCheck) -> None:
    form = open_step(page, "Enregistrer un retour")
    axe(page, "return form")
    choose(form, "Pourquoi revient-il ?", "Fin de la convention")
    choose(form, "Dans quel état ?", "Bon état")
    validate(page, f"Retour enregistré pour {tag}.")
