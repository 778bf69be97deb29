"""The composition root: build the application and its read models from settings.

Nothing is built at import.
"""

from __future__ import annotations

from pathlib import Path

import structlog

from projections.database import Database, PostgresDatabase, SQLiteDatabase
from projections.migrate import migrate
from tracker import storage
from tracker.application import Inventory
from tracker.integrity import chained
from tracker.read_models import ReadModels
from tracker.service import Clock, utc_now
from tracker.settings import Settings

log = structlog.get_logger(__name__)


def open_inventory(settings: Settings, *, clock: Clock = utc_now) -> Inventory:
    """The Inventory on the store named by TRACKER_DATABASE_URL, created if missing."""
    store = _store(settings)
    with storage.setting_up(store):
        inventory = Inventory(store.env, clock=clock, zone=settings.zone())
        sealed = chained(inventory.recorder).seal()
        if sealed:
            log.info("integrity_chain_sealed", events=sealed)
        return inventory


def open_read_models(settings: Settings) -> Database:
    """The database of the read models (beside the event log), migrated to the latest tables."""
    store = _store(settings)
    database = read_database(store)
    with storage.setting_up(store):
        migrate(database)
    return database


def read_models_of(settings: Settings, inventory: Inventory) -> ReadModels:
    """The read models beside the inventory's log, ready to be fed and read."""
    return ReadModels(inventory, open_read_models(settings))


def read_database_of(settings: Settings) -> Database:
    """Where the read models of these settings live (nothing is opened yet)."""
    return read_database(_store(settings))


def read_database(store: storage.Store) -> Database:
    """Where a store keeps its read models: the same SQLite file or PostgreSQL schema."""
    if store.backend == "sqlite":
        return SQLiteDatabase(Path(store.env["SQLITE_DBNAME"]))
    return PostgresDatabase(storage.connection_params(store), store.schema or "public")


def describe_store(settings: Settings) -> str:
    """Where the events are kept, for messages (never shows a password)."""
    return _store(settings).describe()


def _store(settings: Settings) -> storage.Store:
    return storage.parse(settings.database_url, base=settings.working_directory())
