"""Settings read once from the environment; the only module that looks at os.environ."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_DATABASE_URL = "sqlite:///var/tracker.sqlite3"


class SettingsError(Exception):
    """Raised when a setting from the environment cannot be used; the message says which."""


@dataclass(frozen=True)
class Settings:
    """How this installation runs."""

    database_url: str = DEFAULT_DATABASE_URL
    timezone: str = "Europe/Paris"
    log_level: str = ""  # empty: the entry point's default
    log_format: str = "console"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read TRACKER_* variables, falling back to the defaults above."""
        env = os.environ if environ is None else environ
        settings = cls(
            database_url=env.get("TRACKER_DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL,
            timezone=env.get("TRACKER_TIMEZONE", "").strip() or cls.timezone,
            log_level=env.get("TRACKER_LOG_LEVEL", "").strip().upper(),
            log_format=env.get("TRACKER_LOG_FORMAT", "").strip() or cls.log_format,
        )
        settings.zone()  # fail early on a misspelt time zone
        if settings.log_format not in ("console", "json"):
            msg = "TRACKER_LOG_FORMAT must be 'console' or 'json'."
            raise SettingsError(msg)
        return settings

    def zone(self) -> ZoneInfo:
        """The time zone in which business dates and "today" are read."""
        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            msg = f"TRACKER_TIMEZONE names no known time zone: {self.timezone!r}."
            raise SettingsError(msg) from None

    def working_directory(self) -> Path:
        """Where relative SQLite paths are resolved."""
        return Path.cwd()
