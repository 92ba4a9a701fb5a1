"""The store's health: /healthz and /readyz, the circuit breaker, an unreachable MongoDB.

A closed port stands in for a dead server (nothing listens there, so pymongo gives up
after MONGO_SERVER_SELECTION_TIMEOUT_MS); fault injection into the repositories'
collections stands in for a server that goes away and comes back.
"""

from __future__ import annotations

import base64
import contextlib
import re
import socket
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from pymongo.errors import (
    AutoReconnect,
    ExecutionTimeout,
    NetworkTimeout,
    OperationFailure,
    ServerSelectionTimeoutError,
    WTimeoutError,
)

from app import create_app, health
from app.extensions import limiter
from app.health import CLOSED, OPEN, PROBE, StoreBreaker, describe_failure

PROBLEM = "application/problem+json"
PASSWORD = "correct horse battery"
SECRET = "s3cret-db-password"
#: Five times the 1 s selection timeout used here: this catches a hang or a second
#: wait, it does not measure speed (bench/ does that).
HANG_SECONDS = 5.0


def closed_port() -> int:
    """A loopback port nothing listens on (bound, read, closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def basic(login: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{login}:{password}".encode()).decode()}


def csrf(client) -> str:
    """The CSRF token of the client's session, from the login form (which needs no store)."""
    html = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def retry_after(response) -> int:
    """The Retry-After of a 503: a positive whole number of seconds."""
    value = int(response.headers["Retry-After"])
    assert value > 0
    return value


# -- the breaker on its own ----------------------------------------------------------------


class Clock:
    """A clock the test moves by hand."""

    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_breaker_opens_lets_one_probe_through_and_closes():
    """Open for the window; then one probe (the rest still refused) until it reports."""
    clock = Clock()
    breaker = StoreBreaker(2, clock)
    assert breaker.admit() == CLOSED and not breaker.is_open
    breaker.trip()
    assert breaker.admit() == OPEN and breaker.retry_after() == 2
    clock.now += 1.5
    assert breaker.admit() == OPEN and breaker.retry_after() == 1
    clock.now += 0.5
    assert breaker.admit() == PROBE
    assert breaker.admit() == OPEN  # one probe per window
    breaker.trip()  # the probe failed
    clock.now += 1.9
    assert breaker.admit() == OPEN
    clock.now += 0.1
    assert breaker.admit() == PROBE
    breaker.reset()  # the probe got through
    assert breaker.admit() == CLOSED and not breaker.is_open


def test_a_probe_that_never_reports_does_not_keep_the_breaker_open():
    """A lost probe only costs its window: after it, the next request probes."""
    clock = Clock()
    breaker = StoreBreaker(2, clock)
    breaker.trip()
    clock.now += 2
    assert breaker.admit() == PROBE
    clock.now += 2
    assert breaker.admit() == PROBE


def test_one_probe_among_many_threads():
    """Threads arriving together after the window: exactly one of them asks the store."""
    clock = Clock()
    breaker = StoreBreaker(2, clock)
    breaker.trip()
    clock.now += 3
    with ThreadPoolExecutor(16) as pool:
        states = list(pool.map(lambda _: breaker.admit(), range(200)))
    assert states.count(PROBE) == 1 and states.count(OPEN) == 199


@pytest.mark.parametrize("error, expected", [
    (ServerSelectionTimeoutError(
        "10.0.0.5:27017: [Errno 111] Connection refused (configured timeouts: "
        "socketTimeoutMS: 20000.0ms, connectTimeoutMS: 20000.0ms), Timeout: 3.0s, Topology "
        "Description: <TopologyDescription id: 1, servers: [<ServerDescription "
        "('10.0.0.5', 27017)>]>"),
     "ServerSelectionTimeoutError: [Errno 111] Connection refused"),
    (AutoReconnect("db.internal:27017: connection closed"), "AutoReconnect: connection closed"),
    (OperationFailure(f"auth failed for pkyx:{SECRET}@db"), "OperationFailure: auth failed for db"),
    (NetworkTimeout(""), "NetworkTimeout"),
])
def test_failures_are_described_without_address_or_credentials(error, expected):
    """The public reason names the error, never the server, its topology or a password."""
    assert describe_failure(error) == expected


# -- /healthz and /readyz ------------------------------------------------------------------


@pytest.mark.parametrize("path, status", [("/healthz", "ok"), ("/readyz", "ready")])
def test_probes_answer_uncached_without_a_session(client, path, status):
    """200 JSON naming the store, Cache-Control: no-store, no cookie set."""
    response = client.get(path)
    assert response.status_code == 200
    assert response.get_json() == {"status": status, "store": "embedded"}
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


@pytest.fixture
def default_limited():
    """An app with a default limit on every route (the limiter is one object for the
    process: its default limits are taken away again afterwards)."""
    app = create_app("testing", {"RATELIMIT_DEFAULT": "2/minute"})
    yield app
    limiter.limit_manager.set_default_limits([])
    app.extensions["pkyx.store"].close()


def test_probes_are_never_rate_limited(default_limited):
    """With a default limit on every route, the probes still answer every time."""
    client = default_limited.test_client()
    statuses = [client.get("/api/v1/categories").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]  # the default limit does apply elsewhere
    for _ in range(5):
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 200


def test_readyz_says_why_the_store_is_not_ready(app, client, monkeypatch):
    """A failing ping: 503 problem with the reason, Retry-After 5, and the breaker opens."""
    store = app.extensions["pkyx.store"]

    def down():
        raise AutoReconnect(f"db.internal:27017: connection closed (pkyx:{SECRET}@)")

    monkeypatch.setattr(store, "ping", down)
    response = client.get("/readyz")
    body = response.get_json()
    assert response.status_code == 503 and response.mimetype == PROBLEM
    assert response.headers["Retry-After"] == "5"
    assert response.headers["Cache-Control"] == "no-store"
    assert body["detail"].startswith("The database cannot be reached: AutoReconnect: connection")
    assert SECRET not in response.get_data(as_text=True) and "db.internal" not in body["detail"]
    assert body["request_id"] == response.headers["X-Request-ID"]
    assert app.extensions["pkyx.breaker"].is_open


def test_readyz_is_not_ready_when_the_store_refuses_us(app, client, monkeypatch):
    """A server that answers but refuses (bad credentials) is not ready; not an outage."""
    store = app.extensions["pkyx.store"]

    def refused():
        raise OperationFailure("Authentication failed.", code=18)

    monkeypatch.setattr(store, "ping", refused)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "OperationFailure: Authentication failed." in response.get_json()["detail"]
    assert not app.extensions["pkyx.breaker"].is_open


@pytest.mark.parametrize("setting_ms, budget", [(5000, 4.0), (3000, 3.0), (1000, 1.0)])
def test_readyz_answers_within_five_seconds_whatever_the_setting(app, client, monkeypatch,
                                                                 setting_ms, budget):
    """The ping's whole budget is the selection timeout, but never above 4 s."""
    budgets = []

    def recorded(seconds):
        budgets.append(seconds)
        return contextlib.nullcontext()

    monkeypatch.setattr(health.pymongo, "timeout", recorded)
    monkeypatch.setitem(app.config, "MONGO_SERVER_SELECTION_TIMEOUT_MS", setting_ms)
    assert client.get("/readyz").status_code == 200 and budgets == [budget]


def test_readyz_closes_the_breaker_when_the_store_answers(app, client):
    """Pages held back by the breaker come back as soon as /readyz reaches the store."""
    app.extensions["pkyx.breaker"].trip()
    assert client.get("/api/v1/categories").status_code == 503
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/api/v1/categories").status_code == 200


# -- a MongoDB nobody listens to -----------------------------------------------------------


@pytest.fixture
def dead_app():
    """An app whose MONGO_URI is a closed port, the breaker off so every request asks."""
    app = create_app("testing", {
        "MONGO_URI": f"mongodb://pkyx:{SECRET}@127.0.0.1:{closed_port()}/pkyx",
        "MONGO_SERVER_SELECTION_TIMEOUT_MS": 1000,
        "STORE_RETRY_SECONDS": 0,
    })
    yield app
    app.extensions["pkyx.store"].close()


def _send(client, method: str, path: str):
    """One request as a browser or API client would make it (forms carry their token)."""
    if path == "/login" and method == "POST":
        return client.post(path, data={"csrf_token": csrf(client), "login": "alice",
                                       "password": PASSWORD})
    if path == "/api/v1/tokens":
        return client.post(path, headers=basic("alice", PASSWORD))
    return client.open(path, method=method)


@pytest.mark.slow
@pytest.mark.parametrize("method, path, mimetype", [
    ("GET", "/", "text/html"),
    ("GET", "/entries/pixel-8", "text/html"),
    ("GET", "/compare/a-vs-b", "text/html"),
    ("POST", "/login", "text/html"),
    ("GET", "/api/v1/entries", PROBLEM),
    ("GET", "/api/v1/entries/x", PROBLEM),
    ("POST", "/api/v1/tokens", PROBLEM),  # the rate limiter's counters are in MongoDB too
    ("GET", "/readyz", PROBLEM),
])
def test_a_dead_mongodb_is_a_quick_503(dead_app, method, path, mimetype):
    """Each page and API call: 503, its kind of answer, Retry-After, no hang, no leak."""
    client = dead_app.test_client()
    started = time.monotonic()
    response = _send(client, method, path)
    elapsed = time.monotonic() - started
    text = response.get_data(as_text=True)
    assert response.status_code == 503, text[:500]
    assert response.mimetype == mimetype
    retry_after(response)
    assert response.headers["Cache-Control"] == "no-store"
    assert elapsed < HANG_SECONDS, f"{method} {path} took {elapsed:.1f} s"
    assert "Traceback" not in text and SECRET not in text and "127.0.0.1" not in text
    assert response.headers["X-Request-ID"] in text


def test_pages_without_the_store_still_work_and_json_clients_get_problems(dead_app):
    """The login form and /healthz need no store; a JSON client of a page gets a problem."""
    client = dead_app.test_client()
    assert client.get("/login").status_code == 200
    assert client.get("/healthz").status_code == 200
    response = client.get("/", headers={"Accept": "application/json"})
    assert response.status_code == 503 and response.mimetype == PROBLEM


def test_a_dead_mongodb_is_asked_once_then_held_back(dead_app, monkeypatch):
    """With the breaker on, the first request waits for the store, the next ones do not."""
    dead_app.extensions["pkyx.breaker"].retry_seconds = 60
    counter = Outage()  # no error of its own: the closed port fails the calls it counts
    watch(dead_app, counter, monkeypatch)
    client = dead_app.test_client()
    assert client.get("/api/v1/entries").status_code == 503 and counter.calls == 1
    responses = [client.get(path) for path in ("/", "/api/v1/entries", "/login")]
    assert [r.status_code for r in responses] == [503, 503, 503]
    assert all(1 <= retry_after(r) <= 60 for r in responses)
    assert counter.calls == 1


# -- an outage that ends (fault injection) -------------------------------------------------


class Outage:
    """A switch: while ``error`` is set every collection call of the repositories raises it."""

    def __init__(self):
        self.error: Exception | None = None
        self.calls = 0


class FaultyCollection:
    """A repository's collection, counting its calls and failing during an outage."""

    def __init__(self, collection, outage: Outage):
        self._collection = collection
        self._outage = outage

    def __getattr__(self, name):
        attr = getattr(self._collection, name)
        if not callable(attr):
            return attr

        def call(*args, **kwargs):
            self._outage.calls += 1
            if self._outage.error is not None:
                raise self._outage.error
            return attr(*args, **kwargs)

        return call


@pytest.fixture
def outage_app(tmp_path):
    """An app with a short breaker window and a switchable outage of its store."""
    app = create_app("testing", {"STORE_RETRY_SECONDS": 0.2})
    yield app
    app.extensions["pkyx.store"].close()


def watch(app, switch: Outage, monkeypatch) -> None:
    """Put every repository's collection of ``app`` behind ``switch``."""
    for repo in vars(app.extensions["pkyx.repos"]).values():
        if hasattr(repo, "col"):
            monkeypatch.setattr(repo, "col", FaultyCollection(repo.col, switch))


@pytest.fixture
def outage(outage_app, monkeypatch):
    """The outage switch of ``outage_app``'s repositories (off at first)."""
    switch = Outage()
    watch(outage_app, switch, monkeypatch)
    return switch


def _wait_for_the_window(app) -> None:
    time.sleep(app.extensions["pkyx.breaker"].retry_seconds + 0.05)


def test_an_outage_is_503_and_recovery_is_automatic(outage_app, outage):
    """Each kind of store failure in turn: 503 + Retry-After; held back without asking the
    store; once the store is back and the window passed, the next request succeeds."""
    client = outage_app.test_client()
    assert client.get("/api/v1/entries").status_code == 200
    for error in (ServerSelectionTimeoutError("no servers"), AutoReconnect("reset")):
        outage.error = error
        response = client.get("/api/v1/entries")
        assert response.status_code == 503 and response.mimetype == PROBLEM
        retry_after(response)
        asked = outage.calls
        held = [client.get("/api/v1/entries"), client.get("/")]
        assert [r.status_code for r in held] == [503, 503] and outage.calls == asked
        assert "Back in a moment" in held[1].get_data(as_text=True)
        _wait_for_the_window(outage_app)
    outage.error = None
    _wait_for_the_window(outage_app)
    assert client.get("/api/v1/entries").status_code == 200  # the probe
    assert client.get("/").status_code == 200
    assert not outage_app.extensions["pkyx.breaker"].is_open


@pytest.mark.parametrize("error", [ExecutionTimeout("operation exceeded time limit", 50),
                                   NetworkTimeout("timed out"), WTimeoutError("waited")])
def test_a_query_that_runs_out_of_time_fails_alone(outage_app, outage, error):
    """maxTimeMS ran out: that request answers 503 (or 400 for the client's own filter);
    the breaker stays closed, so every other request still asks the store."""
    client = outage_app.test_client()
    outage.error = error
    page = client.get("/")
    assert page.status_code == 503 and "took too long" in page.get_data(as_text=True)
    listed = client.get("/api/v1/entries")
    assert listed.status_code == 503 and listed.mimetype == PROBLEM
    assert "took too long" in listed.get_json()["detail"]
    assert not outage_app.extensions["pkyx.breaker"].is_open
    asked = outage.calls
    assert client.get("/recent").status_code == 503
    assert outage.calls > asked  # not held back
    outage.error = None
    assert client.get("/api/v1/entries").status_code == 200


def test_a_filter_that_runs_out_of_time_is_the_clients_400(outage_app, monkeypatch):
    """Only the entries' query times out: with the client's filter or sort it is a 400."""
    switch = Outage()
    repos = outage_app.extensions["pkyx.repos"]
    monkeypatch.setattr(repos.entries, "col", FaultyCollection(repos.entries.col, switch))
    switch.error = ExecutionTimeout("operation exceeded time limit", 50)
    client = outage_app.test_client()
    for query in ("title=like.*a*", "sort=-updated_at"):
        refused = client.get(f"/api/v1/entries?{query}")
        assert refused.status_code == 400 and refused.mimetype == PROBLEM
        assert "took too long" in refused.get_json()["detail"]
    assert client.get("/api/v1/entries").status_code == 503  # no filter: not the client's


def test_a_real_slow_query_on_the_embedded_store_is_cut_short():
    """6,000 entries and ten regular expressions each, with a 5 ms budget: the scan stops
    with ExecutionTimeout, the client's filter gets a 400; a look-up by slug still works."""
    app = create_app("testing", {"MONGO_QUERY_TIMEOUT_MS": 5})
    app.extensions["pkyx.store"].db.entries.insert_many([
        {"slug": f"e-{n}", "title": f"Entry {n}", "title_key": f"entry {n}",
         "category": "phones", "attributes": {}, "version": 1} for n in range(6000)])
    client = app.test_client()
    query = "&".join(f"title=ilike.*{letter}*" for letter in "entry9xyzq")
    slow = client.get(f"/api/v1/entries?{query}")
    assert slow.status_code == 400 and "took too long" in slow.get_json()["detail"]
    quick = client.get("/api/v1/entries?slug=e-7&fields=slug")
    assert quick.status_code == 200 and quick.get_json()["_items"][0]["slug"] == "e-7"
    assert not app.extensions["pkyx.breaker"].is_open
    app.extensions["pkyx.store"].close()


def test_mongodb_queries_carry_the_time_budget():
    """The pymongo client is built with timeoutMS (sent as maxTimeMS on every operation)."""
    app = create_app("testing", {"MONGO_URI": "mongodb://db.invalid/pkyx",
                                 "MONGO_QUERY_TIMEOUT_MS": 1500})
    store = app.extensions["pkyx.store"]
    assert store.client.options.timeout == 1.5
    assert store.write_seconds == app.config["MONGO_WRITE_TIMEOUT_MS"] / 1000 == 10
    store.client.close()


def test_static_files_and_probes_are_served_while_held_back(outage_app, outage):
    """The 503 page keeps its stylesheet; /healthz answers; /readyz still pings."""
    outage.error = AutoReconnect("reset")
    assert outage_app.test_client().get("/api/v1/entries").status_code == 503
    client = outage_app.test_client()
    response = client.get("/static/favicon.svg")
    assert response.status_code == 200
    response.close()
    assert client.get("/healthz").status_code == 200


@pytest.fixture
def signed_in(outage_app, outage):
    """A client logged in as alice (before the outage)."""
    outage_app.extensions["pkyx.accounts"].register("alice", "alice@example.org", PASSWORD)
    client = outage_app.test_client()
    response = client.post("/login", data={"csrf_token": csrf(client), "login": "alice",
                                           "password": PASSWORD})
    assert response.status_code == 302
    assert "alice" in client.get("/").get_data(as_text=True)
    return client


@pytest.mark.parametrize("path", ["/", "/login"])
def test_the_503_page_does_not_ask_the_store_again(outage, signed_in, path):
    """Rendering the page for a failure never loads the user (which would fail again: 500).

    ``/`` fails in the view; ``/login`` needs no store but its layout loads the user.
    """
    outage.error = ServerSelectionTimeoutError("no servers")
    asked = outage.calls
    response = signed_in.get(path)
    html = response.get_data(as_text=True)
    assert response.status_code == 503 and "Back in a moment" in html
    assert outage.calls == asked + 1
    assert response.headers["X-Request-ID"] in html


# -- the rate limiter's counters -----------------------------------------------------------


def _counters_down(monkeypatch, *methods: str) -> None:
    """Make the limiter's storage fail like a dead MongoDB in ``methods``."""

    def down(*args, **kwargs):
        raise ServerSelectionTimeoutError("no servers")

    for method in methods:
        monkeypatch.setattr(limiter.storage, method, down)


@pytest.mark.parametrize("path", ["/api/v1/tokens", "/login"])
def test_unreachable_counters_refuse_logins_instead_of_unlimiting_them(app, client, alice,
                                                                        monkeypatch, path):
    """No counter, no password check: 503, never an unlimited guess (nor a 500)."""
    token = csrf(client)
    _counters_down(monkeypatch, "incr", "get")
    if path == "/login":
        response = client.post(path, data={"csrf_token": token, "login": "alice",
                                           "password": PASSWORD})
    else:
        response = client.post(path, headers=basic("alice", PASSWORD))
    assert response.status_code == 503
    retry_after(response)


def test_a_store_failure_after_counting_skips_the_rate_limit_headers(outage_app, outage,
                                                                     monkeypatch):
    """Counted, then the store fails: the 503 does not read the counters back (a 500)."""
    _counters_down(monkeypatch, "get_expiry")
    outage.error = AutoReconnect("reset")
    response = outage_app.test_client().post("/api/v1/users", json={
        "username": "carol", "email": "carol@example.org", "password": PASSWORD})
    assert response.status_code == 503 and response.mimetype == PROBLEM


def test_a_store_failure_after_the_view_is_still_a_503(app, client, alice, monkeypatch):
    """The view succeeded, the rate-limit headers cannot be read: 503, not a 500."""
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the 500 handler answers
    _counters_down(monkeypatch, "get_expiry")
    response = client.post("/api/v1/tokens", headers=basic("alice", PASSWORD))
    assert response.status_code == 503 and response.mimetype == PROBLEM
    assert response.get_json()["request_id"] == response.headers["X-Request-ID"]
