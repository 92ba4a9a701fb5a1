"""Accounts: what a valid username, email, password and profile are; password hashing.

Passwords are hashed with argon2id (OWASP's first choice; ASVS 5.0 Appendix C): the
production cost is m=19 MiB, t=2, p=1. Hashes made with older parameters are upgraded
at the next successful login (:meth:`PasswordHasher.needs_rehash`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

import argon2
from email_validator import EmailNotValidError, validate_email

from .errors import InvalidValue
from .messages import N_, _

__all__ = ["ROLES", "PasswordHasher", "check_username", "check_email", "check_password",
           "check_profile", "PASSWORD_MIN", "PASSWORD_MAX"]

ROLES = ("user", "admin")
USERNAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{1,29}")
RESERVED = frozenset({"admin", "administrator", "root", "system", "api", "me", "anonymous"})
PASSWORD_MIN = 8
#: Long enough for any passphrase; bounded so hashing cannot be used for denial of service.
PASSWORD_MAX = 256
PROFILE_LIMITS = {"location": 80, "bio": 500, "website": 200}
#: How each profile field is named in messages.
PROFILE_NAMES = {"location": N_("Location"), "bio": N_("Bio"), "website": N_("Website")}


def check_username(name: object, *, allow_reserved: bool = False) -> str:
    """A valid username (2–30 letters, digits, ``_ . -``, starting with a letter or digit).

    Names such as ``admin`` are reserved for operators (``manage.py create-admin``).
    """
    if not isinstance(name, str):
        raise InvalidValue(_("Username must be text."), "username")
    name = name.strip()
    if not USERNAME_RE.fullmatch(name):
        raise InvalidValue(
            _("Username must be 2 to 30 characters: letters, digits, '_', '.' or '-', "
              "starting with a letter or digit."), "username")
    if name.casefold() in RESERVED and not allow_reserved:
        raise InvalidValue(_("The username %(name)s is reserved.") % {"name": repr(name)},
                           "username")
    return name


def check_email(email: object) -> str:
    """A valid email address, normalised and lowercased (no DNS look-up)."""
    if not isinstance(email, str):
        raise InvalidValue(_("Email must be text."), "email")
    try:
        result = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidValue(_("Email address is not valid: %(reason)s") % {"reason": exc},
                           "email") from None
    return result.normalized.lower()


def check_password(password: object, *, username: str = "", email: str = "") -> str:
    """A password of 8 to 256 characters that is not the username or email.

    Nothing is truncated or stripped: every character counts.
    """
    if not isinstance(password, str):
        raise InvalidValue(_("Password must be text."), "password")
    length = len(unicodedata.normalize("NFC", password))
    if length < PASSWORD_MIN:
        raise InvalidValue(_("Password must be at least %(limit)s characters.")
                           % {"limit": PASSWORD_MIN}, "password")
    if length > PASSWORD_MAX:
        raise InvalidValue(_("Password must be at most %(limit)s characters.")
                           % {"limit": PASSWORD_MAX}, "password")
    lowered = password.casefold()
    if lowered in {username.casefold(), email.casefold(), email.split("@")[0].casefold()}:
        raise InvalidValue(_("Password must not be your username or email address."),
                           "password")
    return password


def check_profile(fields: dict) -> dict:
    """Validated profile fields (location, website, bio); unknown fields refused."""
    clean = {}
    for name, value in fields.items():
        if name not in PROFILE_LIMITS:
            raise InvalidValue(_("%(name)s is not a profile field.") % {"name": repr(name)},
                               name)
        shown = _(PROFILE_NAMES[name])
        if not isinstance(value, str):
            raise InvalidValue(_("%(name)s must be text.") % {"name": shown}, name)
        value = value.strip()
        if len(value) > PROFILE_LIMITS[name]:
            raise InvalidValue(
                _("%(name)s must be at most %(limit)s characters.")
                % {"name": shown, "limit": PROFILE_LIMITS[name]}, name)
        if any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in value):
            raise InvalidValue(_("%(name)s must not contain control characters.")
                               % {"name": shown}, name)
        if name == "website" and value:
            value = _check_website(value)
        clean[name] = value
    return clean


def _check_website(url: str) -> str:
    """An http(s) URL with a host: the only links a profile may show."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or " " in url:
        raise InvalidValue(_("Website must be an http:// or https:// address."), "website")
    return url


@dataclass(frozen=True)
class PasswordHasher:
    """argon2id hashing with the configured cost."""

    memory_kib: int = 19 * 1024
    time_cost: int = 2
    parallelism: int = 1

    @property
    def _hasher(self) -> argon2.PasswordHasher:
        return argon2.PasswordHasher(
            time_cost=self.time_cost, memory_cost=self.memory_kib, parallelism=self.parallelism,
            type=argon2.Type.ID,
        )

    def hash(self, password: str) -> str:
        """The argon2id hash of ``password`` (salted; encodes its own parameters)."""
        return self._hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        """Whether ``password`` matches; a malformed or missing hash never matches."""
        if not password_hash:
            self._hasher.hash(password)  # spend the same time as a real check
            return False
        try:
            return self._hasher.verify(password_hash, password)
        except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        """Whether the hash was made with other parameters than today's."""
        try:
            return self._hasher.check_needs_rehash(password_hash)
        except argon2.exceptions.InvalidHashError:
            return True
