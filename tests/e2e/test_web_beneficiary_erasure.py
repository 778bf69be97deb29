"""Erasing a person from the register over HTTP: administrators only, and no name survives it."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from uuid import uuid4

import httpx
import pytest

from tracker.domain.user import Role

if TYPE_CHECKING:
    from tests.e2e.conftest import Client, Web

PLACE = "TL-REDON"
ERASED = "Cette personne a été effacée du registre : ses données ne peuvent plus être lues."


@pytest.fixture
def admin(web: Web) -> Client:
    return web.as_role(Role.ADMIN)


@dataclass(frozen=True)
class Registered:
    """A person registered by the third place's staff: their code, and what must not survive."""

    code: str
    personal: tuple[str, ...]

    def seen_in(self, response: httpx.Response) -> list[str]:
        body = html.unescape(response.content.decode())
        return [words for words in self.personal if words in body]


@pytest.fixture
def person(web: Web) -> Registered:
    unique = uuid4().hex[:8]
    form = {"given_name": "Gwenaëlle", "family_name": f"Trémeur-{unique}",
            "email": f"gwen.{unique}@exemple.fr", "phone": f"06 {uuid4().int % 100:02} 45 67 89",
            "third_place": PLACE, "consent": "yes"}  # fmt: skip
    response = web.post(web.as_role(Role.WORKSHOP), "/beneficiaires/nouveau", form)
    assert response.status_code == 303, response.text
    code = response.headers["location"].rsplit("/", 1)[1]
    return Registered(code, (form["family_name"], form["email"], form["phone"]))


def test_the_confirmation_says_what_an_erasure_does_in_plain_words(
    web: Web, admin: Client, person: Registered
) -> None:
    page = html.unescape(admin.get(f"/beneficiaires/{person.code}/effacer").text)
    assert "deviennent illisibles pour toujours" in page
    assert "l'historique des ordinateurs restent" in page
    assert "Les comptes faits pour les financeurs ne changent pas." in page
    for reason in ("À sa demande", "Fin de la durée de conservation"):
        assert reason in page
    erase_link = f'href="/beneficiaires/{person.code}/effacer"'
    assert erase_link in admin.get(f"/beneficiaires/{person.code}").text
    assert erase_link not in web.as_role(Role.WORKSHOP).get(f"/beneficiaires/{person.code}").text


def test_an_erasure_without_a_reason_is_refused_and_erases_nothing(
    web: Web, admin: Client, person: Registered
) -> None:
    refused = web.post(admin, f"/beneficiaires/{person.code}/effacer", {})
    assert refused.status_code == 422
    assert "Choisissez une des possibilités proposées." in html.unescape(refused.text)
    assert person.seen_in(admin.get(f"/beneficiaires/{person.code}")) == list(person.personal)


def test_after_an_erasure_the_code_and_loans_remain_and_no_page_holds_the_name(
    web: Web, admin: Client, person: Registered
) -> None:
    staff, code = web.as_role(Role.WORKSHOP), person.code
    tag = web.lend(code, PLACE, days=30)
    assert person.seen_in(staff.get(f"/beneficiaires?site={PLACE}")) != []
    erased = web.post(admin, f"/beneficiaires/{code}/effacer", {"reason": "request"})
    assert (erased.status_code, erased.headers["location"]) == (303, f"/beneficiaires/{code}")
    page = staff.get(f"/beneficiaires/{code}")
    shown = html.unescape(page.text)
    assert "personne effacée" in shown
    assert "à sa demande" in shown
    assert f'<code class="big-code">{code}</code>' in page.text
    assert f'href="/ordinateurs/{tag}"' in page.text  # the loans stay
    assert "/modifier" not in page.text
    export = staff.get(f"/beneficiaires/{code}/donnees.json")
    assert export.status_code == 410
    assert ERASED in html.unescape(export.text)
    endings = staff.get(f"/beneficiaires/conventions?site={PLACE}&jours=30")
    row = next(r for r in re.findall(r"<tr>.*?</tr>", endings.text, re.DOTALL) if tag in r)
    assert "personne effacée" in html.unescape(row)
    again = [f"/beneficiaires?site={PLACE}", f"/beneficiaires?site={PLACE}&nom=tremeur",
             f"/beneficiaires/{code}/modifier", f"/beneficiaires/{code}"]  # fmt: skip
    seen = [page, export, endings, *map(staff.get, again), admin.get(f"/beneficiaires/{code}")]
    for response in seen:
        assert person.seen_in(response) == [], response.url


def test_a_person_is_erased_only_once(web: Web, admin: Client, person: Registered) -> None:
    path = f"/beneficiaires/{person.code}/effacer"
    assert web.post(admin, path, {"reason": "retention"}).status_code == 303
    again = web.post(admin, path, {"reason": "request"})
    assert again.status_code == 410
    page = html.unescape(admin.get(f"/beneficiaires/{person.code}").text)
    assert "fin de la durée de conservation" in page
