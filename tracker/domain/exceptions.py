"""Every refusal the tracker can answer, each with a stable code the interfaces translate."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from tracker.domain.lifecycle import State, Step


class DomainError(Exception):
    """Base of every refusal; nothing was recorded when one is raised."""

    code: ClassVar[str] = "refused"

    def __init__(self, **details: object) -> None:
        super().__init__(f"{self.code} {details}")
        self.details = details


class TransitionRefusedError(DomainError):
    """Raised when a step is not allowed from the computer's current state."""

    code = "transition_refused"

    def __init__(self, *, step: Step, state: State) -> None:
        super().__init__(step=step, state=state)
        self.step = step
        self.state = state


class DataWipeRequiredError(DomainError):
    """Raised when a computer would be reconditioned or dismantled before its data was wiped."""

    code = "data_wipe_required"

    def __init__(self, *, state: State) -> None:
        super().__init__(state=state)
        self.state = state


class QualityCheckNotPassedError(DomainError):
    """Raised when reconditioning is recorded without a passed quality check."""

    code = "quality_check_not_passed"


class DateInFutureError(DomainError):
    """Raised when the business date of a step is after today."""

    code = "date_in_future"

    def __init__(self, *, occurred_on: date, today: date) -> None:
        super().__init__(occurred_on=occurred_on, today=today)


class DateBeforePreviousStepError(DomainError):
    """Raised when a step is dated before the step that precedes it."""

    code = "date_before_previous_step"

    def __init__(self, *, occurred_on: date, previous: date) -> None:
        super().__init__(occurred_on=occurred_on, previous=previous)


class DateAfterNextStepError(DomainError):
    """Raised when a corrected business date would fall after the step that follows it."""

    code = "date_after_next_step"

    def __init__(self, *, occurred_on: date, following: date) -> None:
        super().__init__(occurred_on=occurred_on, following=following)


class InvalidValueError(DomainError):
    """Raised when a field of a step is missing, unknown or out of range."""

    code = "invalid_value"

    def __init__(self, *, field: str, reason: str) -> None:
        super().__init__(field=field, reason=reason)
        self.field = field
        self.reason = reason


class InvalidTagError(DomainError):
    """Raised when an asset tag is malformed or imitates the generated tags."""

    code = "invalid_tag"

    def __init__(self, *, tag: str, reason: str) -> None:
        super().__init__(tag=tag, reason=reason)
        self.tag = tag
        self.reason = reason


class NothingToCancelError(DomainError):
    """Raised when a cancellation is asked for but no step can be cancelled."""

    code = "nothing_to_cancel"


class NotTheLastStepError(DomainError):
    """Raised when a cancellation names a step other than the last one still in force."""

    code = "not_the_last_step"

    def __init__(self, *, version: int, last: int | None) -> None:
        super().__init__(version=version, last=last)


class CorrectionRefusedError(DomainError):
    """Raised when a correction names an unknown step or a field that cannot be corrected."""

    code = "correction_refused"

    def __init__(self, *, version: int, field: str = "") -> None:
        super().__init__(version=version, field=field)


class UnknownComputerError(DomainError):
    """Raised when no computer carries the asset tag asked for."""

    code = "unknown_computer"

    def __init__(self, *, tag: str) -> None:
        super().__init__(tag=tag)
        self.tag = tag


class DuplicateTagError(DomainError):
    """Raised when an intake would give an asset tag that another computer already carries."""

    code = "duplicate_tag"

    def __init__(self, *, tag: str) -> None:
        super().__init__(tag=tag)
        self.tag = tag


class VersionConflictError(DomainError):
    """Raised when the computer changed since the user saw it; carries the fresh state."""

    code = "version_conflict"

    def __init__(self, *, tag: str, seen: int, current: int, state: State) -> None:
        super().__init__(tag=tag, seen=seen, current=current, state=state)
        self.tag = tag
        self.seen = seen
        self.current = current
        self.state = state


class CommandReusedError(DomainError):
    """Raised when a command id already served a different command."""

    code = "command_reused"


class StoreBusyError(DomainError):
    """Raised when an intake kept colliding with concurrent intakes and gave up."""

    code = "store_busy"


class RecordExistsError(DomainError):
    """Raised when a user or a reference record (site, funder...) would take a key already taken."""

    code = "record_exists"

    def __init__(self, *, kind: str, key: str) -> None:
        super().__init__(kind=kind, key=key)
        self.kind = kind
        self.key = key


class UnknownRecordError(DomainError):
    """Raised when no user or reference record (site, funder...) has the key asked for."""

    code = "unknown_record"

    def __init__(self, *, kind: str, key: str) -> None:
        super().__init__(kind=kind, key=key)
        self.kind = kind
        self.key = key


class StaleEditError(DomainError):
    """Raised when a record changed since the person editing it opened the form."""

    code = "stale_edit"

    def __init__(self, *, kind: str, key: str, seen: int, current: int) -> None:
        super().__init__(kind=kind, key=key, seen=seen, current=current)
        self.kind = kind
        self.key = key


class NoChangeError(DomainError):
    """Raised when a command would change nothing: a role already held, a user already inactive."""

    code = "no_change"


class SelfLockoutError(DomainError):
    """Raised when administrators would remove their own administration rights or account."""

    code = "self_lockout"


class StepNotOfferedError(DomainError):
    """Raised when this person may not record this step here (another site, wrong kind of site).

    `why` is one of: not_workshop, other_site, site_kind, undo_expired, not_yours.
    """

    code = "step_not_offered"

    def __init__(self, *, step: str, why: str) -> None:
        super().__init__(step=step, why=why)
        self.why = why


class PersonalDataDeniedError(DomainError):
    """Raised when personal data are asked for by someone not entitled to them.

    Entitled: the staff of the person's third place, and administrators (only they erase).
    """

    code = "personal_data_denied"


class PersonErasedError(DomainError):
    """Raised when a person's personal data were erased and a use case needs them."""

    code = "person_erased"

    def __init__(self, *, code: str) -> None:
        super().__init__(code=code)
        self.person = code
