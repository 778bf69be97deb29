"""The web pages in Chromium as each kind of user meets them, every page checked by axe."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po
from playwright.sync_api import Locator, Page, expect

AxeCheck = Callable[[Page, str], dict[str, Any]]

ROOT = Path(__file__).resolve().parents[3]
SCREENSHOTS = ROOT / "var" / "screenshots"
ENGLISH_CATALOG = ROOT / "tracker" / "web" / "locale" / "en" / "LC_MESSAGES" / "messages.po"
PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
SIGNED_OUT = "Vous êtes déconnecté. À bientôt !"


@dataclass(frozen=True)
class Visit:
    """A page reached by clicking links: the first in the page header, the others in the page."""

    clicks: tuple[str, ...]
    path: str
    heading: str


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    home: str
    heading: str
    menu_pages: tuple[Visit, ...]


MY_ACCOUNT = Visit(("Mon compte",), "/compte", "Mon compte")
ACCOUNTS = (
    DemoAccount("atelier", "demo-atelier", "/atelier", "Bonjour Compte atelier (démo)", (
        Visit(("Atelier",), "/atelier", "Bonjour Compte atelier (démo)"),
        MY_ACCOUNT,
    )),
    DemoAccount("agent", "demo-agent", "/suivi", "Tableau de bord du programme", (
        Visit(("Suivi",), "/suivi", "Tableau de bord du programme"),
        Visit(("Gestion",), "/gestion", "Gestion"),
        Visit(("Gestion", "Sites"), "/gestion/sites", "Sites"),
        Visit(("Gestion", "Sites", "Nouveau site"), "/gestion/sites/nouveau", "Nouveau site"),
        Visit(("Gestion", "Programmes"), "/gestion/programmes", "Programmes"),
        Visit(("Gestion", "Programmes", "Nouveau programme"), "/gestion/programmes/nouveau",
              "Nouveau programme"),
        Visit(("Gestion", "Donateurs"), "/gestion/donateurs", "Donateurs"),
        Visit(("Gestion", "Donateurs", "Nouveau donateur"), "/gestion/donateurs/nouveau",
              "Nouveau donateur"),
        Visit(("Gestion", "Financeurs"), "/gestion/financeurs", "Financeurs"),
        Visit(("Gestion", "Financeurs", "Nouveau financeur"), "/gestion/financeurs/nouveau",
              "Nouveau financeur"),
        Visit(("Gestion", "Lignes de financement"), "/gestion/lignes-de-financement",
              "Lignes de financement"),
        Visit(("Gestion", "Lignes de financement", "Nouvelle ligne de financement"),
              "/gestion/lignes-de-financement/nouveau", "Nouvelle ligne de financement"),
        MY_ACCOUNT,
    )),
    DemoAccount("auditeur", "demo-auditeur", "/audit", "Audit", (
        Visit(("Suivi",), "/suivi", "Tableau de bord du programme"),
        Visit(("Audit",), "/audit", "Audit"),
        Visit(("Audit", "Financeurs"), "/gestion/financeurs", "Financeurs"),
        Visit(("Audit", "Lignes de financement"), "/gestion/lignes-de-financement",
              "Lignes de financement"),
        Visit(("Comptes",), "/gestion/utilisateurs", "Comptes"),
        Visit(("Comptes", "atelier"), "/gestion/utilisateurs/atelier",
              "Compte atelier (démo) atelier"),
        MY_ACCOUNT,
    )),
    DemoAccount("admin", "demo-admin", "/gestion", "Gestion", (
        Visit(("Gestion",), "/gestion", "Gestion"),
        Visit(("Gestion", "Comptes"), "/gestion/utilisateurs", "Comptes"),
        Visit(("Gestion", "Comptes", "Nouveau compte"), "/gestion/utilisateurs/nouveau",
              "Nouveau compte"),
        Visit(("Gestion", "Comptes", "atelier"), "/gestion/utilisateurs/atelier",
              "Compte atelier (démo) atelier"),
        Visit(("Gestion", "Sites"), "/gestion/sites", "Sites"),
        Visit(("Gestion", "Sites", "Modifier ESAT-RANCE"), "/gestion/sites/ESAT-RANCE",
              "Modifier ESAT-RANCE"),
        Visit(("Gestion", "Programmes"), "/gestion/programmes", "Programmes"),
        Visit(("Gestion", "Donateurs"), "/gestion/donateurs", "Donateurs"),
        Visit(("Gestion", "Financeurs", "Modifier CD35"), "/gestion/financeurs/CD35",
              "Modifier CD35"),
        MY_ACCOUNT,
    )),
)  # fmt: skip
DEMO = {account.username: account for account in ACCOUNTS}


def english(message: str) -> str:
    """What the English pages show for a French message: its translation, else the French."""
    if ENGLISH_CATALOG.is_file():
        with ENGLISH_CATALOG.open("rb") as source:
            found = read_po(source, locale="en").get(message)
        if found is not None and found.string and not found.fuzzy:
            return str(found.string)
    return message


def named(text: str) -> re.Pattern[str]:
    """An accessible name starting with these words (labels add "(obligatoire)", cards a count)."""
    return re.compile(rf"^{re.escape(text)}(\s|$)")


def field(page: Page, label: str) -> Locator:
    return page.get_by_label(named(label))


def sign_in(page: Page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/connexion")
    field(page, "Nom d'utilisateur").fill(username)
    field(page, "Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Se connecter")


def visit(page: Page, base_url: str, where: Visit) -> None:
    page.get_by_role("banner").get_by_role("link", name=named(where.clicks[0])).click()
    for link in where.clicks[1:]:
        page.get_by_role("main").get_by_role("link", name=named(link)).click()
    expect(page).to_have_url(f"{base_url}{where.path}")
    expect(page.get_by_role("heading", level=1)).to_have_text(where.heading)


def unique() -> str:
    """A fragment that keeps this test's records apart from others' on the shared server."""
    return uuid.uuid4().hex[:6]


@pytest.mark.parametrize("account", ACCOUNTS, ids=lambda account: account.username)
def test_each_demo_account_signs_in_to_its_home_reaches_its_menu_pages_and_signs_out(
    page: Page, live_server: str, axe: AxeCheck, account: DemoAccount
) -> None:
    sign_in(page, live_server, account.username, account.password)

    expect(page).to_have_url(f"{live_server}{account.home}")
    expect(page.get_by_role("heading", level=1)).to_have_text(account.heading)
    axe(page, f"{account.username}: home {account.home}")
    for where in account.menu_pages:
        visit(page, live_server, where)
        axe(page, f"{account.username}: {where.path}")

    sign_out(page)
    expect(page).to_have_url(f"{live_server}/connexion?au-revoir=1")
    expect(page.get_by_text(SIGNED_OUT)).to_be_visible()
    axe(page, f"{account.username}: signed out")


def test_the_sign_in_page_offers_two_labelled_fields_and_a_button(
    page: Page, live_server: str, axe: AxeCheck
) -> None:
    page.goto(f"{live_server}/")

    expect(page).to_have_url(f"{live_server}/connexion")
    expect(page.get_by_role("heading", level=1)).to_have_text("Se connecter")
    expect(field(page, "Nom d'utilisateur")).to_be_editable()
    expect(field(page, "Mot de passe")).to_have_attribute("type", "password")
    expect(page.get_by_role("button", name="Se connecter")).to_be_enabled()
    axe(page, "sign-in page")


def test_an_unknown_address_shows_a_page_not_found_with_a_way_home(
    page: Page, live_server: str, axe: AxeCheck
) -> None:
    response = page.goto(f"{live_server}/page-qui-n-existe-pas")

    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page introuvable")
    expect(page.get_by_role("link", name="Revenir à l'accueil")).to_be_visible()
    axe(page, "error page 404")


def test_a_workshop_account_opening_management_is_refused_with_an_explanation(
    page: Page, live_server: str, axe: AxeCheck
) -> None:
    sign_in(page, live_server, "atelier", "demo-atelier")
    expect(page).to_have_url(f"{live_server}/atelier")

    response = page.goto(f"{live_server}/gestion")

    assert response is not None
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Accès refusé")
    expect(page.get_by_text("demandez-le à un administrateur")).to_be_visible()
    axe(page, "error page 403")


def test_a_wrong_password_is_refused_in_french_keeping_the_user_name_but_not_the_password(
    page: Page, live_server: str, axe: AxeCheck
) -> None:
    sign_in(page, live_server, "agent", "pas-le-bon-mot-de-passe")

    expect(page.get_by_role("alert")).to_have_text(
        "Nom d'utilisateur ou mot de passe incorrect. Vérifiez et réessayez."
    )
    expect(field(page, "Nom d'utilisateur")).to_have_value("agent")
    expect(field(page, "Mot de passe")).to_have_value("")
    axe(page, "sign-in page with a wrong password")


def test_the_language_chosen_on_the_sign_in_page_stays_after_signing_in_until_switched_back(
    page: Page, live_server: str
) -> None:
    page.goto(f"{live_server}/connexion")

    page.get_by_role("button", name="English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(english("Se connecter"))
    expect(page.get_by_role("button", name="Français")).to_be_visible()

    field(page, english("Nom d'utilisateur")).fill("agent")
    field(page, english("Mot de passe")).fill("demo-agent")
    page.get_by_role("button", name=english("Se connecter")).click()

    expect(page).to_have_url(f"{live_server}/suivi")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    heading = english("Tableau de bord du programme")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)

    page.get_by_role("button", name="Français").click()

    expect(page).to_have_url(f"{live_server}/suivi")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de bord du programme")
    expect(page.get_by_role("button", name="English")).to_be_visible()


def test_an_administrator_creates_a_workshop_account_that_can_then_sign_in_to_its_site(
    page: Page, live_server: str, axe: AxeCheck
) -> None:
    username, name, password = f"essai.{unique()}", f"Camille {unique()}", "une phrase assez longue"
    sign_in(page, live_server, "admin", "demo-admin")
    visit(page, live_server, Visit(("Gestion", "Comptes", "Nouveau compte"),
                                   "/gestion/utilisateurs/nouveau", "Nouveau compte"))  # fmt: skip

    field(page, "Nom d'utilisateur").fill(username)
    field(page, "Nom affiché").fill(name)
    field(page, "Mot de passe").fill(password)
    field(page, "Le même mot de passe, encore une fois").fill(password)
    page.get_by_role("checkbox", name="Atelier", exact=True).check()
    page.get_by_role("checkbox", name=re.compile("ESAT-RANCE")).check()
    page.get_by_role("button", name="Créer le compte").click()

    expect(page).to_have_url(f"{live_server}/gestion/utilisateurs/{username}")
    expect(page.get_by_role("status")).to_have_text(
        f"Le compte {username} est créé. Donnez-lui son mot de passe de vive voix."
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{name} {username}")
    expect(page.get_by_role("checkbox", name="Atelier", exact=True)).to_be_checked()
    expect(page.get_by_role("checkbox", name=re.compile("ESAT-RANCE"))).to_be_checked()
    expect(page.get_by_role("row", name=re.compile("Rôle donné"))).to_contain_text(
        "Atelier (ESAT-RANCE)"
    )
    axe(page, "admin: a new user's page with its notice")

    sign_out(page)
    sign_in(page, live_server, username, password)

    expect(page).to_have_url(f"{live_server}/atelier")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Bonjour {name}")
    expect(page.get_by_role("heading", level=2, name=re.compile("ESAT-RANCE"))).to_be_visible()
    expect(page.get_by_role("heading", level=2, name=re.compile("AI-VILAINE"))).to_have_count(0)


def new_site_form(page: Page, live_server: str) -> None:
    sign_in(page, live_server, "admin", "demo-admin")
    visit(page, live_server, Visit(("Gestion", "Sites", "Nouveau site"),
                                   "/gestion/sites/nouveau", "Nouveau site"))  # fmt: skip


def fill_site(page: Page, code: str, name: str) -> None:
    field(page, "Code").fill(code)
    field(page, "Nom").fill(name)
    field(page, "Rôle dans la chaîne").select_option(label="Tiers-lieu (remise aux bénéficiaires)")
    field(page, "Commune").fill("Redon")
    field(page, "Programme").select_option(label="CD35 — Parcours numérique solidaire 35")
    page.get_by_role("button", name="Enregistrer").click()


def test_an_administrator_creates_a_third_place_that_appears_in_the_list_of_sites(
    page: Page, live_server: str
) -> None:
    code, name = f"TL-ESSAI-{unique().upper()}", f"Tiers-lieu d'essai {unique()}"
    new_site_form(page, live_server)

    fill_site(page, code, name)

    expect(page).to_have_url(f"{live_server}/gestion/sites")
    expect(page.get_by_role("status")).to_have_text("C'est enregistré.")
    row = page.get_by_role("row", name=re.compile(re.escape(code)))
    expect(row).to_contain_text(name)
    expect(row).to_contain_text("Tiers-lieu (remise aux bénéficiaires)")
    expect(row).to_contain_text("CD35")
    expect(row).to_contain_text("actif")


def test_a_site_code_with_spaces_is_refused_next_to_the_field_keeping_what_was_typed(
    page: Page, live_server: str, axe: AxeCheck
) -> None:
    code, name = f"TL ESSAI {unique().upper()}", f"Tiers-lieu refusé {unique()}"
    new_site_form(page, live_server)

    fill_site(page, code, name)

    refusal = "Lettres majuscules, chiffres et tirets seulement, par exemple TL-REDON."
    code_field = field(page, "Code")
    expect(page.get_by_role("alert")).to_have_text(
        "Le formulaire contient une erreur : corrigez le champ signalé."
    )
    expect(page.get_by_text(refusal)).to_be_visible()
    expect(code_field).to_have_attribute("aria-invalid", "true")
    expect(code_field).to_have_accessible_description(re.compile(re.escape(refusal)))
    expect(code_field).to_have_value(code)
    expect(field(page, "Nom")).to_have_value(name)
    expect(field(page, "Commune")).to_have_value("Redon")
    expect(field(page, "Rôle dans la chaîne").locator("option:checked")).to_have_text(
        "Tiers-lieu (remise aux bénéficiaires)"
    )
    expect(field(page, "Programme").locator("option:checked")).to_have_text(re.compile("^CD35"))
    axe(page, "admin: new site form with an error")


def test_the_sign_in_form_can_be_reached_filled_and_sent_with_the_keyboard_alone(
    page: Page, live_server: str
) -> None:
    page.goto(f"{live_server}/connexion")

    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Aller au contenu")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(field(page, "Nom d'utilisateur")).to_be_focused()
    page.keyboard.type("agent")
    page.keyboard.press("Tab")
    expect(field(page, "Mot de passe")).to_be_focused()
    page.keyboard.type("demo-agent")
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{live_server}/suivi")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de bord du programme")


def page_scrolls_sideways(page: Page) -> bool:
    return bool(
        page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")
    )


@dataclass(frozen=True)
class PhonePage:
    username: str
    path: str
    screenshot: str


PHONE_PAGES = (  # the four homes and the pages with the widest tables
    PhonePage("agent", "/suivi", "officer-home"),
    PhonePage("atelier", "/atelier", "workshop-home"),
    PhonePage("auditeur", "/audit", "auditor-home"),
    PhonePage("auditeur", "/gestion/utilisateurs/atelier", "auditor-user-history"),
    PhonePage("admin", "/gestion/utilisateurs", "admin-users"),
    PhonePage("admin", "/gestion/sites", "admin-sites"),
)


@pytest.mark.parametrize("shown", PHONE_PAGES, ids=lambda shown: shown.screenshot)
def test_pages_fit_a_phone_screen_without_sideways_scrolling(
    page: Page, live_server: str, axe: AxeCheck, shown: PhonePage
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(PHONE)
    account = DEMO[shown.username]
    sign_in(page, live_server, account.username, account.password)
    expect(page).to_have_url(f"{live_server}{account.home}")

    page.goto(f"{live_server}{shown.path}")

    expect(page.get_by_role("heading", level=1)).to_be_in_viewport()
    assert not page_scrolls_sideways(page)
    axe(page, f"{shown.username}: {shown.path} on a phone")
    page.screenshot(path=SCREENSHOTS / f"{shown.screenshot}-phone.png", full_page=True)


def test_the_dashboard_filters_sit_side_by_side_on_a_desktop_screen(
    page: Page, live_server: str
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    sign_in(page, live_server, "agent", "demo-agent")
    expect(page).to_have_url(f"{live_server}/suivi")

    labels = ("Année", "Programme (territoire)", "Site")
    boxes = [page.get_by_label(label, exact=True).bounding_box() for label in labels]

    assert all(boxes)
    assert len({round(box["y"]) for box in boxes if box}) == 1
    page.screenshot(path=SCREENSHOTS / "officer-home-desktop.png", full_page=True)


def test_the_list_of_accounts_shows_every_column_on_a_desktop_screen(
    page: Page, live_server: str
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    sign_in(page, live_server, "admin", "demo-admin")
    page.get_by_role("main").get_by_role("link", name=named("Comptes")).click()

    for column in ("Nom d'utilisateur", "Nom affiché", "Rôles", "Sites", "Statut"):
        expect(page.get_by_role("columnheader", name=column)).to_be_in_viewport()
    page.screenshot(path=SCREENSHOTS / "admin-users-desktop.png", full_page=True)


def test_an_officer_records_a_funding_line_after_a_refusal_that_points_at_the_field(
    page: Page, live_server: str, axe: AxeCheck
) -> None:
    code = f"FSE-{unique()}".upper()
    sign_in(page, live_server, "agent", "demo-agent")
    visit(page, live_server, Visit(
        ("Gestion", "Lignes de financement", "Nouvelle ligne de financement"),
        "/gestion/lignes-de-financement/nouveau", "Nouvelle ligne de financement",
    ))  # fmt: skip

    field(page, "Code").fill(code)
    field(page, "Financeur").select_option(label="Fonds social européen (FSE+) — FSE-PLUS")
    field(page, "Premier jour payé").fill("2027-07-01")
    field(page, "Dernier jour payé").fill("2027-06-30")
    page.get_by_role("group", name=named("Étapes payées")).get_by_label("Tri").check()
    page.get_by_role("checkbox", name=re.compile("ESAT-RANCE")).check()
    page.get_by_role("checkbox", name=re.compile("^demandeur d'emploi")).check()
    page.get_by_role("button", name="Enregistrer").click()

    expect(page.get_by_text("La fin ne peut pas être avant le début.")).to_be_visible()
    expect(field(page, "Dernier jour payé")).to_be_focused()
    expect(page.get_by_role("checkbox", name=re.compile("ESAT-RANCE"))).to_be_checked()
    axe(page, "officer: a refused funding line")

    field(page, "Dernier jour payé").fill("2027-12-31")
    page.get_by_role("button", name="Enregistrer").click()

    expect(page).to_have_url(f"{live_server}/gestion/lignes-de-financement")
    expect(page.get_by_role("status")).to_have_text("C'est enregistré.")
    row = page.get_by_role("row", name=re.compile(code))
    expect(row).to_contain_text("du 1 juil. 2027 au 31 déc. 2027")
    expect(row).to_contain_text("ESAT-RANCE")
    axe(page, "officer: the funding lines with the new one")
