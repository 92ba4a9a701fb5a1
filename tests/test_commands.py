"""manage.py: seed, gc-files, routes; the same commands through the real script."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from app.services.maintenance import collect_garbage_files

ROOT = Path(__file__).resolve().parents[1]


def test_seed_loads_the_demo_and_refuses_twice(runner, repos):
    """seed fills an empty store; a second seed needs --replace, which starts again."""
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert "48 entries" in result.output
    assert repos.entries.count() == 48 and repos.users.count() == 4
    history = repos.revisions.recent(100)
    assert len(history) == 48 + 17 and {r["user"] for r in history} >= {"alice", "bob", "chen"}
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 1 and "--replace" in result.output
    alice = repos.users.find("alice")
    result = runner.invoke(args=["seed", "--replace", "--password", "another demo password"])
    assert result.exit_code == 0
    assert repos.users.find("alice")["_id"] != alice["_id"]
    assert repos.entries.count() == 48


def test_seeded_entries_are_rich(seeded_app):
    """Each demo entry has 15+ attributes, including typed numbers with their canonical n."""
    repos = seeded_app.extensions["pkyx.repos"]
    entries = repos.entries.all()
    assert len(entries) >= 36 and len({e["category"] for e in entries}) >= 3
    assert all(len(e["attributes"]) >= 15 for e in entries)
    definitions = {d.key: d for d in repos.definitions.all()}
    numbers = [(e, k, v) for e in entries for k, v in e["attributes"].items()
               if definitions[k].type == "number"]
    assert all(isinstance(v["n"], float) for _, _, v in numbers)
    categories = {c["slug"]: c["entry_count"] for c in repos.categories.all()}
    assert sum(categories.values()) == len(entries)
    assert all(repos.avatars.exists(u["avatar"]) for u in repos.users.page(0, 10))


def test_seed_without_a_password_is_refused(app, runner, monkeypatch):
    """Outside development the demo users need an explicit password."""
    monkeypatch.delenv("PKYX_DEMO_PASSWORD", raising=False)
    app.config["DEMO_PASSWORD"] = None
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 1 and "password" in result.output


def test_gc_files_removes_orphans_only(seeded_app):
    """Files nobody points at, and chunks of a half-written upload, are removed."""
    repos = seeded_app.extensions["pkyx.repos"]
    kept_avatars, kept_images = repos.avatars.ids(), repos.images.ids()
    orphan = repos.avatars.put(b"x" * 10, "orphan.png", "image/png")
    half = repos.images.put(b"y" * 300_000, "half.webp", "image/webp")
    repos.images.col.delete_one({"_id": half})  # a crash after the chunks, before the file
    assert repos.images.orphan_chunk_ids() == {half}
    result = seeded_app.test_cli_runner().invoke(args=["gc-files"])
    assert result.exit_code == 0 and "removed 1 orphan files and 1 chunk sets" in result.output
    assert repos.avatars.ids() == kept_avatars and repos.images.ids() == kept_images
    assert not repos.avatars.exists(orphan)
    assert repos.images.chunks.count_documents({"files_id": half}) == 0
    assert collect_garbage_files(repos) == {"files": 0, "chunks": 0}


def test_failed_upload_leaves_nothing(repos, monkeypatch):
    """An upload that fails half way removes its chunks: no orphan is left behind."""
    import io

    import pytest

    class Exploding(io.BytesIO):
        def read(self, size=-1):
            if self.tell() > 300_000:
                raise OSError("disk on fire")
            return super().read(size)

    monkeypatch.setattr(io, "BytesIO", Exploding)
    with pytest.raises(OSError):
        repos.images.put(b"z" * 1_000_000, "big.webp", "image/webp")
    monkeypatch.undo()
    assert repos.images.ids() == set()
    assert repos.images.chunks.count_documents({}) == 0


def test_manage_py_lists_commands_and_routes(tmp_path):
    """The real script works: --help lists every command, routes lists the pages."""
    env = {**os.environ, "PKYX_ENV": "testing", "PYTHONPATH": str(ROOT)}
    help_text = subprocess.run([sys.executable, "manage.py", "--help"], cwd=ROOT, env=env,
                               capture_output=True, text=True, check=True).stdout
    for command in ("run", "seed", "create-indexes", "create-admin", "export", "import",
                    "routes", "shell", "gc-files"):
        assert command in help_text
    routes = subprocess.run([sys.executable, "manage.py", "routes"], cwd=ROOT, env=env,
                            capture_output=True, text=True, check=True).stdout
    assert "/healthz" in routes and "/media/images/<file_id>" in routes
