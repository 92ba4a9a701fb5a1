"""Static file URLs carry a hash of the file (``/static/css/pkyx.css?v=1a2b3c4d``).

nginx serves ``/static/`` with a year of caching; a changed file gets a new URL, so
browsers never keep an old stylesheet or script after a deployment.

Example::

    url_for("static", filename="css/pkyx.css")  # -> /static/css/pkyx.css?v=5f3e2a1c
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache

from flask import Flask

__all__ = ["init_asset_versions", "file_version"]


@lru_cache(maxsize=512)
def file_version(path: str, mtime_ns: int) -> str | None:
    """The first 8 hex digits of the file's SHA-256 (keyed by mtime, so edits show)."""
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()[:8]
    except OSError:
        return None


def init_asset_versions(app: Flask) -> None:
    """Add ``v=<hash>`` to every ``url_for("static", …)`` whose file exists.

    In production a deployment replaces the files and restarts the workers, so each
    file's version is found once per process; elsewhere every URL looks at the file's
    modification time, so an edited stylesheet shows at the next page.
    """
    settled: dict[str, str] | None = {} if app.config.get("ENV_NAME") == "production" else None

    @app.url_defaults
    def static_version(endpoint: str, values: dict) -> None:
        if endpoint != "static" or "v" in values or "filename" not in values:
            return
        if settled is not None and values["filename"] in settled:
            values["v"] = settled[values["filename"]]
            return
        path = os.path.join(app.static_folder or "", values["filename"])
        try:
            mtime = os.stat(path).st_mtime_ns
        except OSError:
            return
        version = file_version(path, mtime)
        if version:
            values["v"] = version
            if settled is not None:
                settled[values["filename"]] = version
