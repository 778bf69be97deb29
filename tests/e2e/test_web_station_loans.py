"""Loans at the scan station name a person of the third place's register, found by their name.

The name is shown to the third place's staff in the form; the loan records only the code.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import uuid4

import httpx
import pytest
from structlog.testing import capture_logs

from tracker.accounts import Account
from tracker.commands import DonatedUnit, Recondition, RegisterDonation, Triage
from tracker.domain.asset_tag import computer_id
from tracker.domain.beneficiary import PersonalDetails
from tracker.domain.site import SiteKind
from tracker.domain.user import Role
from tracker.domain.vocabulary import Check
from tracker.erasure import erase

if TYPE_CHECKING:
    from tests.e2e.conftest import Client, Web

HERE, ELSEWHERE = "TL-REDON", "TL-VITRE"  # the workshop account works at the first only
HELENE = PersonalDetails.checked(given_name="Hélène", family_name="Le Bihan",
                                 phone="06 11 22 33 44", referrer="CCAS de Redon")  # fmt: skip


def someone(family_name: str) -> PersonalDetails:
    """Another person at the third place (each test its own, in the module's one register)."""
    return PersonalDetails.checked(given_name="Yann", family_name=family_name,
                                   phone="07 00 00 00 00")  # fmt: skip


NAMESAKE = PersonalDetails.checked(given_name="Hélène", family_name="Morvan",
                                   email="h.morvan@exemple.fr")  # fmt: skip
LOAN = PersonalDetails.checked(given_name="Gwenaëlle", family_name="Kerhervé",
                               phone="06 98 76 54 32", referrer="Mission locale")  # fmt: skip
NOT_HERE = ("Cette personne n'est pas inscrite dans ce tiers-lieu. Cherchez-la par son nom, "
            "ou inscrivez-la d'abord.")  # fmt: skip
WIPE = {"method": "software_overwrite", "result": "success", "tool": "nwipe"}


@dataclass
class Loans:
    """The module's app, a second third place, and people registered at each."""

    web: Web
    browser: Client
    staff: Account  # the workshop account, at HERE
    admin: Account

    def person(self, details: PersonalDetails, place: str = HERE) -> str:
        """Register someone at a third place (as an administrator); their code."""
        return self.web.services.register.register(
            self.admin, third_place=place, details=details, categories=["minimum_income"],
            consent=True,
        ).code  # fmt: skip

    def ready(self) -> str:
        """A computer reconditioned and brought to HERE, ready to be lent."""
        inventory, today = self.web.inventory, self.web.inventory.today()
        tag = inventory.register_donation(RegisterDonation(
            command_id=uuid4(), actor="test", site=HERE, programme="CD35", donor="RENNES",
            received_on=today, units=(DonatedUnit(device_type="laptop", brand="HP"),),
        )).tags[0]  # fmt: skip
        common = {"actor": "test", "site": HERE, "occurred_on": today}
        inventory.record(Triage(command_id=uuid4(), tag=tag, seen_version=1, **common,
                                checks=dict.fromkeys(map(str, Check), "ok"), grade="B",
                                outcome="recondition", wipe=WIPE))  # fmt: skip
        seen = inventory.computer(tag).version
        inventory.record(Recondition(command_id=uuid4(), tag=tag, seen_version=seen, **common,
                                     work_done=["cleaning"], operating_system="Linux Mint 22",
                                     quality_check_passed=True, hours_of_work=Decimal(2),
                                     final_grade="A"))  # fmt: skip
        self.web.services.after_write(self.web.position())
        return tag

    def form(self, tag: str, **fields: Any) -> dict[str, Any]:
        today = self.web.inventory.today()
        end = today.replace(year=today.year + 2, day=min(today.day, 28))
        seen = self.web.inventory.computer(tag).version
        return {"command_id": str(uuid4()), "seen_version": seen,
                "occurred_on": today.isoformat(), "agreement_start": today.isoformat(),
                "agreement_end": end.isoformat(), "contribution_eur": "25",
                "contribution_method": "cash", **fields}  # fmt: skip

    def lend(self, tag: str, **fields: Any) -> httpx.Response:
        return self.web.post(
            self.browser, f"/ordinateurs/{tag}/etapes/loan", self.form(tag, **fields)
        )

    def search(self, words: str, site: str = HERE) -> httpx.Response:
        """What the loan form's search field asks as one types (an htmx GET)."""
        return self.browser.get("/beneficiaires/choix", headers={"HX-Request": "true"},
                                params={"site": site, "beneficiary_name": words})  # fmt: skip

    def refused(self, tag: str, sentence: str, **fields: Any) -> None:
        """A loan refused beside the person's field, with nothing recorded."""
        version, before = self.web.inventory.computer(tag).version, self.web.position()
        response = self.lend(tag, **fields)
        assert response.status_code == 422, response.text
        found = re.search(r'id="f-beneficiary_code-error">([^<]*)<', html.unescape(response.text))
        assert found, "no error shown beside the person"
        assert sentence in found.group(1)
        assert self.web.inventory.computer(tag).version == version
        assert self.web.position() == before


@pytest.fixture(scope="module")
def loans(web: Web) -> Loans:
    web.inventory.register_site(code=ELSEWHERE, name="Espace numérique de Vitré", town="Vitré",
                                kind=SiteKind.THIRD_PLACE, programme="CD35",
                                actor="test")  # fmt: skip
    web.services.after_write(web.position())
    staff = Account.of(web.inventory.user(web.usernames[Role.WORKSHOP]))
    admin = Account.of(web.inventory.user(web.usernames[Role.ADMIN]))
    return Loans(web, web.as_role(Role.WORKSHOP), staff, admin)


def radios(response: httpx.Response) -> dict[str, tuple[str, bool]]:
    """The people offered in the list: code -> (label, checked)."""
    found = re.findall(r'<input type="radio" id="f-beneficiary_code-[^"]+" name="beneficiary_code" '
                       r'value="([^"]+)"( checked)?><label[^>]*>([^<]*)</label>',
                       html.unescape(response.text))  # fmt: skip
    return {code: (label, bool(checked)) for code, checked, label in found}


# -- finding the person -------------------------------------------------------------------------


def test_the_list_finds_a_person_by_part_of_the_name_typed_without_accents_only_here(
    loans: Loans,
) -> None:
    code = loans.person(HELENE)
    loans.person(NAMESAKE, ELSEWHERE)

    response = loans.search("helene le bi")

    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'id="beneficiary-choices"' in response.text
    assert radios(response) == {code: (f"Hélène Le Bihan — {code} — CCAS de Redon", True)}
    assert "Morvan" not in response.text


def test_the_list_asks_for_two_letters_before_looking(loans: Loans) -> None:
    loans.person(someone("Hamon"))
    response = loans.search("h")
    assert response.status_code == 200
    assert "Tapez au moins 2 lettres du nom ou du prénom." in html.unescape(response.text)
    assert radios(response) == {}


def test_when_no_one_has_that_name_the_list_says_so_and_offers_to_register_the_person(
    loans: Loans,
) -> None:
    tag = loans.ready()
    asked = {"site": HERE, "nom": "Zébulon", "ordinateur": tag}
    response = loans.browser.get(
        "/beneficiaires/choix", params=asked, headers={"HX-Request": "true"}
    )
    page = html.unescape(response.text)
    assert "Aucune personne inscrite dans ce tiers-lieu ne porte ce nom." in page
    link = f'<a href="/beneficiaires/nouveau?site={HERE}&retour=/ordinateurs/{tag}/etapes/loan">'
    assert f"{link}Inscrire cette personne</a>" in page
    assert "Zébulon" not in page.split("<a", 1)[1]  # what was typed goes into no address


def test_the_list_shows_no_one_to_the_staff_of_another_third_place(loans: Loans) -> None:
    loans.person(NAMESAKE, ELSEWHERE)
    response = loans.search("morvan", site=ELSEWHERE)
    assert response.status_code == 403
    assert "Vous ne pouvez chercher que les personnes inscrites dans vos tiers-lieux." in (
        html.unescape(response.text))  # fmt: skip
    assert "Morvan" not in response.text


def test_the_loan_form_opened_back_from_the_register_shows_the_new_person_chosen(
    loans: Loans,
) -> None:
    tag, code = loans.ready(), loans.person(someone("Quéré"))
    response = loans.browser.get(f"/ordinateurs/{tag}/etapes/loan", params={"beneficiaire": code})
    assert response.status_code == 200
    assert radios(response) == {code: (f"Yann Quéré — {code}", True)}
    assert 'name="beneficiary_name" type="search" autocomplete="off"' in response.text


# -- recording the loan -------------------------------------------------------------------------


def test_a_loan_to_the_person_chosen_in_the_list_records_their_code_and_never_their_name(
    loans: Loans,
) -> None:
    tag, code = loans.ready(), loans.person(LOAN)
    with capture_logs() as logs:
        [offered] = radios(loans.search("gwenaelle"))
        response = loans.lend(tag, beneficiary_code=offered, beneficiary_name="gwenaelle")

    assert response.status_code == 303, response.text
    assert offered == code
    loaned = loans.web.inventory.computer_events(tag)[-1]
    assert type(loaned).__name__ == "Loaned"
    assert loaned.beneficiary_code == code  # type: ignore[attr-defined]
    stored = loans.web.inventory.recorder.select_events(computer_id(tag))[-1]
    assert stored.topic.endswith("Loaned")
    assert code.encode() in stored.state  # the raw row of the log, as it is kept
    for personal in ("Gwenaëlle", "Kerhervé", "06 98 76 54 32", "Mission locale"):
        assert personal.encode() not in stored.state
    for personal in ("Gwenaëlle", "gwenaelle", "Kerhervé", "06 98 76 54 32"):
        assert personal.lower() not in repr(logs).lower()  # neither the name nor what was typed
    assert any(entry.get("path") == "/beneficiaires/choix" for entry in logs)


def test_the_code_typed_from_the_agreement_is_enough_without_the_list(loans: Loans) -> None:
    tag, code = loans.ready(), loans.person(someone("Tanguy"))
    response = loans.lend(tag, code_typed=f" {code.lower()} ")
    assert response.status_code == 303, response.text
    assert loans.web.inventory.computer(tag).beneficiary_code == code


def test_a_loan_naming_no_one_asks_for_the_person(loans: Loans) -> None:
    tag = loans.ready()
    loans.refused(tag, "Ce champ est obligatoire.")


def test_a_loan_to_a_code_that_is_not_in_the_register_is_refused(loans: Loans) -> None:
    loans.refused(loans.ready(), NOT_HERE, code_typed="BN-2222AA")


def test_a_loan_to_a_person_of_another_third_place_is_refused(loans: Loans) -> None:
    elsewhere = loans.person(NAMESAKE, ELSEWHERE)
    loans.refused(loans.ready(), NOT_HERE, beneficiary_code=elsewhere)


def test_a_loan_to_a_person_whose_data_were_erased_is_refused(loans: Loans) -> None:
    code = loans.person(someone("Jaouen"))
    erase(loans.web.services.register, loans.admin, code)
    loans.refused(loans.ready(), "Les données de cette personne ont été effacées",
                  beneficiary_code=code)  # fmt: skip


def test_a_loan_form_sent_back_with_a_mistake_keeps_the_person_chosen(loans: Loans) -> None:
    tag, code = loans.ready(), loans.person(someone("Le Roux"))
    response = loans.lend(tag, beneficiary_code=code, contribution_eur="0")
    assert response.status_code == 422
    assert radios(response) == {code: (f"Yann Le Roux — {code}", True)}
    assert loans.web.inventory.computer(tag).state == "ready_to_loan"
