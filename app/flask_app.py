"""``Pkyx``: the Flask application class, with less work per request than Flask's own.

Every request runs a dozen hooks (request ids, the store breaker, CSRF, languages,
security headers, the rate limiter, Flask-Login), and Flask asks of each one, on every
request, whether it is a coroutine function (``ensure_sync`` → ``inspect``): ~85 µs a
request at /healthz before this class, about a third of what the app added to a bare
Flask app. Whether a function is a coroutine function does not change, so here the
answer is kept. Behaviour is Flask's: an ``async def`` hook or view is still wrapped.

Example::

    app = Pkyx(__name__)
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from flask import Flask
from flask.sessions import SecureCookieSessionInterface

__all__ = ["Pkyx", "LeanSessionInterface", "replace_hook", "add_headers", "header_items",
           "vary_cookie"]

#: At most this many callables are remembered (hooks and views: a few dozen in pkyx).
REMEMBERED = 4096


class LeanSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, doing nothing for a request that has none.

    Flask builds the cookie's signing serializer before it looks for the cookie, and
    reads seven cookie settings after every request before it sees that the session is
    empty and untouched. API calls and probes never have a session: here they cost one
    cookie look-up and one test. Everything else is Flask's own code.
    """

    def open_session(self, app: Flask, request):
        if app.secret_key and ("HTTP_COOKIE" not in request.environ  # no cookie at all
                               or not request.cookies.get(self.get_cookie_name(app))):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session, response) -> None:
        if not session and not session.modified:  # empty before and after: no cookie to write
            if session.accessed:  # what Flask's save_session does then, without reading
                vary_cookie(response)  # seven cookie settings it does not use
            return
        super().save_session(app, session, response)


class Pkyx(Flask):
    """Flask, remembering which hooks and views are plain functions."""

    session_interface = LeanSessionInterface()

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        #: Functions known to be synchronous (a method by its function, so that a view
        #: instance made per request is not kept alive here).
        self._plain: set[Callable] = set()
        self._plain_lock = threading.Lock()

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """``func`` itself when it is synchronous, else Flask's wrapper (each asked once)."""
        try:
            if func in self._plain:  # a function (a bound method is found by its function)
                return func
        except TypeError:  # an unhashable callable: ask every time
            return super().ensure_sync(func)
        key = getattr(func, "__func__", None) or func
        if key in self._plain:
            return func
        sync = super().ensure_sync(func)
        if sync is func:  # a coroutine function's wrapper is made anew each time, as in Flask
            with self._plain_lock:
                if len(self._plain) < REMEMBERED:
                    self._plain.add(key)
        return sync


def replace_hook(hooks: dict, wanted: Callable[[Callable], bool],
                 guard: Callable[[Callable], Callable]) -> None:
    """Replace the app-wide hook ``wanted`` picks (one of ``app.before_request_funcs``,
    ``after_request_funcs``, ``teardown_request_funcs``) by ``guard(hook)``, in its place.

    For an extension's hook that pkyx can skip where it would do nothing; raises when the
    hook is not there (an extension changed how it registers).
    """
    funcs = hooks.get(None, [])
    for position, func in enumerate(funcs):
        if wanted(func):
            funcs[position] = guard(func)
            return
    raise RuntimeError(f"no hook to replace among {funcs!r}")


def add_headers(response, items: Sequence[tuple[str, str, str]]) -> None:
    """Add each header of ``items`` (name, lower-case name, value) the response lacks.

    For the headers the app adds to every answer (security headers, the request id): one
    look at the names there are, then the missing ones appended as they are. Their values
    are the app's own constants or checked text, so werkzeug's per-value check (no line
    breaks) is made once, when ``items`` is built, not on every request: build ``items``
    with :func:`header_items`.
    """
    present = {name.lower() for name, _ in response.headers._list}
    response.headers._list.extend([(name, value) for name, lower, value in items
                                   if lower not in present])


def header_items(headers: Mapping[str, str]) -> tuple[tuple[str, str, str], ...]:
    """``headers`` as :func:`add_headers` takes them, each value checked as werkzeug would."""
    return tuple((name, name.lower(), _checked(value)) for name, value in headers.items())


def _checked(value: str) -> str:
    if "\n" in value or "\r" in value:
        raise ValueError(f"a header value must be one line: {value!r}")
    return value


def vary_cookie(response) -> None:
    """``response.vary.add("Cookie")``, without parsing a Vary header there is not."""
    if "vary" in response.headers:
        response.vary.add("Cookie")
    else:
        response.headers._list.append(("Vary", "Cookie"))
