"""Hostile values stored through the services are shown as text: no script ever runs.

The page watcher fails a test when any dialog opens (``alert(1)`` did run) or the CSP
reports a violation (an injected inline script or handler was blocked — still a bug).
"""

from __future__ import annotations

import pytest

from .conftest import XSS_IMG, XSS_SCRIPT


def assert_inert(page) -> None:
    """No element the payloads would have made exists; the text is on the page."""
    assert page.locator('img[src="x"]').count() == 0
    assert page.locator("script:not([src])").count() == 0
    body = page.locator("body").inner_text()
    assert XSS_SCRIPT in body or XSS_IMG in body


@pytest.mark.parametrize("kind", ["entry", "history", "comparison", "profile"])
def test_payloads_are_shown_as_text(page, xss_entry, kind):
    """Entry, history, comparison and profile pages show the payloads escaped."""
    path = {"entry": f"/entries/{xss_entry['slug']}",
            "history": f"/entries/{xss_entry['slug']}/history",
            "comparison": xss_entry["compare"],
            "profile": f"/users/{xss_entry['username']}"}[kind]
    response = page.goto(path)
    assert response.ok, f"{path} answered {response.status}"
    page.wait_for_load_state("load")
    assert_inert(page)


def test_diff_shows_payloads_as_text(page, xss_entry):
    """The diff of the hostile edit is inert too."""
    response = page.goto(f"/entries/{xss_entry['slug']}/diff?from=1&to=2")
    assert response.ok, response.status
    assert_inert(page)


def test_payloads_in_the_compare_box_are_inert(page, xss_entry):
    """A hostile comparison query leads to suggestions, never a script."""
    page.goto("/")
    page.locator("#header-compare").fill(f"{XSS_SCRIPT} vs {XSS_IMG}")
    page.locator("#header-compare").press("Enter")
    page.wait_for_load_state("load")
    assert page.locator('img[src="x"]').count() == 0
