"""Revisions: one document per change of an entry, the wiki's history."""

from __future__ import annotations

from datetime import datetime

from bson import ObjectId
from pymongo import ASCENDING, DESCENDING

from ..domain.messages import N_
from .base import Repository, present, total_order

__all__ = ["RevisionRepository"]


class RevisionRepository(Repository):
    """Stores revisions; (entry_id, version) is unique, so history has no duplicates."""

    collection_name = "revisions"
    unique = {"version": N_("This version of the entry was already recorded.")}

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
        return present(self.col.find_one({"entry_id": entry_id, "version": version}),
                       "Version", version)

    def recent(self, limit: int = 50, skip: int = 0, *, category: str | None = None,
               user_id: ObjectId | None = None, action: str | None = None,
               not_user_id: ObjectId | None = None) -> list[dict]:
        """The latest changes across the wiki, newest first, optionally only those made to
        entries of one category, by one account, of one action, or not by one account."""
        clauses: list[dict] = []
        if category is not None:
            clauses.append({"category": category})
        if user_id is not None:
            clauses.append({"user_id": user_id})
        if action is not None:
            clauses.append({"action": action})
        if not_user_id is not None:
            clauses.append({"user_id": {"$ne": not_user_id}})
        filter = clauses[0] if len(clauses) == 1 else ({"$and": clauses} if clauses else {})
        cursor = self.col.find(filter).sort(total_order([("at", DESCENDING)]))
        return list(cursor.skip(skip).limit(limit))

    def by_user(self, user_id: ObjectId, limit: int = 50) -> list[dict]:
        """A user's latest contributions (by account id: a later account with the same
        name never inherits them)."""
        cursor = self.col.find({"user_id": user_id}).sort(total_order([("at", DESCENDING)]))
        cursor = cursor.limit(limit)
        return list(cursor)

    def entries_changed_by(self, user_id: ObjectId, since: datetime,
                           limit: int) -> list[ObjectId]:
        """The ids of at most ``limit`` entries an account changed at or after ``since``,
        the most recently changed first."""
        cursor = self.col.find({"user_id": user_id, "at": {"$gte": since}},
                               {"entry_id": 1}).sort(total_order([("at", DESCENDING)]))
        found: dict[ObjectId, None] = {}
        for row in cursor:
            found.setdefault(row["entry_id"])
            if len(found) >= limit:
                break
        return list(found)

    def last_deletion(self, slug: str) -> dict | None:
        """The newest deletion of an entry that had ``slug``, or None."""
        return self.col.find_one({"slug": slug, "action": "delete"},
                                 sort=total_order([("at", DESCENDING)]))

    def delete_for_entry(self, entry_id: ObjectId) -> int:
        """Remove the history of a deleted entry; return how many went."""
        with self.writing():
            return self.col.delete_many({"entry_id": entry_id}).deleted_count

    def last_for_entry(self, entry_id: ObjectId) -> dict | None:
        """The newest revision of an entry, or None."""
        return self.col.find_one({"entry_id": entry_id}, sort=[("version", DESCENDING)])

    def take_back(self, revision_id: ObjectId) -> bool:
        """Remove one revision whose change never reached its entry (a write refused
        whole, or one a dead process left half-way); True if it was there."""
        with self.writing():
            return self.col.delete_one({"_id": revision_id}).deleted_count == 1

    def by_entry(self) -> dict[ObjectId, list[dict]]:
        """Every entry's revisions, oldest first (``manage.py check``)."""
        histories: dict[ObjectId, list[dict]] = {}
        for revision in self.col.find({}).sort([("entry_id", ASCENDING), ("version", ASCENDING)]):
            histories.setdefault(revision["entry_id"], []).append(revision)
        return histories
