"""``/api/docs``: the API description, readable, from a vendored Swagger UI (no CDN)."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for

__all__ = ["bp"]

bp = Blueprint("docs", __name__)


@bp.get("/api/docs")
def api_docs():
    """Swagger UI reading ``/api/v1/openapi.json``; its scripts come from ``/static/``."""
    return render_template("api_docs.html", spec_url=url_for("api.openapi"))
