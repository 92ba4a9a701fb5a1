"""Store health: a small circuit breaker, so a dead database costs one wait, not one per request.

pymongo waits up to ``MONGO_SERVER_SELECTION_TIMEOUT_MS`` for a server on every call.
After a store failure (:func:`app.store.store_down`) the breaker opens for
``STORE_RETRY_SECONDS``: requests answer 503 at once, without touching the store, so
a dead database does not hold every worker thread for the full timeout. When the
window has passed, the next request goes through as the probe while the others still
answer 503: if it ends without a store failure the breaker closes, if not it opens
again. A query that runs out of time (``maxTimeMS``) is not a store failure: it fails its
own request and leaves the breaker alone. ``/healthz``, ``/readyz`` and static files are
never held back, and ``/readyz`` always pings the store and tells the breaker what it
found, so recovery is automatic.

The state is per process (each gunicorn worker keeps its own) and behind a lock.

Example::

    breaker = StoreBreaker(retry_seconds=2)
    breaker.trip()
    breaker.admit()  # "open": answer 503 without asking the store
"""

from __future__ import annotations

import logging
import math
import re
import threading
import time
from collections.abc import Callable
from contextvars import ContextVar

import pymongo
from flask import Flask, current_app, g, request
from pymongo.errors import ConnectionFailure, PyMongoError

from .extensions import limiter, login_manager
from .repositories.indexes import missing_indexes
from .store import store_down

__all__ = ["StoreBreaker", "BreakerOpen", "init_health", "store_breaker", "store_failed",
           "check_store", "check_indexes", "describe_failure", "CLOSED", "OPEN", "PROBE",
           "UNGUARDED", "READY_SECONDS", "INDEXES_RECHECK_SECONDS"]

log = logging.getLogger(__name__)

CLOSED, OPEN, PROBE = "closed", "open", "probe"
#: Endpoints answered whatever the breaker says (the probes, and files that need no store).
UNGUARDED = frozenset({"main.healthz", "main.readyz", "static"})
#: /readyz gives up on the store after at most this long (its callers wait up to 5 s).
READY_SECONDS = 4.0
#: Once every index is there, /readyz looks again only after this long (s).
INDEXES_RECHECK_SECONDS = 60.0
#: "host:port: " at the start of a pymongo message, and "user:password@" anywhere.
_ADDRESS = re.compile(r"^\S+:\d+: ")
_CREDENTIALS = re.compile(r"\S*@")


class BreakerOpen(ConnectionFailure):
    """Raised instead of asking the store while the breaker is open (no network involved)."""


class StoreBreaker:
    """Closed, open until a moment, or letting one probe through; thread-safe."""

    def __init__(self, retry_seconds: float, clock: Callable[[], float] = time.monotonic):
        self.retry_seconds = retry_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._open_until: float | None = None  # None: closed

    def admit(self) -> str:
        """:data:`CLOSED` or :data:`PROBE`: go ahead; :data:`OPEN`: answer 503 now.

        At most one probe per window: admitting it starts a new window, which its
        success (:meth:`reset`) or failure (:meth:`trip`) ends early.
        """
        if self._open_until is None:  # one read, no lock: the usual case
            return CLOSED
        with self._lock:
            if self._open_until is None:
                return CLOSED
            now = self._clock()
            if now < self._open_until:
                return OPEN
            self._open_until = now + self.retry_seconds
            return PROBE

    def trip(self) -> None:
        """The store failed: hold requests back for ``retry_seconds``."""
        with self._lock:
            if self._open_until is None:
                log.warning("store unreachable: answering 503 for %g s before trying again",
                            self.retry_seconds)
            self._open_until = self._clock() + self.retry_seconds

    def reset(self) -> None:
        """The store answered: let every request through again."""
        with self._lock:
            if self._open_until is not None:
                log.info("store reachable again")
            self._open_until = None

    @property
    def is_open(self) -> bool:
        """Whether requests are held back (a probe may be due)."""
        with self._lock:
            return self._open_until is not None

    def retry_after(self) -> int:
        """Whole seconds until a request may try the store again (at least 1)."""
        with self._lock:
            left = self.retry_seconds if self._open_until is None \
                else self._open_until - self._clock()
        return max(1, math.ceil(left))


def store_breaker() -> StoreBreaker:
    """The current app's breaker."""
    return current_app.extensions["pkyx.breaker"]


def store_failed(exc: Exception) -> int:
    """Note a store failure of this request and keep its answer off the store.

    Opens the breaker (unless ``exc`` is the breaker's own refusal) and returns the
    Retry-After seconds. Rendering the 503 must not ask the store again: that would be a
    second wait, or a failure inside the error handler (a 500).
    """
    breaker = store_breaker()
    if not isinstance(exc, BreakerOpen):
        log.warning("store unreachable on %s %s: %s", request.method, request.path, exc)
        breaker.trip()
    g.store_failed = True
    if "_login_user" not in g:  # Flask-Login's user of this request, not loaded yet
        login_manager._update_request_context_with_user()  # anonymous, no user loader
    limiter.context.reset()  # no X-RateLimit-* headers: reading them asks the counters
    return breaker.retry_after()


def check_store() -> str | None:
    """Ping the store: ``None`` when it answers, else why not; the breaker learns either way.

    The ping's whole budget (server selection included) is the selection timeout, and
    never more than :data:`READY_SECONDS`, even with the 5 s setting.
    """
    budget = min(READY_SECONDS, current_app.config["MONGO_SERVER_SELECTION_TIMEOUT_MS"] / 1000)
    try:
        with pymongo.timeout(budget):
            current_app.extensions["pkyx.store"].ping()
    except PyMongoError as exc:
        log.warning("readiness: the store does not answer: %s", exc)
        if store_down(exc):
            store_breaker().trip()
        return describe_failure(exc)
    store_breaker().reset()
    return None


def check_indexes() -> list[str]:
    """The indexes of ``indexes.py`` the store lacks; none once they are all there.

    Listing them costs a query per collection, so after a check that found all of them
    the next one waits :data:`INDEXES_RECHECK_SECONDS`.
    """
    state = current_app.extensions.setdefault("pkyx.indexes_ok_until", [0.0])
    if time.monotonic() < state[0]:
        return []
    missing = missing_indexes(current_app.extensions["pkyx.store"].db)
    if not missing:
        state[0] = time.monotonic() + INDEXES_RECHECK_SECONDS
    return missing


def describe_failure(exc: Exception) -> str:
    """The error's class and the first clause of its message, for a public answer.

    pymongo's messages carry the server's address and a topology dump; neither (nor
    anything shaped like ``user:password@``) leaves the server. The log has it all.
    """
    text = str(exc).split(" (configured timeouts")[0].split(", Timeout:")[0]
    text = _CREDENTIALS.sub("", _ADDRESS.sub("", text)).strip()[:120]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


#: Whether this request is the breaker's probe (a context variable: set only for the probe,
#: cleared after it, so an ordinary request reads it once and writes nothing).
_PROBE: ContextVar[bool] = ContextVar("pkyx_store_probe", default=False)


def _hold_back() -> None:
    """Before each request: refuse at once while the breaker is open; mark the probe."""
    if request.endpoint in UNGUARDED:
        return
    state = store_breaker().admit()
    if state == OPEN:
        raise BreakerOpen("the store failed moments ago; not asking it again yet")
    if state == PROBE:
        _PROBE.set(True)


def _after_probe(exc: BaseException | None) -> None:
    """After the probe: close the breaker when it ended without a store failure."""
    if _PROBE.get():
        _PROBE.set(False)
        if exc is None and not g.get("store_failed"):
            store_breaker().reset()


def init_health(app: Flask) -> None:
    """Attach a breaker to ``app``; call before any other ``before_request`` is added."""
    app.extensions["pkyx.breaker"] = StoreBreaker(float(app.config["STORE_RETRY_SECONDS"]))
    app.before_request(_hold_back)
    app.teardown_request(_after_probe)
