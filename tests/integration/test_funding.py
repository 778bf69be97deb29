"""Funders and funding lines on a real store, and the funding read model that lists them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from projections import funding
from projections.database import connection
from projections.readmodel import dump
from tracker.application import Inventory
from tracker.bootstrap import read_models_of
from tracker.domain.exceptions import (
    InvalidValueError,
    NoChangeError,
    RecordExistsError,
    StaleEditError,
    UnknownRecordError,
)
from tracker.read_models import ReadModels
from tracker.settings import Settings

LINE: dict[str, Any] = {
    "funder": "fse-plus",
    "programme": "cd35",
    "starts_on": date(2026, 1, 1),
    "ends_on": date(2026, 12, 31),
    "stages": ["triaged", "dismantled", "reconditioned"],
    "sites": ["ESAT-RANCE"],
    "categories": ["minimum_income", "jobseeker"],
    "note": "Convention 2026-017",
}


def head(inventory: Inventory) -> int:
    return inventory.recorder.max_notification_id() or 0


def refused(inventory: Inventory, error: type[Exception], command: Callable[[], Any]) -> Any:
    """The refusal `command` meets, once checked that it recorded nothing."""
    before = head(inventory)
    with pytest.raises(error) as refusal:
        command()
    assert head(inventory) == before
    return refusal.value


def register_line(inventory: Inventory, code: str = "FSE-2026-CD35", **changes: Any) -> Any:
    return inventory.register_funding_line(code=code, **{**LINE, **changes}, actor="agent")


def change_line(inventory: Inventory, code: str, seen: int, **changes: Any) -> Any:
    fields = {**LINE, **changes}
    return inventory.change_funding_line(code, **fields, actor="admin", seen_version=seen)


@pytest.fixture
def chain(inventory: Inventory) -> Inventory:
    """Two programmes, a site in each, the two funders of the Ille-et-Vilaine programme."""
    for code, territory in (("CD35", "Ille-et-Vilaine"), ("CD22", "Côtes-d'Armor")):
        inventory.register_programme(code=code, name=f"Parcours {code}", territory=territory,
                                     actor="root")  # fmt: skip
    for code, programme in (("ESAT-RANCE", "CD35"), ("TL-DINAN", "CD22")):
        inventory.register_site(code=code, name=code.title(), kind="other", town="",
                                programme=programme, actor="root")  # fmt: skip
    inventory.register_funder(code="FSE-PLUS", name="Fonds social européen (FSE+)",
                              kind="fse_plus", actor="root")  # fmt: skip
    inventory.register_funder(code="CD35", name="Conseil départemental d'Ille-et-Vilaine",
                              kind="departement", actor="root")  # fmt: skip
    return inventory


@pytest.fixture
def models(inventory: Inventory, database_url: str) -> ReadModels:
    return read_models_of(Settings(database_url=database_url), inventory)


# -- funders -------------------------------------------------------------------------------


def test_a_funder_is_registered_under_its_code_then_changed(inventory: Inventory) -> None:
    saved = inventory.register_funder(code=" feder-bzh ", name="FEDER Bretagne", kind="feder",
                                      actor="agent")  # fmt: skip
    assert (saved.key, saved.version, saved.position) == ("FEDER-BZH", 1, head(inventory))
    changed = inventory.change_funder("feder-bzh", name="FEDER", kind="feder", active=False,
                                      actor="admin", seen_version=1)  # fmt: skip
    funder = inventory.funder("FEDER-BZH")
    assert (funder.name, funder.active, funder.version) == ("FEDER", False, changed.version)


def test_a_funder_code_already_taken_is_refused(chain: Inventory) -> None:
    error = refused(chain, RecordExistsError, lambda: chain.register_funder(
        code="fse-plus", name="Autre", kind="other", actor="agent"))  # fmt: skip
    assert (error.kind, error.key) == ("funder", "FSE-PLUS")


def test_a_funder_changed_on_a_stale_version_is_refused(chain: Inventory) -> None:
    chain.change_funder("CD35", name="CD 35", kind="departement", active=True, actor="admin",
                        seen_version=1)  # fmt: skip
    error = refused(chain, StaleEditError, lambda: chain.change_funder(
        "CD35", name="Département", kind="departement", active=True, actor="agent",
        seen_version=1))  # fmt: skip
    assert (error.kind, error.key, error.details["current"]) == ("funder", "CD35", 2)


# -- funding lines -------------------------------------------------------------------------


def test_a_line_comes_back_from_the_store_with_its_dates_and_lists(
    chain: Inventory, open_inventory: Callable[[], Inventory]
) -> None:
    saved = register_line(chain, code="fse-2026-cd35")
    assert (saved.key, saved.version, saved.position) == ("FSE-2026-CD35", 1, head(chain))
    line = open_inventory().funding_line("FSE-2026-CD35")  # read back from the store
    assert (line.terms.funder, line.terms.programme) == ("FSE-PLUS", "CD35")
    assert (line.terms.starts_on, line.terms.ends_on) == (date(2026, 1, 1), date(2026, 12, 31))
    assert line.terms.stages == ("triaged", "dismantled", "reconditioned")
    assert (line.terms.sites, line.terms.categories) == (
        ("ESAT-RANCE",), ("minimum_income", "jobseeker")
    )  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "refusal"),
    [
        ({"funder": "FEDER"}, ("funder", "unknown_funder")),
        ({"programme": "CD29"}, ("programme", "unknown_programme")),
        ({"sites": ["ESAT-RANCE", "TL-NOWHERE"]}, ("sites", "unknown_site")),
        ({"sites": ["TL-DINAN"]}, ("sites", "site_not_in_programme")),
        ({"ends_on": date(2025, 12, 31)}, ("ends_on", "before_start")),
        ({"stages": []}, ("stages", "required")),
    ],
    ids=["unknown funder", "unknown programme", "unknown site", "site of another programme",
         "end before start", "no stage"],
)  # fmt: skip
def test_a_line_referring_to_what_does_not_fit_records_nothing(
    chain: Inventory, changes: dict[str, Any], refusal: tuple[str, str]
) -> None:
    error = refused(chain, InvalidValueError, lambda: register_line(chain, **changes))
    assert (error.field, error.reason) == refusal
    saved = register_line(chain, code="FSE-OK")
    error = refused(chain, InvalidValueError, lambda: change_line(chain, "FSE-OK", saved.version,
                                                                  **changes))  # fmt: skip
    assert (error.field, error.reason) == refusal


def test_a_line_code_already_taken_is_refused_whatever_its_case(chain: Inventory) -> None:
    register_line(chain)
    error = refused(chain, RecordExistsError, lambda: register_line(chain, code="fse-2026-cd35"))
    assert (error.kind, error.key) == ("funding_line", "FSE-2026-CD35")


def test_a_change_replaces_every_term_and_records_who_made_it(chain: Inventory) -> None:
    register_line(chain)
    saved = change_line(chain, "fse-2026-cd35", 1, funder="CD35", stages=["loaned"], sites=[],
                        categories=[], note="")  # fmt: skip
    line = chain.funding_line("FSE-2026-CD35")
    assert (saved.version, saved.position) == (2, head(chain))
    assert (line.terms.funder, line.terms.stages, line.terms.sites) == ("CD35", ("loaned",), ())
    [_, changed] = chain.events.get(line.id)
    assert changed.actor == "admin"  # type: ignore[attr-defined]


def test_changing_a_line_that_does_not_exist_is_refused(chain: Inventory) -> None:
    error = refused(chain, UnknownRecordError, lambda: change_line(chain, "fse-2030", 1))
    assert (error.kind, error.key) == ("funding_line", "FSE-2030")


def test_a_line_changed_on_a_stale_version_or_to_what_it_says_records_nothing(
    chain: Inventory,
) -> None:
    register_line(chain)
    change_line(chain, "FSE-2026-CD35", 1, note="Avenant n° 1")
    error = refused(chain, StaleEditError, lambda: change_line(chain, "FSE-2026-CD35", 1))
    assert (error.kind, error.details["current"]) == ("funding_line", 2)
    refused(chain, NoChangeError,
            lambda: change_line(chain, "FSE-2026-CD35", 2, note="Avenant n° 1"))  # fmt: skip


def test_a_change_saved_meanwhile_by_someone_else_makes_an_edit_stale(
    monkeypatch: pytest.MonkeyPatch, chain: Inventory, open_inventory: Callable[[], Inventory]
) -> None:
    register_line(chain)
    other = open_inventory()
    save = chain.save

    def save_after_the_other(*aggregates: Any, **kwargs: Any) -> Any:
        change_line(other, "FSE-2026-CD35", 1, note="Saisi par l'autre")
        return save(*aggregates, **kwargs)

    monkeypatch.setattr(chain, "save", save_after_the_other)
    with pytest.raises(StaleEditError):
        change_line(chain, "FSE-2026-CD35", 1, note="Le mien")
    assert other.funding_line("FSE-2026-CD35").terms.note == "Saisi par l'autre"


# -- the funding read model ----------------------------------------------------------------


def test_the_read_model_lists_funders_and_the_lines_in_force_in_a_period(
    chain: Inventory, models: ReadModels
) -> None:
    register_line(chain, code="FSE-2025-CD35", starts_on=date(2025, 1, 1),
                  ends_on=date(2025, 12, 31))  # fmt: skip
    register_line(chain)
    register_line(chain, code="DEPT-2026-CD35", funder="CD35", sites=[], categories=[])
    chain.change_funder("CD35", name="Département d'Ille-et-Vilaine", kind="departement",
                        active=True, actor="admin", seen_version=1)  # fmt: skip
    models.catch_up()
    with connection(models.database) as conn:
        funders = funding.funders(conn)
        cd35, nobody = funding.funder(conn, "CD35"), funding.funder(conn, "FEDER")
        every = funding.funding_lines(conn)
        fse = funding.funding_lines(conn, funder="FSE-PLUS")
        fse_in_2026 = funding.funding_lines(conn, "FSE-PLUS", start=date(2026, 3, 1),
                                            end=date(2026, 3, 31))  # fmt: skip
        across_new_year = funding.funding_lines(conn, start=date(2025, 12, 31),
                                                end=date(2026, 1, 1))  # fmt: skip
        line, missing = funding.funding_line(conn, "FSE-2026-CD35"), funding.funding_line(conn, "X")
    assert funders == [
        funding.FunderEntry("CD35", "Département d'Ille-et-Vilaine", "departement", True),
        funding.FunderEntry("FSE-PLUS", "Fonds social européen (FSE+)", "fse_plus", True),
    ]
    assert (cd35, nobody) == (funders[0], None)
    assert [e.code for e in every] == ["DEPT-2026-CD35", "FSE-2025-CD35", "FSE-2026-CD35"]
    assert [e.code for e in fse] == ["FSE-2025-CD35", "FSE-2026-CD35"]
    assert [e.code for e in fse_in_2026] == ["FSE-2026-CD35"]
    assert [e.code for e in across_new_year] == [e.code for e in every]
    assert line == funding.FundingLineEntry(
        "FSE-2026-CD35", "FSE-PLUS", "CD35", date(2026, 1, 1), date(2026, 12, 31),
        ("triaged", "dismantled", "reconditioned"), ("ESAT-RANCE",),
        ("minimum_income", "jobseeker"), "Convention 2026-017", 1,
    )  # fmt: skip
    assert missing is None
    assert every[0].every_site
    assert line is not None
    assert not line.every_site


def test_rebuilding_the_funding_read_model_gives_the_rows_kept_up_step_by_step(
    chain: Inventory, models: ReadModels
) -> None:
    register_line(chain)
    models.catch_up()
    change_line(chain, "FSE-2026-CD35", 1, sites=[], note="")
    chain.change_funder("FSE-PLUS", name="FSE+", kind="fse_plus", active=False, actor="admin",
                        seen_version=1)  # fmt: skip
    register_line(chain, code="DEPT-2026-CD35", funder="CD35")
    models.catch_up()
    with connection(models.database) as conn:
        kept_up = dump(conn, funding.READ_MODEL)
    models.rebuild(["funding"])
    with connection(models.database) as conn:
        rebuilt = dump(conn, funding.READ_MODEL)
        line = funding.funding_line(conn, "FSE-2026-CD35")
    assert rebuilt == kept_up
    assert {table: len(rows) for table, rows in rebuilt.items()} == {
        "funders": 2, "funding_lines": 2
    }  # fmt: skip
    assert line is not None
    assert (line.sites, line.note, line.version) == ((), "", 2)
