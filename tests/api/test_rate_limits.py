"""Rate limits: token issuing and registration per address, failed password checks per
(account, address), per address and per account (429 problem+json with Retry-After).

How a stranger's guesses are kept from locking the owner out is tested in
``tests/test_lockout.py``; write limits in ``tests/test_write_limits.py``.
"""

from __future__ import annotations

import time

import pytest
from limits import parse

import app.throttle as auth
from app import create_app

from .conftest import API, PASSWORD, auth_header


@pytest.fixture
def limited_app(tmp_path):
    """An app whose token and registration limits are low (each test builds its own)."""
    app = create_app("testing", {"RATELIMIT_TOKENS": "3/minute",
                                 "RATELIMIT_REGISTER": "2/minute",
                                 "PKYX_TEST_TMP": str(tmp_path)})
    accounts = app.extensions["pkyx.accounts"]
    accounts.register("carol", "carol@example.org", PASSWORD)
    accounts.register("dave", "dave@example.org", PASSWORD)
    yield app
    app.extensions["pkyx.store"].close()


@pytest.fixture
def limited(limited_app):
    """A test client of the limited app."""
    return limited_app.test_client()


def _assert_429(response) -> int:
    """A 429 problem with a positive whole-second Retry-After; returns the wait."""
    assert response.status_code == 429
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 429
    wait = int(response.headers["Retry-After"])
    assert 0 < wait <= 3600
    return wait


def _try(client, login: str, password: str, **kwargs):
    """A password check on a write (not POST /tokens, whose own limit would get in the way).

    401 when the check fails, 400 (the empty body) when it passes, 429 when limited.
    """
    return client.post(f"{API}/entries", headers=auth_header(login, password), json={},
                       **kwargs)


def test_the_fourth_token_request_is_429(limited):
    """With RATELIMIT_TOKENS=3/minute the 4th POST /tokens is a 429 with Retry-After."""
    headers = auth_header("carol", PASSWORD)
    statuses = [limited.post(f"{API}/tokens", headers=headers).status_code for _ in range(3)]
    assert statuses == [201, 201, 201]
    assert _assert_429(limited.post(f"{API}/tokens", headers=headers)) <= 60


def test_the_token_limit_is_per_address(limited):
    """Another client address still gets its tokens when one address is limited."""
    headers = auth_header("carol", PASSWORD)
    for _ in range(4):
        limited.post(f"{API}/tokens", headers=headers)
    other = limited.post(f"{API}/tokens", headers=headers,
                         environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code == 201


def test_the_token_limit_is_configured(limited_app):
    """The default limit is the configured one (Config) and the test app's override is used."""
    from conf import Config

    assert Config.RATELIMIT_TOKENS == "10/minute;100/hour"
    assert limited_app.config["RATELIMIT_TOKENS"] == "3/minute"


def test_registration_is_limited(limited):
    """With RATELIMIT_REGISTER=2/minute the third registration from one address is a 429."""
    statuses = [limited.post(f"{API}/users", json={"username": f"user{n}",
                                                   "email": f"user{n}@example.org",
                                                   "password": PASSWORD}).status_code
                for n in range(3)]
    assert statuses[:2] == [201, 201] and statuses[2] == 429


def test_the_real_guessing_limits():
    """The configured limits (README, *Limits*): 20 failures an hour per account and
    address, 300 per address, 40 per account before it is slowed to a check a minute,
    20 per known device."""
    assert [(item.amount, item.get_expiry()) for item in (
        auth.FAILED_PER_PAIR, auth.FAILED_PER_ADDRESS, auth.FAILED_PER_ACCOUNT,
        auth.SLOWED_CHECKS, auth.FAILED_PER_DEVICE)] == [
        (20, 3600), (300, 3600), (40, 3600), (1, 60), (20, 3600)]


def test_after_20_failures_even_the_right_password_is_429_from_that_address(limited):
    """The real limit: 20 wrong passwords for an account from one address, then the right
    one from there is a 429; other accounts, and the account elsewhere, are not affected."""
    wrong = auth_header("carol", "not the password")
    for n in range(20):
        response = limited.get(f"{API}/users/carol", headers=wrong)
        assert "email" not in (response.get_json() or {}), n
    right = auth_header("carol", PASSWORD)
    _assert_429(limited.post(f"{API}/tokens", headers=right))
    _assert_429(limited.post(f"{API}/entries", headers=right, json={}))
    other = limited.post(f"{API}/tokens", headers=auth_header("dave", PASSWORD))
    assert other.status_code == 201
    elsewhere = limited.post(f"{API}/tokens", headers=right,
                             environ_base={"REMOTE_ADDR": "192.0.2.44"})
    assert elsewhere.status_code == 201


def test_19_failures_still_let_the_owner_in(limited):
    """The limit is exact: after 19 failures the right password still works."""
    wrong = auth_header("carol", "not the password")
    for _ in range(19):
        assert limited.post(f"{API}/entries", headers=wrong, json={}).status_code == 401
    assert _try(limited, "carol", PASSWORD).status_code == 400


@pytest.fixture
def five_failures(monkeypatch):
    """A per-(account, address) limit of 5 failures, to keep the next tests fast."""
    monkeypatch.setattr(auth, "FAILED_PER_PAIR", parse("5/hour"))


@pytest.mark.parametrize("logins", [
    ["carol"] * 5,
    ["carol", "CAROL", " Carol ", "carol", "cArOl"],
    ["carol", "carol@example.org", "carol", "Carol@Example.org", "carol"],
])
def test_failures_count_per_account_however_it_is_named(limited, five_failures, logins):
    """Failures by username in any case or by email count for one account (from one
    address): then 429."""
    for login in logins:
        assert _try(limited, login, "wrong password").status_code == 401
    for login in ("carol", "carol@example.org"):
        _assert_429(_try(limited, login, PASSWORD))
    assert _try(limited, "dave", PASSWORD).status_code == 400


def test_failures_from_other_addresses_count_too(limited, monkeypatch):
    """The per-account count holds however many addresses the guesses come from: past it,
    new addresses get one password check of the account a minute."""
    monkeypatch.setattr(auth, "FAILED_PER_ACCOUNT", parse("5/hour"))
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now)  # the minute does not pass meanwhile
    for n in range(5):
        response = _try(limited, "carol", "wrong password",
                        environ_base={"REMOTE_ADDR": f"198.51.100.{n}"})
        assert response.status_code == 401
    assert _try(limited, "carol", "wrong password").status_code == 401  # the minute's check
    assert _assert_429(_try(limited, "carol", PASSWORD)) <= 60


def test_failures_per_address_across_accounts(limited, monkeypatch):
    """One address guessing many accounts is stopped by the per-address limit."""
    monkeypatch.setattr(auth, "FAILED_PER_ADDRESS", parse("6/hour"))
    for n in range(6):
        assert _try(limited, f"ghost{n}", "wrong password").status_code == 401
    _assert_429(_try(limited, "dave", PASSWORD))
    elsewhere = _try(limited, "dave", PASSWORD, environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert elsewhere.status_code == 400


def test_bearer_tokens_are_not_slowed_by_password_failures(limited, five_failures):
    """A token issued before the guessing keeps working: the limit is on password checks."""
    token = limited.post(f"{API}/tokens", headers=auth_header("carol", PASSWORD)).get_json()
    for _ in range(5):
        assert _try(limited, "carol", "wrong password").status_code == 401
    response = limited.patch(f"{API}/users/carol", json={"bio": "still me"},
                             headers={"Authorization": f"Bearer {token['token']}"})
    assert response.status_code == 200
