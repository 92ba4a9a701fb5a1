"""Browser sessions: who is logged in, and why an old cookie stops working.

The id Flask-Login keeps in the session and the remember cookie is
``"<user id>:<auth stamp>"``. Logging out everywhere and changing the password give the
user a new stamp, so every older session and remember cookie no longer loads a user.
"""

from __future__ import annotations

import hmac

from flask import Flask
from flask_login import UserMixin

from ..extensions import login_manager
from ..repositories import repositories

__all__ = ["SessionUser", "init_sessions"]


class SessionUser(UserMixin):
    """The logged-in user of a page request, wrapping the stored document."""

    def __init__(self, doc: dict):
        self.doc = doc

    def get_id(self) -> str:
        """The session id: user id and auth stamp."""
        return f"{self.doc['_id']}:{self.doc['auth_stamp']}"

    @property
    def username(self) -> str:
        return self.doc["username"]

    @property
    def is_admin(self) -> bool:
        return self.doc["role"] == "admin"

    @property
    def has_avatar(self) -> bool:
        return bool(self.doc.get("avatar"))


def _load(session_id: str) -> SessionUser | None:
    """The user of a session id, if its stamp is still the user's current one."""
    user_id, _, stamp = session_id.partition(":")
    doc = repositories().users.find(user_id) if stamp else None
    if doc is None or not hmac.compare_digest(stamp, doc["auth_stamp"]):
        return None
    return SessionUser(doc)


def init_sessions(app: Flask) -> None:
    """Bind Flask-Login with the stamp-checking loader."""
    login_manager.init_app(app)
    login_manager.user_loader(_load)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "strong"
