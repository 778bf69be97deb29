"""The composition root: build the application from settings; nothing is built at import."""

from __future__ import annotations

from tracker import storage
from tracker.application import Clock, Inventory, utc_now
from tracker.settings import Settings


def open_inventory(settings: Settings, *, clock: Clock = utc_now) -> Inventory:
    """The Inventory on the store named by TRACKER_DATABASE_URL, created if missing."""
    store = storage.parse(settings.database_url, base=settings.working_directory())
    with storage.setting_up(store):
        return Inventory(store.env, clock=clock, zone=settings.zone())


def describe_store(settings: Settings) -> str:
    """Where the events are kept, for messages (never shows a password)."""
    return storage.parse(settings.database_url, base=settings.working_directory()).describe()
