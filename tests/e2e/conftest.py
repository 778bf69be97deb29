"""HTTP fixtures for the web app: a store with one person per role, and signed-in test clients.

Argon2 makes every password hash and sign-in cost a noticeable fraction of a second, so each
module builds one store and one app, and signs each role in once; a test gets a fresh client
(its own cookie jar) sharing that role's session. Test modules reach everything through the
`web` and `start_web` fixtures (they do not import this file).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar
from uuid import UUID, uuid4

import httpx
import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.testing import TestClient

from tracker.accounts import Account
from tracker.application import Inventory
from tracker.bootstrap import open_inventory, read_models_of
from tracker.commands import (
    DonatedUnit,
    Loan,
    Recondition,
    RecordDataWipe,
    RegisterDonation,
    StepCommand,
    Triage,
)
from tracker.domain.beneficiary import PersonalDetails
from tracker.domain.donation_batch import DonationBatch
from tracker.domain.site import SiteKind
from tracker.domain.user import Role
from tracker.domain.vocabulary import Check
from tracker.settings import Settings
from tracker.web.app import create_app
from tracker.web.services import Services

SECRET = "test-secret-for-the-web-tests-0123456789abcdef"  # noqa: S105 (tests only)
PASSWORD = "une phrase de passe assez longue"  # noqa: S105 (every test account's)
PROGRAMME = "CD35"
SITES = ("ESAT-RANCE", "TL-REDON")
DONOR = "RENNES-METROPOLE"
FUNDER = "FSE-PLUS"
FUNDING_LINE = "FSE-2026-CD35"
USERNAMES = {Role.WORKSHOP: "atelier", Role.OFFICER: "agent", Role.AUDITOR: "auditeur",
             Role.ADMIN: "admin"}  # fmt: skip
INTAKE = UUID("6c1f3b1e-0000-4000-8000-000000000001")  # the donation every web store starts with
TARGET = "cible"  # an officer account tests may change without touching the four above
CSRF_INPUT = re.compile(r'name="_csrf_token" value="([^"]+)"')
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
REGISTRAR = Account(UUID(int=1), "test", "Test", frozenset({Role.ADMIN}), (), True, 1)

Client = TestClient[Litestar]


def routes_of(app: Litestar) -> set[tuple[str, str]]:
    """(method, path template) of every handler of the app, static files excepted.

    Litestar answers OPTIONS itself on every path (no handler of ours): those are left out.
    """
    found = set()
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or route.path.startswith("/static"):
            continue
        for handler in route.route_handlers:
            found |= {(method, route.path) for method in handler.http_methods - {"OPTIONS"}}
    return found


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """`state_changing_route`: every (method, path) of the app that is not GET/HEAD/OPTIONS."""
    if "state_changing_route" in metafunc.fixturenames:
        unopened = Settings(database_url="sqlite:////nonexistent/t.sqlite3", secret_key=SECRET)
        app = create_app(unopened)  # builds the routes; no store is opened before the lifespan
        routes = sorted(r for r in routes_of(app) if r[0] not in SAFE_METHODS)
        metafunc.parametrize("state_changing_route", routes, ids=" ".join)


def _register_references(inventory: Inventory) -> None:
    inventory.register_programme(code=PROGRAMME, name="Parcours 35", territory="Ille-et-Vilaine",
                                 actor="test")  # fmt: skip
    for code, kind, town in zip(SITES, (SiteKind.SORTING_WORKSHOP, SiteKind.THIRD_PLACE),
                                ("Dinan", "Redon"), strict=True):  # fmt: skip
        inventory.register_site(code=code, name=f"Site de {town}", kind=kind, town=town,
                                programme=PROGRAMME, actor="test")  # fmt: skip
    inventory.register_donor(code=DONOR, name="Rennes Métropole", kind="local_authority",
                             town="Rennes", actor="test")  # fmt: skip
    inventory.register_funder(code=FUNDER, name="Fonds social européen (FSE+)", kind="fse_plus",
                              actor="test")  # fmt: skip
    inventory.register_funding_line(code=FUNDING_LINE, funder=FUNDER, programme=PROGRAMME,
                                    starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31),
                                    stages=["triaged", "reconditioned"], sites=[SITES[0]],
                                    categories=["jobseeker"], actor="test")  # fmt: skip


def _add_user(inventory: Inventory, name: str, role: Role) -> None:
    sites = list(SITES) if role is Role.WORKSHOP else []
    inventory.register_user(name=name, display_name=name.capitalize(), password=PASSWORD,
                            roles={role: sites}, actor="test")  # fmt: skip


def _prepare_store(settings: Settings, roles: Sequence[Role], *, target: bool) -> None:
    inventory = open_inventory(settings)
    try:
        _register_references(inventory)
        for role in roles:
            _add_user(inventory, USERNAMES[role], role)
        if target:
            _add_user(inventory, TARGET, Role.OFFICER)
        inventory.register_donation(RegisterDonation(
            command_id=INTAKE, actor="test", site=SITES[0], programme=PROGRAMME, donor=DONOR,
            received_on=inventory.today(), units=(DonatedUnit(device_type="laptop", brand="Dell"),
                                                  DonatedUnit(device_type="desktop", brand="HP")),
        ))  # fmt: skip
        read_models_of(settings, inventory).catch_up()
    finally:
        inventory.close()


@dataclass
class Web:
    """A running app (its lifespan opened the store), the records in it and ways to talk to it."""

    password: ClassVar[str] = PASSWORD
    usernames: ClassVar[dict[Role, str]] = USERNAMES
    target: ClassVar[str] = TARGET
    sites: ClassVar[tuple[str, ...]] = SITES
    programme: ClassVar[str] = PROGRAMME
    donor: ClassVar[str] = DONOR
    funder: ClassVar[str] = FUNDER
    funding_line: ClassVar[str] = FUNDING_LINE

    app: Litestar
    settings: Settings
    sessions: dict[str, dict[str, str]] = field(default_factory=dict)
    people: list[str] = field(default_factory=list)  # codes in the register, the first standing

    @property
    def services(self) -> Services:
        services: Services = self.app.state.services
        return services

    @property
    def inventory(self) -> Inventory:
        return self.services.inventory

    @property
    def database_file(self) -> Path:
        return Path(self.settings.database_url.removeprefix("sqlite:///"))

    def position(self) -> int:
        """The id of the last event recorded: unchanged means nothing was recorded."""
        return self.inventory.recorder.max_notification_id() or 0

    def routes(self) -> set[tuple[str, str]]:
        return routes_of(self.app)

    def handler(self, method: str, path: str) -> Any:
        """The route handler answering this method on this path template."""
        route = next(r for r in self.app.routes if r.path == path and isinstance(r, HTTPRoute))
        return next(h for h in route.route_handlers if method in h.http_methods)

    def concrete(self, path: str) -> str:
        """A path template with its parameters replaced by records that exist in the store."""
        collection = path.split("/")[2] if path.count("/") > 1 else ""
        codes = {"sites": SITES[0], "programmes": PROGRAMME, "donateurs": DONOR,
                 "financeurs": FUNDER, "lignes-de-financement": FUNDING_LINE}  # fmt: skip
        values = {
            "username": TARGET,
            "code": codes.get(collection),
            "tag": self.tags[0],
            "step": "wipe_data",
            "batch_id": str(DonationBatch.id_for(INTAKE)),
            "section": "objectif",
            "table": "objectif.csv",
            "fmt": "csv",
        }

        if path.startswith("/beneficiaires/{"):  # a person an erasure may take away
            values["code"] = self.person(fresh=path.endswith("/effacer"))

        def fill(match: re.Match[str]) -> str:
            value = values.get(match.group(1))
            assert value, f"the tests do not know how to fill {match.group(0)} in {path}"
            return value

        return re.sub(r"\{(\w+):\w+\}", fill, path)

    @property
    def tags(self) -> list[str]:
        """The tags of the computers of the donation every web store starts with."""
        return list(self.inventory.donation(DonationBatch.id_for(INTAKE)).tags)

    def client(self, cookies: dict[str, str] | None = None) -> Client:
        """A new browser: its own cookies, redirects not followed."""
        scheme = "https" if self.settings.https else "http"
        client = TestClient(self.app, base_url=f"{scheme}://testserver.local", cookies=cookies)
        client.follow_redirects = False
        return client

    @staticmethod
    def token_in(response: httpx.Response) -> str:
        """The CSRF token of the form on this page."""
        found = CSRF_INPUT.search(response.text)
        assert found, f"no CSRF token on {response.url}: {response.status_code}"
        return found.group(1)

    def csrf_token(self, client: Client) -> str:
        """A valid CSRF token for this browser (from the sign-in form, a public page)."""
        return self.token_in(client.get("/connexion"))

    def post(self, client: Client, path: str, data: dict[str, Any]) -> httpx.Response:
        """Submit a form as a browser does, with a valid CSRF token."""
        return client.post(path, data={**data, "_csrf_token": self.csrf_token(client)})

    def sign_in(self, username: str, password: str = PASSWORD) -> Client:
        """A new browser in which this person has just signed in."""
        client = self.client()
        response = self.post(client, "/connexion", {"username": username, "password": password})
        assert response.status_code == 303, response.text
        return client

    def as_role(self, role: Role) -> Client:
        """A new browser sharing the session of this role's account (signed in once)."""
        name = USERNAMES[role]
        if name not in self.sessions:
            self.sessions[name] = dict(self.sign_in(name).cookies)
        return self.client(cookies=self.sessions[name])

    def form_acted_on(self, template: str) -> tuple[dict[str, Any], bool]:
        """A form this route would accept and act on, and whether that records an event.

        A route these tests do not know yet gets an empty form (and records nothing).
        """
        word = PASSWORD
        passwords = {"password": word, "password_again": word}
        new_user = {"username": f"u{uuid4().hex[:6]}", "display_name": "Lou", "roles": "auditor"}
        known = {
            "/connexion": ({"username": USERNAMES[Role.OFFICER], "password": word}, False),
            "/deconnexion": ({}, False),
            "/langue": ({"language": "en", "back": "/compte"}, False),
            "/compte/mot-de-passe": ({"current": word, **passwords}, True),
            "/gestion/utilisateurs": ({**new_user, **passwords}, True),
        }
        if template in known:
            return known[template]
        if template.startswith("/beneficiaires/"):  # the register: no event is recorded
            return self._person_form(template), False
        if template.startswith(("/ordinateurs/", "/atelier/")):
            return self._workshop_form(template), True
        if template.startswith("/gestion/utilisateurs/"):
            user = self.inventory.user(TARGET)  # each is a real change: roles, activation
            return {"version": user.version, **passwords,
                    "roles": "auditor" if Role.OFFICER in user.roles else "officer",
                    "active": "0" if user.active else "1"}, True  # fmt: skip
        form = self._reference_form(template)
        return (form, True) if form else ({}, False)

    def _workshop_form(self, template: str) -> dict[str, Any]:
        """A step (a data wipe, repeatable), an undo of one, or an intake."""
        today = self.inventory.today().isoformat()
        if template.startswith("/atelier/dons"):
            return {"command_id": str(uuid4()), "site": SITES[0], "donor": DONOR, "rows": "5",
                    "received_on": today, "units.0.device_type": "laptop",
                    "units.0.brand": "Lenovo"}  # fmt: skip
        tag = self.tags[0]
        wipe = {"method": "no_storage", "result": "success", "occurred_on": today}
        if template.endswith("/annuler"):  # the step to undo, recorded by the same person
            seen = self.inventory.computer(tag).version
            self.inventory.record(RecordDataWipe(
                command_id=uuid4(), tag=tag, seen_version=seen, actor=USERNAMES[Role.WORKSHOP],
                site=SITES[0], occurred_on=self.inventory.today(), method="no_storage",
                result="success",
            ))  # fmt: skip
            return {"command_id": str(uuid4()), "seen_version": seen + 1, "reason": "wrong_step"}
        seen = self.inventory.computer(tag).version
        return {"command_id": str(uuid4()), "seen_version": seen, **wipe}

    def _reference_form(self, template: str) -> dict[str, Any] | None:
        parts = template.split("/")
        kinds = {"sites": "site", "programmes": "programme", "donateurs": "donor",
                 "financeurs": "funder", "lignes-de-financement": "funding_line"}  # fmt: skip
        kind = kinds.get(parts[2]) if len(parts) > 2 else None
        if kind is None:
            return None
        unique = uuid4().hex[:6].upper()
        if kind == "funding_line":
            return self._funding_line_form(template, unique)
        if template.endswith("{code:str}"):
            record = getattr(self.inventory, kind)(self.concrete(template).rsplit("/", 1)[1])
            return {**{k: str(v) for k, v in vars(record).items()}, "name": f"Nom {unique}",
                    "active": "on", "version": record.version}  # fmt: skip
        return {"code": f"P{unique[:5]}" if kind == "programme" else f"T-{unique}",
                "name": f"Nom {unique}",
                "kind": {"site": "other", "funder": "foundation"}.get(kind, "company"),
                "town": "Rennes", "programme": PROGRAMME, "territory": "Bretagne",
                "yearly_target": "500"}  # fmt: skip

    def _funding_line_form(self, template: str, unique: str) -> dict[str, Any]:
        """A new line, or a real change of the line every store starts with (its note)."""
        form = {"funder": FUNDER, "programme": PROGRAMME, "starts_on": "2026-01-01",
                "ends_on": "2026-12-31", "stages": ["loaned"],
                "note": f"Note {unique}"}  # fmt: skip
        if template.endswith("{code:str}"):
            return {**form, "version": self.inventory.funding_line(FUNDING_LINE).version}
        return {**form, "code": f"L-{unique}"}

    def person(self, *, fresh: bool = False) -> str:
        """The code of a person registered at the third place (a new one if `fresh`)."""
        if fresh or not self.people:
            details = PersonalDetails.checked(given_name="Lou", family_name="Test",
                                              phone="06 00 00 00 00")  # fmt: skip
            self.people.append(self.services.register.register(
                REGISTRAR, third_place=SITES[1], details=details, categories=[], consent=True
            ).code)  # fmt: skip
        return self.people[-1] if fresh else self.people[0]

    def lend(self, code: str, site: str, days: int) -> str:
        """A new computer lent at a third place to this person, their agreement ending in `days`
        (a negative number: an agreement of two years already over, the computer still out)."""
        inventory, today = self.inventory, self.inventory.today()
        tag = inventory.register_donation(RegisterDonation(
            command_id=uuid4(), actor="test", site=site, programme=PROGRAMME, donor=DONOR,
            received_on=today, units=(DonatedUnit(device_type="laptop", brand="HP"),),
        )).tags[0]  # fmt: skip
        checks = dict.fromkeys(map(str, Check), "ok")
        steps: tuple[StepCommand, ...] = (
            Triage(**self._step(tag, site), checks=checks, grade="B", outcome="recondition",
                   wipe={"method": "no_storage", "result": "success"}),
            Recondition(**self._step(tag, site), work_done=["cleaning"], operating_system="Linux",
                        quality_check_passed=True, hours_of_work=Decimal(2), final_grade="A"),
            Loan(**self._step(tag, site), beneficiary_code=code,
                 agreement_start=min(today, today + timedelta(days=days - 730)),
                 agreement_end=today + timedelta(days=days), contribution_eur=Decimal(25),
                 contribution_method="cash"),
        )  # fmt: skip
        for step in steps:
            inventory.record(replace(step, seen_version=inventory.computer(tag).version))
        self.services.after_write(self.position())
        return tag

    def _step(self, tag: str, site: str) -> dict[str, Any]:
        return {"command_id": uuid4(), "tag": tag, "actor": "test", "site": site,
                "seen_version": 0, "occurred_on": self.inventory.today()}  # fmt: skip

    def _person_form(self, template: str) -> dict[str, Any]:
        """A registration, a change of the standing person, or an erasure."""
        if template.endswith("/effacer"):
            return {"reason": "request"}
        form = {"given_name": "Lou", "family_name": "Test", "phone": "06 00 00 00 01"}
        if template.endswith("/modifier"):
            version = self.services.register.person(REGISTRAR, self.person()).version
            return {**form, "seen_version": version}
        return {**form, "third_place": SITES[1], "consent": "yes"}

    def add_user(self, name: str, role: Role) -> None:
        """A new account with this role and the usual password (the read models catch up)."""
        _add_user(self.inventory, name, role)
        self.services.after_write(self.position())


@contextmanager
def _running_web(
    directory: Path, roles: Sequence[Role] = tuple(Role), *, target: bool = True, **overrides: Any
) -> Iterator[Web]:
    settings = replace(
        Settings(database_url=f"sqlite:///{directory / 't.sqlite3'}", secret_key=SECRET),
        **overrides,
    )
    _prepare_store(settings, roles, target=target)
    app = create_app(settings)
    with TestClient(app):  # runs the lifespan: the store opens, the read models follow
        yield Web(app, settings)


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Web]:
    """One store (an account per role, two sites, a programme, a donor) and its running app."""
    with _running_web(tmp_path_factory.mktemp("web")) as running:
        yield running


StartWeb = Callable[..., AbstractContextManager[Web]]


@pytest.fixture
def start_web(tmp_path: Path) -> StartWeb:
    """An app with its own store and settings: `with start_web([Role.ADMIN], **settings) as w`."""

    def start(roles: Sequence[Role] = (), **overrides: Any) -> AbstractContextManager[Web]:
        return _running_web(tmp_path, roles, target=False, **overrides)

    return start
