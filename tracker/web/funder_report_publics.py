"""The beneficiaries of a funding line by public, as the report's page, PDF, CSV and XLSX say it.

Only counts and the names of publics: the report is read by officers and auditors, who never
see a person's name or contact.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from babel.dates import format_date

from projections.funding import FundingLineEntry
from tracker.funder_publics import LOANED, Publics
from tracker.funder_report import LineReport
from tracker.tables import Cell, DataTable
from tracker.web.i18n import translate
from tracker.web.labels import BENEFICIARY_CATEGORIES
from tracker.web.pages import N_

CATEGORY_WORDS = {str(code): words for code, words in BENEFICIARY_CATEGORIES.items()}
ABOUT_NAMED = N_("Publics que cette ligne compte : %(categories)s. Ses bénéficiaires distincts "
                 "sont les personnes inscrites dans au moins un de ces publics ; ses remises, "
                 "ses ordinateurs et ses participations comptent tous ses prêts, quel que soit "
                 "le public de la personne.")  # fmt: skip
ABOUT_EVERY = N_("Cette ligne compte tous les publics : ses bénéficiaires distincts sont toutes "
                 "les personnes qui ont reçu un ordinateur, qu'un public soit enregistré pour "
                 "elles ou non.")  # fmt: skip
ABOUT_NO_LOAN = N_("Publics que cette ligne compte : %(categories)s. Elle ne paie pas la remise "
                   "aux bénéficiaires : elle ne compte donc aucune personne.")  # fmt: skip
SEVERAL = N_("Une personne peut appartenir à plusieurs publics : les nombres par public ne "
             "s'additionnent pas pour donner le total.")  # fmt: skip
SOURCE = N_("Les publics sont ceux que le registre des bénéficiaires garde aujourd'hui pour "
            "chaque code, dans toutes les lectures ; ils restent quand les données d'une "
            "personne sont effacées. Ce rapport ne donne que des nombres : aucun nom, aucun "
            "moyen de contact.")  # fmt: skip
STEPS_NAMED = N_("Les prêts ci-dessous sont tous ceux de la ligne ; ses bénéficiaires distincts "
                 "ne comptent que les personnes inscrites dans au moins un de ses publics "
                 "(détail ci-dessous).")  # fmt: skip
COUNTED_NAMED = N_("Bénéficiaires comptés par la ligne (dans au moins un de ses publics)")
COUNTED_EVERY = N_("Bénéficiaires comptés par la ligne (tous les publics)")
OF_PUBLIC = N_("dont : %(public)s")
OF_WITHOUT = N_("dont : sans public enregistré")
WITHOUT = N_("Sans public enregistré (pas comptés par cette ligne)")
ELSEWHERE = N_("Seulement dans d'autres publics (pas comptés par cette ligne)")
REACHED = N_("Toutes les personnes qui ont reçu un ordinateur par les prêts de la ligne")
EVERY_PUBLIC = N_("tous les publics")


@dataclass(frozen=True)
class PublicRow:
    """One row of the table: what is counted and how many, in each reading shown."""

    label: str
    counts: tuple[int, ...]
    total: bool = False  # the line's own figure (or everyone reached)


@dataclass(frozen=True)
class PublicsTable:
    """The beneficiaries of one line by public, with the words that go with the figures."""

    headings: tuple[str, ...]  # one per reading
    rows: tuple[PublicRow, ...]
    note: str


def named_publics(language: str, line: FundingLineEntry) -> str:
    """The publics a line counts, in words ("tous les publics" when it names none)."""
    named = [translate(language, CATEGORY_WORDS.get(code, code)) for code in line.categories]
    return ", ".join(named) or translate(language, EVERY_PUBLIC)


def what_it_counts(language: str, line: FundingLineEntry) -> str:
    """What the line counts as its beneficiaries, in plain words ("" when it counts nobody)."""
    if LOANED in line.stages:
        if line.categories:
            return translate(language, ABOUT_NAMED, categories=named_publics(language, line))
        return translate(language, ABOUT_EVERY)
    if line.categories:
        return translate(language, ABOUT_NO_LOAN, categories=named_publics(language, line))
    return ""


def publics_table(language: str, readings: Sequence[tuple[str, Publics]]) -> PublicsTable | None:
    """The table for the readings given (heading, publics), or None when the line has no loans."""
    if not readings:
        return None
    shown = [publics for _, publics in readings]

    def row(label: str, count: Callable[[Publics], int], *, total: bool = False) -> PublicRow:
        return PublicRow(translate(language, label), tuple(map(count, shown)), total)

    first = shown[0]
    rows = [row(COUNTED_NAMED if first.named else COUNTED_EVERY, lambda p: p.counted, total=True)]
    for index, (public, _) in enumerate(first.by_public):
        words = translate(language, CATEGORY_WORDS.get(public, public))
        rows.append(PublicRow(translate(language, OF_PUBLIC, public=words),
                              tuple(p.by_public[index][1] for p in shown)))  # fmt: skip
    if first.named:
        rows += [row(WITHOUT, lambda p: p.without_public), row(ELSEWHERE, lambda p: p.elsewhere),
                 row(REACHED, lambda p: p.reached, total=True)]  # fmt: skip
    else:
        rows.append(row(OF_WITHOUT, lambda p: p.without_public))
    note = f"{translate(language, SEVERAL)} {translate(language, SOURCE)}"
    return PublicsTable(tuple(heading for heading, _ in readings), tuple(rows), note)


def line_publics(language: str, part: LineReport, known_on: date | None) -> PublicsTable | None:
    """A line's table: the report's reading, and today's beside it for a report issued on K."""
    if part.publics is None or part.current_publics is None:
        return None
    if known_on is None:
        return publics_table(language, [(translate(language, N_("Bénéficiaires")), part.publics)])
    day = format_date(known_on, "medium", locale=language)
    return publics_table(language, [(translate(language, N_("Le %(day)s"), day=day), part.publics),
                                    (translate(language, N_("Aujourd'hui")),
                                     part.current_publics)])  # fmt: skip


def as_data_table(language: str, code: str, table: PublicsTable) -> DataTable:
    """The table for the PDF."""
    title = translate(language, N_("Ligne %(code)s : bénéficiaires par public"), code=code)
    columns = (translate(language, N_("Public")), *table.headings)
    rows: tuple[tuple[Cell, ...], ...] = tuple((row.label, *row.counts) for row in table.rows)
    return DataTable("publics", title, columns, rows, table.note)
