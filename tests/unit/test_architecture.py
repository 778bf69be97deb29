"""Dependencies point inward (GUIDE.md), and the check that enforces it does catch a breach."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(project: Path) -> subprocess.CompletedProcess[str]:
    """Run import-linter on a project folder, importing its packages from that folder first."""
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=project,
        env={**os.environ, "PYTHONPATH": str(project)},
        capture_output=True,
        text=True,
        check=False,
    )


def domain_contract_name() -> str:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    [name] = [c["name"] for c in contracts if c.get("source_modules") == ["tracker.domain"]]
    return str(name)


def test_the_import_contracts_are_kept() -> None:
    result = lint_imports(ROOT)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_import_contracts_catch_the_domain_importing_the_application(tmp_path: Path) -> None:
    for package in ("tracker", "projections"):
        shutil.copytree(
            ROOT / package,
            tmp_path / package,
            ignore=shutil.ignore_patterns("__pycache__", "node_modules"),
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    lifecycle = tmp_path / "tracker" / "domain" / "lifecycle.py"
    lifecycle.write_text(
        lifecycle.read_text(encoding="utf-8") + "import tracker.application  # noqa\n",
        encoding="utf-8",
    )

    result = lint_imports(tmp_path)

    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{domain_contract_name()} BROKEN" in result.stdout
    assert "tracker.domain.lifecycle -> tracker.application" in result.stdout


def imported_modules(source: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_the_domain_takes_only_eventsourcing_domain_from_eventsourcing_and_never_logs() -> None:
    # import-linter forbids external packages only as a whole, not eventsourcing's subpackages.
    imports = {
        (module.name, name)
        for module in sorted((ROOT / "tracker" / "domain").glob("*.py"))
        for name in imported_modules(module)
    }
    from_eventsourcing = {
        (file, name) for file, name in imports if name.startswith("eventsourcing")
    }
    logging = {
        (file, name) for file, name in imports if name.partition(".")[0] in {"logging", "structlog"}
    }

    assert ("computer.py", "eventsourcing.domain") in from_eventsourcing
    assert {name for _, name in from_eventsourcing} == {"eventsourcing.domain"}
    assert logging == set()
