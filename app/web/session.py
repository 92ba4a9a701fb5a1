"""Browser sessions: who is logged in, and why an old cookie stops working.

The id Flask-Login keeps in the session and the remember cookie is
``"<user id>:<auth stamp>:<login time>"``. Logging out everywhere, changing the
password and being blocked give the user a new stamp, so every older session and remember
cookie no longer loads a user (a blocked account loads none at all). A login lasts at
most ``REMEMBER_COOKIE_DURATION`` (30 days) whatever the cookies say: a copied cookie
replayed later, or one whose browser ignores its expiry, loads no user after that
(ASVS 5.0 7.3.2, an absolute session lifetime).
"""

from __future__ import annotations

import hmac
import time
from datetime import timedelta

from flask import Flask, current_app
from flask_login import UserMixin

from ..domain.accounts import is_confirmed
from ..extensions import login_manager
from ..services import reads

__all__ = ["SessionUser", "init_sessions"]


class SessionUser(UserMixin):
    """The logged-in user of a page request, wrapping the stored document."""

    def __init__(self, doc: dict, logged_in_at: int | None = None):
        self.doc = doc
        self.logged_in_at = int(_now()) if logged_in_at is None else logged_in_at

    def get_id(self) -> str:
        """The session id: user id, auth stamp and when the password was checked."""
        return f"{self.doc['_id']}:{self.doc['auth_stamp']}:{self.logged_in_at}"

    @property
    def username(self) -> str:
        return self.doc["username"]

    @property
    def is_admin(self) -> bool:
        return self.doc["role"] == "admin"

    @property
    def email_confirmed(self) -> bool:
        return is_confirmed(self.doc)

    @property
    def has_avatar(self) -> bool:
        return bool(self.doc.get("avatar"))


def _now() -> float:
    """The time now (a function, so tests can move it)."""
    return time.time()


def _max_login_seconds() -> float:
    """How long a login lasts at most: the remember cookie's lifetime."""
    duration = current_app.config["REMEMBER_COOKIE_DURATION"]
    return duration.total_seconds() if isinstance(duration, timedelta) else float(duration)


def _load(session_id: str) -> SessionUser | None:
    """The user of a session id, if its stamp is the user's current one and the login
    is not older than the longest a login may last."""
    parts = session_id.split(":")
    if len(parts) != 3 or not parts[1] or not parts[2].isdigit():
        return None
    user_id, stamp, logged_in_at = parts
    age = _now() - int(logged_in_at)
    if not -60 <= age <= _max_login_seconds():
        return None
    doc = reads().find_user(user_id)
    if doc is None or not hmac.compare_digest(stamp, doc["auth_stamp"]) or doc.get("blocked"):
        return None
    return SessionUser(doc, int(logged_in_at))


def init_sessions(app: Flask) -> None:
    """Bind Flask-Login with the stamp-checking loader."""
    login_manager.init_app(app)
    login_manager.user_loader(_load)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "strong"
