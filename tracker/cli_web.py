"""`tracker serve` (the web server) and `tracker user add` (the first administrator)."""

from __future__ import annotations

import contextlib
import getpass
import socket
import sys

import click
import uvicorn
from uvicorn.supervisors import Multiprocess

from projections import directory
from projections.database import connection
from tracker.cli_common import EXIT_BAD_INPUT, fail, inventory_of, read_models
from tracker.domain.user import Role
from tracker.personal_data import sealer_from
from tracker.settings import DEFAULT_DATABASE_URL, Settings
from tracker.web.app import secret_key

ROLES = [role.value for role in Role]


@click.command(help="Démarrer le serveur web et afficher son adresse.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Adresse d'écoute.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Processus web (PostgreSQL conseillé au-delà de 1).")  # fmt: skip
@click.option("--demo/--no-demo", default=None,
              help="Charger la démo si le stock est vide (par défaut : seulement avec la "
                   "base SQLite par défaut).")  # fmt: skip
@click.pass_context
def serve(context: click.Context, host: str, port: int, workers: int, demo: bool | None) -> None:
    settings: Settings = context.obj
    with inventory_of(settings) as inventory:
        empty = inventory.is_empty()
    if demo is None:
        demo = settings.database_url == DEFAULT_DATABASE_URL
    if empty and demo and context.parent is not None:
        group = context.parent.command
        assert isinstance(group, click.Group)  # noqa: S101
        context.invoke(group.commands["demo"], if_empty=True)
    with read_models(settings) as models:
        models.catch_up()
        with connection(models.database) as conn:
            accounts = len(directory.users(conn))
    if not accounts:
        click.echo("Aucun compte : créez le premier administrateur avec "
                   "« tracker user add NOM --role admin ».", err=True)  # fmt: skip
    secret_key(settings)  # created once here, not by several workers at the same moment
    sealer_from(settings)  # the register key too (and a wrong one stops here, in words)
    address = f"http://{host}:{port}"
    click.echo(f"Le suivi des ordinateurs est ouvert sur {address} (Ctrl-C pour arrêter).")
    sys.stdout.flush()
    config = uvicorn.Config(
        "tracker.web.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=None,
        access_log=False,  # tracker.web.request_log writes one structured line per request
        server_header=False,
        proxy_headers=True,
    )
    if workers == 1:
        server = uvicorn.Server(config)
        server.run()
        if not server.started:
            sys.exit(1)  # the port was taken, or the application could not start
        return
    # uvicorn binds the shared socket without IPPROTO_TCP, so asyncio leaves Nagle on for the
    # workers' connections: ~40 ms per kept-alive request (Kludex/uvicorn#3149). Rewrap it.
    bound = config.bind_socket()
    shared = socket.socket(bound.family, bound.type, socket.IPPROTO_TCP, fileno=bound.detach())
    with contextlib.suppress(KeyboardInterrupt):
        Multiprocess(config, sockets=[shared]).run()


@click.group(help="Gérer les comptes depuis le terminal (le premier administrateur).")
def user() -> None:
    pass


@user.command("add", help="Créer un compte ; le mot de passe est demandé (jamais en argument).")
@click.argument("username")
@click.option("--name", "display_name", default="", help="Nom affiché (par défaut : USERNAME).")
@click.option("--role", "roles", multiple=True, type=click.Choice(ROLES), required=True,
              help="Rôle (plusieurs possibles).")  # fmt: skip
@click.option("--site", "sites", multiple=True, help="Site du rôle atelier (plusieurs possibles).")
@click.option("--password-stdin", is_flag=True, help="Lire le mot de passe sur l'entrée standard.")
@click.pass_obj
def add_user(
    settings: Settings, *, username: str, display_name: str, roles: tuple[str, ...],
    sites: tuple[str, ...], password_stdin: bool,
) -> None:  # fmt: skip
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Mot de passe (10 caractères au moins) : ")
        if getpass.getpass("Encore une fois : ") != password:
            fail("Les deux mots de passe ne sont pas les mêmes. Rien n'a été créé.",
                 EXIT_BAD_INPUT)  # fmt: skip
    granted = {Role(r): (list(sites) if r == Role.WORKSHOP else []) for r in roles}
    with read_models(settings) as models:
        saved = models.app.register_user(  # type: ignore[attr-defined]
            name=username, display_name=display_name or username, password=password,
            roles=granted, actor="cli",
        )  # fmt: skip
        models.catch_up()
    click.echo(f"Compte « {saved.key} » créé ({', '.join(roles)}).")


WEB_COMMANDS = (serve, user)
