"""A computer's history over HTTP: every event in order, corrections beside, and two "as of"s.

One computer is recorded with a clock set in March 2025: donated on the 3rd, triaged on the 5th
(grade B), wiped on the 6th, sent to the third place on the 10th; on the 12th its grade is
corrected to C, on the 14th the transfer is cancelled, and on the 20th a transfer that happened
on the 11th is entered late.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any
from uuid import uuid4

import pytest

from tracker.commands import (
    CancelStep,
    CorrectDetails,
    DonatedUnit,
    RecordDataWipe,
    RegisterDonation,
    StepCommand,
    Transfer,
    Triage,
)
from tracker.domain.user import Role
from tracker.domain.vocabulary import Check

if TYPE_CHECKING:
    from tests.e2e.conftest import Web

MARCH = {day: date(2025, 3, day) for day in range(1, 32)}
READERS = (Role.OFFICER, Role.AUDITOR, Role.ADMIN)
NOT_A_DATE = "Ce n&#39;est pas une date. Exemple : 21/11/2026."


class Clock:
    """The application's clock, set by the test to the moment each step is recorded."""

    def __init__(self) -> None:
        self.now = datetime(2025, 3, 3, 10, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="module")
def tag(web: Web) -> Iterator[str]:
    """The computer of the story above, recorded through the application."""
    inventory, clock = web.inventory, Clock()
    real_clock, inventory.clock = inventory.clock, clock
    shop, third_place = web.sites
    try:
        done = inventory.register_donation(RegisterDonation(
            command_id=uuid4(), actor="amelie.r", site=shop, programme=web.programme,
            donor=web.donor, received_on=MARCH[3],
            units=(DonatedUnit(device_type="laptop", brand="Lenovo", model="T480",
                               serial="PF-1234"),),
        ))  # fmt: skip
        tag = done.tags[0]

        def record(day: int, kind: type[StepCommand], occurred: int = 0, **fields: Any) -> None:
            clock.now = datetime.combine(MARCH[day], time(10), tzinfo=UTC)
            inventory.record(kind(
                command_id=uuid4(), tag=tag, seen_version=inventory.computer(tag).version,
                actor="amelie.r", site=shop, occurred_on=MARCH[occurred or day], **fields,
            ))  # fmt: skip

        record(5, Triage, checks={str(c): "ok" for c in Check}, grade="B", outcome="recondition")
        record(6, RecordDataWipe, method="no_storage", result="success")
        record(10, Transfer, to_site=third_place)
        record(12, CorrectDetails, version=2, reason="grade mal lu", changes={"grade": "C"})
        record(14, CancelStep, version=4, reason="pas encore parti")
        record(20, Transfer, occurred=11, to_site=third_place)
    finally:
        inventory.clock = real_clock
    web.services.after_write(web.position())
    return tag


def history(web: Web, tag: str, role: Role = Role.AUDITOR, **query: str) -> Any:
    response = web.as_role(role).get(f"/audit/ordinateurs/{tag}", params=query)
    assert response.status_code in (200, 400), response.text
    return response


def rows(page: str) -> dict[int, str]:
    """Each row of the events table, by its number."""
    found = re.findall(r'(<tr id="n-(\d+)".*?</tr>)', page, re.DOTALL)
    return {int(number): row for row, number in found}


def text_of(fragment: str) -> str:
    """What a person reads in a piece of the page."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def box(page: str, name: str) -> str:
    """The text of one answer box (happened, known, later); "" when it is not on the page."""
    found = re.search(rf'<section class="card[^"]*" id="{name}".*?</section>', page, re.DOTALL)
    return text_of(found.group(0)) if found else ""


@pytest.mark.parametrize("role", READERS, ids=lambda role: role.value)
def test_officers_auditors_and_administrators_may_read_a_history(
    web: Web, tag: str, role: Role
) -> None:
    response = web.as_role(role).get(f"/audit/ordinateurs/{tag}")

    assert response.status_code == 200
    assert f"Historique de {tag}" in response.text


def test_workshop_staff_may_not_read_a_history(web: Web, tag: str) -> None:
    response = web.as_role(Role.WORKSHOP).get(f"/audit/ordinateurs/{tag}")

    assert response.status_code == 403
    assert "Accès refusé" in response.text


def test_the_page_lists_every_event_in_order_with_its_corrections_beside_it(
    web: Web, tag: str
) -> None:
    page = history(web, tag).text
    table = rows(page)

    assert list(table) == [1, 2, 3, 4, 5, 6, 7]
    steps = [text_of(row).split(" ")[1] for row in table.values()]
    assert steps == ["Don", "Tri", "Effacement", "Envoi", "Correction", "Annulation", "Envoi"]
    assert "Lenovo" in text_of(table[1])
    assert "PF-1234" in text_of(table[1])
    assert 'href="#n-5"' in table[2]
    assert "corrigée par le n° 5 : grade → C" in text_of(table[2])
    assert 'class="cancelled"' in table[4]
    assert 'href="#n-6"' in table[4]
    assert "(annulée)" in text_of(table[4])
    assert "annulée par le n° 6 le 14/03/2025 11:00" in text_of(table[4]), "local time"
    assert 'href="#n-2"' in table[5]
    assert "corrige le n° 2" in text_of(table[5])
    assert 'href="#n-4"' in table[6]
    assert "annule le n° 4" in text_of(table[6])
    assert "10 mars 2025" in text_of(table[4])
    assert "TL-REDON" in text_of(table[4])
    assert [n for n, row in table.items() if 'class="cancelled"' in row] == [4]


def test_a_day_read_both_ways_gives_two_answers_and_what_changed_since(web: Web, tag: str) -> None:
    page = history(web, tag, au="2025-03-10", connu_le="2025-03-10").text

    happened, known, later = box(page, "happened"), box(page, "known"), box(page, "later")
    assert "Où en était-il le 10 mars 2025 ? (selon les dates des étapes)" in happened
    assert "État : À reconditionner" in happened
    assert "Où il était : ESAT-RANCE" in happened
    assert "Grade : C" in happened
    assert "Étapes comptées : 3" in happened
    assert "Que savait-on le 10 mars 2025 ? (selon ce qui était enregistré ce jour-là)" in known
    assert "Où il était : TL-REDON" in known
    assert "Grade : B" in known
    assert "Étapes comptées : 4" in known
    assert "n° 5 — correction de l'étape n° 2 (Tri)" in later
    assert "grade → C" in later
    assert "n° 6 — annulation de l'étape n° 4 (Envoi vers un autre site)" in later
    assert "Motif : pas encore parti" in later


def test_a_step_entered_late_counts_by_its_date_but_not_in_what_was_known_then(
    web: Web, tag: str
) -> None:
    page = history(web, tag, au="2025-03-12", connu_le="2025-03-15").text

    assert "Où il était : TL-REDON" in box(page, "happened")
    assert "Étapes comptées : 4" in box(page, "happened")
    assert "Où il était : ESAT-RANCE" in box(page, "known")
    assert "n'a été annulée ni corrigée depuis" in box(page, "later")


def test_a_day_before_the_computer_existed_says_so(web: Web, tag: str) -> None:
    page = history(web, tag, au="2025-03-01", connu_le="01/03/2025").text

    assert "Il n'avait pas encore été donné à cette date." in box(page, "happened")
    assert "Il n'était pas encore enregistré ce jour-là." in box(page, "known")


def test_without_dates_the_page_shows_the_form_and_no_answer(web: Web, tag: str) -> None:
    page = history(web, tag).text

    assert 'name="au" type="date"' in page
    assert 'name="connu_le" type="date"' in page
    assert "Où en était-il le… (selon les dates des étapes)" in page
    assert "Que savait-on le… (selon ce qui était enregistré ce jour-là)" in page
    assert (box(page, "happened"), box(page, "known"), box(page, "later")) == ("", "", "")


def test_a_malformed_date_is_explained_in_french_next_to_its_field(web: Web, tag: str) -> None:
    response = history(web, tag, au="2025-02-30", connu_le="2025-03-10")

    assert response.status_code == 400
    field = re.search(r'<div class="field has-error">.*?</div>', response.text, re.DOTALL)
    assert field
    assert 'for="f-au"' in field.group(0)
    assert NOT_A_DATE in field.group(0)
    assert 'aria-invalid="true"' in response.text
    assert box(response.text, "happened") == ""
    assert "Où il était : TL-REDON" in box(response.text, "known")


@pytest.mark.parametrize("value", ["hier", "2025-3-1", "20250301", "32/01/2025"])
def test_anything_but_a_date_is_refused_without_an_error_page(
    web: Web, tag: str, value: str
) -> None:
    response = history(web, tag, connu_le=value)

    assert response.status_code == 400
    assert NOT_A_DATE in response.text
    assert f"Historique de {tag}" in response.text


@pytest.mark.parametrize("unknown", ["CD35-2099-99999", "pas une étiquette !"])
def test_an_unknown_tag_answers_the_page_not_found(web: Web, unknown: str) -> None:
    response = web.as_role(Role.AUDITOR).get(f"/audit/ordinateurs/{unknown}")

    assert response.status_code == 404
    assert "Page introuvable" in response.text


def test_the_search_by_tag_leads_to_the_history(web: Web, tag: str) -> None:
    client = web.as_role(Role.OFFICER)

    found = client.get("/audit/ordinateurs", params={"etiquette": f" {tag.lower()} "})
    unknown = client.get("/audit/ordinateurs", params={"etiquette": "CD35-2099-99999"})
    empty = client.get("/audit/ordinateurs", params={"etiquette": ""})

    assert found.status_code == 303
    assert found.headers["location"] == f"/audit/ordinateurs/{tag}"
    assert unknown.status_code == 404
    assert "Aucun ordinateur ne porte l&#39;étiquette « CD35-2099-99999 »" in unknown.text
    assert 'aria-invalid="true"' in unknown.text
    assert empty.status_code == 200
    assert "Tapez ou scannez l&#39;étiquette de l&#39;ordinateur." in empty.text


def test_the_auditor_home_offers_the_search_and_links_recent_tags_to_their_history(
    web: Web, tag: str
) -> None:
    home = web.as_role(Role.AUDITOR).get("/audit").text

    assert 'action="/audit/ordinateurs"' in home
    assert 'name="etiquette"' in home
    assert f'href="/audit/ordinateurs/{web.tags[0]}"' in home


def test_the_page_reads_in_english_from_the_catalog(web: Web, tag: str) -> None:
    client = web.as_role(Role.AUDITOR)
    client.cookies.set("langue", "en")

    page = client.get(f"/audit/ordinateurs/{tag}", params={"connu_le": "2025-03-10"}).text

    assert f"History of {tag}" in page
    assert "What was known on Mar 10, 2025? (from what had been recorded that day)" in page
    assert "cancelled by no. 6 on 3/14/25, 11:00" in text_of(rows(page)[4])
    assert "Historique de" not in page
