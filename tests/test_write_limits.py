"""Write limits per account and per address (issue 17, item 4).

Entries created, edits, uploads, registrations and e-mail changes are limited on the
pages and in the API alike, counted per account and per client address in one counter
per action: the API answers 429 problem+json with ``Retry-After``, a page shows its form
again with the message and everything typed. Nothing here waits for a clock: a window
that has to pass is passed by moving ``time.time``.
"""

from __future__ import annotations

import base64
import importlib
import io
import re
from pathlib import Path

import pytest
from PIL import Image

from app import create_app
from app.services import AttributeInput

API = "/api/v1"
PASSWORD = "correct horse battery staple"
TOKEN = re.compile(r'(?:name="csrf-token" content|name="csrf_token"[^>]*value)="([^"]+)"')
HOME = {"REMOTE_ADDR": "192.0.2.10"}
ELSEWHERE = {"REMOTE_ADDR": "198.51.100.20"}
README = Path(__file__).resolve().parents[1] / "README.md"


def basic(login: str, password: str = PASSWORD) -> dict[str, str]:
    """An ``Authorization: Basic`` header."""
    return {"Authorization": "Basic " + base64.b64encode(f"{login}:{password}".encode()).decode()}


def csrf(client, path: str = "/login") -> str:
    """The CSRF token of the page at ``path`` in this client's session."""
    return TOKEN.search(client.get(path).get_data(as_text=True)).group(1)


def png(shade: int = 120) -> bytes:
    """A small PNG."""
    out = io.BytesIO()
    Image.new("RGB", (24, 24), (20, shade, 200)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def make_app(tmp_path):
    """``make_app(SETTING="3/minute", …)``: an app with some write limits set low."""
    apps = []

    def make(**limits):
        app = create_app("testing", {"PKYX_TEST_TMP": str(tmp_path), **limits})
        apps.append(app)
        accounts = app.extensions["pkyx.accounts"]
        accounts.register("carol", "carol@example.org", PASSWORD)
        accounts.register("dave", "dave@example.org", PASSWORD)
        repos = app.extensions["pkyx.repos"]
        repos.categories.upsert("phones", "Phones", "Smartphones")
        return app

    yield make
    for app in apps:
        app.extensions["pkyx.store"].close()


def assert_429(response, most: int) -> int:
    """A 429 problem+json with a whole-second Retry-After of at most ``most``."""
    assert response.status_code == 429, (response.status_code, response.get_data(as_text=True))
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["status"] == 429 and problem["detail"]
    wait = int(response.headers["Retry-After"])
    assert 0 < wait <= most, wait
    return wait


def page_login(client, login: str = "carol", **kwargs) -> None:
    """Log in through the login page."""
    response = client.post("/login", data={"login": login, "password": PASSWORD,
                                           "csrf_token": csrf(client)}, **kwargs)
    assert response.status_code == 302, response.status_code


def new_entry_api(client, title: str, login: str = "carol", **kwargs):
    return client.post(f"{API}/entries", json={"title": title, "category": "phones"},
                       headers=basic(login), **kwargs)


# -- entries created -----------------------------------------------------------------------


def test_entries_created_are_limited_per_account(make_app):
    """The probe's 950 entries in 7.5 s: the 4th entry in a minute is a 429, nothing stored;
    another account is not affected."""
    app = make_app(RATELIMIT_NEW_ENTRIES="3/minute")
    client = app.test_client()
    assert [new_entry_api(client, f"Phone {n}").status_code for n in range(3)] == [201] * 3
    assert_429(new_entry_api(client, "Phone 3"), 60)
    assert app.extensions["pkyx.repos"].entries.count() == 3
    assert new_entry_api(client, "Dave's phone", "dave").status_code == 201


def test_entries_created_are_limited_per_address(make_app):
    """Several accounts from one address share the address's limit; another address does not."""
    app = make_app(RATELIMIT_NEW_ENTRIES_ADDRESS="3/hour")
    client = app.test_client()
    statuses = [new_entry_api(client, f"Phone {n}", login, environ_base=HOME).status_code
                for n, login in enumerate(["carol", "carol", "dave"])]
    assert statuses == [201] * 3
    assert_429(new_entry_api(client, "Phone 4", "dave", environ_base=HOME), 3600)
    assert new_entry_api(client, "Phone 5", "dave", environ_base=ELSEWHERE).status_code == 201


def test_the_new_entry_page_shares_the_limit_and_keeps_what_was_typed(make_app):
    """Two by API, one on the page: the page's next one is a 429 page with the message,
    the title and summary still in the form."""
    app = make_app(RATELIMIT_NEW_ENTRIES="3/minute")
    client = app.test_client()
    for n in range(2):
        assert new_entry_api(client, f"Phone {n}").status_code == 201
    page_login(client)
    token = csrf(client, "/entries/new")
    first = client.post("/entries/new", data={"csrf_token": token, "title": "Pixel 9",
                                              "category": "phones"})
    assert first.status_code == 302
    refused = client.post("/entries/new", data={"csrf_token": token, "title": "Pixel 10",
                                                "category": "phones",
                                                "summary": "My careful summary"})
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    html = refused.get_data(as_text=True)
    assert "too many entries" in html
    assert 'value="Pixel 10"' in html and "My careful summary" in html
    assert app.extensions["pkyx.repos"].entries.count() == 3


def test_the_limit_lifts_when_its_window_has_passed(make_app, clock):
    """A limit slows; it does not lock: a minute later the account creates again."""
    app = make_app(RATELIMIT_NEW_ENTRIES="2/minute")
    client = app.test_client()
    assert [new_entry_api(client, f"Phone {n}").status_code for n in range(2)] == [201, 201]
    wait = assert_429(new_entry_api(client, "Phone 2"), 60)
    clock.move(wait + 1)
    assert new_entry_api(client, "Phone 2").status_code == 201


# -- edits ---------------------------------------------------------------------------------


def _put_weight(client, slug: str, value: str, login: str = "carol", **kwargs):
    etag = client.get(f"{API}/entries/{slug}").headers["ETag"]
    return client.put(f"{API}/entries/{slug}/attributes/weight", json={"value": value},
                      headers={**basic(login), "If-Match": etag}, **kwargs)


@pytest.fixture
def pixel(make_app):
    """An app with RATELIMIT_EDITS=3/minute and one entry (made by the service)."""
    app = make_app(RATELIMIT_EDITS="3/minute")
    wiki = app.extensions["pkyx.wiki"]
    wiki.create_entry("dave", title="Pixel 8", category="phones",
                      attributes=[AttributeInput("weight", "187 g", type="number")])
    return app


def test_edits_are_limited_per_account_across_api_and_pages(pixel):
    """Two API edits and one page edit use up 3/minute; the next API edit is a 429 and
    the one after it on the page is a 429 page that keeps the value typed."""
    client = pixel.test_client()
    assert _put_weight(client, "pixel-8", "188 g").status_code == 200
    assert _put_weight(client, "pixel-8", "189 g").status_code == 200
    page_login(client)
    version = pixel.extensions["pkyx.repos"].entries.get("pixel-8")["version"]
    token = csrf(client, "/entries/pixel-8")
    edit = {"csrf_token": token, "key": "weight", "type": "number", "form_id": "edit-weight"}
    saved = client.post("/entries/pixel-8/attributes",
                        data={**edit, "version": version, "value": "190", "unit": "g"})
    assert saved.status_code == 302
    assert_429(_put_weight(client, "pixel-8", "191 g"), 60)
    refused = client.post("/entries/pixel-8/attributes",
                          data={**edit, "version": version + 1, "value": "192", "unit": "g"})
    assert refused.status_code == 429 and 0 < int(refused.headers["Retry-After"]) <= 60
    html = refused.get_data(as_text=True)
    assert "too many changes" in html and 'value="192"' in html
    stored = pixel.extensions["pkyx.repos"].entries.get("pixel-8")["attributes"]["weight"]
    assert stored["value"] == 190
    assert _put_weight(client, "pixel-8", "193 g", "dave").status_code == 200


def test_a_limited_edit_with_javascript_gets_json_with_the_message(pixel):
    """entry.js's fetch gets ``{ok: false, errors}`` and a 429, and its form comes back."""
    client = pixel.test_client()
    for value in ("188 g", "189 g", "190 g"):
        assert _put_weight(client, "pixel-8", value).status_code == 200
    page_login(client)
    version = pixel.extensions["pkyx.repos"].entries.get("pixel-8")["version"]
    response = client.post("/entries/pixel-8/attributes", headers={
        "Accept": "application/json", "X-CSRFToken": csrf(client, "/entries/pixel-8")},
        data={"version": version, "key": "weight", "type": "number", "value": "191",
              "unit": "g", "form_id": "edit-weight"})
    assert response.status_code == 429
    body = response.get_json()
    assert body["ok"] is False and "too many changes" in " ".join(body["errors"].values())
    assert 'value="191"' in body["html"]


def test_reverts_and_removals_count_as_edits(pixel):
    """Every kind of edit draws on the same limit."""
    client = pixel.test_client()
    assert _put_weight(client, "pixel-8", "188 g").status_code == 200
    etag = client.get(f"{API}/entries/pixel-8").headers["ETag"]
    reverted = client.post(f"{API}/entries/pixel-8/revisions/1/revert",
                           headers={**basic("carol"), "If-Match": etag})
    assert reverted.status_code == 200
    etag = reverted.headers["ETag"]
    removed = client.delete(f"{API}/entries/pixel-8/attributes/weight",
                            headers={**basic("carol"), "If-Match": etag})
    assert removed.status_code == 204
    etag = client.get(f"{API}/entries/pixel-8").headers["ETag"]
    assert_429(client.patch(f"{API}/entries/pixel-8", json={"summary": "more"},
                            headers={**basic("carol"), "If-Match": etag}), 60)


# -- uploads -------------------------------------------------------------------------------


def test_uploads_are_limited_on_the_api_and_the_settings_page(make_app):
    """RATELIMIT_UPLOADS=2/hour: a third avatar is a 429 (API) or the settings page with
    the message (page)."""
    app = make_app(RATELIMIT_UPLOADS="2/hour")
    client = app.test_client()
    for shade in (10, 20):
        response = client.put(f"{API}/users/carol/avatar", data=png(shade),
                              headers={**basic("carol"), "Content-Type": "image/png"})
        assert response.status_code == 200
    assert_429(client.put(f"{API}/users/carol/avatar", data=png(30),
                          headers={**basic("carol"), "Content-Type": "image/png"}), 3600)
    page_login(client)
    refused = client.post("/settings/avatar", data={
        "csrf_token": csrf(client, "/settings"), "file": (io.BytesIO(png(40)), "me.png")},
        content_type="multipart/form-data")
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert "too many pictures" in refused.get_data(as_text=True)


# -- registrations and e-mail addresses ------------------------------------------------------


def _register_page(app, n: int, **kwargs):
    """A registration through the page, from a browser of its own."""
    browser = app.test_client()
    return browser.post("/register", data={
        "csrf_token": csrf(browser, "/register"), "username": f"newcomer{n}",
        "email": f"newcomer{n}@example.org", "password": PASSWORD}, **kwargs)


def test_the_registration_page_is_limited_and_shares_the_apis_count(make_app):
    """The probe: 15 accounts in 0.68 s through the page. Now the third registration from
    one address (page or API) is refused, and the page keeps the name and e-mail."""
    app = make_app(RATELIMIT_REGISTER="2/hour")
    assert _register_page(app, 1).status_code == 302
    api = app.test_client().post(f"{API}/users", json={
        "username": "newcomer2", "email": "newcomer2@example.org", "password": PASSWORD})
    assert api.status_code == 201
    refused = _register_page(app, 3)
    assert refused.status_code == 429 and 0 < int(refused.headers["Retry-After"]) <= 3600
    html = refused.get_data(as_text=True)
    assert "Too many accounts" in html
    assert 'value="newcomer3"' in html and 'value="newcomer3@example.org"' in html
    assert app.extensions["pkyx.repos"].users.find("newcomer3") is None
    assert _register_page(app, 4, environ_base=ELSEWHERE).status_code == 302


def test_registering_with_a_taken_email_counts(make_app):
    """Asking "is this e-mail registered?" through registration is limited too."""
    app = make_app(RATELIMIT_REGISTER="3/hour")
    client = app.test_client()
    answers = [client.post(f"{API}/users", json={
        "username": f"prober{n}", "email": "dave@example.org", "password": PASSWORD})
        for n in range(4)]
    assert [a.status_code for a in answers[:3]] == [409, 409, 409]
    assert_429(answers[3], 3600)


def test_patching_a_taken_email_is_not_an_unlimited_oracle(make_app):
    """``PATCH /users/<me>`` with other people's addresses: the 4th try is a 429."""
    app = make_app(RATELIMIT_EMAIL_CHANGES="3/hour")
    client = app.test_client()
    answers = [client.patch(f"{API}/users/carol", json={"email": f"user{n}@example.org"
                                                        if n else "dave@example.org"},
                            headers=basic("carol")) for n in range(4)]
    assert [a.status_code for a in answers[:3]] == [409, 200, 200]
    assert_429(answers[3], 3600)
    assert app.extensions["pkyx.repos"].users.get("carol")["pending_email"] == "user2@example.org"
    # the profile without an e-mail change is still free to save
    assert client.patch(f"{API}/users/carol", json={"bio": "hi"},
                        headers=basic("carol")).status_code == 200


def test_the_settings_page_shares_the_email_limit_and_keeps_the_form(make_app):
    """Two taken addresses by API, one on the page: the page's next try is a 429 page
    with the message and the address typed."""
    app = make_app(RATELIMIT_EMAIL_CHANGES="3/hour")
    for name in ("erin", "frank"):
        app.extensions["pkyx.accounts"].register(name, f"{name}@example.org", PASSWORD)
    client = app.test_client()
    for address in ("dave@example.org", "erin@example.org"):
        response = client.patch(f"{API}/users/carol", json={"email": address},
                                headers=basic("carol"))
        assert response.status_code == 409
    page_login(client)
    token = csrf(client, "/settings")
    taken = client.post("/settings/profile", data={"csrf_token": token,
                                                   "email": "frank@example.org"})
    assert taken.status_code == 400 and "already exists" in taken.get_data(as_text=True)
    refused = client.post("/settings/profile", data={"csrf_token": token,
                                                     "email": "someone@example.org",
                                                     "bio": "My bio, typed with care"})
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    html = refused.get_data(as_text=True)
    assert "e-mail" in html and 'value="someone@example.org"' in html
    assert "My bio, typed with care" in html


def test_the_email_taken_answer_comes_from_one_place(make_app, monkeypatch):
    """Issue 14 will mail the owner instead of answering "taken": every path that can tell
    a taken address (registration, API and settings page) asks one function."""
    service = importlib.import_module("app.services.accounts")  # the package has a
    # function of that name

    asked = []

    def replacement(email: str):
        asked.append(email)
        return service.Conflict("replaced answer", "email")

    monkeypatch.setattr(service, "email_taken", replacement)
    app = make_app()
    client = app.test_client()
    registered = client.post(f"{API}/users", json={
        "username": "eve", "email": "carol@example.org", "password": PASSWORD})
    patched = client.patch(f"{API}/users/dave", json={"email": "Carol@example.org"},
                           headers=basic("dave"))
    assert registered.get_json()["detail"] == patched.get_json()["detail"] == "replaced answer"
    assert asked == ["carol@example.org", "carol@example.org"]


# -- configuration ----------------------------------------------------------------------------


LIMITS = ("RATELIMIT_REGISTER", "RATELIMIT_NEW_ENTRIES", "RATELIMIT_NEW_ENTRIES_ADDRESS",
          "RATELIMIT_EDITS", "RATELIMIT_EDITS_ADDRESS", "RATELIMIT_UPLOADS",
          "RATELIMIT_UPLOADS_ADDRESS", "RATELIMIT_EMAIL_CHANGES",
          "RATELIMIT_EMAIL_CHANGES_ADDRESS")


@pytest.mark.parametrize("name", LIMITS)
def test_every_default_limit_is_documented_in_the_readme(name):
    """README's table of write limits shows each production default as it is."""
    from conf import Production

    value = getattr(Production, name)
    row = next((line for line in README.read_text().splitlines()
                if line.startswith("|") and f"`{name}`" in line), None)
    assert row is not None, f"README has no row for {name}"
    assert f"`{value}`" in row, (name, value, row)


def test_a_limit_can_be_set_from_the_environment(monkeypatch, tmp_path):
    """Operators set a limit with PKYX_<SETTING>; a malformed one stops the start."""
    from conf import ConfigError, config_for

    monkeypatch.setenv("PKYX_RATELIMIT_EDITS", "500/minute")
    assert config_for("development", tmp_path).RATELIMIT_EDITS == "500/minute"
    monkeypatch.setenv("PKYX_RATELIMIT_EDITS", "lots")
    with pytest.raises(ConfigError, match="PKYX_RATELIMIT_EDITS"):
        config_for("development", tmp_path)
