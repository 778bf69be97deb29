"""The funder report over HTTP: the page, the steps behind a figure, and its PDF, CSV and XLSX.

The store's funding line FSE-2026-CD35 pays FSE-PLUS for triage and reconditioning at
ESAT-RANCE in 2026. With a clock set in March 2026: three computers donated on the 2nd, X
triaged at ESAT-RANCE on the 3rd and reconditioned there on the 5th (2.5 h), Y triaged at
TL-REDON (not counted: another site), Z triaged at ESAT-RANCE on the 4th; on the 20th X's hours
are corrected to 3 h. A report issued on 10 March saw 2.5 h.
"""

from __future__ import annotations

import csv
import html
import io
import re
import zipfile
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import uuid4
from xml.etree import ElementTree

import pypdfium2
import pytest
from click.testing import CliRunner

from tracker.cli import cli
from tracker.commands import (
    CorrectDetails,
    DonatedUnit,
    Recondition,
    RecordDataWipe,
    RegisterDonation,
    StepCommand,
    Triage,
)  # fmt: skip
from tracker.domain.user import Role
from tracker.domain.vocabulary import Check
from tracker.integrity import Link, chained

if TYPE_CHECKING:
    from tests.e2e.conftest import Web

MARCH = {day: date(2026, 3, day) for day in range(1, 32)}
PERIOD = {"du": "2026-01-01", "au": "2026-12-31"}
REPORT = "/audit/financeurs/FSE-PLUS/rapport"
NOT_A_DATE = "Ce n&#39;est pas une date. Exemple : 21/11/2026."
SHEET = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


@pytest.fixture(scope="module")
def tags(web: Web) -> dict[str, str]:
    """The two computers of the story above, recorded through the application."""
    inventory, moment = web.inventory, [datetime(2026, 3, 2, 10, tzinfo=UTC)]
    real_clock, inventory.clock = inventory.clock, lambda: moment[0]
    shop, third_place = web.sites
    try:
        x, y, z = inventory.register_donation(RegisterDonation(
            command_id=uuid4(), actor="amelie.r", site=shop, programme=web.programme,
            donor=web.donor, received_on=MARCH[2],
            units=(DonatedUnit(device_type="laptop", brand="Lenovo"),
                   DonatedUnit(device_type="laptop", brand="Dell"),
                   DonatedUnit(device_type="desktop", brand="HP")),
        )).tags  # fmt: skip

        def record(day: int, kind: type[StepCommand], tag: str, site: str = shop,
                   **fields: Any) -> None:  # fmt: skip
            moment[0] = datetime.combine(MARCH[day], time(10), tzinfo=UTC)
            inventory.record(kind(
                command_id=uuid4(), tag=tag, seen_version=inventory.computer(tag).version,
                actor="amelie.r", site=site, occurred_on=MARCH[day], **fields,
            ))  # fmt: skip

        checks = {str(c): "ok" for c in Check}
        record(3, Triage, x, checks=checks, grade="B", outcome="recondition")
        record(3, RecordDataWipe, x, method="no_storage", result="success")
        record(
            5,
            Recondition,
            x,
            work_done=["cleaning"],
            operating_system="Debian 12",
            quality_check_passed=True,
            hours_of_work=Decimal("2.5"),
            final_grade="A",
        )
        record(3, Triage, y, third_place, checks=checks, grade="B", outcome="recondition")
        record(4, Triage, z, checks=checks, grade="C", outcome="dismantle")
        record(20, CorrectDetails, x, version=4, reason="relu", changes={"hours_of_work": "3"})
    finally:
        inventory.clock = real_clock
    web.services.after_write(web.position())
    return {"X": x, "Y": y, "Z": z}


def get(web: Web, path: str, role: Role = Role.AUDITOR, **query: str) -> Any:
    web.services.after_write(web.position())
    return web.as_role(role).get(path, params=query)


def text_of(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def region(page: str, element_id: str) -> str:
    found = re.search(rf'<(section|div|dl)[^>]* id="{element_id}".*?</\1>', page, re.DOTALL)
    assert found, f"no #{element_id}"
    return found.group(0)


def verify_command(page: str) -> str:
    """The command printed on the report, as it is copied (line-break hints left out)."""
    found = re.search(r'<code id="verify-command">(.*?)</code>', page, re.DOTALL)
    assert found, "no command on the page"
    return found.group(1).replace("<wbr>", "")


def head_of(web: Web) -> Link:
    head = chained(web.inventory.recorder).head()
    assert head is not None
    return head


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.OFFICER, Role.ADMIN], ids=str)
def test_auditors_officers_and_administrators_read_the_report(
    web: Web, tags: dict[str, str], role: Role
) -> None:
    response = get(web, REPORT, role, **PERIOD)

    assert response.status_code == 200
    assert "Rapport du financeur Fonds social européen (FSE+) (FSE-PLUS)" in response.text


def test_workshop_staff_may_not_read_a_report_nor_download_it(
    web: Web, tags: dict[str, str]
) -> None:
    for path in (REPORT, f"{REPORT}.pdf", f"{REPORT}.csv", f"{REPORT}/etapes"):
        assert get(web, path, Role.WORKSHOP, **PERIOD).status_code == 403


def test_the_page_gives_each_figure_with_a_link_to_its_steps_and_the_chain_link(
    web: Web, tags: dict[str, str]
) -> None:
    page = get(web, REPORT, **PERIOD).text
    line = region(page, "line-FSE-2026-CD35")
    rows = {text_of(row).split(" ")[0]: text_of(row)
            for row in re.findall(r"<tr><th scope=\"row\">.*?</tr>", line, re.DOTALL)}  # fmt: skip
    head = head_of(web)

    assert rows["Tri"].startswith("Tri 2 2 —")
    assert rows["Reconditionnement"].startswith("Reconditionnement 1 1 3 —")
    drill_down = "etapes?du=2026-01-01&amp;au=2026-12-31&amp;ligne=FSE-2026-CD35&amp;etape="
    assert f'href="{REPORT}/{drill_down}reconditioned"' in line
    proof = text_of(region(page, "proof"))
    assert f"Journal lu jusqu'au : n° {head.position:,}".replace(",", "\u202f") in proof
    assert verify_command(page) == f"tracker verify --tete {head.position}:{head.link.hex()}"
    assert "(fuseau horaire Europe/Paris)" in proof


def test_a_report_issued_on_a_past_day_shows_both_readings_and_what_changed(
    web: Web, tags: dict[str, str]
) -> None:
    page = get(web, REPORT, **PERIOD, connu_le="2026-03-10").text
    line = text_of(region(page, "line-FSE-2026-CD35"))

    assert "ce que l'on savait le 10 mars 2026 Étape" in line
    assert "Reconditionnement 1 1 2,5" in line
    assert "aujourd'hui, corrigé depuis Étape" in line
    assert "Reconditionnement 1 1 3" in line
    changes = text_of(region(page, "line-FSE-2026-CD35-changes"))
    assert f"{tags['X']} n° 4" in changes
    assert (
        "corrigée depuis 5 mars 2026 · ESAT-RANCE · 2,5 h 5 mars 2026 · ESAT-RANCE · 3 h" in changes
    )


def test_the_steps_behind_a_figure_are_exactly_those_it_counts(
    web: Web, tags: dict[str, str]
) -> None:
    response = get(web, f"{REPORT}/etapes", **PERIOD, ligne="FSE-2026-CD35", etape="triaged")
    listed = re.findall(r'href="/audit/ordinateurs/([^"#]+)#n-(\d+)"', response.text)

    assert response.status_code == 200
    assert listed == [(tags["X"], "2"), (tags["Z"], "2")], "Y was triaged at another site"
    assert "Étapes comptées 2" in text_of(region(response.text, "figures"))


def test_a_long_list_of_steps_comes_a_page_at_a_time(
    web: Web, tags: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tracker.web.funder_report.PAGE_SIZE", 1)
    query = {**PERIOD, "ligne": "FSE-2026-CD35", "etape": "triaged"}
    first = get(web, f"{REPORT}/etapes", **query).text
    second = get(web, f"{REPORT}/etapes", **query, page="2").text

    assert f"/audit/ordinateurs/{tags['X']}#n-2" in first
    assert f"/audit/ordinateurs/{tags['Z']}#n-2" not in first
    assert "Page 1 sur 2" in first
    assert 'rel="next"' in first
    assert f"/audit/ordinateurs/{tags['Z']}#n-2" in second
    assert 'rel="prev"' in second


def test_the_csv_holds_the_figures_the_generation_time_and_the_chain_link(
    web: Web, tags: dict[str, str]
) -> None:
    response = get(web, f"{REPORT}.csv", **PERIOD)
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    head = head_of(web)

    assert response.headers["content-disposition"] == (
        'attachment; filename="rapport-FSE-PLUS-2026-01-01-2026-12-31.csv"'
    )
    mine = {(r["Ligne"], r["Étape"]): r for r in rows}
    assert mine[("FSE-2026-CD35", "Reconditionnement")]["Heures de travail en insertion"] == "3.00"
    assert mine[("FSE-2026-CD35", "Tri")]["Étapes comptées"] == "2"
    assert mine[("Total", "Tri")]["Ordinateurs"] == "2"
    assert {r["Journal lu jusqu'au n°"] for r in rows} == {str(head.position)}
    assert {r["Empreinte du maillon"] for r in rows} == {head.link.hex()}
    generated = datetime.fromisoformat(rows[0]["Établi le"])
    assert generated.utcoffset() is not None
    assert abs((datetime.now(UTC) - generated).total_seconds()) < 3600


def xlsx_rows(content: bytes) -> list[list[str]]:
    """The first sheet's cells as text, row by row (shared strings resolved)."""
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        strings = [
            "".join(t.text or "" for t in item.iter(f"{SHEET}t"))
            for item in ElementTree.fromstring(book.read("xl/sharedStrings.xml"))  # noqa: S314 (ours)
        ]
        sheet = ElementTree.fromstring(book.read("xl/worksheets/sheet1.xml"))  # noqa: S314
    rows = []
    for row in sheet.iter(f"{SHEET}row"):
        cells = []
        for c in row.iter(f"{SHEET}c"):
            value = c.findtext(f"{SHEET}v") or ""
            cells.append(strings[int(value)] if c.get("t") == "s" else value)
        rows.append(cells)
    return rows


def test_the_xlsx_holds_the_figures_the_generation_time_and_the_chain_link(
    web: Web, tags: dict[str, str]
) -> None:
    response = get(web, f"{REPORT}.xlsx", **PERIOD)
    rows = xlsx_rows(response.content)
    head = head_of(web)

    assert response.headers["content-disposition"].endswith('.xlsx"')
    assert rows[0][0] == "Rapport du financeur Fonds social européen (FSE+) (FSE-PLUS)"
    assert f"maillon n° {head.position}, empreinte {head.link.hex()}" in rows[1][0]
    assert re.fullmatch(r"Généré le \d{4}-\d{2}-\d{2} \d{2}:\d{2} \(CES?T\)", rows[2][0])
    reconditioned = next(r for r in rows if r[:2] == ["FSE-PLUS", "FSE-2026-CD35"]
                         and r[6] == "Reconditionnement")  # fmt: skip
    assert (reconditioned[8], reconditioned[10]) == ("1", "3")
    assert reconditioned[-1] == head.link.hex()


def test_the_pdf_holds_the_figures_the_generation_time_and_the_chain_link(
    web: Web, tags: dict[str, str]
) -> None:
    response = get(web, f"{REPORT}.pdf", **PERIOD, connu_le="2026-03-10")
    document = pypdfium2.PdfDocument(response.content)
    text = "\n".join(page.get_textpage().get_text_range() for page in document)
    head = head_of(web)

    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == (
        'attachment; filename="rapport-FSE-PLUS-2026-01-01-2026-12-31-connu-2026-03-10.pdf"'
    )
    assert "Rapport du financeur Fonds social européen (FSE+)" in text
    assert "Période : du 1 janvier 2026 au 31 décembre 2026" in text
    assert "Lecture : ce que l'on savait le 10 mars 2026" in text
    when = r"\d+ \w+\.? 2\d{3}, \d{2}:\d{2}:\d{2}"
    assert re.search(rf"Établi le : {when} \(fuseau horaire Europe/Paris\)", text)
    assert f"tracker verify --tete {head.position}:{head.link.hex()}" in text
    assert "Reconditionnement 1 1 2,5" in text
    assert "Reconditionnement 1 1 3" in text


def test_the_command_line_accepts_the_chain_link_printed_on_the_report(
    web: Web, tags: dict[str, str]
) -> None:
    printed = verify_command(get(web, REPORT, **PERIOD).text).removeprefix("tracker verify --tete ")

    env = {"TRACKER_DATABASE_URL": web.settings.database_url}
    result = CliRunner().invoke(cli, ["verify", "--tete", printed], env=env)

    assert result.exit_code == 0, result.output
    assert "correspond à l'empreinte du rapport" in result.output


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"du": "2026-02-30", "au": "2026-12-31"}, "du", NOT_A_DATE),
        ({"du": "2026-01-01", "au": "hier"}, "au", NOT_A_DATE),
        ({"du": "2026-06-01", "au": "2026-01-31"}, "au",
         "La fin de la période est avant son début : corrigez l&#39;une des deux dates."),
        ({"connu_le": "2999-01-01"}, "connu_le", "Ce jour n&#39;est pas encore passé"),
    ],
    ids=["impossible day", "not a date", "end before start", "day to come"],
)  # fmt: skip
def test_a_bad_period_is_explained_in_french_next_to_its_field(
    web: Web, tags: dict[str, str], query: dict[str, str], field: str, message: str
) -> None:
    response = get(web, REPORT, **query)
    download = get(web, f"{REPORT}.csv", **query)

    assert response.status_code == 400
    found = re.search(r'<div class="field has-error">.*?</div>', response.text, re.DOTALL)
    assert found
    assert f'for="f-{field}"' in found.group(0)
    assert message in found.group(0)
    assert 'id="proof"' not in response.text
    assert download.status_code == 400


def test_an_unknown_funder_or_line_answers_the_page_not_found(
    web: Web, tags: dict[str, str]
) -> None:
    assert get(web, "/audit/financeurs/NOBODY/rapport").status_code == 404
    no_figure = get(web, f"{REPORT}/etapes", **PERIOD)
    assert no_figure.status_code == 303
    assert no_figure.headers["location"] == f"{REPORT}?du=2026-01-01&au=2026-12-31"
    assert get(web, f"{REPORT}/etapes", ligne="NOPE", etape="triaged").status_code == 404
    assert get(web, f"{REPORT}/etapes", **PERIOD, ligne="FSE-2026-CD35",
               etape="loaned").status_code == 404  # fmt: skip


def test_without_a_period_the_report_covers_the_last_whole_year(web: Web) -> None:
    page = get(web, REPORT).text
    year = web.inventory.today().year - 1

    assert f'name="du" type="date" value="{year}-01-01"' in page
    assert f'name="au" type="date" value="{year}-12-31"' in page


def test_the_funders_list_leads_to_each_report(web: Web) -> None:
    page = get(web, "/gestion/financeurs").text

    assert 'href="/audit/financeurs/FSE-PLUS/rapport"' in page
