"""Intake: register a donation batch, then print the labels of its computers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from projections import asset_register, directory
from projections.database import connection
from tracker.commands import DonatedUnit, RegisterDonation
from tracker.domain.exceptions import DomainError, InvalidTagError, InvalidValueError
from tracker.domain.site import SiteKind
from tracker.domain.user import Role
from tracker.label_sheets import Label, roll_pdf, sheet_pdf
from tracker.web.access import allow
from tracker.web.forms import Form, text
from tracker.web.pages import N_, REASONS, account_of, notify, page, refusal, t
from tracker.web.sign_in import services_of
from tracker.web.station_words import FORM_DAMAGED, field_error
from tracker.web.step_forms import read_date
from tracker.web.step_labels import VALUES

ROWS = 5  # empty lines shown at first, and added by "more lines"
MAX_ROWS = 500
UNIT_FIELDS = ("device_type", "brand", "model", "serial", "tag")
REGISTERED = N_("Don enregistré : %(count)s ordinateur(s). Imprimez leurs étiquettes et "
                "collez-les avant de ranger les ordinateurs.")  # fmt: skip
NO_UNIT = N_("Remplissez au moins une ligne : le type et la marque de chaque ordinateur.")
TAG_TAKEN = N_("Cette étiquette est déjà sur un autre ordinateur.")
BAD_TAG = N_("Cette étiquette ne convient pas. Utilisez seulement des lettres, des chiffres et "
             "des tirets. Elle ne doit pas ressembler aux étiquettes que le système donne "
             "(comme CD35-2026-00042).")  # fmt: skip
REQUIRED = REASONS["required"]


@dataclass(frozen=True)
class Row:
    """One line of the intake form, as typed."""

    index: int
    values: dict[str, str]

    @property
    def blank(self) -> bool:
        return not any(self.values.values())


class IntakeController(Controller):
    """The intake form, the page of a registered batch, and its labels."""

    @get("/atelier/dons/nouveau", opt=allow(Role.WORKSHOP), sync_to_thread=True)
    def show_intake(self, request: Request[Any, Any, Any]) -> Template:
        today = services_of(request).inventory.today().isoformat()
        values = {"command_id": str(uuid4()), "received_on": today}
        rows = [Row(i, {}) for i in range(ROWS)]
        return self._form(request, values, rows, {})

    @get("/atelier/dons/lignes", opt=allow(Role.WORKSHOP))
    async def show_more_rows(
        self, request: Request[Any, Any, Any], start: FromQuery[int] = ROWS
    ) -> Template:
        start = max(0, min(start, MAX_ROWS - ROWS))
        rows = [Row(i, {}) for i in range(start, start + ROWS)]
        context = {"rows": rows, "errors": {}, "next_start": start + ROWS}
        return page(request, "partials/intake_rows.html", context)

    @post("/atelier/dons/nouveau", opt=allow(Role.WORKSHOP), sync_to_thread=True)
    def register_donation(self, request: Request[Any, Any, Any], data: Form) -> Template | Redirect:
        services, account = services_of(request), account_of(request)
        assert account is not None  # noqa: S101 (the role guard admits only signed-in people)
        rows = _rows(data)
        errors = _row_errors(request, rows)
        filled = [row for row in rows if not row.blank]
        site = text(data, "site")
        try:
            if site not in account.sites:
                raise InvalidValueError(field="site", reason="unknown_choice")
            received_on = read_date(data, "received_on")
            command_id = UUID(text(data, "command_id"))
            if errors:
                return self._form(request, data, rows, errors, status=422)
            if not filled:
                return self._form(request, data, rows, {"units": t(request, NO_UNIT)}, 422)
            done = services.inventory.register_donation(RegisterDonation(
                command_id=command_id, actor=account.username, site=site,
                programme=services.inventory.site(site).programme, donor=text(data, "donor"),
                received_on=received_on, note=text(data, "note").strip(),
                units=tuple(DonatedUnit(**row.values) for row in filled),
            ))  # fmt: skip
        except ValueError:
            return self._form(request, data, rows, {"form": t(request, FORM_DAMAGED)}, 422)
        except DomainError as error:
            return self._form(request, data, rows, _error_of(request, error, filled), 422)
        if done.position is not None:
            services.after_write(done.position)
        notify(request, t(request, REGISTERED, count=len(done.tags)))
        return Redirect(f"/atelier/dons/{done.batch_id}", status_code=303)

    @get("/atelier/dons/{batch_id:uuid}", opt=allow(Role.WORKSHOP), sync_to_thread=True)
    def show_donation(self, request: Request[Any, Any, Any], batch_id: FromPath[UUID]) -> Template:
        services = services_of(request)
        batch = services.inventory.donation(batch_id)
        with connection(services.database) as conn:
            computers = asset_register.of_batch(conn, batch_id)
            donors = {donor.code: donor for donor in directory.donors(conn)}
            sites = {site.code: site for site in directory.sites(conn)}
        return page(request, "pages/donation.html", {
            "batch": batch, "computers": computers, "donor": donors.get(batch.donor),
            "site": sites.get(batch.site),
        })  # fmt: skip

    @get("/atelier/dons/{batch_id:uuid}/etiquettes.pdf", opt=allow(Role.WORKSHOP),
         sync_to_thread=True)  # fmt: skip
    def print_labels(
        self,
        request: Request[Any, Any, Any],
        batch_id: FromPath[UUID],
        format: FromQuery[str] = "planche",  # noqa: A002 (the query's name, in the page's words)
        skip: FromQuery[int] = 0,
    ) -> Response[bytes]:
        services = services_of(request)
        batch = services.inventory.donation(batch_id)
        with connection(services.database) as conn:
            computers = asset_register.of_batch(conn, batch_id)
        labels = [_label(request, tag, computers.get(tag), batch.programme) for tag in batch.tags]
        return _pdf(sheet_pdf(labels, skip=max(0, min(skip, 20))) if format != "rouleau"
                    else roll_pdf(labels), f"etiquettes-{batch.received_on}.pdf")  # fmt: skip

    def _form(
        self,
        request: Request[Any, Any, Any],
        values: dict[str, Any],
        rows: list[Row],
        errors: dict[str, str],
        status: int = 200,
    ) -> Template:
        account = account_of(request)
        with connection(services_of(request).database) as conn:
            donors = [donor for donor in directory.donors(conn) if donor.active]
            sites = [s for s in directory.sites(conn) if account and s.code in account.sites]
        sites.sort(key=lambda site: site.kind != SiteKind.SORTING_WORKSHOP)  # intake is there
        return page(request, "pages/intake.html", {
            "values": values, "rows": rows, "errors": errors, "donors": donors, "sites": sites,
            "next_start": len(rows),
        }, status=status)  # fmt: skip


def computer_label(request: Request[Any, Any, Any], entry: asset_register.RegisterEntry) -> Label:
    """The label of one computer, from its register line."""
    return _label(request, entry.tag, entry, entry.programme)


def _label(
    request: Request[Any, Any, Any], tag: str, entry: asset_register.RegisterEntry | None,
    programme: str,
) -> Label:  # fmt: skip
    if entry is None:
        return Label(tag=tag, title="", subtitle=programme)
    kind = t(request, VALUES.get(entry.device_type, entry.device_type))
    title = " ".join(part for part in (kind, "·", entry.brand, entry.model) if part)
    serial = f"S/N {entry.serial} · " if entry.serial else ""
    return Label(tag=tag, title=title, subtitle=f"{serial}{programme}")


def _pdf(content: bytes, filename: str) -> Response[bytes]:
    return Response(content, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})  # fmt: skip


def _rows(form: dict[str, Any]) -> list[Row]:
    count = min(MAX_ROWS, max(ROWS, _int(text(form, "rows"))))
    rows = []
    for i in range(count):
        values = {name: text(form, f"units.{i}.{name}").strip() for name in UNIT_FIELDS}
        rows.append(Row(i, values))
    return rows


def _row_errors(request: Request[Any, Any, Any], rows: list[Row]) -> dict[str, str]:
    errors = {}
    for row in rows:
        if row.blank:
            continue
        for name in ("device_type", "brand"):
            if not row.values[name]:
                errors[f"units.{row.index}.{name}"] = t(request, REQUIRED)
    return errors


def _error_of(
    request: Request[Any, Any, Any], error: DomainError, filled: list[Row]
) -> dict[str, str]:
    """Where to show a refusal of the domain: the row it is about when it names a tag."""
    tag = str(error.details.get("tag", ""))
    row = next((r for r in filled if tag and r.values["tag"].upper() == tag.upper()), None)
    if row is not None:
        message = TAG_TAKEN if error.code == "duplicate_tag" else BAD_TAG
        return {f"units.{row.index}.tag": t(request, message)}
    if isinstance(error, InvalidTagError):
        return {"units": t(request, BAD_TAG)}
    errors = field_error(request, error)
    if "occurred_on" in errors:
        errors["received_on"] = errors.pop("occurred_on")
    return errors or {"form": refusal(request, error)}


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        return 0
