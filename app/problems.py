"""RFC 9457 problem details (``application/problem+json``): how the API reports an error,
and how the pages answer a client that asked for JSON (``/readyz``, ``/healthz``).

It sits beside the blueprints rather than in :mod:`app.api`, so that the pages use it
without importing the API layer.
"""

from __future__ import annotations

from flask import current_app, request
from werkzeug.http import HTTP_STATUS_CODES

from .json import dumps

__all__ = ["problem", "PROBLEM_JSON", "wants_problem", "RETRY_AFTER_SECONDS"]

PROBLEM_JSON = "application/problem+json"
#: Retry-After of /readyz when the store does not answer (pages use the breaker's window).
RETRY_AFTER_SECONDS = 5


def problem(status: int, detail: str | None = None, *, errors: dict | None = None,
            headers: dict | None = None, title: str | None = None,
            extensions: dict | None = None):
    """An ``application/problem+json`` response (type ``about:blank``, title = the status).

    ``extensions`` are RFC 9457 extension members, such as the ``request_id`` of a 5xx.
    """
    body = {
        "type": "about:blank",
        "title": title or HTTP_STATUS_CODES.get(status, "Error"),
        "status": status,
        "detail": detail or HTTP_STATUS_CODES.get(status, "Error"),
    }
    if errors:
        body["errors"] = errors
    body.update(extensions or {})
    response = current_app.response_class(dumps(body), status=status, mimetype=PROBLEM_JSON)
    response.headers.update(headers or {})
    return response


def wants_problem() -> bool:
    """Whether this request is answered with problem+json: under /api/, or asking for JSON."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json",
                                                PROBLEM_JSON])
    return best in ("application/json", PROBLEM_JSON)
