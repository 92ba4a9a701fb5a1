"""The layers import one way: domain ← repositories ← services ← api/web (STYLE.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "app"


def imported_modules(path: Path) -> set[str]:
    """The absolute names of the ``app`` modules (and third-party packages) a file imports."""
    package = ["app", *path.relative_to(APP).with_suffix("").parts[:-1]]
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *(node.module.split(".") if node.module else [])])
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("layer", ["domain", "repositories", "services"])
def test_lower_layers_never_import_the_api_or_the_pages(layer):
    """Services (and what they stand on) are shared by the API and the pages, so they
    import neither: the query parser the spec table uses lives in app/services/query.py."""
    offenders = {
        str(path.relative_to(APP)): sorted(name for name in imported_modules(path)
                                           if name.startswith(("app.api", "app.web")))
        for path in (APP / layer).rglob("*.py")
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_the_domain_imports_neither_flask_nor_pymongo():
    """The domain is pure Python: no Flask, no pymongo."""
    offenders = {
        str(path.relative_to(APP)): sorted(name for name in imported_modules(path)
                                           if name.split(".")[0] in ("flask", "pymongo",
                                                                     "gridfs", "flask_babel"))
        for path in (APP / "domain").rglob("*.py")
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_the_api_still_exports_the_query_language():
    """``app.api.query`` keeps answering the imports views and clients had."""
    from app.api import query as api_query
    from app.services import query

    for name in api_query.__all__:
        assert getattr(api_query, name) is getattr(query, name)
