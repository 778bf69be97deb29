"""One structured log line per request, with a request id also sent back to the browser.

It wraps the whole application (not only matched routes), so a 404, a redirect to the sign-in
page or a refused CSRF token get their id, their security headers and their log line too.
Only the method, the path, the status and the duration are logged: no query string, no form,
no cookie (they may hold names, codes or secrets). The id lets a person quote an error.
A `Server-Timing` header gives the server's own time to the browser's tools and benchmarks.
"""

from __future__ import annotations

import os
import re
import time
import uuid
from collections.abc import Mapping

import structlog
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

log = structlog.get_logger("tracker.web.requests")
_INCOMING_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# A person's page names their code in its path: logs keep the route, never the code.
_PERSON_PATH = re.compile(r"^/beneficiaires/(?!nouveau$|conventions$|choix$)[^/]+")


def loggable_path(path: str) -> str:
    """The path as logs may show it: a beneficiary's code replaced by `{code}`."""
    return _PERSON_PATH.sub("/beneficiaires/{code}", path)


def request_log(app: ASGIApp, headers: Mapping[str, str]) -> ASGIApp:
    """ASGI middleware: binds `request_id` for every log line of the request, then logs it.

    `headers` are added to every response (the security headers).
    """

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _INCOMING_ID.fullmatch(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                outgoing = MutableScopeHeaders.from_message(message)
                outgoing["x-request-id"] = request_id
                # The server's own time up to the first byte, for the browser's tools and
                # the benchmarks (a page is rendered whole before it is sent).
                elapsed = (time.perf_counter() - started) * 1000
                outgoing["server-timing"] = f"app;dur={elapsed:.1f}"
                for name, value in headers.items():
                    if name not in outgoing:
                        outgoing[name] = value
            await send(message)

        try:
            await app(scope, receive, send_with_id)
        finally:
            log.info(
                "request",
                method=scope.get("method", ""),
                path=loggable_path(scope["path"]) if status != 404 else "(not found)",  # noqa: PLR2004
                status=status,
                ms=round((time.perf_counter() - started) * 1000, 1),
                worker=os.getpid(),
            )

    return middleware
