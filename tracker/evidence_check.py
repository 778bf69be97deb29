"""Check an evidence bundle offline: `python3 BUNDLE.zip` (or `python3 -m tracker.evidence_check`).

This file travels inside every bundle as its `__main__.py`, so it uses the standard library
only and repeats the chain's definition (tracker.integrity) rather than importing it. It checks:
the whole file against the fingerprint kept in its last 64 bytes (any changed byte is found),
each part against the manifest, and every event against its link, up to the head the report
printed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
import zipfile
from pathlib import Path
from uuid import UUID

FORMAT = "tracker-evidence/1"
FINGERPRINT = 64  # hex digits of SHA-256, kept as the zip comment at the very end


class BundleError(Exception):
    """The bundle is not what was exported; the message says where, in plain French."""


def event_digest(position: int, stream: UUID, version: int, topic: str, state: bytes) -> bytes:
    """Same definition as tracker.integrity.event_digest."""
    digest = hashlib.sha256(position.to_bytes(8, "big"))
    digest.update(stream.bytes)
    digest.update(version.to_bytes(8, "big"))
    for part in (topic.encode(), state):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.digest()


def fingerprint(body: bytes) -> bytes:
    """The hex SHA-256 of everything before the fingerprint itself."""
    return hashlib.sha256(body).hexdigest().encode()


def check(path: Path) -> dict[str, object]:
    """Check one bundle; returns its manifest, raises BundleError at the first problem."""
    raw = path.read_bytes()
    if len(raw) <= FINGERPRINT or fingerprint(raw[:-FINGERPRINT]) != raw[-FINGERPRINT:]:
        raise BundleError("le fichier a été modifié depuis son export (empreinte globale fausse)")
    try:
        with zipfile.ZipFile(path) as bundle:
            parts = {name: bundle.read(name) for name in bundle.namelist()}
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise BundleError(f"le fichier n'est plus une archive lisible ({error})") from error
    manifest = json.loads(parts.get("manifest.json", b"{}"))
    if manifest.get("format") != FORMAT:
        raise BundleError("ce n'est pas un paquet de preuves du suivi des ordinateurs")
    for name, expected in manifest["files"].items():
        if hashlib.sha256(parts.get(name, b"")).hexdigest() != expected:
            raise BundleError(f"la partie {name} ne correspond pas au manifeste")
    checked, head = _walk(parts["events.jsonl"], parts["chain.jsonl"])
    if head != manifest["head"]:
        raise BundleError("la tête de la chaîne ne correspond pas au manifeste")
    if checked != manifest["events"]:
        raise BundleError("le nombre d'événements ne correspond pas au manifeste")
    return dict(manifest)


def _walk(events: bytes, chain: bytes) -> tuple[int, dict[str, object]]:
    """Recompute every digest and link; the count and the head reached."""
    previous, link, checked = 0, bytes(32), 0
    links = chain.splitlines()
    lines = events.splitlines()
    if len(links) != len(lines):
        raise BundleError("il n'y a pas autant de maillons que d'événements")
    for line, link_line in zip(lines, links, strict=True):
        event, ring = json.loads(line), json.loads(link_line)
        position = event["position"]
        if ring["position"] != position or ring["previous"] != previous:
            raise BundleError(f"n° {position} : l'ordre des événements a changé")
        state = (
            base64.b64decode(event["state_b64"])
            if "state_b64" in event
            else event["state"].encode()
        )
        digest = event_digest(
            position, UUID(event["stream"]), event["version"], event["topic"], state
        )
        if digest.hex() != ring["digest"]:
            raise BundleError(f"n° {position} : l'événement a été modifié")
        link = hashlib.sha256(link + digest).digest()
        if link.hex() != ring["link"]:
            raise BundleError(f"n° {position} : le maillon a été modifié")
        previous, checked = position, checked + 1
    return checked, {"position": previous, "link": link.hex()}


def main(argv: list[str]) -> int:
    path = Path(argv[1] if len(argv) > 1 else argv[0])
    try:
        manifest = check(path)
    except (BundleError, KeyError, json.JSONDecodeError, UnicodeDecodeError) as error:
        print(f"PREUVES NON VALABLES : {error}.")  # noqa: T201 (a command-line report)
        return 1
    head = manifest["head"]
    assert isinstance(head, dict)  # noqa: S101 (checked against the walk above)
    print(  # noqa: T201 (a command-line report)
        f"Preuves intactes : {manifest['events']} événements, chacun relié au précédent.\n"
        f"Tête de la chaîne : n° {head['position']}, empreinte {head['link']}.\n"
        "Comparez cette tête avec celle imprimée sur le rapport ; `tracker verify --tete "
        f"{head['position']}:{head['link']}` la compare avec le journal."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
