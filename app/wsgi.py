"""The WSGI entry point for gunicorn (``app.wsgi:app``, see gunicorn.conf.py).

The app is built in each worker, never in the gunicorn master (no ``preload_app``):
pymongo clients must not cross a fork, and the embedded store lives in the one worker.
"""

from __future__ import annotations

from . import create_app

__all__ = ["app"]

app = create_app()
