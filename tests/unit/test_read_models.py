"""What each read model derives from one computer's timeline, cancellations and corrections in."""

from __future__ import annotations

from datetime import date
from typing import Any

import domain_builders as build
from domain_builders import BATCH_ID, OTHER_SITE, RECORDED_AT, SITE, donate, recording

from projections import activity, asset_register, flow, lead_times, loans, materials
from projections.readmodel import Table
from projections.timeline import Timeline, replay
from tracker.domain.computer import Computer

MAY = {day: date(2026, 5, day) for day in range(1, 32)}
AGREEMENT_END = date(2028, 5, 12)


def timeline_of(computer: Computer) -> Timeline:
    timeline = replay(computer.collect_events())
    assert timeline is not None
    return timeline


def rows(table: Table, derived: Any) -> list[dict[str, Any]]:
    return [dict(zip(table.columns, row, strict=True)) for row in derived[table.name]]


def loaned_computer() -> Computer:
    """Donated on 1 May, triaged on the 3rd, wiped on the 4th, reconditioned on the 10th,
    loaned on the 12th."""
    computer = donate(recording(occurred_on=MAY[1]))
    build.triage(computer, recording(occurred_on=MAY[3]))
    build.wipe(computer, recording(occurred_on=MAY[4]))
    build.recondition(computer, recording(occurred_on=MAY[10]))
    build.loan(
        computer,
        recording(occurred_on=MAY[12], site=OTHER_SITE),
        agreement_start=MAY[12],
        agreement_end=AGREEMENT_END,
    )
    return computer


def dismantled_computer(**materials_kg: str) -> Computer:
    computer = donate(recording(occurred_on=MAY[1]))
    build.triage(computer, recording(occurred_on=MAY[2]), outcome="dismantle")
    build.wipe(computer, recording(occurred_on=MAY[2]))
    computer.dismantle(
        recording(occurred_on=MAY[5]),
        components=[{"kind": "ram", "count": 2, "reusable": True}],
        materials_kg=materials_kg,
        outlet="Envie 35",
    )
    return computer


def test_the_register_row_of_a_loaned_computer_shows_where_it_stands_and_since_when() -> None:
    timeline = timeline_of(loaned_computer())

    [row] = rows(asset_register.TABLE, asset_register.derive(timeline))

    assert row["computer_id"] == timeline.computer_id
    assert (row["tag"], row["programme"], row["batch_id"]) == (build.TAG, "CD35", BATCH_ID)
    assert (row["brand"], row["model"], row["serial"]) == ("Dell", "Latitude 5490", "SN-123")
    assert (row["state"], row["site"], row["grade"]) == ("on_loan", OTHER_SITE, "A")
    assert row["state_since"] == MAY[12]
    assert [row[f"{stage}_on"] for stage in ("donated", "triaged", "reconditioned", "loaned")] == [
        MAY[1], MAY[3], MAY[10], MAY[12]
    ]  # fmt: skip
    assert [row[f"{stage}_on"] for stage in ("dismantled", "returned", "written_off")] == [
        None, None, None
    ]  # fmt: skip
    assert row["agreement_end"] == AGREEMENT_END
    assert (row["version"], row["last_step"], row["last_change"]) == (5, "Loaned", RECORDED_AT)


def test_a_cancelled_loan_leaves_the_computer_ready_to_loan_since_its_reconditioning() -> None:
    computer = loaned_computer()
    computer.cancel_step(recording(occurred_on=MAY[12]), version=5, reason="wrong computer")

    [row] = rows(asset_register.TABLE, asset_register.derive(timeline_of(computer)))

    assert (row["state"], row["site"], row["state_since"]) == ("ready_to_loan", SITE, MAY[10])
    assert (row["loaned_on"], row["agreement_end"]) == (None, None)
    assert (row["version"], row["last_step"]) == (6, "StepCancelled")


def test_a_corrected_brand_and_grade_show_in_the_register() -> None:
    computer = loaned_computer()
    computer.correct_details(recording(), version=1, reason="typo", changes={"brand": "HP"})
    computer.correct_details(recording(), version=4, reason="typo", changes={"final_grade": "C"})

    [row] = rows(asset_register.TABLE, asset_register.derive(timeline_of(computer)))

    assert (row["brand"], row["grade"], row["version"]) == ("HP", "C", 7)


def test_lead_times_follow_a_computer_round_the_loop_from_each_arrival_to_its_outcome() -> None:
    computer = loaned_computer()
    build.take_back(computer, recording(occurred_on=date(2026, 6, 1)))
    build.triage(computer, recording(occurred_on=date(2026, 6, 2)), outcome="dismantle")
    build.wipe(computer, recording(occurred_on=date(2026, 6, 2)))
    build.dismantle(computer, recording(occurred_on=date(2026, 6, 5)))
    timeline = timeline_of(computer)

    segments = rows(lead_times.TABLE, lead_times.derive(timeline))

    assert [(s["seq"], s["segment"], s["from_version"], s["to_version"], s["days"])
            for s in segments] == [
        (0, "donated_to_triaged", 1, 2, 2),
        (1, "triaged_to_reconditioned", 2, 4, 7),
        (2, "reconditioned_to_loaned", 4, 5, 2),
        (3, "arrival_to_loaned", 1, 5, 11),
        (4, "loaned_to_returned", 5, 6, 20),
        (5, "returned_to_triaged", 6, 7, 1),
        (6, "triaged_to_dismantled", 7, 9, 3),
        (7, "arrival_to_dismantled", 6, 9, 4),
    ]  # fmt: skip
    assert segments[3]["site"] == OTHER_SITE  # where the outcome happened
    assert {s["computer_id"] for s in segments} == {timeline.computer_id}


def test_a_corrected_date_changes_the_lead_times_on_both_sides_of_the_step() -> None:
    computer = loaned_computer()
    changes = {"occurred_on": "2026-05-04"}
    computer.correct_details(recording(), version=2, reason="typo", changes=changes)

    segments = rows(lead_times.TABLE, lead_times.derive(timeline_of(computer)))

    assert [(s["segment"], s["days"]) for s in segments[:2]] == [
        ("donated_to_triaged", 3), ("triaged_to_reconditioned", 6)
    ]  # fmt: skip


def test_materials_are_counted_in_grams_per_fraction_and_zero_amounts_are_left_out() -> None:
    computer = dismantled_computer(
        plastics="1.2", circuit_boards="0.4", ferrous="0", cables="0.0004"
    )

    derived = materials.derive(timeline_of(computer))

    assert derived["materials"] == (
        (MAY[5], SITE, "CD35", "Envie 35", "circuit_boards", 1, 400),
        (MAY[5], SITE, "CD35", "Envie 35", "plastics", 1, 1200),
    )
    assert derived["components"] == ((MAY[5], SITE, "CD35", "ram", True, 1, 2),)


def test_a_corrected_fraction_replaces_its_amount_and_a_fraction_corrected_to_zero_goes() -> None:
    computer = dismantled_computer(plastics="1.2", circuit_boards="0.4")
    changes = {"materials_kg.plastics": "2.25", "materials_kg.circuit_boards": "0"}
    computer.correct_details(recording(), version=4, reason="weighed again", changes=changes)

    derived = materials.derive(timeline_of(computer))

    assert [(row[4], row[6]) for row in derived["materials"]] == [("plastics", 2250)]


def test_a_cancelled_dismantling_sends_nothing_to_recycling() -> None:
    computer = dismantled_computer(plastics="1.2")
    computer.cancel_step(recording(), version=4, reason="not yet")

    assert materials.derive(timeline_of(computer)) == {"materials": (), "components": ()}


def test_flow_counts_each_step_in_force_once_on_its_corrected_date() -> None:
    computer = loaned_computer()
    computer.cancel_step(recording(), version=5, reason="wrong computer")
    changes = {"occurred_on": "2026-05-02"}
    computer.correct_details(recording(), version=2, reason="typo", changes=changes)

    derived = flow.derive(timeline_of(computer))

    assert sorted(derived["flow"]) == [
        (MAY[1], "donated", SITE, "CD35", 1),
        (MAY[2], "triaged", SITE, "CD35", 1),
        (MAY[4], "data_wiped", SITE, "CD35", 1),
        (MAY[10], "reconditioned", SITE, "CD35", 1),
    ]


def test_a_return_ends_the_first_loan_and_the_second_loan_is_active() -> None:
    computer = loaned_computer()
    build.take_back(computer, recording(occurred_on=MAY[20]))
    for step in (build.triage, build.wipe, build.recondition):
        step(computer, recording(occurred_on=MAY[21]))
    build.loan(computer, recording(occurred_on=MAY[22]), contribution_eur="12.50")

    derived = rows(loans.TABLE, loans.derive(timeline_of(computer)))

    assert [(r["loan_version"], r["status"], r["ended_on"], r["end_reason"]) for r in derived] == [
        (5, "returned", MAY[20], "end_of_agreement"), (10, "active", None, None)
    ]  # fmt: skip
    assert [(r["third_place"], r["contribution_cents"]) for r in derived] == [
        (OTHER_SITE, 2500), (SITE, 1250)
    ]  # fmt: skip


def test_a_write_off_ends_the_loan_with_its_reason() -> None:
    computer = loaned_computer()
    computer.write_off(recording(occurred_on=MAY[30]), reason="kept_by_beneficiary")

    [row] = rows(loans.TABLE, loans.derive(timeline_of(computer)))

    assert (row["status"], row["ended_on"], row["end_reason"]) == (
        "written_off", MAY[30], "kept_by_beneficiary"
    )  # fmt: skip


def test_a_corrected_agreement_end_and_contribution_show_in_the_loan() -> None:
    computer = loaned_computer()
    changes = {"agreement_end": "2027-01-31", "contribution_eur": "30.5"}
    computer.correct_details(recording(), version=5, reason="typo", changes=changes)

    [row] = rows(loans.TABLE, loans.derive(timeline_of(computer)))

    assert (row["agreement_end"], row["contribution_cents"]) == (date(2027, 1, 31), 3050)
    assert isinstance(row["contribution_cents"], int)


def test_activity_has_a_row_per_event_pointing_at_what_cancelled_or_corrected_it() -> None:
    computer = loaned_computer()
    computer.correct_details(recording(), version=3, reason="typo", changes={"tool": "shred"})
    computer.cancel_step(recording(), version=5, reason="wrong computer")

    derived = rows(activity.TABLE, activity.derive(timeline_of(computer)))

    assert [(r["version"], r["stage"], r["refers_to"], r["cancelled_by"], r["corrected_by"])
            for r in derived] == [
        (1, "donated", None, None, None),
        (2, "triaged", None, None, None),
        (3, "data_wiped", None, None, 6),
        (4, "reconditioned", None, None, None),
        (5, "loaned", None, 7, None),
        (6, "corrected", 3, None, None),
        (7, "cancelled", 5, None, None),
    ]  # fmt: skip
    assert {(r["tag"], r["actor"]) for r in derived} == {(build.TAG, "agent-07")}
