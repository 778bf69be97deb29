"""Intake over HTTP: a donation batch registered once, its mistakes shown per cell, its labels."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

import httpx
import pypdfium2 as pdfium
import pytest
import zxingcpp

from tracker.domain.user import Role

if TYPE_CHECKING:
    from tests.e2e.conftest import Client, Web

NEW = "/atelier/dons/nouveau"
SCALE = 300 / 72  # render at 300 dpi, what a label printer prints


@pytest.fixture
def workshop(web: Web) -> Client:
    return web.as_role(Role.WORKSHOP)


def intake(web: Web, *rows: dict[str, str], **fields: Any) -> dict[str, Any]:
    """An intake form with these lines filled (the others left blank, as people leave them)."""
    today = web.inventory.today().isoformat()
    form: dict[str, Any] = {"command_id": str(uuid4()), "site": web.sites[0], "donor": web.donor,
                            "received_on": today, "rows": "5"}  # fmt: skip
    for index, row in enumerate(rows):
        form |= {f"units.{index}.{name}": value for name, value in row.items()}
    return form | fields


def laptop(**fields: str) -> dict[str, str]:
    return {"device_type": "laptop", "brand": "Lenovo", "model": "T480", **fields}


def refused(web: Web, client: Client, form: dict[str, Any], field: str, sentence: str) -> str:
    """Send a form expected to be refused: the sentence beside `field`, and nothing recorded."""
    before = web.position()
    response = web.post(client, NEW, form)
    assert response.status_code == 422, response.text
    page = html.unescape(response.text)
    found = re.search(rf'id="f-{re.escape(field)}-error">([^<]*)<', page)
    assert found, f"no error shown beside {field}"
    assert sentence in found.group(1)
    assert web.position() == before
    return page


def registered(web: Web, response: httpx.Response) -> UUID:
    assert response.status_code == 303, response.text
    found = re.fullmatch(r"/atelier/dons/([0-9a-f-]{36})", response.headers["location"])
    assert found, response.headers["location"]
    return UUID(found.group(1))


# -- refusals -----------------------------------------------------------------------------------


def test_an_intake_with_no_line_filled_is_refused(web: Web, workshop: Client) -> None:
    before = web.position()
    response = web.post(workshop, NEW, intake(web))
    assert response.status_code == 422
    assert "Remplissez au moins une ligne" in html.unescape(response.text)
    assert web.position() == before


def test_a_line_with_a_brand_but_no_type_is_refused_in_that_cell(
    web: Web, workshop: Client
) -> None:
    form = intake(web, laptop(), laptop(device_type=""))
    refused(web, workshop, form, "units.1.device_type", "Ce champ est obligatoire.")


def test_the_same_pre_printed_label_on_two_lines_is_refused(web: Web, workshop: Client) -> None:
    form = intake(web, laptop(tag="ASSO-0101"), laptop(tag="asso-0101"))
    page = refused(web, workshop, form, "units.0.tag", "Cette étiquette est déjà")
    assert 'value="asso-0101"' in page  # both lines are kept as typed


def test_a_pre_printed_label_already_on_another_computer_is_refused(
    web: Web, workshop: Client
) -> None:
    registered(web, web.post(workshop, NEW, intake(web, laptop(tag="ASSO-0202"))))
    form = intake(web, laptop(), laptop(tag="ASSO-0202"))
    refused(web, workshop, form, "units.1.tag", "Cette étiquette est déjà sur un autre ordinateur")


def test_an_intake_dated_after_today_is_refused(web: Web, workshop: Client) -> None:
    tomorrow = (web.inventory.today() + timedelta(days=1)).isoformat()
    form = intake(web, laptop(), received_on=tomorrow)
    refused(web, workshop, form, "received_on", "La date ne peut pas être après aujourd'hui.")


def test_an_intake_at_a_site_that_is_not_one_of_mine_is_refused(web: Web, workshop: Client) -> None:
    form = intake(web, laptop(), site="ESAT-FOUGERES")
    refused(web, workshop, form, "site", "Choisissez une des possibilités proposées.")


def test_a_received_date_before_the_year_2000_is_taken_for_a_slip_and_refused(
    web: Web, workshop: Client
) -> None:
    form = intake(web, laptop(), received_on="1985-06-01")
    refused(web, workshop, form, "received_on", "Ce n'est pas une date.")


# -- registering --------------------------------------------------------------------------------


def test_a_valid_intake_opens_the_batch_page_listing_the_new_tags(
    web: Web, workshop: Client
) -> None:
    response = web.post(workshop, NEW, intake(web, laptop(serial="PF-1"), laptop(tag="ASSO-0303")))
    batch = web.inventory.donation(registered(web, response))

    page = workshop.get(response.headers["location"])

    assert page.status_code == 200
    assert len(batch.tags) == 2
    assert "ASSO-0303" in batch.tags
    for tag in batch.tags:
        assert f'<a href="/ordinateurs/{tag}"><code>{tag}</code></a>' in page.text
    assert "Don enregistré : 2 ordinateur(s)" in html.unescape(page.text)
    assert (batch.site, batch.donor) == (web.sites[0], web.donor)


def test_an_intake_sent_twice_registers_one_batch(web: Web, workshop: Client) -> None:
    form = intake(web, laptop(), laptop())
    first = registered(web, web.post(workshop, NEW, form))
    before = web.position()

    again = registered(web, web.post(workshop, NEW, form))

    assert again == first
    assert web.position() == before


# -- labels -------------------------------------------------------------------------------------


def qr_codes(pdf: bytes) -> list[list[str]]:
    """The text of every QR code on each page of the PDF."""
    document = pdfium.PdfDocument(pdf)
    pages = []
    for page in document:
        image = page.render(scale=SCALE, grayscale=True).to_pil()
        found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
        pages.append([code.text for code in found])
    return pages


@pytest.fixture(scope="module")
def batch(web: Web) -> tuple[UUID, tuple[str, ...]]:
    """Five computers, one of them with a pre-printed label, registered through the form."""
    rows = [laptop(serial=f"SN-{n}") for n in range(4)]
    form = intake(web, *rows, laptop(tag="ASSO-0404"))
    batch_id = registered(web, web.post(web.as_role(Role.WORKSHOP), NEW, form))
    return batch_id, tuple(web.inventory.donation(batch_id).tags)


def test_the_a4_sheet_of_a_batch_carries_one_readable_qr_code_per_computer(
    workshop: Client, batch: tuple[UUID, tuple[str, ...]]
) -> None:
    batch_id, tags = batch
    response = workshop.get(
        f"/atelier/dons/{batch_id}/etiquettes.pdf", params={"format": "planche"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    pages = qr_codes(response.content)
    assert len(pages) == 1
    assert sorted(pages[0]) == sorted(tags)


def test_the_roll_of_a_batch_prints_one_label_per_computer_in_order(
    workshop: Client, batch: tuple[UUID, tuple[str, ...]]
) -> None:
    batch_id, tags = batch
    response = workshop.get(
        f"/atelier/dons/{batch_id}/etiquettes.pdf", params={"format": "rouleau"}
    )
    assert response.status_code == 200
    assert qr_codes(response.content) == [[tag] for tag in tags]


def test_a_computer_s_own_label_reads_back_as_its_tag(
    workshop: Client, batch: tuple[UUID, tuple[str, ...]]
) -> None:
    tag = batch[1][-1]
    response = workshop.get(f"/ordinateurs/{tag.lower()}/etiquette.pdf")
    assert response.status_code == 200
    assert qr_codes(response.content) == [[tag]]


@pytest.mark.parametrize("pattern", ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y"])
def test_the_received_date_is_read_as_a_date_field_sends_it_or_as_people_type_it(
    web: Web, workshop: Client, pattern: str
) -> None:
    received = web.inventory.today() - timedelta(days=30)
    form = intake(web, laptop(), received_on=received.strftime(pattern))
    batch = web.inventory.donation(registered(web, web.post(workshop, NEW, form)))
    assert batch.received_on == received
    assert all(f"-{received.year}-" in tag for tag in batch.tags)
