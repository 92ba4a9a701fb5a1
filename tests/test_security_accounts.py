"""Accounts against OWASP ASVS 5.0 (V6): passwords, uniform login errors, guessing limits.

Every login path is covered — the login page, API Basic auth on a write, and
``POST /api/v1/tokens`` — and every place a password is chosen: the registration page,
``POST /api/v1/users``, the settings page, ``PATCH /api/v1/users/<name>`` and
``manage.py create-admin``.
"""

from __future__ import annotations

import ast
import base64
import random
import re
import string
from pathlib import Path

import argon2
import pytest
import zxcvbn.feedback

import app.domain.accounts as domain_accounts
import app.throttle as throttle
from app.domain.accounts import STRENGTH_FEEDBACK, check_password
from app.domain.errors import InvalidValue

API = "/api/v1"
PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a completely new passphrase"
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
#: Passwords on every common-password list; zxcvbn's warning for each.
COMMON = [
    ("password", "This is a top-10 common password."),
    ("12345678", "This is a top-10 common password."),
    ("qwertyuiop", "This is a top-100 common password."),
    ("password1234", "This is a very common password."),
    ("iloveyou", "This is a top-100 common password."),
]


def strong(length: int, seed: int = 0) -> str:
    """A random password of ``length`` characters (zxcvbn cannot guess it)."""
    rnd = random.Random(seed * 1000 + length)
    alphabet = string.ascii_letters + string.digits + "!#$%&*+-=?@^_~"
    return "".join(rnd.choice(alphabet) for _ in range(length))


def basic(login: str, password: str) -> dict[str, str]:
    """An ``Authorization: Basic`` header."""
    return {"Authorization": "Basic " + base64.b64encode(f"{login}:{password}".encode()).decode()}


def csrf_token(client, path: str = "/login") -> str:
    """The CSRF token of the first form on ``path``."""
    return TOKEN.search(client.get(path).get_data(as_text=True)).group(1)


def page_login(client, login: str, password: str, token: str | None = None, **kwargs):
    """A POST of the login form."""
    return client.post("/login", data={"login": login, "password": password,
                                       "csrf_token": token or csrf_token(client)}, **kwargs)


def basic_write(client, login: str, password: str):
    """A Basic-authenticated write: 401 when the password check fails, 400 (empty body)
    when it passes, 429 when limited."""
    return client.post(f"{API}/entries", headers=basic(login, password), json={})


def token_request(client, login: str, password: str):
    """POST /api/v1/tokens with Basic credentials: 201 when the password is right."""
    return client.post(f"{API}/tokens", headers=basic(login, password))


@pytest.fixture
def carol(accounts):
    """A registered user with a strong password."""
    return accounts.register("carol", "carol@example.org", PASSWORD)


# -- what a password may be ------------------------------------------------------------


@pytest.mark.parametrize("length", [8, 9, 64, 65, 100, 200, 256])
def test_strong_passwords_of_8_to_256_characters_are_accepted(client, length):
    """Registration accepts 8 to 256 characters and that exact password logs in."""
    password = strong(length)
    response = client.post(f"{API}/users", json={"username": "amy", "email": "amy@example.org",
                                                 "password": password})
    assert response.status_code == 201, response.get_json()
    assert token_request(client, "amy", password).status_code == 201


@pytest.mark.parametrize("length, message", [
    (7, "at least 8 characters"),
    (257, "at most 256 characters"),
    (1000, "at most 256 characters"),
])
def test_too_short_or_too_long_is_refused_with_a_message(client, length, message):
    """7 or more than 256 characters: a 400 naming the password and the limit."""
    response = client.post(f"{API}/users", json={"username": "amy", "email": "amy@example.org",
                                                 "password": strong(length)})
    assert response.status_code == 400
    assert message in response.get_json()["errors"]["password"]


def test_length_counts_characters_not_bytes():
    """8 Chinese characters are 8 characters (24 bytes in UTF-8) and not too long at 256."""
    assert check_password("天地玄黄宇宙洪荒") == "天地玄黄宇宙洪荒"
    with pytest.raises(InvalidValue, match="at least"):
        check_password("天地玄黄宇宙洪")
    assert check_password("密" + strong(255)) is not None


@pytest.mark.parametrize("length, position", [(100, 99), (256, 255), (256, 150), (72, 71)])
def test_no_silent_truncation(client, length, position):
    """A password that differs from the registered one in one late character fails."""
    password = strong(length)
    client.post(f"{API}/users", json={"username": "amy", "email": "amy@example.org",
                                      "password": password})
    changed = "-" if password[position] != "-" else "+"
    other = password[:position] + changed + password[position + 1:]
    assert len(other) == length and other != password
    assert token_request(client, "amy", other).status_code == 401
    assert token_request(client, "amy", password).status_code == 201


def test_zxcvbn_judges_only_the_first_100_characters(monkeypatch):
    """zxcvbn is slow on long input: it sees at most 100 characters; the rest still counts
    for the length check (and is hashed in full)."""
    seen = []
    real = domain_accounts.zxcvbn

    def spy(password, *args, **kwargs):
        seen.append(password)
        return real(password, *args, **kwargs)

    monkeypatch.setattr(domain_accounts, "zxcvbn", spy)
    password = strong(256)
    assert check_password(password) == password
    assert seen == [password[:100]]
    with pytest.raises(InvalidValue, match="at most"):
        check_password(strong(257))


@pytest.mark.parametrize("password, warning", COMMON)
def test_common_passwords_are_refused_with_zxcvbns_advice(password, warning):
    """A common password is refused, the message saying why in zxcvbn's words."""
    with pytest.raises(InvalidValue) as caught:
        check_password(password, username="amy", email="amy@example.org")
    assert caught.value.field == "password"
    assert caught.value.message.startswith("This password is too easy to guess.")
    assert warning in caught.value.message
    assert "Add another word or two." in caught.value.message


@pytest.mark.parametrize("username, password", [
    ("quexalrith", "quexalrith1"),
    ("zolbrandt", "zolbrandt123"),
    ("marrowbyte", "Marrowbyte!2"),
])
def test_the_username_and_email_are_guesses_too(username, password):
    """A password built on the username is refused (zxcvbn gets it as a user input),
    though zxcvbn alone would call it strong."""
    assert check_password(password) == password
    with pytest.raises(InvalidValue, match="too easy to guess"):
        check_password(password, username=username, email="x@example.org")
    with pytest.raises(InvalidValue, match="too easy to guess"):
        check_password(password, username="someone", email=f"{username}@example.org")


def test_the_sites_name_is_a_guess_too():
    """'pkyx' and such are context words (ASVS 6.2.11)."""
    with pytest.raises(InvalidValue, match="too easy to guess"):
        check_password("pkyx2024!")


def test_the_demo_and_fixture_passwords_are_strong():
    """The README's demo password and the suite's fixtures pass the check unaided."""
    for password in ("pkyx-demo-password", "correct horse battery",
                     "correct horse battery staple", "a brand new passphrase",
                     NEW_PASSWORD):
        assert check_password(password, username="alice", email="alice@example.org")


def test_every_zxcvbn_feedback_sentence_is_marked_for_translation():
    """The marked list matches the sentences this zxcvbn can say, so all are translated."""
    tree = ast.parse(Path(zxcvbn.feedback.__file__).read_text())
    said = {node.args[0].value for node in ast.walk(tree)
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "_"
            and node.args and isinstance(node.args[0], ast.Constant)}
    assert len(said) > 20
    assert said == set(STRENGTH_FEEDBACK)


# -- every place a password is chosen refuses a weak one -------------------------------


def test_registration_page_refuses_a_common_password(client, repos):
    """The form shows the reason beside the password field; no account is made."""
    response = client.post("/register", data={
        "username": "amy", "email": "amy@example.org", "password": "password1234",
        "csrf_token": csrf_token(client, "/register")})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r'id="password-errors">.*?too easy to guess.*?This is a very common '
                     r'password\.', html, re.S)
    assert repos.users.count() == 0


def test_registration_page_explains_in_chinese(client):
    """In Chinese the framing sentence and zxcvbn's advice are both translated."""
    response = client.post("/register?lang=zh_Hans", data={
        "username": "amy", "email": "amy@example.org", "password": "password1234",
        "csrf_token": csrf_token(client, "/register?lang=zh_Hans")})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    errors = re.search(r'id="password-errors">(.*?)</div>\s*</div>', html, re.S).group(1)
    assert "too easy" not in errors and "common password" not in errors
    assert re.search(r"[\u4e00-\u9fff]", errors)


def test_api_registration_refuses_a_common_password(client):
    """POST /users: 400 naming the password, with the advice."""
    response = client.post(f"{API}/users", json={"username": "amy", "email": "amy@example.org",
                                                 "password": "iloveyou"})
    assert response.status_code == 400
    assert "too easy to guess" in response.get_json()["errors"]["password"]
    assert client.get(f"{API}/users").get_json()["_meta"]["total"] == 0


def test_settings_page_refuses_a_common_new_password(client, carol, accounts):
    """The settings form refuses it beside the new password; the old one still works."""
    assert page_login(client, "carol", PASSWORD).status_code == 302
    response = client.post("/settings/password", data={
        "current_password": PASSWORD, "new_password": "qwertyuiop", "confirm": "qwertyuiop",
        "csrf_token": csrf_token(client, "/settings")})
    assert response.status_code == 400
    assert re.search(r'id="new_password-errors">.*?too easy to guess',
                     response.get_data(as_text=True), re.S)
    assert accounts.authenticate("carol", PASSWORD)


def test_api_patch_refuses_a_common_new_password(client, carol, accounts):
    """PATCH /users/<me> with a weak password: 400, nothing changes."""
    response = client.patch(f"{API}/users/carol", headers=basic("carol", PASSWORD),
                            json={"current_password": PASSWORD, "password": "carol2024"})
    assert response.status_code == 400
    assert "too easy to guess" in response.get_json()["errors"]["password"]
    assert accounts.authenticate("carol", PASSWORD)


@pytest.mark.parametrize("existing", [False, True])
def test_create_admin_refuses_a_common_password(runner, accounts, repos, existing):
    """manage.py create-admin refuses a weak password, for a new or an existing user."""
    if existing:
        accounts.register("root2", "root2@example.org", PASSWORD)
    result = runner.invoke(args=["create-admin", "root2", "--email", "root2@example.org",
                                 "--password", "password1"])
    assert result.exit_code != 0
    assert "too easy to guess" in result.output
    user = repos.users.find("root2")
    assert user is None or user["role"] == "user"
    ok = runner.invoke(args=["create-admin", "root2", "--email", "root2@example.org",
                             "--password", NEW_PASSWORD])
    assert ok.exit_code == 0, ok.output
    assert repos.users.find("root2")["role"] == "admin"


# -- unknown user and wrong password look the same --------------------------------------


def _page_error(response) -> tuple[int, str]:
    """The login page's status and its text without the CSRF token and the echoed login."""
    html = response.get_data(as_text=True)
    html = TOKEN.sub('name="csrf_token" value=""', html)
    html = re.sub(r'(<input[^>]*name="login"[^>]*value=")[^"]*"', r'\1"', html)
    return response.status_code, html


@pytest.mark.parametrize("wrong_login", ["carol", "carol@example.org", "CAROL"])
def test_login_page_says_the_same_for_unknown_user_and_wrong_password(app, carol,
                                                                      wrong_login):
    """Same status and same page (but for the token and the echo) either way."""
    unknown = app.test_client()
    wrong = app.test_client()
    a = page_login(unknown, "nobody", PASSWORD)
    b = page_login(wrong, wrong_login, "not the password")
    assert a.status_code == b.status_code == 401
    assert _page_error(a) == _page_error(b)
    assert "The username or password is not right." in a.get_data(as_text=True)
    assert page_login(app.test_client(), "nobody@example.org", PASSWORD).status_code == 401


@pytest.mark.parametrize("send", [basic_write, token_request], ids=["basic-write", "token"])
def test_api_says_the_same_for_unknown_user_and_wrong_password(client, carol, send):
    """Basic auth on a write and POST /tokens: byte-identical problem+json and headers."""
    unknown = send(client, "nobody", PASSWORD)
    unknown_email = send(client, "nobody@example.org", PASSWORD)
    wrong = send(client, "carol", "not the password")
    assert unknown.status_code == unknown_email.status_code == wrong.status_code == 401
    assert unknown.mimetype == wrong.mimetype == "application/problem+json"
    assert unknown.get_data() == unknown_email.get_data() == wrong.get_data()
    assert unknown.headers["WWW-Authenticate"] == wrong.headers["WWW-Authenticate"]
    assert send(client, "carol", PASSWORD).status_code in (201, 400)


@pytest.fixture
def argon2_calls(monkeypatch):
    """Count argon2 computations (hash or verify), whoever makes them."""
    calls = []
    real_hash, real_verify = argon2.PasswordHasher.hash, argon2.PasswordHasher.verify

    def counted_hash(self, *args, **kwargs):
        calls.append(("hash", self.memory_cost, self.time_cost))
        return real_hash(self, *args, **kwargs)

    def counted_verify(self, digest, *args, **kwargs):
        params = argon2.extract_parameters(digest)
        calls.append(("verify", params.memory_cost, params.time_cost))
        return real_verify(self, digest, *args, **kwargs)

    monkeypatch.setattr(argon2.PasswordHasher, "hash", counted_hash)
    monkeypatch.setattr(argon2.PasswordHasher, "verify", counted_verify)
    return calls


@pytest.mark.parametrize("path", ["page", "basic-write", "token"])
def test_an_unknown_user_costs_one_hash_like_a_wrong_password(app, carol, argon2_calls, path):
    """No timing tell: an unknown login spends one argon2 computation of the same cost as
    a wrong password's verification (counted, not timed)."""
    client = app.test_client()
    token = csrf_token(client)
    send = {"page": lambda login, pw: page_login(client, login, pw, token),
            "basic-write": lambda login, pw: basic_write(client, login, pw),
            "token": lambda login, pw: token_request(client, login, pw)}[path]
    costs = []
    for login in ("nobody", "carol"):
        argon2_calls.clear()
        assert send(login, "not the password").status_code == 401
        assert len(argon2_calls) == 1, argon2_calls
        costs.append(argon2_calls[0][1:])
    assert costs[0] == costs[1] == (app.config["ARGON2_MEMORY_KIB"],
                                    app.config["ARGON2_TIME_COST"])


# -- more than 20 failures an hour per account and address -----------------------------


def _assert_429(response) -> None:
    """429 with a whole-second Retry-After within the hour."""
    assert response.status_code == 429, response.status_code
    assert 0 < int(response.headers["Retry-After"]) <= 3600


def _fail_on(client, path: str, login: str, times: int, token: str) -> None:
    """``times`` wrong passwords for ``login`` on one path, each a plain failure."""
    for n in range(times):
        if path == "page":
            response = page_login(client, login, "not the password", token)
        elif path == "basic-write":
            response = basic_write(client, login, "not the password")
        else:
            response = token_request(client, login, "not the password")
        assert response.status_code == 401, (path, n)


def _right_password_everywhere(client, token: str, login: str = "carol") -> list:
    """The right password on each path."""
    return [page_login(client, login, PASSWORD, token), basic_write(client, login, PASSWORD),
            token_request(client, login, PASSWORD)]


def test_the_limit_is_20_failures_an_hour_per_account_and_address():
    """The configured limit (the tests below use the real one). How guesses from many
    addresses are slowed without locking the owner out: tests/test_lockout.py."""
    assert (throttle.FAILED_PER_PAIR.amount, throttle.FAILED_PER_PAIR.get_expiry()) \
        == (20, 3600)


@pytest.mark.parametrize("path", ["page", "basic-write", "token"])
def test_after_20_failures_every_path_refuses_even_the_right_password(client, carol, path):
    """20 failures on one path: then the right password from that address (a browser
    that never logged in) is a 429 on all three."""
    token = csrf_token(client)
    _fail_on(client, path, "carol", 20, token)
    page, write, issued = _right_password_everywhere(client, token)
    for response in (page, write, issued):
        _assert_429(response)
    assert write.mimetype == issued.mimetype == "application/problem+json"
    assert "Too many failed password attempts" in page.get_data(as_text=True)


def test_failures_on_different_paths_add_up(client, carol, accounts):
    """10 on the page + 10 by Basic auth: the token endpoint refuses; another account is
    not affected."""
    accounts.register("dave", "dave@example.org", PASSWORD)
    token = csrf_token(client)
    _fail_on(client, "page", "carol", 10, token)
    _fail_on(client, "basic-write", "carol@example.org", 9, token)
    assert token_request(client, "carol", PASSWORD).status_code == 201  # 19: still in
    _fail_on(client, "token", "CAROL", 1, token)
    _assert_429(token_request(client, "carol", PASSWORD))
    _assert_429(page_login(client, "carol", PASSWORD, token))
    assert token_request(client, "dave", PASSWORD).status_code == 201


def test_an_unknown_account_is_limited_the_same_way(client, carol):
    """A name nobody has gets its 429 after 20 failures too: the limit tells nothing."""
    token = csrf_token(client)
    _fail_on(client, "basic-write", "nobody", 20, token)
    _assert_429(basic_write(client, "nobody", PASSWORD))
    _assert_429(page_login(client, "nobody", PASSWORD, token))
    assert basic_write(client, "carol", PASSWORD).status_code == 400


def test_the_limit_lifts_after_an_hour(client, carol, monkeypatch):
    """The window is an hour: later, the owner gets in again."""
    import time

    token = csrf_token(client)
    _fail_on(client, "token", "carol", 20, token)
    _assert_429(token_request(client, "carol", PASSWORD))
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 3601)
    assert token_request(client, "carol", PASSWORD).status_code == 201


# -- guessing the current password when changing it -------------------------------------


@pytest.mark.parametrize("where", ["page", "api"])
def test_wrong_current_passwords_count_as_failed_logins(app, client, carol, where):
    """A stolen session or token cannot guess the password through "change password":
    wrong current passwords count for the account, then even the right one is a 429."""
    browser = app.test_client()
    assert page_login(browser, "carol", PASSWORD).status_code == 302
    api_token = token_request(client, "carol", PASSWORD).get_json()["token"]
    form_token = csrf_token(browser, "/settings")

    def change(current: str):
        if where == "page":
            return browser.post("/settings/password", data={
                "current_password": current, "new_password": NEW_PASSWORD,
                "confirm": NEW_PASSWORD, "csrf_token": form_token})
        return client.patch(f"{API}/users/carol", headers={"Authorization": f"Bearer {api_token}"},
                            json={"current_password": current, "password": NEW_PASSWORD})

    for n in range(20):
        assert change(f"guess number {n}").status_code == 400, n
    _assert_429(change(PASSWORD))
    _assert_429(token_request(client, "carol", PASSWORD))
