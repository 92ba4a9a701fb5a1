"""Account mail in a real browser: confirming an address and resetting a password, at
1280 and 390 px, with screenshots in tests/artifacts/ (account-*.png).

The live server keeps its mail in memory (the testing app's outbox); the link is read
from the mail's text as a person would copy it.
"""

from __future__ import annotations

import re

import pytest

from .support import assert_logged_in, axe, format_violations, horizontal_overflow, screenshot

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a brand new passphrase for pkyx"
LINK = re.compile(r"https?://\S+/(?:confirm|reset)/\S+")
WIDTHS = {"desktop": 1280, "phone": 390}


def mail_link(live_server, to: str) -> str:
    """The link of the latest mail to ``to``, as a path on the live server."""
    links = [LINK.search(m.get_body(("plain",)).get_content())
             for m in live_server.app.extensions["pkyx.outbox"] if m["To"] == to]
    links = [found.group(0) for found in links if found]  # notices carry no token
    assert links, f"no mail with a link to {to}"
    return re.sub(r"^https?://[^/]+", "", links[-1])


def no_overflow(page) -> None:
    overflow = horizontal_overflow(page)
    assert overflow["overflow"] <= 0, overflow


@pytest.mark.parametrize("size", WIDTHS)
def test_confirmation_by_the_mailed_link(new_page, live_server, size):
    """Sign up → "check your inbox" → the mail's link confirms → settings say so."""
    page = new_page(width=WIDTHS[size], mobile=size == "phone")
    username = f"confirm-{size}"
    address = f"{username}@example.org"
    page.goto("/register")
    form = page.locator("main form")
    form.get_by_label("Username", exact=True).fill(username)
    form.get_by_label("Email", exact=True).fill(address)
    form.get_by_label("Password", exact=True).fill(PASSWORD)
    form.get_by_role("button", name="Sign up").click()
    page.wait_for_url("**/confirm")
    assert_logged_in(page, username)
    assert page.get_by_role("heading", name="Check your inbox").is_visible()
    assert address in page.locator("main").inner_text()
    no_overflow(page)
    screenshot(page, f"account-check-inbox-{size}")
    if size == "desktop":
        violations = axe(page)
        assert not violations, format_violations(violations)

    page.goto(mail_link(live_server, address))
    page.wait_for_url("**/settings")
    assert page.get_by_role("status").filter(has_text="is confirmed").first.is_visible()
    assert f"{address} is confirmed." in page.locator("#email-status").inner_text()
    no_overflow(page)
    screenshot(page, f"account-confirmed-{size}")

    page.goto(mail_link(live_server, address))  # a second time: used
    assert page.get_by_role("heading", name="This link has been used").is_visible()
    no_overflow(page)
    screenshot(page, f"account-link-used-{size}")


@pytest.mark.parametrize("size", WIDTHS)
def test_password_reset_from_the_login_modal(new_page, live_server, size):
    """"Forgot your password?" in the modal (desktop) or on the login page (phone) → the
    mail's link → a new password → old sessions end, the new password logs in."""
    accounts = live_server.service("accounts")
    username = f"reset-{size}"
    address = f"{username}@example.org"
    with live_server.app_context():
        accounts.register(username, address, PASSWORD, confirmed=True)
    old = new_page(width=WIDTHS[size], mobile=size == "phone")
    old.goto("/login")
    old.locator("main form").get_by_label("Username or email").fill(username)
    old.locator("main form").get_by_label("Password", exact=True).fill(PASSWORD)
    old.locator("main form").get_by_role("button", name="Log in").click()
    old.wait_for_url("**/")
    assert_logged_in(old, username)

    page = new_page(width=WIDTHS[size], mobile=size == "phone")
    page.goto("/")
    if size == "desktop":
        page.locator("header").get_by_role("link", name="Log in").click()
        modal = page.locator("#login-modal")
        modal.wait_for(state="visible")
        screenshot(page, "account-login-modal-forgot-desktop", full_page=False)
        modal.get_by_role("link", name="Forgot your password?").click()
    else:
        page.goto("/login")
        page.get_by_role("link", name="Forgot your password?").click()
    page.wait_for_url("**/reset")
    no_overflow(page)
    screenshot(page, f"account-reset-request-{size}")
    if size == "desktop":
        violations = axe(page)
        assert not violations, format_violations(violations)
    page.locator("main form").get_by_label("Email").fill(address.upper())
    page.locator("main form").get_by_role("button", name="Send me a link").click()
    assert page.get_by_role("heading", name="Check your inbox").is_visible()
    assert f"If an account has the address {address}" in page.locator("main").inner_text()
    no_overflow(page)
    screenshot(page, f"account-reset-sent-{size}")

    page.goto(mail_link(live_server, address))
    page.wait_for_url("**/reset/password")  # the token has left the address bar
    assert page.get_by_role("heading", name="Choose a new password").is_visible()
    if size == "desktop":
        violations = axe(page)
        assert not violations, format_violations(violations)
    form = page.locator("main form")
    form.get_by_label("New password", exact=True).fill("short")
    form.get_by_label("New password again").fill("short")
    form.get_by_role("button", name="Save the new password").click()
    assert page.locator(".invalid-feedback").first.is_visible()
    no_overflow(page)
    screenshot(page, f"account-reset-form-refused-{size}")
    form = page.locator("main form")
    form.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    form.get_by_label("New password again").fill(NEW_PASSWORD)
    form.get_by_role("button", name="Save the new password").click()
    page.wait_for_url("**/login")
    assert page.get_by_role("status").filter(has_text="Your password is changed").is_visible()
    screenshot(page, f"account-reset-done-{size}")

    old.goto("/settings")  # the old session is gone
    old.wait_for_url("**/login?next=%2Fsettings")
    form = page.locator("main form")
    form.get_by_label("Username or email").fill(username)
    form.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    form.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")
    assert_logged_in(page, username)

    page.goto(mail_link(live_server, address))  # the link worked once
    assert page.get_by_role("heading", name="This link has been used").is_visible()
    screenshot(page, f"account-reset-link-used-{size}")


def test_an_expired_link_page_in_chinese(new_page, live_server, monkeypatch):
    """An expired reset link, read on a Chinese phone: the page says so, in Chinese."""
    import time

    accounts = live_server.service("accounts")
    with live_server.app_context():
        accounts.register("expired-zh", "expired-zh@example.org", PASSWORD, confirmed=True)
    page = new_page(width=WIDTHS["phone"], mobile=True, locale="zh-CN")
    page.goto("/reset")
    page.locator("main form input[type=email]").fill("expired-zh@example.org")
    page.locator("main form button[type=submit]").click()
    link = mail_link(live_server, "expired-zh@example.org")
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 3601)
    page.goto(link)
    assert page.get_by_role("heading", name="这个链接已过期").is_visible()
    no_overflow(page)
    screenshot(page, "account-link-expired-zh-phone")


@pytest.mark.parametrize("size", WIDTHS)
def test_an_unconfirmed_account_is_told_before_it_edits(new_page, live_server, size):
    """With confirmation required: a banner on every page, and an edit refused with a page
    that sends the link again."""
    username = f"unconfirmed-{size}"
    address = f"{username}@example.org"
    app = live_server.app
    app.config["REQUIRE_CONFIRMED"] = True
    try:
        page = new_page(width=WIDTHS[size], mobile=size == "phone")
        page.goto("/register")
        form = page.locator("main form")
        form.get_by_label("Username", exact=True).fill(username)
        form.get_by_label("Email", exact=True).fill(address)
        form.get_by_label("Password", exact=True).fill(PASSWORD)
        form.get_by_role("button", name="Sign up").click()
        page.wait_for_url("**/confirm")
        page.goto("/entries/iphone-15")
        banner = page.locator("[data-confirm-banner]")
        assert banner.is_visible() and address in banner.inner_text()
        no_overflow(page)
        screenshot(page, f"account-unconfirmed-banner-{size}", full_page=False)
        page.goto("/entries/new")
        form = page.locator("main form")
        form.get_by_label("Title", exact=True).fill("Refused phone")
        form.get_by_label("Category").select_option("phones")
        form.get_by_role("button", name=re.compile("Create", re.I)).click()
        assert page.get_by_role("heading", name="Confirm your e-mail address first").is_visible()
        if size == "desktop":
            violations = axe(page)
            assert not violations, format_violations(violations)
        no_overflow(page)
        screenshot(page, f"account-unconfirmed-refused-{size}")
        sent = len(app.extensions["pkyx.outbox"])
        page.locator("main").get_by_role("button", name="Send the link again").click()
        page.wait_for_url("**/confirm")
        assert len(app.extensions["pkyx.outbox"]) == sent + 1
        page.goto(mail_link(live_server, address))
        page.wait_for_url("**/settings")
        assert page.locator("[data-confirm-banner]").count() == 0
    finally:
        app.config["REQUIRE_CONFIRMED"] = False


@pytest.mark.parametrize("lang", ["en", "zh_Hans"])
def test_the_mail_itself_reads_well(new_page, live_server, lang):
    """The HTML part of a reset mail as a mail reader shows it (390 and 1280 px): no
    remote resource is fetched, the button and the copyable link are there."""
    with live_server.app_context(), live_server.app.test_request_context("/"):
        accounts = live_server.service("accounts")
        accounts.register(f"mailview-{lang}", f"mailview-{lang}@example.org", PASSWORD,
                          confirmed=True, locale=lang)
        live_server.service("account_mail").request_reset(
            f"mailview-{lang}@example.org", lang, allowed=lambda key: True)
    mail = [m for m in live_server.app.extensions["pkyx.outbox"]
            if m["To"] == f"mailview-{lang}@example.org"][-1]
    html = mail.get_body(("html",)).get_content()
    for size, width in WIDTHS.items():
        page = new_page(width=width, mobile=size == "phone")
        fetched = []
        page.on("request", lambda request, seen=fetched: seen.append(request.url))
        page.set_content(html)
        assert fetched == []  # nothing to load: no pixel, no font, no stylesheet
        assert page.locator("a[href*='/reset/']").first.is_visible()
        no_overflow(page)
        screenshot(page, f"account-mail-reset-{lang}-{size}")
