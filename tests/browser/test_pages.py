"""Entry, comparison and settings pages: screenshots, phone layout, accessibility."""

from __future__ import annotations

import pytest

from .support import PHONE, axe, format_violations, horizontal_overflow, login, screenshot

ENTRY = "/entries/iphone-15"
COMPARISON = "/compare/iphone-15-vs-pixel-8-vs-galaxy-s24-ultra"


@pytest.mark.parametrize("width", [1280, PHONE["width"]])
@pytest.mark.parametrize(("name", "path"), [("entry", ENTRY), ("comparison", COMPARISON)])
def test_screenshots(new_page, name, path, width):
    """The entry and comparison pages render at desktop and phone width (PNG artifacts)."""
    page = new_page(width=width, mobile=width < 800)
    response = page.goto(path)
    assert response.ok, f"{path} answered {response.status}"
    page.get_by_role("heading", level=1).wait_for()
    screenshot(page, f"{name}-{width}")


def test_comparison_on_a_phone_has_no_page_overflow(phone_page):
    """At 390 px only the table's own scroller scrolls sideways, never the page."""
    phone_page.goto(COMPARISON)
    phone_page.locator("#compare-table").wait_for()
    size = horizontal_overflow(phone_page)
    assert size["overflow"] <= 0, size
    # The table may be wider than the phone: then its scroller is what scrolls.
    scroller = phone_page.locator("#compare-table").evaluate(
        """t => { const s = t.closest('.compare-scroller') || t.parentElement;
                  return {client: s.clientWidth, scroll: s.scrollWidth,
                          overflowX: getComputedStyle(s).overflowX}; }""")
    assert scroller["client"] <= PHONE["width"], scroller
    if scroller["scroll"] > scroller["client"]:
        assert scroller["overflowX"] in ("auto", "scroll"), scroller


def test_entry_on_a_phone_has_no_page_overflow(phone_page):
    """The entry page fits a 390 px screen."""
    phone_page.goto(ENTRY)
    phone_page.locator("#entry-attributes").wait_for()
    size = horizontal_overflow(phone_page)
    assert size["overflow"] <= 0, size


@pytest.mark.parametrize("path", [ENTRY, COMPARISON])
def test_pages_have_no_serious_accessibility_violations(page, path):
    """axe-core: no serious or critical violation on entry and comparison (home: test_layout)."""
    response = page.goto(path)
    assert response.ok, f"{path} answered {response.status}"
    violations = axe(page)
    assert not violations, format_violations(violations)


def test_logged_in_entry_and_settings_have_no_serious_accessibility_violations(page):
    """axe-core on the settings page and on an entry page with its edit controls."""
    login(page, "bob")
    for path in ("/settings", ENTRY):
        response = page.goto(path)
        assert response.ok, f"{path} answered {response.status}"
        violations = axe(page)
        assert not violations, f"{path}:\n" + format_violations(violations)
