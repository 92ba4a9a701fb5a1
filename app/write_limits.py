"""Write limits per account and per client address, the same for the pages and the API.

Each kind of write (:data:`ACTIONS`) has a limit per account and one per address, set in
the configuration (Flask-Limiter's syntax, ``"10/minute;100/day"``) and counted in the
rate limiter's storage, so a page and an API call draw on one counter. A view wraps the
service call that writes::

    with spending("edit", user):
        wiki().set_attribute(user, slug, version, item)

Before the write, an exhausted limit raises :class:`~app.domain.errors.RateLimited`
(429: problem+json with ``Retry-After`` in the API, the form again with the message on a
page). Afterwards the write is counted if it was stored — or refused as *taken*
(:class:`~app.domain.errors.Conflict`), because "that e-mail address or name is taken" is
an answer worth asking for many times. Other refusals (a value that does not fit) cost
nothing. Counting happens after the check, so concurrent requests may overshoot a limit
by the number of requests in flight.

Writing content — entries, edits, uploads — also needs a confirmed e-mail address where
``REQUIRE_CONFIRMED`` is on (production): an unconfirmed account is refused
(:class:`~app.domain.errors.Unconfirmed`, a 403) before any limit is spent. Its own
account (profile, e-mail address, password) it may still change.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from flask import current_app, request
from flask_babel import format_timedelta
from flask_babel import gettext as _
from limits import RateLimitItem, parse_many

from .domain.errors import Conflict, RateLimited
from .domain.messages import N_
from .extensions import limiter
from .services.account_mail import AccountMail

__all__ = ["ACTIONS", "Action", "spending", "quietly_spend", "NEEDS_CONFIRMED"]

NAMESPACE = "pkyx-writes"


@dataclass(frozen=True)
class Action:
    """A kind of write: the settings of its limits and the sentence a refusal says."""

    account_setting: str | None
    address_setting: str | None
    message: str  # marked for translation, with a %(wait)s placeholder


ACTIONS: dict[str, Action] = {
    "register": Action(None, "RATELIMIT_REGISTER", N_(
        "Too many accounts were created from your network in a short time; try again in "
        "%(wait)s.")),
    "entry": Action("RATELIMIT_NEW_ENTRIES", "RATELIMIT_NEW_ENTRIES_ADDRESS", N_(
        "You have created too many entries in a short time; try again in %(wait)s.")),
    "edit": Action("RATELIMIT_EDITS", "RATELIMIT_EDITS_ADDRESS", N_(
        "You have made too many changes in a short time; try again in %(wait)s.")),
    "upload": Action("RATELIMIT_UPLOADS", "RATELIMIT_UPLOADS_ADDRESS", N_(
        "You have uploaded too many pictures in a short time; try again in %(wait)s.")),
    "email": Action("RATELIMIT_EMAIL_CHANGES", "RATELIMIT_EMAIL_CHANGES_ADDRESS", N_(
        "Too many changes of e-mail address in a short time; try again in %(wait)s.")),
    # Per client address only: per account, resets are limited silently (quietly_spend),
    # so the answer never tells whether an address has an account.
    "reset": Action(None, "RATELIMIT_PASSWORD_RESETS_ADDRESS", N_(
        "Too many password resets were asked for from your network; try again in "
        "%(wait)s.")),
    "confirm-mail": Action("RATELIMIT_CONFIRMATION_MAILS", None, N_(
        "We have sent you several mails in a short time; try again in %(wait)s.")),
}

#: Writes an account makes only once its address is confirmed (``REQUIRE_CONFIRMED``).
NEEDS_CONFIRMED = frozenset({"entry", "edit", "upload"})


@lru_cache(maxsize=64)
def _items(text: str) -> tuple[RateLimitItem, ...]:
    """The limits a setting spells (``"10/minute;100/day"``)."""
    return tuple(parse_many(text))


def _counters(name: str, user: Mapping | None) -> list[tuple[RateLimitItem, tuple[str, ...]]]:
    """Each limit of the action with the counter key it applies to."""
    action = ACTIONS[name]
    config = current_app.config
    keys = []
    if action.address_setting:
        keys.append((action.address_setting, ("address", name, request.remote_addr or "unknown")))
    if action.account_setting and user is not None:
        keys.append((action.account_setting, ("account", name, str(user["_id"]))))
    return [(item, key) for setting, key in keys for item in _items(config[setting])]


def _refuse_if_spent(name: str, counters) -> None:
    """Raise RateLimited, with the longest wait, when any limit is used up."""
    waits = []
    for item, key in counters:
        if not limiter.limiter.test(item, NAMESPACE, *key):
            reset = limiter.limiter.get_window_stats(item, NAMESPACE, *key).reset_time
            waits.append(max(1, int(reset - datetime.now(UTC).timestamp() + 0.999)))
    if waits:
        wait = max(waits)
        shown = format_timedelta(timedelta(seconds=wait), threshold=1.0)
        raise RateLimited(_(ACTIONS[name].message, wait=shown), wait)


@contextmanager
def spending(name: str, user: Mapping | None = None) -> Iterator[None]:
    """Refuse the write ``name`` when a limit is used up; count it when it was stored or
    refused as taken. ``user`` is the account writing (none for registrations)."""
    if user is not None and name in NEEDS_CONFIRMED and current_app.config["REQUIRE_CONFIRMED"]:
        AccountMail.require_confirmed(user)
    counters = _counters(name, user)
    _refuse_if_spent(name, counters)
    try:
        yield
    except Conflict:
        _count(counters)
        raise
    _count(counters)


def quietly_spend(setting: str, key: str) -> bool:
    """Spend one of the limit ``setting`` for ``key`` (an account id, an address); False,
    spending nothing, when it is used up. Nobody is told: the caller just does less
    (a reset mail past an account's limit is not sent)."""
    items = _items(current_app.config[setting])
    counter = ("quiet", setting, key)
    if not all(limiter.limiter.test(item, NAMESPACE, *counter) for item in items):
        return False
    for item in items:
        limiter.limiter.hit(item, NAMESPACE, *counter)
    return True


def _count(counters) -> None:
    for item, key in counters:
        limiter.limiter.hit(item, NAMESPACE, *key)
