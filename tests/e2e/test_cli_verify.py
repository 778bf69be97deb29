"""`tracker verify` as an auditor runs it: intact, tampered, and checked against a report's head."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tracker import evidence_check
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


def check_offline(bundle: Path) -> subprocess.CompletedProcess[str]:
    """The documented command, with nothing but Python and the bundle (no project on the path)."""
    return subprocess.run(
        [sys.executable, "-I", bundle.name], cwd=bundle.parent, capture_output=True, text=True,
        check=False,
    )  # fmt: skip


def test_an_evidence_bundle_checks_offline_and_any_changed_byte_is_found(
    env: dict[str, str], tmp_path: Path
) -> None:
    bundle = tmp_path / "preuves.zip"
    exported = run(env, "export-evidence", str(bundle))
    assert exported.exit_code == 0, exported.output
    position, link = head_of(exported.output)
    checked = check_offline(bundle)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"Tête de la chaîne : n° {position}, empreinte {link}." in checked.stdout
    raw = bundle.read_bytes()
    # Every region: local headers and data of each part, the central directory, the end.
    for offset in sorted(
        {*range(0, len(raw), max(1, len(raw) // 150)), *range(len(raw) - 200, len(raw))}
    ):
        changed = bytearray(raw)
        changed[offset] ^= 0x01
        bundle.write_bytes(changed)
        with pytest.raises(evidence_check.BundleError):
            evidence_check.check(bundle)
    refused = check_offline(bundle)
    assert refused.returncode == 1
    assert refused.stdout.startswith("PREUVES NON VALABLES")


def test_a_bundle_up_to_a_reports_head_ends_there(env: dict[str, str], tmp_path: Path) -> None:
    position, _ = head_of(run(env, "verify").output)
    run(env, "record", "triage", "CD35-2026-00001", "--by", "x", "--at", "ESAT-RANCE")
    bundle = tmp_path / "rapport.zip"
    exported = run(env, "export-evidence", str(bundle), "--jusqua", str(position - 10))
    assert exported.exit_code == 0, exported.output
    head, link = head_of(exported.output)
    assert head == position - 10
    assert run(env, "verify", "--tete", f"{head}:{link}").exit_code == 0
    assert check_offline(bundle).returncode == 0


def test_no_bundle_is_made_of_a_tampered_log(env: dict[str, str], tmp_path: Path) -> None:
    position, _ = head_of(run(env, "verify").output)
    tamper(env, position - 3)
    bundle = tmp_path / "preuves.zip"
    result = run(env, "export-evidence", str(bundle))
    assert result.exit_code == 3
    assert "le journal lui-même est altéré" in result.output
    assert not bundle.exists()
