"""Browser sessions against OWASP ASVS 5.0 (V7): fixation, cookie flags, lifetime, replay.

A session id is ``"<user id>:<auth stamp>:<login time>"`` (:mod:`app.web.session`);
these tests copy cookies the way a thief would and check when they stop working.
"""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie

import pytest

import app.web.session as web_session
from app import create_app

API = "/api/v1"
PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a completely new passphrase"
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
THIRTY_DAYS = 30 * 24 * 3600


def csrf_token(client, path: str = "/login") -> str:
    """The CSRF token of the first form on ``path``."""
    return TOKEN.search(client.get(path).get_data(as_text=True)).group(1)


def login(client, remember: bool = False, password: str = PASSWORD):
    """Log in as carol through the login form."""
    data = {"login": "carol", "password": password, "csrf_token": csrf_token(client)}
    if remember:
        data["remember"] = "y"
    return client.post("/login", data=data)


def logged_in(client) -> bool:
    """Whether the client's cookies load a user: /settings answers, not a redirect."""
    response = client.get("/settings")
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/login")
        return False
    assert response.status_code == 200
    return True


def set_cookies(response) -> dict[str, SimpleCookie]:
    """The cookies a response sets, by name, with their attributes."""
    found = {}
    for header in response.headers.getlist("Set-Cookie"):
        cookie = SimpleCookie()
        cookie.load(header)
        for name, morsel in cookie.items():
            found[name] = (morsel, header)
    return found


def copy_of(app, **cookies: str):
    """A fresh client holding only the given cookies (a thief's browser)."""
    thief = app.test_client()
    for name, value in cookies.items():
        thief.set_cookie(name, value)
    return thief


@pytest.fixture
def carol(accounts):
    """A registered user."""
    return accounts.register("carol", "carol@example.org", PASSWORD)


# -- fixation ------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["login", "register"])
def test_logging_in_starts_a_new_session(app, client, accounts, how):
    """The session cookie before logging in is not the one after; nothing planted in the
    pre-login session survives, and the pre-login cookie logs nobody in."""
    if how == "login":
        accounts.register("carol", "carol@example.org", PASSWORD)
        path = "/login"
    else:
        path = "/register"
    token = csrf_token(client, path)
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker"
    before = client.get_cookie("session").value
    with client.session_transaction() as sess:
        assert sess["csrf_token"] and sess["planted"]
        old_csrf = sess["csrf_token"]
    if how == "login":
        response = client.post("/login", data={"login": "carol", "password": PASSWORD,
                                               "csrf_token": token})
    else:
        response = client.post("/register", data={"username": "carol",
                                                  "email": "carol@example.org",
                                                  "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    after = client.get_cookie("session").value
    assert after != before
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess.get("csrf_token") != old_csrf
        assert sess["_user_id"].startswith(str(accounts.repos.users.find("carol")["_id"]))
    assert logged_in(client)
    assert not logged_in(copy_of(app, session=before))


# -- cookie flags --------------------------------------------------------------------------


def _check_flags(response, secure: bool) -> dict:
    """Session and remember cookies: HttpOnly, SameSite=Lax, Secure as asked."""
    cookies = set_cookies(response)
    assert {"session", "remember_token"} <= set(cookies), list(cookies)
    for name in ("session", "remember_token"):
        morsel, header = cookies[name]
        assert morsel["httponly"], header
        assert morsel["samesite"] == "Lax", header
        assert bool(morsel["secure"]) is secure, header
    return cookies


def test_cookies_are_httponly_and_samesite_lax(client, carol):
    """In development and tests (plain http): HttpOnly, SameSite=Lax, not Secure."""
    _check_flags(login(client, remember=True), secure=False)


def test_remember_cookie_lasts_at_most_30_days(client, carol):
    """The remember cookie expires within 30 days; the session cookie with the browser."""
    response = login(client, remember=True)
    cookies = set_cookies(response)
    expires = datetime.strptime(cookies["remember_token"][0]["expires"],
                                "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=UTC)
    lifetime = (expires - datetime.now(UTC)).total_seconds()
    assert THIRTY_DAYS - 120 < lifetime <= THIRTY_DAYS
    max_age = cookies["remember_token"][0]["max-age"]
    assert not max_age or int(max_age) <= THIRTY_DAYS
    session = cookies["session"][0]
    assert not session["expires"] and not session["max-age"]


def test_without_remember_me_there_is_no_remember_cookie(client, carol):
    """Unticked "keep me logged in": only the session cookie."""
    assert "remember_token" not in set_cookies(login(client))


@pytest.fixture
def production_app(tmp_path, monkeypatch):
    """The production settings (secret from the environment, instance in tmp_path)."""
    monkeypatch.setenv("SECRET_KEY", "p" * 48)
    monkeypatch.setenv("PKYX_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("MONGO_URI", raising=False)
    monkeypatch.delenv("PKYX_SEED_DEMO", raising=False)
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    monkeypatch.setenv("PKYX_PUBLIC_URL", "https://localhost")
    app = create_app("production", {"MAIL_TRANSPORT": "memory"})  # no Redis here
    yield app
    app.extensions["pkyx.store"].close()


def test_production_cookies_are_secure(production_app):
    """Behind nginx over https: Secure (and HttpOnly, SameSite=Lax) on both cookies."""
    assert production_app.config["ENV_NAME"] == "production"
    production_app.extensions["pkyx.accounts"].register("carol", "carol@example.org",
                                                        PASSWORD)
    client = production_app.test_client()
    page = "https://localhost/login"
    response = client.post(page, headers={"Referer": page}, data={
        "login": "carol", "password": PASSWORD, "remember": "y",
        "csrf_token": csrf_token(client, page)})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    _check_flags(response, secure=True)


# -- replay: copied cookies stop working ---------------------------------------------------


@pytest.fixture
def stolen(app, client, carol):
    """carol logged in with "remember me"; a thief's copies of her two cookies."""
    assert login(client, remember=True).status_code == 302
    session = client.get_cookie("session").value
    remember = client.get_cookie("remember_token").value
    copies = {"session": copy_of(app, session=session),
              "remember": copy_of(app, remember_token=remember)}
    for thief in copies.values():
        assert logged_in(thief)  # the copies work to begin with
    # Fresh copies for after the event: the ones above were just used.
    return lambda: [copy_of(app, session=session), copy_of(app, remember_token=remember),
                    copy_of(app, session=session, remember_token=remember)]


def _api_token(client) -> str:
    response = client.post(f"{API}/tokens", headers={
        "Authorization": "Basic " + base64.b64encode(f"carol:{PASSWORD}".encode()).decode()})
    assert response.status_code == 201
    return response.get_json()["token"]


def _token_works(client, token: str) -> bool:
    response = client.patch(f"{API}/users/carol", json={"bio": "still me"},
                            headers={"Authorization": f"Bearer {token}"})
    assert response.status_code in (200, 401), response.status_code
    return response.status_code == 200


def test_logout_everywhere_refuses_copied_cookies_and_tokens(app, client, stolen):
    """After "log out everywhere" a copied session or remember cookie loads no user and an
    API token issued before is 401."""
    token = _api_token(app.test_client())
    assert _token_works(app.test_client(), token)
    client.post("/settings/logout-everywhere", data={"csrf_token": csrf_token(client,
                                                                              "/settings")})
    for thief in stolen():
        assert not logged_in(thief)
    assert not logged_in(client)
    assert not _token_works(app.test_client(), token)


def test_password_change_refuses_copied_cookies_and_tokens(app, client, stolen):
    """After a password change, the same: only the browser that changed it stays in."""
    token = _api_token(app.test_client())
    assert _token_works(app.test_client(), token)
    response = client.post("/settings/password", data={
        "current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD,
        "csrf_token": csrf_token(client, "/settings")})
    assert response.status_code == 302
    for thief in stolen():
        assert not logged_in(thief)
    assert logged_in(client)
    assert not _token_works(app.test_client(), token)


def test_api_password_change_refuses_copied_cookies_and_tokens(app, client, stolen):
    """A password changed through PATCH /users/carol ends the cookies and older tokens."""
    token = _api_token(app.test_client())
    response = app.test_client().patch(f"{API}/users/carol", json={
        "current_password": PASSWORD, "password": NEW_PASSWORD},
        headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    for thief in stolen():
        assert not logged_in(thief)
    assert not _token_works(app.test_client(), token)


# -- an absolute lifetime ------------------------------------------------------------------


@pytest.mark.parametrize("days, works", [(29, True), (30, True), (31, False), (365, False)])
def test_a_login_lasts_at_most_30_days_whatever_the_cookie_says(app, client, stolen,
                                                                monkeypatch, days, works):
    """A remember (or session) cookie replayed after 30 days loads no user, even though
    its signature is still good: the login time is in the signed id."""
    now = web_session._now()
    monkeypatch.setattr(web_session, "_now", lambda: now + days * 24 * 3600 - 60)
    session_copy, remember_copy, both = stolen()
    assert logged_in(remember_copy) is works
    assert logged_in(both) is works


def test_a_login_time_in_the_future_is_refused(app, client, carol, monkeypatch):
    """A session id from "the future" (a clock far off, or a forged id) is not trusted."""
    now = web_session._now()
    monkeypatch.setattr(web_session, "_now", lambda: now + 3600)
    login(client, remember=True)
    monkeypatch.setattr(web_session, "_now", lambda: now)
    assert not logged_in(client)


@pytest.mark.parametrize("session_id", [
    "{uid}", "{uid}:{stamp}", "{uid}:{stamp}:", "{uid}:{stamp}:soon", "{uid}::{now}",
    "{uid}:{stamp}:{now}:extra", "{uid}:wrong-stamp:{now}", "carol:{stamp}:{now}x",
])
def test_malformed_or_stale_session_ids_load_nobody(app, carol, session_id):
    """Only ``uid:current stamp:login time`` loads a user (old two-part ids included)."""
    values = {"uid": carol["_id"], "stamp": carol["auth_stamp"], "now": int(web_session._now())}
    with app.test_request_context():
        assert web_session._load(f"{carol['_id']}:{carol['auth_stamp']}:{values['now']}")
        assert web_session._load(session_id.format(**values)) is None


def test_remember_duration_is_30_days(app):
    """The configured remember-me lifetime, which also bounds every login."""
    duration = app.config["REMEMBER_COOKIE_DURATION"]
    seconds = duration.total_seconds() if isinstance(duration, timedelta) else duration
    assert seconds == THIRTY_DAYS
