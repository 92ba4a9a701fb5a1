"""The layers import one way: domain ← repositories ← services ← api | web (README.md,
Layout), and pages and the API never import a repository: they read through
``app.services.reads`` and write through the other services. import-linter's contracts
in pyproject.toml hold both."""

from __future__ import annotations

import subprocess
import sys
import tomllib
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
    """pyproject.toml's contracts: web | api → services → repositories → domain, a
    domain without Flask or the MongoDB driver, and no repository imported by a page or
    the API (``make test`` runs them too)."""
    done = lint_imports(tmp_path)
    assert done.returncode == 0, done.stdout
    assert "Contracts: 3 kept, 0 broken." in done.stdout
    assert "Pages and API read and write through the services, never a repository KEPT" \
        in done.stdout


def test_views_may_not_import_a_repository():
    """The contract names both view packages and the whole repositories package; only
    imports through a service (which may use the repositories) are allowed."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    [contract] = [c for c in config["contracts"]
                  if c["type"] == "forbidden" and "app.repositories" in c["forbidden_modules"]]
    assert sorted(contract["source_modules"]) == ["app.api", "app.web"]
    assert contract["forbidden_modules"] == ["app.repositories"]
    assert contract.get("allow_indirect_imports") is True


def test_the_linter_sees_a_direct_import_of_a_repository(tmp_path):
    """The same kind of contract fails on a module that imports a repository itself
    (the read service does, by design): the forbidden contract reads real imports."""
    done = lint_imports(tmp_path, """[importlinter]
root_package = app

[importlinter:contract:reads-direct]
name = Reads direct
type = forbidden
source_modules =
    app.services.reads
forbidden_modules =
    app.repositories
allow_indirect_imports = True
""")
    assert done.returncode == 1
    assert "app.services.reads -> app.repositories" in done.stdout


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


def test_views_read_through_named_methods():
    """``Reads`` lists what pages and the API may read, one documented method each: no
    generic pass-through to the repositories, and no method that writes."""
    import inspect

    from app.services.reads import Reads

    assert "__getattr__" not in vars(Reads) and "__getattribute__" not in vars(Reads)
    methods = {name: member for name, member in vars(Reads).items()
               if inspect.isfunction(member) and not name.startswith("_")}
    assert {"entry", "entry_listing", "search_entries", "definitions_many",
            "definitions_snapshot", "revision_page", "user", "find_user", "image", "avatar",
            "categories"} <= set(methods)
    for name, method in methods.items():
        assert inspect.getdoc(method), name
    writes = ("insert", "update", "delete", "remove", "save", "set_", "create", "replace")
    assert not [name for name in methods if name.startswith(writes)]
