"""Password checks limited per account and per client address, on every login path.

The API's Basic auth, the login page and the token endpoint all log in through
:func:`authenticate`, so one count covers them all; a wrong current password when changing
it (:func:`change_password`, the settings page and ``PATCH /api/v1/users``) counts too, so a
stolen session or token cannot guess the password either. Counters live in the rate
limiter's storage (memory with the embedded store, MongoDB otherwise).
"""

from __future__ import annotations

from datetime import UTC, datetime

from bson import ObjectId
from flask import request
from limits import parse

from .domain.errors import InvalidValue, TooManyAttempts
from .extensions import limiter
from .repositories import repositories
from .services import accounts

__all__ = ["authenticate", "change_password", "FAILED_PER_ACCOUNT", "FAILED_PER_ADDRESS"]

#: Failed password checks allowed per account and per client address.
FAILED_PER_ACCOUNT = parse("100/hour")
FAILED_PER_ADDRESS = parse("300/hour")
NAMESPACE = "pkyx-login"


def _keys(login: str) -> tuple[tuple[str, str], tuple[str, str]]:
    """The account a login names (by id: username and email share one count) and the
    client address."""
    user = repositories().users.find_login(login)
    account = str(user["_id"]) if user else login.strip().casefold()
    return ("account", account), ("address", request.remote_addr or "unknown")


def _limits(login: str):
    account, address = _keys(login)
    return ((FAILED_PER_ACCOUNT, account), (FAILED_PER_ADDRESS, address))


def _refuse_if_guessing(login: str) -> None:
    """Raise TooManyAttempts when this account or address failed too often this hour."""
    strategy = limiter.limiter
    for item, key in _limits(login):
        if not strategy.test(item, NAMESPACE, *key):
            reset = strategy.get_window_stats(item, NAMESPACE, *key).reset_time
            raise TooManyAttempts(max(1, int(reset - datetime.now(UTC).timestamp())))


def _count_failure(login: str) -> None:
    """One more failed password check for this account and address."""
    for item, key in _limits(login):
        limiter.limiter.hit(item, NAMESPACE, *key)


def authenticate(login: object, password: object) -> dict | None:
    """The user whose login and password match, or ``None``; failures are counted."""
    if not isinstance(login, str) or not login.strip():
        return accounts().authenticate(login, password)
    _refuse_if_guessing(login)
    user = accounts().authenticate(login, password)
    if user is None:
        _count_failure(login)
    return user


def change_password(user_id: ObjectId, current: object, new: object) -> dict:
    """Change a password (:meth:`Accounts.change_password`); a wrong current password is
    a failed password check of the account, and a limited account may not try."""
    login = repositories().users.get(user_id)["username"]
    _refuse_if_guessing(login)
    try:
        return accounts().change_password(user_id, current, new)
    except InvalidValue as exc:
        if exc.field == "current_password":
            _count_failure(login)
        raise
