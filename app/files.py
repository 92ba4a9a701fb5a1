"""Serving a file stored in GridFS over HTTP: one way, for pages and the API."""

from __future__ import annotations

from flask import current_app, request

from .repositories.files import StoredFile

__all__ = ["file_response"]


def file_response(stored: StoredFile, *, max_age: int, immutable: bool = False):
    """The file with its type, a strong ETag, caching and nosniff; 304 when unchanged."""
    response = current_app.response_class(stored.data, mimetype=stored.content_type)
    response.set_etag(stored.etag)
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    if immutable:
        response.cache_control.immutable = True
    else:
        response.cache_control.must_revalidate = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response.make_conditional(request)
