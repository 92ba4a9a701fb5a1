"""RFC 9457 problem details: the one way the API reports an error."""

from __future__ import annotations

from flask import current_app, request
from werkzeug.http import HTTP_STATUS_CODES

from ..json import dumps

__all__ = ["problem", "ApiError", "PROBLEM_JSON", "wants_problem"]

PROBLEM_JSON = "application/problem+json"


class ApiError(Exception):
    """Raise from a view to answer with a problem: ``raise ApiError(428, "…")``."""

    def __init__(self, status: int, detail: str, *, errors: dict | None = None,
                 headers: dict | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}


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
