"""Structured logging, configured once by the entry point; never logs secrets or personal data."""

from __future__ import annotations

import logging
import sys

import structlog

from tracker.settings import Settings


def configure_logging(settings: Settings, *, default_level: str = "INFO") -> None:
    """Send structlog and standard-library records to stderr, as text or JSON lines.

    The command line is quiet by default (warnings); a server logs every request (info).
    TRACKER_LOG_LEVEL overrides both.
    """
    name = settings.log_level or default_level
    level = logging.getLevelNamesMapping().get(name, logging.INFO)
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer()
        if settings.log_format == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,  # tests capture logs after other tests configured them
    )
    logging.basicConfig(level=level, stream=sys.stderr, format="%(levelname)s %(name)s %(message)s")
