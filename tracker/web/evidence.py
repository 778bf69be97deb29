"""The evidence bundle from the browser: an auditor downloads the log up to a report's head.

The same zip as `tracker export-evidence` (events, chain, manifest, the stdlib-only checker),
so whoever holds only a browser account can check a report's log offline with
`python3 preuves.zip`. Nothing is written to the store; the file is deleted once sent.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import structlog
from litestar import Controller, Request, Response, get
from litestar.background_tasks import BackgroundTask
from litestar.params import FromQuery
from litestar.response import File

from tracker.evidence import LogBrokenError, export
from tracker.integrity import chained
from tracker.web.access import READERS, allow
from tracker.web.errors import error_response
from tracker.web.pages import N_, t
from tracker.web.sign_in import services_of

log = structlog.get_logger(__name__)

NOT_A_POSITION = N_("« %(value)s » n'est pas un numéro de maillon. Exemple : 3320.")
BEYOND_HEAD = N_("Le journal s'arrête au maillon n° %(head)s : le n° %(value)s n'existe pas.")
BROKEN = N_("Pas de paquet de preuves : le journal lui-même a été modifié (%(position)s). "
            "Prévenez l'administrateur ; rien n'a été changé par cette demande.")  # fmt: skip
ZIP = "application/zip"


class EvidenceController(Controller):
    """Download the evidence bundle of the log, whole or up to a position."""

    path = "/audit/preuves.zip"

    @get("/", opt=allow(READERS), sync_to_thread=True)
    def download_evidence(
        self, request: Request[Any, Any, Any], jusqua: FromQuery[str] = ""
    ) -> Response[Any]:
        """The bundle as a file; a bad position or a broken log gets a page saying so."""
        recorder = chained(services_of(request).inventory.recorder)
        head = recorder.head()
        head_position = head.position if head else 0
        until: int | None = None
        if jusqua.strip():
            if not jusqua.strip().isdigit():
                return error_response(request, 400, t(request, NOT_A_POSITION, value=jusqua))
            until = int(jusqua)
            if until > head_position:
                message = t(request, BEYOND_HEAD, head=head_position, value=until)
                return error_response(request, 400, message)
        folder = Path(tempfile.mkdtemp(prefix="tracker-evidence-"))
        out = folder / "preuves.zip"
        try:
            made = export(recorder, out, generated_at=services_of(request).inventory.clock(),
                          until=until)  # fmt: skip
        except LogBrokenError as error:
            _remove(folder)
            first = error.verdict.broken
            where = f"n° {first.position}" if first else "?"
            log.warning("evidence_refused_log_broken", position=where)
            return error_response(request, 409, t(request, BROKEN, position=where))
        log.info("evidence_downloaded", events=made.events, head=made.head_position)
        return File(
            path=out,
            filename=f"preuves-jusqua-{made.head_position}.zip",
            media_type=ZIP,
            background=BackgroundTask(_remove, folder),
        )


def _remove(folder: Path) -> None:
    for item in folder.iterdir():
        item.unlink()
    folder.rmdir()
