"""The beneficiary register on a real store: sealed personal data, who sees it, erasure."""

from __future__ import annotations

import random
from datetime import date
from typing import Any
from uuid import uuid4

import pytest

from projections.database import connection
from tracker.accounts import Account
from tracker.application import Inventory
from tracker.bootstrap import read_models_of
from tracker.domain.beneficiary import PersonalDetails
from tracker.domain.exceptions import (
    InvalidValueError,
    PersonalDataDeniedError,
    PersonErasedError,
    StaleEditError,
    UnknownRecordError,
)
from tracker.domain.user import Role
from tracker.erasure import due_for_purge, erase, purge
from tracker.personal_data import Sealed, Sealer, UnreadableError, new_master_key, parse_master_key
from tracker.read_models import ReadModels
from tracker.register import Register
from tracker.settings import Settings, SettingsError

MARIE = PersonalDetails.checked(given_name="Marie-Hélène", family_name="Le Goff",
                                phone="06 12 34 56 78", address="3 rue des Lilas, 35000 Rennes",
                                referrer="CCAS de Rennes")  # fmt: skip
YANN = PersonalDetails.checked(given_name="Yann", family_name="Kerbrat", email="yann@exemple.fr")


def account(*roles: Role, sites: tuple[str, ...] = ()) -> Account:
    return Account(uuid4(), f"user-{len(sites)}", "Someone", frozenset(roles), sites, True, 1)


STAFF = account(Role.WORKSHOP, sites=("TL-RENNES",))
OTHER_PLACE = account(Role.WORKSHOP, sites=("TL-DINAN",))
ADMIN = account(Role.ADMIN)


@pytest.fixture
def models(inventory: Inventory, database_url: str) -> ReadModels:
    for code in ("CD35",):
        inventory.register_programme(code=code, name="Parcours", territory="35", actor="root")
    for code, kind in (("TL-RENNES", "third_place"), ("TL-DINAN", "third_place"),
                       ("ESAT-RANCE", "sorting_workshop")):  # fmt: skip
        inventory.register_site(code=code, name=code.title(), kind=kind, town="", programme="CD35",
                                actor="root")  # fmt: skip
    models = read_models_of(Settings(database_url=database_url), inventory)
    models.catch_up()
    return models


@pytest.fixture
def register(models: ReadModels, inventory: Inventory) -> Register:
    sealer = Sealer(parse_master_key(new_master_key(), "test"))
    return Register(models.database, sealer, clock=inventory.clock, today=inventory.today,
                    pick=random.Random(7).choice)  # fmt: skip


def enrol(register: Register, details: PersonalDetails = MARIE, **changes: Any) -> Any:
    fields: dict[str, Any] = {
        "third_place": "tl-rennes", "details": details, "categories": ["minimum_income"],
        "consent": True, **changes,
    }  # fmt: skip
    return register.register(STAFF, **fields)


def test_a_person_is_registered_with_a_random_code_and_read_back_by_their_place(
    register: Register,
) -> None:
    person = enrol(register)
    assert (person.code[:3], person.third_place) == ("BN-", "TL-RENNES")
    assert register.person(STAFF, person.code.lower()).details == MARIE
    assert register.person(ADMIN, person.code).categories == ("minimum_income",)
    assert enrol(register, YANN).code != person.code


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [({"consent": False}, "consent", "consent_required"),
     ({"third_place": "ESAT-RANCE"}, "third_place", "not_a_third_place"),
     ({"categories": ["rich"]}, "categories", "unknown_choice")],
)  # fmt: skip
def test_a_registration_without_consent_or_at_a_workshop_is_refused_and_saves_nothing(
    register: Register, changes: dict[str, Any], field: str, reason: str
) -> None:
    with pytest.raises(InvalidValueError) as refusal:
        enrol(register, **changes)
    assert (refusal.value.field, refusal.value.reason) == (field, reason)
    with connection(register.database) as conn:
        assert conn.execute("SELECT COUNT(*) FROM beneficiaries")[0][0] == 0


def test_details_without_any_way_to_reach_the_person_are_refused() -> None:
    with pytest.raises(InvalidValueError) as refusal:
        PersonalDetails.checked(given_name="Anne", family_name="Morvan")
    assert refusal.value.reason == "no_contact"


def test_only_the_staff_of_the_persons_place_and_administrators_see_them(
    register: Register,
) -> None:
    code = enrol(register).code
    for someone in (OTHER_PLACE, account(Role.OFFICER), account(Role.AUDITOR),
                    account(Role.WORKSHOP, sites=("ESAT-RANCE",))):  # fmt: skip
        with pytest.raises(PersonalDataDeniedError):
            register.person(someone, code)
        with pytest.raises(PersonalDataDeniedError):
            register.people(someone, "TL-RENNES")
    with pytest.raises(PersonalDataDeniedError):
        register.register(OTHER_PLACE, third_place="TL-RENNES", details=YANN, categories=[],
                          consent=True)  # fmt: skip


def test_a_person_is_found_by_part_of_their_name_accents_and_case_aside(
    register: Register,
) -> None:
    marie, yann = enrol(register).code, enrol(register, YANN).code
    assert [p.code for p in register.people(STAFF, "TL-RENNES", "helene")] == [marie]
    assert [p.code for p in register.people(STAFF, "TL-RENNES", "KERB yann")] == [yann]
    assert [p.code for p in register.people(STAFF, "TL-RENNES")] == [yann, marie]  # by name
    assert register.people(STAFF, "TL-RENNES", "dupont") == []


def test_a_change_made_on_a_stale_version_is_refused(register: Register) -> None:
    person = enrol(register)
    moved = PersonalDetails.checked(**{**MARIE.as_dict(), "phone": "07 00 00 00 00"})
    changed = register.update(STAFF, person.code, seen_version=1, details=moved,
                              categories=["jobseeker"])  # fmt: skip
    assert (changed.details, changed.categories, changed.version) == (moved, ("jobseeker",), 2)
    with pytest.raises(StaleEditError):
        register.update(STAFF, person.code, seen_version=1, details=MARIE, categories=[])
    assert register.person(STAFF, person.code).details == moved


def test_an_erasure_leaves_nothing_readable_and_keeps_the_code_and_publics(
    register: Register,
) -> None:
    code = enrol(register).code
    with connection(register.database) as conn:
        [(master_id, wrapped, sealed)] = conn.execute(
            "SELECT master_id, wrapped_key, details FROM beneficiary_secrets WHERE code = ?",
            (code,),
        )
    with pytest.raises(PersonalDataDeniedError):
        erase(register, STAFF, code)
    erased = erase(register, ADMIN, code)
    assert (erased.details, erased.erased_reason, erased.categories) == (
        None, "request", ("minimum_income",))  # fmt: skip
    with connection(register.database) as conn:
        keys = conn.execute("SELECT code, wrapped_key FROM beneficiary_secrets")
    assert keys == []  # the person's key is gone: no stored key opens what was sealed
    with pytest.raises(UnreadableError):
        register.sealer.open(code, Sealed(bytes(wrapped)[:12] + bytes(20), bytes(sealed),
                                          master_id))  # fmt: skip
    assert register.categories_of([code]) == {code: ("minimum_income",)}
    with pytest.raises(PersonErasedError):
        erase(register, ADMIN, code)
    with pytest.raises(InvalidValueError) as refusal:
        register.check_loanable(code, "TL-RENNES")
    assert refusal.value.reason == "person_erased"


def test_the_purge_erases_only_people_without_an_agreement_for_the_retention_period(
    register: Register, inventory: Inventory
) -> None:
    today = inventory.today()
    old = enrol(register).code
    assert due_for_purge(register, today, 36) == []
    later = date(today.year + 3, today.month, min(today.day, 28))
    assert [due.code for due in due_for_purge(register, later, 36)] == [old]
    assert [due.code for due in purge(register, later, 36)] == [old]
    assert register.person(ADMIN, old).erased


def test_an_unknown_or_malformed_code_is_an_unknown_person(register: Register) -> None:
    for code in ("BN-ZZ9999", "Marie Le Goff"):
        with pytest.raises(UnknownRecordError):
            register.person(ADMIN, code)


def test_a_master_key_that_opens_none_of_the_sealed_records_is_refused_at_start(
    register: Register,
) -> None:
    register.check_key()  # an empty register accepts any key
    enrol(register)
    register.check_key()
    stranger = Register(register.database, Sealer(parse_master_key(new_master_key(), "other")),
                        clock=register.clock, today=register.today)  # fmt: skip
    with pytest.raises(SettingsError, match="another master key"):
        stranger.check_key()
