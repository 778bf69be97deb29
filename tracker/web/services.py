"""What the web handlers use, built once per worker by the app factory."""

from __future__ import annotations

from dataclasses import dataclass

from projections.database import Database
from projections.follow import Follower
from tracker.application import Inventory
from tracker.co2 import Factors
from tracker.read_models import ReadModels
from tracker.register import Register
from tracker.settings import Settings
from tracker.web.throttle import SignInThrottle

READ_MODEL_WAIT = 5.0  # seconds a write waits for the read models before showing lists


@dataclass
class Services:
    """The application, its read models and the web's own helpers for one worker."""

    settings: Settings
    inventory: Inventory
    read_models: ReadModels
    database: Database  # the read models' database, through the worker's connection pool
    throttle: SignInThrottle
    co2: Factors
    register: Register  # the third places' beneficiaries (personal data, sealed)
    follower: Follower | None = None

    def after_write(self, position: int) -> None:
        """Let the read models include a write before the next page reads them."""
        if self.follower is not None:  # woken as soon as its batch is committed
            self.follower.nudge()
            self.follower.wait_for(position, timeout=READ_MODEL_WAIT)
        else:  # another process feeds the read models: look at their positions
            self.read_models.wait_for(position, timeout=READ_MODEL_WAIT)
