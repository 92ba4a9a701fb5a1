"""Bringing data written by an older pkyx up to date (idempotent, run on load or by hand).

Before dump format 2, contributions named their author only by username: entries'
``created_by``/``updated_by`` and revisions' ``user``. A deleted account's name could
then be registered again and its new owner inherited the old account's contributions.
:func:`link_contributions` gives each such contribution the id of the account that held
the name when it was made (one created at or before it), marks the rest as made by an
account that no longer exists (``None``), and reserves the names nobody holds any more.
"""

from __future__ import annotations

from datetime import datetime

from bson import ObjectId

from .base import utcnow

__all__ = ["link_contributions", "CONTRIBUTION_FIELDS"]

#: (collection, name field, id field, time field) of every contribution.
CONTRIBUTION_FIELDS = (
    ("revisions", "user", "user_id", "at"),
    ("entries", "created_by", "created_by_id", "created_at"),
    ("entries", "updated_by", "updated_by_id", "updated_at"),
)


def link_contributions(db) -> dict[str, int]:
    """Give name-only contributions their account's id; reserve orphaned names.

    Returns how many contributions were linked, left without an account, and how many
    names were reserved. Running it again changes nothing.
    """
    holders = {user["username_key"]: user for user in
               db.users.find({}, {"username_key": 1, "created_at": 1})}
    counts = {"linked": 0, "unlinked": 0, "reserved": 0}
    orphans: set[str] = set()
    for collection, name_field, id_field, at_field in CONTRIBUTION_FIELDS:
        col = db[collection]
        pending = {id_field: {"$exists": False}}
        for name in col.distinct(name_field, pending):
            if not isinstance(name, str) or not name:
                continue
            holder = holders.get(name.casefold())
            if holder is not None:
                mine = {name_field: name, **pending}
                since = holder.get("created_at")
                if isinstance(since, datetime):
                    mine[at_field] = {"$gte": since}
                counts["linked"] += col.update_many(
                    mine, {"$set": {id_field: holder["_id"]}}).modified_count
            else:
                orphans.add(name)
        # The rest were made by an account that is gone (or before the name's holder).
        counts["unlinked"] += col.update_many(pending, {"$set": {id_field: None}}).modified_count
    for name in sorted(orphans, key=str.casefold):
        result = db.deleted_users.update_one(
            {"username_key": name.casefold()},
            {"$setOnInsert": {"_id": ObjectId(), "username": name, "deleted_at": utcnow()}},
            upsert=True)
        counts["reserved"] += result.upserted_id is not None
    return counts
