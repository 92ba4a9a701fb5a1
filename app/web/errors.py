"""Error pages in the site's layout."""

from __future__ import annotations

from flask import render_template

__all__ = ["error_page", "retry_after"]


def retry_after(exc) -> dict[str, str]:
    """The ``Retry-After`` header of a page answering a used-up limit (RateLimited)."""
    return {"Retry-After": str(exc.retry_after)}


def error_page(status: int, title: str, message: str, headers: dict | None = None, *,
               request_id: str | None = None):
    """A page saying what went wrong, with the right status (and the request id to quote)."""
    html = render_template("error.html", code=status, title=title, message=message,
                           request_id=request_id)
    return html, status, headers or {}
