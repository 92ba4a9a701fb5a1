"""Accounts: what a valid username, email, password and profile are; password hashing.

Passwords are hashed with argon2id (OWASP's first choice; ASVS 5.0 Appendix C): the
production cost is m=19 MiB, t=2, p=1. Hashes made with older parameters are upgraded
at the next successful login (:meth:`PasswordHasher.needs_rehash`).

Passwords are judged by zxcvbn (ASVS 5.0 V6.2): 8 to 256 characters, and not among
the guesses an attacker tries first (common passwords, words, names, dates, keyboard
patterns, the user's own name and email, the site's name).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import argon2
from email_validator import EmailNotValidError, validate_email
from zxcvbn import zxcvbn

from .errors import InvalidValue
from .messages import M_, N_, Message, Sentences
from .text import forbidden

__all__ = ["ROLES", "PasswordHasher", "check_username", "check_email", "check_password",
           "check_profile", "is_confirmed", "PASSWORD_MIN", "PASSWORD_MAX", "MIN_GUESSES"]

ROLES = ("user", "admin")
USERNAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{1,29}")
RESERVED = frozenset({"admin", "administrator", "root", "system", "api", "me", "anonymous"})
PASSWORD_MIN = 8
#: Long enough for any passphrase; bounded so hashing cannot be used for denial of service.
PASSWORD_MAX = 256
#: zxcvbn's estimate of the guesses a password needs must reach this: the bottom of its
#: score 3 ("safely unguessable: moderate protection from an offline slow-hash attack").
#: Compared with the estimate, not the score: the score adds a margin of 5 guesses that
#: puts a random 8-character password (10^8 + 1 guesses) at score 2, which would make
#: the 8-character minimum (ASVS 6.2.1) unreachable.
MIN_GUESSES = 10**8
#: zxcvbn's time grows steeply with length: it judges this many characters at most
#: (the whole password is still what is hashed and checked).
STRENGTH_SAMPLE = 100
#: zxcvbn keeps the user inputs of a call in a module-level dictionary: one call at a time,
#: or a thread could judge a password against another user's name.
_STRENGTH_LOCK = threading.Lock()
#: Words of this site a password should not be built on (ASVS 6.2.11).
CONTEXT_WORDS = ("pkyx", "versus", "compare", "wiki")
#: zxcvbn's feedback sentences, marked so the catalog translates them; a sentence a newer
#: zxcvbn adds and this list lacks is shown in English.
STRENGTH_FEEDBACK = (
    N_("Use a few words, avoid common phrases."),
    N_("No need for symbols, digits, or uppercase letters."),
    N_("Add another word or two. Uncommon words are better."),
    N_("Straight rows of keys are easy to guess."),
    N_("Short keyboard patterns are easy to guess."),
    N_("Use a longer keyboard pattern with more turns."),
    N_('Repeats like "aaa" are easy to guess.'),
    N_('Repeats like "abcabcabc" are only slightly harder to guess than "abc".'),
    N_("Avoid repeated words and characters."),
    N_('Sequences like "abc" or "6543" are easy to guess.'),
    N_("Avoid sequences."),
    N_("Recent years are easy to guess."),
    N_("Avoid recent years."),
    N_("Avoid years that are associated with you."),
    N_("Dates are often easy to guess."),
    N_("Avoid dates and years that are associated with you."),
    N_("This is a top-10 common password."),
    N_("This is a top-100 common password."),
    N_("This is a very common password."),
    N_("This is similar to a commonly used password."),
    N_("A word by itself is easy to guess."),
    N_("Names and surnames by themselves are easy to guess."),
    N_("Common names and surnames are easy to guess."),
    N_("Capitalization doesn't help very much."),
    N_("All-uppercase is almost as easy to guess as all-lowercase."),
    N_("Reversed words aren't much harder to guess."),
    N_("Predictable substitutions like '@' instead of 'a' don't help very much."),
)
PROFILE_LIMITS = {"location": 80, "bio": 500, "website": 200}
#: How each profile field is named in messages.
PROFILE_NAMES = {"location": N_("Location"), "bio": N_("Bio"), "website": N_("Website")}


def check_username(name: object, *, allow_reserved: bool = False) -> str:
    """A valid username (2–30 letters, digits, ``_ . -``, starting with a letter or digit).

    Names such as ``admin`` are reserved for operators (``manage.py create-admin``).
    """
    if not isinstance(name, str):
        raise InvalidValue(M_("Username must be text."), "username")
    name = name.strip()
    if not USERNAME_RE.fullmatch(name):
        raise InvalidValue(
            M_("Username must be 2 to 30 characters: letters, digits, '_', '.' or '-', "
              "starting with a letter or digit."), "username")
    if name.casefold() in RESERVED and not allow_reserved:
        raise InvalidValue(M_("The username %(name)s is reserved.") % {"name": repr(name)},
                           "username")
    return name


def check_email(email: object) -> str:
    """A valid email address, normalised and lowercased (no DNS look-up)."""
    if not isinstance(email, str):
        raise InvalidValue(M_("Email must be text."), "email")
    try:
        result = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidValue(M_("Email address is not valid: %(reason)s") % {"reason": exc},
                           "email") from None
    return result.normalized.lower()


def check_password(password: object, *, username: str = "", email: str = "") -> str:
    """A password of 8 to 256 characters, not the username or email, not easy to guess.

    Nothing is truncated or stripped: every character counts and is hashed.
    """
    if not isinstance(password, str):
        raise InvalidValue(M_("Password must be text."), "password")
    length = len(unicodedata.normalize("NFC", password))
    if length < PASSWORD_MIN:
        raise InvalidValue(M_("Password must be at least %(limit)s characters.")
                           % {"limit": PASSWORD_MIN}, "password")
    if max(length, len(password)) > PASSWORD_MAX:
        raise InvalidValue(M_("Password must be at most %(limit)s characters.")
                           % {"limit": PASSWORD_MAX}, "password")
    lowered = password.casefold()
    if lowered in {username.casefold(), email.casefold(), email.split("@")[0].casefold()}:
        raise InvalidValue(M_("Password must not be your username or email address."),
                           "password")
    _check_strength(password, username, email)
    return password


def _check_strength(password: str, username: str, email: str) -> None:
    """Refuse a password zxcvbn expects to fall within 10^8 guesses, saying why."""
    inputs = [word for word in (username, email, email.partition("@")[0]) if word]
    with _STRENGTH_LOCK:
        result = zxcvbn(password[:STRENGTH_SAMPLE], user_inputs=[*inputs, *CONTEXT_WORDS],
                        max_length=STRENGTH_SAMPLE)
    if result["guesses"] >= MIN_GUESSES:
        return
    feedback = result["feedback"]
    advice = [Message(text) for text in (feedback["warning"], *feedback["suggestions"]) if text]
    if not advice:
        advice = [M_("Add another word or two. Uncommon words are better.")]
    raise InvalidValue(M_("This password is too easy to guess. %(advice)s")
                       % {"advice": Sentences(advice)}, "password")


def check_profile(fields: dict) -> dict:
    """Validated profile fields (location, website, bio); unknown fields refused."""
    clean = {}
    for name, value in fields.items():
        if name not in PROFILE_LIMITS:
            raise InvalidValue(M_("%(name)s is not a profile field.") % {"name": repr(name)},
                               name)
        shown = Message(PROFILE_NAMES[name])
        if not isinstance(value, str):
            raise InvalidValue(M_("%(name)s must be text.") % {"name": shown}, name)
        value = value.strip()
        if len(value) > PROFILE_LIMITS[name]:
            raise InvalidValue(
                M_("%(name)s must be at most %(limit)s characters.")
                % {"name": shown, "limit": PROFILE_LIMITS[name]}, name)
        if forbidden(value, lines=True):
            raise InvalidValue(M_("%(name)s must not contain control characters.")
                               % {"name": shown}, name)
        if name == "website" and value:
            value = _check_website(value)
        clean[name] = value
    return clean


def _check_website(url: str) -> str:
    """An http(s) URL with a host: the only links a profile may show."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or " " in url:
        raise InvalidValue(M_("Website must be an http:// or https:// address."), "website")
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


def is_confirmed(user: Mapping) -> bool:
    """Whether the account's e-mail address is confirmed (older accounts count as so)."""
    return bool(user.get("email_confirmed", True))
