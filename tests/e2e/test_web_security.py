"""Security of the web app over HTTP: CSRF, cookies, sessions, sign-in throttling, error pages."""

from __future__ import annotations

import re
import sqlite3
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from structlog.testing import capture_logs

from projections import directory
from tracker.domain.user import Role
from tracker.web import access, sign_in

if TYPE_CHECKING:
    from tests.e2e.conftest import Client, StartWeb, Web

EXPIRED = "La page était restée ouverte trop longtemps"
REAL_TIME = time.time


@dataclass
class Sending:
    """A form a route would act on, and a browser signed in with a role the route allows."""

    client: Client
    path: str
    form: dict[str, Any]
    records: bool


@pytest.fixture
def sending(web: Web, state_changing_route: tuple[str, str]) -> Sending:
    if state_changing_route in (("POST", "/deconnexion"), ("POST", "/connexion")):
        # Their own session: signing out ends it, signing in again retires it.
        client = web.sign_in(web.usernames[Role.ADMIN])
    else:
        roles = web.handler(*state_changing_route).opt.get("roles") or {Role.ADMIN}
        client = web.as_role(Role.ADMIN if Role.ADMIN in roles else min(roles))
    template = state_changing_route[1]
    return Sending(client, web.concrete(template), *web.form_acted_on(template))


def _refused_as_expired(web: Web, response: httpx.Response, before: int) -> None:
    assert response.status_code == 403
    assert EXPIRED in response.text
    assert web.position() == before, "a refused form must record nothing"


def test_a_form_sent_without_its_csrf_token_is_refused_and_records_nothing(
    web: Web, sending: Sending
) -> None:
    before = web.position()
    _refused_as_expired(web, sending.client.post(sending.path, data=sending.form), before)


def test_a_form_sent_with_a_wrong_csrf_token_is_refused_and_records_nothing(
    web: Web, sending: Sending
) -> None:
    client, path, form = sending.client, sending.path, sending.form
    wrong = "0" * len(web.csrf_token(client))
    before = web.position()
    _refused_as_expired(web, client.post(path, data={**form, "_csrf_token": wrong}), before)
    _refused_as_expired(web, client.post(path, data=form, headers={"x-csrftoken": wrong}), before)


def test_a_form_sent_by_htmx_with_the_token_in_the_header_goes_through(
    web: Web, sending: Sending
) -> None:
    headers = {"x-csrftoken": web.csrf_token(sending.client), "hx-request": "true"}
    before = web.position()
    response = sending.client.post(sending.path, data=sending.form, headers=headers)
    assert response.status_code in (200, 303), response.text
    assert EXPIRED not in response.text
    assert (web.position() > before) is sending.records


# -- cookies ------------------------------------------------------------------------------------


def _cookie(response: httpx.Response, name: str) -> set[str]:
    """The attributes of the Set-Cookie for this name, lower-cased ("httponly", "max-age=60")."""
    for header in response.headers.get_list("set-cookie"):
        if header.startswith(f"{name}="):
            return {part.strip().lower() for part in header.split(";")[1:]}
    raise AssertionError(f"no Set-Cookie for {name}: {response.headers.get_list('set-cookie')}")


def _signing_in(web: Web, role: Role, session: str = "") -> httpx.Response:
    """Sign in from a new browser (holding this session cookie, if any)."""
    client = web.client(cookies={"session": session} if session else None)
    form = {"username": web.usernames[role], "password": web.password}
    return web.post(client, "/connexion", form)


def _session_id(signed_in: httpx.Response) -> str:
    """The session id the sign-in response gives the browser."""
    assert signed_in.status_code == 303
    header = next(h for h in signed_in.headers.get_list("set-cookie") if "session=" in h)
    return header.split(";")[0].split("=", 1)[1]


def test_over_http_the_cookies_are_http_only_same_site_lax_and_not_secure(web: Web) -> None:
    session = _cookie(_signing_in(web, Role.OFFICER), "session")
    assert {"httponly", "samesite=lax", "path=/"} <= session
    assert "secure" not in session
    csrf = _cookie(web.client().get("/connexion"), "csrftoken")
    assert {"httponly", "samesite=lax"} <= csrf
    assert "secure" not in csrf


def test_over_https_the_cookies_are_secure_host_only_cookies(start_web: StartWeb) -> None:
    with start_web([Role.OFFICER], public_url="https://tracker.example.org") as web:
        signed_in = _signing_in(web, Role.OFFICER)
        first_visit = web.client().get("/connexion")
        for response, name in ((signed_in, "__Host-session"), (first_visit, "__Host-csrftoken")):
            attributes = _cookie(response, name)
            assert {"secure", "httponly", "path=/", "samesite=lax"} <= attributes
            assert not any(a.startswith("domain=") for a in attributes)
        client = web.client(cookies={"__Host-session": _session_id(signed_in)})
        assert client.get("/suivi").status_code == 200


# -- sessions -----------------------------------------------------------------------------------


def test_signing_out_ends_the_session_even_for_a_copy_of_the_old_cookie(web: Web) -> None:
    client = web.sign_in(web.usernames[Role.OFFICER])
    old = client.cookies["session"]
    assert web.post(client, "/deconnexion", {}).headers["location"] == "/connexion?au-revoir=1"
    response = web.client(cookies={"session": old}).get("/compte")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/connexion")


def test_signing_in_issues_a_new_session_id_whatever_cookie_the_browser_had(web: Web) -> None:
    planted = "f" * 64  # an id an attacker could have put in the victim's browser
    first = _session_id(_signing_in(web, Role.OFFICER, planted))
    assert first != planted
    assert web.client(cookies={"session": planted}).get("/compte").status_code == 303
    assert _session_id(_signing_in(web, Role.AUDITOR, first)) not in (planted, first)


def test_signing_in_over_an_open_session_retires_the_previous_session_id(web: Web) -> None:
    previous = _session_id(_signing_in(web, Role.OFFICER))
    _signing_in(web, Role.AUDITOR, previous)
    assert web.client(cookies={"session": previous}).get("/compte").status_code == 303


def _expiry(web: Web, session_id: str) -> float:
    with sqlite3.connect(web.database_file) as conn:
        query = "SELECT expires_at FROM web_sessions WHERE session_key LIKE ?"
        (expires_at,) = conn.execute(query, (f"%{session_id}",)).fetchone()
    return float(expires_at)


def _later(monkeypatch: pytest.MonkeyPatch, minutes: float) -> None:
    monkeypatch.setattr(access.time, "time", lambda: REAL_TIME() + minutes * 60)


def test_a_session_lasts_the_idle_timeout_renewed_by_each_request(
    web: Web, monkeypatch: pytest.MonkeyPatch
) -> None:
    response = _signing_in(web, Role.OFFICER)
    assert f"max-age={web.settings.session_idle_minutes * 60}" in _cookie(response, "session")
    session = {"session": _session_id(response)}
    signed_in_expiry = _expiry(web, session["session"])
    _later(monkeypatch, 20)
    assert web.client(cookies=session).get("/compte").status_code == 200
    assert _expiry(web, session["session"]) - signed_in_expiry >= 20 * 60 - 5
    _later(monkeypatch, 20 + 29)  # 29 minutes after the last request: still open
    assert web.client(cookies=session).get("/compte").status_code == 200
    _later(monkeypatch, 20 + 29 + 31)  # 31 idle minutes: over
    assert web.client(cookies=session).get("/compte").headers["location"] == (
        "/connexion?suite=/compte"
    )


def test_a_session_ends_after_the_maximum_hours_even_when_active(
    start_web: StartWeb, monkeypatch: pytest.MonkeyPatch
) -> None:
    with start_web([Role.OFFICER], session_idle_minutes=24 * 60, session_max_hours=1) as web:
        session = {"session": web.sign_in(web.usernames[Role.OFFICER]).cookies["session"]}
        _later(monkeypatch, 59)
        assert web.client(cookies=session).get("/compte").status_code == 200
        _later(monkeypatch, 61)
        response = web.client(cookies=session).get("/compte")
        assert response.status_code == 303
        assert response.headers["location"].startswith("/connexion")


def test_a_deactivated_person_is_signed_out_at_their_next_request(web: Web) -> None:
    web.add_user("partant", Role.OFFICER)
    client = web.sign_in("partant")
    assert client.get("/compte").status_code == 200
    user = web.inventory.user("partant")
    web.inventory.set_active("partant", False, actor="admin", seen_version=user.version)
    response = client.get("/compte")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/connexion")


# -- failed sign-ins ----------------------------------------------------------------------------


def test_after_five_wrong_passwords_even_the_right_one_must_wait_and_logs_hide_who(
    start_web: StartWeb, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sign_in, "SLOW_DOWN", 0)
    wrong = "pas-le-bon-mot-de-passe"
    with start_web([Role.OFFICER]) as web, capture_logs() as logs:
        name, client = web.usernames[Role.OFFICER], web.client()
        for _ in range(5):
            response = web.post(client, "/connexion", {"username": name, "password": wrong})
            assert response.status_code == 400
            assert "incorrect" in response.text
        response = web.post(client, "/connexion", {"username": name, "password": web.password})
    assert response.status_code == 429
    assert re.search(r"Attendez \d+ minute", response.text)
    assert "session" not in client.cookies
    failures = [entry for entry in logs if entry["event"] == "sign_in_failed"]
    assert len(failures) == 5
    for entry in failures:
        assert all(re.fullmatch(r"(user|address):[0-9a-f]{24}", s) for s in entry["subjects"])
    for secret in (name, wrong, web.password):
        assert secret not in repr(logs)


# -- request ids and error pages ----------------------------------------------------------------


def _ids_are_there_and_distinct(responses: list[httpx.Response]) -> None:
    ids = [r.headers.get("x-request-id") for r in responses]
    assert all(ids), ids
    assert len(set(ids)) == len(ids)


def test_every_answer_of_a_route_carries_its_own_request_id(web: Web) -> None:
    anonymous, workshop = web.client(), web.as_role(Role.WORKSHOP)
    responses = [
        anonymous.get("/connexion"),
        anonymous.get("/static/vendor/htmx.min.js"),
        workshop.get("/gestion"),
        web.post(workshop, "/compte/mot-de-passe", {}),
        web.post(workshop, "/langue", {"language": "fr", "back": "/atelier"}),
    ]
    assert [r.status_code for r in responses] == [200, 200, 403, 400, 303]
    _ids_are_there_and_distinct(responses)


PRODUCED_OUTSIDE_HANDLERS = (
    "the request_log middleware and the before/after_request hooks run only inside a matched "
    "route's stack: a 404, a 405, the sign-in redirect (auth middleware) and the CSRF refusal "
    "are answered by the app-level exception handler outside them"
)


def _answers_made_before_any_handler(web: Web) -> list[httpx.Response]:
    anonymous = web.client()
    responses = [anonymous.get("/gestion"), anonymous.get("/nulle-part"),
                 anonymous.delete("/connexion"), anonymous.post("/langue", data={})]  # fmt: skip
    assert [r.status_code for r in responses] == [303, 404, 405, 403]
    return responses


def test_answers_made_before_any_handler_runs_also_carry_a_request_id(web: Web) -> None:
    _ids_are_there_and_distinct(_answers_made_before_any_handler(web))


def test_answers_made_before_any_handler_runs_also_send_the_security_headers(web: Web) -> None:
    for response in _answers_made_before_any_handler(web):
        assert "frame-ancestors 'none'" in response.headers.get("content-security-policy", "")
        assert response.headers.get("x-content-type-options") == "nosniff"


def test_the_request_log_records_the_status_the_browser_got_for_a_csrf_refusal(web: Web) -> None:
    with capture_logs() as logs:
        response = web.client().post("/langue", data={"language": "en"})
    assert response.status_code == 403
    assert [e["status"] for e in logs if e["event"] == "request"] == [403]


def test_a_crash_shows_the_request_id_and_nothing_technical(
    web: Web, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("SELECT secret FROM table_interne")

    monkeypatch.setattr(directory, "users", broken)
    response = web.as_role(Role.ADMIN).get("/gestion")
    assert response.status_code == 500
    assert "Une erreur est survenue" in response.text
    assert response.headers["x-request-id"] in response.text
    for technical in ("RuntimeError", "SELECT", "Traceback", ".py", "table_interne"):
        assert technical not in response.text


def test_an_unknown_page_says_so_in_french(web: Web) -> None:
    response = web.client().get("/nulle-part")
    assert response.status_code == 404
    assert "Page introuvable" in response.text


def test_pages_are_in_english_for_someone_who_chose_english(web: Web) -> None:
    assert "Sign in" in web.client(cookies={"langue": "en"}).get("/connexion").text


def test_an_unknown_page_says_so_in_english_for_someone_who_chose_english(web: Web) -> None:
    response = web.client(cookies={"langue": "en"}).get("/nulle-part")
    assert response.status_code == 404
    assert "Page not found" in response.text
