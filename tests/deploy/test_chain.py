"""The production chain end to end: pages, API, static files, uploads, headers, caching.

Everything goes through nginx on :8080 to gunicorn (run by supervisord) on :8000, as
on a server. The login rate-limit test comes last: it uses up this module's allowance.
"""

from __future__ import annotations

import io
import json
import random
import re
import struct
import time
import zlib
from pathlib import Path
from urllib.parse import urlencode

import pytest
from PIL import Image

from .chain import DEMO_PASSWORD, GUNICORN_PORT, ROOT, Chain, request, wait_until
from .conftest import prepare_instance

MIB = 1024 * 1024
SECURITY_HEADERS = {
    "content-security-policy": ("object-src 'none'", "base-uri 'none'", "frame-ancestors"),
    "x-content-type-options": ("nosniff",),
    "x-frame-options": ("DENY",),
    "referrer-policy": ("strict-origin-when-cross-origin",),
}


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    """The chain over the demo data plus one damaged entry (for a genuine 500)."""
    workdir = tmp_path_factory.mktemp("chain")
    prepare_instance(workdir / "instance", damaged=True)
    with Chain(workdir) as running:
        yield running


def assert_security_headers(answer) -> None:
    """Every security header present, once, with its expected content."""
    for name, parts in SECURITY_HEADERS.items():
        value = answer.headers.get(name)
        assert value, f"{name} missing on a {answer.status}"
        assert value.count(parts[0]) == 1, f"{name} twice on a {answer.status}: {value}"
        for part in parts:
            assert part in value, (name, value)
    assert "unsafe-inline" not in answer.headers["content-security-policy"]


def _slugs(n: int) -> list[str]:
    answer = request("GET", f"/api/v1/entries?category=phones&sort=title&per_page={n}")
    assert answer.status == 200, answer.text
    return [item["slug"] for item in answer.json()["_items"]]


def _access_log_has(chain, marker: str) -> bool:
    return marker in chain.new_log("gunicorn-access.log")


# -- 1. pages, API and static files ---------------------------------------------------------

def test_pages_and_api_answer_through_nginx(chain):
    """Home, an entry, a comparison and the API, all through nginx."""
    first, second = _slugs(2)
    home = chain.get("/")
    assert home.status == 200 and "Compare anything" in home.text
    entry = chain.get(f"/entries/{first}")
    assert entry.status == 200 and f"/entries/{first}/history" in entry.text
    comparison = chain.get(f"/compare/{first}-vs-{second}")
    assert comparison.status == 200 and first in comparison.text and second in comparison.text
    api = chain.get(f"/api/v1/entries/{first}")
    assert api.status == 200 and api.json()["slug"] == first and api.headers["etag"]
    assert chain.get("/healthz").json()["status"] == "ok"
    ready = chain.get("/readyz")
    assert ready.status == 200 and ready.json()["store"] == "embedded"


def test_static_files_come_from_nginx_and_never_reach_gunicorn(chain):
    """The page's stylesheet and script: from disk, cached a year, gzipped, not proxied."""
    home = chain.get("/")
    assets = re.findall(r'(?:href|src)="(/static/[^"]+\?v=[0-9a-f]{8})"', home.text)
    assert len(assets) >= 5, assets
    marker = f"static-check-{time.monotonic_ns()}"
    for url in assets:
        answer = chain.get(url, headers={"X-Request-ID": marker})
        on_disk = (ROOT / "app" / url.split("?")[0].lstrip("/")).read_bytes()
        assert answer.status == 200 and answer.body == on_disk, url
        assert "max-age=31536000" in answer.headers["cache-control"], url
        assert_security_headers(answer)
    css = chain.get(assets[1], headers={"Accept-Encoding": "gzip"})
    assert css.headers.get("content-encoding") == "gzip"
    assert len(css.body) < len(zlib.decompress(css.body, 16 + zlib.MAX_WBITS))
    # A request that does reach the app shows up in gunicorn's access log; static ones not.
    api_marker = f"api-check-{time.monotonic_ns()}"
    chain.get("/api/v1/categories", headers={"X-Request-ID": api_marker})
    wait_until(lambda: _access_log_has(chain, api_marker), 10, "the API request in the log")
    log = chain.new_log("gunicorn-access.log")
    assert marker not in log and "/static/" not in log


def test_request_id_is_echoed_and_reaches_the_app(chain):
    """A sane client id is kept end to end; a bad one is replaced by nginx's own."""
    answer = chain.get("/api/v1/categories", headers={"X-Request-ID": "trace-me.42"})
    assert answer.headers["x-request-id"] == "trace-me.42"
    wait_until(lambda: _access_log_has(chain, "rid=trace-me.42"), 10, "the id in gunicorn's log")
    bad = chain.get("/", headers={"X-Request-ID": "evil id\tinjected"})
    assert re.fullmatch(r"[0-9a-f]{32}", bad.headers["x-request-id"])
    assert re.fullmatch(r"[0-9a-f]{32}", chain.get("/healthz").headers["x-request-id"])


# -- 2. uploads and headers on every kind of answer -------------------------------------------

def _png_of_exactly(size: int) -> bytes:
    """A valid PNG (noise, so it does not compress) padded by a private chunk to ``size``."""
    noise = random.Random(2).randbytes(640 * 640 * 3)
    out = io.BytesIO()
    Image.frombytes("RGB", (640, 640), noise).save(out, "PNG")
    png = out.getvalue()
    pad = size - len(png) - 12
    assert pad >= 0, len(png)
    data = b"\0" * pad
    chunk = struct.pack(">I", pad) + b"prVt" + data + struct.pack(
        ">I", zlib.crc32(b"prVt" + data) & 0xFFFFFFFF)
    iend = png.rindex(b"IEND") - 4
    return png[:iend] + chunk + png[iend:]


@pytest.fixture(scope="module")
def alice_token(chain):
    return chain.token("alice")


def test_avatar_of_2_mib_passes_and_one_byte_more_is_413(chain, alice_token):
    """nginx's body limit equals the app's: 2 MiB is stored, 2 MiB + 1 never reaches it."""
    body = _png_of_exactly(2 * MIB)
    assert len(body) == 2 * MIB
    headers = {"Authorization": f"Bearer {alice_token}", "Content-Type": "image/png"}
    stored = request("PUT", "/api/v1/users/alice/avatar", headers=headers, body=body)
    assert stored.status == 200, stored.text
    avatar = chain.get("/api/v1/users/alice/avatar")
    assert avatar.status == 200 and avatar.headers["content-type"].startswith("image/")
    marker = f"too-big-{time.monotonic_ns()}"
    too_big = request("PUT", "/api/v1/users/alice/avatar", body=body + b"\0",
                      headers={**headers, "X-Request-ID": marker})
    assert too_big.status == 413
    assert too_big.headers["content-type"] == "application/problem+json"
    assert too_big.json()["status"] == 413
    assert too_big.headers["x-request-id"] == marker
    assert_security_headers(too_big)
    assert chain.get("/api/v1/users/alice/avatar").body == avatar.body  # unchanged
    assert marker not in chain.new_log("gunicorn-access.log")


def test_security_headers_on_200_404_413_and_500(chain):
    """The headers are on success, on the app's errors, and on nginx's own errors."""
    ok = chain.get("/")
    missing_page = chain.get("/entries/there-is-no-such-entry")
    missing_api = chain.get("/api/v1/entries/there-is-no-such-entry")
    too_big = request("POST", "/api/v1/entries", body=b"x" * (2 * MIB + 1),
                      headers={"Content-Type": "application/json"})
    broken = chain.get("/api/v1/entries/damaged-entry", headers={"X-Request-ID": "bug-500"})
    broken_page = chain.get("/entries/damaged-entry")
    assert [ok.status, missing_page.status, missing_api.status, too_big.status,
            broken.status, broken_page.status] == [200, 404, 404, 413, 500, 500]
    for answer in (ok, missing_page, missing_api, too_big, broken, broken_page):
        assert_security_headers(answer)
        assert answer.headers.get("x-request-id")
    assert broken.json()["request_id"] == "bug-500"  # users can quote it
    assert "Traceback" not in broken.text + broken_page.text


# -- 5. the short cache for anonymous readers -------------------------------------------------

def _login_session() -> str:
    """Log in through nginx as a browser does; the session cookie."""
    token = request("GET", "/login/csrf-token")
    session = token.cookies["session"]
    form = urlencode({"csrf_token": token.json()["csrf_token"], "login": "bob",
                      "password": DEMO_PASSWORD}).encode()
    answer = request("POST", "/login", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"session={session}"})
    assert answer.status == 302, answer.text
    return answer.cookies["session"]


def test_anonymous_readers_get_a_short_cache_and_logged_in_users_the_truth(chain, alice_token):
    """An edit shows at once to a logged-in user, and to anonymous readers within 10 s."""
    slug = _slugs(3)[2]
    page = f"/entries/{slug}"
    first = chain.get(page)
    again = chain.get(page)
    assert first.headers.get("x-cache-status") in ("MISS", "EXPIRED", "HIT")
    assert again.headers.get("x-cache-status") == "HIT"
    assert "set-cookie" not in first.headers  # a cached page carries nobody's cookie

    entry = chain.get(f"/api/v1/entries/{slug}")
    summary = f"Edited through nginx at {time.time_ns()}"
    edit = request("PATCH", f"/api/v1/entries/{slug}", body=json.dumps(
        {"summary": summary}).encode(), headers={
        "Authorization": f"Bearer {alice_token}", "Content-Type": "application/json",
        "If-Match": entry.headers["etag"]})
    assert edit.status == 200, edit.text
    edited_at = time.monotonic()

    session = _login_session()
    logged_in = chain.get(page, headers={"Cookie": f"session={session}"})
    assert logged_in.headers.get("x-cache-status") == "BYPASS"
    assert summary in logged_in.text and "bob" in logged_in.text

    stale = chain.get(page)
    if time.monotonic() - edited_at < 8:  # still within the 10 s lifetime of the copy
        assert stale.headers.get("x-cache-status") == "HIT" and summary not in stale.text
    fresh = wait_until(lambda: summary in chain.get(page).text, 15, "the anonymous copy")
    assert fresh and time.monotonic() - edited_at <= 10 + 2  # lifetime + one round trip
    assert summary in chain.get(page, port=GUNICORN_PORT).text  # the app had it all along


def test_language_is_part_of_the_cache_key(chain):
    """A cached English page is never served to a reader who asked for Chinese."""
    english = chain.get("/explore", headers={"Accept-Language": "en"})
    chinese = chain.get("/explore", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert 'lang="en"' in english.text and 'lang="zh-Hans"' in chinese.text


def test_the_unit_system_is_part_of_the_cache_key(chain):
    """A cached comparison in the default units is never served to a reader who chose imperial."""
    page = "/compare/dell-xps-13-9340-vs-macbook-air-13-m2"
    default = chain.get(page)
    imperial = chain.get(page, headers={"Cookie": "pkyx_units=imperial"})
    assert ">1.19 kg<" in default.text and ">2.62 lb<" in imperial.text
    assert chain.get(page).headers.get("x-cache-status") == "HIT"
    assert ">1.19 kg<" in chain.get(page).text


# -- 4. rate limits on login and tokens (last: it spends the module's allowance) ------------

def test_a_registration_mail_leaves_through_redis_and_the_supervised_worker(chain):
    """POST /api/v1/users through nginx queues the confirmation mail in Redis; the worker
    supervisor runs (pkyx-mail) sends it; its link, on PKYX_PUBLIC_URL, confirms."""
    import base64

    from tests.mail.smtp import SmtpServer

    assert "RUNNING" in chain.supervisorctl("status", "pkyx-mail")
    smtp = SmtpServer(chain.smtp_port)
    smtp.start()
    try:
        body = json.dumps({"username": "mailtest", "email": "mailtest@example.org",
                           "password": "correct horse battery staple"}).encode()
        created = request("POST", "/api/v1/users", body=body,
                          headers={"Content-Type": "application/json"})
        assert created.status == 201, created.text
        assert created.json()["email_confirmed"] is False
        mail = smtp.wait_for_mail("mailtest@example.org", 30)
    finally:
        smtp.stop()
    link = re.search(r"http://127\.0\.0\.1:8080(/confirm/\S+)",
                     mail.get_body(("plain",)).get_content()).group(1)
    assert "X-Pkyx-Link" not in mail  # production mail carries only what readers need
    assert request("GET", link).status == 302
    basic = base64.b64encode(b"mailtest:correct horse battery staple").decode()
    me = request("GET", "/api/v1/users/mailtest", headers={"Authorization": f"Basic {basic}"})
    assert me.json()["email_confirmed"] is True
    assert "mail to mailtest@example.org sent" in chain.new_log("mail-worker.log")


def test_login_and_token_requests_are_rate_limited_by_nginx(chain):
    """A burst of password guesses: nginx answers 429 problem+json before the app is asked."""
    guesses = [request("POST", "/api/v1/tokens", headers={
        "Authorization": "Basic " + "Ym9iOndyb25nLXBhc3N3b3Jk"}) for _ in range(12)]
    statuses = [answer.status for answer in guesses]
    assert statuses[0] == 401 and statuses.count(429) >= 5, statuses
    limited = next(answer for answer in guesses if answer.status == 429)
    assert limited.headers["content-type"] == "application/problem+json"
    assert limited.headers["retry-after"] and limited.json()["status"] == 429
    assert_security_headers(limited)
    login = [request("POST", "/login", body=b"login=bob&password=nope", headers={
        "Content-Type": "application/x-www-form-urlencoded"}) for _ in range(3)]
    assert [answer.status for answer in login] == [429] * 3
    assert chain.get("/login").status == 200  # reading the form is never limited


def test_gunicorn_runs_one_worker_with_threads_on_the_embedded_store(chain):
    """The log says which store and why there is one worker."""
    assert len(chain.worker_pids()) == 1
    log = chain.new_log("gunicorn-error.log")
    assert "embedded demo store: 1 worker with 8 threads" in log
    assert Path(chain.instance / "pkyx-store.json").exists()
