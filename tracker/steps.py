"""Recording steps on computers: load, check what the user saw, command, save once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

import structlog
from eventsourcing.persistence import IntegrityError

from tracker.commands import StepCommand
from tracker.domain import asset_tag
from tracker.domain.computer import Computer
from tracker.domain.exceptions import (
    CommandReusedError,
    DomainError,
    UnknownComputerError,
    VersionConflictError,
)
from tracker.domain.lifecycle import State
from tracker.domain.recording import Recording
from tracker.service import Service

log = structlog.get_logger(__name__)

Check = Callable[[Computer], None]


@dataclass(frozen=True)
class StepRecorded:
    """The outcome of a step: the computer's new version and state."""

    tag: str
    computer_id: UUID
    version: int
    state: State
    position: int | None
    replayed: bool = False


class Steps(Service):
    """The use cases of one computer's lifecycle, exactly once per command."""

    def record(self, command: StepCommand, *, check: Check | None = None) -> StepRecorded:
        """Record one step on one computer, as seen by the user at `seen_version`.

        A command already recorded returns its first result and records nothing. A computer
        that changed since the user saw it is refused with its fresh state. `check` may refuse
        the step on the loaded computer before the domain sees it (who may do what, where).
        """
        computer = self.computer(command.tag)
        done = computer.version_of_command(command.command_id)
        if done is None:
            if computer.version != command.seen_version:
                raise self._conflict(command, computer)
            try:
                if check is not None:
                    check(computer)
                command.run(computer, self._recording(command))
            except DomainError as refusal:
                log.info("step_refused", step=command.event_name, code=refusal.code,
                         computer_id=str(computer.id))  # fmt: skip
                raise
            try:
                recordings = self.save(computer)
            except IntegrityError:
                computer = self.computer(command.tag)
                done = computer.version_of_command(command.command_id)
                if done is None:
                    raise self._conflict(command, computer) from None
            else:
                log.info(
                    "step_recorded",
                    step=command.event_name,
                    computer_id=str(computer.id),
                    version=computer.version,
                )
                position = self._position(recordings)
                return StepRecorded(
                    computer.tag, computer.id, computer.version, computer.state, position
                )
        return self._replay_result(command, computer, done)

    def computer(self, tag: str) -> Computer:
        """The computer carrying this tag, as it stands now."""
        found = self._find(asset_tag.computer_id(tag), Computer)
        if found is None:
            raise UnknownComputerError(tag=asset_tag.normalize(tag))
        return found

    def computer_events(self, tag: str) -> list[Computer.Event]:
        """Every event of one computer, in order."""
        computer_id = self.computer(tag).id
        return list(self.repository.event_store.get(computer_id))  # type: ignore[arg-type]

    # -- internals ------------------------------------------------------------------------

    def _recording(self, command: StepCommand) -> Recording:
        return Recording(
            command_id=command.command_id,
            actor=command.actor,
            site=command.site,
            occurred_on=command.occurred_on,
            recorded_at=self.clock(),
            today=self.today(),
            note=command.note,
        )

    def _conflict(self, command: StepCommand, computer: Computer) -> VersionConflictError:
        log.info("step_conflict", computer_id=str(computer.id), seen=command.seen_version)
        return VersionConflictError(
            tag=computer.tag,
            seen=command.seen_version,
            current=computer.version,
            state=computer.state,
        )

    def _replay_result(self, command: StepCommand, computer: Computer, done: int) -> StepRecorded:
        if computer.steps[done].name != command.event_name:
            raise CommandReusedError()
        then = self._find(computer.id, Computer, version=done)
        if then is None:  # pragma: no cover - the version was just read from this computer
            raise UnknownComputerError(tag=computer.tag)
        log.info("step_replayed", computer_id=str(computer.id), version=done)
        return StepRecorded(then.tag, then.id, done, then.state, None, replayed=True)
