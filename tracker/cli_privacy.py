"""`tracker privacy new-key | purge`: the register's master key, and erasure once kept too long."""

from __future__ import annotations

import click

from tracker import messages
from tracker.bootstrap import read_models_of
from tracker.cli_common import EXIT_BAD_INPUT, fail, inventory_of
from tracker.erasure import Due, due_for_purge, purge
from tracker.personal_data import new_master_key, sealer_from
from tracker.register import Register
from tracker.settings import Settings, SettingsError

WHERE_TO_PUT_IT = (
    "Mettez cette clé dans TRACKER_REGISTER_KEY, ou dans un fichier nommé par "
    "TRACKER_REGISTER_KEY_FILE, et gardez-en une copie à part des sauvegardes de la base : "
    "sans elle, personne ne peut plus lire le registre."
)


@click.group(name="privacy", help="Données personnelles du registre des bénéficiaires.")
def privacy() -> None:
    """The commands of the register's personal data."""


@privacy.command(name="new-key", help="Imprimer une nouvelle clé maîtresse du registre.")
def new_key_command() -> None:
    # The key alone on standard output, so that `tracker privacy new-key > fichier` works.
    click.echo(new_master_key())
    click.echo(WHERE_TO_PUT_IT, err=True)


@privacy.command(
    name="purge",
    help="Effacer les personnes dont la durée de conservation est passée (la dernière "
    "convention terminée depuis plus de N mois, ou inscrites depuis plus de N mois sans prêt).",
)
@click.option("--dry-run", is_flag=True, help="Montrer qui serait effacé, sans rien changer.")
@click.option("--mois", "months", type=click.IntRange(1), default=None, metavar="N",
              help="Durée de conservation en mois (par défaut TRACKER_RETENTION_MONTHS, "
                   "36 sinon).")  # fmt: skip
@click.pass_obj
def purge_command(settings: Settings, dry_run: bool, months: int | None) -> None:
    kept = months or settings.retention_months
    try:
        sealer = sealer_from(settings)
    except SettingsError as error:
        fail(str(error), EXIT_BAD_INPUT)
    with inventory_of(settings) as inventory:
        models = read_models_of(settings, inventory)  # migrated: the register's tables too
        models.catch_up()  # the loans, whose end starts the retention period
        register = Register(models.database, sealer, clock=inventory.clock,
                            today=inventory.today)  # fmt: skip
        today = inventory.today()
        due = due_for_purge(register, today, kept)
        if not due:
            click.echo(f"Personne n'a dépassé la durée de conservation ({kept} mois) : "
                       "rien à effacer.")  # fmt: skip
            return
        click.echo(f"{_people(len(due))} sans convention en cours depuis plus de {kept} mois "
                   "(codes seulement) :")  # fmt: skip
        for person in due:
            click.echo(_line(person))
        if dry_run:
            click.echo(f"Essai (--dry-run) : rien n'a été effacé. Sans --dry-run, "
                       f"{_people(len(due), 'serait effacée', 'seraient effacées')}.")  # fmt: skip
            return
        erased = purge(register, today, kept)
    click.echo(f"{_people(len(erased), 'effacée', 'effacées')} : leurs données personnelles ne "
               "peuvent plus être lues par personne. Leur code, leurs publics et leurs dates "
               "restent, pour les comptes des financeurs.")  # fmt: skip


def _people(count: int, singular: str = "", plural: str = "") -> str:
    words = f"personne {singular}" if count == 1 else f"personnes {plural}"
    return f"{count} {words}".rstrip()


def _line(person: Due) -> str:
    return (f"  {person.code:<14} {person.third_place:<18} "
            f"depuis le {messages.french_date(person.since)}")  # fmt: skip


PRIVACY_COMMANDS = (privacy,)
