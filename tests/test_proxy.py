"""Behind nginx: X-Forwarded-* trusted for PROXY_COUNT hops only, and the rate limits
count the client's address, not the proxy's."""

from __future__ import annotations

import pytest
from flask import request

from app import create_app

FORWARDED = {"X-Forwarded-For": "203.0.113.9, 198.51.100.7", "X-Forwarded-Proto": "https",
             "X-Forwarded-Host": "pkyx.example.org", "X-Forwarded-Port": "443"}


def proxied_app(hops: int, **settings):
    """An app trusting ``hops`` proxies, with a route that shows what it sees."""
    app = create_app("testing", {"PROXY_COUNT": hops, **settings})

    @app.get("/whoami")
    def whoami():
        return {"addr": request.remote_addr, "scheme": request.scheme, "host": request.host}

    return app


@pytest.fixture
def apps():
    """Make apps and close their stores afterwards."""
    made = []

    def make(hops: int, **settings):
        made.append(proxied_app(hops, **settings))
        return made[-1]

    yield make
    for app in made:
        app.extensions["pkyx.store"].close()


def test_one_proxy_gives_the_client_address_scheme_and_host(apps):
    """Only the last hop (what nginx appended) counts; an address the client sent is not."""
    seen = apps(1).test_client().get("/whoami", headers=FORWARDED).get_json()
    assert seen == {"addr": "198.51.100.7", "scheme": "https", "host": "pkyx.example.org"}


def test_without_a_proxy_the_headers_are_ignored(apps):
    """PROXY_COUNT=0: a client talking to the app directly cannot pick its address."""
    seen = apps(0).test_client().get("/whoami", headers=FORWARDED).get_json()
    assert seen == {"addr": "127.0.0.1", "scheme": "http", "host": "localhost"}


def _token_statuses(client, addresses: list[str]) -> list[int]:
    """POST /tokens (no credentials) once from each forwarded address."""
    return [client.post("/api/v1/tokens", headers={"X-Forwarded-For": address}).status_code
            for address in addresses]


def test_the_rate_limit_counts_each_forwarded_client(apps):
    """Behind the proxy, one client's limit does not shut out the next client."""
    client = apps(1, RATELIMIT_TOKENS="2/minute").test_client()
    assert _token_statuses(client, ["10.0.0.1"] * 3 + ["10.0.0.2"]) == [401, 401, 429, 401]


def test_a_forged_forwarded_address_does_not_escape_the_limit(apps):
    """Without a trusted proxy, changing X-Forwarded-For does not reset the count."""
    client = apps(0, RATELIMIT_TOKENS="2/minute").test_client()
    assert _token_statuses(client, ["10.0.0.1", "10.0.0.2", "10.0.0.3"]) == [401, 401, 429]
