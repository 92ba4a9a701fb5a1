"""Unbound extension objects, bound to the app in :func:`app.create_app`."""

from __future__ import annotations

from flask_httpauth import HTTPBasicAuth, HTTPTokenAuth, MultiAuth
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_pymongo import PyMongo

__all__ = ["mongo", "basic_auth", "token_auth", "api_auth", "limiter"]

#: Flask-PyMongo: the client for a real MongoDB. With the embedded store its ``cx``
#: and ``db`` point at the mongomock client, so ``mongo.db`` works in both modes.
mongo = PyMongo()

#: API authentication: Basic (username or email + password) or Bearer tokens.
basic_auth = HTTPBasicAuth()
token_auth = HTTPTokenAuth(scheme="Bearer")
api_auth = MultiAuth(basic_auth, token_auth)

#: Rate limits (token issuing, password checks); storage chosen by configuration.
limiter = Limiter(key_func=get_remote_address)
