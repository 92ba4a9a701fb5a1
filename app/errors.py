"""Every error handler of the app, in one place.

Each handler answers with problem+json under ``/api/`` (or when the client asks for
JSON) and with a page in the site's layout otherwise. Domain errors map to statuses;
Flask's own HTTP errors (404, 405, 413, 415, malformed JSON…) keep theirs; an
unreachable store is a quick 503 with ``Retry-After`` (see :mod:`app.health`); anything
else is a logged 500 without details. 5xx answers carry the request id for users to quote.
"""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.http import HTTP_STATUS_CODES

from .api.errors import ApiError
from .domain.errors import (
    BadLink,
    Conflict,
    DomainError,
    Forbidden,
    InvalidValue,
    NotFound,
    RateLimited,
    StaleVersion,
    Unconfirmed,
)
from .health import store_failed
from .problems import RETRY_AFTER_SECONDS, problem, wants_problem
from .request_ids import request_id
from .services.query import QueryError
from .store import QUERY_TIMEOUTS, STORE_DOWN, StoreReadOnly
from .web.errors import error_page

__all__ = ["register_errorhandlers", "RETRY_AFTER_SECONDS", "STORE_DOWN"]

log = logging.getLogger(__name__)

DOMAIN_STATUS = ((BadLink, 400), (InvalidValue, 400), (Forbidden, 403), (NotFound, 404),
                 (Conflict, 409), (StaleVersion, 412), (RateLimited, 429))
PASSED_ON_HEADERS = ("WWW-Authenticate", "Retry-After", "Allow")


def _answer(status: int, detail: str, *, errors: dict | None = None,
            headers: dict | None = None):
    """problem+json or an error page, as the request wants; a 5xx names the request."""
    rid = request_id() if status >= 500 else None
    if wants_problem():
        return problem(status, detail, errors=errors, headers=headers,
                       extensions={"request_id": rid} if rid else None)
    return error_page(status, HTTP_STATUS_CODES.get(status, "Error"), detail, headers,
                      request_id=rid)


def _domain_error(exc: DomainError):
    """Map a domain error to its status, naming the field when there is one."""
    status = getattr(exc, "status", None) or \
        next(code for cls, code in DOMAIN_STATUS if isinstance(exc, cls))
    field = getattr(exc, "field", None)
    message = getattr(exc, "message", str(exc))
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
    return _answer(status, message, errors={field: message} if field else None, headers=headers)


def _unconfirmed(exc: Unconfirmed):
    """An unconfirmed account tried to edit: 403, on a page that offers the link again."""
    if wants_problem():
        return problem(403, exc.message)
    return render_template("account/unconfirmed.html", email=exc.email,
                           hide_confirm_banner=True), 403


def _api_error(exc: ApiError):
    return problem(exc.status, exc.detail, errors=exc.errors, headers=exc.headers)


def _query_error(exc: QueryError):
    detail = "The query string cannot be used: " + " ".join(exc.errors.values())
    return _answer(400, detail, errors=exc.errors)


def _http_error(exc: HTTPException):
    """Flask's own errors, keeping Allow, WWW-Authenticate and Retry-After.

    An error raised after the view (an ``after_request`` hook) reaches Flask as a 500
    wrapping it; a store failure there is still a 503.
    """
    if isinstance(exc, InternalServerError):
        if isinstance(exc.original_exception, QUERY_TIMEOUTS):
            return _query_timeout(exc.original_exception)
        if isinstance(exc.original_exception, STORE_DOWN):
            return _store_down(exc.original_exception)
    headers = {}
    if exc.response is not None:
        headers = {k: v for k, v in exc.response.headers.items() if k in PASSED_ON_HEADERS}
    if exc.code == 405 and getattr(exc, "valid_methods", None):
        headers["Allow"] = ", ".join(exc.valid_methods)
    detail = exc.description or ""
    if not wants_problem() and detail == type(exc).description:
        detail = ""  # werkzeug's stock English sentence: the page says it in the reader's words
    return _answer(exc.code or 500, detail, headers=headers)


def _store_down(exc: Exception):
    """The database cannot be reached: 503 with Retry-After, never a traceback."""
    retry_after = store_failed(exc)
    # no-store: a cached 503 would outlast the outage.
    return _answer(503, "The database cannot be reached right now; try again in a few seconds.",
                   headers={"Retry-After": str(retry_after), "Cache-Control": "no-store"})


def _query_timeout(exc: Exception):
    """One query ran out of time (``maxTimeMS``): this request fails, the store is up.

    The breaker stays closed: a slow query is not a dead database, and one client's
    expensive question must not make every other request answer 503.
    """
    log.warning("query ran out of time on %s %s: %s", request.method, request.path, exc)
    return _answer(503, _("The database took too long to answer this request; try again in "
                          "a moment."), headers={"Retry-After": "1", "Cache-Control": "no-store"})


def _read_only(exc: StoreReadOnly):
    """The store's data waits for a repair (see EmbeddedStore.load_snapshot): no writes."""
    return _answer(503, _("The wiki is read-only for now: an operator has to repair its "
                          "data. Reading works; please try your change again later."),
                   headers={"Cache-Control": "no-store"})


def _unexpected(exc: Exception):
    """A bug: log it with its traceback, answer 500 without details."""
    log.exception("unhandled error on %s %s", request.method, request.path)
    return _answer(500, "Something went wrong on our side; it has been logged.")


def register_errorhandlers(app: Flask) -> None:
    """Install every handler."""
    app.register_error_handler(ApiError, _api_error)
    app.register_error_handler(QueryError, _query_error)
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(Unconfirmed, _unconfirmed)
    app.register_error_handler(StoreReadOnly, _read_only)
    for error in QUERY_TIMEOUTS:  # before STORE_DOWN: NetworkTimeout is an AutoReconnect
        app.register_error_handler(error, _query_timeout)
    for error in STORE_DOWN:
        app.register_error_handler(error, _store_down)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
