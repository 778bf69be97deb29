"""The programme as of a past date over HTTP: figures, changes since K and computers, two ways.

Three computers of 2025 are recorded with the clock of each moment (Paris time): the first is
triaged, wiped, reconditioned and loaned at the third place in March (25 €); the second is
sent to the third place on 2 April; the third, given on 15 December, is triaged on the 20th but
that triage is entered only on 2 February 2026. On 5 February 2026 the loan's amount becomes
20 € and its date 22 March; on 6 February the transfer is cancelled. K is 31 January 2026.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest

from tracker import programme_as_of
from tracker.commands import (
    CancelStep,
    CorrectDetails,
    DonatedUnit,
    Loan,
    Recondition,
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

ZONE = ZoneInfo("Europe/Paris")
READERS = (Role.OFFICER, Role.AUDITOR, Role.ADMIN)
YEAR = {"programme": "CD35", "du": "2025-01-01", "au": "2025-12-31"}
NOT_A_DATE = "Ce n&#39;est pas une date. Exemple : 21/11/2026."
FIELDS: dict[type[StepCommand], dict[str, Any]] = {
    Triage: {"checks": {str(c): "ok" for c in Check}, "grade": "B", "outcome": "recondition"},
    RecordDataWipe: {"method": "no_storage", "result": "success"},
    Recondition: {"work_done": ["cleaning"], "operating_system": "Debian 12",
                  "quality_check_passed": True, "hours_of_work": Decimal("1.5"),
                  "final_grade": "A"},
    Loan: {"beneficiary_code": "BN-7K3P9Q", "agreement_start": date(2025, 3, 25),
           "agreement_end": date(2027, 3, 25), "contribution_eur": Decimal(25),
           "contribution_method": "cash"},
}  # fmt: skip


@pytest.fixture(scope="module")
def tags(web: Web) -> Iterator[list[str]]:
    """The three computers of the story above, recorded through the application."""
    inventory = web.inventory
    now = datetime(2025, 3, 3, 10, tzinfo=ZONE)
    real_clock, inventory.clock = inventory.clock, lambda: now
    shop, third_place = web.sites
    try:

        def donate(on: date) -> str:
            nonlocal now
            now = datetime.combine(on, time(9), tzinfo=ZONE)
            return inventory.register_donation(RegisterDonation(
                command_id=uuid4(), actor="amelie.r", site=shop, programme=web.programme,
                donor=web.donor, received_on=on,
                units=(DonatedUnit(device_type="laptop", brand="Lenovo"),),
            )).tags[0]  # fmt: skip

        def record(tag: str, kind: type[StepCommand], on: date, at: date | None = None,
                   **fields: Any) -> None:  # fmt: skip
            nonlocal now
            now = datetime.combine(at or on, time(10), tzinfo=ZONE)
            inventory.record(kind(
                command_id=uuid4(), tag=tag, seen_version=inventory.computer(tag).version,
                actor="amelie.r", site=fields.pop("site", shop), occurred_on=on,
                **{**FIELDS.get(kind, {}), **fields},
            ))  # fmt: skip

        loaned = donate(date(2025, 3, 3))
        record(loaned, Triage, date(2025, 3, 5))
        record(loaned, RecordDataWipe, date(2025, 3, 6))
        record(loaned, Recondition, date(2025, 3, 14))
        record(loaned, Loan, date(2025, 3, 25), site=third_place)  # version 5
        sent = donate(date(2025, 4, 1))
        record(sent, Transfer, date(2025, 4, 2), to_site=third_place)  # version 2
        late = donate(date(2025, 12, 15))
        record(late, Triage, date(2025, 12, 20), at=date(2026, 2, 2))
        record(loaned, CorrectDetails, date(2026, 2, 5), version=5, reason="reçu relu",
               changes={"contribution_eur": "20", "occurred_on": "2025-03-22"})  # fmt: skip
        record(sent, CancelStep, date(2026, 2, 6), version=2, reason="pas encore parti")
    finally:
        inventory.clock = real_clock
    web.services.after_write(web.position())
    return [loaned, sent, late]


def get(web: Web, role: Role = Role.AUDITOR, **query: str) -> Any:
    return web.as_role(role).get("/audit/programme", params=query)


def text_of(fragment: str) -> str:
    """What a person reads in a piece of the page."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def section(page: str, name: str) -> str:
    """One section of the page; "" when it is not there."""
    found = re.search(rf'<section class="card" id="{name}".*?</section>', page, re.DOTALL)
    return found.group(0) if found else ""


def part(page: str, name: str) -> str:
    """The text of one section of the page."""
    return text_of(section(page, name))


def row(page: str, heading: str, name: str = "") -> str:
    """The text of the first table row (of a section) that starts with these words."""
    for found in re.findall(r"<tr>.*?</tr>", section(page, name) if name else page, re.DOTALL):
        if text_of(found).startswith(heading):
            return text_of(found)
    return ""


@pytest.mark.parametrize("role", READERS, ids=lambda role: role.value)
def test_officers_auditors_and_administrators_may_read_the_programme_at_a_past_date(
    web: Web, tags: list[str], role: Role
) -> None:
    response = get(web, role, **YEAR)

    assert response.status_code == 200
    assert "Le programme à une date passée" in response.text


def test_workshop_staff_may_not_read_it(web: Web) -> None:
    response = get(web, Role.WORKSHOP)

    assert response.status_code == 403
    assert "Accès refusé" in response.text


def test_someone_not_signed_in_is_sent_to_sign_in_and_back(web: Web) -> None:
    response = web.client().get("/audit/programme")

    assert response.status_code == 303
    assert response.headers["location"] == "/connexion?suite=/audit/programme"


def test_without_a_date_k_the_figures_are_read_by_the_dates_of_the_steps_as_corrected_since(
    web: Web, tags: list[str]
) -> None:
    page = get(web, **YEAR).text
    figures = part(page, "figures")

    assert "Les chiffres du 1 janv. 2025 au 31 déc. 2025" in figures
    assert row(page, "Dons reçus") == "Dons reçus 3"
    assert row(page, "Triés") == "Triés 2", "the triage entered late counts by its date"
    assert row(page, "Confiés") == "Confiés 1"
    assert "Transféré" not in figures, "the cancelled transfer does not count"
    assert row(page, "Participations reçues") == "Participations reçues 20,00 €"
    assert row(page, "Heures de travail") == "Heures de travail (reconditionnement) 1,5 h"
    assert "Tel que connu le" not in figures
    assert part(page, "changes") == ""


def test_with_a_date_k_the_two_readings_stand_side_by_side_with_their_difference(
    web: Web, tags: list[str]
) -> None:
    page = get(web, **YEAR, connu_le="2026-01-31").text
    figures = part(page, "figures")

    assert "Selon les dates des étapes, comme corrigé depuis" in figures
    assert "Tel que connu le 31 janv. 2026" in figures
    assert row(page, "Triés") == "Triés 2 1 +1"
    assert row(page, "Transféré") == "Transféré 0 1 -1"
    assert row(page, "Participations reçues") == "Participations reçues 20,00 € 25,00 € -5,00 €", (
        "the amount corrected after K"
    )
    assert row(page, "Dons reçus") == "Dons reçus 3 3 0"


def test_the_changes_since_k_say_what_was_entered_late_cancelled_or_corrected_and_when(
    web: Web, tags: list[str]
) -> None:
    loaned, sent, late = tags

    page = get(web, **YEAR, connu_le="31/01/2026").text
    changes = part(page, "changes")

    assert "Enregistré, annulé ou corrigé depuis le 31 janv. 2026" in changes
    by_tag = {tag: row(page, f"{tag} — voir son historique", "changes") for tag in tags}
    assert by_tag[loaned].endswith(
        "Prêt (n° 5) Corrigée : date de l'étape : 25 mars 2025 → 22 mars 2025 ; "
        "participation : 25,00 € → 20,00 € 05/02/2026 10:00"
    )
    assert by_tag[sent].endswith(
        "Envoi vers un autre site (n° 2) Annulée : l'étape du 2 avr. 2025, site ESAT-RANCE, "
        "ne compte plus. 06/02/2026 10:00"
    )
    assert by_tag[late].endswith(
        "Tri (n° 2) Saisie en retard : l'étape du 20 déc. 2025, site ESAT-RANCE, a été "
        "enregistrée après le 31 janv. 2026. 02/02/2026 10:00"
    )
    assert f'href="/audit/ordinateurs/{loaned}?au=2025-12-31&amp;connu_le=2026-01-31#n-5"' in page


def test_the_computers_on_the_last_day_are_counted_and_listed_in_the_reading_asked_for(
    web: Web, tags: list[str]
) -> None:
    loaned, sent, late = tags

    now = get(web, **YEAR, connu_le="2026-01-31").text
    then = get(web, **YEAR, connu_le="2026-01-31", lecture="connu", etat="awaiting_triage").text

    assert "Les ordinateurs le 31 déc. 2025" in part(now, "ordinateurs")
    assert row(now, "À trier") == "À trier ESAT-RANCE 1 1 0"
    assert row(now, "À reconditionner") == "À reconditionner ESAT-RANCE 1 0 +1"
    assert row(now, "Confié à un bénéficiaire") == "Confié à un bénéficiaire TL-REDON 1 1 0"
    assert row(then, "À trier") == "À trier ESAT-RANCE 1 1 0"

    def listed(page: str, tag: str) -> str:
        return row(page, f"{tag} — voir son historique", "ordinateurs").removeprefix(
            f"{tag} — voir son historique "
        )

    assert listed(now, sent) == "À trier ESAT-RANCE — 1 avr. 2025"
    assert listed(now, late) == "À reconditionner ESAT-RANCE B 20 déc. 2025"
    assert "Ordinateurs le 31 déc. 2025, tel que connu le 31 janv. 2026 — À trier" in then
    assert listed(then, late) == "À trier ESAT-RANCE — 15 déc. 2025"
    assert listed(then, sent) == "À trier TL-REDON — 2 avr. 2025"
    assert listed(then, loaned) == "", "filtered on the state"


def test_a_long_list_is_cut_into_pages_that_keep_the_choices(
    web: Web, tags: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(programme_as_of, "PAGE_SIZE", 2)

    first = get(web, **YEAR).text
    second = get(web, **YEAR, page="2").text

    assert "Page 1 sur 2" in first
    next_page = "?programme=CD35&amp;du=2025-01-01&amp;au=2025-12-31&amp;connu_le=&amp;etat="
    assert f'href="{next_page}&amp;lecture=&amp;page=2#ordinateurs"' in first
    assert "Page 2 sur 2" in second
    assert len(re.findall(r"voir son historique", part(second, "ordinateurs"))) == 1


@pytest.mark.parametrize("value", ["hier", "2025-02-30", "20250301", "32/01/2025"])
def test_a_malformed_date_is_explained_next_to_its_field_and_nothing_is_shown(
    web: Web, value: str
) -> None:
    response = get(web, **{**YEAR, "du": value})

    assert response.status_code == 400
    field = re.search(r'<div class="field has-error">.*?</div>', response.text, re.DOTALL)
    assert field
    assert 'for="f-du"' in field.group(0)
    assert NOT_A_DATE in field.group(0)
    assert 'aria-invalid="true"' in field.group(0)
    assert part(response.text, "figures") == ""


def test_a_malformed_date_k_keeps_the_figures_as_corrected_since(web: Web) -> None:
    response = get(web, **YEAR, connu_le="31/02/2026")

    assert response.status_code == 400
    assert NOT_A_DATE in response.text
    assert "Les chiffres du" in part(response.text, "figures")
    assert part(response.text, "changes") == ""


def test_an_end_before_the_start_is_refused_in_words(web: Web) -> None:
    response = get(web, programme="CD35", du="2025-12-31", au="2025-01-01")

    assert response.status_code == 400
    assert "La fin ne peut pas être avant le début." in response.text
    assert part(response.text, "figures") == ""


def test_an_unknown_programme_is_said_and_the_others_offered(web: Web) -> None:
    response = get(web, **{**YEAR, "programme": "ZZ99"})

    assert response.status_code == 400
    assert "Aucun programme n&#39;a le code « ZZ99 ». Choisissez-en un dans la liste." in (
        response.text
    )
    assert '<option value="CD35">' in response.text


def test_by_default_the_first_programme_and_the_last_full_calendar_year(web: Web) -> None:
    year = web.inventory.today().year - 1

    page = get(web).text

    assert '<option value="CD35" selected>' in page
    assert f'name="du" type="date" value="{year}-01-01"' in page
    assert f'name="au" type="date" value="{year}-12-31"' in page
    assert f"Les chiffres du 1 janv. {year} au 31 déc. {year}" in part(page, "figures")


def test_the_auditor_home_leads_to_the_page(web: Web) -> None:
    home = web.as_role(Role.AUDITOR).get("/audit").text

    assert 'href="/audit/programme"' in home
    assert "Le programme à une date passée" in home


def test_the_page_reads_in_english_from_the_catalog(web: Web, tags: list[str]) -> None:
    client = web.as_role(Role.AUDITOR)
    client.cookies.set("langue", "en")

    page = client.get("/audit/programme", params={**YEAR, "connu_le": "2026-01-31"}).text

    assert "The programme at a past date" in page
    assert "As known on Jan 31, 2026" in page
    assert "Le programme à une date passée" not in page
