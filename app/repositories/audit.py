"""The audit log: one record per administrator's action (who, what, when, why)."""

from __future__ import annotations

from pymongo import DESCENDING

from .base import Repository, total_order, utcnow

__all__ = ["AuditLogRepository"]


class AuditLogRepository(Repository):
    """Records are only ever added; pages list them newest first."""

    collection_name = "audit_log"

    def add(self, record: dict) -> dict:
        """Store one record (``at`` is now unless given)."""
        record = {"at": utcnow(), **record}
        with self.writing():
            record["_id"] = self.col.insert_one(dict(record)).inserted_id
        return record

    def page(self, skip: int = 0, limit: int = 50) -> tuple[list[dict], int]:
        """One page of records, newest first, and how many there are."""
        cursor = self.col.find({}).sort(total_order([("at", DESCENDING)]))
        return list(cursor.skip(skip).limit(limit)), self.col.count_documents({})
