"""The app factory: the composition root of the web server (nothing is built at import)."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import structlog
from litestar import Litestar, Request
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.plugins.htmx import HTMXPlugin, HTMXRequest
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from projections.database import ConnectionPool
from tracker import co2
from tracker.bootstrap import open_inventory, read_database_of, read_models_of
from tracker.logs import configure_logging
from tracker.personal_data import sealer_from
from tracker.register import Register
from tracker.settings import Settings
from tracker.web import i18n, labels, step_labels
from tracker.web.access import PUBLIC, role_guard, session_auth
from tracker.web.account import AccountController
from tracker.web.beneficiaries import BeneficiaryController
from tracker.web.beneficiary_picker import BeneficiaryPickerController
from tracker.web.computer_lists import ComputerListController
from tracker.web.dashboard import DashboardController
from tracker.web.errors import EXCEPTION_HANDLERS
from tracker.web.evidence import EvidenceController
from tracker.web.funder_report import FunderReportController
from tracker.web.funders import FunderController
from tracker.web.funding_lines import FundingLineController
from tracker.web.history import HistoryController
from tracker.web.home import HomeController
from tracker.web.intake import IntakeController
from tracker.web.programme_as_of import ProgrammeAsOfController
from tracker.web.references import DonorController, ProgrammeController, SiteController
from tracker.web.request_log import request_log
from tracker.web.services import Services
from tracker.web.session_store import DatabaseStore
from tracker.web.sign_in import SignInController
from tracker.web.station import StationController
from tracker.web.throttle import SignInThrottle
from tracker.web.users import UserController

log = structlog.get_logger(__name__)
HERE = Path(__file__).parent
HTMX = HERE / "static" / "vendor" / "htmx.min.js"
CONTROLLERS = (SignInController, HomeController, AccountController, UserController,
               SiteController, ProgrammeController, DonorController, FunderController,
               FundingLineController, StationController, IntakeController,
               DashboardController, ComputerListController, HistoryController,
               FunderReportController, ProgrammeAsOfController, EvidenceController,
               BeneficiaryController, BeneficiaryPickerController)  # fmt: skip
SECURITY_HEADERS = {
    # 'wasm-unsafe-eval': the camera scanner decodes QR codes with WebAssembly (zxing-wasm).
    "Content-Security-Policy": "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; "
    "img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


class MissingAssetsError(RuntimeError):
    """Raised when the front-end files from npm were not installed (`make assets`)."""


def secret_key(settings: Settings) -> str:
    """TRACKER_SECRET_KEY, or a key kept in var/secret-key (one machine, several workers)."""
    if settings.secret_key:
        return settings.secret_key
    path = settings.working_directory() / "var" / "secret-key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(48))
    return path.read_text().strip()


def create_app(settings: Settings) -> Litestar:
    """The web application for these settings; stores are opened when it starts."""
    if not HTMX.exists():
        msg = f"{HTMX} is missing: run `make assets` (it installs htmx from the npm registry)."
        raise MissingAssetsError(msg)
    secret = secret_key(settings)
    # One pool per worker: the sessions, the sign-in throttle and every page's reads.
    pool = ConnectionPool(read_database_of(settings))
    sessions = DatabaseStore(pool)
    sealer = sealer_from(settings)  # a misconfigured register key stops the start, in words

    @asynccontextmanager
    async def open_services(app: Litestar) -> AsyncIterator[None]:
        inventory = open_inventory(settings)
        read_models = read_models_of(settings, inventory)
        throttle = SignInThrottle(pool, secret)
        factors = co2.load(settings.co2_factors)
        register = Register(pool, sealer, clock=inventory.clock, today=inventory.today)
        register.check_key()
        inventory.beneficiaries = register
        services = Services(settings, inventory, read_models, pool, throttle, factors, register)
        await sessions.delete_expired()
        if settings.projections == "embedded":
            services.follower = read_models.follower(poll_interval=2.0)
            services.follower.start()
        app.state.services = services
        try:
            yield
        finally:
            if services.follower is not None:
                services.follower.stop()
            pool.close()
            inventory.close()

    def set_language(request: Request[Any, Any, Any]) -> None:
        request.state.language = i18n.language_of(request.cookies.get(i18n.LANGUAGE_COOKIE))

    https = settings.https
    app = Litestar(
        route_handlers=[
            *CONTROLLERS,
            create_static_files_router(
                path="/static",
                directories=[HERE / "static"],
                name="static",
                opt=PUBLIC,
                include_in_schema=False,
            ),
        ],
        lifespan=[open_services],
        stores={"sessions": sessions},
        state=State({"settings": settings}),
        guards=[role_guard],
        on_app_init=[session_auth(settings).on_app_init],
        csrf_config=CSRFConfig(
            secret=secret,
            cookie_name="__Host-csrftoken" if https else "csrftoken",
            cookie_secure=https,
            cookie_httponly=True,
            cookie_samesite="lax",
        ),
        template_config=TemplateConfig(
            directory=HERE / "templates",
            engine=JinjaTemplateEngine,
            engine_callback=_install_template_helpers,
        ),
        plugins=[HTMXPlugin()],
        request_class=HTMXRequest,
        before_request=set_language,
        exception_handlers=EXCEPTION_HANDLERS,
        openapi_config=None,
        logging_config=None,
    )
    headers = dict(SECURITY_HEADERS)
    if https:
        headers["Strict-Transport-Security"] = "max-age=31536000"
    app.asgi_handler = request_log(app.asgi_handler, headers)  # every response, 404s included
    return app


def _install_template_helpers(engine: JinjaTemplateEngine) -> None:
    i18n.install(engine.engine)
    labels.install(engine.engine.globals)
    step_labels.install(engine.engine.globals)


def app_from_environment() -> Litestar:
    """The factory a server calls in each worker (`tracker serve`)."""
    settings = Settings.from_env()
    configure_logging(settings, default_level="INFO")
    return create_app(settings)
