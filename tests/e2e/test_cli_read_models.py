"""`tracker status | rebuild | migrate | summary` as an operator uses them, on both backends."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from projections.database import Database, PostgresDatabase, SQLiteDatabase, connection
from projections.migrate import migrate
from projections.readmodel import dump
from projections.runner import READ_MODELS, Runner
from tracker import storage
from tracker.bootstrap import open_inventory, open_read_models
from tracker.cli import cli
from tracker.settings import Settings

UNTIL = "2026-03-31"
STATUS_LINE = re.compile(r"^\s+(\w+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(.+)$", re.MULTILINE)


@pytest.fixture
def env(database_url: str) -> dict[str, str]:
    return {"TRACKER_DATABASE_URL": database_url}


def run(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env=env)


@pytest.fixture
def demo(env: dict[str, str]) -> Result:
    result = run(env, "demo", "--years", "1", "--until", UNTIL)
    assert result.exit_code == 0, result.output
    return result


def status_lines(env: dict[str, str]) -> dict[str, tuple[int, int, int, str]]:
    result = run(env, "status")
    assert result.exit_code == 0, result.output
    return {
        name: (int(position), int(behind), int(rows), words)
        for name, position, behind, rows, words in STATUS_LINE.findall(result.output)
    }


def head(env: dict[str, str]) -> int:
    found = re.search(r"Journal : (\d+) événements", run(env, "status").output)
    assert found
    return int(found.group(1))


def all_rows(database_url: str) -> dict[str, object]:
    database = open_read_models(Settings(database_url=database_url))
    with connection(database) as conn:
        return {model.name: dump(conn, model) for model in READ_MODELS}


@pytest.mark.usefixtures("demo")
def test_after_the_demo_every_read_model_is_at_the_head_of_the_log(env: dict[str, str]) -> None:
    lines = status_lines(env)
    assert set(lines) == {model.name for model in READ_MODELS}
    for position, behind, rows, words in lines.values():
        assert (position, behind, words) == (head(env), 0, "à jour")
        assert rows > 0


@pytest.mark.usefixtures("demo")
def test_rebuild_redraws_every_read_model_with_the_same_rows(
    env: dict[str, str], database_url: str
) -> None:
    before = all_rows(database_url)
    result = run(env, "rebuild")
    assert result.exit_code == 0, result.output
    assert "Reconstruction de asset_register, flow" in result.output
    counts = re.findall(r"(\w+)\s+(\d+) lignes avant,\s+(\d+) après", result.output)
    assert len(counts) == len(READ_MODELS)
    assert all(old == new for _name, old, new in counts)
    assert all_rows(database_url) == before
    assert all(words == "à jour" for *_numbers, words in status_lines(env).values())


@pytest.mark.usefixtures("demo")
def test_rebuilding_one_read_model_leaves_the_others_alone(env: dict[str, str]) -> None:
    result = run(env, "rebuild", "loans")
    assert result.exit_code == 0, result.output
    assert re.search(r"loans\s+\d+ lignes avant", result.output)
    assert "flow" not in result.output


def test_an_unknown_read_model_is_named_in_the_refusal(env: dict[str, str]) -> None:
    result = run(env, "rebuild", "stocks")
    assert result.exit_code == 2
    assert "Table de lecture inconnue parmi : stocks" in result.output


def test_migrate_creates_the_tables_once_then_has_nothing_to_do(env: dict[str, str]) -> None:
    first = run(env, "migrate")
    assert first.exit_code == 0, first.output
    assert "Appliquée : 0001_read_models" in first.output
    second = run(env, "migrate")
    assert second.exit_code == 0, second.output
    assert second.output.strip() == "Les tables sont à jour : rien à faire."


def test_summary_counts_every_computer_of_the_demo_from_the_register(
    env: dict[str, str], demo: Result
) -> None:
    donated = re.search(r"(\d+) ordinateurs dans", demo.output)
    assert donated
    result = run(env, "summary")
    assert result.exit_code == 0, result.output
    assert f"{donated.group(1)} ordinateurs enregistrés" in result.output
    by_state = re.findall(r"^  \D+?\s+(\d+)$", result.output.split("En stock")[0], re.MULTILINE)
    assert sum(map(int, by_state)) == int(donated.group(1))


def test_a_recorded_step_is_in_the_read_models_when_the_command_returns(
    env: dict[str, str], demo: Result
) -> None:
    tag = re.search(r"^\s+(\S+)\s+à trier$", demo.output, re.MULTILINE)
    assert tag
    result = run(
        env, "record", "write_off", tag.group(1), "reason=lost", "--by", "amelie.r",
        "--at", "ESAT-RANCE", "--on", UNTIL,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert all(behind == 0 for _pos, behind, _rows, _words in status_lines(env).values())


def test_big_and_small_batches_write_the_same_rows(
    env: dict[str, str], database_url: str, demo: Result, tmp_path: Path
) -> None:
    """Large batches go through COPY on PostgreSQL, small ones through plain INSERTs."""
    assert demo.exit_code == 0
    settings = Settings(database_url=database_url)
    store = storage.parse(database_url, base=Path.cwd())
    if store.backend == "sqlite":
        small: Database = SQLiteDatabase(tmp_path / "small.sqlite3")
    else:
        small = PostgresDatabase(storage.connection_params(store), f"{store.schema}_small")
        with connection(open_read_models(settings)) as conn:
            conn.execute(f'CREATE SCHEMA "{store.schema}_small"')
    migrate(small)
    inventory = open_inventory(settings)
    try:
        runner = Runner(inventory, small, batch_size=40)
        runner.catch_up()
        runner.close()
    finally:
        inventory.close()
    with connection(small) as conn:
        rebuilt = {model.name: dump(conn, model) for model in READ_MODELS}
    if isinstance(small, PostgresDatabase):
        with connection(small) as conn:
            conn.execute(f'DROP SCHEMA "{small.schema}" CASCADE')
    assert rebuilt == all_rows(database_url)
