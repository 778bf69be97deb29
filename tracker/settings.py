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
    secret_key: str = ""  # empty: the web server keeps one in var/secret-key
    public_url: str = "http://127.0.0.1:8000"
    session_idle_minutes: int = 30
    session_max_hours: int = 10
    projections: str = "embedded"  # or "external": `tracker project` runs beside the web workers
    co2_factors: str = ""  # a TOML file of CO2e factors per device type; empty: tracker/co2.toml
    register_key: str = ""  # the beneficiary register's master key (base64); see personal_data
    register_key_file: str = ""  # or a file holding it; neither: var/register-key
    retention_months: int = 36  # personal data kept after a person's last agreement ends

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read TRACKER_* variables, falling back to the defaults above."""
        env = os.environ if environ is None else environ
        settings = cls(
            database_url=env.get("TRACKER_DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL,
            timezone=env.get("TRACKER_TIMEZONE", "").strip() or cls.timezone,
            log_level=env.get("TRACKER_LOG_LEVEL", "").strip().upper(),
            log_format=env.get("TRACKER_LOG_FORMAT", "").strip() or cls.log_format,
            secret_key=env.get("TRACKER_SECRET_KEY", "").strip(),
            public_url=env.get("TRACKER_PUBLIC_URL", "").strip().rstrip("/") or cls.public_url,
            session_idle_minutes=_positive(
                env, "TRACKER_SESSION_IDLE_MINUTES", cls.session_idle_minutes
            ),
            session_max_hours=_positive(env, "TRACKER_SESSION_MAX_HOURS", cls.session_max_hours),
            projections=env.get("TRACKER_PROJECTIONS", "").strip() or cls.projections,
            co2_factors=env.get("TRACKER_CO2_FACTORS", "").strip(),
            register_key=env.get("TRACKER_REGISTER_KEY", "").strip(),
            register_key_file=env.get("TRACKER_REGISTER_KEY_FILE", "").strip(),
            retention_months=_positive(env, "TRACKER_RETENTION_MONTHS", cls.retention_months),
        )
        settings.zone()  # fail early on a misspelt time zone
        if settings.log_format not in ("console", "json"):
            msg = "TRACKER_LOG_FORMAT must be 'console' or 'json'."
            raise SettingsError(msg)
        if settings.projections not in ("embedded", "external"):
            msg = "TRACKER_PROJECTIONS must be 'embedded' or 'external'."
            raise SettingsError(msg)
        if not settings.public_url.startswith(("http://", "https://")):
            msg = "TRACKER_PUBLIC_URL must start with http:// or https://."
            raise SettingsError(msg)
        return settings

    @property
    def https(self) -> bool:
        """Whether people reach the server over HTTPS (then cookies are Secure, __Host-)."""
        return self.public_url.startswith("https://")

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


def _positive(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        msg = f"{name} must be a whole number greater than 0."
        raise SettingsError(msg)
    return int(raw)
