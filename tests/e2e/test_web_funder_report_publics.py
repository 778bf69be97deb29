"""The funder report's beneficiaries by public over HTTP: the page, the drill-down, the files.

The line FSE-2026-PRETS pays FSE-PLUS for hand-outs at TL-REDON to people on minimum income
or seeking a job. Both computers of the store are handed out there today: one to Maïwenn
Quéméner (minimum income and jobseeker), one to Gaël Trégouët (16-25 only). The line counts one
beneficiary of its publics among the two people reached; no name ever appears in the report.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

import pypdfium2
import pytest
from test_web_funder_report import get, region, text_of, xlsx_rows

from tracker.accounts import Account
from tracker.commands import Loan, Recondition, RecordDataWipe, StepCommand, Transfer, Triage
from tracker.domain.beneficiary import PersonalDetails
from tracker.domain.user import Role
from tracker.domain.vocabulary import Check

if TYPE_CHECKING:
    from tests.e2e.conftest import Web

LINE = "FSE-2026-PRETS"
REPORT = "/audit/financeurs/FSE-PLUS/rapport"
ADMIN = Account(UUID(int=7), "admin", "Admin", frozenset({Role.ADMIN}), (), True, 1)
PEOPLE = {
    "Maïwenn Quéméner": ("06 11 22 33 44", ("minimum_income", "jobseeker")),
    "Gaël Trégouët": ("07 55 66 77 88", ("young_16_25",)),
}
COUNTED = "Bénéficiaires comptés par la ligne (dans au moins un de ses publics)"


@pytest.fixture(scope="module")
def period(web: Web) -> dict[str, str]:
    """Both computers handed out today at the third place, to the two people above."""
    inventory, (shop, third_place) = web.inventory, web.sites
    today = inventory.today()
    inventory.register_funding_line(
        code=LINE, funder=web.funder, programme=web.programme, starts_on=date(today.year, 1, 1),
        ends_on=date(today.year, 12, 31), stages=["loaned"], sites=[third_place],
        categories=["minimum_income", "jobseeker"], actor="test",
    )  # fmt: skip
    for tag, (name, (phone, publics)) in zip(web.tags, PEOPLE.items(), strict=True):
        given, family = name.split(" ")
        code = web.services.register.register(
            ADMIN, third_place=third_place, categories=publics, consent=True,
            details=PersonalDetails.checked(given_name=given, family_name=family, phone=phone),
        ).code  # fmt: skip

        def record(kind: type[StepCommand], site: str = shop, tag: str = tag,
                   **fields: Any) -> None:  # fmt: skip
            inventory.record(kind(
                command_id=uuid4(), tag=tag, seen_version=inventory.computer(tag).version,
                actor="test", site=site, occurred_on=today, **fields,
            ))  # fmt: skip

        record(Triage, checks={str(c): "ok" for c in Check}, grade="B", outcome="recondition")
        record(RecordDataWipe, method="no_storage", result="success")
        record(Recondition, work_done=["cleaning"], operating_system="Debian 12",
               quality_check_passed=True, hours_of_work=Decimal(2), final_grade="A")  # fmt: skip
        record(Transfer, to_site=third_place)
        record(Loan, third_place, beneficiary_code=code, agreement_start=today,
               agreement_end=date(today.year + 2, today.month, min(today.day, 28)),
               contribution_eur=Decimal(25), contribution_method="cash")  # fmt: skip
    return {"du": f"{today.year}-01-01", "au": f"{today.year}-12-31"}


def no_one_named_in(text: str) -> None:
    for name, (phone, _) in PEOPLE.items():
        for word in (*name.split(" "), phone):
            assert word not in text, word


def test_the_page_gives_each_public_of_the_line_and_says_how_to_read_them(
    web: Web, period: dict[str, str]
) -> None:
    page = get(web, REPORT, **period).text
    line = text_of(region(page, f"line-{LINE}"))
    publics = text_of(region(page, f"line-{LINE}-publics"))

    assert "Ses bénéficiaires distincts sont les personnes inscrites dans au moins un" in line
    assert "Remise au bénéficiaire (prêt) 2 2 — sans objet 50,00 € 1 — sans objet" in line
    assert f"{COUNTED} 1" in publics
    assert "dont : allocataire de minima sociaux (RSA, ASS…) 1" in publics
    assert "dont : demandeur d'emploi 1" in publics
    assert "Seulement dans d'autres publics (pas comptés par cette ligne) 1" in publics
    assert "Toutes les personnes qui ont reçu un ordinateur par les prêts de la ligne 2" in publics
    assert "les nombres par public ne s'additionnent pas" in line
    other = text_of(region(page, f"line-{web.funding_line}"))
    assert "Elle ne paie pas la remise aux bénéficiaires" in other
    assert "viendra avec le registre" not in page
    no_one_named_in(page)
    assert "BN-" not in page, "not even a pseudonymous code"


def test_both_readings_sit_side_by_side_for_a_report_issued_on_a_past_day(
    web: Web, period: dict[str, str]
) -> None:
    yesterday = date.fromordinal(web.inventory.today().toordinal() - 1).isoformat()
    page = get(web, REPORT, **period, connu_le=yesterday).text
    publics = text_of(region(page, f"line-{LINE}-publics"))

    assert "Public Le " in publics
    assert f"{COUNTED} 0 1" in publics  # nothing was handed out yet on that day
    pdf = pypdfium2.PdfDocument(get(web, f"{REPORT}.pdf", **period, connu_le=yesterday).content)
    pdf_text = " ".join(" ".join(p.get_textpage().get_text_range() for p in pdf).split())
    assert f"{COUNTED} 0 1" in pdf_text
    assert pdf_text.count("Aucune étape comptée par cette ligne n'a changé depuis ce jour.") == 2


def test_the_loans_behind_the_figure_count_the_same_beneficiaries(
    web: Web, period: dict[str, str]
) -> None:
    page = get(web, f"{REPORT}/etapes", **period, ligne=LINE, etape="loaned").text

    assert "Bénéficiaires distincts 1" in text_of(region(page, "figures"))
    assert len(re.findall(r'href="/audit/ordinateurs/', page)) == 2, "every loan is listed"
    assert "Les prêts ci-dessous sont tous ceux de la ligne" in page
    assert f"{COUNTED} 1" in text_of(region(page, f"line-{LINE}-publics"))
    no_one_named_in(page)


def test_the_csv_xlsx_and_pdf_give_the_same_counts_by_public_and_no_name(
    web: Web, period: dict[str, str]
) -> None:
    csv_text = get(web, f"{REPORT}.csv", **period).content.decode("utf-8-sig")
    rows = {(r["Ligne"], r["Public"]): r for r in csv.DictReader(io.StringIO(csv_text))}
    xlsx = xlsx_rows(get(web, f"{REPORT}.xlsx", **period).content)
    pdf = pypdfium2.PdfDocument(get(web, f"{REPORT}.pdf", **period).content)
    pdf_text = " ".join(" ".join(p.get_textpage().get_text_range() for p in pdf).split())

    assert rows[(LINE, COUNTED)]["Bénéficiaires distincts"] == "1"
    assert rows[(LINE, "dont : demandeur d'emploi")]["Bénéficiaires distincts"] == "1"
    assert (
        rows[(LINE, "allocataire de minima sociaux (RSA, ASS…), demandeur d'emploi")][
            "Bénéficiaires distincts"
        ]
        == "1"
    )  # the hand-outs' row names the publics it counts
    counted = next(r for r in xlsx if r[1:2] == [LINE] and COUNTED in r)
    assert counted[8:10] == ["1", COUNTED]  # the count, then its public (empty cells are left out)
    assert f"Ligne {LINE} : bénéficiaires par public" in pdf_text
    assert "ne s'additionnent pas pour donner le total" in pdf_text
    for text in (csv_text, str(xlsx), pdf_text):
        no_one_named_in(text)
