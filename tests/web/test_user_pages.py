"""Profiles and settings: profile, avatar, password, log out everywhere; CSRF and XSS."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.test_images import many_scan_jpeg

PASSWORD = "correct horse battery"
NEW_PASSWORD = "a brand new passphrase"
PAYLOADS = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>')
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
MIB = 1024 * 1024


def csrf_token(client, path: str = "/login") -> str:
    """The CSRF token of the first form on ``path``."""
    return TOKEN.search(client.get(path).get_data(as_text=True)).group(1)


def login(client, username: str = "alice", password: str = PASSWORD):
    """Log in through the login form, as a browser does."""
    return client.post("/login", data={"login": username, "password": password,
                                       "csrf_token": csrf_token(client)})


def logged_in(client) -> bool:
    """Whether the client's session is still a logged-in one."""
    return client.get("/settings").status_code == 200


def post(client, path: str, **data):
    """A settings POST with this session's CSRF token."""
    return client.post(path, data={"csrf_token": csrf_token(client, "/settings"), **data})


def png(size=(40, 30)) -> bytes:
    """A small PNG made with Pillow."""
    out = io.BytesIO()
    Image.new("RGB", size, (20, 120, 200)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def browser(client, alice):
    """A client logged in as alice."""
    assert login(client).status_code == 302
    return client


def escaped(html: str) -> bool:
    """No payload appears unescaped."""
    return not any(payload in html for payload in PAYLOADS) and "onerror=alert(1)>" not in html


# -- profile ---------------------------------------------------------------------------------


def test_profile_shows_the_user_and_contributions(client, alice, accounts, phones, wiki):
    """Username, location, website (nofollow), bio, joined date, counts and contributions."""
    accounts.update_profile(alice["_id"], {"location": "Berlin", "bio": "Weighs phones.",
                                           "website": "https://example.org/alice"})
    wiki.create_entry("alice", title="Pixel 8", category="phones", comment="new phone")
    wiki.edit_entry("alice", "pixel-8", 1, fields={"summary": "Google's phone"},
                    comment="add a summary")
    html = client.get("/users/alice").get_data(as_text=True)
    assert "<h1" in html and "alice" in html and "Berlin" in html and "Weighs phones." in html
    assert re.search(r'href="https://example.org/alice" rel="nofollow noopener"', html)
    assert "Joined " in html and "1 edit" in html and "1 entry created" in html
    assert "add a summary" in html and "new phone" in html
    assert html.count('href="/entries/pixel-8"') == 3  # two revisions, one created entry
    assert "bi-person-circle" in html and "/api/v1/users/alice/avatar" not in html


def test_unknown_users_are_404(client):
    """A profile that does not exist is the 404 page."""
    assert client.get("/users/nobody").status_code == 404


def test_profile_names_are_found_ignoring_case(client, alice):
    """Usernames are unique ignoring case, so /users/ALICE is alice."""
    assert client.get("/users/ALICE").status_code == 200


@pytest.mark.parametrize("payload", PAYLOADS)
def test_profile_fields_are_escaped(client, alice, accounts, payload):
    """Markup in location and bio is shown as text on the profile page."""
    accounts.update_profile(alice["_id"], {"location": payload, "bio": payload,
                                           "website": f'https://example.org/?q={payload}'
                                           if " " not in payload else ""})
    html = client.get("/users/alice").get_data(as_text=True)
    assert escaped(html)
    assert payload.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;") in html


def test_a_website_in_the_profile_is_escaped_in_the_link(client, alice, accounts):
    """A quote in an allowed URL cannot break out of the href."""
    accounts.update_profile(alice["_id"], {"website": 'https://example.org/"><script>x'})
    html = client.get("/users/alice").get_data(as_text=True)
    assert 'href="https://example.org/&#34;&gt;&lt;script&gt;x"' in html
    assert "<script>x" not in html


# -- settings: profile ---------------------------------------------------------------------


def test_settings_need_a_login(client):
    """Anonymous visitors are sent to the login page."""
    response = client.get("/settings")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_settings_show_the_current_profile(browser, accounts, alice):
    """The profile form is filled in with what is stored."""
    accounts.update_profile(alice["_id"], {"location": "Berlin"})
    html = browser.get("/settings").get_data(as_text=True)
    assert 'value="alice@example.org"' in html and 'value="Berlin"' in html
    # four forms, the header's "log out" and "send the link again" (alice is unconfirmed)
    assert html.count('name="csrf_token"') == 6
    assert 'id="csrf_token"' not in html  # ids stay unique


def test_profile_form_saves(browser, repos, app):
    """Location, website and bio are saved; a new email address waits for the link mailed
    to it, and becomes the account's once that link is followed; the page says so."""
    outbox = app.extensions["pkyx.outbox"]
    outbox.clear()
    response = post(browser, "/settings/profile", email="Alice@Example.net",
                    location="Paris", website="https://alice.example", bio="Hi!")
    assert response.status_code == 302
    user = repos.users.get("alice")
    assert (user["email"], user["pending_email"], user["location"], user["website"],
            user["bio"]) == ("alice@example.org", "alice@example.net", "Paris",
                             "https://alice.example", "Hi!")
    html = re.sub(r"<[^>]+>", "", browser.get("/settings").get_data(as_text=True))
    assert "Your profile is saved." in html and "We have sent a link to alice@example.net" in html
    [mail] = outbox
    assert mail["To"] == "alice@example.net"
    link = mail["X-Pkyx-Link"]
    assert browser.get(link).status_code == 302
    user = repos.users.get("alice")
    assert (user["email"], user["pending_email"], user["email_confirmed"]) == (
        "alice@example.net", None, True)


@pytest.mark.parametrize("fields, message", [
    ({"website": "javascript:alert(1)"}, "Website must be an http:// or https:// address."),
    ({"website": "data:text/html,<script>alert(1)</script>"}, "Website must be an http://"),
    ({"email": "not-an-email"}, "email"),
    ({"email": "bob@example.org"}, "already exists"),
    ({"location": "x" * 81}, "Field cannot be longer than 80 characters."),
])
def test_profile_form_refuses_bad_values(browser, accounts, repos, fields, message):
    """Refused values: 400, the message beside the field, nothing saved."""
    accounts.register("bob", "bob@example.org", "another good password")
    data = {"email": "alice@example.org", "location": "", "website": "", "bio": "", **fields}
    response = post(browser, "/settings/profile", **data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    name = next(iter(fields))
    feedback = re.search(rf'id="{name}-errors">(.*?)</div>\s*</div>', html, re.S)
    assert feedback and message.lower() in feedback.group(1).lower()
    assert escaped(html) and "<script>alert(1)</script>" not in html
    user = repos.users.get("alice")
    assert user["website"] == "" and user["email"] == "alice@example.org"


# -- CSRF ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path, data", [
    ("/settings/profile", {"email": "alice@example.org"}),
    ("/settings/avatar", {"file": (io.BytesIO(b""), "a.png")}),
    ("/settings/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD,
                            "confirm": NEW_PASSWORD}),
    ("/settings/logout-everywhere", {}),
])
def test_every_settings_form_needs_its_csrf_token(browser, repos, path, data):
    """A POST without the token is a 400 page and changes nothing."""
    stamp = repos.users.get("alice")["auth_stamp"]
    if path == "/settings/avatar":
        data = {"file": (io.BytesIO(png()), "a.png")}
    response = browser.post(path, data=data)
    assert response.status_code == 400
    assert "could not be understood" in response.get_data(as_text=True)
    assert repos.users.get("alice")["auth_stamp"] == stamp
    assert repos.users.get("alice")["avatar"] is None
    assert logged_in(browser)


# -- settings: password --------------------------------------------------------------------


def test_password_change_keeps_this_session_and_ends_the_others(browser, app):
    """This browser stays in; a copy of the old session cookie and the old password do not."""
    copy = app.test_client()
    copy.set_cookie("session", browser.get_cookie("session").value)
    assert logged_in(copy)
    response = post(browser, "/settings/password", current_password=PASSWORD,
                    new_password=NEW_PASSWORD, confirm=NEW_PASSWORD)
    assert response.status_code == 302
    page = browser.get("/settings")
    assert page.status_code == 200 and "Your password is changed." in page.get_data(as_text=True)
    assert not logged_in(copy)
    fresh = app.test_client()
    assert login(fresh, password=PASSWORD).status_code == 401
    assert login(fresh, password=NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize("fields, field, message", [
    ({"current_password": "wrong password!!"}, "current_password", "not right"),
    ({"confirm": "something else entirely"}, "confirm", "not the same"),
    ({"new_password": "short", "confirm": "short"}, "new_password", "at least"),
    ({"new_password": "alice", "confirm": "alice"}, "new_password", "password"),
])
def test_password_change_refusals(browser, fields, field, message):
    """Wrong current password, mismatch or a weak new one: 400 beside the field, still in."""
    data = {"current_password": PASSWORD, "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD, **fields}
    response = post(browser, "/settings/password", **data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(rf'id="{field}-errors">.*?{message}', html, re.S)
    assert PASSWORD not in html and NEW_PASSWORD not in html  # passwords are not echoed
    assert logged_in(browser)


# -- settings: log out everywhere ----------------------------------------------------------


def test_logout_everywhere_ends_every_session(browser, app):
    """Another browser's session and this one both end."""
    other = app.test_client()
    login(other)
    assert logged_in(other)
    response = post(browser, "/settings/logout-everywhere")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert not logged_in(browser) and not logged_in(other)
    assert "You are logged out everywhere." in browser.get("/").get_data(as_text=True)


# -- settings: avatar ----------------------------------------------------------------------


def test_avatar_upload_is_stored_and_shown(browser, repos, client):
    """A PNG is re-encoded, shown on the profile and in settings; a new one replaces it."""
    response = post(browser, "/settings/avatar", file=(io.BytesIO(png()), "me.png"))
    assert response.status_code == 302
    first = repos.users.get("alice")["avatar"]
    assert first is not None
    served = browser.get("/api/v1/users/alice/avatar")
    assert served.status_code == 200 and served.mimetype in ("image/png", "image/webp")
    assert 'src="/api/v1/users/alice/avatar"' in browser.get("/users/alice").get_data(as_text=True)
    post(browser, "/settings/avatar", file=(io.BytesIO(png((50, 50))), "again.jpg"))
    second = repos.users.get("alice")["avatar"]
    assert second != first and repos.avatars.ids() == {second}


@pytest.mark.parametrize("name, data, message", [
    ("page.png", b"<!doctype html><script>alert(1)</script>", "not an image pkyx accepts"),
    ("cut.png", png((200, 200))[:100], "damaged"),
    ("empty.png", b"", "The file is empty."),
    ("scans.jpg", many_scan_jpeg(), "more than 100 scans"),
])
def test_bad_avatars_are_refused_and_nothing_is_stored(browser, repos, name, data, message):
    """HTML named .png, a cut PNG or nothing: 400 with a message beside the field."""
    response = post(browser, "/settings/avatar", file=(io.BytesIO(data), name))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(rf'id="file-errors">.*?{message}', html, re.S)
    assert repos.users.get("alice")["avatar"] is None and repos.avatars.ids() == set()


def test_avatar_over_2_mib_is_a_413_page(browser, repos):
    """An upload over the limit: the 413 page in the layout, nothing stored."""
    # Encoded in memory: the test client would spool a big body to a temporary file
    # that it never closes when the app refuses the request unread (413).
    big = FileStorage(io.BytesIO(b"\x89PNG" + bytes(2 * MIB)), "big.png", content_type="image/png")
    boundary, body = encode_multipart({"file": big,
                                       "csrf_token": csrf_token(browser, "/settings")})
    response = browser.post("/settings/avatar", data=body,
                            content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "too large" in html and '<main id="content"' in html
    assert repos.avatars.ids() == set()


def test_password_change_renews_a_remember_cookie(client, alice, app):
    """A browser that was remembered stays remembered, with a cookie carrying the new stamp."""
    client.post("/login", data={"login": "alice", "password": PASSWORD, "remember": "y",
                                "csrf_token": csrf_token(client)})
    old = client.get_cookie("remember_token").value
    post(client, "/settings/password", current_password=PASSWORD, new_password=NEW_PASSWORD,
         confirm=NEW_PASSWORD)
    new = client.get_cookie("remember_token").value
    assert new != old
    for cookie, works in ((old, False), (new, True)):
        other = app.test_client()
        other.set_cookie("remember_token", cookie)
        assert logged_in(other) is works
