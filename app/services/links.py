"""The signed links of account mail: confirm an address, confirm a new one, reset a password.

Each kind is an itsdangerous ``URLSafeTimedSerializer`` with a salt of its own, so a
token made for one purpose (or an API token) is never accepted for another. A token
expires (:data:`LIFETIMES`), and works once: it names what it was made for — the address
to confirm, or a digest of the password hash it replaces — and the account must still
be in that state when the link is followed (:mod:`app.services.account_mail` checks).

Example::

    links = AccountLinks(secret_key, confirm_seconds=48 * 3600, reset_seconds=3600)
    token = links.make("reset", {"uid": "…", "ph": password_digest(user)})
    claims = links.read("reset", token)      # or BadLink("invalid" | "expired")
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..domain.errors import BadLink

__all__ = ["AccountLinks", "KINDS", "digest"]

#: Link kind → its salt (versioned: a change of claims gets a new salt).
KINDS = {
    "confirm": "pkyx.confirm-email.v1",
    "change": "pkyx.change-email.v1",
    "reset": "pkyx.reset-password.v1",
}


def digest(value: str) -> str:
    """A short digest of a secret (a password hash): the token names it without showing it."""
    return hashlib.sha256(value.encode()).hexdigest()[:24]


class AccountLinks:
    """Makes and reads the tokens of the three kinds of link."""

    def __init__(self, secret_key: str, *, confirm_seconds: int, reset_seconds: int):
        self.lifetimes = {"confirm": confirm_seconds, "change": confirm_seconds,
                          "reset": reset_seconds}
        self._serializers = {kind: URLSafeTimedSerializer(secret_key, salt=salt)
                             for kind, salt in KINDS.items()}

    def make(self, kind: str, claims: Mapping[str, str]) -> str:
        """A token of ``kind`` carrying ``claims`` (short strings)."""
        return self._serializers[kind].dumps(dict(claims))

    def read(self, kind: str, token: object) -> dict[str, str]:
        """The claims of a sound, unexpired token of ``kind``; else :class:`BadLink`."""
        if not isinstance(token, str) or not token or len(token) > 1000:
            raise BadLink("invalid")
        try:
            claims = self._serializers[kind].loads(token, max_age=self.lifetimes[kind])
        except SignatureExpired:
            raise BadLink("expired") from None
        except BadSignature:
            raise BadLink("invalid") from None
        if not isinstance(claims, dict) or not all(
                isinstance(key, str) and isinstance(value, str) for key, value in claims.items()):
            raise BadLink("invalid")
        return claims

    @staticmethod
    def same(a: str | None, b: str | None) -> bool:
        """Compare two claims in constant time (``None`` never matches)."""
        return a is not None and b is not None and hmac.compare_digest(a, b)
