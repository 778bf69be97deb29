"""Administration over HTTP: accounts, sites, programmes and donors, as people see it."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from tracker.domain.user import Role

if TYPE_CHECKING:
    from tests.e2e.conftest import Client, Web

USERS = "/gestion/utilisateurs"
STALE = "Quelqu&#39;un d&#39;autre a modifié cette fiche"
SELF_LOCKOUT = "Vous ne pouvez pas retirer vos propres droits d&#39;administration"


def _row(page: httpx.Response, key: str) -> str:
    """The table row of the list that shows this code or user name."""
    rows = re.findall(r"<tr[^>]*>.*?</tr>", page.text, flags=re.DOTALL)
    found = [row for row in rows if f">{key}<" in row]
    assert len(found) == 1, f"{key} is not exactly once in the list"
    return found[0]


def _version(page: httpx.Response) -> int:
    found = re.search(r'name="version" value="(\d+)"', page.text)
    assert found, "the form carries no version"
    return int(found.group(1))


def _new_account(web: Web, **changes: Any) -> dict[str, Any]:
    form = {"username": "lea.m", "display_name": "Léa", "password": web.password,
            "password_again": web.password, "roles": ["workshop"]}  # fmt: skip
    return {**form, "sites": list(web.sites), **changes}


@pytest.fixture
def admin(web: Web) -> Client:
    return web.as_role(Role.ADMIN)


# -- accounts -----------------------------------------------------------------------------------


def test_a_new_workshop_account_is_listed_at_once_and_signs_in_at_the_workshop_home(
    web: Web, admin: Client
) -> None:
    response = web.post(admin, USERS, _new_account(web))
    assert response.status_code == 303
    assert response.headers["location"] == f"{USERS}/lea.m"
    assert "Le compte lea.m est créé" in admin.get(f"{USERS}/lea.m").text
    row = _row(admin.get(USERS), "lea.m")
    assert "ESAT-RANCE, TL-REDON" in row
    assert "actif" in row
    signed_in = web.post(web.client(), "/connexion", {"username": "lea.m",
                                                      "password": web.password})  # fmt: skip
    assert signed_in.headers["location"] == "/atelier"


@pytest.mark.parametrize(
    ("changes", "explanation"),
    [
        ({"username": "jean dupont"}, "lettres minuscules sans accent"),
        ({"password": "mdp-bref", "password_again": "mdp-bref"}, "au moins 10 caractères"),
        ({"password_again": "une autre phrase assez longue"}, "ne sont pas les mêmes"),
        ({"sites": []}, "Ce champ est obligatoire"),
    ],
    ids=["username with a space", "password too short", "passwords differ", "workshop no site"],
)
def test_a_refused_account_form_keeps_what_was_typed_says_why_and_records_nothing(
    web: Web, admin: Client, changes: dict[str, Any], explanation: str
) -> None:
    form = _new_account(web, display_name="Jean", **{"username": "jean.d", **changes})
    before = web.position()
    response = web.post(admin, USERS, form)
    assert response.status_code == 400
    assert explanation in response.text
    assert f'value="{form["username"]}"' in response.text
    assert 'value="Jean"' in response.text
    assert re.search(r'value="workshop"[^>]*checked', response.text)
    assert form["password"] not in response.text  # typed passwords are never sent back
    assert web.position() == before
    assert form["username"] not in admin.get(USERS).text


def test_a_username_already_taken_is_refused_with_a_sentence(web: Web, admin: Client) -> None:
    before = web.position()
    response = web.post(admin, USERS, _new_account(web, username=web.usernames[Role.OFFICER]))
    assert response.status_code == 409
    assert "est déjà utilisé" in response.text
    assert web.position() == before


def test_an_admin_can_neither_drop_their_own_admin_role_nor_deactivate_themselves(
    web: Web, admin: Client
) -> None:
    me = f"{USERS}/{web.usernames[Role.ADMIN]}"
    version, before = _version(admin.get(me)), web.position()
    dropped = web.post(admin, f"{me}/roles", {"roles": "officer", "version": version})
    deactivated = web.post(admin, f"{me}/activation", {"active": "0", "version": version})
    for response in (dropped, deactivated):
        assert response.status_code == 409
        assert SELF_LOCKOUT in response.text
    assert web.position() == before
    assert web.inventory.user(web.usernames[Role.ADMIN]).active


def test_a_role_change_made_on_a_stale_version_is_refused_and_records_nothing(
    web: Web, admin: Client
) -> None:
    seen = _version(admin.get(f"{USERS}/{web.target}"))
    web.inventory.set_roles(web.target, {Role.AUDITOR: []}, actor="autre", seen_version=seen)
    before = web.position()
    response = web.post(admin, f"{USERS}/{web.target}/roles", {"roles": "admin", "version": seen})
    assert response.status_code == 409
    assert STALE in response.text
    assert web.position() == before
    assert set(web.inventory.user(web.target).roles) == {Role.AUDITOR}


# -- sites, programmes, donors ------------------------------------------------------------------


def test_a_site_is_created_then_renamed_and_the_list_shows_it(web: Web, admin: Client) -> None:
    site = {"code": "TL-VITRE", "name": "Tiers-lieu", "kind": "third_place", "town": "Vitré",
            "programme": web.programme}  # fmt: skip
    created = web.post(admin, "/gestion/sites/", site)
    assert created.headers["location"] == "/gestion/sites"
    assert "Tiers-lieu" in _row(admin.get("/gestion/sites"), "TL-VITRE")
    version = _version(admin.get("/gestion/sites/TL-VITRE"))
    changed = {**site, "name": "Tiers-lieu de Vitré", "active": "on", "version": version}
    assert web.post(admin, "/gestion/sites/TL-VITRE", changed).status_code == 303
    assert "Tiers-lieu de Vitré" in _row(admin.get("/gestion/sites"), "TL-VITRE")


def test_the_new_programme_form_proposes_500_a_year_and_refuses_a_target_in_letters(
    web: Web, admin: Client
) -> None:
    form = admin.get("/gestion/programmes/nouveau")
    assert re.search(r'name="yearly_target"[^>]*value="500"', form.text)
    before = web.position()
    refused = web.post(admin, "/gestion/programmes/", {"code": "CD22", "name": "Parcours 22",
                       "territory": "Côtes-d'Armor", "yearly_target": "abc"})  # fmt: skip
    assert refused.status_code == 400
    assert "Écrivez un nombre entier" in refused.text
    assert 'value="Parcours 22"' in refused.text
    assert web.position() == before


def test_a_programme_is_created_then_edited(web: Web, admin: Client) -> None:
    programme = {"code": "CD22", "name": "Parcours 22", "territory": "Côtes-d'Armor",
                 "yearly_target": "800"}  # fmt: skip
    assert web.post(admin, "/gestion/programmes/", programme).status_code == 303
    assert "800" in _row(admin.get("/gestion/programmes"), "CD22")
    version = _version(admin.get("/gestion/programmes/CD22"))
    changed = {**programme, "yearly_target": "900", "active": "on", "version": version}
    assert web.post(admin, "/gestion/programmes/CD22", changed).status_code == 303
    assert "900" in _row(admin.get("/gestion/programmes"), "CD22")


def test_a_donor_is_created_then_edited(web: Web, admin: Client) -> None:
    donor = {"code": "CHU-RENNES", "name": "CHU", "kind": "administration", "town": "Rennes"}
    assert web.post(admin, "/gestion/donateurs/", donor).status_code == 303
    assert "CHU" in _row(admin.get("/gestion/donateurs"), "CHU-RENNES")
    version = _version(admin.get("/gestion/donateurs/CHU-RENNES"))
    changed = {**donor, "name": "CHU de Rennes", "active": "on", "version": version}
    assert web.post(admin, "/gestion/donateurs/CHU-RENNES", changed).status_code == 303
    assert "CHU de Rennes" in _row(admin.get("/gestion/donateurs"), "CHU-RENNES")


def test_an_edit_made_on_a_stale_version_shows_the_fresh_record_and_why(
    web: Web, admin: Client
) -> None:
    code = web.sites[1]
    seen = _version(admin.get(f"/gestion/sites/{code}"))
    site = web.inventory.site(code)
    web.inventory.change_site(code, name="Renommé ailleurs", kind=site.kind, town=site.town,
                              programme=site.programme, active=True, actor="autre",
                              seen_version=seen)  # fmt: skip
    before = web.position()
    mine = {"name": "Mon nom", "kind": site.kind, "town": site.town, "programme": site.programme,
            "active": "on", "version": seen}  # fmt: skip
    response = web.post(admin, f"/gestion/sites/{code}", mine)
    assert response.status_code == 409
    assert STALE in response.text
    assert 'value="Renommé ailleurs"' in response.text
    assert _version(response) == seen + 1
    assert web.position() == before


def test_a_site_closed_by_unticking_active_shows_as_closed_in_the_list(
    web: Web, admin: Client
) -> None:
    site = {"code": "TL-FOUGERES", "name": "Tiers-lieu", "kind": "third_place",
            "town": "Fougères", "programme": web.programme}  # fmt: skip
    web.post(admin, "/gestion/sites/", site)
    assert "actif" in _row(admin.get("/gestion/sites"), "TL-FOUGERES")
    version = _version(admin.get("/gestion/sites/TL-FOUGERES"))
    assert web.post(admin, "/gestion/sites/TL-FOUGERES", {**site, "version": version}).is_redirect
    row = _row(admin.get("/gestion/sites"), "TL-FOUGERES")
    assert "fermé" in row
    assert 'class="inactive"' in row


# -- who sees what ------------------------------------------------------------------------------


def test_an_officer_manages_sites_but_is_refused_the_accounts(web: Web) -> None:
    officer = web.as_role(Role.OFFICER)
    site = {"code": "AI-VILAINE", "name": "Atelier", "kind": "insertion_workshop",
            "town": "Rennes", "programme": web.programme}  # fmt: skip
    assert web.post(officer, "/gestion/sites/", site).status_code == 303
    assert "Atelier" in _row(officer.get("/gestion/sites"), "AI-VILAINE")
    assert officer.get(USERS).status_code == 403
    assert officer.get(f"{USERS}/nouveau").status_code == 403


@pytest.mark.parametrize("path", ["/gestion/sites", "/gestion/programmes", "/gestion/donateurs",
                                  USERS, f"{USERS}/cible"])  # fmt: skip
def test_an_auditor_reads_the_lists_without_any_way_to_change_them(web: Web, path: str) -> None:
    response = web.as_role(Role.AUDITOR).get(path)
    assert response.status_code == 200
    assert "/nouveau" not in response.text
    assert "Modifier" not in response.text
    assert not re.search(r'<form method="post" action="/gestion', response.text)
