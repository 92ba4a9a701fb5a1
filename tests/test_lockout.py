"""A stranger's password guesses must not lock the owner out (issue 17, item 5).

Guessing stays limited — per (account, address), per address, and for the account as a
whole — but the account-wide count only slows untrusted logins down, and a login from
where the owner logged in before (a browser with the signed "known device" cookie, an
address whose API login succeeded) goes through (OWASP, *Blocking Brute Force Attacks*
and *Authentication Cheat Sheet*: lockout must not become a denial of service). Time is
moved by hand, never waited for.
"""

from __future__ import annotations

import base64
import re

import pytest

API = "/api/v1"
PASSWORD = "correct horse battery staple"
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
STRANGER = {"REMOTE_ADDR": "198.51.100.66"}
OWNER_HOME = {"REMOTE_ADDR": "192.0.2.1"}
OWNER_TRAVELLING = {"REMOTE_ADDR": "203.0.113.5"}


def basic(login: str, password: str) -> dict[str, str]:
    """An ``Authorization: Basic`` header."""
    return {"Authorization": "Basic " + base64.b64encode(f"{login}:{password}".encode()).decode()}


def token_request(client, password: str, where: dict, login: str = "carol"):
    """POST /api/v1/tokens: 201 when the password is right and the check allowed."""
    return client.post(f"{API}/tokens", headers=basic(login, password), environ_base=where)


def csrf(client) -> str:
    return TOKEN.search(client.get("/login").get_data(as_text=True)).group(1)


def page_login(client, password: str, token: str | None = None, login: str = "carol"):
    return client.post("/login", data={"login": login, "password": password,
                                       "csrf_token": token or csrf(client)})


def retry_after(response) -> int:
    """The whole seconds of a 429's Retry-After."""
    assert response.status_code == 429, response.status_code
    return int(response.headers["Retry-After"])


@pytest.fixture
def carol(accounts):
    return accounts.register("carol", "carol@example.org", PASSWORD)


def test_a_strangers_100_guesses_do_not_lock_the_owner_out(client, carol, clock):
    """The probe: 100 wrong Basic-auth guesses against any endpoint from one address.
    The owner, elsewhere, still gets a token at once."""
    for _ in range(100):
        client.get(f"{API}/users/carol", headers=basic("carol", "wrong guess"),
                   environ_base=STRANGER)
    assert token_request(client, PASSWORD, OWNER_TRAVELLING).status_code == 201


def test_the_stranger_is_stopped_after_20_guesses_even_with_the_right_password(client, carol,
                                                                               clock):
    """The guessing limit stays: one address, one account, 20 failures an hour."""
    statuses = [token_request(client, "wrong guess", STRANGER).status_code for _ in range(25)]
    assert statuses == [401] * 20 + [429] * 5
    assert 3500 < retry_after(token_request(client, PASSWORD, STRANGER)) <= 3600
    assert token_request(client, PASSWORD, OWNER_HOME).status_code == 201


def test_guesses_from_many_addresses_slow_the_account_but_do_not_lock_it(client, carol,
                                                                          clock):
    """Spread over 100 addresses, the guesses are checked 40 times, then once a minute;
    the owner's address that logged in before goes straight through, and from a new one
    the owner waits at most a minute."""
    assert token_request(client, PASSWORD, OWNER_HOME).status_code == 201
    answers = [token_request(client, "wrong guess", {"REMOTE_ADDR": f"198.51.100.{n}"})
               for n in range(100)]
    statuses = [answer.status_code for answer in answers]
    assert statuses.count(401) == 41 and statuses.count(429) == 59, statuses
    assert all(0 < retry_after(a) <= 60 for a in answers if a.status_code == 429)
    assert token_request(client, PASSWORD, OWNER_HOME).status_code == 201
    wait = retry_after(token_request(client, PASSWORD, OWNER_TRAVELLING))
    assert wait <= 60
    clock.move(wait)
    assert token_request(client, PASSWORD, OWNER_TRAVELLING).status_code == 201


def test_at_most_100_untrusted_guesses_an_hour_reach_an_account(client, carol, clock):
    """ASVS 4.0's bound (2.2.1) holds: slowed to one a minute after 40, a botnet guessing
    for an hour (five new addresses a minute) has the password checked 40 + 52 times, not
    300."""
    checked = 0
    for minute in range(60):
        for n in range(5):
            address = {"REMOTE_ADDR": f"10.{minute}.{n}.1"}
            checked += token_request(client, "wrong guess", address).status_code == 401
        clock.move(60)
    assert checked == 40 + 52  # 8 minutes of 5, then one in each of the other 52 minutes


def test_a_browser_that_logged_in_before_gets_in_while_its_address_is_locked(app, carol,
                                                                              clock):
    """Same network, same address: the stranger's page guesses lock the address for
    carol, but carol's browser carries the signed known-device cookie and gets in."""
    browser = app.test_client()
    assert page_login(browser, PASSWORD).status_code == 302
    browser.delete_cookie("session")  # logged out, the device cookie stays
    stranger = app.test_client()
    token = csrf(stranger)
    for _ in range(100):
        assert page_login(stranger, "wrong guess", token).status_code in (401, 429)
    refused = page_login(stranger, PASSWORD, token)
    assert refused.status_code == 429
    assert "Too many failed password attempts" in refused.get_data(as_text=True)
    assert page_login(browser, PASSWORD).status_code == 302
    assert browser.get("/settings").status_code == 200


def test_a_forged_or_borrowed_device_cookie_is_not_trusted(app, carol, accounts, clock):
    """The cookie is signed and names the accounts that logged in with it: a made-up
    value, or dave's cookie, does not let carol's locked address through."""
    from app.web import devices

    accounts.register("dave", "dave@example.org", PASSWORD)
    daves = app.test_client()
    assert page_login(daves, PASSWORD, login="dave").status_code == 302
    cookie = daves.get_cookie(devices.COOKIE)
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"
    stranger = app.test_client()
    token = csrf(stranger)
    for _ in range(20):
        assert page_login(stranger, "wrong guess", token).status_code == 401
    for value in (cookie.value, cookie.value[:-2] + "xx", "garbage"):
        stranger.set_cookie(devices.COOKIE, value)
        assert page_login(stranger, PASSWORD, token).status_code == 429, value


def test_a_known_device_has_its_own_guessing_limit(app, carol, clock):
    """A stolen laptop is not a free pass: 20 failures with the device cookie and it is
    treated like any other browser again."""
    browser = app.test_client()
    assert page_login(browser, PASSWORD).status_code == 302
    browser.delete_cookie("session")
    token = csrf(browser)
    statuses = [page_login(browser, "wrong guess", token).status_code for _ in range(20)]
    assert statuses == [401] * 20
    assert page_login(browser, PASSWORD, token).status_code == 429
