"""The scan station: scan or search a computer, see its card, record a step, undo it.

Every answer is a full page, or for htmx the fragment that replaces the station area (`#station`)
with the confirmation sent out of band to the page's live notice area.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

from babel.dates import format_time
from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from projections import asset_register, directory
from projections.database import connection
from tracker.accounts import Account
from tracker.domain import asset_tag
from tracker.domain.exceptions import (
    DomainError,
    InvalidTagError,
    UnknownComputerError,
    VersionConflictError,
)
from tracker.domain.lifecycle import Step
from tracker.domain.site import SiteKind
from tracker.domain.user import Role
from tracker.label_sheets import roll_pdf, sheet_pdf
from tracker.station import Card, Station, sites_for_next_step
from tracker.web import beneficiary_picker, step_forms
from tracker.web.access import EVERYONE, allow
from tracker.web.forms import Form, text
from tracker.web.forms import values as values_of
from tracker.web.intake import computer_label
from tracker.web.pages import N_, REASONS, account_of, language, notify, page, t
from tracker.web.sign_in import services_of
from tracker.web.station_words import (
    DONE,
    NOTHING_SAVED,
    UNDO_REASONS,
    UNDONE,
    field_error,
    undo_reason,
    why_refused,
)

NOT_FOUND = N_("Aucun ordinateur ne porte l'étiquette ou le numéro de série « %(query)s ». "
               "Vérifiez ce qui est écrit sur l'étiquette et réessayez.")  # fmt: skip
EMPTY = N_("Scannez une étiquette, ou tapez son code ou le numéro de série.")
REQUIRED = REASONS["required"]
ALREADY = N_("C'était déjà enregistré : rien n'a été fait deux fois.")


class StationController(Controller):
    """Scanning, the computer's card, and the form of each step."""

    @get("/atelier/scan", opt=allow(EVERYONE))
    async def show_station(self, request: Request[Any, Any, Any]) -> Template:
        return page(request, "pages/station.html", {"inner": "partials/station_help.html"})

    @get("/ordinateurs", opt=allow(EVERYONE), sync_to_thread=True)
    def find_computer(self, request: Request[Any, Any, Any], q: FromQuery[str] = "") -> Template:
        query = q.strip()
        if not query:
            return _station(request, "partials/station_help.html", message=t(request, EMPTY))
        services = services_of(request)
        try:
            card = services.inventory.card(asset_tag.normalize(query), _account(request))
        except (UnknownComputerError, InvalidTagError):
            with connection(services.database) as conn:
                found = asset_register.with_serial(conn, query)
            if len(found) == 1:
                card = services.inventory.card(found[0].tag, _account(request))
            elif found:
                return _station(request, "partials/search_results.html", found=found, query=query)
            else:
                message = t(request, NOT_FOUND, query=query)
                return _station(request, "partials/station_help.html", message=message, status=404)
        return self._card(request, card)

    @get("/ordinateurs/{tag:str}", opt=allow(EVERYONE), sync_to_thread=True)
    def show_card(self, request: Request[Any, Any, Any], tag: FromPath[str]) -> Template:
        return self._card(request, services_of(request).inventory.card(tag, _account(request)))

    @get("/ordinateurs/{tag:str}/etapes/{step:str}", opt=allow(Role.WORKSHOP), sync_to_thread=True)
    def show_step_form(
        self,
        request: Request[Any, Any, Any],
        tag: FromPath[str],
        step: FromPath[str],
        beneficiaire: FromQuery[str] = "",  # a loan for the person just registered (their code)
    ) -> Template:
        card = services_of(request).inventory.card(tag, _account(request))
        the_step = _step(step)
        if the_step not in card.steps:
            return self._card(request, card, refusal=why_refused(request, card, the_step))
        values = {"command_id": str(uuid4()), "seen_version": str(card.version)}
        if the_step == Step.LOAN and beneficiaire:
            values["beneficiary_code"] = beneficiaire
        return self._form(request, card, the_step, values)

    @post("/ordinateurs/{tag:str}/etapes/{step:str}", opt=allow(Role.WORKSHOP), sync_to_thread=True)
    def record_step(
        self, request: Request[Any, Any, Any], tag: FromPath[str], step: FromPath[str], data: Form
    ) -> Template | Redirect:
        services, account, the_step = services_of(request), _account(request), _step(step)
        card = services.inventory.card(tag, account)
        if the_step not in card.steps and not _is_retry(services.inventory, card.tag, data):
            stale = text(data, "seen_version") != str(card.version)
            sentence = why_refused(request, card, the_step, conflict=stale)
            return self._card(request, card, refusal=sentence, status=409)
        empty = step_forms.missing(the_step, data)
        if empty and the_step in card.steps:
            required = t(request, REQUIRED)
            errors = dict.fromkeys(empty, required)
            return self._form(request, card, the_step, data, errors=errors, status=422)
        try:
            command = step_forms.command_for(
                the_step, data, tag=card.tag, actor=account.username, site=card.site
            )
            recorded = services.inventory.record_for(account, command)
        except VersionConflictError:
            fresh = services.inventory.card(tag, account)
            sentence = why_refused(request, fresh, the_step, conflict=True)
            return self._card(request, fresh, refusal=sentence, status=409)
        except DomainError as error:
            errors = field_error(request, error)
            if errors:
                return self._form(request, card, the_step, data, errors=errors, status=422)
            fresh = services.inventory.card(tag, account)
            sentence = why_refused(request, fresh, the_step, error=error)
            return self._card(request, fresh, refusal=sentence, status=409)
        if recorded.position is not None:
            services.after_write(recorded.position)
        done = t(request, DONE[the_step], tag=card.tag)
        return self._after_write(request, card.tag, done, replayed=recorded.replayed)

    @post("/ordinateurs/{tag:str}/annuler", opt=allow(Role.WORKSHOP), sync_to_thread=True)
    def undo_step(
        self, request: Request[Any, Any, Any], tag: FromPath[str], data: Form
    ) -> Template | Redirect:
        services, account = services_of(request), _account(request)
        try:
            command_id = UUID(text(data, "command_id"))
            seen_version = int(text(data, "seen_version"))
            recorded = services.inventory.undo_last_step(
                account, tag=tag, seen_version=seen_version, command_id=command_id,
                reason=undo_reason(data),
            )  # fmt: skip
        except (ValueError, DomainError) as error:
            fresh = services.inventory.card(tag, account)
            refused = error if isinstance(error, DomainError) else None
            sentence = why_refused(request, fresh, None, error=refused)
            return self._card(request, fresh, refusal=sentence, status=409)
        if recorded.position is not None:
            services.after_write(recorded.position)
        return self._after_write(request, tag, t(request, UNDONE), replayed=recorded.replayed)

    @get("/ordinateurs/{tag:str}/etiquette.pdf", opt=allow(EVERYONE), sync_to_thread=True)
    def print_label(
        self,
        request: Request[Any, Any, Any],
        tag: FromPath[str],
        format: FromQuery[str] = "rouleau",  # noqa: A002 (the query's name, in the page's words)
    ) -> Response[bytes]:
        with connection(services_of(request).database) as conn:
            entry = asset_register.find(conn, asset_tag.normalize(tag))
        if entry is None:
            raise NotFoundException
        label = [computer_label(request, entry)]
        content = sheet_pdf(label) if format == "planche" else roll_pdf(label)
        return Response(content, media_type="application/pdf", headers={
            "Content-Disposition": f'inline; filename="etiquette-{entry.tag}.pdf"'})  # fmt: skip

    # -- rendering ------------------------------------------------------------------------

    def _after_write(
        self, request: Request[Any, Any, Any], tag: str, done: str, *, replayed: bool
    ) -> Template | Redirect:
        message = f"{done} {t(request, ALREADY)}" if replayed else done
        if _is_htmx(request):
            card = services_of(request).inventory.card(tag, _account(request))
            return self._card(request, card, confirmation=message)
        notify(request, message)
        return Redirect(f"/ordinateurs/{asset_tag.normalize(tag)}", status_code=303)

    def _card(
        self, request: Request[Any, Any, Any], card: Card, *, status: int = 200, **extra: Any
    ) -> Template:
        services = services_of(request)
        with connection(services.database) as conn:
            sites = {site.code: site for site in directory.sites(conn)}
        blocked = ""
        if card.blocked and card.blocked != "final":
            blocked = why_refused(request, card, None).removesuffix(t(request, NOTHING_SAVED))
        until = card.undo.until.astimezone(services.inventory.zone) if card.undo else None
        return _station(
            request, "partials/card.html", card=card, sites=sites, blocked=blocked.strip(),
            undo_id=str(uuid4()), undo_until=format_time(until, "short", locale=language(request))
            if until else "", UNDO_REASONS=UNDO_REASONS, status=status, **extra,
        )  # fmt: skip

    def _form(
        self,
        request: Request[Any, Any, Any],
        card: Card,
        step: Step,
        values: dict[str, Any],
        *,
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Template:
        services = services_of(request)
        today = services.inventory.today()
        with connection(services.database) as conn:
            sites = {site.code: site for site in directory.sites(conn, only_active=True)}
        defaults = _defaults(step, today)
        kinds = {code: SiteKind(site.kind) for code, site in sites.items() if code != card.site}
        suggested = sites_for_next_step(card.state, kinds) if step == Step.TRANSFER else []
        if len(suggested) == 1:
            defaults["to_site"] = suggested[0]
        values = {**values, "work_done": values_of(values, "work_done")}
        picker = (
            beneficiary_picker.for_loan_form(request, card, values) if step == Step.LOAN else None
        )
        if picker is not None and picker.chosen:  # shown checked in the list: not typed again
            values["code_typed"] = ""
        return _station(
            request, "partials/step_form.html", card=card, step=step, errors=errors or {},
            values={**defaults, **values}, today=today.isoformat(), sites=sites,
            suggested=suggested, picker=picker,
            with_wipe=step in step_forms.WITH_WIPE and not card.data_wiped, status=status,
        )  # fmt: skip


def _station(
    request: Request[Any, Any, Any], inner: str, *, status: int = 200, **context: Any
) -> Template:
    """The station page, or for htmx only what replaces its `#station` area."""
    if _is_htmx(request):
        return page(request, inner, context, status=status)
    return page(request, "pages/station.html", {"inner": inner, **context}, status=status)


def _is_retry(inventory: Station, tag: str, form: dict[str, Any]) -> bool:
    """Whether the form was already recorded (sent again after its answer was lost)."""
    try:
        return inventory.was_recorded(tag, UUID(text(form, "command_id")))
    except ValueError:
        return False


def _is_htmx(request: Request[Any, Any, Any]) -> bool:
    return bool(getattr(request, "htmx", False))  # an HTMXRequest: the app's request class


def _account(request: Request[Any, Any, Any]) -> Account:
    account = account_of(request)
    if account is None:  # pragma: no cover - the role guard lets no anonymous request here
        raise NotFoundException
    return account


def _step(value: str) -> Step:
    try:
        return Step(value)
    except ValueError:
        raise NotFoundException from None


def _defaults(step: Step, today: date) -> dict[str, Any]:
    values: dict[str, Any] = {"occurred_on": today.isoformat()}
    if step == Step.LOAN:
        values |= {
            "agreement_start": today.isoformat(),
            "agreement_end": step_forms.agreement_end(today).isoformat(),
            "contribution_eur": str(step_forms.CONTRIBUTION_EUR),
        }
    if step in (Step.WIPE_DATA, *step_forms.WITH_WIPE):
        values["result"] = "success"
    return values
