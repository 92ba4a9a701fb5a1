"""Home, health, and images served from GridFS."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, render_template, request

from ..domain.errors import NotFound
from ..repositories import repositories

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    """Categories, recent entries and popular comparisons."""
    repos = repositories()
    return render_template(
        "home.html",
        categories=repos.categories.all(),
        recent=repos.entries.recent(12),
        popular=repos.comparisons.popular(8),
        entry_count=repos.entries.count(),
    )


@bp.get("/healthz")
def healthz():
    """Liveness: the process answers (the store is checked by /readyz)."""
    store = current_app.extensions["pkyx.store"]
    return jsonify(status="ok", store="embedded" if store.embedded else "mongodb")


@bp.get("/media/images/<file_id>")
def image(file_id: str):
    """An uploaded entry image, with a strong ETag and long caching (ids never change)."""
    try:
        stored = repositories().images.get(file_id)
    except NotFound:
        abort(404)
    response = current_app.response_class(stored.data, mimetype=stored.content_type)
    response.set_etag(stored.etag)
    response.cache_control.public = True
    response.cache_control.max_age = 31536000
    response.cache_control.immutable = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response.make_conditional(request)
