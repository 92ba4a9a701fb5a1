"""Bringing data written by an older pkyx up to date (idempotent, run on load or by hand).

Before dump format 2, contributions named their author only by username: entries'
``created_by``/``updated_by`` and revisions' ``user``. A deleted account's name could
then be registered again and its new owner inherited the old account's contributions.
:func:`link_contributions` gives each such contribution the id of the account that held
the name when it was made (one created at or before it), marks the rest as made by an
account that no longer exists (``None``), and reserves the names nobody holds any more.

Before issue 13, revisions did not name their entry's category, so recent changes
filtered by category left them out. :func:`backfill_revision_categories` gives each such
revision the category its entry had after that change, replayed from the entry's own
history, or else the entry's current one.

Before issue 14, accounts had no confirmed e-mail address: nobody was ever asked to
confirm one. :func:`confirm_existing_accounts` marks those accounts confirmed, so that
turning ``PKYX_REQUIRE_CONFIRMED`` on never stops an existing editor.
"""

from __future__ import annotations

from datetime import datetime

from bson import ObjectId

from .base import utcnow

__all__ = ["link_contributions", "backfill_revision_categories", "confirm_existing_accounts",
           "migrate", "CONTRIBUTION_FIELDS"]

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


def backfill_revision_categories(db) -> dict[str, int]:
    """Give revisions stored without a category the one their entry had after the change.

    Each entry's history is replayed in version order: a change of ``category`` says what
    it became (a deletion's, what it was: a revision names the category the change
    happened in). A revision before any such change takes the first change's "before",
    or else the entry's current category; one of an entry that is gone with no category
    anywhere in its history gets ``None``, so it is not looked at again. Returns how many
    revisions got a category and how many stayed without. Running it again changes
    nothing.
    """
    pending = {"category": {"$exists": False}}
    counts = {"backfilled": 0, "unknown": 0}
    if db.revisions.find_one(pending, {"_id": 1}) is None:
        return counts  # the common case: one indexed look-up
    for entry_id in db.revisions.distinct("entry_id", pending):
        history = list(db.revisions.find({"entry_id": entry_id},
                                         {"version": 1, "changes": 1, "category": 1})
                       .sort("version", 1))
        entry = db.entries.find_one({"_id": entry_id}, {"category": 1})
        categories = _categories_after(history, entry.get("category") if entry else None)
        by_category: dict[object, list] = {}
        for revision, category in zip(history, categories, strict=True):
            if "category" not in revision:
                by_category.setdefault(category, []).append(revision["_id"])
        for category, ids in by_category.items():
            modified = db.revisions.update_many(
                {"_id": {"$in": ids}, **pending}, {"$set": {"category": category}}
            ).modified_count
            counts["unknown" if category is None else "backfilled"] += modified
    return counts


def _categories_after(history: list[dict], current: str | None) -> list[str | None]:
    """The category an entry was in after each revision of ``history`` (oldest first).

    Revisions before the first one that tells (a change of category, or a category
    recorded at the time) were in the category that one started from; if no revision
    tells, the entry's category now (``current``).
    """
    found: list[str | None] = []
    known = earliest = None
    for revision in history:
        for change in revision.get("changes") or []:
            if change.get("key") == "category":
                before, after = change.get("before"), change.get("after")
                if known is None:
                    earliest = before if before is not None else after
                known = after if after is not None else before  # a deletion: where it was
        if revision.get("category") is not None:
            if known is None:
                earliest = revision["category"]
            known = revision["category"]  # recorded at the time: the best witness
        found.append(known)
    earliest = earliest if earliest is not None else current
    return [category if category is not None else earliest for category in found]


def migrate(db) -> dict[str, int]:
    """Every migration, in order (what ``manage.py migrate`` and imports run)."""
    return {**link_contributions(db), **backfill_revision_categories(db),
            "confirmed": confirm_existing_accounts(db)}


def confirm_existing_accounts(db) -> int:
    """Mark accounts made before e-mail confirmation existed as confirmed; how many.

    Running it again changes nothing: every account made since has ``email_confirmed``.
    """
    return db.users.update_many(
        {"email_confirmed": {"$exists": False}},
        {"$set": {"email_confirmed": True, "confirmed_at": None, "pending_email": None}},
    ).modified_count
