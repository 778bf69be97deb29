"""Asset tags, the ids they give, the tag sequence and the donation batch."""

from __future__ import annotations

from uuid import UUID

import pytest
from domain_builders import SITE, TODAY, donate, recording

from tracker.domain import asset_tag
from tracker.domain.donation_batch import DonationBatch
from tracker.domain.exceptions import InvalidTagError, InvalidValueError
from tracker.domain.tag_sequence import TagSequence

COMMAND_ID = UUID("11111111-2222-4333-8444-555555555555")

# -- asset tags and computer ids ------------------------------------------------------------


def test_a_tag_gives_the_same_computer_id_forever() -> None:
    # Pinned: a different id would orphan every computer already stored under this tag.
    assert asset_tag.computer_id("CD35-2026-00042") == UUID("2945507d-9c07-5dc1-a68d-c5105224ec57")


def test_a_tag_is_read_without_regard_to_case_or_surrounding_blanks() -> None:
    assert asset_tag.computer_id(" cd35-2026-00042\n") == asset_tag.computer_id("CD35-2026-00042")
    assert asset_tag.normalize(" cd35-2026-00042 ") == "CD35-2026-00042"


def test_different_tags_give_different_computer_ids() -> None:
    assert asset_tag.computer_id("CD35-2026-00042") != asset_tag.computer_id("CD35-2026-00043")


def test_a_donated_computer_takes_its_id_and_normalized_tag_from_its_tag() -> None:
    computer = donate(tag=" cd35-2026-00007 ")

    assert computer.id == asset_tag.computer_id("CD35-2026-00007")
    assert computer.tag == "CD35-2026-00007"


def test_a_generated_tag_names_the_programme_the_year_and_a_five_digit_number() -> None:
    assert asset_tag.generated("CD35", 2026, 42) == "CD35-2026-00042"


@pytest.mark.parametrize(("raw", "code"), [("cd35", "CD35"), (" HUB974 ", "HUB974")])
def test_a_programme_code_is_read_in_capitals(raw: str, code: str) -> None:
    assert asset_tag.programme_code(raw) == code


@pytest.mark.parametrize("raw", ["", "C", "CD-35", "TOOLONGCODE", "CD 35"])
def test_a_malformed_programme_code_is_refused(raw: str) -> None:
    with pytest.raises(InvalidValueError):
        asset_tag.programme_code(raw)


@pytest.mark.parametrize(("raw", "tag"), [("ab-12345", "AB-12345"), (" DELL-0042 ", "DELL-0042")])
def test_a_pre_printed_tag_is_accepted_in_capitals(raw: str, tag: str) -> None:
    assert asset_tag.pre_printed(raw) == tag


@pytest.mark.parametrize("raw", ["", "AB", "-ABC123", "AB 123", "AB_123", "É-12345", "A" * 33])
def test_a_malformed_pre_printed_tag_is_refused(raw: str) -> None:
    with pytest.raises(InvalidTagError) as refusal:
        asset_tag.pre_printed(raw)

    assert refusal.value.code == "invalid_tag"
    assert refusal.value.reason == "malformed"


@pytest.mark.parametrize("raw", ["CD35-2026-00042", "cd35-2026-00042", " HUB974-2025-12345 "])
def test_a_pre_printed_tag_cannot_imitate_the_generated_tags(raw: str) -> None:
    with pytest.raises(InvalidTagError) as refusal:
        asset_tag.pre_printed(raw)

    assert refusal.value.reason == "reserved_format"


# -- tag sequence ---------------------------------------------------------------------------


def test_a_tag_sequence_hands_out_consecutive_numbers_from_one() -> None:
    sequence = TagSequence.start("CD35", 2026)

    assert sequence.take(3) == [1, 2, 3]
    assert sequence.take(2) == [4, 5]
    assert sequence.last_number == 5


def test_a_tag_sequence_rebuilt_from_its_events_continues_where_it_stopped() -> None:
    sequence = TagSequence.start("CD35", 2026)
    sequence.take(3)
    events = sequence.collect_events()
    rebuilt = events[0].mutate(None)
    for event in events[1:]:
        rebuilt = event.mutate(rebuilt)

    assert rebuilt.take(1) == [4]


def test_there_is_one_tag_sequence_per_programme_and_year() -> None:
    assert TagSequence.start("CD35", 2026).id == TagSequence.id_for("CD35", 2026)
    assert TagSequence.id_for("CD35", 2026) == TagSequence.id_for("CD35", 2026)
    assert TagSequence.id_for("CD35", 2026) != TagSequence.id_for("CD35", 2027)
    assert TagSequence.id_for("CD35", 2026) != TagSequence.id_for("CD56", 2026)


# -- donation batch -------------------------------------------------------------------------


def test_a_donation_batch_id_derives_from_the_intake_command_id() -> None:
    batch = DonationBatch.register(
        recording(command_id=COMMAND_ID), programme="CD35", donor="Mairie de Rennes"
    )

    assert batch.id == DonationBatch.id_for(COMMAND_ID)
    assert DonationBatch.id_for(COMMAND_ID) != DonationBatch.id_for(UUID(int=1))


def test_a_donation_batch_records_its_donor_site_date_and_the_tags_added_to_it() -> None:
    batch = DonationBatch.register(recording(), programme="CD35", donor="  Mairie de Rennes ")

    batch.add_units(recording(), ["CD35-2026-00001", "CD35-2026-00002"])
    batch.add_units(recording(), ["CD35-2026-00003"])

    assert (batch.donor, batch.site, batch.received_on) == (
        "Mairie de Rennes",
        SITE,
        TODAY,
    )
    assert batch.tags == ["CD35-2026-00001", "CD35-2026-00002", "CD35-2026-00003"]
    assert [type(event).__name__ for event in batch.collect_events()] == [
        "Registered",
        "UnitsAdded",
        "UnitsAdded",
    ]


def test_a_donation_batch_needs_a_donor() -> None:
    with pytest.raises(InvalidValueError):
        DonationBatch.register(recording(), programme="CD35", donor=" ")
