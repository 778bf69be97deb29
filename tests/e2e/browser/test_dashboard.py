"""The officers' dashboard in Chromium: figures, filters, drill-down lists, exports, live refresh.

Every test reads the live server's demo data; the live-refresh test records its own donation, so
it only ever adds to the figures the other tests read.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Download, Locator, Page, expect
from test_scan_station import register
from test_scan_station import sign_in as sign_in_to_the_workshop
from test_web_pages import DEMO, english, field, named, sign_in

AxeCheck = Callable[[Page, str], dict[str, Any]]

ROOT = Path(__file__).resolve().parents[3]
SCREENSHOTS = ROOT / "var" / "screenshots"
HEADING = "Tableau de bord du programme"
SECTIONS = ("Objectif de l'année", "Débit mois par mois", "Du don au prêt", "Stocks et attente",
            "Délais en jours", "Prêts", "Matières et impact")  # fmt: skip
FUNNEL = re.compile(r"^Du don au prêt en \d{4}$")
LIVE_POLL_MS = 40_000  # #live asks every 15 s: room for two polls
LIST_PAGE = 50  # computers per page of a list


def open_dashboard_as_officer(page: Page, live_server: str) -> None:
    sign_in(page, live_server, "agent", "demo-agent")
    expect(page).to_have_url(f"{live_server}/suivi")
    expect(page.get_by_role("heading", level=1)).to_have_text(HEADING)


def funnel_link(page: Page, stage: str) -> Locator:
    """The number of computers at this stage in the "Du don au prêt" table, a link."""
    table = page.get_by_role("table", name=FUNNEL)
    return table.get_by_role("row", name=named(stage)).get_by_role("link")


def as_int(shown: str) -> int:
    """A number as the page writes it ("1 234", with a narrow space) as an int."""
    return int(re.sub(r"\D", "", shown))


def shown_as(number: int) -> re.Pattern[str]:
    """The number as the page may write it, a thousands separator or not."""
    return re.compile("^" + r"\D?".join(str(number)) + "$")


def listed_tags(page: Page) -> list[str]:
    return page.get_by_role("table").locator("tbody code").all_inner_texts()


def downloaded(page: Page, link: Locator) -> Download:
    with page.expect_download() as info:
        link.click()
    return info.value


def csv_rows(download: Download) -> list[list[str]]:
    data = Path(download.path()).read_bytes()
    assert data.startswith(codecs.BOM_UTF8), "the CSV must start with a BOM for spreadsheets"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_an_officer_sees_the_target_and_every_section_of_the_dashboard(
    page: Page, live_server: str, axe: AxeCheck
) -> None:
    open_dashboard_as_officer(page, live_server)
    page.get_by_role("banner").get_by_role("link", name="Suivi", exact=True).click()

    expect(page).to_have_url(f"{live_server}/suivi")
    expect(page.get_by_role("heading", level=1)).to_have_text(HEADING)
    expect(page.get_by_text(re.compile(r"sur un objectif de \d")).first).to_be_visible()
    for title in SECTIONS:
        expect(page.get_by_role("heading", level=2, name=title, exact=True)).to_be_visible()
    toc = page.get_by_role("navigation", name="Parties du tableau de bord")
    expect(toc.get_by_role("link")).to_have_text(list(SECTIONS))
    axe(page, "officer: dashboard")

    chart_data = page.locator("#section-objectif details")
    cumulated = chart_data.get_by_role("table", name=re.compile("cumulés par mois"))
    expect(cumulated).to_be_hidden()
    chart_data.locator("summary").click()
    expect(cumulated).to_be_visible()
    expect(cumulated.get_by_role("row")).to_have_count(13)  # the headings, then twelve months
    axe(page, "officer: dashboard with a chart's figures open")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "dashboard.png", full_page=True)


def test_an_officer_filters_the_board_in_place_and_can_bookmark_the_filtered_address(
    page: Page, live_server: str
) -> None:
    open_dashboard_as_officer(page, live_server)
    page.evaluate("window.sameDocument = true")  # a full reload would forget it
    years = field(page, "Année").locator("option").all_inner_texts()
    earliest = years[-1]  # the previous year when the demo holds one; one year of demo here

    field(page, "Programme (territoire)").select_option("CD35")
    field(page, "Année").select_option(earliest)
    field(page, "En attente depuis plus de").select_option(label="90 jours")
    page.get_by_role("button", name="Afficher").click()

    expect(page).to_have_url(re.compile(r"[?&]programme=CD35(&|$)"))
    assert query_of(page.url)["annee"] == [earliest]
    assert query_of(page.url)["attente"] == ["90"]
    lead = page.locator("#board .lead")
    expect(lead).to_contain_text(f"Année {earliest} · programme CD35")
    stuck_column = page.get_by_role("columnheader", name="Attendent depuis plus de 90 jours")
    expect(stuck_column).to_be_visible()
    assert page.evaluate("window.sameDocument") is True

    filtered = page.url
    page.reload()

    expect(page).to_have_url(filtered)
    assert page.evaluate("window.sameDocument") is None
    expect(field(page, "Programme (territoire)")).to_have_value("CD35")
    expect(field(page, "Année")).to_have_value(earliest)
    expect(field(page, "En attente depuis plus de")).to_have_value("90")
    expect(lead).to_contain_text(f"Année {earliest} · programme CD35")
    expect(stuck_column).to_be_visible()


def test_an_officer_drills_down_from_a_figure_to_a_computer_history(
    page: Page, live_server: str, axe: AxeCheck
) -> None:
    open_dashboard_as_officer(page, live_server)
    figure = funnel_link(page, "Reconditionnés")
    clicked = figure.inner_text()

    figure.click()

    expect(page).to_have_url(re.compile(r"/suivi/ordinateurs\?.*liste=etape"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Reconditionnés du ")
    expect(page.get_by_text(f"{clicked} ordinateurs dans cette liste.")).to_be_visible()
    axe(page, "officer: list behind a figure")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "dashboard-list.png", full_page=True)
    by_date = listed_tags(page)
    assert len(by_date) == min(as_int(clicked), LIST_PAGE)

    tag_column = page.get_by_role("columnheader", name=named("Étiquette"))
    tag_column.get_by_role("link").click()

    expect(tag_column).to_have_attribute("aria-sort", "ascending")
    expect(page.get_by_role("columnheader", name=named("Date de l'étape"))).to_have_attribute(
        "aria-sort", "none"
    )
    first_page = listed_tags(page)
    assert first_page == sorted(first_page)
    assert first_page != by_date
    assert first_page[0] <= min(by_date)

    pager = page.get_by_role("navigation", name="Pages de la liste")
    pager.get_by_role("link", name="Page suivante →").click()

    expect(pager).to_contain_text("Page 2 sur ")
    expect(tag_column).to_have_attribute("aria-sort", "ascending")
    second_page = listed_tags(page)
    assert second_page == sorted(second_page)
    assert second_page[0] > first_page[-1]

    tag = second_page[0]
    page.get_by_role("link", name=f"{tag} — voir son historique").click()

    expect(page).to_have_url(f"{live_server}/audit/ordinateurs/{tag}")
    expect(page.get_by_role("heading", name=f"Historique de {tag}", exact=True)).to_be_visible()


def test_an_officer_downloads_a_table_and_a_list_with_the_figures_on_screen(
    page: Page, live_server: str
) -> None:
    open_dashboard_as_officer(page, live_server)
    funnel = page.get_by_role("table", name=FUNNEL)
    headings = funnel.get_by_role("columnheader").all_inner_texts()
    clicked = funnel_link(page, "Reconditionnés").inner_text()
    reconditioned = as_int(clicked)
    downloads = page.locator("#table-entonnoir .downloads")

    table_csv = downloaded(page, downloads.get_by_role("link", name=re.compile("^CSV")))

    assert table_csv.suggested_filename.endswith(".csv")
    rows = csv_rows(table_csv)
    assert rows[0] == headings
    assert [row[0] for row in rows[1:]] == funnel.locator("tbody th").all_inner_texts()
    assert [int(row[1]) for row in rows if row[0] == "Reconditionnés"] == [reconditioned]

    table_xlsx = downloaded(page, downloads.get_by_role("link", name=re.compile("^Excel")))

    assert table_xlsx.suggested_filename.endswith(".xlsx")
    workbook = Path(table_xlsx.path()).read_bytes()
    assert workbook.startswith(b"PK")
    assert "xl/workbook.xml" in zipfile.ZipFile(io.BytesIO(workbook)).namelist()

    funnel_link(page, "Reconditionnés").click()
    expect(page.get_by_text(f"{clicked} ordinateurs dans cette liste.")).to_be_visible()
    on_screen = listed_tags(page)

    list_csv = downloaded(page, page.get_by_role("main").get_by_role("link", name="CSV"))

    rows = csv_rows(list_csv)
    assert rows[0][0] == "Étiquette"
    assert len(rows) - 1 == reconditioned
    assert [row[0] for row in rows[1 : len(on_screen) + 1]] == on_screen
    list_xlsx = downloaded(page, page.get_by_role("main").get_by_role("link", name="Excel"))
    assert Path(list_xlsx.path()).read_bytes().startswith(b"PK")


def test_an_auditor_reads_the_dashboard_without_any_way_to_change_data(
    page: Page, live_server: str, axe: AxeCheck
) -> None:
    sign_in(page, live_server, "auditeur", "demo-auditeur")
    expect(page).to_have_url(f"{live_server}/audit")

    page.get_by_role("banner").get_by_role("link", name="Suivi", exact=True).click()

    expect(page).to_have_url(f"{live_server}/suivi")
    expect(page.get_by_role("heading", level=1)).to_have_text(HEADING)
    for title in SECTIONS:
        expect(page.get_by_role("heading", level=2, name=title, exact=True)).to_be_visible()
    expect(funnel_link(page, "Reconditionnés")).to_have_text(re.compile(r"^\d"))
    posting = page.locator("form[method=post]")
    assert sorted(f.get_attribute("action") or "" for f in posting.all()) == [
        "/deconnexion",
        "/langue",
    ]
    assert page.get_by_role("main").get_by_role("button").all_inner_texts() == ["Afficher"]
    expect(page.locator("#filters")).to_have_attribute("method", "get")
    axe(page, "auditor: dashboard")


@pytest.mark.parametrize("username", ["atelier", "admin"])
def test_workshop_and_administrator_accounts_are_refused_the_dashboard(
    page: Page, live_server: str, axe: AxeCheck, username: str
) -> None:
    account = DEMO[username]
    sign_in(page, live_server, account.username, account.password)
    expect(page).to_have_url(f"{live_server}{account.home}")

    response = page.goto(f"{live_server}/suivi")

    assert response is not None
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Accès refusé")
    expect(page.get_by_text("Votre compte ne permet pas d'ouvrir cette page.")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Du don au prêt")).to_have_count(0)
    axe(page, f"{username}: dashboard refused")


def test_the_dashboard_follows_a_donation_recorded_elsewhere_without_reloading_or_losing_filters(
    page: Page, browser: Browser, live_server: str
) -> None:
    open_dashboard_as_officer(page, live_server)
    page.goto(f"{live_server}/suivi?programme=CD35&attente=90")
    filtered = page.url
    page.evaluate("window.sameDocument = true")
    donated = as_int(funnel_link(page, "Dons reçus").inner_text())
    unchanged = page.locator("#section-objectif details")  # a donation moves no target figure
    unchanged.locator("summary").click()
    changing = page.locator("#section-debit details").first  # a donation changes this section
    changing.locator("summary").click()
    funnel_link(page, "Dons reçus").focus()  # the keyboard is in a section that will change
    expect(page.locator("#live")).to_have_text("Les chiffres se mettent à jour seuls.")

    workshop = browser.new_context(viewport={"width": 1280, "height": 800}, locale="fr-FR")
    try:
        other = workshop.new_page()
        sign_in_to_the_workshop(other, live_server)
        assert len(register(other, live_server, count=2)) == 2
    finally:
        workshop.close()

    expect(page.locator("#live")).to_contain_text("Mis à jour à", timeout=LIVE_POLL_MS)
    expect(funnel_link(page, "Dons reçus")).to_have_text(
        shown_as(donated + 2), timeout=LIVE_POLL_MS
    )
    assert page.evaluate("window.sameDocument") is True
    assert page.url == filtered
    expect(page.locator("#board .lead")).to_contain_text("programme CD35")
    expect(field(page, "En attente depuis plus de")).to_have_value("90")
    refreshed_csv = page.locator("#table-entonnoir").get_by_role("link", name=re.compile("^CSV"))
    assert query_of(str(refreshed_csv.get_attribute("href")))["programme"] == ["CD35"]
    expect(unchanged).to_have_attribute("open", "")  # left alone: the reader's view is kept
    expect(changing).to_have_attribute("open", "")  # replaced, but reopened as it was
    expect(funnel_link(page, "Dons reçus")).to_be_focused()  # and the keyboard is where it was


def test_an_officer_reading_in_english_sees_the_tables_in_english(
    page: Page, live_server: str
) -> None:
    open_dashboard_as_officer(page, live_server)

    page.get_by_role("button", name="English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    table = page.locator("#table-entonnoir")
    expect(table.locator(".downloads")).to_contain_text(english("Télécharger ce tableau :"))
    shares = table.locator("tbody td:last-child").all_inner_texts()
    assert not [share for share in shares if "," in share], f"French decimals: {shares}"
