"""Account mail without Redis: confirmation, change of address, password reset, the
confirmed-only edit rule, and how mail is written (tests/mail/ runs the real queue).

The testing app keeps its mail in memory (``app.extensions["pkyx.outbox"]``); links are
read from the mails' text, as a person would copy them.
"""

from __future__ import annotations

import base64
import logging
import re
from email.message import EmailMessage

import pytest
from bson import ObjectId

from app import create_app
from app.mail.queue import retry_wait
from app.repositories import dump
from app.services.links import AccountLinks

PASSWORD = "correct horse battery"
NEW_PASSWORD = "a brand new passphrase"
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
LINK = re.compile(r"https?://\S+")


def csrf(client, path: str = "/login") -> str:
    return TOKEN.search(client.get(path).get_data(as_text=True)).group(1)


def login(client, login_name: str = "alice", password: str = PASSWORD):
    return client.post("/login", data={"login": login_name, "password": password,
                                       "csrf_token": csrf(client)})


def shown(response) -> str:
    """A page's text without tags (addresses are marked up)."""
    return re.sub(r"<[^>]+>", "", response.get_data(as_text=True))


def logged_in(client) -> bool:
    return client.get("/settings").status_code == 200


def basic(login_name: str, password: str) -> dict:
    raw = base64.b64encode(f"{login_name}:{password}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


def text_of(mail: EmailMessage) -> str:
    return mail.get_body(("plain",)).get_content()


def html_of(mail: EmailMessage) -> str:
    return mail.get_body(("html",)).get_content()


def link_in(mail: EmailMessage) -> str:
    """The one link of an account mail's text, made relative for the test client."""
    [link] = [url for url in LINK.findall(text_of(mail)) if "/confirm" in url or "/reset" in url]
    return re.sub(r"^https?://[^/]+", "", link)


@pytest.fixture
def outbox(app):
    box = app.extensions["pkyx.outbox"]
    box.clear()
    return box


def register(client, username="carol", email="carol@example.org", **headers):
    return client.post("/register", headers=headers, data={
        "username": username, "email": email, "password": PASSWORD,
        "csrf_token": csrf(client, "/register")})


# -- registration and confirmation ---------------------------------------------------------


def test_registration_mails_a_link_that_confirms_the_address(client, outbox, repos):
    """A page registration logs in, shows "check your inbox" and mails a link (plain text
    and HTML, no remote images); following it confirms the address, once."""
    response = register(client)
    assert response.status_code == 302 and response.headers["Location"] == "/confirm"
    page = shown(client.get("/confirm"))
    assert "Check your inbox" in page and "We have sent a link to carol@example.org" in page
    [mail] = outbox
    assert (mail["To"], mail["Subject"]) == ("carol@example.org",
                                             "Confirm your e-mail address for pkyx")
    assert mail["Auto-Submitted"] == "auto-generated" and mail["Content-Language"] == "en"
    html = html_of(mail)
    assert "<img" not in html and "src=" not in html  # nothing fetched when read: no tracking
    link = link_in(mail)
    assert link.startswith("/confirm/") and link in html
    assert "48 hours" in text_of(mail) and "Hello carol," in text_of(mail)
    assert repos.users.get("carol")["email_confirmed"] is False
    response = client.get(link)
    assert response.status_code == 302 and response.headers["Location"] == "/settings"
    user = repos.users.get("carol")
    assert user["email_confirmed"] is True and user["confirmed_at"] is not None
    assert "carol@example.org is confirmed" in shown(client.get("/settings"))
    again = client.get(link)
    assert again.status_code == 410
    assert "This link has been used" in again.get_data(as_text=True)


def test_the_link_works_without_a_session(app, outbox, repos):
    """The link is opened in another browser (a phone's mail app): it confirms there too."""
    register(app.test_client())
    response = app.test_client().get(link_in(outbox[0]))
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert repos.users.get("carol")["email_confirmed"] is True


def test_an_expired_link_is_refused_with_a_clear_page(client, outbox, repos, clock):
    """After 48 hours the link is refused (410) and says so; "send it again" works."""
    register(client)
    link = link_in(outbox[0])
    clock.move(48 * 3600 + 1)
    response = client.get(link)
    assert response.status_code == 410
    page = response.get_data(as_text=True)
    assert "This link has expired" in page and 'action="/confirm/resend"' in page
    assert repos.users.get("carol")["email_confirmed"] is False
    client.post("/confirm/resend", data={"csrf_token": csrf(client, "/confirm")})
    assert len(outbox) == 2 and client.get(link_in(outbox[1])).status_code == 302
    assert repos.users.get("carol")["email_confirmed"] is True


@pytest.mark.parametrize("token", [
    "not-a-token",
    "eyJ1aWQiOiJ4In0.ZZZZZZ.abcdefabcdefabcdefabcdefabc",
])
def test_an_invalid_link_is_a_400_page(client, token):
    """A mangled or forged link: 400, saying to copy the whole address."""
    response = client.get(f"/confirm/{token}")
    assert response.status_code == 400
    assert "This link does not work" in response.get_data(as_text=True)


def test_a_token_of_one_kind_never_works_as_another(app, client, outbox, accounts, repos):
    """Each kind has its own salt: a confirmation token is no reset token, nor an API one."""
    register(client)
    token = link_in(outbox[0]).rsplit("/", 1)[1]
    assert app.test_client().get(f"/reset/{token}").status_code == 400
    assert app.test_client().get(f"/confirm-email/{token}").status_code == 400
    api = app.test_client().post("/api/v1/entries", json={"title": "x", "category": "y"},
                                 headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 401


def test_resending_is_limited_per_account(app, client, outbox):
    """"Send the link again" is a POST, limited per account (429 with Retry-After)."""
    app.config["RATELIMIT_CONFIRMATION_MAILS"] = "2/hour"
    register(client)
    token = csrf(client, "/confirm")
    answers = [client.post("/confirm/resend", data={"csrf_token": token}) for _ in range(3)]
    assert [a.status_code for a in answers] == [302, 302, 429]
    assert int(answers[2].headers["Retry-After"]) > 0
    assert len(outbox) == 3  # the registration's and two more


def test_a_confirmed_account_gets_no_mail_when_asking_again(client, outbox, repos):
    register(client)
    client.get(link_in(outbox[0]))
    client.post("/confirm/resend", data={"csrf_token": csrf(client, "/confirm")})
    assert len(outbox) == 1
    assert "Your e-mail address is confirmed already." in shown(client.get("/confirm"))


def test_api_registration_stays_201_and_mails_in_the_clients_language(client, outbox):
    """POST /api/v1/users keeps its contract (201 + Location) and mails the link in the
    language of Accept-Language."""
    response = client.post("/api/v1/users", headers={"Accept-Language": "zh-CN"}, json={
        "username": "dave", "email": "dave@example.org", "password": PASSWORD})
    assert response.status_code == 201 and response.headers["Location"] == "/api/v1/users/dave"
    assert response.get_json()["email_confirmed"] is False
    [mail] = outbox
    assert mail["Content-Language"] == "zh-Hans" and "确认" in mail["Subject"]


def test_demo_users_and_operators_accounts_are_confirmed(seeded_app, accounts, outbox):
    """The seed's users, and an admin made by manage.py create-admin, need no link."""
    repos = seeded_app.extensions["pkyx.repos"]
    assert all(user["email_confirmed"] for user in repos.users.page(0, 100))
    admin = accounts.create_admin("root", "root@example.org", "a long operator passphrase")
    assert admin["email_confirmed"] is True and outbox == []


# -- a change of address -------------------------------------------------------------------


def test_a_new_address_is_used_only_once_confirmed(app, client, outbox, accounts, repos):
    """The new address waits; mail and login by address keep the old one until the link
    mailed to the new one is followed. The old address of a confirmed account stays
    confirmed meanwhile."""
    alice = accounts.register("alice", "alice@example.org", PASSWORD, confirmed=True)
    accounts.update_profile(alice["_id"], {"email": "alice@new.example"})
    user = repos.users.get("alice")
    assert (user["email"], user["pending_email"], user["email_confirmed"]) == (
        "alice@example.org", "alice@new.example", True)
    [mail] = outbox
    assert (mail["To"], mail["Subject"]) == ("alice@new.example",
                                             "Confirm your new e-mail address for pkyx")
    assert app.test_client().post("/api/v1/tokens",
                                  headers=basic("alice@new.example", PASSWORD)).status_code == 401
    response = client.get(link_in(mail))
    assert response.status_code == 302
    user = repos.users.get("alice")
    assert (user["email"], user["pending_email"]) == ("alice@new.example", None)
    assert client.get(link_in(mail)).status_code == 410


def test_a_newer_change_replaces_the_older_link(client, outbox, accounts, repos):
    """Only the latest new address can be confirmed; going back to the current address
    cancels the change."""
    alice = accounts.register("alice", "alice@example.org", PASSWORD, confirmed=True)
    accounts.update_profile(alice["_id"], {"email": "first@example.org"})
    accounts.update_profile(alice["_id"], {"email": "second@example.org"})
    first, second = outbox
    assert client.get(link_in(first)).status_code == 410
    accounts.update_profile(alice["_id"], {"email": "alice@example.org"})
    assert repos.users.get("alice")["pending_email"] is None
    assert client.get(link_in(second)).status_code == 410
    assert repos.users.get("alice")["email"] == "alice@example.org"


def test_an_address_taken_meanwhile_is_not_taken_over(client, outbox, accounts, repos):
    """Another account registered the waiting address before the link was followed: the
    change fails with a message and nothing changes."""
    alice = accounts.register("alice", "alice@example.org", PASSWORD, confirmed=True)
    accounts.update_profile(alice["_id"], {"email": "shared@example.org"})
    accounts.register("bob", "shared@example.org", PASSWORD)
    response = client.get(link_in(outbox[0]))
    assert response.status_code == 302
    assert repos.users.get("alice")["email"] == "alice@example.org"


def test_the_old_address_hears_of_a_change(client, outbox, accounts):
    """Once the new address is confirmed, the old one gets a notice (no link to follow but
    the site): a takeover by a change of address does not go unseen."""
    alice = accounts.register("alice", "alice@example.org", PASSWORD, confirmed=True)
    accounts.update_profile(alice["_id"], {"email": "alice@new.example"})
    client.get(link_in(outbox[0]))
    notice = outbox[-1]
    assert (notice["To"], notice["Subject"]) == (
        "alice@example.org", "The e-mail address of your pkyx account was changed")
    assert "from alice@example.org to alice@new.example" in text_of(notice)
    assert "/confirm" not in text_of(notice) and "/reset/" not in text_of(notice)


def test_a_changed_password_is_told_to_the_owner(app, client, outbox, accounts):
    """Settings (or the API) change the password: the owner gets a notice with the way to a
    reset, in case it was not them."""
    accounts.register("alice", "alice@example.org", PASSWORD, confirmed=True)
    login(client)
    outbox.clear()
    response = client.post("/settings/password", data={
        "current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD,
        "csrf_token": csrf(client, "/settings")})
    assert response.status_code == 302
    [notice] = outbox
    assert (notice["To"], notice["Subject"]) == (
        "alice@example.org", "The password of your pkyx account was changed")
    assert "http://localhost/reset\n" in text_of(notice)


# -- password reset ------------------------------------------------------------------------


def _ask_reset(client, email: str):
    return client.post("/reset", data={"email": email, "csrf_token": csrf(client, "/reset")})


def test_forgot_password_is_offered_on_the_login_page_and_modal(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/reset" id="forgot-password"' in page
    home = client.get("/").get_data(as_text=True)
    assert 'id="modal-forgot-password"' in home and 'href="/reset"' in home


def test_a_reset_ends_every_session_and_token(app, client, outbox, accounts, repos):
    """The reset mail's link leads to a form (the token leaves the address bar); the new
    password works, the old one does not, and every old session and API token dies."""
    accounts.register("alice", "alice@example.org", PASSWORD)
    old_session = app.test_client()
    assert login(old_session).status_code == 302 and logged_in(old_session)
    token = app.test_client().post("/api/v1/tokens", headers=basic("alice", PASSWORD))
    bearer = {"Authorization": f"Bearer {token.get_json()['token']}"}
    assert client.get("/api/v1/users/alice", headers=bearer).get_json().get("email")

    outbox.clear()
    sent = _ask_reset(client, "Alice@Example.org")
    assert sent.status_code == 200
    assert "If an account has the address alice@example.org" in shown(sent)
    [mail] = outbox
    assert (mail["To"], mail["Subject"]) == ("alice@example.org", "Reset your pkyx password")
    assert "60 minutes" in text_of(mail)
    opened = client.get(link_in(mail))
    assert opened.status_code == 302 and opened.headers["Location"] == "/reset/password"
    form = client.get("/reset/password")
    assert form.status_code == 200 and "For the account alice" in form.get_data(as_text=True)
    token_field = csrf(client, "/reset/password")
    weak = client.post("/reset/password", data={"new_password": "alice", "confirm": "alice",
                                                "csrf_token": token_field})
    assert weak.status_code == 400
    done = client.post("/reset/password", data={"new_password": NEW_PASSWORD,
                                                "confirm": NEW_PASSWORD,
                                                "csrf_token": token_field})
    assert done.status_code == 302 and done.headers["Location"] == "/login"

    assert not logged_in(old_session)
    assert client.get("/api/v1/users/alice", headers=bearer).get_json().get("email") is None
    assert app.test_client().post("/api/v1/tokens",
                                  headers=basic("alice", PASSWORD)).status_code == 401
    assert [m["Subject"] for m in outbox] == ["Reset your pkyx password",
                                               "The password of your pkyx account was changed"]
    fresh = app.test_client()
    assert login(fresh, "alice", PASSWORD).status_code == 401
    assert login(fresh, "alice", NEW_PASSWORD).status_code == 302
    # Following the link proved the address.
    assert repos.users.get("alice")["email_confirmed"] is True
    # The link is used up: opening it again says so.
    again = app.test_client().get(link_in(mail))
    assert again.status_code == 410 and "has been used" in again.get_data(as_text=True)


def test_an_expired_reset_link_is_refused(client, outbox, accounts, clock):
    """A reset link lasts an hour; after that, a 410 page offering a new one."""
    accounts.register("alice", "alice@example.org", PASSWORD)
    outbox.clear()
    _ask_reset(client, "alice@example.org")
    link = link_in(outbox[0])
    clock.move(3601)
    response = client.get(link)
    assert response.status_code == 410
    page = response.get_data(as_text=True)
    assert "This link has expired" in page and 'href="/reset"' in page


def test_a_reset_link_expiring_on_the_form_is_refused_there(client, outbox, accounts, clock):
    """Opened in time but submitted late: the form's POST is refused too."""
    accounts.register("alice", "alice@example.org", PASSWORD)
    outbox.clear()
    _ask_reset(client, "alice@example.org")
    client.get(link_in(outbox[0]))
    token_field = csrf(client, "/reset/password")
    clock.move(3601)
    response = client.post("/reset/password", data={
        "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": token_field})
    assert response.status_code == 410


def test_the_reset_form_without_a_link_is_a_clear_400(client):
    response = client.get("/reset/password")
    assert response.status_code == 400 and "This link does not work" in response.get_data(
        as_text=True)


def test_two_reset_links_die_with_the_first_new_password(app, outbox, accounts):
    """Both links of two requests name the old password: the first use kills the other."""
    accounts.register("alice", "alice@example.org", PASSWORD)
    outbox.clear()
    client = app.test_client()
    _ask_reset(client, "alice@example.org")
    _ask_reset(client, "alice@example.org")
    first, second = (link_in(mail) for mail in outbox)
    client.get(first)
    client.post("/reset/password", data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD,
                                         "csrf_token": csrf(client, "/reset/password")})
    assert app.test_client().get(second).status_code == 410


def test_unknown_and_known_addresses_get_the_same_answer(client, outbox, accounts, app):
    """Status and body are the same; only a known address gets mail."""
    accounts.register("alice", "alice@example.org", PASSWORD)
    outbox.clear()
    known = _ask_reset(client, "alice@example.org")
    unknown = _ask_reset(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    assert known.get_data(as_text=True).replace("alice@", "X@") == \
        unknown.get_data(as_text=True).replace("nobody@", "X@")
    assert [mail["To"] for mail in outbox] == ["alice@example.org"]


def test_reset_requests_are_limited_per_address_and_quietly_per_account(app, client, outbox,
                                                                        accounts):
    """Per client address a 429; per account the mails stop, and the answer stays the
    same (so the limit tells nothing about the address either)."""
    accounts.register("alice", "alice@example.org", PASSWORD)
    outbox.clear()
    app.config["RATELIMIT_PASSWORD_RESETS"] = "2/hour"
    app.config["RATELIMIT_PASSWORD_RESETS_ADDRESS"] = "4/hour"
    answers = [_ask_reset(client, "alice@example.org") for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert answers[1].get_data() == answers[2].get_data()
    assert len(outbox) == 2
    assert _ask_reset(client, "nobody@example.org").status_code == 200
    limited = _ask_reset(client, "alice@example.org")
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    assert "Too many password resets" in limited.get_data(as_text=True)


def test_a_malformed_address_is_a_400_whoever_asks(client):
    response = _ask_reset(client, "not an address")
    assert response.status_code == 400
    assert "Email address is not valid" in response.get_data(as_text=True)


# -- confirmed accounts only (PKYX_REQUIRE_CONFIRMED) --------------------------------------


@pytest.fixture
def strict(app):
    app.config["REQUIRE_CONFIRMED"] = True
    return app


def test_an_unconfirmed_account_reads_but_does_not_edit(strict, client, outbox, repos,
                                                        phones):
    """Pages: a banner with "send the link again", and a write is a 403 page with the
    same offer; the API: a 403 problem. Once confirmed, both work."""
    register(client)
    home = client.get("/").get_data(as_text=True)
    assert "data-confirm-banner" in home and "carol@example.org" in home
    assert client.get("/entries/new").status_code == 200  # reading needs nothing
    refused = client.post("/entries/new", data={
        "title": "Pixel 9", "category": "phones", "csrf_token": csrf(client, "/entries/new")})
    assert refused.status_code == 403
    page = refused.get_data(as_text=True)
    assert "Confirm your e-mail address first" in page and 'action="/confirm/resend"' in page
    api = client.post("/api/v1/entries", headers=basic("carol", PASSWORD),
                      json={"title": "Pixel 9", "category": "phones"})
    assert api.status_code == 403 and api.mimetype == "application/problem+json"
    assert "Confirm your e-mail address" in api.get_json()["detail"]
    assert repos.entries.count() == 0

    client.get(link_in(outbox[0]))
    assert "data-confirm-banner" not in client.get("/").get_data(as_text=True)
    api = client.post("/api/v1/entries", headers=basic("carol", PASSWORD),
                      json={"title": "Pixel 9", "category": "phones"})
    assert api.status_code == 201


def test_an_unconfirmed_account_still_manages_itself(strict, client, outbox, repos):
    """A typo in the address is fixed in settings: the profile can change unconfirmed."""
    register(client, email="carol@exmaple.org")
    response = client.post("/settings/profile", data={
        "email": "carol@example.org", "location": "", "website": "", "bio": "",
        "csrf_token": csrf(client, "/settings")})
    assert response.status_code == 302
    fixed = outbox[-1]
    assert fixed["To"] == "carol@example.org"
    client.get(link_in(fixed))
    user = repos.users.get("carol")
    assert (user["email"], user["email_confirmed"]) == ("carol@example.org", True)


def test_the_rule_is_off_in_development_and_tests(client, repos, phones, accounts):
    accounts.register("carol", "carol@example.org", PASSWORD)
    response = client.post("/api/v1/entries", headers=basic("carol", PASSWORD),
                           json={"title": "Pixel 9", "category": "phones"})
    assert response.status_code == 201


# -- older data ----------------------------------------------------------------------------


def test_accounts_from_before_confirmation_count_as_confirmed(app, repos, accounts):
    """A dump an older pkyx wrote has no email_confirmed: importing it marks its accounts
    confirmed (and they count as confirmed even before)."""
    accounts.register("old", "old@example.org", PASSWORD)
    data = dump.export_data(app.extensions["pkyx.store"])
    for user in data["collections"]["users"]:
        for name in ("email_confirmed", "confirmed_at", "pending_email", "locale"):
            del user[name]
    dump.import_data(app.extensions["pkyx.store"], data, replace=True)
    user = repos.users.get("old")
    assert user["email_confirmed"] is True and user["confirmed_at"] is None


def test_migrate_marks_older_accounts_confirmed(app, runner, repos, accounts):
    accounts.register("old", "old@example.org", PASSWORD)
    repos.users.col.update_one({"username": "old"}, {"$unset": {"email_confirmed": ""}})
    result = runner.invoke(args=["migrate"])
    assert "1 older accounts marked confirmed" in result.output
    assert repos.users.get("old")["email_confirmed"] is True


# -- how mail is written and sent ----------------------------------------------------------


def test_links_are_built_on_the_public_url_never_the_host_header(app, client, outbox):
    """With PUBLIC_URL set (required in production), a forged Host is not in the mail."""
    app.config["PUBLIC_URL"] = "https://pkyx.example.org"
    response = client.post("/api/v1/users", headers={"Host": "evil.example"}, json={
        "username": "carol", "email": "carol@example.org", "password": PASSWORD})
    assert response.status_code == 201
    [mail] = outbox
    assert "https://pkyx.example.org/confirm/" in text_of(mail)
    assert "evil.example" not in mail.as_string()


def test_development_writes_mail_to_files_and_logs_the_link(tmp_path, caplog):
    """No broker, no SMTP host: the mail is written to MAIL_DIR/*.eml in the request and
    its link logged (make run's path)."""
    app = create_app("testing", {"MAIL_TRANSPORT": "", "MAIL_DIR": str(tmp_path / "mail")})
    try:
        client = app.test_client()
        with caplog.at_level(logging.WARNING, logger="app.mail"):
            register(client)
        [eml] = (tmp_path / "mail").glob("*.eml")
        raw = eml.read_text()
        assert "To: carol@example.org" in raw and "multipart/alternative" in raw
        link = re.search(r"its link: (\S+)", caplog.text).group(1)
        assert "/confirm/" in link
        assert client.get(re.sub(r"^https?://[^/]+", "", link)).status_code == 302
    finally:
        app.extensions["pkyx.store"].close()


def test_send_test_mail(runner, outbox):
    """manage.py send-test-mail ADDRESS sends a test message the way account mail goes."""
    result = runner.invoke(args=["send-test-mail", "Ops@Example.org", "--lang", "zh_Hans"])
    assert result.exit_code == 0, result.output
    assert "A test message to ops@example.org" in result.output
    [mail] = outbox
    assert mail["To"] == "ops@example.org" and mail["Content-Language"] == "zh-Hans"
    bad = runner.invoke(args=["send-test-mail", "not-an-address"])
    assert bad.exit_code == 1 and "not valid" in bad.output


def test_a_chinese_reader_gets_chinese_mail(client, outbox):
    """The registration's language is the mail's; the link is the same kind."""
    client.set_cookie("pkyx_lang", "zh_Hans")
    register(client)
    [mail] = outbox
    assert mail["Content-Language"] == "zh-Hans"
    assert "carol" in text_of(mail) and "确认" in text_of(mail)
    assert '<html lang="zh-Hans">' in html_of(mail)


def test_retry_waits_double_up_to_the_limit():
    settings = {"MAIL_RETRY_FIRST_WAIT": 1, "MAIL_RETRY_MAX_WAIT": 600}
    assert [retry_wait(settings, n) for n in range(12)] == [
        1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 600, 600]


def test_links_read_their_own_claims_only():
    links = AccountLinks("k" * 32, confirm_seconds=10, reset_seconds=10)
    token = links.make("reset", {"uid": str(ObjectId()), "ph": "x"})
    assert links.read("reset", token)["ph"] == "x"
    for bad in (None, "", "x" * 1001, token + "x"):
        with pytest.raises(Exception, match="not valid"):
            links.read("reset", bad)
