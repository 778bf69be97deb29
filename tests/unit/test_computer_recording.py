"""Every step records who, where and when; dates must follow the history and not be ahead."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest
from domain_builders import (
    OTHER_SITE,
    TODAY,
    assert_refused,
    donate,
    given,
    loan,
    recondition,
    recording,
    replay,
    take_back,
    transfer,
    triage,
    wipe,
    write_off,
)

from tracker.domain.computer import Computer
from tracker.domain.exceptions import (
    DateBeforePreviousStepError,
    DateInFutureError,
    InvalidValueError,
)
from tracker.domain.lifecycle import State


def test_a_step_dated_in_the_future_is_refused() -> None:
    computer = given(State.AWAITING_TRIAGE)
    tomorrow = TODAY + timedelta(days=1)

    refusal = assert_refused(
        computer, DateInFutureError, lambda: triage(computer, recording(occurred_on=tomorrow))
    )

    assert refusal.code == "date_in_future"


def test_a_donation_dated_in_the_future_is_refused() -> None:
    with pytest.raises(DateInFutureError):
        donate(recording(occurred_on=TODAY + timedelta(days=1)))


def test_a_step_dated_before_the_previous_step_is_refused() -> None:
    computer = replay(donate(recording(occurred_on=date(2026, 6, 10))).collect_events())

    assert_refused(
        computer,
        DateBeforePreviousStepError,
        lambda: triage(computer, recording(occurred_on=date(2026, 6, 9))),
    )


def test_a_step_entered_late_but_not_before_the_previous_one_is_accepted() -> None:
    computer = replay(donate(recording(occurred_on=date(2026, 6, 1))).collect_events())

    triage(computer, recording(occurred_on=date(2026, 6, 1)))
    wipe(computer, recording(occurred_on=date(2026, 6, 3)))

    assert [event.occurred_on for event in computer.collect_events()] == [
        date(2026, 6, 1),
        date(2026, 6, 3),
    ]


@pytest.mark.parametrize(("field", "value"), [("actor", " "), ("site", ""), ("note", "x" * 2001)])
def test_a_step_without_an_actor_or_a_site_or_with_an_overlong_note_is_refused(
    field: str, value: str
) -> None:
    computer = given(State.AWAITING_TRIAGE)

    refusal = assert_refused(
        computer, InvalidValueError, lambda: triage(computer, recording(**{field: value}))
    )

    assert isinstance(refusal, InvalidValueError)
    assert refusal.field == field


def test_every_event_records_who_where_when_and_its_command() -> None:
    steps = [triage, wipe, recondition, loan, take_back, transfer, write_off]
    recordings = [
        recording(
            actor=f" agent-{n} ",
            site=f"SITE-{n}",
            occurred_on=date(2026, 6, 1 + n),
            recorded_at=datetime(2026, 6, 15, 8, n, tzinfo=UTC),
            note=f" note {n} ",
            command_id=uuid4(),
        )
        for n in range(len(steps) + 1)
    ]
    computer = donate(recordings[0])
    for step, rec in zip(steps, recordings[1:], strict=True):
        step(computer, rec)

    events = computer.collect_events()

    assert type(events[0]) is Computer.Donated
    for event, rec in zip(events, recordings, strict=True):
        assert event.actor == rec.actor.strip()
        assert event.site == rec.site
        assert event.occurred_on == rec.occurred_on
        assert event.note == rec.note.strip()
        assert event.command_id == rec.command_id
        assert event.timestamp == rec.recorded_at
        assert computer.version_of_command(rec.command_id) == event.originator_version


def test_a_step_takes_the_computer_to_the_site_where_it_was_recorded() -> None:
    computer = given(State.AWAITING_TRIAGE)

    triage(computer, recording(site=OTHER_SITE))

    assert computer.site == OTHER_SITE


def test_an_invalid_argument_records_nothing() -> None:
    computer = given(State.AWAITING_TRIAGE)

    assert_refused(
        computer,
        InvalidValueError,
        lambda: computer.triage(
            recording(), checks={"screen": "ok"}, grade="B", outcome="dismantle"
        ),
    )
    assert_refused(
        computer,
        InvalidValueError,
        lambda: computer.record_data_wipe(recording(), method="magnet", result="success"),
    )
