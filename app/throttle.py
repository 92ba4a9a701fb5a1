"""Password guessing limits on every login path, that a stranger cannot turn into a lockout.

The API's Basic auth, the login page and the token endpoint all log in through
:func:`authenticate`, so one count covers them all; a wrong current password when changing
it (:func:`change_password`, the settings page and ``PATCH /api/v1/users``) counts too, so a
stolen session or token cannot guess the password either. Counters live in the rate
limiter's storage (memory with the embedded store, MongoDB otherwise).

Every failed check counts for its (account, address) pair, its address, its account, and
the known device it came from. What a login attempt may do depends on where it comes from
(OWASP: lockout must not let anyone deny the owner; "device cookies"):

* from a **known device** — a browser holding the signed cookie a successful page login of
  this account left (:mod:`app.web.devices`) — only that device's own failures count
  (:data:`FAILED_PER_DEVICE`); past them it is treated like any other client;
* everyone else is refused after :data:`FAILED_PER_PAIR` failures of that account from
  that address;
* an address that logged in to this account before (within :data:`KNOWN_FOR`) stops there;
* other addresses are refused after :data:`FAILED_PER_ADDRESS` failures across accounts,
  and once the account has :data:`FAILED_PER_ACCOUNT` failures from everywhere, they are
  *slowed*: :data:`SLOWED_CHECKS` password checks of the account a minute between them.
  Guessing from many addresses stays bounded (40 + 60 an hour), but never locks the owner
  out: a known device or address goes through, a new one waits at most a minute.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from bson import ObjectId
from flask import request
from limits import RateLimitItem, parse

from .domain.errors import InvalidValue, TooManyAttempts
from .extensions import limiter
from .repositories import repositories
from .services import accounts

__all__ = ["authenticate", "change_password", "KnownDevice", "FAILED_PER_PAIR",
           "FAILED_PER_ADDRESS", "FAILED_PER_ACCOUNT", "SLOWED_CHECKS", "FAILED_PER_DEVICE",
           "KNOWN_FOR"]

#: Failed checks of one account from one address: then that address may not try it.
FAILED_PER_PAIR = parse("20/hour")
#: Failed checks from one address across accounts (spraying one password over many).
FAILED_PER_ADDRESS = parse("300/hour")
#: Failed checks of one account from everywhere: past them, new addresses are slowed…
FAILED_PER_ACCOUNT = parse("40/hour")
#: …to this many password checks of the account (all new addresses together).
SLOWED_CHECKS = parse("1/minute")
#: Failed checks from one known device: past them, it is not trusted any more.
FAILED_PER_DEVICE = parse("20/hour")
#: How long a successful login keeps its (account, address) pair known.
KNOWN_FOR = parse("1/30 days")
NAMESPACE = "pkyx-login"


@dataclass(frozen=True)
class KnownDevice:
    """A browser that logged in before: its id and the accounts (ids) that logged in on
    it, the latest first."""

    id: str
    accounts: tuple[str, ...]


def _account(login: str) -> str:
    """The account a login names (by id: username and email share one count)."""
    user = repositories().users.find_login(login)
    return str(user["_id"]) if user else login.strip().casefold()


def _address() -> str:
    return request.remote_addr or "unknown"


def _wait(item: RateLimitItem, *key: str) -> int:
    """Whole seconds until the window of ``item`` for ``key`` ends."""
    reset = limiter.limiter.get_window_stats(item, NAMESPACE, *key).reset_time
    return max(1, int(reset - datetime.now(UTC).timestamp() + 0.999))


def _over(item: RateLimitItem, *key: str) -> bool:
    """Whether ``key`` has used up ``item`` in its current window."""
    return not limiter.limiter.test(item, NAMESPACE, *key)


def _device_key(account: str, device: KnownDevice | None) -> tuple[str, str] | None:
    """The counter key of a known device that logged in to this account, else None."""
    if device is None or account not in device.accounts:
        return None
    return ("device", f"{account}:{device.id}")


def _refuse_if_guessing(account: str, address: str, device: KnownDevice | None) -> None:
    """Raise TooManyAttempts when this attempt may not have its password checked now."""
    device_key = _device_key(account, device)
    if device_key is not None and not _over(FAILED_PER_DEVICE, *device_key):
        return  # the owner's browser: only its own failures count
    pair = ("pair", account, address)
    if _over(FAILED_PER_PAIR, *pair):
        raise TooManyAttempts(_wait(FAILED_PER_PAIR, *pair))
    if _over(KNOWN_FOR, "known", account, address):
        return  # this address logged in to the account before
    if _over(FAILED_PER_ADDRESS, "address", address):
        raise TooManyAttempts(_wait(FAILED_PER_ADDRESS, "address", address))
    if _over(FAILED_PER_ACCOUNT, "account", account) and \
            not limiter.limiter.hit(SLOWED_CHECKS, NAMESPACE, "slowed", account):
        raise TooManyAttempts(_wait(SLOWED_CHECKS, "slowed", account))


def _count_failure(account: str, address: str, device: KnownDevice | None) -> None:
    """One more failed password check, for every counter it belongs to."""
    hit = limiter.limiter.hit
    hit(FAILED_PER_PAIR, NAMESPACE, "pair", account, address)
    hit(FAILED_PER_ADDRESS, NAMESPACE, "address", address)
    hit(FAILED_PER_ACCOUNT, NAMESPACE, "account", account)
    device_key = _device_key(account, device)
    if device_key is not None:
        hit(FAILED_PER_DEVICE, NAMESPACE, *device_key)


def _remember(account: str, address: str) -> None:
    """Mark the pair as known for :data:`KNOWN_FOR` from now (a fresh window)."""
    limiter.limiter.clear(KNOWN_FOR, NAMESPACE, "known", account, address)
    limiter.limiter.hit(KNOWN_FOR, NAMESPACE, "known", account, address)


def authenticate(login: object, password: object,
                 device: KnownDevice | None = None) -> dict | None:
    """The user whose login and password match, or ``None``; failures are counted.

    ``device`` is the known-device cookie of a page login (the API has none).
    """
    if not isinstance(login, str) or not login.strip():
        return accounts().authenticate(login, password)
    account, address = _account(login), _address()
    _refuse_if_guessing(account, address, device)
    user = accounts().authenticate(login, password)
    if user is None:
        _count_failure(account, address, device)
    else:
        _remember(account, address)
    return user


def change_password(user_id: ObjectId, current: object, new: object) -> dict:
    """Change a password (:meth:`Accounts.change_password`); a wrong current password is
    a failed password check of the account, and a limited account may not try."""
    account, address = str(user_id), _address()
    repositories().users.get(user_id)  # NotFound before anything is counted
    _refuse_if_guessing(account, address, None)
    try:
        return accounts().change_password(user_id, current, new)
    except InvalidValue as exc:
        if exc.field == "current_password":
            _count_failure(account, address, None)
        raise
