"""`tracker verify` as an auditor runs it: intact, tampered, and checked against a report's head."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner, Result

from tracker.bootstrap import open_inventory
from tracker.cli import cli
from tracker.integrity import ChainedSQLiteRecorder, chained
from tracker.settings import Settings


def run(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env=env)


@pytest.fixture
def env(database_url: str) -> dict[str, str]:
    env = {"TRACKER_DATABASE_URL": database_url}
    loaded = run(env, "demo", "--years", "1", "--until", "2026-02-28")
    assert loaded.exit_code == 0, loaded.output
    return env


def head_of(output: str) -> tuple[int, str]:
    found = re.search(r"Tête de la chaîne : n° ([\d\u202f]+), empreinte ([0-9a-f]{64})", output)
    assert found, output
    return int(found[1].replace("\u202f", "")), found[2]


def tamper(env: dict[str, str], position: int) -> None:
    """Change one stored event with plain SQL, outside the application."""
    settings = Settings.from_env(env)
    inventory = open_inventory(settings)
    recorder = chained(inventory.recorder)
    try:
        if isinstance(recorder, ChainedSQLiteRecorder):
            with recorder.datastore.transaction(commit=True) as cursor:
                cursor.execute(
                    "UPDATE stored_events SET state = CAST(state || ' ' AS BLOB) WHERE rowid = ?",
                    (position,),
                )
        else:
            with recorder.datastore.transaction(commit=True) as cursor:
                cursor.execute(
                    f"UPDATE {recorder.datastore.schema}.{recorder.events_table_name} "  # noqa: S608
                    "SET state = state || '\\x20'::bytea WHERE notification_id = %s",
                    (position,),
                )
    finally:
        inventory.close()


def test_an_untouched_log_is_reported_intact_with_its_head(env: dict[str, str]) -> None:
    result = run(env, "verify")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Journal intact : ")
    position, _ = head_of(result.output)
    assert position > 100


def test_a_tampered_event_is_named_and_the_command_fails(env: dict[str, str]) -> None:
    position, _ = head_of(run(env, "verify").output)
    tamper(env, position // 2)
    result = run(env, "verify")
    assert result.exit_code == 3, result.output
    number = f"{position // 2:,}".replace(",", "\u202f")
    assert f"la chaîne est rompue au n° {number}." in result.output
    assert "modifié ou déplacé après son enregistrement" in result.output


def test_the_head_printed_on_a_report_is_checked(env: dict[str, str]) -> None:
    position, link = head_of(run(env, "verify").output)
    same = run(env, "verify", "--tete", f"{position}:{link}")
    assert same.exit_code == 0, same.output
    assert "correspond à l'empreinte du rapport" in same.output
    other = run(env, "verify", "--tete", f"{position}:{'0' * 64}")
    assert other.exit_code == 3
    assert "ne correspond PAS" in other.output
    wrong = run(env, "verify", "--tete", "douze")
    assert wrong.exit_code == 2
    assert "--tete attend N:EMPREINTE" in wrong.output
