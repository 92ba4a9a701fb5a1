"""Comparisons: how often each canonical comparison is viewed (for "popular")."""

from __future__ import annotations

from pymongo import DESCENDING

from .base import Repository, total_order, utcnow

__all__ = ["ComparisonRepository"]


class ComparisonRepository(Repository):
    """Counts views of comparisons, keyed by their canonical slug."""

    collection_name = "comparisons"

    def record_view(self, key: str, slugs: list[str]) -> None:
        """Count one view of the comparison ``key`` of ``slugs``."""
        if self.store.read_only:
            return  # a read-only store counts no views; reading must still work
        with self.writing(lazy=True):
            self.col.update_one(
                {"key": key},
                {"$inc": {"views": 1}, "$set": {"slugs": slugs, "last_viewed": utcnow()}},
                upsert=True,
            )

    def popular(self, limit: int = 10) -> list[dict]:
        """The most viewed comparisons."""
        return list(self.col.find({}).sort(total_order([("views", DESCENDING)])).limit(limit))

    def forget_entry(self, slug: str) -> int:
        """Drop the comparisons that include a deleted entry."""
        with self.writing():
            return self.col.delete_many({"slugs": slug}).deleted_count
