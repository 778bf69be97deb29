"""The `tracker` command: load demo data, print a computer's history, record a step."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import click
import msgspec

from projections import asset_register
from projections.database import connection
from tracker import messages
from tracker.bootstrap import describe_store, read_models_of
from tracker.cli_audit import AUDIT_COMMANDS
from tracker.cli_common import EXIT_BAD_INPUT, EXIT_REFUSED, fail, inventory_of, read_models
from tracker.cli_privacy import PRIVACY_COMMANDS
from tracker.cli_read_models import READ_MODEL_COMMANDS
from tracker.cli_web import WEB_COMMANDS
from tracker.commands import STEP_COMMANDS
from tracker.demo import DemoRun, SimulatedClock
from tracker.domain.lifecycle import State
from tracker.history import ComputerHistory, HistoryEntry, computer_history
from tracker.logs import configure_logging
from tracker.personal_data import Sealer, sealer_from
from tracker.register import Register
from tracker.settings import Settings, SettingsError


def main() -> None:
    """Entry point of the console script."""
    cli(obj=None)


@click.group(help="Suivi des ordinateurs du parcours numérique solidaire.")
@click.pass_context
def cli(context: click.Context) -> None:
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        fail(str(error), EXIT_BAD_INPUT)
    configure_logging(settings, default_level="WARNING")
    context.obj = settings


for _command in (*READ_MODEL_COMMANDS, *WEB_COMMANDS, *AUDIT_COMMANDS, *PRIVACY_COMMANDS):
    cli.add_command(_command)


@cli.command(help="Charger des données de démonstration réalistes (dans un stock vide).")
@click.option("--seed", default=35, show_default=True, help="Graine : mêmes données à chaque fois.")
@click.option("--years", default=2, show_default=True, type=click.IntRange(1, 10))
@click.option(
    "--if-empty", is_flag=True, help="Ne rien faire si le stock contient déjà des données."
)
@click.option(
    "--until",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Simuler jusqu'à ce jour (AAAA-MM-JJ) au lieu de maintenant.",
)
@click.pass_obj
def demo(settings: Settings, seed: int, years: int, if_empty: bool, until: datetime | None) -> None:
    now = datetime.now(settings.zone())
    if until is None or until.date() >= now.date():
        until = now
    else:
        until = until.replace(hour=23, minute=59, tzinfo=settings.zone())
    clock = SimulatedClock(datetime(until.year - years + 1, 1, 1, tzinfo=settings.zone()))
    with inventory_of(settings, clock=clock) as inventory:
        if not inventory.is_empty():
            if if_empty:
                click.echo(f"Données déjà présentes ({describe_store(settings)}).")
                return
            fail("Le stock contient déjà des données : la démo se charge dans un stock vide. "
                  "Choisissez un autre TRACKER_DATABASE_URL.", EXIT_REFUSED)  # fmt: skip
        click.echo(f"Chargement de la démo dans {describe_store(settings)}…")
        models = read_models_of(settings, inventory)  # migrated: the register's tables too
        register = Register(models.database, _sealer(settings), clock=clock, today=clock.today)
        run = DemoRun(inventory, clock, seed=seed, years=years, until=until, register=register)
        run.register_directory()
        models.catch_up()  # the register knows the third places from the directory read model
        summary = run.run(directory=False)
        models.catch_up()
    click.echo(
        f"{summary.computers} ordinateurs dans {summary.batches} lots de dons, "
        f"du {messages.french_date(summary.first_day)} au {messages.french_date(summary.last_day)}."
    )
    click.echo(f"{summary.people} personnes inscrites dans les tiers-lieux (noms inventés).")
    for name, count in summary.events.most_common():
        click.echo(f"  {messages.EVENTS[name]:<24} {count:>6}")
    click.echo("Exemples à regarder avec « tracker history ÉTIQUETTE » :")
    for state, tag in summary.examples.items():
        click.echo(f"  {tag:<18} {messages.STATES[state]}")


def _sealer(settings: Settings) -> Sealer:
    try:
        return sealer_from(settings)
    except SettingsError as error:
        fail(str(error), EXIT_BAD_INPUT)


@cli.command(help="Afficher toute l'histoire d'un ordinateur, dans l'ordre.")
@click.argument("tag")
@click.option("--json", "as_json", is_flag=True, help="Sortie JSON (pour les scripts).")
@click.pass_obj
def history(settings: Settings, tag: str, as_json: bool) -> None:
    with inventory_of(settings) as inventory:
        found = computer_history(inventory, tag)
        zone = inventory.zone
    if as_json:
        click.echo(json.dumps(_jsonable(found), ensure_ascii=False, indent=2))
        return
    d = found.description
    what = messages.VALUES.get(d["device_type"], d["device_type"])
    click.echo(f"{found.tag} — {what} {d['brand']} {d['model']} (n° de série {d['serial'] or '?'})")
    click.echo(f"Donné par {d['donor']} · programme {d['programme']}")
    click.echo(f"Aujourd'hui : {messages.STATES[found.state]}, site {found.site}, "
               f"version {found.version}")  # fmt: skip
    click.echo("")
    for entry in found.entries:
        click.echo(_format_entry(entry, zone))


def _format_entry(entry: HistoryEntry, zone: Any) -> str:
    recorded = entry.recorded_at.astimezone(zone)
    head = (
        f"{entry.version:>3}. {messages.EVENTS.get(entry.event, entry.event)} — le "
        f"{messages.french_date(entry.occurred_on)}, par {entry.actor} à {entry.site} "
        f"(saisi le {recorded:%d/%m/%Y à %H:%M})"
    )
    if entry.cancelled_by:
        head += f"  [ANNULÉ par l'étape {entry.cancelled_by}]"
    if entry.corrected_by:
        head += f"  [corrigé par l'étape {', '.join(map(str, entry.corrected_by))}]"
    lines = [head]
    details = [f"{messages.FIELDS.get(k, k)} : {_words(v)}" for k, v in entry.details.items()]
    if entry.note:
        details.append(f"remarque : {entry.note}")
    lines.extend(f"       {line}" for line in details)
    return "\n".join(lines)


def _words(value: object) -> str:  # noqa: PLR0911 (one return per kind of value)
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, date):
        return messages.french_date(value)
    if isinstance(value, Decimal):
        return f"{value}".replace(".", ",")
    if isinstance(value, dict):
        return ", ".join(f"{_words(k)} : {_words(v)}" for k, v in value.items()) or "—"
    if isinstance(value, list):
        return "; ".join(_words(item) for item in value) or "—"
    if isinstance(value, uuid.UUID):
        return str(value)[:8]
    text = str(value)
    return messages.VALUES.get(text, text) or "—"


def _jsonable(found: ComputerHistory) -> Any:
    return msgspec.to_builtins(found)


@cli.command(help="Compter les ordinateurs par état et par site (registre du parc).")
@click.pass_obj
def summary(settings: Settings) -> None:
    with read_models(settings) as models:
        models.catch_up()
        with connection(models.database) as conn:
            stock = asset_register.stock(conn)
    by_state: Counter[State] = Counter()
    in_stock: Counter[str] = Counter()
    for line in stock:
        by_state[line.state] += line.computers
        if line.state not in _OUT_OF_STOCK:
            in_stock[line.site] += line.computers
    click.echo(f"{by_state.total()} ordinateurs enregistrés ({describe_store(settings)}).")
    for state in State:
        click.echo(f"  {messages.STATES[state]:<26} {by_state[state]:>6}")
    click.echo("En stock par site :")
    for site, count in sorted(in_stock.items()):
        click.echo(f"  {site:<26} {count:>6}")


_OUT_OF_STOCK = (State.DISMANTLED, State.WRITTEN_OFF, State.ON_LOAN)


@cli.command(
    help="Enregistrer une étape : tracker record triage CD35-2026-00001 --by amelie.r "
    "--at ESAT-RANCE grade=B outcome=recondition checks='{...}'",
    context_settings={"ignore_unknown_options": False},
)
@click.argument("step", type=click.Choice(sorted(STEP_COMMANDS)))
@click.argument("tag")
@click.argument("fields", nargs=-1)
@click.option("--by", "actor", required=True, help="Qui enregistre.")
@click.option("--at", "site", required=True, help="Code du site où cela se passe.")
@click.option("--on", "occurred_on", default=None, help="Date (AAAA-MM-JJ), aujourd'hui sinon.")
@click.option(
    "--seen-version", type=int, default=None, help="Version vue (par défaut : l'actuelle)."
)
@click.option("--command-id", default=None, help="Identifiant de la demande (pour la rejouer).")
@click.option("--note", default="", help="Remarque libre.")
@click.pass_obj
def record(
    settings: Settings, /, step: str, tag: str, fields: tuple[str, ...], **options: Any
) -> None:
    values: dict[str, Any] = {}
    for item in fields:
        name, sep, raw = item.partition("=")
        if not sep:
            fail(f"« {item} » : écrivez champ=valeur.", EXIT_BAD_INPUT)
        values[name] = json.loads(raw) if raw[:1] in ("{", "[") else raw
    with inventory_of(settings) as inventory:
        seen = options["seen_version"] or inventory.computer(tag).version
        values.update(
            tag=tag, actor=options["actor"], site=options["site"], note=options["note"],
            seen_version=seen, occurred_on=options["occurred_on"] or inventory.today(),
            command_id=options["command_id"] or str(uuid.uuid4()),
        )  # fmt: skip
        try:
            command = msgspec.convert(values, STEP_COMMANDS[step], strict=False)
        except msgspec.ValidationError as error:
            fail(f"Saisie incomplète ou incorrecte : {error}", EXIT_BAD_INPUT)
        result = inventory.record(command)
        read_models_of(settings, inventory).catch_up()
    again = " (déjà enregistrée : rien de nouveau)" if result.replayed else ""
    click.echo(f"Enregistré{again} : {result.tag} est « {messages.STATES[result.state]} », "
               f"version {result.version}.")  # fmt: skip
