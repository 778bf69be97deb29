"""Read models follow the log in the background, and a writer can wait until they show its write."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from projections import asset_register
from projections.database import connection
from tracker.application import Inventory
from tracker.bootstrap import read_models_of
from tracker.commands import DonatedUnit, RegisterDonation, WriteOff
from tracker.read_models import ReadModels
from tracker.settings import Settings


@pytest.fixture
def models(database_url: str, open_inventory: Callable[[], Inventory]) -> ReadModels:
    return read_models_of(Settings(database_url=database_url), open_inventory())


def donate(inventory: Inventory) -> tuple[str, int]:
    done = inventory.register_donation(
        RegisterDonation(
            command_id=uuid.uuid4(), actor="amelie.r", site="ESAT-RANCE",
            received_on=date(2026, 6, 1), programme="CD35", donor="Mairie de Vitré",
            units=(DonatedUnit(device_type="laptop", brand="Dell"),),
        )
    )  # fmt: skip
    assert done.position is not None
    return done.tags[0], done.position


def write_off(inventory: Inventory, tag: str) -> Any:
    return inventory.record(
        WriteOff(
            command_id=uuid.uuid4(), tag=tag, seen_version=1, actor="amelie.r",
            site="ESAT-RANCE", occurred_on=date(2026, 6, 2), reason="lost",
        )
    )  # fmt: skip


def test_a_background_follower_shows_a_write_to_whoever_waits_for_its_position(
    models: ReadModels,
) -> None:
    inventory: Any = models.app
    follower = models.follower(poll_interval=0.05)
    follower.start()
    try:
        tag, position = donate(inventory)
        assert follower.wait_for(position, timeout=20)
        assert models.wait_for(position, timeout=20)
        result = write_off(inventory, tag)
        assert models.wait_for(result.position, timeout=20)
        with connection(models.database) as conn:
            entry = asset_register.find(conn, tag)
        assert entry is not None
        assert entry.state == "written_off"
    finally:
        follower.stop()


def test_waiting_for_a_position_nobody_processes_gives_up_after_the_timeout(
    models: ReadModels,
) -> None:
    _tag, position = donate(models.app)  # type: ignore[arg-type]
    assert not models.wait_for(position, timeout=0.2)
    models.catch_up()
    assert models.wait_for(position, timeout=0.2)


def test_a_stopped_follower_ends_its_thread(models: ReadModels) -> None:
    follower = models.follower(poll_interval=10)
    follower.start()
    follower.stop()
    assert not any(t.name == "projections" and t.is_alive() for t in threading.enumerate())
