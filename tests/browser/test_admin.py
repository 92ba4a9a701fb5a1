"""The admin area in Chromium: block a live session, roll back with a preview, protect an
entry, the audit log; screenshots of every admin page at 1280 and 390 px, axe-core."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from .support import PHONE, axe, format_violations, horizontal_overflow, login, screenshot

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def people(live_server) -> dict:
    """An admin, a spammer who vandalised an entry of the admin's, and that entry."""
    from app.services import AttributeInput

    wiki, accounts = live_server.service("wiki"), live_server.service("accounts")
    with live_server.app_context():
        accounts.create_admin("warden", "warden@example.org", PASSWORD)
        accounts.register("spammer", "spammer@example.org", PASSWORD)
        entry = wiki.create_entry("warden", title="Quiet Phone", category="phones",
                                  summary="A phone nobody shouts about.",
                                  attributes=[AttributeInput("weight", "150 g")])
        since = datetime.now(UTC) - timedelta(minutes=1)
        wiki.edit_entry("spammer", entry["slug"], entry["version"],
                        fields={"summary": "BUY CHEAP PILLS"},
                        set_attributes=[AttributeInput("weight", "1 g")],
                        comment="improved")
    return {"slug": entry["slug"], "since": since.strftime("%Y-%m-%dT%H:%M")}


def test_blocking_a_live_session_and_rolling_back(new_page, people, live_server):
    """The admin finds the spammer, blocks them (their open browser is logged out at the
    next click, and the login page tells them why), previews the rollback and applies it;
    the entry has its values back and the audit log says who did what and why."""
    admin = new_page()
    spammer = new_page()
    login(spammer, "spammer", PASSWORD)
    login(admin, "warden", PASSWORD)
    admin.locator("#user-menu").click()
    admin.locator("#admin-link").click()
    admin.get_by_role("heading", name="Administration", level=1).wait_for()
    admin.get_by_role("link", name="Users", exact=True).click()
    admin.get_by_label("Name or e-mail address").fill("spam")
    admin.get_by_role("button", name="Search").click()
    admin.get_by_role("link", name="spammer", exact=True).click()
    admin.locator("#block-form").get_by_label("Reason").fill("Posted spam links")
    admin.locator("#block-form").get_by_role("button", name="Block").click()
    admin.get_by_text("Blocked by warden").wait_for()

    spammer.goto("/settings")
    assert "/login" in spammer.url  # the live session ended at this request
    spammer.locator("main form").get_by_label("Username or email").fill("spammer")
    spammer.locator("main form").get_by_label("Password", exact=True).fill(PASSWORD)
    spammer.locator("main form").get_by_role("button", name="Log in").click()
    spammer.get_by_text("This account is blocked: Posted spam links").wait_for()
    screenshot(spammer, "admin-blocked-login-1280")

    admin.get_by_role("link", name="Roll back edits…").click()
    admin.get_by_label("Edits made since (UTC)").fill(people["since"])
    admin.get_by_label("Reason").fill("Spam")
    admin.get_by_role("button", name="Preview").click()
    item = admin.locator(".rollback-item[data-outcome=revert]")
    item.wait_for()
    assert "BUY CHEAP PILLS" in item.inner_text() and "150 g" in item.inner_text()
    screenshot(admin, "admin-rollback-preview-1280")
    admin.get_by_role("button", name="Roll back", exact=True).click()
    admin.get_by_text("Rolled back: 1 entry changed.").wait_for()
    with live_server.app_context():
        entry = live_server.service("repos").entries.get(people["slug"])
    assert entry["summary"] == "A phone nobody shouts about."
    assert entry["attributes"]["weight"]["value"] == 150

    admin.get_by_role("link", name="Audit log").click()
    rows = admin.locator("tr[data-action]")
    assert rows.first.get_attribute("data-action") == "user.rollback"
    assert "Posted spam links" in admin.locator("tr[data-action='user.block']").inner_text()


def test_protecting_an_entry_from_its_page(new_page, people):
    """The admin protects the entry from its page; a logged-in editor then sees the note
    instead of the editing controls."""
    admin = new_page()
    login(admin, "warden", PASSWORD)
    admin.goto(f"/entries/{people['slug']}")
    admin.locator("#protect-form button").click()
    admin.get_by_text("Only administrators may change this entry.").wait_for()
    editor = new_page()
    login(editor, "alice")
    editor.goto(f"/entries/{people['slug']}")
    editor.locator("#protected-note").wait_for()
    assert editor.locator("#add-attribute").count() == 0
    admin.locator("#protect-form button").click()  # unprotect: the demo stays as it was
    admin.get_by_role("button", name="Protect").wait_for()


ADMIN_PAGES = [("index", "/admin/"), ("users", "/admin/users"),
               ("user", "/admin/users/alice"), ("rollback", "/admin/users/alice/rollback"),
               ("entries", "/admin/entries?q=pixel"), ("categories", "/admin/categories"),
               ("audit", "/admin/audit")]


@pytest.mark.parametrize("width", [1280, PHONE["width"]])
def test_admin_pages_screenshots_layout_and_accessibility(new_page, people, width):
    """Every admin page at desktop and phone width: a screenshot, no sideways scrolling of
    the page, no serious or critical axe-core violation."""
    page = new_page(width=width, mobile=width < 800)
    login(page, "warden", PASSWORD)
    for name, path in ADMIN_PAGES:
        response = page.goto(path)
        assert response.ok, f"{path} answered {response.status}"
        page.get_by_role("heading", level=1).wait_for()
        screenshot(page, f"admin-{name}-{width}")
        size = horizontal_overflow(page)
        assert size["overflow"] <= 0, (path, size)
        violations = axe(page)
        assert not violations, f"{path}:\n{format_violations(violations)}"


@pytest.mark.parametrize("width", [1280, PHONE["width"]])
def test_admin_pages_in_chinese(new_page, people, width):
    """The user page and the audit log in Chinese: screenshots, no page overflow."""
    page = new_page(width=width, mobile=width < 800, locale="zh-CN")
    login_page = page.goto("/login")
    assert login_page.ok
    form = page.locator("main form")
    form.locator("input[name=login]").fill("warden")
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/")
    for name, path in (("user", "/admin/users/spammer"), ("audit", "/admin/audit")):
        page.goto(path)
        assert page.locator("html").get_attribute("lang") == "zh-Hans"
        page.get_by_role("heading", level=1).wait_for()
        screenshot(page, f"admin-{name}-zh-{width}")
        assert horizontal_overflow(page)["overflow"] <= 0, path
