"""Unbound extension objects, bound to the app in :func:`app.create_app`."""

from __future__ import annotations

from flask_pymongo import PyMongo

__all__ = ["mongo"]

#: Flask-PyMongo: the client for a real MongoDB. With the embedded store its ``cx``
#: and ``db`` point at the mongomock client, so ``mongo.db`` works in both modes.
mongo = PyMongo()
