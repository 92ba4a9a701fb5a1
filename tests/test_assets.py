"""Static URLs carry the file's hash: looked up per URL in development, once in production."""

from __future__ import annotations

import hashlib
import os

import pytest
from flask import url_for

from app import create_app


def version_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:8]


@pytest.fixture
def static(tmp_path):
    folder = tmp_path / "static"
    folder.mkdir()
    (folder / "site.css").write_bytes(b"body { color: red }")
    return folder


def url_of(app, static) -> str:
    app.static_folder = str(static)
    with app.test_request_context():
        return url_for("static", filename="site.css")


def edit(static) -> None:
    path = static / "site.css"
    path.write_bytes(b"body { color: blue }")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # a later mtime, surely


def test_development_sees_an_edited_file_at_the_next_url(app, static):
    assert url_of(app, static).endswith("?v=" + version_of(b"body { color: red }"))
    edit(static)
    assert url_of(app, static).endswith("?v=" + version_of(b"body { color: blue }"))


def test_production_finds_each_version_once(tmp_path, static, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "p" * 48)
    monkeypatch.setenv("PKYX_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("PKYX_PUBLIC_URL", "https://pkyx.example")
    monkeypatch.delenv("MONGO_URI", raising=False)
    monkeypatch.delenv("PKYX_SEED_DEMO", raising=False)
    app = create_app("production")
    try:
        first = url_of(app, static)
        assert first.endswith("?v=" + version_of(b"body { color: red }"))
        edit(static)  # a deployment restarts the workers; until then the URL stays
        assert url_of(app, static) == first
        app.static_folder = str(static)
        with app.test_request_context():
            assert "v=" not in url_for("static", filename="missing.css")
    finally:
        app.extensions["pkyx.store"].close()
