"""The API's errors: :class:`ApiError` to raise from a view; the problem+json answer it
becomes is :func:`app.problems.problem` (re-exported here)."""

from __future__ import annotations

from ..problems import PROBLEM_JSON, problem, wants_problem

__all__ = ["problem", "ApiError", "PROBLEM_JSON", "wants_problem"]


class ApiError(Exception):
    """Raise from a view to answer with a problem: ``raise ApiError(428, "…")``."""

    def __init__(self, status: int, detail: str, *, errors: dict | None = None,
                 headers: dict | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}
