"""The scan station over HTTP: find a computer, record a step once, refusals, conflicts and undo."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import uuid4

import httpx
import pytest

from tracker.commands import DonatedUnit, RegisterDonation
from tracker.domain.site import SiteKind
from tracker.domain.user import Role
from tracker.domain.vocabulary import Check

if TYPE_CHECKING:
    from tests.e2e.conftest import Client, StartWeb, Web

ELSEWHERE = "ESAT-FOUGERES"  # a sorting workshop the workshop account does not work at
CONFLICT = "Quelqu'un d'autre a enregistré une étape sur cet ordinateur"
ALREADY = "C'était déjà enregistré : rien n'a été fait deux fois."
NOTHING_SAVED = "Rien n'a été enregistré."


@dataclass
class Station:
    """The app on one backend, and a browser signed in with the workshop account."""

    web: Web
    browser: Client

    def donated(self, site: str = "", serial: str = "") -> str:
        """A computer just received at this site (the workshop's sorting site by default)."""
        inventory = self.web.inventory
        done = inventory.register_donation(RegisterDonation(
            command_id=uuid4(), actor="test", site=site or self.web.sites[0], programme="CD35",
            donor=self.web.donor, received_on=inventory.today(),
            units=(DonatedUnit(device_type="laptop", brand="Dell", serial=serial),),
        ))  # fmt: skip
        self.web.services.after_write(done.position or 0)
        return done.tags[0]

    def events(self, tag: str) -> list[str]:
        return [type(event).__name__ for event in self.web.inventory.computer_events(tag)]

    def triage_form(self, tag: str, **changes: Any) -> dict[str, Any]:
        """A complete triage form, as opened on the computer's current version."""
        inventory = self.web.inventory
        checks = {f"checks.{check}": "ok" for check in Check}
        return {"command_id": str(uuid4()), "seen_version": inventory.computer(tag).version,
                **checks, "grade": "B", "outcome": "recondition",
                "occurred_on": inventory.today().isoformat(), **changes}  # fmt: skip

    def post(self, path: str, form: dict[str, Any], *, htmx: bool = False) -> httpx.Response:
        headers = {"HX-Request": "true"} if htmx else {}
        token = self.web.csrf_token(self.browser)
        return self.browser.post(path, data={**form, "_csrf_token": token}, headers=headers)


@pytest.fixture
def station(start_web: StartWeb, database_url: str) -> Iterator[Station]:
    """On SQLite and on PostgreSQL: the usual directory, plus a sorting site not ours."""
    with start_web([Role.WORKSHOP], database_url=database_url) as web:
        web.inventory.register_site(code=ELSEWHERE, name="ESAT de Fougères", town="Fougères",
                                    kind=SiteKind.SORTING_WORKSHOP, programme="CD35",
                                    actor="test")  # fmt: skip
        web.services.after_write(web.position())
        yield Station(web, web.as_role(Role.WORKSHOP))


def text_of(response: httpx.Response) -> str:
    return html.unescape(response.text)


# -- finding a computer -------------------------------------------------------------------------


def test_an_unknown_tag_answers_404_with_a_sentence_and_the_scan_field(station: Station) -> None:
    response = station.browser.get("/ordinateurs", params={"q": "CD35-2026-99999"})
    assert response.status_code == 404
    assert ("Aucun ordinateur ne porte l'étiquette ou le numéro de série « CD35-2026-99999 »"
            in text_of(response))  # fmt: skip
    assert 'name="q"' in response.text  # the person can scan again at once


def test_a_serial_number_opens_the_card_of_its_computer(station: Station) -> None:
    tag = station.donated(serial="5CG1234XYZ")
    response = station.browser.get("/ordinateurs", params={"q": " 5cg1234xyz "})
    assert response.status_code == 200
    assert f'<code class="tag">{tag}</code>' in response.text
    assert f"/ordinateurs/{tag}/etapes/triage" in response.text


# -- recording a step ---------------------------------------------------------------------------


def test_a_complete_step_form_records_the_step_and_the_card_confirms_it(station: Station) -> None:
    tag = station.donated()
    response = station.post(f"/ordinateurs/{tag}/etapes/triage", station.triage_form(tag))
    assert response.status_code == 303
    assert response.headers["location"] == f"/ordinateurs/{tag}"
    card = station.browser.get(response.headers["location"])
    assert f"Tri enregistré pour {tag}." in text_of(card)
    assert station.events(tag) == ["Donated", "Triaged"]


def test_a_form_sent_twice_records_one_step_and_the_second_answer_says_it_was_already_done(
    station: Station,
) -> None:
    tag = station.donated()
    form = station.triage_form(tag)
    station.post(f"/ordinateurs/{tag}/etapes/triage", form)
    before = station.web.position()

    again = station.post(f"/ordinateurs/{tag}/etapes/triage", form)

    assert again.status_code == 303
    assert ALREADY in text_of(station.browser.get(again.headers["location"]))
    assert station.events(tag) == ["Donated", "Triaged"]
    assert station.web.position() == before


def colleague(station: Station) -> Station:
    """Another workshop person, at the same sites, in another browser."""
    station.web.add_user("collegue", Role.WORKSHOP)
    return Station(station.web, station.web.sign_in("collegue"))


def test_a_form_opened_before_a_colleague_s_step_is_refused_with_the_fresh_card(
    station: Station,
) -> None:
    tag = station.donated()
    mine = station.triage_form(tag)
    wipe = {"command_id": str(uuid4()), "seen_version": 1, "method": "drive_destroyed",
            "result": "success", "occurred_on": mine["occurred_on"]}  # fmt: skip
    assert colleague(station).post(f"/ordinateurs/{tag}/etapes/wipe_data", wipe).status_code == 303
    before = station.web.position()

    response = station.post(f"/ordinateurs/{tag}/etapes/triage", mine)

    assert response.status_code == 409
    page = text_of(response)
    assert CONFLICT in page
    assert "effacées</dd>" in page  # the card as it stands now, after the colleague's step
    assert station.events(tag) == ["Donated", "DataWipeRecorded"]
    assert station.web.position() == before


def test_of_two_triage_forms_opened_on_the_same_version_the_second_is_told_of_the_conflict(
    station: Station,
) -> None:
    tag = station.donated()
    mine = station.triage_form(tag)
    theirs = station.triage_form(tag, outcome="dismantle")
    colleague(station).post(f"/ordinateurs/{tag}/etapes/triage", theirs)
    before = station.web.position()

    response = station.post(f"/ordinateurs/{tag}/etapes/triage", mine)

    assert response.status_code == 409
    assert station.events(tag) == ["Donated", "Triaged"]
    assert station.web.position() == before
    page = text_of(response)
    assert "À démanteler</p>" in page  # the card as it stands now, after the colleague's triage
    assert CONFLICT in page


def test_a_forged_step_that_the_state_does_not_allow_is_refused_with_a_sentence(
    station: Station,
) -> None:
    tag = station.donated()
    loan = {"command_id": str(uuid4()), "seen_version": 1, "beneficiary_code": "BN-7K3P9Q",
            "agreement_start": station.web.inventory.today().isoformat(),
            "agreement_end": "2099-01-01", "contribution_eur": "25",
            "contribution_method": "cash",
            "occurred_on": station.web.inventory.today().isoformat()}  # fmt: skip
    before = station.web.position()

    response = station.post(f"/ordinateurs/{tag}/etapes/loan", loan)

    assert response.status_code == 409
    assert "« Prêter à un bénéficiaire » n'est pas possible maintenant" in text_of(response)
    assert NOTHING_SAVED in text_of(response)
    assert station.events(tag) == ["Donated"]
    assert station.web.position() == before


def test_a_forged_step_on_a_computer_at_another_site_is_refused_with_a_sentence(
    station: Station,
) -> None:
    tag = station.donated(site=ELSEWHERE)
    card = station.browser.get(f"/ordinateurs/{tag}")
    assert "/etapes/" not in card.text  # no step is offered to this person there
    before = station.web.position()

    response = station.post(f"/ordinateurs/{tag}/etapes/triage", station.triage_form(tag))

    assert response.status_code == 409
    assert f"n'est pas le vôtre ({ELSEWHERE})" in text_of(response)
    assert station.events(tag) == ["Donated"]
    assert station.web.position() == before


def test_a_step_that_this_kind_of_site_does_not_do_is_refused_and_says_where_to_send_it(
    station: Station,
) -> None:
    tag = station.donated(site=station.web.sites[1])  # a third place: no triage there
    before = station.web.position()

    response = station.post(f"/ordinateurs/{tag}/etapes/triage", station.triage_form(tag))

    assert response.status_code == 409
    assert "Cette étape ne se fait pas sur ce site. Envoyez d'abord" in text_of(response)
    assert station.events(tag) == ["Donated"]
    assert station.web.position() == before


# -- htmx ---------------------------------------------------------------------------------------


def test_htmx_gets_the_card_fragment_with_the_confirmation_sent_out_of_band(
    station: Station,
) -> None:
    tag = station.donated()
    response = station.post(f"/ordinateurs/{tag}/etapes/triage", station.triage_form(tag),
                            htmx=True)  # fmt: skip
    assert response.status_code == 200
    assert "<html" not in response.text
    assert re.search(r'<div id="notices" hx-swap-oob="innerHTML">[^<]*<p[^>]*>'
                     rf"Tri enregistré pour {tag}\.", text_of(response))  # fmt: skip
    assert 'id="card"' in response.text


def test_htmx_gets_the_step_form_as_a_fragment_and_its_errors_as_a_fragment(
    station: Station,
) -> None:
    tag = station.donated()
    form = station.browser.get(f"/ordinateurs/{tag}/etapes/triage", headers={"HX-Request": "true"})
    assert form.status_code == 200
    assert "<html" not in form.text
    assert 'id="step-form"' in form.text
    refused = station.post(f"/ordinateurs/{tag}/etapes/triage",
                           station.triage_form(tag, grade=""), htmx=True)  # fmt: skip
    assert refused.status_code == 422
    assert "<html" not in refused.text
    assert 'id="f-grade-error"' in refused.text
    assert station.events(tag) == ["Donated"]


# -- undo ---------------------------------------------------------------------------------------


def test_the_author_can_undo_a_step_just_recorded(station: Station) -> None:
    tag = station.donated()
    station.post(f"/ordinateurs/{tag}/etapes/triage", station.triage_form(tag))
    card = station.browser.get(f"/ordinateurs/{tag}")
    undo = re.search(r'action="/ordinateurs/[^"]+/annuler".*?name="command_id" value="([^"]+)"'
                     r'.*?name="seen_version" value="(\d+)"', card.text, re.DOTALL)  # fmt: skip
    assert undo, "the card offers no undo to the author of the last step"
    command_id, seen_version = undo.groups()

    undo_form = {"command_id": command_id, "seen_version": seen_version, "reason": "wrong_computer"}
    response = station.post(f"/ordinateurs/{tag}/annuler", undo_form)

    assert response.status_code == 303
    page = text_of(station.browser.get(f"/ordinateurs/{tag}"))
    assert "L'étape a été annulée" in page
    assert station.events(tag) == ["Donated", "Triaged", "StepCancelled"]
    assert station.web.inventory.computer(tag).state == "awaiting_triage"
    assert "/annuler" not in page  # a cancellation is not itself undone
    before = station.web.position()
    again = station.post(f"/ordinateurs/{tag}/annuler", undo_form)
    assert again.status_code == 303
    assert station.events(tag) == ["Donated", "Triaged", "StepCancelled"]
    assert station.web.position() == before
