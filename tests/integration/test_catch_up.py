"""A catch-up asked to stop (Ctrl-C on `tracker project --once`) stops between batches."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path
from uuid import uuid4

from projections.database import connection
from projections.migrate import migrate
from projections.runner import Runner
from tracker.application import Inventory
from tracker.bootstrap import read_database
from tracker.commands import DonatedUnit, RegisterDonation
from tracker.read_models import ReadModels
from tracker.storage import parse


def donate(inventory: Inventory, units: int) -> None:
    inventory.register_donation(
        RegisterDonation(
            command_id=uuid4(),
            actor="alice",
            site="Rennes",
            programme="CD35",
            donor="Mairie de Rennes",
            received_on=date(2026, 6, 1),
            units=tuple(DonatedUnit(device_type="laptop", brand="Lenovo") for _ in range(units)),
        )
    )


def test_a_catch_up_asked_to_stop_keeps_the_batch_done_and_the_next_one_goes_on_from_there(
    inventory: Inventory, database_url: str, tmp_path: Path
) -> None:
    for _ in range(6):
        donate(inventory, 2)
    head = inventory.recorder.max_notification_id() or 0
    database = read_database(parse(database_url, base=tmp_path))
    migrate(database)
    stopping = threading.Event()
    runner = Runner(inventory, database, batch_size=4)
    try:
        read = runner.catch_up(progress=lambda _read, _at: stopping.set(), stopping=stopping)
        stopped_at = runner.positions()
        assert read == 4
        assert set(stopped_at.values()) == {4}, "every read model kept the batch it had done"
        rest = runner.catch_up()
    finally:
        runner.close()
    assert read + rest >= head - 4  # the log may skip numbers, never events
    with connection(database) as conn:
        positions = {int(p) for (p,) in conn.execute("SELECT position FROM projection_positions")}
    assert positions == {head}


def test_the_status_without_rows_says_how_far_each_read_model_got_without_counting(
    inventory: Inventory, database_url: str, tmp_path: Path
) -> None:
    donate(inventory, 3)
    head = inventory.recorder.max_notification_id() or 0
    database = read_database(parse(database_url, base=tmp_path))
    migrate(database)
    models = ReadModels(inventory, database)
    models.catch_up()

    counted = {row.name: row for row in models.status()}
    quick = {row.name: row for row in models.status(with_rows=False)}

    assert counted["asset_register"].rows == 3
    assert {row.position for row in quick.values()} == {head}
    assert {row.rows for row in quick.values()} == {None}
    assert [(r.name, r.position, r.head) for r in quick.values()] == [
        (r.name, r.position, r.head) for r in counted.values()
    ]
