"""The `tracker` command as a newcomer uses it: demo data, a computer's history, a step."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import pytest
from click.testing import CliRunner, Result

from projections.database import as_date, connection
from tracker.accounts import Account
from tracker.bootstrap import open_inventory, read_database_of
from tracker.cli import cli
from tracker.domain.user import Role
from tracker.personal_data import sealer_from
from tracker.register import Register
from tracker.settings import Settings

UNTIL = "2026-03-31"
NOON = datetime(2026, 3, 31, 12, tzinfo=UTC)


@pytest.fixture
def env(database_url: str) -> dict[str, str]:
    """The command's environment, on SQLite and on PostgreSQL (see tests/conftest.py)."""
    return {"TRACKER_DATABASE_URL": database_url}


def run(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env=env)


@pytest.fixture
def demo(env: dict[str, str]) -> Result:
    result = run(env, "demo", "--years", "1", "--until", UNTIL)
    assert result.exit_code == 0, result.output
    return result


def example(demo_output: str, state_words: str) -> str:
    match = re.search(rf"^\s+(\S+)\s+{re.escape(state_words)}$", demo_output, re.MULTILINE)
    assert match, demo_output
    return match.group(1)


def test_demo_loads_a_living_programme_and_names_examples(demo: Result) -> None:
    assert re.search(r"\d+ ordinateurs dans \d+ lots de dons", demo.output)
    for words in ("Don reçu", "Tri", "Reconditionnement", "Prêt", "Démantèlement"):
        assert words in demo.output
    assert example(demo.output, "confié à un bénéficiaire").startswith("CD35-2026-")


def test_demo_lends_to_made_up_people_registered_where_they_borrow_and_logs_no_name(
    env: dict[str, str], demo: Result
) -> None:
    settings = Settings(database_url=env["TRACKER_DATABASE_URL"])
    database = read_database_of(settings)
    with connection(database) as conn:
        loaned = conn.execute("SELECT beneficiary_code, third_place FROM loans")
        registered = set(conn.execute("SELECT code, third_place FROM beneficiaries"))
        dates = conn.execute("SELECT b.registered_on, MIN(l.loaned_on) FROM beneficiaries b "
                             "JOIN loans l ON l.beneficiary_code = b.code GROUP BY b.code, "
                             "b.registered_on")  # fmt: skip
    assert loaned
    assert {(code, place) for code, place in loaned} <= registered
    assert all(as_date(on) == as_date(first) for on, first in dates)  # registered on that day
    register = Register(database, sealer_from(settings), clock=lambda: NOON, today=NOON.date)
    admin = Account(uuid4(), "admin", "Admin", frozenset({Role.ADMIN}), (), True, 1)
    people = [p for place in {place for _, place in loaned} for p in register.people(admin, place)]
    names = {n for p in people if p.details for n in (p.details.family_name, p.details.full_name)}
    assert len(names) > 5
    inventory = open_inventory(settings)
    try:
        events = [n.state for n in inventory.recorder.select_notifications(start=1, limit=10**6)]
    finally:
        inventory.close()
    logged = b"\n".join(events).decode()  # JSON as stored: UTF-8, accents unescaped
    assert loaned[0][0] in logged  # the codes are there, as the loans recorded them
    assert [name for name in names if name in logged] == []


def test_demo_is_the_same_for_the_same_seed(tmp_path: Path) -> None:
    outputs = [
        run(
            {"TRACKER_DATABASE_URL": f"sqlite:///{tmp_path}/{name}"},
            "demo",
            "--years",
            "1",
            "--until",
            UNTIL,
        )
        for name in ("one.sqlite3", "two.sqlite3")
    ]
    assert outputs[0].exit_code == 0, outputs[0].output
    assert outputs[0].output.replace("one.sqlite3", "two.sqlite3") == outputs[1].output


def test_demo_refuses_a_store_that_already_has_data(env: dict[str, str], demo: Result) -> None:
    refused = run(env, "demo", "--years", "1", "--until", UNTIL)
    assert refused.exit_code == 1
    assert "déjà des données" in refused.output
    assert run(env, "demo", "--if-empty").exit_code == 0


def test_history_prints_every_event_in_order(env: dict[str, str], demo: Result) -> None:
    tag = example(demo.output, "confié à un bénéficiaire")
    history = run(env, "history", tag.lower())
    assert history.exit_code == 0, history.output
    versions = [int(v) for v in re.findall(r"^\s*(\d+)\. ", history.output, re.MULTILINE)]
    assert versions == list(range(1, len(versions) + 1))
    steps = re.findall(r"^\s*\d+\. ([^—]+) —", history.output, re.MULTILINE)
    assert steps[0].strip() == "Don reçu"
    assert steps[-1].strip() == "Prêt"
    assert "code du bénéficiaire : BN-" in history.output


def test_history_of_an_unknown_tag_says_so(env: dict[str, str], demo: Result) -> None:
    result = run(env, "history", "NOPE-0000")
    assert result.exit_code == 1
    assert "Aucun ordinateur ne porte l'étiquette « NOPE-0000 »" in result.output


def test_a_refused_step_is_explained_and_records_nothing(env: dict[str, str], demo: Result) -> None:
    tag = example(demo.output, "à trier")
    before = run(env, "history", tag).output
    loan = [
        "beneficiary_code=BN-AB1234",
        "agreement_start=2026-03-01",
        "agreement_end=2028-03-01",
        "contribution_eur=25",
        "contribution_method=cash",
    ]
    refused = run(env, "record", "loan", tag, "--by", "nadia.t", "--at", "TL-REDON", *loan)
    assert refused.exit_code == 1
    assert "cet ordinateur est « à trier »" in refused.output
    assert "On ne peut pas le prêter maintenant" in refused.output
    assert run(env, "history", tag).output == before


def test_a_stale_version_is_refused_with_the_fresh_state(env: dict[str, str], demo: Result) -> None:
    tag = example(demo.output, "confié à un bénéficiaire")
    before = run(env, "history", tag).output
    stale = run(env, "record", "return", tag, "--seen-version", "1", "--by", "nadia.t",
                "--at", "TL-REDON", "reason=breakdown", "condition=broken")  # fmt: skip
    assert stale.exit_code == 1
    assert "Rien n'a été enregistré" in stale.output
    assert "« confié à un bénéficiaire »" in stale.output
    assert run(env, "history", tag).output == before


def test_a_retried_step_is_recorded_once(env: dict[str, str], demo: Result) -> None:
    tag = example(demo.output, "confié à un bénéficiaire")
    step = ["record", "return", tag, "--by", "nadia.t", "--at", "TL-REDON",
            "--command-id", "5b0e8f4e-3a52-4c1e-9a0b-2f6d1c7e9a11",
            "reason=breakdown", "condition=broken"]  # fmt: skip
    first = run(env, *step)
    assert first.exit_code == 0, first.output
    assert "« à trier »" in first.output
    second = run(env, *step)
    assert second.exit_code == 0
    assert "déjà enregistrée" in second.output
    history = run(env, "history", tag).output
    assert history.count("Retour —") == 1


def test_a_malformed_field_is_refused_before_anything_is_recorded(
    env: dict[str, str], demo: Result
) -> None:
    tag = example(demo.output, "à trier")
    result = run(env, "record", "triage", tag, "--by", "amelie.r", "--at", "ESAT-RANCE",
                 "grade=B")  # fmt: skip
    assert result.exit_code == 2
    assert "Saisie incomplète ou incorrecte" in result.output


def test_a_bad_database_url_is_explained(tmp_path: Path) -> None:
    result = run({"TRACKER_DATABASE_URL": "mysql://x"}, "history", "X")
    assert result.exit_code == 2
    assert "TRACKER_DATABASE_URL" in result.output
