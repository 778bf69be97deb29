"""Reading TRACKER_DATABASE_URL and the other settings, and preparing the store they name."""

from __future__ import annotations

from pathlib import Path

import pytest
from eventsourcing.persistence import ProgrammingError

from tracker import storage
from tracker.application import Inventory
from tracker.settings import DEFAULT_DATABASE_URL, Settings, SettingsError


def test_a_sqlite_path_after_three_slashes_is_relative_to_the_base_folder(tmp_path: Path) -> None:
    store = storage.parse("sqlite:///var/x.db", base=tmp_path)

    assert store.backend == "sqlite"
    assert store.env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite"
    assert store.env["SQLITE_DBNAME"] == str(tmp_path / "var" / "x.db")


def test_a_sqlite_path_after_four_slashes_is_absolute(tmp_path: Path) -> None:
    store = storage.parse("sqlite:////abs/x.db", base=tmp_path)

    assert store.env["SQLITE_DBNAME"] == "/abs/x.db"
    assert store.describe() == "SQLite /abs/x.db"


def test_a_sqlite_path_may_be_percent_encoded(tmp_path: Path) -> None:
    store = storage.parse("sqlite:///my%20data/x.db", base=tmp_path)

    assert store.env["SQLITE_DBNAME"] == str(tmp_path / "my data" / "x.db")


@pytest.mark.parametrize(
    ("url", "reason"),
    [("sqlite:///", "names no SQLite file"), ("sqlite:///:memory:", "must be a file")],
)
def test_sqlite_needs_a_file(url: str, reason: str, tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=reason):
        storage.parse(url, base=tmp_path)


def test_a_postgres_url_gives_every_connection_setting_with_the_password_decoded(
    tmp_path: Path,
) -> None:
    url = "postgresql://tracker:p%40ss%2Fw%3Ard@db.example.org:6543/inventory?schema=tracker_prod"

    store = storage.parse(url, base=tmp_path)

    assert store.backend == "postgres"
    assert store.schema == "tracker_prod"
    env = store.env
    assert env["PERSISTENCE_MODULE"] == "eventsourcing.postgres"
    assert (env["POSTGRES_HOST"], env["POSTGRES_PORT"]) == ("db.example.org", "6543")
    assert (env["POSTGRES_DBNAME"], env["POSTGRES_SCHEMA"]) == ("inventory", "tracker_prod")
    assert (env["POSTGRES_USER"], env["POSTGRES_PASSWORD"]) == ("tracker", "p@ss/w:rd")


def test_describing_a_postgres_store_never_shows_the_password(tmp_path: Path) -> None:
    store = storage.parse("postgresql://tracker:s3cret@db:5433/inventory?schema=x", base=tmp_path)

    assert store.describe() == "PostgreSQL db:5433/inventory (schema x)"
    assert "s3cret" not in store.describe()


def test_a_postgres_url_without_port_or_schema_uses_the_defaults(tmp_path: Path) -> None:
    store = storage.parse("postgres://tracker@db/inventory", base=tmp_path)

    assert store.env["POSTGRES_PORT"] == "5432"
    assert store.env["POSTGRES_PASSWORD"] == ""
    assert "POSTGRES_SCHEMA" not in store.env
    assert store.describe().endswith("(schema public)")


def test_the_pool_size_can_be_set_in_the_url(tmp_path: Path) -> None:
    store = storage.parse("postgresql://u@db/inv?pool_size=2&max_overflow=3", base=tmp_path)

    assert (store.env["POSTGRES_POOL_SIZE"], store.env["POSTGRES_MAX_OVERFLOW"]) == ("2", "3")


@pytest.mark.parametrize("schema", ["Public", "1st", "a-b", "x%3Bdrop", "s" * 64])
def test_a_schema_name_must_be_lower_case_letters_digits_and_underscores(
    schema: str, tmp_path: Path
) -> None:
    with pytest.raises(SettingsError, match="schema"):
        storage.parse(f"postgresql://u@db/inv?schema={schema}", base=tmp_path)


@pytest.mark.parametrize("url", ["postgresql://u@db/", "postgresql:///inv"])
def test_a_postgres_url_must_name_a_host_and_a_database(url: str, tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="must name a host and a database"):
        storage.parse(url, base=tmp_path)


@pytest.mark.parametrize("port", ["abc", "99999"])
def test_a_malformed_port_is_a_settings_error(port: str, tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="port"):
        storage.parse(f"postgresql://u@db:{port}/inv", base=tmp_path)


@pytest.mark.parametrize("url", ["mysql://u@db/inv", "var/tracker.sqlite3", "sqlite3:///x.db"])
def test_an_unknown_scheme_is_refused_with_the_accepted_ones(url: str, tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"must start with sqlite:/// or postgresql://"):
        storage.parse(url, base=tmp_path)


def test_settings_default_to_a_sqlite_file_under_var_and_paris_time() -> None:
    settings = Settings.from_env({})

    assert settings.database_url == DEFAULT_DATABASE_URL == "sqlite:///var/tracker.sqlite3"
    assert (settings.zone().key, settings.log_format) == ("Europe/Paris", "console")


def test_settings_are_read_from_tracker_variables_without_surrounding_blanks() -> None:
    settings = Settings.from_env(
        {
            "TRACKER_DATABASE_URL": " postgresql://u@db/inv ",
            "TRACKER_TIMEZONE": "America/Cayenne",
            "TRACKER_LOG_LEVEL": "debug",
            "TRACKER_LOG_FORMAT": "json",
        }
    )

    assert settings.database_url == "postgresql://u@db/inv"
    assert settings.zone().key == "America/Cayenne"
    assert (settings.log_level, settings.log_format) == ("DEBUG", "json")


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("TRACKER_TIMEZONE", "Europe/Rennes", "TRACKER_TIMEZONE names no known time zone"),
        ("TRACKER_LOG_FORMAT", "xml", "TRACKER_LOG_FORMAT must be"),
    ],
)
def test_a_misspelt_setting_is_refused_at_start_with_its_name(
    variable: str, value: str, message: str
) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env({variable: value})


def test_preparing_a_sqlite_store_creates_its_folder(tmp_path: Path) -> None:
    store = storage.parse("sqlite:///nested/dir/events.sqlite3", base=tmp_path)

    storage.prepare(store)

    assert (tmp_path / "nested" / "dir").is_dir()


def _schema_exists(store: storage.Store) -> bool:
    with storage._connect(store) as connection:
        found = connection.execute(
            "SELECT 1 FROM information_schema.schemata WHERE schema_name = %s", [store.schema]
        ).fetchone()
    return found is not None


def _tables_in(store: storage.Store) -> set[str]:
    with storage._connect(store) as connection:
        rows = connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            [store.schema],
        ).fetchall()
    return {str(row[0]) for row in rows}


@pytest.mark.postgres
def test_preparing_a_postgres_store_creates_its_missing_schema(
    postgres_url: str, tmp_path: Path
) -> None:
    store = storage.parse(postgres_url, base=tmp_path)
    assert not _schema_exists(store)

    storage.prepare(store)
    storage.prepare(store)  # a second start finds it there

    assert _schema_exists(store)
    with Inventory(store.env) as inventory:
        assert inventory.is_empty()
    assert _tables_in(store), "the application's tables belong in the schema of the URL"


@pytest.mark.postgres
def test_without_prepare_the_library_refuses_a_missing_schema(
    postgres_url: str, tmp_path: Path
) -> None:
    store = storage.parse(postgres_url, base=tmp_path)

    with pytest.raises(ProgrammingError, match="does not exist"):
        Inventory(store.env)
