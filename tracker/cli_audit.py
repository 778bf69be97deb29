"""`tracker verify`: recompute the integrity chain of the log and say where it breaks."""

from __future__ import annotations

from pathlib import Path

import click

from tracker.cli_common import EXIT_BAD_INPUT, fail, inventory_of
from tracker.evidence import LogBrokenError, export
from tracker.integrity import Link, chained
from tracker.settings import Settings
from tracker.verification import Breach, Verdict, verify

EXIT_BROKEN = 3

BREACHES = {
    Breach.ALTERED: "cet événement a été modifié ou déplacé après son enregistrement "
    "(ses octets ne correspondent plus à son empreinte).",
    Breach.DELETED: "cet événement a été supprimé (son maillon est resté).",
    Breach.REMOVED: "cet événement a été supprimé, avec son maillon (le maillon suivant "
    "pointe encore vers lui).",
    Breach.INSERTED: "cet événement a été ajouté hors de l'application (il n'a pas de maillon).",
    Breach.LINK_ALTERED: "le maillon de cet événement a été modifié dans la chaîne.",
}


def parse_head(value: str | None) -> tuple[int, bytes] | None:
    """`N:EMPREINTE` as printed on a report: a position and a 64-digit hex link."""
    if value is None:
        return None
    position, _, link = value.partition(":")
    try:
        parsed = (int(position.replace(" ", "").replace("\u202f", "")), bytes.fromhex(link))
    except ValueError:
        parsed = (0, b"")
    if parsed[0] < 1 or len(parsed[1]) != 32:  # noqa: PLR2004 (SHA-256)
        fail("--tete attend N:EMPREINTE, par exemple 5123:9f2c… (64 chiffres hexadécimaux), "
             "comme imprimé sur un rapport.", EXIT_BAD_INPUT)  # fmt: skip
    return parsed


def describe(verdict: Verdict) -> str:
    """What a verification found, in words an auditor can paste into a report."""
    head = _head(verdict.head)
    if verdict.broken is None:
        return f"Journal intact : {_n(verdict.checked)} événements vérifiés, chacun relié au précédent.\n{head}"  # noqa: E501
    broken = verdict.broken
    return (
        f"Journal ALTÉRÉ : la chaîne est rompue au n° {_n(broken.position)}.\n"
        f"N° {_n(broken.position)} : {BREACHES[broken.breach]}\n"
        f"Avant lui, {_n(verdict.checked)} événements sont intacts. {head}"
    )


def _head(link: Link | None) -> str:
    if link is None:
        return "Tête de la chaîne : aucune (journal vide)."
    return f"Tête de la chaîne : n° {_n(link.position)}, empreinte {link.link.hex()}."


def _n(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")


@click.command(name="verify", help="Vérifier que le journal n'a pas été modifié (chaîne SHA-256).")
@click.option(
    "--tete",
    "expected",
    default=None,
    metavar="N:EMPREINTE",
    help="Vérifier aussi le maillon n° N imprimé sur un rapport.",
)
@click.pass_obj
def verify_command(settings: Settings, expected: str | None) -> None:
    head = parse_head(expected)
    with inventory_of(settings) as inventory:
        recorder = chained(inventory.recorder)
        verdict = verify(recorder)
        click.echo(describe(verdict))
        if verdict.broken is not None:
            raise SystemExit(EXIT_BROKEN)
        if head is not None:
            position, link = head
            found = recorder.select_links(position - 1, 1)
            if not found or found[0].position != position or found[0].link != link:
                click.echo(f"Le maillon n° {_n(position)} ne correspond PAS à l'empreinte donnée : "
                           "le journal a été réécrit depuis ce rapport.")  # fmt: skip
                raise SystemExit(EXIT_BROKEN)
            click.echo(f"Le maillon n° {_n(position)} correspond à l'empreinte du rapport.")


@click.command(
    name="export-evidence",
    help="Exporter le journal et sa chaîne dans un paquet de preuves vérifiable hors ligne.",
)
@click.argument("out", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option("--jusqua", "until", type=click.IntRange(1), default=None, metavar="N",
              help="S'arrêter à l'événement n° N (la tête imprimée sur un rapport).")  # fmt: skip
@click.pass_obj
def export_evidence_command(settings: Settings, out: Path, until: int | None) -> None:
    with inventory_of(settings) as inventory:
        try:
            made = export(chained(inventory.recorder), out, generated_at=inventory.clock(),
                          until=until)  # fmt: skip
        except LogBrokenError as error:
            out.unlink(missing_ok=True)
            click.echo(describe(error.verdict))
            fail("Pas de paquet de preuves : le journal lui-même est altéré.", EXIT_BROKEN)
    click.echo(
        f"Paquet de preuves écrit : {out} ({_n(made.events)} événements).\n"
        f"Tête de la chaîne : n° {_n(made.head_position)}, empreinte {made.head_link}.\n"
        f"Pour le vérifier, sur n'importe quel ordinateur avec Python 3.10+ : python3 {out.name}"
    )


AUDIT_COMMANDS = (verify_command, export_evidence_command)
