"""The admin area's pages through the test client: who may see them, and each action."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from app.services import AttributeInput

PASSWORD = "correct horse battery staple"
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf(client, path: str = "/login") -> str:
    return TOKEN.search(client.get(path).get_data(as_text=True)).group(1)


def login(client, name: str):
    response = client.post("/login", data={"login": name, "password": PASSWORD,
                                           "csrf_token": csrf(client)})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


@pytest.fixture
def people(accounts, phones):
    boss = accounts.create_admin("boss", "boss@example.org", PASSWORD)
    vandal = accounts.register("vandal", "vandal@example.org", PASSWORD)
    return boss, vandal


@pytest.fixture
def boss_client(app, people):
    return login(app.test_client(), "boss")


def admin_urls(app) -> list[tuple[str, str]]:
    """(method, path) of every rule of the admin blueprint, with sample arguments."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("admin."):
            continue
        path = rule.rule.replace("<username>", "boss").replace("<slug>", "pixel-8")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, path))
    return found


def test_every_admin_url_is_refused_to_everyone_but_admins(app, people, wiki):
    """A logged-in editor gets 403 on every admin address and form (the URL map walked);
    a visitor is sent to the login page; an admin reads every page."""
    wiki.create_entry("vandal", title="Pixel 8", category="phones")
    urls = admin_urls(app)
    assert len(urls) >= 12 and ("GET", "/admin/") in urls
    editor = login(app.test_client(), "vandal")
    token = csrf(editor, "/settings")
    for method, path in urls:
        response = editor.open(path, method=method, data={"csrf_token": token, "reason": "x"})
        assert response.status_code == 403, (method, path)
    visitor = app.test_client()
    for method, path in urls:
        response = visitor.open(path, method=method)
        assert response.status_code in (302, 400), (method, path)  # login, or no CSRF
        if response.status_code == 302:
            assert response.headers["Location"].startswith("/login")
    boss = login(app.test_client(), "boss")
    for method, path in urls:
        if method == "GET":
            assert boss.get(path).status_code == 200, path
    assert app.extensions["pkyx.repos"].users.get("boss")["role"] == "admin"


def test_the_header_links_the_area_for_admins_only(app, people):
    boss = login(app.test_client(), "boss")
    assert 'href="/admin/"' in boss.get("/").get_data(as_text=True)
    editor = login(app.test_client(), "vandal")
    assert 'href="/admin/"' not in editor.get("/").get_data(as_text=True)


def test_blocking_from_the_user_page_ends_the_live_session(app, boss_client, repos):
    """The block form needs a reason; blocking logs the account out at its next request;
    the page then shows the block and offers to unblock."""
    victim = login(app.test_client(), "vandal")
    assert victim.get("/settings").status_code == 200
    token = csrf(boss_client, "/admin/users/vandal")
    empty = boss_client.post("/admin/users/vandal/block", data={"csrf_token": token,
                                                                "reason": ""})
    assert empty.status_code == 400
    assert "Give a reason" in empty.get_data(as_text=True)
    assert victim.get("/settings").status_code == 200
    done = boss_client.post("/admin/users/vandal/block",
                            data={"csrf_token": token, "reason": "Spam links"})
    assert done.status_code == 302
    assert victim.get("/settings").status_code == 302  # logged out at once
    page = boss_client.get("/admin/users/vandal").get_data(as_text=True)
    assert "Spam links" in page and 'id="unblock-form"' in page
    assert boss_client.post("/admin/users/vandal/unblock",
                            data={"csrf_token": token}).status_code == 302
    assert not repos.users.get("vandal").get("blocked")
    own = boss_client.get("/admin/users/boss").get_data(as_text=True)
    assert 'id="block-form"' not in own


def test_roles_confirm_and_the_last_admin_on_the_pages(boss_client, repos):
    token = csrf(boss_client, "/admin/users/vandal")
    boss_client.post("/admin/users/vandal/role", data={"csrf_token": token, "role": "admin"})
    assert repos.users.get("vandal")["role"] == "admin"
    boss_client.post("/admin/users/vandal/role", data={"csrf_token": token, "role": "user"})
    assert repos.users.get("vandal")["role"] == "user"
    refused = boss_client.post("/admin/users/boss/role", data={"csrf_token": token,
                                                              "role": "user"},
                               follow_redirects=True)
    assert "last administrator" in refused.get_data(as_text=True)
    assert repos.users.get("boss")["role"] == "admin"
    boss_client.post("/admin/users/vandal/confirm", data={"csrf_token": token,
                                                         "reason": "asked"})
    assert repos.users.get("vandal")["email_confirmed"] is True


def test_unblock_and_confirm_say_what_they_did_or_why_not(app, boss_client, people):
    """Unblock and confirm-by-hand flash what they did on the account's page; unblocking
    an account that is not blocked says so there; a form without its token is a 400."""
    boss, _ = people
    app.extensions["pkyx.admin"].block(boss, "vandal", "Spam links")
    token = csrf(boss_client, "/admin/users/vandal")
    done = boss_client.post("/admin/users/vandal/unblock", data={"csrf_token": token},
                            follow_redirects=True).get_data(as_text=True)
    assert "vandal may log in again." in done
    again = boss_client.post("/admin/users/vandal/unblock", data={"csrf_token": token},
                             follow_redirects=True).get_data(as_text=True)
    assert "vandal is not blocked." in again
    confirmed = boss_client.post("/admin/users/vandal/confirm", data={"csrf_token": token},
                                 follow_redirects=True).get_data(as_text=True)
    assert "The e-mail address of vandal is confirmed." in confirmed
    assert boss_client.post("/admin/users/vandal/confirm").status_code == 400


def test_search_users(boss_client):
    page = boss_client.get("/admin/users?q=VAN").get_data(as_text=True)
    assert "vandal@example.org" in page and "boss@example.org" not in page
    page = boss_client.get("/admin/users?q=boss@").get_data(as_text=True)
    assert "boss@example.org" in page and "vandal@example.org" not in page


def test_protecting_an_entry_from_its_page(app, boss_client, wiki, repos):
    """An admin protects from the entry page; an editor then sees no edit controls, the
    edit page is a 403 and a posted change is refused; the admin still edits."""
    wiki.create_entry("vandal", title="Pixel 8", category="phones",
                      attributes=[AttributeInput("weight", "187 g")])
    token = csrf(boss_client, "/entries/pixel-8")
    boss_client.post("/admin/entries/pixel-8/protect",
                     data={"csrf_token": token, "back": "/entries/pixel-8", "reason": "war"})
    assert repos.entries.get("pixel-8")["protected"] is True
    editor = login(app.test_client(), "vandal")
    page = editor.get("/entries/pixel-8").get_data(as_text=True)
    assert "Only administrators may change this entry." in page
    assert 'id="add-attribute"' not in page and "/entries/pixel-8/edit" not in page
    edit_page = editor.get("/entries/pixel-8/edit")
    assert edit_page.status_code == 403
    assert "only administrators may change it" in edit_page.get_data(as_text=True)
    chinese = editor.get("/entries/pixel-8/edit", headers={"Accept-Language": "zh-CN"})
    assert "此条目受保护：只有管理员可以修改。" in chinese.get_data(as_text=True)
    refused = editor.post("/entries/pixel-8/attributes", data={
        "csrf_token": csrf(editor, "/settings"), "version": "1", "key": "weight", "value": "1 g",
        "form_id": "row-weight"})
    assert refused.status_code == 403
    assert repos.entries.get("pixel-8")["attributes"]["weight"]["value"] == 187
    assert 'id="add-attribute"' in boss_client.get("/entries/pixel-8").get_data(as_text=True)
    listing = boss_client.get("/admin/entries").get_data(as_text=True)
    assert "Pixel 8" in listing and "war" in listing
    boss_client.post("/admin/entries/pixel-8/unprotect", data={"csrf_token": token})
    assert repos.entries.get("pixel-8")["protected"] is False


def test_rollback_preview_then_apply(boss_client, wiki, repos):
    """The preview lists each entry and its changes and changes nothing; the second button
    rolls back, one revision per entry; the audit log shows it."""
    wiki.create_entry("boss", title="Pixel 8", category="phones",
                      attributes=[AttributeInput("weight", "187 g")])
    since = (datetime.now(UTC) - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M")
    wiki.set_attribute("vandal", "pixel-8", 1, AttributeInput("weight", "1 g"))
    token = csrf(boss_client, "/admin/users/vandal/rollback")
    preview = boss_client.post("/admin/users/vandal/rollback", data={
        "csrf_token": token, "since": since, "reason": "vandalism", "preview": "Preview"})
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and 'data-outcome="revert"' in html
    assert "187 g" in html and "1 g" in html and 'name="apply"' in html
    assert repos.entries.get("pixel-8")["version"] == 2
    done = boss_client.post("/admin/users/vandal/rollback", data={
        "csrf_token": token, "since": since, "reason": "vandalism", "apply": "Roll back"})
    assert done.status_code == 200
    assert "Rolled back: 1 entry changed." in done.get_data(as_text=True)
    entry = repos.entries.get("pixel-8")
    assert entry["version"] == 3 and entry["attributes"]["weight"]["value"] == 187
    audit = boss_client.get("/admin/audit").get_data(as_text=True)
    assert 'data-action="user.rollback"' in audit and "vandalism" in audit
    future = boss_client.post("/admin/users/vandal/rollback", data={
        "csrf_token": token, "since": "2999-01-01T00:00", "preview": "Preview"})
    assert future.status_code == 400 and "future" in future.get_data(as_text=True)
