"""Browser fixtures: the app served on a real port, and headless Chromium driving it.

The app is served once per session (demo data seeded) by werkzeug in a thread; each test
gets a fresh browser context, so cookies never leak between tests. Every page is
watched: a JavaScript dialog (an XSS that ran), an uncaught error, a console error or a
Content-Security-Policy violation fails the test.

Chromium is Debian's ``/usr/bin/chromium`` (``make test`` installs it). When it is
missing the browser tests fail, they never skip: a green run always drove a browser.

Helpers for the tests live in ``support.py``: ``screenshot(page, name)`` writes
``tests/artifacts/<name>.png``; ``axe(page)`` runs the vendored axe-core and returns the
serious and critical violations; ``login``/``register``/``logout`` go through the pages.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from werkzeug.serving import make_server

from app import create_app

from .support import DESKTOP, PHONE

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
#: Milliseconds a single browser action may take before the test fails.
TIMEOUT_MS = 10_000

# Report a CSP violation as a console error, so the watcher sees it even where Chromium's
# own "Refused to ..." message is worded differently.
CSP_WATCH = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + e.blockedURI);
});
"""


#: Any address not on the live server: the machine has no internet, and tests must not.
OFFSITE = re.compile(r"^(?!https?://127\.0\.0\.1[:/])")
#: A 1x1 transparent PNG, the answer to every off-site image (image attributes link out).
PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082")


def answer_offsite(route) -> None:
    """Answer off-site requests locally: a pixel for images, an empty 204 otherwise."""
    if route.request.resource_type == "image":
        route.fulfill(status=200, content_type="image/png", body=PIXEL)
    else:
        route.fulfill(status=204, body=b"")


# -- the server ----------------------------------------------------------------------


@dataclass
class LiveServer:
    """The app served on 127.0.0.1:<port>, and the app itself for setting data up."""

    app: object
    url: str

    def service(self, name: str):
        """One of the app's services or repositories: "wiki", "accounts", "repos"."""
        return self.app.extensions[f"pkyx.{name}"]

    def app_context(self):
        """An app context, for calling services from the test thread."""
        return self.app.app_context()


def _read_whole(app):
    """``app`` answering with its whole body read and its file closed before werkzeug's
    development server writes it. When a browser drops a connection (Chromium cancels a
    favicon or image request as it navigates), that server's clean-up reads the reset socket
    and raises before it closes the answer's file (werkzeug 3.1 ``run_wsgi``): an unclosed
    file, a ResourceWarning, and an error in whatever test the garbage collector is in.
    gunicorn, in production and the deployment tests, closes it."""
    def wsgi(environ, start_response):
        answer = app(environ, start_response)
        try:
            return [b"".join(answer)]
        finally:
            if hasattr(answer, "close"):
                answer.close()
    return wsgi


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    """The demo-seeded app served by werkzeug in a thread for the whole session."""
    tmp = tmp_path_factory.mktemp("browser-app")
    app = create_app("testing", {"SEED_DEMO_DATA": True, "PKYX_TEST_TMP": str(tmp)})
    server = make_server("127.0.0.1", 0, _read_whole(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app=app, url=f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        app.extensions["pkyx.store"].close()


# -- the browser ---------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Debian Chromium, launched once; fails (never skips) when it is missing."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium "
                    "(`make test` does: apt-get install -y chromium)", pytrace=False)
    from playwright.sync_api import sync_playwright

    # launch() gives Chromium a fresh empty --user-data-dir of its own and deletes it after.
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class PageWatch:
    """What went wrong on the pages of one test: dialogs, errors, CSP violations."""

    problems: list[str] = field(default_factory=list)
    allowed: list[re.Pattern] = field(default_factory=list)
    documents: set[str] = field(default_factory=set)
    confirms: list[re.Pattern] = field(default_factory=list)

    def accept_confirm(self, pattern: str) -> None:
        """Accept (instead of failing on) a confirm() whose message matches ``pattern``."""
        self.confirms.append(re.compile(pattern))

    def allow(self, pattern: str) -> None:
        """Tolerate console errors matching ``pattern`` (e.g. an expected 404 resource)."""
        self.allowed.append(re.compile(pattern))

    def attach(self, page) -> None:
        """Watch ``page`` for dialogs, uncaught errors and console errors."""

        def on_dialog(dialog):
            if dialog.type == "confirm" and any(p.search(dialog.message) for p in self.confirms):
                dialog.accept()
                return
            self.problems.append(f"a {dialog.type} dialog opened: {dialog.message!r}")
            dialog.dismiss()

        def on_response(response):
            if response.request.is_navigation_request():
                self.documents.add(response.url)

        def on_console(message):
            if message.type != "error":
                return
            text = message.text
            source = message.location.get("url", "")
            if text.startswith("Failed to load resource") and (
                    source in self.documents or source.endswith("/favicon.ico")):
                return  # a page answered 4xx on purpose (a refused form, a 404 page)
            if not any(p.search(text) for p in self.allowed):
                self.problems.append(f"console error on {page.url}: {text}")

        page.on("dialog", on_dialog)
        page.on("response", on_response)
        page.on("console", on_console)
        page.on("pageerror", lambda exc: self.problems.append(f"uncaught error: {exc}"))

    def check(self) -> None:
        """Fail the test if anything went wrong."""
        if self.problems:
            pytest.fail("The browser reported problems:\n  " + "\n  ".join(self.problems),
                        pytrace=False)


@pytest.fixture
def page_watch() -> PageWatch:
    """Fails the test when a dialog opens or an error / CSP violation is logged."""
    return PageWatch()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """After a test that used pages passed, fail it if its pages reported problems."""
    result = yield
    watch = item.funcargs.get("page_watch")
    if watch is not None:
        watch.check()
    return result


@pytest.fixture
def new_page(browser, live_server, page_watch) -> Iterator[Callable[..., object]]:
    """Open a watched page in a fresh context: ``new_page(width=390, js=False)``.

    ``touch`` gives a desktop-sized page a touch screen (phones have one already);
    ``locale`` is the browser's language (its Accept-Language).
    """
    contexts = []

    def open_page(*, width: int = DESKTOP["width"], height: int | None = None,
                  js: bool = True, mobile: bool = False, touch: bool | None = None,
                  locale: str = "en-US"):
        context = browser.new_context(
            base_url=live_server.url,
            viewport={"width": width, "height": height or (PHONE["height"] if width < 800
                                                            else DESKTOP["height"])},
            java_script_enabled=js, is_mobile=mobile,
            has_touch=mobile if touch is None else touch,
            locale=locale, timezone_id="UTC", reduced_motion="reduce",
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.route(OFFSITE, answer_offsite)
        context.add_init_script(CSP_WATCH)
        contexts.append(context)
        page = context.new_page()
        page_watch.attach(page)
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """A watched desktop page (1280 px) with JavaScript on."""
    return new_page()


@pytest.fixture
def page_no_js(new_page):
    """A watched desktop page with JavaScript disabled."""
    return new_page(js=False)


@pytest.fixture
def phone_page(new_page):
    """A watched phone page (390 px, touch, mobile viewport) with JavaScript on."""
    return new_page(width=PHONE["width"], mobile=True)


# -- data set up through the services (not the pages under test) --------------------

XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = '"><img src=x onerror=alert(1)>'


@pytest.fixture(scope="session")
def xss_entry(live_server) -> dict:
    """A user and an entry whose title, text and list values and bio are XSS payloads.

    The entry is edited once more so its history has a diff of hostile values. Returns
    ``{"slug", "username", "compare"}`` (``compare``: a comparison path with it).
    """
    from app.services import AttributeInput

    wiki, accounts = live_server.service("wiki"), live_server.service("accounts")
    with live_server.app_context():
        user = accounts.register("mallory", "mallory@example.org", "correct horse battery")
        accounts.update_profile(user["_id"], {"bio": f"{XSS_SCRIPT} {XSS_IMG}",
                                              "location": XSS_IMG})
        entry = wiki.create_entry(
            "mallory", title=f"{XSS_SCRIPT} phone {XSS_IMG}", category="phones",
            summary=XSS_IMG, slug="xss-phone",
            attributes=[
                AttributeInput("xss_text", XSS_SCRIPT, type="text", label="XSS text"),
                AttributeInput("xss_list", [XSS_SCRIPT, XSS_IMG], type="list",
                               label="XSS list"),
                AttributeInput("os", XSS_IMG),
            ],
        )
        wiki.set_attribute("mallory", "xss-phone", entry["version"],
                           AttributeInput("xss_text", XSS_IMG))
    return {"slug": "xss-phone", "username": "mallory",
            "compare": "/compare/iphone-15-vs-xss-phone"}


@pytest.fixture
def make_entry(live_server) -> Callable[..., str]:
    """Create an entry through the wiki service; returns its slug."""
    from app.services import AttributeInput

    def make(slug: str, title: str, attributes: dict[str, object], user: str = "alice") -> str:
        with live_server.app_context():
            live_server.service("wiki").create_entry(
                user, title=title, category="phones", slug=slug,
                attributes=[AttributeInput(k, v) for k, v in attributes.items()])
        return slug

    return make


#: When Chromium abandons a request mid-response (a navigation), werkzeug's development
#: server can leave the static file it was sending unclosed; that ResourceWarning surfaces
#: as an unraisable-exception warning in whichever test runs next. It is the test server's
#: artefact (production serves /static/ from nginx), so exactly that one is ignored here.
DROPPED_STATIC_FILE = (
    r"ignore:Exception ignored in. <_io\.(FileIO|BufferedReader) name='[^']*/app/static/"
    r":pytest.PytestUnraisableExceptionWarning"
)


def pytest_collection_modifyitems(config, items):
    """Apply the one warning filter above to the browser tests only."""
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.filterwarnings(DROPPED_STATIC_FILE))
