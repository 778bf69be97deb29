"""The step forms over HTTP: each mistake is shown beside its field, and nothing is recorded."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import uuid4

import httpx
import pytest

from tracker.accounts import Account
from tracker.commands import (
    DonatedUnit,
    Recondition,
    RecordDataWipe,
    RegisterDonation,
    StepCommand,
    Triage,
)
from tracker.domain.beneficiary import PersonalDetails
from tracker.domain.site import SiteKind
from tracker.domain.user import Role
from tracker.domain.vocabulary import Check

if TYPE_CHECKING:
    from tests.e2e.conftest import Client, Web

SORTING, INSERTION, THIRD_PLACE = "ESAT-RANCE", "AI-VILAINE", "TL-REDON"
WIPE = {"method": "software_overwrite", "result": "success", "tool": "nwipe"}
CHECKS = {f"checks.{check}": "ok" for check in Check}
GIVEN: dict[type[StepCommand], dict[str, Any]] = {  # steps recorded before the form is opened
    Triage: {"checks": dict.fromkeys(map(str, Check), "ok"), "grade": "B"},
    RecordDataWipe: WIPE,
    Recondition: {"work_done": ["cleaning"], "operating_system": "Linux Mint 22",
                  "quality_check_passed": True, "hours_of_work": Decimal(2), "final_grade": "A"},
}  # fmt: skip


@dataclass
class Forms:
    """The module's app, with the workshop account also working at an insertion workshop.

    `code` is a person registered at the third place, to whom loans are made.
    """

    web: Web
    browser: Client
    code: str

    def computer(self, site: str, *given: tuple[type[StepCommand], dict[str, Any]]) -> str:
        """A computer received at `site` today, with these steps already recorded there."""
        inventory, today = self.web.inventory, self.web.inventory.today()
        tag = inventory.register_donation(RegisterDonation(
            command_id=uuid4(), actor="test", site=site, programme="CD35", donor="RENNES",
            received_on=today, units=(DonatedUnit(device_type="laptop", brand="HP"),),
        )).tags[0]  # fmt: skip
        for kind, fields in given:
            inventory.record(kind(command_id=uuid4(), tag=tag, actor="test", site=site,
                                  seen_version=inventory.computer(tag).version, occurred_on=today,
                                  **{**GIVEN[kind], **fields}))  # fmt: skip
        self.web.services.after_write(self.web.position())
        return tag

    def form(self, tag: str, **fields: Any) -> dict[str, Any]:
        today = self.web.inventory.today().isoformat()
        version = self.web.inventory.computer(tag).version
        return {"command_id": str(uuid4()), "seen_version": version, "occurred_on": today,
                **fields}  # fmt: skip

    def post(self, tag: str, step: str, form: dict[str, Any]) -> httpx.Response:
        return self.web.post(self.browser, f"/ordinateurs/{tag}/etapes/{step}", form)

    def refused(self, tag: str, step: str, form: dict[str, Any], **errors: str) -> str:
        """Post a form expected to be refused: each field's error, and nothing recorded."""
        events, before = self.web.inventory.computer(tag).version, self.web.position()
        response = self.post(tag, step, form)
        assert response.status_code == 422, response.text
        page = html.unescape(response.text)
        assert "Rien n'a été enregistré. Corrigez ce qui est signalé en rouge" in page
        for field, sentence in errors.items():
            found = re.search(rf'id="f-{re.escape(field)}-error">([^<]*)<', page)
            assert found, f"no error shown beside {field}"
            assert sentence in found.group(1)
        assert self.web.inventory.computer(tag).version == events
        assert self.web.position() == before
        return page


@pytest.fixture(scope="module")
def forms(web: Web) -> Forms:
    web.inventory.register_site(code=INSERTION, name="Atelier Vilaine", town="Rennes",
                                kind=SiteKind.INSERTION_WORKSHOP, programme="CD35",
                                actor="test")  # fmt: skip
    workshop = web.inventory.user(web.usernames[Role.WORKSHOP])
    web.inventory.set_roles(workshop.username, {Role.WORKSHOP: [*web.sites, INSERTION]},
                            actor="test", seen_version=workshop.version)  # fmt: skip
    web.services.after_write(web.position())
    staff = Account.of(web.inventory.user(web.usernames[Role.WORKSHOP]))
    person = web.services.register.register(
        staff, third_place=THIRD_PLACE, categories=["jobseeker"], consent=True,
        details=PersonalDetails.checked(given_name="Awa", family_name="Diallo",
                                        phone="06 12 34 56 78"),
    )  # fmt: skip
    return Forms(web, web.as_role(Role.WORKSHOP), person.code)


def triage(**changes: Any) -> dict[str, Any]:
    return {**CHECKS, "grade": "B", "outcome": "recondition", **changes}


def dismantling(**changes: Any) -> dict[str, Any]:
    return {"outlet": "Ecologic", "materials_kg.plastics": "1", **changes}


def reconditioning(**changes: Any) -> dict[str, Any]:
    return {"work_done": ["cleaning"], "operating_system": "Linux Mint 22",
            "hours_of_work": "2,5", "final_grade": "A", "quality_check_passed": "yes",
            **changes}  # fmt: skip


def loan(forms: Forms, start: date, **changes: Any) -> dict[str, Any]:
    return {"beneficiary_code": forms.code, "agreement_start": start.isoformat(),
            "agreement_end": (start + timedelta(days=730)).isoformat(), "contribution_eur": "25",
            "contribution_method": "cash", **changes}  # fmt: skip


# -- dates --------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["31/02/2026", "hier"])
def test_a_date_that_is_not_a_date_is_refused_beside_the_date(forms: Forms, typed: str) -> None:
    tag = forms.computer(SORTING)
    page = forms.refused(tag, "triage", forms.form(tag, **triage(occurred_on=typed)),
                         occurred_on="Ce n'est pas une date. Exemple : 21/11/2026.")  # fmt: skip
    assert f'value="{typed}"' in page  # what was typed is kept, to be corrected


def test_a_date_after_today_is_refused_beside_the_date(forms: Forms) -> None:
    tag = forms.computer(SORTING)
    tomorrow = (forms.web.inventory.today() + timedelta(days=1)).isoformat()
    forms.refused(tag, "triage", forms.form(tag, **triage(occurred_on=tomorrow)),
                  occurred_on="La date ne peut pas être après aujourd'hui.")  # fmt: skip


# -- numbers and choices ------------------------------------------------------------------------


def test_a_negative_weight_is_refused_beside_that_material(forms: Forms) -> None:
    tag = forms.computer(SORTING, (Triage, {"outcome": "dismantle", "wipe": WIPE}))
    form = forms.form(tag, **dismantling(**{"materials_kg.plastics": "-2"}))
    forms.refused(tag, "dismantle", form,
                  **{"materials_kg.plastics": "Le nombre ne peut pas être négatif."})  # fmt: skip


def test_a_weight_typed_with_a_french_decimal_comma_is_recorded(forms: Forms) -> None:
    tag = forms.computer(SORTING, (Triage, {"outcome": "dismantle", "wipe": WIPE}))
    form = forms.form(tag, **dismantling(**{"materials_kg.plastics": "1,5"}))
    response = forms.post(tag, "dismantle", form)
    assert response.status_code == 303, response.text
    dismantled = forms.web.inventory.computer_events(tag)[-1]
    assert type(dismantled).__name__ == "Dismantled"
    assert dismantled.materials_kg == {"plastics": Decimal("1.5")}  # type: ignore[attr-defined]


def test_a_value_that_is_not_one_of_the_choices_is_refused_beside_its_question(
    forms: Forms,
) -> None:
    tag = forms.computer(SORTING)
    choose = "Choisissez une des possibilités proposées."
    forms.refused(tag, "triage", forms.form(tag, **triage(grade="Z")), grade=choose)
    forms.refused(tag, "triage", forms.form(tag, **triage(**{"checks.screen": "cassé"})),
                  **{"checks.screen": choose})  # fmt: skip


def test_a_triage_with_nothing_ticked_shows_every_missing_answer_at_once(forms: Forms) -> None:
    tag = forms.computer(SORTING)
    required = "Ce champ est obligatoire."
    errors = {**{f"checks.{check}": required for check in Check}, "grade": required,
              "outcome": required}  # fmt: skip
    page = forms.refused(tag, "triage", forms.form(tag), **errors)
    assert len(re.findall(r'id="f-checks\.\w+-error"', page)) == len(Check) == 7


# -- reconditioning -----------------------------------------------------------------------------


def test_reconditioning_before_the_data_is_wiped_asks_for_the_wipe_section(forms: Forms) -> None:
    tag = forms.computer(INSERTION, (Triage, {"outcome": "recondition"}))
    forms.refused(tag, "recondition", forms.form(tag, **reconditioning()),
                  method="Les données ne sont pas encore effacées")  # fmt: skip


def test_reconditioning_with_the_quality_check_unticked_is_refused(forms: Forms) -> None:
    tag = forms.computer(INSERTION, (Triage, {"outcome": "recondition", "wipe": WIPE}))
    form = forms.form(tag, **reconditioning(quality_check_passed=""))
    forms.refused(tag, "recondition", form,
                  quality_check_passed="Le contrôle qualité doit être réussi.")  # fmt: skip


# -- loan and transfer --------------------------------------------------------------------------


def ready_to_loan(forms: Forms) -> str:
    return forms.computer(THIRD_PLACE, (Triage, {"outcome": "recondition", "wipe": WIPE}),
                          (Recondition, {}))  # fmt: skip


def test_a_loan_to_a_person_s_name_instead_of_a_code_is_refused(forms: Forms) -> None:
    tag = ready_to_loan(forms)
    form = forms.form(tag, **loan(forms, forms.web.inventory.today(),
                                beneficiary_code="Marie Dupont"))  # fmt: skip
    forms.refused(tag, "loan", form, beneficiary_code="Jamais son nom.")
    events = forms.web.inventory.computer_events(tag)
    assert "Marie Dupont" not in repr(events)


def test_a_loan_agreement_ending_before_it_starts_is_refused(forms: Forms) -> None:
    tag = ready_to_loan(forms)
    today = forms.web.inventory.today()
    form = forms.form(
        tag, **loan(forms, today, agreement_end=(today - timedelta(days=1)).isoformat())
    )
    forms.refused(tag, "loan", form, agreement_end="La fin doit venir après le début.")


def test_a_contribution_of_0_euros_paid_in_cash_is_refused(forms: Forms) -> None:
    tag = ready_to_loan(forms)
    form = forms.form(tag, **loan(forms, forms.web.inventory.today(), contribution_eur="0"))
    forms.refused(tag, "loan", form,
                  contribution_eur="0 € seulement si la participation est offerte")  # fmt: skip


def test_a_transfer_with_no_destination_is_refused_beside_the_site_list(forms: Forms) -> None:
    tag = forms.computer(SORTING)
    forms.refused(tag, "transfer", forms.form(tag, to_site=""),
                  to_site="Ce champ est obligatoire.")  # fmt: skip


def test_a_transfer_to_a_site_that_is_not_in_the_list_is_refused(forms: Forms) -> None:
    tag = forms.computer(SORTING)
    forms.refused(tag, "transfer", forms.form(tag, to_site="NULLE-PART"),
                  to_site="Choisissez une des possibilités proposées.")  # fmt: skip


def test_loan_dates_typed_with_a_two_digit_year_are_read_in_this_century(forms: Forms) -> None:
    tag = ready_to_loan(forms)
    today = forms.web.inventory.today()
    end = today.replace(year=today.year + 2, day=min(today.day, 28))
    typed = {"agreement_start": today.strftime("%d/%m/%y"),
             "agreement_end": end.strftime("%d/%m/%y")}  # fmt: skip
    response = forms.post(tag, "loan", forms.form(tag, **loan(forms, today, **typed)))
    assert response.status_code == 303, response.text
    loaned = forms.web.inventory.computer_events(tag)[-1]
    assert (loaned.agreement_start, loaned.agreement_end) == (today, end)  # type: ignore[attr-defined]
