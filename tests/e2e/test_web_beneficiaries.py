"""The beneficiary register over HTTP, as a third place's staff use it: register, find, edit."""

from __future__ import annotations

import html
import json
import re
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from projections.database import connection
from tracker.domain.user import Role

if TYPE_CHECKING:
    from tests.e2e.conftest import Client, Web

PLACE, OTHER_PLACE = "TL-REDON", "TL-DINAN"
STALE = "Quelqu'un d'autre a modifié cette fiche"
HELENE = {"given_name": "Hélène", "family_name": "Quéméner", "phone": "06 12 34 56 78",
          "email": "", "address": "", "referrer": "CCAS de Redon"}  # fmt: skip


def register(web: Web, client: Client, **changes: Any) -> httpx.Response:
    form = {**HELENE, "categories": ["jobseeker"], "consent": "yes", "third_place": PLACE}
    return web.post(client, "/beneficiaires/nouveau", {**form, **changes})


def registered(web: Web, client: Client, **changes: Any) -> str:
    """Register a person; their code, read from where the answer sends the browser."""
    response = register(web, client, **changes)
    assert response.status_code == 303, response.text
    found = re.fullmatch(r"/beneficiaires/(BN-[A-Z0-9]{6})(\?.*)?", response.headers["location"])
    assert found, response.headers["location"]
    return found.group(1)


def people_count(web: Web) -> int:
    with connection(web.services.database) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM beneficiaries")[0][0])


def text_of(response: httpx.Response) -> str:
    return html.unescape(response.text)


@pytest.fixture
def staff(web: Web) -> Client:
    return web.as_role(Role.WORKSHOP)  # works at the sorting workshop and at TL-REDON


@pytest.fixture(scope="module")
def other_staff(web: Web) -> Client:
    """Someone working at another third place only."""
    web.inventory.register_site(code=OTHER_PLACE, name="Tiers-lieu de Dinan", kind="third_place",
                                town="Dinan", programme=web.programme, actor="test")  # fmt: skip
    web.inventory.register_user(name="dinan", display_name="Dinan", password=web.password,
                                roles={Role.WORKSHOP: [OTHER_PLACE]}, actor="test")  # fmt: skip
    web.services.after_write(web.position())
    return web.sign_in("dinan")


def test_staff_register_a_person_and_see_their_code_large_to_write_on_the_agreement(
    web: Web, staff: Client
) -> None:
    code = registered(web, staff)
    page = staff.get(f"/beneficiaires/{code}")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert f'<code class="big-code">{code}</code>' in page.text
    assert "Notez ce code sur la convention" in page.text
    shown = text_of(page)
    for words in ("Hélène Quéméner", "06 12 34 56 78", "CCAS de Redon", "demandeur d'emploi"):
        assert words in shown
    notice = re.search(r'<p class="notice" id="notice">([^<]*)</p>', shown)
    assert notice, "no confirmation"
    assert notice.group(1) == f"La personne est inscrite. Son code : {code}."


def test_the_name_is_nowhere_in_clear_in_the_database_not_even_in_the_sessions(
    web: Web, staff: Client
) -> None:
    registered(web, staff, family_name="Kervella-Unique")
    staff.get("/beneficiaires?nom=kervella")
    stored = b"".join(path.read_bytes() for path in web.database_file.parent.glob("t.sqlite3*"))
    assert b"Kervella-Unique" not in stored
    assert "Kervella-Unique".encode("utf-16-le") not in stored


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"given_name": "", "family_name": " "}, {"given_name": "Ce champ est obligatoire.",
                                                  "family_name": "Ce champ est obligatoire."}),
        ({"phone": ""}, {"phone": "Donnez au moins un moyen de joindre la personne"}),
        ({"consent": ""}, {"consent": "Sans l'accord de la personne, on ne peut pas l'inscrire."}),
        ({"phone": "06 12"}, {"phone": "Ce n'est pas un numéro de téléphone."}),
        ({"given_name": "", "phone": "", "consent": ""},
         {"given_name": "obligatoire", "phone": "moyen de joindre", "consent": "Sans l'accord"}),
    ],
    ids=["no name", "no contact", "no consent", "bad phone", "all at once"],
)  # fmt: skip
def test_a_refused_registration_says_why_beside_each_field_keeps_the_values_and_saves_nothing(
    web: Web, staff: Client, changes: dict[str, str], errors: dict[str, str]
) -> None:
    before = people_count(web)
    response = register(web, staff, **changes)
    assert response.status_code == 422
    page = text_of(response)
    assert "Rien n'a été enregistré. Corrigez ce qui est signalé en rouge" in page
    found = dict(re.findall(r'<p class="error" id="f-(\w+)-error">([^<]*)</p>', page))
    assert found.keys() == errors.keys()
    for field, sentence in errors.items():
        assert sentence in found[field]
    assert 'value="CCAS de Redon"' in page
    assert re.search(r'value="jobseeker" checked', response.text)
    assert people_count(web) == before


def test_a_person_is_found_by_part_of_their_name_without_accents_as_one_types(
    web: Web, staff: Client
) -> None:
    code = registered(web, staff, given_name="Anaëlle", family_name="Le Bihan")
    listed = staff.get("/beneficiaires?nom=anaelle")
    assert listed.headers["cache-control"] == "no-store"
    assert f"<code>{code}</code>" in listed.text
    assert "Hélène" not in text_of(listed)
    swap = {"hx-request": "true", "hx-target": "beneficiaries-results"}
    typed = staff.get("/beneficiaires", params={"site": PLACE, "nom": "BIHAN ana"}, headers=swap)
    assert "<html" not in typed.text  # only the results, and the count for the status line
    assert f'<a href="/beneficiaires/{code}">Le Bihan</a>' in typed.text
    assert re.search(r'id="search-status" hx-swap-oob="innerHTML">1 personne trouvée<', typed.text)
    nobody = staff.get("/beneficiaires", params={"nom": "<i>dupont"})
    assert "<i>dupont" not in nobody.text  # what was typed is shown as text, never as markup
    assert "Aucune personne inscrite ne s'appelle « <i>dupont »" in text_of(nobody)


def test_the_form_opened_from_a_loan_sends_staff_back_to_it_with_the_new_code(
    web: Web, staff: Client
) -> None:
    back = f"/ordinateurs/{web.tags[0]}/etapes/loan"
    form = staff.get(f"/beneficiaires/nouveau?site={PLACE}&retour={back}")
    assert f'name="retour" value="{back}"' in form.text
    code = registered(web, staff, retour=back)
    page = staff.get(f"/beneficiaires/{code}?retour={back}")
    assert f'href="{back}?beneficiaire={code}">Revenir au prêt</a>' in page.text
    elsewhere = staff.get(f"/beneficiaires/{code}?retour=https://ailleurs.example/ordinateurs/")
    assert "Revenir au prêt" not in elsewhere.text


def test_an_edit_changes_the_details_and_an_edit_made_on_a_stale_version_is_refused(
    web: Web, staff: Client
) -> None:
    code = registered(web, staff)
    form = staff.get(f"/beneficiaires/{code}/modifier")
    seen = re.search(r'name="seen_version" value="(\d+)"', form.text)
    assert seen, "the form carries no version"
    changed = {**HELENE, "phone": "07 98 76 54 32", "categories": ["senior_60_plus"],
               "seen_version": seen.group(1)}  # fmt: skip
    assert web.post(staff, f"/beneficiaires/{code}/modifier", changed).status_code == 303
    page = text_of(staff.get(f"/beneficiaires/{code}"))
    assert "07 98 76 54 32" in page
    assert "senior de 60 ans et plus" in page
    stale = web.post(
        staff, f"/beneficiaires/{code}/modifier", {**changed, "phone": "01 02 03 04 05"}
    )
    assert stale.status_code == 409
    assert STALE in text_of(stale)
    assert 'value="07 98 76 54 32"' in stale.text  # the fresh values, to do it again
    assert "01 02 03 04 05" not in stale.text


def test_the_export_is_a_json_file_with_the_details_and_the_loans(web: Web, staff: Client) -> None:
    code = registered(web, staff)
    tag = web.lend(code, PLACE, days=700)
    export = staff.get(f"/beneficiaires/{code}/donnees.json")
    assert export.status_code == 200
    assert export.headers["content-disposition"] == f'attachment; filename="donnees-{code}.json"'
    assert export.headers["cache-control"] == "no-store"
    data = json.loads(export.content)
    assert (data["code"], data["given_name"], data["family_name"]) == (code, "Hélène", "Quéméner")
    assert data["registered_on"] == web.inventory.today().isoformat()
    assert [loan["tag"] for loan in data["loans"]] == [tag]
    assert f'href="/ordinateurs/{tag}"' in staff.get(f"/beneficiaires/{code}").text


def test_the_agreements_ending_soon_say_whom_to_call(web: Web, staff: Client) -> None:
    code = registered(web, staff, family_name="Le Moal", phone="02 99 00 11 22")
    soon, later = web.lend(code, PLACE, 20), web.lend(code, PLACE, 75)
    page = staff.get(f"/beneficiaires/conventions?site={PLACE}&jours=30")
    assert page.headers["cache-control"] == "no-store"
    row = next(r for r in re.findall(r"<tr>.*?</tr>", text_of(page), re.DOTALL) if soon in r)
    assert "Hélène Le Moal" in row
    assert "02 99 00 11 22" in row
    assert later not in page.text
    assert later in staff.get(f"/beneficiaires/conventions?site={PLACE}&jours=90").text
    assert soon in staff.get("/beneficiaires/conventions").text  # 60 days, the staff's place


def test_agreements_over_whose_computer_is_still_out_come_first(web: Web, staff: Client) -> None:
    code = registered(web, staff, family_name="Le Moal", phone="02 99 00 11 22")
    overdue, soon = web.lend(code, PLACE, -5), web.lend(code, PLACE, 20)
    page = text_of(staff.get(f"/beneficiaires/conventions?site={PLACE}&jours=30"))
    late = page.index("Terminées, ordinateur pas encore rendu")
    assert late < page.index(overdue) < page.index("Se terminent bientôt") < page.index(soon)


def test_the_homes_lead_to_the_register(web: Web, staff: Client) -> None:
    assert 'href="/beneficiaires"' in staff.get("/atelier").text
    assert "Registre des bénéficiaires" in web.as_role(Role.ADMIN).get("/gestion").text


def test_staff_of_another_third_place_cannot_read_or_change_the_register(
    web: Web, staff: Client, other_staff: Client
) -> None:
    code = registered(web, staff)
    for path in (f"/beneficiaires/{code}", f"/beneficiaires/{code}/donnees.json",
                 f"/beneficiaires/{code}/modifier", f"/beneficiaires?site={PLACE}",
                 f"/beneficiaires/conventions?site={PLACE}"):  # fmt: skip
        refused = other_staff.get(path)
        assert refused.status_code == 403, path
        assert "réservées à l&#39;équipe du tiers-lieu" in refused.text
        assert "Hélène" not in text_of(refused)
    changed = {**HELENE, "family_name": "Autre", "seen_version": "1"}
    assert web.post(other_staff, f"/beneficiaires/{code}/modifier", changed).status_code == 403
    assert register(web, other_staff).status_code == 403
    assert other_staff.get("/beneficiaires").status_code == 200  # their own register


@pytest.mark.parametrize("role", [Role.OFFICER, Role.AUDITOR])
def test_officers_and_auditors_are_refused_every_page_of_the_register(web: Web, role: Role) -> None:
    client, code = web.as_role(role), web.person()
    routes = sorted(r for r in web.routes() if r[1].startswith("/beneficiaires"))
    assert len(routes) >= 10
    for method, template in routes:
        path = template.replace("{code:str}", code)
        sent = (
            client.get(path) if method == "GET" else web.post(client, path, {"reason": "request"})
        )
        assert sent.status_code == 403, (method, template)
        assert "Lou" not in sent.text
