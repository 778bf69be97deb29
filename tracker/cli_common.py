"""What every `tracker` command shares: opening the store and failing in plain words."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import click

from tracker import messages
from tracker.application import Inventory
from tracker.bootstrap import open_inventory, read_models_of
from tracker.domain.exceptions import DomainError
from tracker.read_models import ReadModels
from tracker.settings import Settings, SettingsError

EXIT_REFUSED = 1
EXIT_BAD_INPUT = 2


@contextmanager
def inventory_of(settings: Settings, **kwargs: Any) -> Iterator[Inventory]:
    """The inventory, closed at the end; a refusal ends the command with its explanation."""
    try:
        inventory = open_inventory(settings, **kwargs)
    except SettingsError as error:
        fail(str(error), EXIT_BAD_INPUT)
    try:
        yield inventory
    except DomainError as error:
        fail(messages.explain(error), EXIT_REFUSED)
    finally:
        inventory.close()


@contextmanager
def read_models(settings: Settings) -> Iterator[ReadModels]:
    """The read models with their inventory, migrated; closed at the end."""
    with inventory_of(settings) as inventory:
        yield read_models_of(settings, inventory)


def fail(message: str, code: int) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(code)
