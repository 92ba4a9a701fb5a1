"""Account mail: confirming an address (new or changed) and resetting a forgotten password.

The service decides what to mail and what a followed link does; :mod:`app.mail` writes the
mail (templates, the reader's language) and sends it through the queue. A link works
once: a confirmation names the address it confirms, which must still be the account's
unconfirmed address (or its waiting new one); a reset names a digest of the password hash
it replaces, so it dies with the first new password.

Example::

    mail = AccountMail(repos, accounts, links, post)
    mail.send_confirmation(user)                     # after registering
    user = mail.confirm("confirm", token)            # the link was followed
    mail.request_reset("ann@example.org", "en", allowed=lambda key: True)
    mail.reset_password(token, "a new passphrase")
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from bson import ObjectId

from ..domain.accounts import is_confirmed
from ..domain.errors import BadLink, Unconfirmed
from ..repositories import Repositories
from .links import AccountLinks, digest

__all__ = ["AccountMail", "Letter"]


@dataclass(frozen=True)
class Letter:
    """A mail to write: its template (``confirm``, ``change``, ``reset``, ``test``, and the
    notices ``address-changed`` and ``password-changed``), the
    address, the language, what the template shows, and the page its link opens
    (``(endpoint, values)``, made absolute with ``PUBLIC_URL``). A letter that is not
    ``real`` is written and queued like any other, then dropped: a reset asked for an
    address with no account costs the same as one for an account."""

    template: str
    to: str
    locale: str
    context: Mapping[str, object] = field(default_factory=dict)
    link: tuple[str, Mapping[str, str]] | None = None
    real: bool = True


class AccountMail:
    """The account mail use cases over the repositories, the links and a mail poster."""

    def __init__(self, repos: Repositories, accounts, links: AccountLinks,
                 post: Callable[[Letter], object]):
        self.repos = repos
        self.accounts = accounts
        self.links = links
        self.post = post

    # -- confirming an address ---------------------------------------------------------

    def send_confirmation(self, user: Mapping) -> str | None:
        """Mail the link the account is waiting for: to its new address when a change
        waits, else to its unconfirmed address. The address mailed, or None (nothing
        waits)."""
        pending = user.get("pending_email")
        if pending:
            kind, address = "change", pending
        elif not is_confirmed(user):
            kind, address = "confirm", user["email"]
        else:
            return None
        token = self.links.make(kind, {"uid": str(user["_id"]), "addr": address})
        self.post(Letter(kind, address, user.get("locale") or "en",
                         {"username": user["username"], "email": address,
                          "hours": self.links.lifetimes[kind] // 3600},
                         ("account.confirm" if kind == "confirm" else "account.confirm_change",
                          {"token": token})))
        return address

    def confirm(self, kind: str, token: object) -> dict:
        """Follow a confirmation link (``kind`` ``confirm`` or ``change``): the account
        after. Refused with :class:`BadLink` when invalid, expired or used; a new address
        another account took meanwhile is a Conflict."""
        claims = self.links.read(kind, token)
        user = self.repos.users.find(claims.get("uid", ""))
        address = claims.get("addr")
        if user is None or not address:
            raise BadLink("invalid")
        if kind == "confirm":
            done = self.repos.users.confirm_email(user["_id"], address)
        else:
            done = self.repos.users.apply_pending_email(user["_id"], address)
        if done is None:
            raise BadLink("used")
        if kind == "change":  # the old address hears of it: a takeover does not go unseen
            self._notice("address-changed", done, user["email"], old=user["email"],
                         new=done["email"])
        return done

    def _notice(self, template: str, user: Mapping, address: str, **context: object) -> None:
        """A notice to the account's owner (no token: its link is an ordinary page)."""
        link = ("account.request_reset", {}) if template == "password-changed" \
            else ("main.home", {})
        self.post(Letter(template, address, user.get("locale") or "en",
                         {"username": user["username"], "email": address, **context}, link))

    def notify_password_changed(self, user: Mapping) -> None:
        """Tell the owner their password changed (settings, API, or a reset link)."""
        self._notice("password-changed", user, user["email"])

    @staticmethod
    def require_confirmed(user: Mapping) -> None:
        """Refuse an edit by an account whose address is not confirmed (:class:`Unconfirmed`)."""
        if not is_confirmed(user):
            raise Unconfirmed(user["email"])

    # -- resetting a password ----------------------------------------------------------

    def request_reset(self, address: str, locale: str,
                      allowed: Callable[[str], bool]) -> None:
        """Mail a reset link to the account with this (confirmed-format) address, if any.

        The caller's answer must not depend on whether there is one, so the work does not
        either: a letter is written and posted in both cases, and only one for an account
        is real. ``allowed(key)`` spends the account's reset limit (the key is the
        account's id, or the address when there is none) and says whether it had some
        left; past it the letter is not real either, and nobody is told.
        """
        user = self.repos.users.find_by_email(address)
        key = str(user["_id"]) if user is not None else address
        real = allowed(key) and user is not None
        if user is None:  # a stand-in, so the token and letter cost the same
            user = {"_id": ObjectId(), "username": address.partition("@")[0],
                    "password_hash": secrets.token_urlsafe(64), "email": address}
        token = self.links.make("reset", {"uid": str(user["_id"]), "addr": address,
                                          "ph": digest(user["password_hash"])})
        self.post(Letter("reset", address, (user.get("locale") or locale) if real else locale,
                         {"username": user["username"], "email": address,
                          "minutes": self.links.lifetimes["reset"] // 60},
                         ("account.reset_link", {"token": token}), real=real))

    def reset_user(self, token: object) -> dict:
        """The account a reset link is for, while it may still be used; else BadLink."""
        claims = self.links.read("reset", token)
        user = self.repos.users.find(claims.get("uid", ""))
        if user is None:
            raise BadLink("invalid")
        if not self.links.same(claims.get("ph"), digest(user["password_hash"])):
            raise BadLink("used")
        return user

    def reset_password(self, token: object, new: object) -> dict:
        """Set a new password through a reset link: every session and API token of the
        account ends (a new auth stamp), and the link dies with the old hash. Following
        it proves the address too, so an unconfirmed one is confirmed."""
        user = self.reset_user(token)
        updated = self.accounts.set_password(user["_id"], new, replacing=user["password_hash"])
        claims = self.links.read("reset", token)
        if updated["email"] == claims.get("addr") and not is_confirmed(updated):
            updated = self.repos.users.confirm_email(user["_id"], updated["email"]) or updated
        self.notify_password_changed(updated)
        return updated

    # -- operators ---------------------------------------------------------------------

    def send_test(self, address: str, locale: str = "en") -> None:
        """Mail a test message to ``address`` (``manage.py send-test-mail``)."""
        self.post(Letter("test", address, locale, {"email": address}, ("main.home", {})))
