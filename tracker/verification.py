"""Recompute the integrity chain from the stored events and name the first place it breaks."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from eventsourcing.persistence import Notification

from tracker.integrity import GENESIS, ChainedRecorder, Link, event_digest, next_link


class Breach(StrEnum):
    """How the stored log departs from its chain."""

    ALTERED = "altered"  # the event's bytes or its position changed after it was written
    DELETED = "deleted"  # the event is gone, its link remains
    REMOVED = "removed"  # the event and its link are both gone (the next link points at it)
    INSERTED = "inserted"  # an event no application wrote: it has no link
    LINK_ALTERED = "link_altered"  # the chain itself was edited


@dataclass(frozen=True)
class Break:
    """The first position where the log and its chain disagree."""

    position: int
    breach: Breach


@dataclass(frozen=True)
class Verdict:
    """What a verification found: how many events agree with their links, up to which head."""

    checked: int
    head: Link | None
    broken: Break | None = None

    @property
    def intact(self) -> bool:
        return self.broken is None


def verify(recorder: ChainedRecorder, batch: int = 10_000) -> Verdict:
    """Walk the log and the chain side by side, in position order; stop at the first break."""
    events = _events(recorder, batch)
    links = _links(recorder, batch)
    event, link = next(events, None), next(links, None)
    previous, chained, head, checked = 0, GENESIS, None, 0
    while event is not None or link is not None:
        if event is not None and (link is None or event.id < link.position):
            return Verdict(checked, head, Break(event.id, Breach.INSERTED))
        if link is None:
            break  # unreachable: both streams are done
        if event is None or link.position < event.id:
            return Verdict(checked, head, Break(link.position, Breach.DELETED))
        if link.previous != previous:
            return Verdict(checked, head, Break(link.previous, Breach.REMOVED))
        if digest_of(event) != link.digest:
            return Verdict(checked, head, Break(event.id, Breach.ALTERED))
        if next_link(chained, link.digest) != link.link:
            return Verdict(checked, head, Break(event.id, Breach.LINK_ALTERED))
        previous, chained, head, checked = link.position, link.link, link, checked + 1
        event, link = next(events, None), next(links, None)
    return Verdict(checked, head)


def digest_of(event: Notification) -> bytes:
    """The digest of a stored event as read back from the log."""
    stream = event.originator_id
    return event_digest(
        event.id,
        stream if isinstance(stream, UUID) else UUID(stream),
        event.originator_version,
        event.topic,
        # Plain SQL can leave text where bytes were (SQLite's replace() does): compare the bytes.
        event.state if isinstance(event.state, bytes) else str(event.state).encode(),
    )


def _events(recorder: ChainedRecorder, batch: int) -> Iterator[Notification]:
    after = 0
    while found := recorder.select_notifications(after, batch, inclusive_of_start=False):
        yield from found
        after = found[-1].id


def _links(recorder: ChainedRecorder, batch: int) -> Iterator[Link]:
    after = 0
    while found := recorder.select_links(after, batch):
        yield from found
        after = found[-1].position
