"""An auditor downloads the evidence bundle from the browser and checks it with only Python."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from tests.e2e.test_cli_verify import tamper
from tracker.domain.user import Role
from tracker.integrity import chained

if TYPE_CHECKING:
    from tests.e2e.conftest import StartWeb, Web

BUNDLE = "/audit/preuves.zip"


def check_offline(data: bytes, folder: Path) -> subprocess.CompletedProcess[str]:
    bundle = folder / "preuves.zip"
    bundle.write_bytes(data)
    return subprocess.run(
        [sys.executable, "-I", bundle.name], cwd=folder, capture_output=True, text=True,
        check=False,
    )  # fmt: skip


def test_an_auditor_downloads_the_whole_log_as_a_bundle_that_checks_offline(
    web: Web, tmp_path: Path
) -> None:
    head = chained(web.inventory.recorder).head()
    assert head is not None

    response = web.as_role(Role.AUDITOR).get(BUNDLE)

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert f'filename="preuves-jusqua-{head.position}.zip"' in response.headers[
        "content-disposition"]  # fmt: skip
    checked = check_offline(response.content, tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert head.link.hex() in checked.stdout


def test_a_bundle_up_to_a_reports_head_ends_at_that_link(web: Web, tmp_path: Path) -> None:
    at_two = chained(web.inventory.recorder).head(at_most=2)
    assert at_two is not None

    response = web.as_role(Role.OFFICER).get(BUNDLE, params={"jusqua": "2"})

    assert response.status_code == 200
    checked = check_offline(response.content, tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert at_two.link.hex() in checked.stdout


def test_a_position_that_is_not_a_number_or_beyond_the_log_is_answered_in_words(
    web: Web,
) -> None:
    auditor = web.as_role(Role.AUDITOR)

    not_a_number = auditor.get(BUNDLE, params={"jusqua": "trois"})
    beyond = auditor.get(BUNDLE, params={"jusqua": "99999999"})

    assert not_a_number.status_code == 400
    assert "n&#39;est pas un numéro de maillon" in not_a_number.text
    assert beyond.status_code == 400
    assert "n&#39;existe pas" in beyond.text


def test_workshop_staff_cannot_download_the_log(web: Web) -> None:
    assert web.as_role(Role.WORKSHOP).get(BUNDLE).status_code == 403


def test_a_log_altered_in_the_database_gives_no_bundle_but_says_where(
    start_web: StartWeb,
) -> None:
    with start_web([Role.AUDITOR]) as web:
        tamper({"TRACKER_DATABASE_URL": web.settings.database_url}, 2)

        response = web.as_role(Role.AUDITOR).get(BUNDLE)

    assert response.status_code == 409
    assert "le journal lui-même a été modifié (n° 2)" in response.text
