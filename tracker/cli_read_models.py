"""`tracker migrate | project | status | rebuild`: run and look after the read models."""

from __future__ import annotations

import signal
import threading
import time
from types import FrameType

import click

from projections.migrate import MigrationError, migrate
from projections.runner import READ_MODELS, by_names
from tracker.bootstrap import read_database
from tracker.cli_common import EXIT_BAD_INPUT, fail, read_models
from tracker.read_models import ReadModels
from tracker.settings import Settings
from tracker.storage import parse, setting_up


@click.command(name="migrate", help="Créer ou mettre à jour les tables de lecture.")
@click.pass_obj
def migrate_command(settings: Settings) -> None:
    store = parse(settings.database_url, base=settings.working_directory())
    try:
        with setting_up(store):
            ran = migrate(read_database(store))
    except MigrationError as error:
        fail(f"Migration impossible : {error}.", EXIT_BAD_INPUT)
    if not ran:
        click.echo("Les tables sont à jour : rien à faire.")
    for migration in ran:
        click.echo(f"Appliquée : {migration.version:04d}_{migration.name}")


@click.command(help="Tenir les tables de lecture à jour, en continu (processus séparé).")
@click.option(
    "--poll",
    default=2.0,
    show_default=True,
    help="Relire le journal au moins toutes les N secondes.",
)
@click.option("--once", is_flag=True, help="Rattraper le retard puis s'arrêter.")
@click.pass_obj
def project(settings: Settings, poll: float, once: bool) -> None:
    stopping = threading.Event()

    def stop(_signum: int, _frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    with read_models(settings) as models:
        if once:
            read = models.catch_up(stopping=stopping)
            if stopping.is_set():
                click.echo(f"Arrêté après {read} événements ; la suite reprendra à cet endroit.")
            else:
                click.echo(f"{read} événements lus ; tables à jour.")
            return
        follower = models.follower(poll_interval=poll, stopping=stopping)
        click.echo(f"Suivi du journal ({models.database.describe()}) ; Ctrl-C pour arrêter.")
        follower.run()
        click.echo("Arrêté proprement.")


@click.command(help="Montrer où en est chaque table de lecture.")
@click.pass_obj
def status(settings: Settings) -> None:
    with read_models(settings) as models:
        rows = models.status()
    head = rows[0].head if rows else 0
    click.echo(f"Journal : {head} événements ({models.database.describe()}).")
    click.echo(f"  {'table':<16} {'position':>10} {'retard':>8} {'lignes':>9}  état")
    for row in rows:
        state = "à jour" if row.behind == 0 else f"en retard de {row.behind} au plus"
        click.echo(f"  {row.name:<16} {row.position:>10} {row.behind:>8} {row.rows:>9}  {state}")


@click.command(help="Reconstruire des tables de lecture depuis le journal (toutes par défaut).")
@click.argument("names", nargs=-1)
@click.pass_obj
def rebuild(settings: Settings, names: tuple[str, ...]) -> None:
    try:
        chosen = by_names(names)
    except ValueError:
        known = ", ".join(model.name for model in READ_MODELS)
        fail(
            f"Table de lecture inconnue parmi : {' '.join(names)}. Tables : {known}.",
            EXIT_BAD_INPUT,
        )
    with read_models(settings) as models:
        before = {row.name: row.rows for row in models.status()}
        head = models.app.recorder.max_notification_id() or 0
        _rebuild_with_bar(models, [m.name for m in chosen], head)
        after = {row.name: row for row in models.status()}
    for model in chosen:
        row = after[model.name]
        click.echo(
            f"  {model.name:<16} {before[model.name]:>9} lignes avant, {row.rows:>9} après ; "
            f"position {row.position}"
        )


def _rebuild_with_bar(models: ReadModels, names: list[str], head: int) -> None:
    started = time.monotonic()
    done = 0

    def rate(_item: object) -> str:
        elapsed = time.monotonic() - started
        return f"{done / elapsed:,.0f} év./s".replace(",", " ") if elapsed > 0 else ""

    label = f"Reconstruction de {', '.join(names)}"
    with click.progressbar(
        length=max(head, 1), label=label, show_eta=True, show_pos=True, item_show_func=rate
    ) as bar:

        def advance(read: int, _position: int) -> None:
            nonlocal done
            done += read
            bar.update(read, done)

        models.rebuild(names, progress=advance)
        bar.update(max(head - done, 0))


READ_MODEL_COMMANDS = (migrate_command, project, status, rebuild)
