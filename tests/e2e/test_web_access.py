"""Who may use which route: the whole route x role matrix, sent over HTTP.

The table below is the intended rule for every route, written from the specification and not
from the code. A route the app serves without a line here, or a line for a route that does not
exist, fails the suite: a new route must come with its rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any
from uuid import uuid4

import httpx
import pytest
from litestar import Litestar, get
from litestar.exceptions import PermissionDeniedException
from litestar.testing import TestClient

from tracker.accounts import Account
from tracker.domain.user import Role
from tracker.web.access import role_guard

if TYPE_CHECKING:
    from tests.e2e.conftest import Web

WORKSHOP, OFFICER, AUDITOR, ADMIN = Role.WORKSHOP, Role.OFFICER, Role.AUDITOR, Role.ADMIN
PUBLIC = "public"
EVERYONE = frozenset(Role)
MANAGERS = frozenset({OFFICER, ADMIN})
READERS = frozenset({OFFICER, AUDITOR, ADMIN})
USER = "/gestion/utilisateurs/{username:str}"
REGISTER = frozenset({WORKSHOP, ADMIN})
PERSON = "/beneficiaires/{code:str}"

EXPECTED: dict[tuple[str, str], str | frozenset[Role]] = {
    ("GET", "/connexion"): PUBLIC,
    ("POST", "/connexion"): PUBLIC,
    ("POST", "/deconnexion"): PUBLIC,
    ("POST", "/langue"): PUBLIC,
    ("GET", "/sante"): PUBLIC,
    ("GET", "/"): EVERYONE,
    ("GET", "/compte"): EVERYONE,
    ("POST", "/compte/mot-de-passe"): EVERYONE,
    ("GET", "/atelier"): frozenset({WORKSHOP}),
    ("GET", "/suivi"): frozenset({OFFICER, AUDITOR}),
    ("GET", "/suivi/partie/{section:str}"): frozenset({OFFICER, AUDITOR}),
    ("GET", "/suivi/nouveautes"): frozenset({OFFICER, AUDITOR}),
    ("GET", "/suivi/export/{table:str}"): frozenset({OFFICER, AUDITOR}),
    ("GET", "/suivi/ordinateurs"): frozenset({OFFICER, AUDITOR}),
    ("GET", "/suivi/ordinateurs/export/{fmt:str}"): frozenset({OFFICER, AUDITOR}),
    ("GET", "/audit"): frozenset({AUDITOR}),
    ("GET", "/audit/ordinateurs"): READERS,
    ("GET", "/audit/programme"): READERS,
    ("GET", "/audit/preuves.zip"): READERS,
    ("GET", "/audit/financeurs/{code:str}/rapport"): READERS,
    ("GET", "/audit/financeurs/{code:str}/rapport/etapes"): READERS,
    ("GET", "/audit/financeurs/{code:str}/rapport.pdf"): READERS,
    ("GET", "/audit/financeurs/{code:str}/rapport.csv"): READERS,
    ("GET", "/audit/financeurs/{code:str}/rapport.xlsx"): READERS,
    ("GET", "/audit/ordinateurs/{tag:str}"): READERS,
    ("GET", "/gestion"): MANAGERS,
    ("GET", "/gestion/utilisateurs"): frozenset({ADMIN, AUDITOR}),
    ("GET", USER): frozenset({ADMIN, AUDITOR}),
    ("GET", "/gestion/utilisateurs/nouveau"): frozenset({ADMIN}),
    ("POST", "/gestion/utilisateurs"): frozenset({ADMIN}),
    ("POST", f"{USER}/roles"): frozenset({ADMIN}),
    ("POST", f"{USER}/activation"): frozenset({ADMIN}),
    ("POST", f"{USER}/mot-de-passe"): frozenset({ADMIN}),
    ("GET", "/atelier/scan"): EVERYONE,
    ("GET", "/ordinateurs"): EVERYONE,
    ("GET", "/ordinateurs/{tag:str}"): EVERYONE,
    ("GET", "/ordinateurs/{tag:str}/etiquette.pdf"): EVERYONE,
    ("GET", "/ordinateurs/{tag:str}/etapes/{step:str}"): frozenset({WORKSHOP}),
    ("POST", "/ordinateurs/{tag:str}/etapes/{step:str}"): frozenset({WORKSHOP}),
    ("POST", "/ordinateurs/{tag:str}/annuler"): frozenset({WORKSHOP}),
    ("GET", "/atelier/dons/nouveau"): frozenset({WORKSHOP}),
    ("POST", "/atelier/dons/nouveau"): frozenset({WORKSHOP}),
    ("GET", "/atelier/dons/lignes"): frozenset({WORKSHOP}),
    ("GET", "/atelier/dons/{batch_id:uuid}"): frozenset({WORKSHOP}),
    ("GET", "/atelier/dons/{batch_id:uuid}/etiquettes.pdf"): frozenset({WORKSHOP}),
    ("GET", "/beneficiaires/choix"): frozenset({WORKSHOP}),  # the loan form's person picker
    # The beneficiary register: a third place's staff and administrators; erasure, admins only.
    ("GET", "/beneficiaires"): REGISTER,
    ("GET", "/beneficiaires/nouveau"): REGISTER,
    ("POST", "/beneficiaires/nouveau"): REGISTER,
    ("GET", "/beneficiaires/conventions"): REGISTER,
    ("GET", PERSON): REGISTER,
    ("GET", f"{PERSON}/modifier"): REGISTER,
    ("POST", f"{PERSON}/modifier"): REGISTER,
    ("GET", f"{PERSON}/donnees.json"): REGISTER,
    ("GET", f"{PERSON}/effacer"): frozenset({ADMIN}),
    ("POST", f"{PERSON}/effacer"): frozenset({ADMIN}),
}
for _collection in ("sites", "programmes", "donateurs", "financeurs", "lignes-de-financement"):
    _base = f"/gestion/{_collection}"
    EXPECTED |= {
        ("GET", _base): READERS,
        ("GET", f"{_base}/nouveau"): MANAGERS,
        ("POST", _base): MANAGERS,
        ("GET", f"{_base}/{{code:str}}"): MANAGERS,
        ("POST", f"{_base}/{{code:str}}"): MANAGERS,
    }

IDENTITIES = [None, *Role]  # None: someone who has not signed in
SESSION_ENDING = {("POST", "/connexion"), ("POST", "/deconnexion")}


def test_every_route_of_the_app_has_exactly_one_line_in_the_table(web: Web) -> None:
    served = web.routes()
    assert served - EXPECTED.keys() == set(), "routes served without a rule in the table"
    assert EXPECTED.keys() - served == set(), "rules for routes the app does not serve"


def _browser(web: Web, identity: Role | None, route: tuple[str, str]) -> TestClient[Litestar]:
    if identity is None:
        return web.client()
    if route in SESSION_ENDING:  # signing in or out must not end the session other tests share
        return web.sign_in(web.usernames[identity])
    return web.as_role(identity)


def _send(web: Web, identity: Role | None, route: tuple[str, str]) -> httpx.Response:
    method, template = route
    client = _browser(web, identity, route)
    if method == "GET":
        return client.get(web.concrete(template))
    data = {}  # an empty form: refused by validation or version, never recorded
    if route == ("POST", "/connexion"):  # a sign-in that cannot count as a failed attempt
        data = {"username": web.usernames[identity or WORKSHOP], "password": web.password}
    return web.post(client, web.concrete(template), data)


def _is_sign_in_redirect(response: httpx.Response) -> bool:
    return response.status_code == 303 and response.headers["location"].startswith("/connexion")


@pytest.mark.parametrize("route", sorted(EXPECTED), ids=" ".join)
def test_each_route_answers_each_identity_as_the_table_says(
    web: Web, route: tuple[str, str]
) -> None:
    allowed = EXPECTED[route]
    before = web.position()
    outcomes = {}
    for identity in IDENTITIES:
        response = _send(web, identity, route)
        outcomes[identity] = response.status_code
        name = identity.value if identity else "anonymous"
        if allowed == PUBLIC:
            assert response.status_code not in (401, 403), f"{name} refused a public route"
        elif identity is None:
            assert _is_sign_in_redirect(response), f"anonymous got {response.status_code}"
        elif identity in allowed:
            ok = {200, 303} if route[0] == "GET" else {200, 303, 400, 409, 422}
            assert response.status_code in ok, f"{name}: {response.status_code}"
            assert not _is_sign_in_redirect(response), f"{name} sent to the sign-in page"
        else:
            assert response.status_code == 403, f"{name} should be refused: {outcomes}"
            assert "Accès refusé" in response.text
    assert web.position() == before, "the probes must not record anything"


def test_anonymous_get_of_a_page_is_sent_to_sign_in_and_back_to_that_page(web: Web) -> None:
    response = web.client().get("/gestion/sites")
    assert response.status_code == 303
    assert response.headers["location"] == "/connexion?suite=/gestion/sites"


# -- deny by default ----------------------------------------------------------------------------


@get("/sans-regle")
async def handler_without_rule() -> str:
    return "should never be seen"


@pytest.fixture
def app_with_an_unruled_route() -> Iterator[TestClient[Litestar]]:
    with TestClient(Litestar([handler_without_rule], guards=[role_guard])) as client:
        yield client


def _account(roles: frozenset[Role]) -> Account:
    return Account(uuid4(), "tout", "Tout", roles, ("ESAT-RANCE",), active=True, version=1)


GET = {"method": "GET"}


def test_a_handler_declaring_no_rule_is_refused_even_to_someone_holding_every_role() -> None:
    connection: Any = SimpleNamespace(user=_account(EVERYONE), scope=GET)
    with pytest.raises(PermissionDeniedException, match="route_without_rule"):
        role_guard(connection, handler_without_rule)


def test_a_handler_declaring_no_rule_answers_403_over_http(
    app_with_an_unruled_route: TestClient[Litestar],
) -> None:
    response = app_with_an_unruled_route.get("/sans-regle")
    assert response.status_code == 403
    assert "should never be seen" not in response.text


def test_a_role_rule_lets_through_only_accounts_holding_one_of_its_roles() -> None:
    handler: Any = SimpleNamespace(opt={"roles": frozenset({AUDITOR})}, handler_name="h")
    everyone_but_officer = _account(frozenset({AUDITOR, WORKSHOP}))
    role_guard(SimpleNamespace(user=everyone_but_officer, scope=GET), handler)  # type: ignore[arg-type]
    with pytest.raises(PermissionDeniedException):
        role_guard(SimpleNamespace(user=_account(frozenset({OFFICER})), scope=GET), handler)  # type: ignore[arg-type]
    with pytest.raises(PermissionDeniedException):
        role_guard(SimpleNamespace(user=None, scope=GET), handler)  # type: ignore[arg-type]
