"""Fixtures of the API tests: every response checked, accounts, tokens and entries made
through the API itself.

The autouse fixture ``checked_responses`` wraps the Flask test client, so every test in
``tests/api`` also proves two rules of SPEC §3 on every response it gets: no Extended
JSON (``$oid``/``$date``) ever leaves the API, and every 4xx/5xx under ``/api/`` is an
RFC 9457 problem whose ``status`` is the HTTP status.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass

import orjson
import pytest
from flask.testing import FlaskClient

API = "/api/v1"
PASSWORD = "correct horse battery staple"
PROBLEM_FIELDS = ("type", "title", "status", "detail")


def auth_header(login: str, password: str) -> dict[str, str]:
    """An ``Authorization: Basic`` header for ``login`` and ``password``."""
    raw = f"{login}:{password}".encode()
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


def bearer(token: str) -> dict[str, str]:
    """An ``Authorization: Bearer`` header."""
    return {"Authorization": f"Bearer {token}"}


def check_response(response) -> None:
    """Assert the two rules every API response keeps (used on every test-client response)."""
    request = response.request
    body = response.get_data()
    if not (response.mimetype or "").startswith("image/"):
        assert b"$oid" not in body, f"Extended JSON $oid in {request.method} {request.path}"
        assert b"$date" not in body, f"Extended JSON $date in {request.method} {request.path}"
    if request.path.startswith("/api/") and response.status_code >= 400:
        where = f"{request.method} {request.path} → {response.status_code}"
        assert response.mimetype == "application/problem+json", f"not a problem: {where}"
        if request.method != "HEAD":
            problem = orjson.loads(body)
            assert isinstance(problem, dict), where
            missing = [name for name in PROBLEM_FIELDS if name not in problem]
            assert not missing, f"problem without {missing}: {where}"
            assert problem["status"] == response.status_code, where
            assert all(isinstance(problem[name], str) and problem[name]
                       for name in ("type", "title", "detail")), where


@pytest.fixture(autouse=True)
def checked_responses(monkeypatch):
    """Check every response any Flask test client returns during the test."""
    original = FlaskClient.open
    seen = []

    def open_and_check(self, *args, **kwargs):
        response = original(self, *args, **kwargs)
        check_response(response)
        seen.append(response)
        return response

    monkeypatch.setattr(FlaskClient, "open", open_and_check)
    return seen


@pytest.fixture
def response_checker() -> Callable:
    """The checker itself, so a test can show it catches what it should."""
    return check_response


@dataclass
class Account:
    """A user made through the API, with a Bearer token."""

    username: str
    email: str
    password: str
    id: str
    token: str

    @property
    def basic(self) -> dict[str, str]:
        """Basic auth headers of this account."""
        return auth_header(self.username, self.password)

    @property
    def bearer(self) -> dict[str, str]:
        """Bearer auth headers of this account."""
        return bearer(self.token)


def new_token(client: FlaskClient, login: str, password: str) -> str:
    """A token from POST /tokens with Basic credentials."""
    response = client.post(f"{API}/tokens", headers=auth_header(login, password))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["token"]


@pytest.fixture
def register(client) -> Callable[..., Account]:
    """Register a user through POST /users and get a token: ``register("carol")``."""

    def make(username: str, password: str = PASSWORD, email: str | None = None) -> Account:
        email = email or f"{username.lower()}@example.org"
        response = client.post(f"{API}/users", json={"username": username, "email": email,
                                                      "password": password})
        assert response.status_code == 201, response.get_json()
        return Account(username, email, password, response.get_json()["id"],
                       new_token(client, username, password))

    return make


@pytest.fixture
def user(register) -> Account:
    """A registered user (an editor) with a token."""
    return register("carol")


@pytest.fixture
def other(register) -> Account:
    """A second registered user."""
    return register("dave")


@pytest.fixture
def token(user) -> str:
    """The Bearer token of ``user`` (registered via POST /users, issued by POST /tokens)."""
    return user.token


@pytest.fixture
def admin(client, accounts) -> Account:
    """An admin made the operators' way (accounts.create_admin), with a token."""
    doc = accounts.create_admin("boss", "boss@example.org", PASSWORD)
    return Account("boss", "boss@example.org", PASSWORD, str(doc["_id"]),
                   new_token(client, "boss", PASSWORD))


@pytest.fixture
def catalog(phones):
    """The ``phones`` categories and definitions plus a text and a rating attribute."""
    from app.domain.definitions import validate_definition

    for fields in (
        {"key": "chip", "label": "Chip", "type": "text", "group": "Performance", "order": 210},
        {"key": "stars", "label": "Stars", "type": "rating", "better": "higher",
         "group": "General", "order": 10},
    ):
        phones.definitions.insert(validate_definition(fields), "tester")
    return phones


@pytest.fixture
def make_entry(client, catalog, user) -> Callable[..., dict]:
    """Create an entry through POST /entries (as ``user`` unless ``account`` is given).

    Returns the JSON body with the response's ``etag`` added.
    """

    def make(title: str = "Pixel 8", category: str = "phones", *, account: Account | None = None,
             **fields) -> dict:
        body = {"title": title, "category": category, **fields}
        response = client.post(f"{API}/entries", json=body,
                               headers=(account or user).bearer)
        assert response.status_code == 201, response.get_json()
        return {**response.get_json(), "etag": response.headers["ETag"]}

    return make


@pytest.fixture
def entry(make_entry) -> dict:
    """One entry with a few attributes."""
    return make_entry("Pixel 8", summary="Google's phone.",
                      attributes={"weight": "187 g", "screen": "6.2 in", "five_g": True,
                                  "chip": "Tensor G3"})
