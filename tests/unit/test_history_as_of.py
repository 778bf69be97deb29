"""A computer as of a date: as it happened by the step dates, and as it was known that day."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from domain_builders import OTHER_SITE, SITE, donate, recondition, recording, transfer, triage, wipe

from tracker.domain.computer import Computer
from tracker.domain.lifecycle import State
from tracker.domain.recording import Recording
from tracker.history_as_of import as_happened, as_known, corrected_since, end_of_day

PARIS = ZoneInfo("Europe/Paris")
JUNE = {day: date(2026, 6, day) for day in range(1, 31)}


def on(day: int, *, recorded: int | None = None, hour: int = 10, **fields: Any) -> Recording:
    """A step that happened on `day` of June 2026, recorded at `hour` UTC on `recorded`."""
    when = datetime(2026, 6, recorded or day, hour, tzinfo=UTC)
    return recording(occurred_on=JUNE[day], recorded_at=when, today=when.date(), **fields)


def donated_on_the_1st() -> Computer:
    return donate(on(1))


def events_of(computer: Computer) -> list[Any]:
    return list(computer.collect_events())


def versions(reading: Any) -> list[int]:
    return [step.version for step in reading.steps]


def test_as_it_happened_counts_only_the_steps_dated_up_to_the_day() -> None:
    computer = donated_on_the_1st()
    triage(computer, on(3))
    wipe(computer, on(4))
    transfer(computer, on(6))
    recondition(computer, on(10, site=OTHER_SITE))
    events = events_of(computer)

    before, triaged, moved, done = (as_happened(events, JUNE[d]) for d in (5, 3, 6, 10))

    assert as_happened(events, date(2026, 5, 31)).state is None
    assert (before.state, before.site, before.grade) == (State.TO_RECONDITION, SITE, "B")
    assert versions(before) == [1, 2, 3]
    assert versions(triaged) == [1, 2]
    assert (moved.state, moved.site) == (State.TO_RECONDITION, OTHER_SITE)
    assert (done.state, done.site, done.grade) == (State.READY_TO_LOAN, OTHER_SITE, "A")


def test_as_it_was_known_counts_only_what_was_recorded_by_the_end_of_that_day() -> None:
    computer = donate(on(1, recorded=2))
    triage(computer, on(3, recorded=4))
    events = events_of(computer)

    assert as_known(events, JUNE[1], PARIS).state is None
    assert versions(as_known(events, JUNE[3], PARIS)) == [1]
    assert as_known(events, JUNE[3], PARIS).state == State.AWAITING_TRIAGE
    assert as_known(events, JUNE[4], PARIS).state == State.TO_RECONDITION


def test_a_step_cancelled_after_the_day_still_counts_as_known_that_day_but_not_now() -> None:
    computer = donated_on_the_1st()
    triage(computer, on(3))
    computer.cancel_step(on(5), version=2, reason="wrong computer scanned")
    events = events_of(computer)

    known = as_known(events, JUNE[4], PARIS)
    happened = as_happened(events, JUNE[4])

    assert (known.state, versions(known)) == (State.TO_RECONDITION, [1, 2])
    assert (happened.state, versions(happened)) == (State.AWAITING_TRIAGE, [1])
    [cancellation] = corrected_since(events, JUNE[4], PARIS)
    assert (cancellation.version, cancellation.kind, cancellation.touches) == (
        3, "StepCancelled", 2
    )  # fmt: skip
    assert cancellation.reason == "wrong computer scanned"
    assert cancellation.recorded_at == datetime(2026, 6, 5, 10, tzinfo=UTC)


def test_a_date_corrected_after_the_day_moves_the_step_only_as_it_happened() -> None:
    computer = donated_on_the_1st()
    triage(computer, on(5))
    changes = {"occurred_on": "2026-06-03"}
    computer.correct_details(on(8), version=2, reason="typo", changes=changes)
    events = events_of(computer)

    happened = as_happened(events, JUNE[4])
    known = as_known(events, JUNE[6], PARIS)

    assert (happened.state, versions(happened)) == (State.TO_RECONDITION, [1, 2])
    assert happened.steps[-1].occurred_on == JUNE[3]
    assert known.state == State.TO_RECONDITION
    assert known.steps[-1].occurred_on == JUNE[5]
    assert as_known(events, JUNE[8], PARIS).steps[1].occurred_on == JUNE[3]
    [correction] = corrected_since(events, JUNE[6], PARIS)
    assert (correction.kind, correction.touches, correction.changes) == (
        "DetailsCorrected", 2, changes
    )  # fmt: skip


def test_a_grade_corrected_after_the_day_is_the_old_grade_as_known_that_day() -> None:
    computer = donated_on_the_1st()
    triage(computer, on(3))
    computer.correct_details(on(9), version=2, reason="typo", changes={"grade": "C"})
    events = events_of(computer)

    assert as_known(events, JUNE[5], PARIS).grade == "B"
    assert as_happened(events, JUNE[5]).grade == "C"
    assert as_known(events, JUNE[9], PARIS).grade == "C"


def test_a_step_entered_late_counts_by_its_date_but_was_not_known_before_it_was_recorded() -> None:
    computer = donated_on_the_1st()
    triage(computer, on(3, recorded=10))
    events = events_of(computer)

    happened = as_happened(events, JUNE[5])
    known = as_known(events, JUNE[5], PARIS)

    assert (happened.state, versions(happened)) == (State.TO_RECONDITION, [1, 2])
    assert (known.state, versions(known)) == (State.AWAITING_TRIAGE, [1])
    assert corrected_since(events, JUNE[5], PARIS) == (), "a late entry is not a correction"
    assert versions(as_known(events, JUNE[10], PARIS)) == [1, 2]


def test_corrections_of_steps_recorded_after_the_day_are_not_changes_to_what_was_known() -> None:
    computer = donated_on_the_1st()
    triage(computer, on(3, recorded=7))
    computer.correct_details(on(8), version=2, reason="typo", changes={"grade": "A"})
    computer.correct_details(on(8), version=1, reason="typo", changes={"brand": "HP"})
    events = events_of(computer)

    [correction] = corrected_since(events, JUNE[5], PARIS)

    assert (correction.version, correction.touches) == (4, 1)


def test_a_day_ends_at_midnight_in_the_programme_time_zone_not_in_utc() -> None:
    computer = donated_on_the_1st()
    late_evening = recording(occurred_on=JUNE[3], today=JUNE[3],
                             recorded_at=datetime(2026, 6, 3, 21, 30, tzinfo=UTC))  # fmt: skip
    after_midnight = recording(occurred_on=JUNE[3], today=JUNE[4],
                               recorded_at=datetime(2026, 6, 3, 22, 30, tzinfo=UTC))  # fmt: skip
    triage(computer, late_evening)
    wipe(computer, after_midnight)
    events = events_of(computer)

    assert end_of_day(JUNE[3], PARIS) == datetime(2026, 6, 3, 22, 0, tzinfo=UTC)
    assert versions(as_known(events, JUNE[3], PARIS)) == [1, 2]
    assert versions(as_known(events, JUNE[4], PARIS)) == [1, 2, 3]


def test_nothing_recorded_yet_gives_no_reading_and_no_corrections() -> None:
    events = events_of(donate(on(1, recorded=3)))

    known = as_known(events, JUNE[2], PARIS)

    assert (known.state, known.steps, known.site) == (None, (), "")
    assert corrected_since(events, JUNE[2], PARIS) == ()
