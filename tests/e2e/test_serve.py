"""`tracker serve` as an operator runs it: several web workers sharing sessions on PostgreSQL."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tracker.bootstrap import open_inventory
from tracker.settings import Settings

TRACKER = str(Path(sys.executable).parent / "tracker")
WORKERS = 3


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def token(page: httpx.Response) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert match, page.text[:500]
    return match.group(1)


@pytest.fixture
def server(postgres_url: str, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    env = {**os.environ, "TRACKER_DATABASE_URL": postgres_url, "TRACKER_LOG_FORMAT": "json",
           "TRACKER_SECRET_KEY": "several-workers-share-this-secret-key"}  # fmt: skip
    added = subprocess.run(
        [TRACKER, "user", "add", "chef", "--role", "admin", "--password-stdin"],
        input="un mot de passe assez long\n", env=env, capture_output=True, text=True,
        check=False, cwd=tmp_path,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    with open_inventory(Settings(database_url=postgres_url)) as inventory:
        inventory.register_programme(code="CD35", name="CD35", territory="35", actor="chef")
    port, log = free_port(), tmp_path / "server.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [TRACKER, "serve", "--port", str(port), "--workers", str(WORKERS), "--no-demo"],
            env=env, stdout=output, stderr=subprocess.STDOUT, cwd=tmp_path,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    if httpx.get(f"{base}/sante").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.2)
            else:
                pytest.fail(log.read_text()[-3000:])
            time.sleep(1)  # let every worker finish starting
            yield base, log
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)


@pytest.mark.postgres
def test_a_session_opened_on_one_worker_is_honoured_by_every_worker(
    server: tuple[str, Path],
) -> None:
    base, log = server
    # No keep-alive: each request may reach another worker.
    client = httpx.Client(base_url=base, limits=httpx.Limits(max_keepalive_connections=0))
    signed_in = client.post("/connexion", data={"username": "chef",
                            "password": "un mot de passe assez long",
                            "_csrf_token": token(client.get("/connexion"))})  # fmt: skip
    assert signed_in.headers["location"] == "/gestion"
    assert Counter(client.get("/gestion/sites/").status_code for _ in range(30)) == {200: 30}

    created = client.post("/gestion/sites/", data={
        "code": "TL-MULTI", "name": "Tiers-lieu partagé", "kind": "third_place", "town": "",
        "programme": "CD35", "version": "0",  # the programme the operator registered
        "_csrf_token": token(client.get("/gestion/sites/nouveau")),
    })  # fmt: skip
    assert created.status_code == 303
    assert all("TL-MULTI" in client.get("/gestion/sites/").text for _ in range(15))

    client.post("/deconnexion", data={"_csrf_token": token(client.get("/compte/"))})
    assert {client.get("/gestion/sites/").status_code for _ in range(10)} == {303}

    lines = log.read_text().splitlines()
    workers = {line.split('"worker": ')[1].split(",")[0] for line in lines if '"request"' in line}
    assert len(workers) > 1, "the requests never reached a second worker"
