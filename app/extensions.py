"""Unbound extension objects, bound to the app in :func:`app.create_app`."""

from __future__ import annotations

from flask_babel import Babel
from flask_httpauth import HTTPBasicAuth, HTTPTokenAuth, MultiAuth
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_pymongo import PyMongo
from flask_wtf import CSRFProtect

__all__ = ["mongo", "basic_auth", "token_auth", "api_auth", "limiter", "login_manager",
           "csrf", "babel"]

#: Flask-PyMongo: the client for a real MongoDB. With the embedded store its ``cx``
#: and ``db`` point at the mongomock client, so ``mongo.db`` works in both modes.
mongo = PyMongo()

#: API authentication: Basic (username or email + password) or Bearer tokens.
basic_auth = HTTPBasicAuth()
token_auth = HTTPTokenAuth(scheme="Bearer")
api_auth = MultiAuth(basic_auth, token_auth)

#: Rate limits (token issuing, password checks); storage chosen by configuration.
limiter = Limiter(key_func=get_remote_address)

#: Browser sessions (pages only; the API never reads the session cookie).
login_manager = LoginManager()

#: CSRF tokens on every form POST of the pages (the API is exempt: it takes no cookies).
csrf = CSRFProtect()

#: English and Simplified Chinese; the language comes from the user's choice or
#: Accept-Language.
babel = Babel()
