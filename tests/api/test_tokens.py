"""/api/v1/tokens and API authentication: issuing, expiry, tampering, revocation, cookies."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from app.api.auth import TOKEN_SALT

from .conftest import API, PASSWORD, auth_header, bearer


def _write(client, headers, title="Token Phone"):
    """A write that needs authentication: create an entry."""
    return client.post(f"{API}/entries", headers=headers,
                       json={"title": title, "category": "phones"})


def _claims(app, token: str) -> dict:
    return URLSafeTimedSerializer(app.secret_key, salt=TOKEN_SALT).loads(token)


def _sign(app, claims: dict, *, salt: str = TOKEN_SALT, secret: str | None = None,
          age: int = 0) -> str:
    """Sign ``claims`` as the app does, optionally ``age`` seconds in the past."""

    class AgedSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - age

    serializer = URLSafeTimedSerializer(secret or app.secret_key, salt=salt, signer=AgedSigner)
    return serializer.dumps(claims)


def test_basic_gives_a_token_with_its_expiry(app, client, user):
    """POST /tokens with Basic: 201 with token, token_type, expires_in, expires_at; no-store."""
    before = datetime.now(UTC)
    response = client.post(f"{API}/tokens", headers=user.basic)
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert set(body) == {"token", "token_type", "expires_in", "expires_at"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == app.config["API_TOKEN_SECONDS"] == 3600
    assert body["expires_at"].endswith("Z")
    expires = datetime.fromisoformat(body["expires_at"].replace("Z", "+00:00"))
    assert abs(expires - (before + timedelta(seconds=3600))) < timedelta(seconds=5)
    assert _claims(app, body["token"])["uid"] == user.id


def test_login_by_email_also_gives_a_token(client, user):
    """Basic auth takes the email address (any case) as well as the username."""
    response = client.post(f"{API}/tokens", headers=auth_header(user.email.upper(), PASSWORD))
    assert response.status_code == 201


def test_the_token_authorises_a_write(client, catalog, token):
    """A Bearer token from POST /tokens authorises a write; no token is 401."""
    assert _write(client, bearer(token)).status_code == 201
    assert _write(client, {}, "Other").status_code == 401


@pytest.mark.parametrize("headers", [
    {},
    {"Authorization": "Basic"},
    {"Authorization": "Basic !!!not-base64"},
    {"Authorization": "Digest username=carol"},
    {"Authorization": "Bearer"},
])
def test_tokens_need_basic_credentials(client, user, headers):
    """POST /tokens without usable Basic credentials is 401 with WWW-Authenticate."""
    response = client.post(f"{API}/tokens", headers=headers)
    assert response.status_code == 401 and "WWW-Authenticate" in response.headers


def test_a_token_does_not_buy_another_token(client, user):
    """POST /tokens takes Basic only: a Bearer token cannot extend itself."""
    assert client.post(f"{API}/tokens", headers=user.bearer).status_code == 401


def test_unknown_user_and_wrong_password_look_the_same(client, user):
    """An unknown login and a wrong password give the same 401 status, headers and body."""
    unknown = client.post(f"{API}/tokens", headers=auth_header("nobody", PASSWORD))
    wrong = client.post(f"{API}/tokens", headers=auth_header(user.username, "wrong password"))
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.get_data() == wrong.get_data()
    assert unknown.headers["WWW-Authenticate"] == wrong.headers["WWW-Authenticate"]
    assert unknown.mimetype == wrong.mimetype == "application/problem+json"


def test_an_expired_token_is_401(app, client, catalog, token):
    """A token signed longer ago than API_TOKEN_SECONDS is refused; a fresh re-sign works."""
    claims = _claims(app, token)
    lifetime = app.config["API_TOKEN_SECONDS"]
    assert _write(client, bearer(_sign(app, claims, age=lifetime + 5))).status_code == 401
    assert _write(client, bearer(_sign(app, claims, age=lifetime - 60))).status_code == 201


def test_a_short_lifetime_expires(app, client, catalog, token, monkeypatch):
    """With API_TOKEN_SECONDS shortened, a token older than that stops working."""
    assert _write(client, bearer(token), "First").status_code == 201
    monkeypatch.setitem(app.config, "API_TOKEN_SECONDS", 1)
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 3)
    assert _write(client, bearer(token), "Second").status_code == 401


@pytest.mark.parametrize("where", ["payload", "timestamp", "signature", "end"])
def test_a_tampered_token_is_401(client, catalog, token, where):
    """Changing one character anywhere in the token makes it worthless."""
    payload, stamp, signature = token.rsplit(".", 2)
    position = {"payload": 3, "timestamp": len(payload) + 2,
                "signature": len(payload) + len(stamp) + 5, "end": len(token) - 2}[where]
    flipped = "A" if token[position] != "A" else "B"
    tampered = token[:position] + flipped + token[position + 1:]
    assert tampered != token
    assert _write(client, bearer(tampered)).status_code == 401
    assert _write(client, bearer(token)).status_code == 201


@pytest.mark.parametrize(("salt", "secret"), [
    ("pkyx.other-salt", None),
    ("itsdangerous", None),
    (TOKEN_SALT, "another-secret-key-that-is-long-enough-too"),
])
def test_a_token_signed_with_another_salt_or_key_is_401(app, client, catalog, token, salt,
                                                        secret):
    """The same claims signed with another salt (e.g. a session's) or another key: 401."""
    claims = _claims(app, token)
    assert _write(client, bearer(_sign(app, claims, salt=salt, secret=secret))).status_code == 401
    assert _write(client, bearer(_sign(app, claims))).status_code == 201


@pytest.mark.parametrize("claims", [
    {"uid": "0" * 24, "stamp": "x", "jti": "y"},
    {"uid": 1, "stamp": "x", "jti": "y"},
    {"uid": {"$ne": ""}, "stamp": {"$ne": ""}, "jti": {"$ne": ""}},
    ["not", "an", "object"],
    "just text",
])
def test_validly_signed_nonsense_is_401(app, client, catalog, claims):
    """Correctly signed claims that name nobody, or are not the right shape: 401, never 500."""
    assert _write(client, bearer(_sign(app, claims))).status_code == 401


def test_a_revoked_token_is_401(client, catalog, user):
    """DELETE /tokens revokes the token it carries; the user's other tokens keep working."""
    second = client.post(f"{API}/tokens", headers=user.basic).get_json()["token"]
    response = client.delete(f"{API}/tokens", headers=user.bearer)
    assert response.status_code == 204
    assert _write(client, user.bearer).status_code == 401
    assert client.delete(f"{API}/tokens", headers=user.bearer).status_code == 401
    assert _write(client, bearer(second)).status_code == 201


def test_revoking_needs_a_token(client, user):
    """DELETE /tokens with Basic or nothing is 401: there is no token to revoke."""
    assert client.delete(f"{API}/tokens", headers=user.basic).status_code == 401
    assert client.delete(f"{API}/tokens").status_code == 401


def test_a_password_change_revokes_older_tokens(client, catalog, user):
    """PATCH /users/<me> with current_password: old tokens and password stop, the new one works."""
    other_token = client.post(f"{API}/tokens", headers=user.basic).get_json()["token"]
    new_password = "a completely new passphrase"
    response = client.patch(f"{API}/users/{user.username}", headers=user.bearer,
                            json={"current_password": PASSWORD, "password": new_password})
    assert response.status_code == 200, response.get_json()
    for old in (user.bearer, bearer(other_token), user.basic):
        assert _write(client, old).status_code == 401
    new_basic = auth_header(user.username, new_password)
    assert _write(client, new_basic, "With Basic").status_code == 201
    fresh = client.post(f"{API}/tokens", headers=new_basic).get_json()["token"]
    assert _write(client, bearer(fresh), "With token").status_code == 201


def test_a_session_cookie_never_authorises_an_api_write(app, client, catalog, user):
    """A logged-in browser session (cookie) without Authorization is 401 on every write."""
    with client.session_transaction() as session:
        session.update({"_user_id": user.id, "_fresh": True, "user_id": user.id,
                        "username": user.username})
    assert client.get_cookie("session") is not None
    assert _write(client, {}).status_code == 401
    response = client.patch(f"{API}/users/{user.username}", json={"bio": "cookie"})
    assert response.status_code == 401
    assert client.post(f"{API}/tokens").status_code == 401


@pytest.mark.parametrize("header", [
    "Bearer ", "Bearer " + "x" * 5000, "Bearer a.b.c", "Bearer \u00e9t\u00e9", "Token abc",
])
def test_garbage_tokens_are_401(client, catalog, header):
    """Malformed Authorization headers are a 401 problem, never a 500."""
    assert _write(client, {"Authorization": header}).status_code == 401
