"""The acceptance flow of issue 4, in one browser session as a person would go through it.

Register, log in, create an entry, add one attribute of every type, edit and delete one,
compare three entries, toggle "only differences", revert an edit from history, upload an
avatar and see it in the header, switch language, log out.
"""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from .support import DEMO_PASSWORD, assert_logged_in, login, logout, register

#: One attribute of every type: key → (type, label, value as typed, unit, shown text).
ATTRIBUTES = {
    "flow_text": ("text", "Flow text", "Gorilla Glass", None, "Gorilla Glass"),
    "flow_number": ("number", "Flow weight", "171", "g", "171 g"),
    "flow_boolean": ("boolean", "Flow NFC", "yes", None, "Yes"),
    "flow_rating": ("rating", "Flow rating", "4", None, None),
    "flow_url": ("url", "Flow site", "https://example.org/flow", None, "example.org"),
    "flow_image": ("image", "Flow picture", "https://example.org/flow.png", None, None),
    "flow_date": ("date", "Flow release", "2023-09-22", None, "2023"),
    "flow_list": ("list", "Flow colours", "Black, Blue, Green", None, "Blue"),
}


def add_attribute(page, slug: str, key: str, spec: tuple) -> None:
    """Add one attribute with the add panel's tab of its type (``?add=<type>`` opens it)."""
    kind, label, raw, unit, _shown = spec
    page.goto(f"/entries/{slug}?add={kind}")
    prefix = f"add-{kind}"
    form = page.locator(f"form[data-add-form]:has(#{prefix}-label)")
    form.locator(f"#{prefix}-label").fill(label)
    form.locator(f"#{prefix}-key").fill(key)
    if kind in ("boolean", "rating"):
        form.locator(f"label[for='{prefix}-value-{raw}']").click()
    else:
        form.locator(f"#{prefix}-value").fill(raw)
    if unit:
        form.locator(f"#{prefix}-unit").select_option(unit)
    form.get_by_role("button", name="Add").click()
    page.locator(f"#entry-attributes tr[data-key='{key}']").wait_for()


def row(page, key: str):
    """The attribute table's row of ``key``."""
    return page.locator(f"#entry-attributes tr[data-key='{key}']")


def avatar_png() -> bytes:
    """A small PNG picture to upload."""
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 30, 60)).save(out, format="PNG")
    return out.getvalue()


@pytest.mark.slow
def test_acceptance_flow(page, page_watch, live_server):
    """Everything a new editor does, start to finish, in one browser."""
    # Register (which logs in), log out, and log in again on the login page.
    register(page, "flowuser")
    logout(page)
    login(page, "flowuser", "correct horse battery staple")

    # Create an entry.
    page.goto("/entries/new")
    form = page.locator("main form")
    form.get_by_label("Title", exact=True).fill("Flow Phone 1")
    form.get_by_label("Category").select_option("phones")
    form.get_by_label("Summary", exact=True).fill("Made by the browser test.")
    form.get_by_role("button", name=re.compile("Create", re.I)).click()
    page.wait_for_url("**/entries/flow-phone-1")
    assert page.get_by_role("heading", level=1).inner_text().strip() == "Flow Phone 1"

    # One attribute of every type, each rendered the way its type is shown.
    for key, spec in ATTRIBUTES.items():
        add_attribute(page, "flow-phone-1", key, spec)
    page.goto("/entries/flow-phone-1")
    for key, (kind, _label, _raw, _unit, shown) in ATTRIBUTES.items():
        cell = row(page, key)
        assert cell.get_attribute("data-type") == kind
        if shown:
            assert shown in cell.locator(".attr-shown").inner_text(), key
    stars = row(page, "flow_rating").locator(".attr-shown").get_by_role("img")
    assert stars.get_attribute("aria-label") == "4 out of 5 stars"
    link = row(page, "flow_url").locator(".attr-shown a")
    assert link.get_attribute("href") == "https://example.org/flow"
    assert set(link.get_attribute("rel").split()) >= {"nofollow", "noopener"}
    assert row(page, "flow_image").locator(".attr-shown img").get_attribute("src") == \
        "https://example.org/flow.png"
    assert row(page, "flow_list").locator(".attr-shown li").count() == 3
    assert row(page, "flow_boolean").locator(".attr-shown .value-yes").count() == 1

    # Edit one in place.
    row(page, "flow_text").locator("[data-edit-toggle='flow_text']").click()
    edit = page.locator("#attr-edit-flow_text")
    edit.wait_for(state="visible")
    edit.locator("#edit-flow_text-value").fill("Ceramic Shield")
    edit.get_by_role("button", name="Save").click()
    page.wait_for_function(
        "() => document.querySelector('#attr-flow_text .attr-shown')"
        "?.textContent.includes('Ceramic Shield')")

    # Delete one (the page may ask to confirm).
    page_watch.accept_confirm("Remove")
    row(page, "flow_date").get_by_role("button", name=re.compile("Delete")).click()
    row(page, "flow_date").wait_for(state="detached")

    # Revert the edit from history: the text is back to what it was.
    page.goto("/entries/flow-phone-1/history")
    # Versions: 1 created, 2-9 the eight additions, 10 the edit, 11 the delete.
    page_watch.accept_confirm("")
    page.locator("form[action$='/entries/flow-phone-1/revert/9'] button").first.click()
    page.wait_for_url("**/entries/flow-phone-1**")
    page.goto("/entries/flow-phone-1")
    assert "Gorilla Glass" in row(page, "flow_text").inner_text()

    # Compare three entries, with the compare box's "A vs B vs C".
    page.goto("/")
    page.locator("#header-compare").fill("Flow Phone 1 vs iPhone 15 vs Pixel 8")
    page.locator("#header-compare").press("Enter")
    page.wait_for_url(re.compile(r"/compare/[a-z0-9-]+-vs-[a-z0-9-]+-vs-[a-z0-9-]+$"))
    table = page.locator("#compare-table")
    assert table.locator("thead th.compare-entry").count() == 3
    assert table.locator("tr.row-differs[data-key='flow_text']").is_visible()

    # "Only differences" hides the rows three Apple phones agree on, and shows them again.
    page.goto("/compare/iphone-15-vs-iphone-15-pro-max-vs-iphone-se-2022")
    same = table.locator("tr.row-same")
    differs = table.locator("tr.row-differs")
    assert same.count() > 0 and differs.count() > 0
    page.get_by_label("Only differences").check()
    same.first.wait_for(state="hidden")
    assert differs.first.is_visible()
    page.get_by_label("Only differences").uncheck()
    same.first.wait_for(state="visible")

    # Upload an avatar on the settings page and see it in the header.
    page.goto("/settings")
    page.locator("#avatar-form input[type=file]").set_input_files(
        files=[{"name": "me.png", "mimeType": "image/png", "buffer": avatar_png()}])
    page.locator("#avatar-form").get_by_role("button", name="Upload picture").click()
    page.wait_for_load_state()
    header_avatar = page.locator("#user-menu img.avatar")
    header_avatar.wait_for()
    assert header_avatar.evaluate("img => img.complete && img.naturalWidth > 0")

    # Switch language, then log out (a POST from the user menu).
    page.locator("#language-menu").click()
    page.locator('[data-lang="zh_Hans"]').click()
    page.wait_for_url("**lang=zh_Hans")
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert_logged_in(page, "flowuser")
    logout(page)
    assert page.locator("html").get_attribute("lang") == "zh-Hans"


def test_demo_user_logs_in_with_the_modal_and_out(page):
    """The modal log in and the POST log out, with a demo account."""
    page.goto("/")
    page.get_by_role("banner").get_by_role("link", name="Log in").click()
    dialog = page.get_by_role("dialog", name="Log in")
    dialog.get_by_label("Username or email").fill("alice")
    dialog.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    dialog.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")
    assert_logged_in(page, "alice")
    logout(page)
