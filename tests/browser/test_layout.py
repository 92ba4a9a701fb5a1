"""The site's frame in a real browser: home, sign up, log in (page and modal), language, log out."""

from __future__ import annotations

import re

from .support import (
    PHONE,
    assert_logged_in,
    axe,
    format_violations,
    horizontal_overflow,
    login,
    logout,
    register,
    screenshot,
)


def test_home_page_renders_with_its_assets(page):
    """Home answers with the layout; Bootstrap's CSS and JS load under the CSP."""
    response = page.goto("/")
    assert response.status == 200
    assert page.get_by_role("banner").is_visible()
    assert page.locator("#header-compare").is_visible()
    # Bootstrap's JS loaded (a dropdown opens) and its CSS applies (the navbar is flex).
    assert page.evaluate("() => typeof window.bootstrap === 'object'")
    assert page.locator("header.navbar").evaluate("e => getComputedStyle(e).display") == "flex"
    screenshot(page, "home-1280")


def test_home_page_on_a_phone(phone_page):
    """Home at 390 px: nothing wider than the screen."""
    phone_page.goto("/")
    screenshot(phone_page, "home-390")
    size = horizontal_overflow(phone_page)
    assert size["overflow"] <= 0, size


def test_home_page_has_no_serious_accessibility_violations(page):
    """axe-core finds no serious or critical violation on home."""
    page.goto("/")
    violations = axe(page)
    assert not violations, format_violations(violations)


def test_register_logs_in_and_log_out_is_a_post(page, live_server):
    """Sign up lands logged in on "check your inbox"; log out (a POST from the user menu)
    logs out."""
    register(page, "newcomer")
    assert page.get_by_role("status").filter(has_text="Welcome to pkyx").is_visible()
    requests = []
    page.on("request", lambda r: requests.append((r.method, r.url)))
    logout(page)
    assert ("POST", f"{live_server.url}/logout") in requests
    assert page.get_by_role("link", name="Log in").is_visible()


def test_register_refuses_a_short_password_and_keeps_the_input(page):
    """A bad sign-up shows the error next to the field and keeps what was typed."""
    page.goto("/register")
    form = page.locator("main form")
    form.get_by_label("Username", exact=True).fill("shorty")
    form.get_by_label("Email", exact=True).fill("shorty@example.org")
    form.get_by_label("Password", exact=True).fill("short")
    form.get_by_role("button", name="Sign up").click()
    assert page.locator("main form").get_by_label("Username", exact=True).input_value() == "shorty"
    assert page.locator(".invalid-feedback, .alert-danger").first.is_visible()
    assert page.locator("#user-menu").count() == 0


def test_login_page_with_a_wrong_password_says_so(page):
    """A wrong password keeps the visitor on the login page with a clear message."""
    page.goto("/login")
    page.locator("main form").get_by_label("Username or email").fill("alice")
    page.locator("main form").get_by_label("Password", exact=True).fill("not the password")
    page.locator("main form").get_by_role("button", name="Log in").click()
    assert page.get_by_role("alert").filter(has_text="not right").is_visible()
    assert page.locator("#user-menu").count() == 0


def test_login_page_follows_next(page):
    """Logging in on /login returns to the page that asked for it."""
    login(page, "bob", next_path="/login")
    assert_logged_in(page, "bob")


def test_login_modal_logs_in_and_stays_on_the_page(page):
    """The header's "Log in" opens a modal whose form logs in and returns to the page."""
    page.goto("/register")
    page.get_by_role("banner").get_by_role("link", name="Log in").click()
    dialog = page.get_by_role("dialog", name="Log in")
    dialog.wait_for(state="visible")
    dialog.get_by_label("Username or email").fill("chen")
    dialog.get_by_label("Password").fill("pkyx-demo-password")
    dialog.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")  # /register sends a logged-in user home
    assert_logged_in(page, "chen")


def test_login_link_without_javascript_goes_to_the_login_page(page_no_js):
    """With JavaScript off, "Log in" is a plain link to the login page."""
    page_no_js.goto("/")
    page_no_js.get_by_role("banner").get_by_role("link", name="Log in").click()
    page_no_js.wait_for_url(re.compile(r"/login\?next=%2F$|/login\?next=/$"))
    assert page_no_js.locator("main form").get_by_label("Password", exact=True).is_visible()


def test_language_switch_to_chinese_and_back(page):
    """The header's language menu switches to 简体中文 and the choice sticks."""
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.locator("#language-menu").click()
    page.locator('[data-lang="zh_Hans"]').click()
    page.wait_for_url("**?lang=zh_Hans")
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    page.goto("/login")  # the cookie remembers the choice
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert page.locator('[data-lang="zh_Hans"]').get_attribute("class").endswith("active")
    page.locator("header .dropdown-toggle").first.click()
    page.locator('[data-lang="en"]').click()
    page.wait_for_url("**?lang=en")
    assert page.locator("html").get_attribute("lang") == "en"


def test_phone_header_keeps_login_reachable(phone_page):
    """At phone width the one-row header's menu offers log in and sign up."""
    phone_page.goto("/")
    banner = phone_page.get_by_role("banner")
    assert banner.get_by_role("link", name="Log in").count() == 0  # hidden in the menu
    banner.locator(".site-menu > summary").click()
    assert banner.get_by_role("link", name="Log in").is_visible()
    assert banner.get_by_role("link", name="Sign up").is_visible()
    phone_page.keyboard.press("Escape")  # pkyx.js closes the menu again
    assert banner.get_by_role("link", name="Log in").count() == 0
    assert phone_page.viewport_size["width"] == PHONE["width"]
