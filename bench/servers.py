"""The stores and servers a benchmark runs against, started here and always cleaned up.

- `postgres()`: TRACKER_BENCH_POSTGRES_URL if set, else a throwaway cluster started from the
  installed binaries with the server's crash-safe defaults (fsync and synchronous commit on).
- `store_url(backend, folder, postgres_url)`: an empty store (a new SQLite file or schema).
- `serving(database_url)`: `tracker serve` on that store, JSON logs, until the block ends.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from tracker import throwaway_postgres

ROOT = Path(__file__).resolve().parents[1]
TRACKER = Path(sys.executable).parent / "tracker"
SECRET = "bench-secret-key-not-for-production"  # noqa: S105 (throwaway servers only)
START_TIMEOUT = 120.0


@contextmanager
def postgres() -> Iterator[str]:
    """A PostgreSQL server URL (no schema); a throwaway one is stopped and removed at the end."""
    given = os.environ.get("TRACKER_BENCH_POSTGRES_URL", "").strip()
    if given:
        yield given
        return
    bindir = throwaway_postgres.bindir()
    if bindir is None:
        msg = "no PostgreSQL server binaries (initdb) found; set TRACKER_BENCH_POSTGRES_URL"
        raise RuntimeError(msg)
    cluster = throwaway_postgres.ThrowawayCluster(bindir, durable=True)
    try:
        yield cluster.start()
    finally:
        cluster.stop()


def with_schema(url: str, schema: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "schema"]
    return urlunsplit(parts._replace(query=urlencode([*query, ("schema", schema)])))


def store_url(backend: str, folder: Path, postgres_url: str, name: str = "") -> str:
    """The URL of a new, empty store on this backend."""
    name = name or f"bench_{uuid.uuid4().hex[:8]}"
    if backend == "sqlite":
        return f"sqlite:///{folder / name}.sqlite3"
    return with_schema(postgres_url, name)


def environment(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a tracker process on this store (JSON logs, warnings only)."""
    return {
        **os.environ,
        "TRACKER_DATABASE_URL": database_url,
        "TRACKER_SECRET_KEY": SECRET,
        "TRACKER_LOG_FORMAT": "json",
        "TRACKER_LOG_LEVEL": "WARNING",
        **extra,
    }


@dataclass(frozen=True)
class Server:
    """A running `tracker serve`: its base URL, its process id and its log file."""

    url: str
    pid: int
    log: Path


def wait_until_healthy(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            msg = f"`tracker serve` stopped with code {process.returncode}"
            raise RuntimeError(msg)
        try:
            with urllib.request.urlopen(f"{url}/sante", timeout=2) as answer:  # noqa: S310 (ours)
                if answer.status == HTTPStatus.OK:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    msg = f"`tracker serve` did not answer on {url} within {START_TIMEOUT:.0f} s"
    raise RuntimeError(msg)


@contextmanager
def serving(
    database_url: str, folder: Path, *, workers: int = 1, log_level: str = "WARNING"
) -> Iterator[Server]:
    """`tracker serve` on this store until the block ends; stopped (then killed) after."""
    port = throwaway_postgres.free_port()
    log_path = folder / f"server-{port}.log"
    env = environment(database_url, TRACKER_LOG_LEVEL=log_level)
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 (our own executable, fixed arguments)
            [str(TRACKER), "serve", "--host", "127.0.0.1", "--port", str(port),
             "--workers", str(workers), "--no-demo"],
            cwd=ROOT, env=env, stdout=log, stderr=log,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, process)
        yield Server(url, process.pid, log_path)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
