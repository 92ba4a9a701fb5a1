"""Anonymous page views carry nothing per visitor, so nginx may cache them for everyone.

No session cookie, no CSRF token in the page (the login modal fetches its token when it
opens), and static URLs carry a hash of their file so a year of caching is safe.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from app.assets import file_version

STATIC = Path(__file__).resolve().parents[2] / "app" / "static"


@pytest.fixture
def pages(phones, wiki, alice):
    entry = wiki.create_entry("alice", title="Cache Phone", category="phones")
    other = wiki.create_entry("alice", title="Other Phone", category="phones")
    return ["/", "/explore", "/recent", "/compare", "/categories/phones", "/search?q=cache",
            f"/entries/{entry['slug']}", f"/entries/{entry['slug']}/history",
            f"/compare/{entry['slug']}-vs-{other['slug']}", "/users/alice", "/no-such-page"]


def test_anonymous_pages_set_no_cookie_and_hold_no_token(client, pages):
    """Every page an anonymous reader sees is the same for every anonymous reader."""
    for path in pages:
        response = client.get(path)
        assert response.status_code in (200, 404), path
        assert "Set-Cookie" not in response.headers, (path, response.headers["Set-Cookie"])
        html = response.get_data(as_text=True)
        assert 'name="csrf-token"' not in html, path
        assert not re.search(r'name="csrf_token" value="[^"]', html), path


def test_the_login_modal_token_comes_from_its_own_url_and_logs_in(client, pages):
    """/login/csrf-token: a fresh token, never cached, good for the modal's login POST."""
    html = client.get("/").get_data(as_text=True)
    assert 'data-csrf-from="/login/csrf-token"' in html
    response = client.get("/login/csrf-token")
    assert response.headers["Cache-Control"] == "no-store"
    assert "session=" in response.headers["Set-Cookie"]
    token = response.get_json()["csrf_token"]
    login = client.post("/login?next=/explore", data={
        "login": "alice", "password": "correct horse battery", "csrf_token": token})
    assert login.status_code == 302 and login.headers["Location"].endswith("/explore")
    page = client.get("/explore").get_data(as_text=True)
    assert 'name="csrf-token"' in page  # logged in: the page's fetch() writes need it


def test_the_login_modal_without_its_token_is_refused(client, pages):
    """The modal's empty token field is no way around CSRF protection."""
    response = client.post("/login", data={"login": "alice", "password":
                                           "correct horse battery", "csrf_token": ""})
    assert response.status_code == 400


def test_static_urls_carry_the_hash_of_their_file(client):
    """?v= is the first 8 hex digits of the file's SHA-256; unknown files get none."""
    html = client.get("/").get_data(as_text=True)
    urls = re.findall(r'(?:href|src)="/static/([^"?]+)\?v=([0-9a-f]{8})"', html)
    assert len(urls) >= 5
    for name, version in urls:
        assert hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:8] == version, name


def test_a_changed_file_gets_a_new_version(tmp_path):
    """The version follows the content (keyed by mtime, so an edit is seen at once)."""
    path = tmp_path / "site.css"
    path.write_text("body { color: red }")
    first = file_version(str(path), path.stat().st_mtime_ns)
    path.write_text("body { color: blue }")
    second = file_version(str(path), path.stat().st_mtime_ns + 1)
    assert first != second and len(first) == len(second) == 8
    assert file_version(str(tmp_path / "missing.css"), 0) is None
