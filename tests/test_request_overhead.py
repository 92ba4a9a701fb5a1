"""The per-request cuts of issue 15 (app/flask_app.py and the hooks) keep what they cut
around: every answer still carries what it carried, and every check still runs where it
applies. (No timing here: bench/peers/ measures.)"""

from __future__ import annotations

import base64
import uuid

import pytest
from flask import Response, session

from app import create_app
from app.extensions import limiter
from app.flask_app import Pkyx
from app.request_ids import new_id
from app.security import SECURITY_HEADERS


def test_plain_hooks_are_asked_about_once_and_returned_as_they_are(app):
    def hook():
        return None

    assert app.ensure_sync(hook) is hook
    assert app.ensure_sync(hook) is hook
    assert hook in app._plain


def test_methods_are_remembered_by_their_function_not_their_instance(app):
    class View:
        def get(self):
            return "ok"

    first, second = View(), View()
    app.ensure_sync(first.get)
    size = len(app._plain)
    assert app.ensure_sync(second.get) == second.get  # the method of that instance
    assert len(app._plain) == size  # no instance is kept alive by the cache


def test_a_coroutine_function_is_still_handed_to_flasks_async_support(app):
    async def view():
        return "ok"

    # Flask's own answer without asgiref (its "async" extra): the same error, every time.
    for _ in range(2):
        with pytest.raises(RuntimeError, match="async"):
            app.ensure_sync(view)
    assert view not in app._plain


def test_the_app_is_a_pkyx_app_with_the_lean_sessions(app):
    assert isinstance(app, Pkyx)
    response = app.test_client().get("/healthz")
    assert "Set-Cookie" not in response.headers
    assert response.headers.get("Vary") == "Cookie"  # Flask-Login looks at the session


def test_a_session_cookie_is_still_read_and_written(app):
    @app.get("/count")
    def count():
        session["n"] = session.get("n", 0) + 1
        return str(session["n"])

    client = app.test_client()
    assert client.get("/count").text == "1"
    assert client.get("/count").text == "2"  # the cookie the first answer set was read
    client.delete_cookie("session")
    assert client.get("/count").text == "1"


def test_security_headers_are_added_once_and_a_views_own_are_kept(app):
    @app.get("/framed")
    def framed():
        return Response("ok", headers={"X-Frame-Options": "SAMEORIGIN"})

    response = app.test_client().get("/framed")
    assert response.headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    for name, value in SECURITY_HEADERS.items():
        if name != "X-Frame-Options":
            assert response.headers.getlist(name) == [value]


def test_request_ids_are_version_4_uuids():
    made = {new_id() for _ in range(200)}
    assert len(made) == 200
    for text in made:
        parsed = uuid.UUID(hex=text)
        assert parsed.hex == text and parsed.version == 4
        assert parsed.variant == uuid.RFC_4122


@pytest.fixture
def limited_app(tmp_path):
    app = create_app("testing", {"RATELIMIT_TOKENS": "2/minute", "PKYX_TEST_TMP": str(tmp_path)})
    app.extensions["pkyx.accounts"].register("bob", "bob@example.org",
                                             "correct horse battery staple")
    yield app
    app.extensions["pkyx.store"].close()


def test_a_decorated_limit_still_counts_and_sends_its_headers(limited_app):
    client = limited_app.test_client()
    auth = {"Authorization": "Basic " + base64.b64encode(
        b"bob:correct horse battery staple").decode()}
    first = client.post("/api/v1/tokens", headers=auth)
    assert first.status_code == 201
    assert first.headers["X-RateLimit-Limit"] == "2"
    assert first.headers["X-RateLimit-Remaining"] == "1"
    assert client.post("/api/v1/tokens", headers=auth).status_code == 201
    third = client.post("/api/v1/tokens", headers=auth)
    assert third.status_code == 429
    assert third.headers["X-RateLimit-Remaining"] == "0"
    assert "X-RateLimit-Limit" not in client.get("/api/v1/entries").headers


def test_the_limiters_request_check_runs_once_app_wide_limits_exist(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(limiter, "_check_request_limit", lambda *a, **k: calls.append(a))
    app = create_app("testing", {"PKYX_TEST_TMP": str(tmp_path)})
    try:
        client = app.test_client()
        client.get("/healthz")
        assert calls == []  # no application, default, meta or blueprint limits: skipped
        monkeypatch.setattr(limiter.limit_manager, "_default_limits", [object()])
        client.get("/healthz")
        assert len(calls) == 1
    finally:
        app.extensions["pkyx.store"].close()


def test_csrf_is_still_checked_on_a_form_post(client):
    assert client.post("/login", data={"username": "x", "password": "y"}).status_code == 400


def test_the_language_cookie_is_set_only_when_lang_picks_one(client):
    assert "pkyx_lang=zh_Hans" in client.get("/?lang=zh_Hans").headers.get("Set-Cookie", "")
    for path in ("/", "/?lang=xx", "/healthz?lang=zh_Hans"):  # the probe never asks the locale
        assert "pkyx_lang" not in client.get(path).headers.get("Set-Cookie", ""), path


@pytest.mark.parametrize("headers", [
    {}, {"If-None-Match": '"abc"'}, {"If-None-Match": 'W/"abc"'}, {"If-None-Match": '"other"'},
    {"If-Match": '"abc"'}, {"If-Modified-Since": "Sat, 05 Dec 2026 09:00:00 GMT"},
    {"Range": "bytes=0-1"},
])
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_conditional_answers_as_werkzeugs_make_conditional(app, headers, method):
    """The shortcut for a GET without preconditions gives what make_conditional gives."""
    from flask import request

    from app.api.http import conditional

    with app.test_request_context("/x", method=method, headers=headers):
        ours = conditional(Response(b'{"a":1}', mimetype="application/json"), "abc")
        theirs = Response(b'{"a":1}', mimetype="application/json")
        theirs.set_etag("abc")
        theirs = theirs.make_conditional(request)
    assert ours.status_code == theirs.status_code
    assert sorted(ours.headers.keys()) == sorted(theirs.headers.keys())
    for name in ("ETag", "Content-Length", "Content-Type"):
        assert ours.headers.get(name) == theirs.headers.get(name)
    assert ours.get_data() == theirs.get_data()


def test_an_app_with_the_limiter_turned_off_starts_and_serves(tmp_path):
    """``RATELIMIT_ENABLED = False`` (Flask-Limiter's own switch) leaves no hook to make
    lean: the app starts, and a limited route is not limited."""
    app = create_app("testing", {"RATELIMIT_ENABLED": False, "RATELIMIT_TOKENS": "1/minute",
                                 "PKYX_TEST_TMP": str(tmp_path)})
    try:
        client = app.test_client()
        assert client.get("/healthz").status_code == 200
        assert client.get("/api/v1/entries").status_code == 200
    finally:
        app.extensions["pkyx.store"].close()
