"""Error pages in the site's layout (the API answers problem+json instead)."""

from __future__ import annotations

from flask import Flask, render_template
from werkzeug.exceptions import HTTPException

from ..domain.errors import NotFound


def register(app: Flask) -> None:
    """Render HTTP errors and missing things as pages."""

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        return render_template("error.html", code=exc.code, title=exc.name,
                               message=exc.description), exc.code

    @app.errorhandler(NotFound)
    def not_found(exc: NotFound):
        return render_template("error.html", code=404, title="Not found",
                               message=exc.message), 404
