"""Funders and funding lines over HTTP, as officers, administrators and auditors see them."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from tracker.domain.user import Role

if TYPE_CHECKING:
    from tests.e2e.conftest import Client, Web

FUNDERS = "/gestion/financeurs"
LINES = "/gestion/lignes-de-financement"
STALE = "Quelqu&#39;un d&#39;autre a modifié cette fiche"


def _row(page: httpx.Response, key: str) -> str:
    """The table row of the list that shows this code."""
    rows = re.findall(r"<tr[^>]*>.*?</tr>", page.text, flags=re.DOTALL)
    found = [row for row in rows if f">{key}<" in row]
    assert len(found) == 1, f"{key} is not exactly once in the list"
    return found[0]


def _version(page: httpx.Response) -> int:
    found = re.search(r'name="version" value="(\d+)"', page.text)
    assert found, "the form carries no version"
    return int(found.group(1))


def _line(web: Web, code: str, **changes: Any) -> dict[str, Any]:
    form = {"code": code, "funder": web.funder, "programme": web.programme,
            "starts_on": "2027-01-01", "ends_on": "2027-12-31",
            "stages": ["triaged", "dismantled", "reconditioned"], "sites": [web.sites[0]],
            "categories": ["minimum_income", "young_16_25"],
            "note": "Convention 2027-004"}  # fmt: skip
    return {**form, **changes}


@pytest.fixture
def officer(web: Web) -> Client:
    return web.as_role(Role.OFFICER)


@pytest.fixture
def admin(web: Web) -> Client:
    return web.as_role(Role.ADMIN)


# -- funders -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.OFFICER, Role.ADMIN])
def test_a_funder_is_created_then_renamed_and_the_list_shows_it(web: Web, role: Role) -> None:
    manager = web.as_role(role)
    code = f"FONDATION-{role.value.upper()}"
    funder = {"code": code.lower(), "name": "Fondation Orange", "kind": "foundation"}
    created = web.post(manager, f"{FUNDERS}/", funder)
    assert (created.status_code, created.headers["location"]) == (303, FUNDERS)
    row = _row(manager.get(FUNDERS), code)
    assert "Fondation Orange" in row
    assert "Fondation</td>" in row  # its kind, in words
    assert "aucune" in row  # no funding line yet
    version = _version(manager.get(f"{FUNDERS}/{code}"))
    changed = {**funder, "name": "Fondation Orange Solidarité", "active": "on", "version": version}
    assert web.post(manager, f"{FUNDERS}/{code}", changed).status_code == 303
    assert "Fondation Orange Solidarité" in _row(manager.get(FUNDERS), code)
    assert web.inventory.funder(code).name == "Fondation Orange Solidarité"


def test_a_funder_code_already_taken_is_refused_with_a_sentence(web: Web, admin: Client) -> None:
    before = web.position()
    taken = {"code": web.funder, "name": "Un autre", "kind": "other"}
    response = web.post(admin, f"{FUNDERS}/", taken)
    assert response.status_code == 409
    assert "est déjà utilisé" in response.text
    assert web.position() == before


# -- funding lines -------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.OFFICER, Role.ADMIN])
def test_a_line_is_created_and_shows_in_the_list_and_on_its_funder_page(
    web: Web, role: Role
) -> None:
    manager = web.as_role(role)
    code = f"FSE-2027-{role.value.upper()}"
    created = web.post(manager, f"{LINES}/", _line(web, code.lower()))
    assert (created.status_code, created.headers["location"]) == (303, LINES)
    row = _row(manager.get(LINES), code)
    for words in ("Fonds social européen (FSE+)", "du 1 janv. 2027 au 31 déc. 2027",
                  "Tri, Démantèlement, Reconditionnement", web.sites[0],
                  "allocataire de minima sociaux (RSA, ASS…) ; jeune de 16 à 25 ans",
                  "Convention 2027-004"):  # fmt: skip
        assert words in row
    assert code in _row(manager.get(f"{FUNDERS}/{web.funder}"), code)
    assert code in manager.get(f"{LINES}?financeur={web.funder.lower()}").text
    terms = web.inventory.funding_line(code).terms
    assert (terms.stages, terms.sites) == (("triaged", "dismantled", "reconditioned"),
                                           (web.sites[0],))  # fmt: skip


def test_a_line_naming_no_site_and_no_public_says_so_in_words(web: Web, admin: Client) -> None:
    line = _line(web, "DEPT-2027", stages="loaned", sites=[], categories=[])
    assert web.post(admin, f"{LINES}/", line).status_code == 303
    row = _row(admin.get(LINES), "DEPT-2027")
    assert "tous les sites du programme" in row
    assert "pas de condition" in row
    assert "Remise au bénéficiaire (prêt)" in row


def test_the_new_line_form_coming_from_a_funder_has_that_funder_chosen(
    web: Web, admin: Client
) -> None:
    form = admin.get(f"{FUNDERS}/{web.funder}")
    assert f'href="{LINES}/nouveau?financeur={web.funder}"' in form.text
    new = admin.get(f"{LINES}/nouveau?financeur={web.funder}")
    assert re.search(rf'<option value="{web.funder}" selected>', new.text)
    assert re.search(r"<fieldset[^>]*>\s*<legend>Étapes payées", new.text)


@pytest.mark.parametrize(
    ("changes", "field", "explanation"),
    [
        ({"funder": "FEDER-BZH"}, "funder", "Ce financeur n&#39;existe pas"),
        ({"programme": "CD29"}, "programme", "Ce programme n&#39;existe pas"),
        ({"sites": ["TL-NULLEPART"]}, "sites", "Ce site n&#39;existe pas"),
        ({"ends_on": "2026-12-31"}, "ends_on", "La fin ne peut pas être avant le début."),
        ({"starts_on": "le 1er janvier"}, "starts_on", "Ce n&#39;est pas une date."),
        ({"stages": []}, "stages", "Ce champ est obligatoire."),
    ],
    ids=["unknown funder", "unknown programme", "unknown site", "end before start",
         "not a date", "no stage"],
)  # fmt: skip
def test_a_refused_line_says_why_next_to_the_field_keeps_what_was_typed_and_records_nothing(
    web: Web, officer: Client, changes: dict[str, Any], field: str, explanation: str
) -> None:
    before = web.position()
    response = web.post(officer, f"{LINES}/", _line(web, "REFUSEE-2027", **changes))
    assert response.status_code == 400
    error = re.search(r'<p class="error" id="(?:f-)?(\w+)-error">([^<]*)</p>', response.text)
    assert error, response.text
    assert error.group(1) == field
    assert explanation in error.group(2)
    assert re.search(r"autofocus", response.text)
    assert 'value="REFUSEE-2027"' in response.text
    assert 'value="Convention 2027-004"' not in response.text  # the note is a textarea
    assert "Convention 2027-004</textarea>" in response.text
    assert re.search(r'value="minimum_income" checked', response.text)
    assert web.position() == before
    assert "REFUSEE-2027" not in officer.get(LINES).text


def test_a_line_is_edited_every_term_replaced_but_its_code(web: Web, admin: Client) -> None:
    web.post(admin, f"{LINES}/", _line(web, "FSE-2028"))
    page = admin.get(f"{LINES}/FSE-2028")
    assert re.search(r'value="dismantled" checked', page.text)
    assert 'value="2027-01-01"' in page.text
    changed = _line(web, "IGNORED", stages=["returned"], sites=[], note="Avenant n° 1",
                    version=_version(page))  # fmt: skip
    assert web.post(admin, f"{LINES}/FSE-2028", changed).status_code == 303
    row = _row(admin.get(LINES), "FSE-2028")
    assert "Retour" in row
    assert "Avenant n° 1" in row
    assert "IGNORED" not in admin.get(LINES).text


def test_an_edit_made_on_a_stale_version_shows_the_fresh_line_and_why(
    web: Web, admin: Client
) -> None:
    web.post(admin, f"{LINES}/", _line(web, "FSE-2029"))
    seen = _version(admin.get(f"{LINES}/FSE-2029"))
    web.inventory.change_funding_line(
        "FSE-2029", funder=web.funder, programme=web.programme,
        starts_on=web.inventory.funding_line("FSE-2029").terms.starts_on,
        ends_on=web.inventory.funding_line("FSE-2029").terms.ends_on, stages=["triaged"],
        sites=[], categories=[], note="Changé ailleurs", actor="autre", seen_version=seen,
    )  # fmt: skip
    before = web.position()
    mine = _line(web, "FSE-2029", note="Ma remarque", version=seen)
    response = web.post(admin, f"{LINES}/FSE-2029", mine)
    assert response.status_code == 409
    assert STALE in response.text
    assert "Changé ailleurs</textarea>" in response.text
    assert _version(response) == seen + 1
    assert web.position() == before


def test_the_management_home_links_to_funders_and_funding_lines(web: Web, officer: Client) -> None:
    home = officer.get("/gestion")
    assert f'href="{FUNDERS}"' in home.text
    assert f'href="{LINES}"' in home.text
    assert re.search(r"\d+ financeurs?<", home.text)


# -- who may do what -----------------------------------------------------------------------


@pytest.mark.parametrize("path", [FUNDERS, LINES, f"{LINES}?financeur=FSE-PLUS"])
def test_an_auditor_reads_funders_and_lines_without_any_way_to_change_them(
    web: Web, path: str
) -> None:
    response = web.as_role(Role.AUDITOR).get(path)
    assert response.status_code == 200
    assert web.funding_line in response.text or web.funder in response.text
    assert "/nouveau" not in response.text
    assert "Modifier" not in response.text
    assert not re.search(r'<form method="post" action="/gestion', response.text)


def test_the_auditor_home_links_to_funders_and_funding_lines(web: Web) -> None:
    home = web.as_role(Role.AUDITOR).get("/audit")
    assert f'href="{FUNDERS}"' in home.text
    assert f'href="{LINES}"' in home.text


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.WORKSHOP])
def test_auditors_and_workshops_are_refused_every_form_and_record_nothing(
    web: Web, role: Role
) -> None:
    client, before = web.as_role(role), web.position()
    line_form = _line(web, "INTRUS-2027", version=1)
    funder_form = {"code": "INTRUS", "name": "Intrus", "kind": "other", "version": 1}
    for path in (f"{FUNDERS}/nouveau", f"{FUNDERS}/{web.funder}", f"{LINES}/nouveau",
                 f"{LINES}/{web.funding_line}"):  # fmt: skip
        assert client.get(path).status_code == 403, path
    posts = ((f"{FUNDERS}/", funder_form), (f"{FUNDERS}/{web.funder}", funder_form),
             (f"{LINES}/", line_form), (f"{LINES}/{web.funding_line}", line_form))  # fmt: skip
    for path, form in posts:
        assert web.post(client, path, form).status_code == 403, path
    assert web.position() == before


def test_a_workshop_cannot_even_read_the_funders(web: Web) -> None:
    workshop = web.as_role(Role.WORKSHOP)
    assert workshop.get(FUNDERS).status_code == 403
    assert workshop.get(LINES).status_code == 403
