"""`tracker privacy` as an administrator runs it: a new master key, and the retention purge.

The register of TL-REDON holds three people without a loan: Ombeline, registered five years
ago; Théophane, thirteen months ago; Clémence, today. With the default retention (36 months)
only Ombeline is past it; with `--mois 12` Théophane too.
"""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest
from click.testing import CliRunner, Result

from tracker.accounts import Account
from tracker.bootstrap import open_inventory, read_models_of
from tracker.cli import cli
from tracker.domain.beneficiary import PersonalDetails
from tracker.domain.user import Role
from tracker.personal_data import new_master_key, parse_master_key, sealer_from
from tracker.register import Register
from tracker.settings import Settings

ADMIN = Account(uuid4(), "admin", "Admin", frozenset({Role.ADMIN}), (), True, 1)
STAFF = Account(uuid4(), "staff", "Staff", frozenset({Role.WORKSHOP}), ("TL-REDON",), True, 1)
PEOPLE = {"Ombeline": 1830, "Théophane": 400, "Clémence": 0}  # name: days since registration
FAMILY, PHONE = "Kerhervé", "06 44 55 66 77"


def run(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env=env)


@pytest.fixture
def env(database_url: str) -> dict[str, str]:
    return {"TRACKER_DATABASE_URL": database_url, "TRACKER_REGISTER_KEY": new_master_key()}


@pytest.fixture
def codes(env: dict[str, str]) -> dict[str, str]:
    """The three people above, registered on their day at TL-REDON."""
    settings = Settings.from_env(env)
    inventory = open_inventory(settings)
    try:
        inventory.register_programme(code="CD35", name="CD35", territory="35", actor="root")
        inventory.register_site(code="TL-REDON", name="Redon", kind="third_place", town="Redon",
                                programme="CD35", actor="root")  # fmt: skip
        models = read_models_of(settings, inventory)
        models.catch_up()
        found = {}
        for name, days in PEOPLE.items():
            day = inventory.today() - timedelta(days=days)
            register = Register(models.database, sealer_from(settings), clock=inventory.clock,
                                today=lambda day=day: day)  # fmt: skip
            details = PersonalDetails.checked(given_name=name, family_name=FAMILY, phone=PHONE)
            found[name] = register.register(STAFF, third_place="TL-REDON", details=details,
                                            categories=[], consent=True).code  # fmt: skip
        return found
    finally:
        inventory.close()


def erased(env: dict[str, str], code: str) -> bool:
    settings = Settings.from_env(env)
    inventory = open_inventory(settings)
    try:
        models = read_models_of(settings, inventory)
        register = Register(models.database, sealer_from(settings), clock=inventory.clock,
                            today=inventory.today)  # fmt: skip
        return register.person(ADMIN, code).erased
    finally:
        inventory.close()


def test_new_key_prints_a_master_key_alone_on_its_output_and_where_to_keep_it() -> None:
    first, second = run({}, "privacy", "new-key"), run({}, "privacy", "new-key")

    assert first.exit_code == 0, first.output
    key = first.stdout.strip()
    assert len(parse_master_key(key, "test")) == 32
    assert first.stdout == key + "\n", "the key alone: `tracker privacy new-key > fichier` works"
    assert "TRACKER_REGISTER_KEY" in first.stderr
    assert "TRACKER_REGISTER_KEY_FILE" in first.stderr
    assert "à part des sauvegardes de la base" in first.stderr
    assert second.stdout.strip() != key


def test_a_dry_run_lists_the_codes_past_the_retention_period_and_changes_nothing(
    env: dict[str, str], codes: dict[str, str]
) -> None:
    result = run(env, "privacy", "purge", "--dry-run")

    assert result.exit_code == 0, result.output
    assert "1 personne sans convention en cours depuis plus de 36 mois" in result.output
    listed = [line.split() for line in result.output.splitlines() if line.startswith("  ")]
    assert [line[:2] for line in listed] == [[codes["Ombeline"], "TL-REDON"]]
    assert listed[0][2:4] == ["depuis", "le"]
    assert "rien n'a été effacé" in result.output
    assert not erased(env, codes["Ombeline"])
    for word in (*PEOPLE, FAMILY, PHONE):
        assert word not in result.output


def test_the_purge_erases_only_the_people_past_the_retention_period(
    env: dict[str, str], codes: dict[str, str]
) -> None:
    result = run(env, "privacy", "purge")

    assert result.exit_code == 0, result.output
    assert codes["Ombeline"] in result.output
    assert "1 personne effacée : leurs données personnelles ne peuvent plus être lues" in (
        result.output
    )
    assert [erased(env, code) for code in codes.values()] == [True, False, False]
    for word in (*PEOPLE, FAMILY, PHONE):
        assert word not in result.output
    again = run(env, "privacy", "purge")
    assert again.exit_code == 0, again.output
    assert "rien à effacer" in again.output


def test_a_shorter_retention_period_is_given_in_months(
    env: dict[str, str], codes: dict[str, str]
) -> None:
    result = run(env, "privacy", "purge", "--mois", "12")

    assert result.exit_code == 0, result.output
    assert "2 personnes effacées" in result.output
    assert [erased(env, code) for code in codes.values()] == [True, True, False]
    assert run(env, "privacy", "purge", "--mois", "0").exit_code == 2


def test_the_retention_period_comes_from_the_environment(
    env: dict[str, str], codes: dict[str, str]
) -> None:
    result = run({**env, "TRACKER_RETENTION_MONTHS": "12"}, "privacy", "purge", "--dry-run")

    assert result.exit_code == 0, result.output
    assert "2 personnes sans convention en cours depuis plus de 12 mois" in result.output
    assert [erased(env, code) for code in codes.values()] == [False, False, False]
