"""`tracker serve` under HTTP load: steps recorded by concurrent clients, pages, memory.

    .venv/bin/python -m bench.http_load [--url DATABASE_URL] [--postgres] [--quick] [--json FILE]

The server is started here (`bench.servers.serving`: one uvicorn worker; on PostgreSQL the full
run also measures two) and driven by a load generator in this process: threads, each one
person's browser with its own kept-alive connection, cookies, server-side session and CSRF
token (sign-in is done before any timing: Argon2 costs ~0.2 s and the throttle refuses after
five failures, so it never retries).

- Record a step over HTTP: K clients (1 and 4) signed in as `atelier`, each moving its own
  computers (a donation it registered over HTTP) ESAT-RANCE <-> AI-VILAINE with the station's
  transfer form, as htmx posts it; the next seen version is read from the card that answers
  (its undo form carries it). A step counts only if it answered 200, shows no refusal and the
  card shows the new site. Steps per second, client latency (median, p95, p99) and the server's
  own times from `Server-Timing`; the details add the server's CPU time per request (/proc)
  and how busy the whole machine was (it may be shared). Baseline: GET /sante by the same
  clients, on the same connections and sessions, at the same concurrency: what HTTP, the
  session middleware and the server cost on their own, so the ratio is the price of the step
  itself. With several workers the clients are first spread evenly over them (a kept-alive
  connection stays with the worker that accepted it).
- Pages: the server time (`Server-Timing`) of every read page an officer or auditor opens,
  requested in rounds (one of each page per round, after warm-up rounds) so that a slow moment
  of a shared machine touches every page alike. Baseline: /sante, signed in, in the same rounds.
  One more row compares /sante signed in with /sante anonymous: the per-request price of the
  server-side session store (a database connection per read and per write of the session).
- Memory: the server's peak resident memory (VmHWM) after all the load, beside its peak right
  after start-up. With one worker uvicorn serves inside the `tracker serve` process itself; with
  several, the workers are its children and the largest one is the figure (all in the details).
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from threading import Barrier, Thread
from typing import Any
from urllib.parse import urlencode, urlsplit
from uuid import uuid4

import psycopg
from psycopg import sql

from bench.harness import Report, Row, Target, Timings, peak_rss_mib
from bench.servers import ROOT, TRACKER, environment, postgres, serving, store_url
from tracker import storage


@dataclass(frozen=True)
class Page:
    """A page to time: its name in the report, its path ({tag}, {serial}, {donor} filled in)."""

    name: str
    path: str
    role: str = "officer"


# Every read page an officer or an auditor can open; a new page is one more line.
PAGES = (
    Page("dashboard, all programmes", "/suivi"),
    Page("dashboard, programme CD35", "/suivi?programme=CD35"),
    Page("dashboard, one site", "/suivi?programme=CD35&site=ESAT-RANCE"),
    *(
        Page(f"dashboard part {name}, CD35", f"/suivi/partie/{name}?programme=CD35")
        for name in ("objectif", "debit", "entonnoir", "stocks", "delais", "prets", "matieres")
    ),
    Page("dashboard live check", "/suivi/nouveautes?depuis=0"),
    Page(
        "list: reconditioned this year, CD35",
        "/suivi/ordinateurs?liste=etape&etape=reconditioned&programme=CD35",
    ),
    Page(
        "list: waiting for triage, CD35",
        "/suivi/ordinateurs?liste=etat&etat=awaiting_triage&programme=CD35",
    ),
    Page("export CSV: monthly throughput, CD35", "/suivi/export/debit-annee.csv?programme=CD35"),
    Page("export XLSX: stock per site, CD35", "/suivi/export/stocks-par-site.xlsx?programme=CD35"),
    Page("dashboard as auditor, CD35", "/suivi?programme=CD35", "auditor"),
    Page("auditor home", "/audit", "auditor"),
    Page("management home", "/gestion"),
    Page("search by tag", "/ordinateurs?q={tag}"),
    Page("search by serial number", "/ordinateurs?q={serial}"),
    Page("computer card", "/ordinateurs/{tag}"),
    Page("computer label PDF", "/ordinateurs/{tag}/etiquette.pdf"),
    Page("scan station", "/atelier/scan"),
    Page("sites", "/gestion/sites"),
    Page("site form", "/gestion/sites/ESAT-RANCE"),
    Page("programmes", "/gestion/programmes"),
    Page("programme form", "/gestion/programmes/CD35"),
    Page("donors", "/gestion/donateurs"),
    Page("donor form", "/gestion/donateurs/{donor}"),
    Page("accounts", "/gestion/utilisateurs", "auditor"),
    Page("account history", "/gestion/utilisateurs/atelier", "auditor"),
    Page("own account", "/compte"),
)
ACCOUNTS = {"workshop": ("atelier", "demo-atelier"), "officer": ("agent", "demo-agent"),
            "auditor": ("auditeur", "demo-auditeur")}  # fmt: skip
HOME, AWAY = "ESAT-RANCE", "AI-VILAINE"  # a sorting workshop and an insertion workshop
HTMX = {"HX-Request": "true", "HX-Target": "station"}
OK, SEE_OTHER = 200, 303


@dataclass(frozen=True)
class Plan:
    """How much each part does.

    At demo scale measure() takes ~20 s a backend when quick; in full, ~50 s on SQLite and
    ~2 min on PostgreSQL (which also runs two workers).
    """

    clients: tuple[int, ...] = (1, 4)
    computers: int = 20  # per client: each one gets a few dozen steps, not thousands
    warm_up_steps: int = 3  # per client, before any timing
    step_seconds: float = 12.0
    baseline_seconds: float = 4.0
    page_rounds: int = 30
    page_warm_up: int = 3


FULL = Plan()
QUICK = Plan(computers=5, step_seconds=3.0, baseline_seconds=1.5, page_rounds=10, page_warm_up=2)


# -- one browser -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """A response read whole: status, body, where it redirects, client and server times."""

    status: int
    body: bytes
    location: str
    client_ms: float
    server_ms: float

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


SERVER_TIMING = re.compile(r"dur=([0-9.]+)")
CSRF_INPUT = re.compile(r'name="_csrf_token" value="([^"]+)"')
SEEN_VERSION = re.compile(r'name="seen_version" value="(\d+)"')
CARD_SITE = re.compile(r'<span class="code">([^<]+)</span></dd>')
CARD_LINK = re.compile(r'<a href="/ordinateurs/([^"/?]+)"><code>')
FIRST_DONOR = re.compile(r'name="donor".*?<option value="([^"]+)"', re.DOTALL)
RECEIVED_ON = re.compile(r'name="received_on" type="date" value="([^"]+)"')


class Browser:
    """One person's browser: a kept-alive connection, its cookies and its CSRF token."""

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        self.address = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.connection = http.client.HTTPConnection(*self.address, timeout=120)
        self.cookies: dict[str, str] = {}
        self.token = ""

    def reconnect(self) -> None:
        self.connection.close()
        self.connection = http.client.HTTPConnection(*self.address, timeout=120)

    @property
    def local_port(self) -> int:
        sock = self.connection.sock
        return int(sock.getsockname()[1]) if sock is not None else 0

    def get(self, path: str, headers: dict[str, str] | None = None) -> Answer:
        return self._send("GET", path, None, headers or {})

    def post(
        self, path: str, form: dict[str, str], headers: dict[str, str] | None = None
    ) -> Answer:
        body = urlencode({**form, "_csrf_token": self.token}).encode()
        content = {"Content-Type": "application/x-www-form-urlencoded"}
        return self._send("POST", path, body, {**content, **(headers or {})})

    def _send(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> Answer:
        if self.cookies:
            headers = {**headers, "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        try:
            return self._exchange(method, path, body, headers)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # uvicorn closes a connection idle for 5 s (between two parts): open it again.
            self.connection.close()
            return self._exchange(method, path, body, headers)

    def _exchange(
        self, method: str, path: str, body: bytes | None, headers: dict[str, str]
    ) -> Answer:
        started = time.perf_counter()
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        content = response.read()
        client_ms = (time.perf_counter() - started) * 1000
        for line in response.msg.get_all("set-cookie") or []:
            jar = SimpleCookie()
            jar.load(line)
            self.cookies |= {name: morsel.value for name, morsel in jar.items()}
        timing = SERVER_TIMING.search(response.getheader("server-timing", ""))
        server_ms = float(timing.group(1)) if timing else float("nan")
        location = response.getheader("location", "")
        return Answer(response.status, content, location, client_ms, server_ms)


def expect(answer: Answer, status: int, what: str) -> Answer:
    if answer.status != status:
        msg = f"{what}: HTTP {answer.status} instead of {status}: {answer.text[:300]}"
        raise RuntimeError(msg)
    return answer


def signed_in(base_url: str, role: str) -> Browser:
    """A browser in which this demo account has just signed in (once: never a failure)."""
    username, password = ACCOUNTS[role]
    browser = Browser(base_url)
    page = expect(browser.get("/connexion"), OK, "the sign-in page")
    found = CSRF_INPUT.search(page.text)
    if found is None:
        msg = "no CSRF token on the sign-in page"
        raise RuntimeError(msg)
    browser.token = found.group(1)
    form = {"username": username, "password": password}
    expect(browser.post("/connexion", form), SEE_OTHER, f"signing in as {username}")
    return browser


# -- the workshop clients ----------------------------------------------------------------------


@dataclass
class Computer:
    """A computer a client moves: its tag, where it is and its version as last seen."""

    tag: str
    serial: str
    site: str = HOME
    version: int = 0


@dataclass
class Workshop:
    """A workshop client: its browser, its own computers, and the day steps are dated."""

    browser: Browser
    computers: list[Computer]
    today: str
    turn: int = 0

    def transfer(self) -> tuple[Answer, bool]:
        """Send the next computer to the other site; whether the card shows it done."""
        computer = self.computers[self.turn % len(self.computers)]
        self.turn += 1
        destination = AWAY if computer.site == HOME else HOME
        form = {"command_id": str(uuid4()), "seen_version": str(computer.version),
                "to_site": destination, "occurred_on": self.today, "note": ""}  # fmt: skip
        answer = self.browser.post(f"/ordinateurs/{computer.tag}/etapes/transfer", form, HTMX)
        site, version = CARD_SITE.search(answer.text), SEEN_VERSION.search(answer.text)
        shown = site.group(1) if site else None
        refused = answer.status != OK or 'id="refusal"' in answer.text
        if not refused and shown == destination and version is not None:
            computer.site, computer.version = destination, int(version.group(1))
            return answer, True
        self.look_at(computer)  # refused, or not what was asked: see where it stands now
        return answer, False

    def look_at(self, computer: Computer) -> None:
        """Open the computer's transfer form, as a person does: its site and seen version."""
        form = self.browser.get(f"/ordinateurs/{computer.tag}/etapes/transfer", HTMX)
        version = SEEN_VERSION.search(expect(form, OK, f"the transfer form of {computer.tag}").text)
        card = expect(self.browser.get(f"/ordinateurs/{computer.tag}", HTMX), OK, computer.tag)
        site = CARD_SITE.search(card.text)
        if version is None or site is None:
            msg = f"no seen version or no site for {computer.tag}"
            raise RuntimeError(msg)
        computer.version, computer.site = int(version.group(1)), site.group(1)

    def health(self) -> tuple[Answer, bool]:
        answer = self.browser.get("/sante")
        return answer, answer.status == OK and answer.body == b"ok"


def new_workshop(base_url: str, plan: Plan) -> Workshop:
    """A signed-in workshop client with a donation of its own registered at ESAT-RANCE."""
    browser = signed_in(base_url, "workshop")
    intake = expect(browser.get("/atelier/dons/nouveau"), OK, "the intake form").text
    today, donor = RECEIVED_ON.search(intake), FIRST_DONOR.search(intake)
    if today is None or donor is None:
        msg = "the intake form has no date or no donor"
        raise RuntimeError(msg)
    serials = [f"HTTPLOAD-{uuid4().hex[:10].upper()}" for _ in range(plan.computers)]
    form = {"command_id": str(uuid4()), "site": HOME, "donor": donor.group(1),
            "received_on": today.group(1), "rows": str(len(serials)), "note": ""}  # fmt: skip
    for row, serial in enumerate(serials):
        form |= {f"units.{row}.device_type": "laptop", f"units.{row}.brand": "Dell",
                 f"units.{row}.model": "Latitude 5490", f"units.{row}.serial": serial}  # fmt: skip
    done = expect(browser.post("/atelier/dons/nouveau", form), SEE_OTHER, "the donation")
    batch = expect(browser.get(done.location), OK, "the donation page").text
    tags = list(dict.fromkeys(CARD_LINK.findall(batch)))
    workshop = Workshop(browser, [Computer(t, s) for t, s in zip(tags, serials, strict=True)],
                        today.group(1))  # fmt: skip
    for computer in workshop.computers:
        workshop.look_at(computer)
    for _ in range(plan.warm_up_steps):
        if not workshop.transfer()[1]:
            msg = "a warm-up transfer was refused"
            raise RuntimeError(msg)
    return workshop


# -- load --------------------------------------------------------------------------------------


@dataclass
class Tally:
    """What one client saw during a timed part."""

    client_ms: list[float] = field(default_factory=list)
    server_ms: list[float] = field(default_factory=list)
    failures: Counter[int] = field(default_factory=Counter)

    def add(self, answer: Answer, done: bool) -> None:
        if done:
            self.client_ms.append(answer.client_ms)
            self.server_ms.append(answer.server_ms)
        else:
            self.failures[answer.status] += 1


@dataclass(frozen=True)
class Load:
    """All clients of a timed part: successes, failures, wall time, client and server times."""

    client: Timings
    server: Timings
    failures: dict[int, int]
    seconds: float
    server_cpu_seconds: float
    machine_cpu_seconds: float

    @property
    def rate(self) -> float:
        return len(self.client.samples_ms) / self.seconds

    def details(self) -> dict[str, Any]:
        requests, seconds = len(self.client.samples_ms), self.seconds
        return {
            "requests": requests,
            "seconds": round(seconds, 2),
            "per_s": round(self.rate, 1),
            "failures_by_status": self.failures,
            "client": self.client.summary(),
            "server": self.server.summary(),
            "server_cpu_ms_per_request": round(
                self.server_cpu_seconds * 1000 / max(requests, 1), 2
            ),
            "server_cores_busy": round(self.server_cpu_seconds / seconds, 2),
            "machine_cores_busy": round(self.machine_cpu_seconds / seconds, 2),
        }


Action = Callable[[], tuple[Answer, bool]]


def load(actions: list[Action], seconds: float, server: list[int]) -> Load:
    """Each action in a loop on its own thread, all started together, for `seconds`.

    `server`: the serving processes, whose CPU time is read before and after.
    """
    tallies = [Tally() for _ in actions]
    errors: list[Exception] = []
    start = Barrier(len(actions) + 1)

    def run(action: Action, tally: Tally) -> None:
        start.wait()
        deadline = time.perf_counter() + seconds
        try:
            while time.perf_counter() < deadline:
                tally.add(*action())
        except Exception as error:  # noqa: BLE001 (raised again below, in the caller's thread)
            errors.append(error)

    threads = [Thread(target=run, args=pair) for pair in zip(actions, tallies, strict=True)]
    for thread in threads:
        thread.start()
    cpu, machine = cpu_seconds(server), machine_cpu_seconds()
    start.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    cpu, machine = cpu_seconds(server) - cpu, machine_cpu_seconds() - machine
    if errors:
        raise errors[0]
    failures = sum((tally.failures for tally in tallies), Counter[int]())
    if not any(tally.client_ms for tally in tallies):
        msg = f"no request succeeded in {seconds} s (failures by status: {dict(failures)})"
        raise RuntimeError(msg)
    return Load(Timings(tuple(ms for t in tallies for ms in t.client_ms)),
                Timings(tuple(ms for t in tallies for ms in t.server_ms)),
                dict(failures), elapsed, cpu, machine)  # fmt: skip


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU seconds these processes have used so far (all their threads)."""
    ticks = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime and stime, fields 14 and 15
    return ticks / os.sysconf("SC_CLK_TCK")


def machine_cpu_seconds() -> float:
    """CPU seconds the whole machine has been busy (the load generator and PostgreSQL too)."""
    ticks = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = ticks[3] + ticks[4]  # idle and iowait
    return (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")  # guest time is counted in user


def measure_steps(
    report: Report, target: Target, server: Serving, workshops: list[Workshop], plan: Plan
) -> None:
    """Transfers by K clients at once, beside /sante by the same clients (the same sessions)."""
    for clients in plan.clients:
        chosen = workshops[:clients]
        spread = server.spread([w.browser for w in chosen])
        base = load([w.health for w in chosen], plan.baseline_seconds, server.workers)
        steps = load([w.transfer for w in chosen], plan.step_seconds, server.workers)
        if steps.failures or base.failures:
            print(f"  !! failures: steps {steps.failures}, /sante {base.failures}", flush=True)
        where = f"{clients} client{'s' if clients > 1 else ''}{server.suffix}"
        details = {"clients": clients, "clients_per_worker": spread,
                   "steps": steps.details(), "baseline": base.details()}  # fmt: skip
        report.add(Row(f"record a step over HTTP: transfers/s, {where}", target.backend,
                       target.scale, steps.rate, "req/s", f"GET /sante, {where}", base.rate,
                       kind="rate", details=details))  # fmt: skip
        report.add(Row(f"record a step over HTTP: latency, {where}", target.backend,
                       target.scale, steps.client.median, "ms", f"GET /sante, {where}",
                       base.client.median, details=details))  # fmt: skip


# -- pages -------------------------------------------------------------------------------------


SANTE, ANONYMOUS = "/sante (signed in)", "/sante (anonymous)"


@dataclass(frozen=True)
class Visited:
    """One page's answers over the measured rounds: server and client milliseconds."""

    server: Timings
    client: Timings

    def row(self, target: Target, path: str, *, baseline: Visited, baseline_name: str,
            **details: str) -> Row:  # fmt: skip
        figures = {"server_p95_ms": round(self.server.p95, 2), "n": len(self.server.samples_ms),
                   "client_median_ms": round(self.client.median, 2),
                   "baseline_server_p95_ms": round(baseline.server.p95, 2)}  # fmt: skip
        return Row(path, target.backend, target.scale, self.server.median, "ms", baseline_name,
                   baseline.server.median, details={**details, **figures})  # fmt: skip


def visit_pages(base_url: str, values: dict[str, str], plan: Plan) -> dict[str, Visited]:
    """Every page of PAGES and /sante, once each per round, each role in its own session."""
    browsers = {role: signed_in(base_url, role) for role in ("officer", "auditor")}
    visits = [(p.name, browsers[p.role], p.path.format(**values)) for p in PAGES]
    visits += [(SANTE, browsers["officer"], "/sante"), (ANONYMOUS, Browser(base_url), "/sante")]
    answers: dict[str, list[Answer]] = {name: [] for name, _, _ in visits}
    for round_number in range(plan.page_warm_up + plan.page_rounds):
        for name, browser, path in visits:
            answer = expect(browser.get(path), OK, f"{name} ({path})")
            if round_number >= plan.page_warm_up:
                answers[name].append(answer)
    return {name: Visited(Timings(tuple(a.server_ms for a in seen)),
                          Timings(tuple(a.client_ms for a in seen)))
            for name, seen in answers.items()}  # fmt: skip


def measure_pages(
    report: Report, target: Target, base_url: str, values: dict[str, str], plan: Plan
) -> None:
    """One row per page (its server time beside /sante's), then the session store's price."""
    visited = visit_pages(base_url, values, plan)
    for page in PAGES:
        report.add(visited[page.name].row(
            target, f"page: {page.name}", baseline=visited[SANTE], baseline_name=SANTE,
            url=page.path.format(**values), role=page.role))  # fmt: skip
    session = visited[SANTE].row(
        target,
        "session store: /sante signed in",
        baseline=visited[ANONYMOUS],
        baseline_name=ANONYMOUS,
    )
    report.add(session)


def page_values(workshop: Workshop) -> dict[str, str]:
    """What fills the pages' paths: a demo computer, one of our serial numbers, a donor.

    The computer is one of the demo's on the workshop's home (else one of ours).
    """
    home = expect(workshop.browser.get("/atelier"), OK, "the workshop home").text
    mine = {c.tag for c in workshop.computers}
    ours = workshop.computers[0]
    demo = next((tag for tag in CARD_LINK.findall(home) if tag not in mine), ours.tag)
    intake = expect(workshop.browser.get("/atelier/dons/nouveau"), OK, "the intake form").text
    donor = FIRST_DONOR.search(intake)
    if donor is None:
        msg = "no donor on the intake form"
        raise RuntimeError(msg)
    return {"tag": demo, "serial": ours.serial, "donor": donor.group(1)}


# -- the server's processes -------------------------------------------------------------------


@dataclass(frozen=True)
class Serving:
    """A running `tracker serve` and the processes that answer its requests.

    With one worker uvicorn serves in the `tracker serve` process itself; with several, the
    workers are its children, started by multiprocessing (`spawn_main` in their command line).
    """

    url: str
    pid: int
    workers: list[int]

    @classmethod
    def started(cls, url: str, pid: int, workers: int, timeout: float = 60.0) -> Serving:
        """Once every worker is up and its memory has settled after start-up."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = _workers_of(pid) or [pid]
            if len(found) >= workers:
                before = [peak_rss_mib(p) for p in found]
                time.sleep(1.0)
                if [peak_rss_mib(p) for p in found] == before:
                    return cls(url, pid, found)
            else:
                time.sleep(0.2)
        msg = f"{workers} workers did not settle within {timeout:.0f} s"
        raise RuntimeError(msg)

    @property
    def suffix(self) -> str:
        return f" ({len(self.workers)} workers)" if len(self.workers) > 1 else ""

    @property
    def which(self) -> str:
        if self.workers == [self.pid]:
            return "the `tracker serve` process (uvicorn serves in it with one worker)"
        return "the largest uvicorn worker (children of `tracker serve`)"

    def peaks(self) -> dict[int, float]:
        return {pid: round(peak_rss_mib(pid), 1) for pid in self.workers}

    def spread(self, browsers: list[Browser], tries: int = 40) -> dict[int, int]:
        """Connect each browser to the next worker in turn: how many ended up on each.

        A kept-alive connection stays with the worker that accepted it, and the first worker
        to wake often accepts them all; many people's browsers spread out, four do not.
        """
        if len(self.workers) > 1:
            for index, browser in enumerate(browsers):
                wanted = self.workers[index % len(self.workers)]
                for _ in range(tries):
                    if self.worker_of(browser) == wanted:
                        break
                    browser.reconnect()
        return dict(Counter(self.worker_of(browser) or 0 for browser in browsers))

    def worker_of(self, browser: Browser) -> int | None:
        """The worker holding the server's end of this browser's connection."""
        expect(browser.get("/sante"), OK, "/sante")  # connected, and accepted by a worker
        port = int(self.url.rsplit(":", 1)[1])
        wanted = f"socket:[{_server_socket(port, browser.local_port)}]"
        for pid in self.workers:
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                with suppress(OSError):
                    if str(fd.readlink()) == wanted:
                        return pid
        return None


def _workers_of(pid: int) -> list[int]:
    children = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children += [int(c) for c in (task / "children").read_text().split()]
    return [c for c in children if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]


def _server_socket(server_port: int, client_port: int) -> str:
    """The inode of the server's socket of a connection on localhost, from /proc/net/tcp."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = (int(address.rsplit(":", 1)[1], 16) for address in fields[1:3])
        if (local, remote) == (server_port, client_port):
            return fields[9]
    return "unknown"


# -- one server --------------------------------------------------------------------------------


def measure_server(report: Report, target: Target, workers: int, *, pages: bool) -> None:
    """Start `tracker serve` with this many workers, load it, read its memory, stop it."""
    plan = QUICK if target.quick else FULL
    laps = Laps()
    with serving(target.database_url, target.folder, workers=workers) as started:
        server = Serving.started(started.url, started.pid, workers)
        at_start = server.peaks()
        laps.lap("start")
        workshops = [new_workshop(server.url, plan) for _ in range(max(plan.clients))]
        laps.lap("sign-ins and donations")
        if pages:
            measure_pages(report, target, server.url, page_values(workshops[0]), plan)
            laps.lap("pages")
        measure_steps(report, target, server, workshops, plan)
        laps.lap("steps")
        after = server.peaks()
    report.add(Row(f"memory: server peak RSS after the load{server.suffix}", target.backend,
                   target.scale, max(after.values()), "MiB", "peak RSS right after start-up",
                   max(at_start.values()), kind="memory",
                   details={"measured": server.which, "workers": workers,
                            "after_load_mib": after, "at_start_mib": at_start,
                            "sum_after_load_mib": round(sum(after.values()), 1)}))  # fmt: skip
    part = f"{target.backend}, {target.scale}, {workers} worker{'s' if workers > 1 else ''}"
    report.notes.setdefault("http_load_seconds", {})[part] = laps.seconds


@dataclass
class Laps:
    """How long each part of a measure took, for the notes of the report."""

    seconds: dict[str, float] = field(default_factory=dict)
    last: float = field(default_factory=time.perf_counter)

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.seconds[name] = round(now - self.last, 1)
        self.last = now


def measure(report: Report, target: Target) -> None:
    """Steps recorded over HTTP, pages and memory of `tracker serve` on the target's store."""
    measure_server(report, target, workers=1, pages=True)
    if target.backend == "postgres" and not target.quick:  # the quick run has no time for it
        measure_server(report, target, workers=2, pages=False)


# -- command line ------------------------------------------------------------------------------


def load_demo(database_url: str) -> None:
    """One year of the demo programme (seed 35), read models included."""
    print("Generating one year of the demo programme…", flush=True)
    subprocess.run(  # noqa: S603 (our own executable, fixed arguments)
        [str(TRACKER), "demo", "--years", "1", "--seed", "35"],
        cwd=ROOT, env=environment(database_url), check=True, capture_output=True,
    )  # fmt: skip


def drop_schema(database_url: str) -> None:
    store = storage.parse(database_url, base=ROOT)
    with psycopg.connect(**storage.connection_params(store), autocommit=True) as conn:  # type: ignore[arg-type]
        conn.execute(
            sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(store.schema))
        )


@contextmanager
def demo_store(args: argparse.Namespace, folder: Path) -> Iterator[str]:
    """The store named by --url, else a new demo store (SQLite, or PostgreSQL with --postgres)."""
    if args.url:
        yield args.url
    elif not args.postgres:
        url = store_url("sqlite", folder, "")
        load_demo(url)
        yield url
    else:
        with postgres() as server:
            url = store_url("postgres", folder, server)
            try:
                load_demo(url)
                yield url
            finally:
                drop_schema(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="", help="a store holding the demo programme")
    parser.add_argument("--postgres", action="store_true", help="a new demo store in PostgreSQL")
    parser.add_argument("--quick", action="store_true", help="fewer and shorter runs")
    parser.add_argument("--scale", default="demo", help="the scale of --url's store")
    parser.add_argument("--json", default="", help="also write the rows to this file")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="tracker-http-load-"))
    report = Report()
    try:
        with demo_store(args, folder) as url:
            backend = "postgres" if url.startswith("postgres") else "sqlite"
            measure(report, Target(backend, args.scale, url, folder, quick=args.quick))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(report.table())
    if args.json:
        report.write_json(Path(args.json))


if __name__ == "__main__":
    main()
