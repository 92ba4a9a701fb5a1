"""With JavaScript off the site still reads, compares and edits (plain links and posts)."""

from __future__ import annotations

from .support import login


def test_read_an_entry(page_no_js):
    """The attribute table is there without any script."""
    page_no_js.goto("/entries/iphone-15")
    table = page_no_js.locator("#entry-attributes")
    assert table.is_visible()
    assert table.locator("tr[data-key]").count() > 5


def test_compare_and_show_only_differences(page_no_js):
    """The comparison renders, and a plain link switches to only the differing rows."""
    page_no_js.goto("/compare?q=iPhone 15 vs Pixel 8")
    page_no_js.wait_for_url("**/compare/*-vs-*")
    table = page_no_js.locator("#compare-table")
    assert table.locator("thead th.compare-entry").count() == 2
    assert table.locator("tr.row-same").count() > 0
    page_no_js.get_by_role("link", name="Show only differences").click()
    page_no_js.wait_for_url("**only=differences")
    assert table.locator("tr.row-differs").count() > 0
    assert table.locator("tr.row-same:visible").count() == 0


def test_edit_an_attribute_with_a_plain_form_post(page_no_js, make_entry):
    """Log in, open an attribute's edit form by its link, save: the new value is shown."""
    slug = make_entry("nojs-phone", "No-JS Phone", {"weight": "200 g", "os": "Android"})
    page = page_no_js
    login(page, "alice", next_path=f"/entries/{slug}")
    page.locator("[data-edit-toggle='os']").click()
    page.wait_for_url(f"**/entries/{slug}?edit=os*")
    edit = page.locator("#attr-edit-os")
    assert edit.is_visible()
    edit.locator("#edit-os-value").fill("Android 14")
    edit.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/entries/{slug}*")
    assert "Android 14" in page.locator("#attr-os .attr-shown").inner_text()
