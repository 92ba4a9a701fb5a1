"""Revoked API tokens, remembered until they would have expired anyway."""

from __future__ import annotations

from datetime import datetime

from ..domain.errors import Conflict
from .base import Repository, utcnow

__all__ = ["TokenRepository"]


class TokenRepository(Repository):
    """A deny-list of token ids; a TTL index forgets each after its token's expiry."""

    collection_name = "revoked_tokens"

    def revoke(self, jti: str, expires_at: datetime) -> None:
        """Remember that the token ``jti`` is revoked (revoking twice is fine)."""
        try:
            with self.writing():
                self.col.insert_one({"jti": jti, "expires_at": expires_at,
                                     "revoked_at": utcnow()})
        except Conflict:  # revoked already
            pass

    def is_revoked(self, jti: str) -> bool:
        """Whether the token ``jti`` was revoked."""
        return self.col.count_documents({"jti": jti}, limit=1) > 0
