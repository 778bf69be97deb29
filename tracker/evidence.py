"""Export the log and its chain as an evidence bundle an auditor can check offline.

The bundle is one zip file: every stored event up to a head (exact bytes), its link, a
manifest, and the checker itself as `__main__.py`, so `python3 BUNDLE.zip` checks it with
nothing else installed. The zip is stored uncompressed and ends with the SHA-256 of all its
other bytes, so a single changed byte anywhere is found.
"""

from __future__ import annotations

import base64
import hashlib
import json
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

from eventsourcing.persistence import Notification

from tracker import evidence_check
from tracker.integrity import ChainedRecorder, Link
from tracker.verification import Verdict, digest_of, verify

README = """Paquet de preuves du suivi des ordinateurs
==========================================

Ce fichier contient les événements du journal (tels qu'enregistrés, octet pour octet), la
chaîne d'empreintes SHA-256 qui les relie dans l'ordre, et un manifeste.

Pour le vérifier, sans rien installer d'autre que Python 3.10 ou plus récent :

    python3 {name}

La commande recalcule chaque empreinte et chaque maillon. « Preuves intactes » : rien n'a été
modifié, supprimé, ajouté ni déplacé depuis l'enregistrement des événements. Comparez ensuite
la tête affichée (n° et empreinte) avec celle imprimée sur le rapport du financeur.

events.jsonl : un événement par ligne (position, flux, version, type, contenu).
chain.jsonl  : le maillon de chaque événement (empreinte de l'événement, maillon précédent).
manifest.json : le nombre d'événements, la tête, l'empreinte de chaque partie.
"""


class LogBrokenError(Exception):
    """Raised when the live log does not verify: a bundle of a broken log proves nothing."""

    def __init__(self, verdict: Verdict) -> None:
        super().__init__(verdict)
        self.verdict = verdict


@dataclass(frozen=True)
class Bundle:
    """What was exported."""

    path: Path
    events: int
    head_position: int
    head_link: str


def export(
    recorder: ChainedRecorder, path: Path, *, generated_at: datetime, until: int | None = None
) -> Bundle:
    """Write the bundle of every event up to `until` (the head by default) to `path`."""
    verdict = verify(recorder)
    if verdict.broken is not None:
        raise LogBrokenError(verdict)
    hashes: dict[str, str] = {}
    count, head = 0, {"position": 0, "link": bytes(32).hex()}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as bundle:
        with _part(bundle, "events.jsonl", hashes) as events:
            for event, link in _paired(recorder, until):
                events.write(_line(_event(event)))
                count, head = count + 1, {"position": link.position, "link": link.link.hex()}
        with _part(bundle, "chain.jsonl", hashes) as chain:  # a zip writes one part at a time
            for k in _links(recorder, int(str(head["position"]))):
                chain.write(_line({"position": k.position, "previous": k.previous,
                                   "digest": k.digest.hex(), "link": k.link.hex()}))  # fmt: skip
        checker = Path(evidence_check.__file__).read_bytes()
        _write(bundle, "__main__.py", checker, hashes)
        _write(bundle, "LISEZMOI.txt", README.format(name=path.name).encode(), hashes)
        manifest = {"format": evidence_check.FORMAT, "generated_at": generated_at.isoformat(),
                    "events": count, "head": head, "files": hashes}  # fmt: skip
        _write(bundle, "manifest.json", json.dumps(manifest, indent=2).encode(), {})
        bundle.comment = b"0" * evidence_check.FINGERPRINT
    _seal(path)
    return Bundle(path, count, int(str(head["position"])), str(head["link"]))


def _paired(recorder: ChainedRecorder, until: int | None) -> Iterator[tuple[Notification, Link]]:
    """Each event with its link, in log order, up to `until`."""
    after = 0
    while True:
        events = [
            e
            for e in recorder.select_notifications(after, 5000, inclusive_of_start=False)
            if until is None or e.id <= until
        ]
        if not events:
            return
        links = {k.position: k for k in recorder.select_links(after, len(events))}
        for event in events:
            link = links.get(event.id)
            if link is None or link.digest != digest_of(event):
                raise LogBrokenError(verify(recorder))  # changed since the check in export()
            yield event, link
        after = events[-1].id


def _links(recorder: ChainedRecorder, until: int) -> Iterator[Link]:
    after = 0
    while found := [k for k in recorder.select_links(after, 5000) if k.position <= until]:
        yield from found
        after = found[-1].position


def _event(event: Notification) -> dict[str, object]:
    line: dict[str, object] = {"position": event.id, "stream": str(event.originator_id),
                               "version": event.originator_version,
                               "topic": event.topic}  # fmt: skip
    try:
        line["state"] = event.state.decode()  # JSON: readable as it is
    except UnicodeDecodeError:
        line["state_b64"] = base64.b64encode(event.state).decode()
    return line


def _line(value: dict[str, object]) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


class _HashedPart:
    def __init__(self, target: IO[bytes]) -> None:
        self.target = target
        self.sha256 = hashlib.sha256()

    def write(self, data: bytes) -> None:
        self.target.write(data)
        self.sha256.update(data)


@contextmanager
def _part(bundle: zipfile.ZipFile, name: str, hashes: dict[str, str]) -> Iterator[_HashedPart]:
    with bundle.open(_info(name), "w", force_zip64=True) as target:
        part = _HashedPart(target)
        yield part
    hashes[name] = part.sha256.hexdigest()


def _write(bundle: zipfile.ZipFile, name: str, data: bytes, hashes: dict[str, str]) -> None:
    bundle.writestr(_info(name), data)
    hashes[name] = hashlib.sha256(data).hexdigest()


def _info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    return info


def _seal(path: Path) -> None:
    """Replace the placeholder comment with the SHA-256 of every byte before it."""
    size = path.stat().st_size - evidence_check.FINGERPRINT
    digest = hashlib.sha256()
    with path.open("r+b") as file:
        while chunk := file.read(min(1 << 20, size - file.tell())):
            digest.update(chunk)
        file.seek(size)
        file.write(digest.hexdigest().encode())
