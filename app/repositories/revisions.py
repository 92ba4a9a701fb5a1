"""Revisions: one document per change of an entry, the wiki's history."""

from __future__ import annotations

from bson import ObjectId
from pymongo import ASCENDING, DESCENDING

from ..domain.errors import NotFound
from .base import Repository, total_order

__all__ = ["RevisionRepository"]


class RevisionRepository(Repository):
    """Stores revisions; (entry_id, version) is unique, so history has no duplicates."""

    collection_name = "revisions"
    unique = {"version": "This version of the entry was already recorded."}

    def add(self, revision: dict) -> dict:
        """Record one revision."""
        with self.writing(self.unique):
            revision = {**revision, "_id": self.col.insert_one(dict(revision)).inserted_id}
        return revision

    def for_entry(self, entry_id: ObjectId) -> list[dict]:
        """Every revision of an entry, oldest first."""
        # (entry_id, version) is unique: the order is total
        return list(self.col.find({"entry_id": entry_id}).sort("version", ASCENDING))

    def page_for_entry(self, entry_id: ObjectId, skip: int, limit: int) -> tuple[list[dict], int]:
        """One page of an entry's revisions, newest first, and how many there are."""
        filter = {"entry_id": entry_id}
        cursor = self.col.find(filter).sort("version", DESCENDING).skip(skip).limit(limit)
        return list(cursor), self.col.count_documents(filter)

    def get(self, entry_id: ObjectId, version: int) -> dict:
        """One version of an entry's history, or raise :class:`NotFound`."""
        doc = self.col.find_one({"entry_id": entry_id, "version": version})
        if doc is None:
            raise NotFound("Version", version)
        return doc

    def recent(self, limit: int = 50, skip: int = 0) -> list[dict]:
        """The latest changes across the wiki."""
        return list(self.col.find({}).sort(total_order([("at", DESCENDING)]))
                    .skip(skip).limit(limit))

    def by_user(self, user_id: ObjectId, limit: int = 50) -> list[dict]:
        """A user's latest contributions (by account id: a later account with the same
        name never inherits them)."""
        cursor = self.col.find({"user_id": user_id}).sort(total_order([("at", DESCENDING)]))
        cursor = cursor.limit(limit)
        return list(cursor)

    def delete_for_entry(self, entry_id: ObjectId) -> int:
        """Remove the history of a deleted entry; return how many went."""
        with self.writing():
            return self.col.delete_many({"entry_id": entry_id}).deleted_count
