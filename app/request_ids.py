"""Request ids: one per request, in the ``X-Request-ID`` header, the logs and 5xx answers.

nginx sends its ``$request_id`` as ``X-Request-ID``; a well-formed one is kept, so the
proxy's access log, the app's log lines and what a user quotes from an error page all
name the same request. Without one (or with anything else in it) the app makes one.

Example::

    log.warning("slow query")  # … WARNING app.x [3f2a9c…]: slow query
"""

from __future__ import annotations

import logging
import os
import re

from flask import Flask, g, has_request_context, request

__all__ = ["HEADER", "request_id", "RequestIdFilter", "init_request_ids"]

HEADER = "X-Request-ID"
LOWER = HEADER.lower()
#: Where the WSGI server puts that header (read without building the request's headers).
ENVIRON_KEY = "HTTP_X_REQUEST_ID"
#: What a request id sent by a client or proxy may look like (else one is made).
VALID = re.compile(r"[A-Za-z0-9._-]{1,64}")
#: The ``request_id`` of log records made outside a request.
NO_REQUEST = "-"


def request_id() -> str:
    """This request's id: the one sent in ``X-Request-ID`` when valid, else a new one."""
    if "request_id" not in g:
        sent = request.environ.get(ENVIRON_KEY, "")
        g.request_id = sent if VALID.fullmatch(sent) else new_id()
    return g.request_id


def new_id() -> str:
    """A random (version 4) UUID as 32 hex digits, as ``uuid.uuid4().hex`` makes it, for a
    fifth of the cost (no UUID object)."""
    raw = bytearray(os.urandom(16))
    raw[6] = (raw[6] & 0x0F) | 0x40  # version 4
    raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
    return raw.hex()


class RequestIdFilter(logging.Filter):
    """Give every record a ``request_id`` (``-`` outside a request) for the log format."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id() if has_request_context() else NO_REQUEST
        return True


def _assign() -> None:
    """Before each request: settle its id (a before_request returning a value would answer)."""
    request_id()


def _send(response):
    """After each request, error answers included: name the request (replacing any id a
    view set; the id is one line: checked when read or made)."""
    headers = response.headers
    if any(name.lower() == LOWER for name, _ in headers._list):
        headers[HEADER] = request_id()
    else:
        headers._list.append((HEADER, request_id()))
    return response


def init_request_ids(app: Flask) -> None:
    """Give each request its id early (``g.request_id``) and send it back on every answer."""
    app.before_request(_assign)
    app.after_request(_send)
