"""A throwaway PostgreSQL cluster started from the installed server binaries.

The tests and the benchmarks use it when no server is named: `initdb` in a temporary folder
(owned by the `postgres` user when we run as root, since the server refuses to run as root),
trust authentication on 127.0.0.1, a free port, no fsync, stopped with `-m immediate`.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

START_ATTEMPTS = 3


def bindir() -> Path | None:
    """Where initdb and pg_ctl are: the newest Debian install, else pg_config, else PATH."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
    )
    if found:
        return found[-1].parent
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        out = subprocess.run(
            ["pg_config", "--bindir"],  # noqa: S607 (wherever PATH finds it)
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        if (Path(out) / "initdb").exists():
            return Path(out)
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _world_traversable(path: Path) -> bool:
    return all(p.stat().st_mode & 0o001 for p in [path, *path.parents])


class ThrowawayCluster:
    """A PostgreSQL cluster in a temporary folder, run as `postgres` when we are root.

    `durable` keeps the server's crash-safe defaults (fsync, synchronous commit), as a
    production server would run: the benchmarks use it, the tests do not need it.
    """

    def __init__(self, bindir: Path, *, durable: bool = False) -> None:
        self.bindir = bindir
        self.durable = durable
        as_root = os.geteuid() == 0
        self.prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
        base = Path(tempfile.gettempdir())
        if as_root and not _world_traversable(base):
            base = Path("/tmp")  # noqa: S108 (the postgres user must reach the folder)
        self.root = Path(tempfile.mkdtemp(prefix="tracker-pg-", dir=base))
        if as_root:
            owner = pwd.getpwnam("postgres")
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
        self.data = self.root / "data"
        self.port = 0

    def run(self, *args: str) -> None:
        done = subprocess.run(  # noqa: S603 (our own binaries and folders)
            [*self.prefix, *args], capture_output=True, text=True, check=False, timeout=120
        )
        if done.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            msg = f"{Path(args[0]).name} failed: {done.stdout}{done.stderr}{tail}"
            raise RuntimeError(msg)

    def start(self) -> str:
        self.run(
            str(self.bindir / "initdb"),
            *("-D", str(self.data), "-U", "postgres", "-A", "trust"),
            *("-E", "UTF8", "--locale=C", "--no-sync"),
        )
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": f"'{self.root}'",
            "max_connections": "200",
        }
        if not self.durable:  # tests: speed over crash safety; benchmarks keep the defaults
            settings |= {"fsync": "off", "full_page_writes": "off", "synchronous_commit": "off"}
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
        for attempt in range(START_ATTEMPTS):
            self.port = free_port()  # another process may take it first: then try again
            try:
                self.pg_ctl("-w", "-t", "60", "-o", f"-p {self.port}", "start")
            except RuntimeError:
                if attempt + 1 == START_ATTEMPTS:
                    raise
            else:
                break
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def pg_ctl(self, *args: str) -> None:
        log = str(self.root / "server.log")
        self.run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", log, *args)

    def stop(self) -> None:
        with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
            self.pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(self.root, ignore_errors=True)
