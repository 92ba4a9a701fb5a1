"""The layers import one way: domain ← repositories ← services ← api | web (README.md,
Layout), held by import-linter's contracts in pyproject.toml."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def lint_imports(tmp_path: Path, contracts: str | None = None) -> subprocess.CompletedProcess:
    """Run import-linter on ``app`` with pyproject.toml's contracts (or ``contracts``)."""
    config = ROOT / "pyproject.toml"
    if contracts is not None:
        config = tmp_path / "importlinter.ini"
        config.write_text(contracts)
    return subprocess.run([str(Path(sys.executable).with_name("lint-imports")), "--config",
                           str(config), "--no-cache"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def test_the_layers_hold(tmp_path):
    """pyproject.toml's contracts: web | api → services → repositories → domain, and a
    domain without Flask or the MongoDB driver (``make test`` runs them too)."""
    done = lint_imports(tmp_path)
    assert done.returncode == 0, done.stdout
    assert "Contracts: 2 kept, 0 broken." in done.stdout


def test_the_linter_sees_an_import_against_the_flow(tmp_path):
    """The same check with the layers turned over fails: the contracts read real imports."""
    done = lint_imports(tmp_path, """[importlinter]
root_package = app

[importlinter:contract:upside-down]
name = Upside down
type = layers
layers =
    app.domain
    app.services
""")
    assert done.returncode == 1
    assert "app.services is not allowed to import app.domain" in done.stdout


def test_the_api_still_exports_the_query_language():
    """``app.api.query`` keeps answering the imports views and clients had."""
    from app.api import query as api_query
    from app.services import query

    for name in api_query.__all__:
        assert getattr(api_query, name) is getattr(query, name)
