"""Helpers for the browser tests: screenshots, axe-core, overflow, logging in."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent
ARTIFACTS = HERE.parent / "artifacts"
AXE_JS = HERE / "vendor" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
#: Password of the demo users (the testing config's DEMO_PASSWORD).
DEMO_PASSWORD = "pkyx-demo-password"



def screenshot(page, name: str, *, full_page: bool = True) -> Path:
    """Save a PNG of ``page`` as ``tests/artifacts/<name>.png`` and return its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page, animations="disabled")
    return path


def axe(page, *, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict]:
    """Run axe-core on ``page``; the violations of the given impacts, summarised."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # Served as if from the site itself, so the page's CSP (script-src 'self') allows it.
        origin = page.evaluate("() => location.origin")
        url = f"{origin}/__browser-tests__/axe.min.js"
        page.route(url, lambda route: route.fulfill(
            path=AXE_JS, content_type="application/javascript; charset=utf-8"))
        page.add_script_tag(url=url)
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ["violations"]});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " :: " +
                                                   (n.failureSummary || "")),
            }));
        }"""
    )
    return [v for v in result if v["impact"] in impacts]


def format_violations(violations: list[dict]) -> str:
    """Violations as readable lines, for an assertion message."""
    return "\n".join(f"{v['impact']}: {v['id']} ({v['help']})\n    " + "\n    ".join(v["nodes"])
                     for v in violations)


def horizontal_overflow(page) -> dict:
    """How far the page itself is wider than the window (0 when it is not)."""
    return page.evaluate(
        """() => ({scrollWidth: document.documentElement.scrollWidth,
                   innerWidth: window.innerWidth,
                   overflow: document.documentElement.scrollWidth - window.innerWidth})"""
    )


# -- accounts, through the pages ------------------------------------------------------


def register(page, username: str, password: str = "correct horse battery staple") -> None:
    """Sign up on /register (which logs the new user in) and land on "check your inbox"."""
    page.goto("/register")
    form = page.locator("main form")
    form.get_by_label("Username", exact=True).fill(username)
    form.get_by_label("Email", exact=True).fill(f"{username}@example.org")
    form.get_by_label("Password", exact=True).fill(password)
    form.get_by_role("button", name="Sign up").click()
    page.wait_for_url("**/confirm")
    assert_logged_in(page, username)


def login(page, username: str, password: str = DEMO_PASSWORD, next_path: str = "/") -> None:
    """Log in on the /login page and follow ``next``."""
    page.goto(f"/login?next={next_path}")
    form = page.locator("main form")
    form.get_by_label("Username or email").fill(username)
    form.get_by_label("Password", exact=True).fill(password)
    form.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{next_path}")
    assert_logged_in(page, username)


def logout(page) -> None:
    """Log out with the POST button in the user menu (in whatever language)."""
    page.locator("#user-menu").click()
    page.locator("header form[action$='/logout'] button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#user-menu").count() == 0


def assert_logged_in(page, username: str) -> None:
    """The header's user menu names ``username`` (on a phone: the header's menu does)."""
    menu = page.locator("#user-menu")
    if menu.is_visible():
        assert username in menu.inner_text()
        return
    phone_menu = page.locator("details.site-menu")
    assert phone_menu.is_visible(), f"not logged in on {page.url}"
    headings = phone_menu.locator(".site-menu-heading").all_text_contents()
    assert username in [text.strip() for text in headings], f"not logged in on {page.url}"
