"""The loan form's person picker: the people of a third place whose name has the words typed.

Names go only into the page of the third place's own staff: never into a log line, a notice
or an address. The search is an htmx GET whose query string the request log leaves out, and
the links it offers carry the site and the computer, never what was typed.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, get
from litestar.datastructures import CacheControlHeader
from litestar.params import FromQuery
from litestar.response import Template

from tracker.domain import asset_tag
from tracker.domain.exceptions import (
    DomainError,
    InvalidTagError,
    InvalidValueError,
    PersonalDataDeniedError,
)
from tracker.domain.lifecycle import Step
from tracker.domain.user import Role
from tracker.register import Person
from tracker.station import Card
from tracker.web.access import allow
from tracker.web.forms import text
from tracker.web.pages import N_, account_of, t
from tracker.web.sign_in import services_of

PARTIAL = "partials/beneficiary_choices.html"
MIN_LETTERS = 2
MAX_SHOWN = 20
TOO_SHORT = N_("Tapez au moins 2 lettres du nom ou du prénom.")
NONE_FOUND = N_("Aucune personne inscrite dans ce tiers-lieu ne porte ce nom. Vérifiez "
                "l'orthographe, ou inscrivez la personne.")  # fmt: skip
TOO_MANY = N_("Beaucoup de personnes ont ce nom : voici les %(count)s premières. Tapez plus de "
              "lettres pour trouver la bonne.")  # fmt: skip
NOT_LISTED = N_("La personne n'est pas encore inscrite ?")
DENIED = N_("Vous ne pouvez chercher que les personnes inscrites dans vos tiers-lieux.")
NO_REGISTER = N_("Ce site n'a pas de liste de personnes inscrites.")


@dataclass(frozen=True)
class Choice:
    """One person offered in the list: their code, and how staff recognise them."""

    code: str
    label: str


@dataclass(frozen=True)
class Picker:
    """What the results area of the loan form shows."""

    choices: tuple[Choice, ...] = ()
    chosen: str = ""  # the code checked in the list
    message: str = ""  # above the list: why it is empty or short
    register_link: str = ""  # where to register the person ("" offers no link)
    link_lead: str = ""  # the sentence before that link


class BeneficiaryPickerController(Controller):
    """The people a third place's staff may lend a computer to, found by name."""

    @get(
        "/beneficiaires/choix",
        opt=allow(Role.WORKSHOP),
        sync_to_thread=True,
        cache_control=CacheControlHeader(no_store=True),  # names: kept in no browser cache
    )
    def find_beneficiaries(
        self,
        request: Request[Any, Any, Any],
        site: FromQuery[str] = "",
        nom: FromQuery[str] = "",
        beneficiary_name: FromQuery[str] = "",  # what the loan form's search field sends
        ordinateur: FromQuery[str] = "",
    ) -> Template:
        """The results area for these words: the matches as radio buttons, or why there are none."""
        picker, status = search(request, site, nom or beneficiary_name, tag=ordinateur)
        return Template(template_name=PARTIAL, context={"picker": picker}, status_code=status)


def search(
    request: Request[Any, Any, Any], site: str, words: str, *, tag: str = ""
) -> tuple[Picker, int]:
    """The people of a third place whose name has every word typed, and the answer's status."""
    place = site.strip().upper()
    link = register_link(place, tag)
    if sum(letter.isalpha() for letter in words) < MIN_LETTERS:
        return Picker(message=t(request, TOO_SHORT)), 200
    account = account_of(request)
    if account is None:  # pragma: no cover - the role guard lets no anonymous request here
        return Picker(message=t(request, DENIED)), 403
    try:
        people = services_of(request).register.people(account, place, words)
    except PersonalDataDeniedError:
        return Picker(message=t(request, DENIED)), 403
    except InvalidValueError:
        return Picker(message=t(request, NO_REGISTER)), 400
    if not people:
        return Picker(message=t(request, NONE_FOUND), register_link=link), 200
    shown = tuple(choice(person) for person in people[:MAX_SHOWN])
    message = t(request, TOO_MANY, count=MAX_SHOWN) if len(people) > MAX_SHOWN else ""
    chosen = shown[0].code if len(people) == 1 else ""
    return Picker(shown, chosen, message, link, t(request, NOT_LISTED)), 200


def for_loan_form(request: Request[Any, Any, Any], card: Card, values: dict[str, Any]) -> Picker:
    """The results area as the loan form opens: the person already chosen, checked.

    Chosen: by ?beneficiaire=CODE (back from registering them), in the list or by code in a
    form sent back with a mistake. Else the matches of a name typed before the mistake.
    """
    link = register_link(card.site, card.tag)
    code = (text(values, "beneficiary_code") or text(values, "code_typed")).strip().upper()
    person = _person(request, code) if code else None
    if person is not None and person.third_place == card.site and not person.erased:
        return Picker((choice(person),), person.code, "", link, t(request, NOT_LISTED))
    words = text(values, "beneficiary_name")
    if sum(letter.isalpha() for letter in words) >= MIN_LETTERS:
        return search(request, card.site, words, tag=card.tag)[0]
    return Picker(register_link=link, link_lead=t(request, NOT_LISTED))


def choice(person: Person) -> Choice:
    """A person as the list names them: "Prénom Nom — code — who sent them"."""
    details = person.details
    name = details.full_name if details else ""
    parts = [name, person.code, details.referrer if details else ""]
    return Choice(person.code, " — ".join(part for part in parts if part))


def register_link(site: str, tag: str = "") -> str:
    """The register's form for a new person at this third place, back to this loan afterwards."""
    query = {"site": site}
    with suppress(InvalidTagError):  # no computer (or not a tag): the register sends no one back
        query["retour"] = f"/ordinateurs/{asset_tag.valid(tag)}/etapes/{Step.LOAN}"
    return "/beneficiaires/nouveau?" + urlencode(query, safe="/")


def _person(request: Request[Any, Any, Any], code: str) -> Person | None:
    account = account_of(request)
    if account is None:  # pragma: no cover - the role guard lets no anonymous request here
        return None
    try:
        return services_of(request).register.person(account, code)
    except DomainError:  # unknown, not a code, or not this person's third place
        return None
