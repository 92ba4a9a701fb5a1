"""The app started with MONGO_URI pointing at a closed port, behind nginx.

Pages and API calls answer 503 with Retry-After in under 5 s (pymongo's server selection
timeout, capped at 5 s, then a short circuit breaker), /readyz says why, /healthz says
the process lives.
"""

from __future__ import annotations

import time

import pytest

from .chain import GUNICORN_PORT, Chain, closed_port, request, wait_until


@pytest.fixture(scope="module")
def chain_without_database(tmp_path_factory):
    """The chain with MONGO_URI at a closed port: no database server at all."""
    workdir = tmp_path_factory.mktemp("nodb")
    uri = f"mongodb://127.0.0.1:{closed_port()}/pkyx"
    with Chain(workdir, {"MONGO_URI": uri, "PKYX_SEED_DEMO": "0"}, wait_ready=False) as down:
        wait_until(lambda: request("GET", "/healthz", timeout=10).status == 200, 60,
                   "gunicorn to answer /healthz")
        yield down


@pytest.mark.parametrize("path", [
    "/", "/entries/iphone-15", "/compare/iphone-15-vs-pixel-8", "/explore",
    "/api/v1/entries", "/api/v1/entries/iphone-15", "/api/v1/compare?entries=a,b",
])
def test_with_the_database_gone_pages_and_api_answer_503_quickly(chain_without_database,
                                                                  path):
    """A closed MongoDB port: 503 with Retry-After in under 5 s, through nginx."""
    started = time.monotonic()
    answer = request("GET", path, timeout=30)
    elapsed = time.monotonic() - started
    assert answer.status == 503 and answer.headers["retry-after"], (answer.status, answer.text)
    assert elapsed < 5, elapsed
    if path.startswith("/api/"):
        assert answer.headers["content-type"] == "application/problem+json"
    else:
        assert answer.headers["content-type"].startswith("text/html")
    assert "Traceback" not in answer.text


def test_with_the_database_gone_readyz_says_why_and_healthz_stays_up(chain_without_database):
    """/readyz: 503 problem+json naming the database; /healthz (the process): 200."""
    started = time.monotonic()
    ready = request("GET", "/readyz", timeout=30)
    assert time.monotonic() - started < 5
    assert ready.status == 503 and ready.headers["content-type"] == "application/problem+json"
    assert "database" in ready.json()["detail"].lower()
    assert request("GET", "/healthz").status == 200
    direct = request("GET", "/readyz", port=GUNICORN_PORT, timeout=30)
    assert direct.status == 503  # the app says it, not only nginx
