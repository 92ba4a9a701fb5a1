"""Entries: the wiki's pages, each a document with typed attribute values."""

from __future__ import annotations

import random
import re
import threading
from collections.abc import Iterable, Mapping

from bson import ObjectId
from pymongo import ASCENDING, DESCENDING, ReturnDocument

from ..domain.clauses import KEYWORDS, Clause, Field
from ..domain.entries import entry_ref
from ..domain.errors import NotFound, StaleVersion
from ..domain.messages import N_
from ..embedded import EmbeddedCollection
from .base import Repository, parse_id, total_order, utcnow
from .filters import mongo_filter, mongo_query

__all__ = ["EntryRepository", "REF_FIELDS"]

#: What decides an entry's representation (:meth:`EntryRepository.ref`): every change of
#: content moves the version; protection is not content and leaves it (its own field).
REF_FIELDS = ("_id", "version", "protected")
#: The orders listings offer, each made total with ``_id`` (see :func:`total_order`).
SORTS = {name: total_order(sort) for name, sort in {
    "title": [("title_key", ASCENDING)],
    "-title": [("title_key", DESCENDING)],
    "updated": [("updated_at", DESCENDING)],
}.items()}


class EntryRepository(Repository):
    """Stores entries; every update is conditional on the version the writer read."""

    collection_name = "entries"
    unique = {"slug": N_("An entry with this slug already exists.")}

    def __init__(self, store):
        super().__init__(store)
        #: Entries this process created, changed or deleted (views not counted): what is
        #: kept from the titles (suggestions) is current while this stays the same.
        self.writes = 0
        self._counting = threading.Lock()

    def _count_write(self) -> None:
        """Count a write that went through (one that matched nothing too: a spare rebuild)."""
        with self._counting:
            self.writes += 1

    def get(self, ident: str | ObjectId) -> dict:
        """The entry with this id or slug, or raise :class:`NotFound`."""
        oid = parse_id(ident)
        doc = self.col.find_one({"_id": oid}) if oid else None
        if doc is None and isinstance(ident, str):
            doc = self.col.find_one({"slug": ident})
        if doc is None:
            raise NotFound("Entry", str(ident))
        return doc

    def ref(self, ident: str | ObjectId) -> tuple[ObjectId, int, bool]:
        """The id, version and protection of the entry with this id or slug (:meth:`get`'s
        look-up), without reading the rest of it; raise :class:`NotFound`."""
        oid = parse_id(ident)
        found = self._ref({"_id": oid}) if oid else None
        if found is None and isinstance(ident, str):
            found = self._ref({"slug": ident})
        if found is None:
            raise NotFound("Entry", str(ident))
        return found

    def _ref(self, filter: dict) -> tuple[ObjectId, int, bool] | None:
        if isinstance(self.col, EmbeddedCollection):
            found = self.col.find_one_fields(filter, REF_FIELDS)
            return found and (found[0], found[1], bool(found[2]))
        doc = self.col.find_one(filter, {"version": 1, "protected": 1})
        return entry_ref(doc) if doc else None

    def find_slug(self, slug: str) -> dict | None:
        """The entry with this slug, or ``None``."""
        return self.col.find_one({"slug": slug})

    def by_slugs(self, slugs: Iterable[str]) -> dict[str, dict]:
        """The entries with these slugs, keyed by slug (missing ones left out)."""
        return {doc["slug"]: doc for doc in self.col.find({"slug": {"$in": list(slugs)}})}

    def insert(self, doc: dict) -> dict:
        """Store a new entry at version 1; a taken slug is a :class:`Conflict`."""
        doc = {**doc, "version": 1, "views": 0, "random": random.random()}
        with self.writing(self.unique, doc):
            doc["_id"] = self.col.insert_one(doc).inserted_id
        self._count_write()
        return doc

    def restore(self, doc: dict, version: int) -> dict:
        """Store a deleted entry again under its old id, at ``version``."""
        doc = {**doc, "version": version, "views": 0, "random": random.random()}
        with self.writing(self.unique, doc):
            self.col.insert_one(doc)
        return doc

    def set_protection(self, entry_id: ObjectId, protection: Mapping | None) -> dict:
        """Protect an entry (``protection``: by, at, reason) so that only admins edit it, or
        lift it (``None``). Not a revision: protection is not content, and the version
        stays (the API's ETag includes it)."""
        fields = {"protected": protection is not None, "protection": protection}
        with self.writing():
            doc = self.col.find_one_and_update({"_id": entry_id}, {"$set": fields},
                                               return_document=ReturnDocument.AFTER)
        if doc is None:
            raise NotFound("Entry", str(entry_id))
        return doc

    def protected(self, skip: int = 0, limit: int = 50) -> tuple[list[dict], int]:
        """Protected entries by title, one page, and how many there are."""
        return self.page({"protected": True}, SORTS["title"], skip, limit)

    def with_title_key(self, key: str, limit: int = 10) -> list[dict]:
        """Entries whose case-folded title is exactly ``key``."""
        return self.find({"title_key": key}, [("_id", ASCENDING)], limit=limit)

    def update(
        self,
        entry_id: ObjectId,
        expected_version: int,
        set_fields: Mapping[str, object],
        unset_fields: Iterable[str] = (),
    ) -> dict:
        """Apply a change if the entry is still at ``expected_version``; return it after.

        Raises :class:`StaleVersion` when someone else saved first, so nothing they
        wrote is overwritten, and :class:`NotFound` when the entry is gone.
        """
        update: dict = {"$inc": {"version": 1}}
        if set_fields:
            update["$set"] = dict(set_fields)
        unset = {name: "" for name in unset_fields}
        if unset:
            update["$unset"] = unset
        with self.writing(self.unique):
            doc = self.col.find_one_and_update(
                {"_id": entry_id, "version": expected_version},
                update,
                return_document=ReturnDocument.AFTER,
            )
        self._count_write()
        if doc is None:
            raise self._why_not(entry_id, expected_version)
        return doc

    def delete(self, entry_id: ObjectId, expected_version: int) -> dict:
        """Remove the entry if it is still at ``expected_version``; return what was removed."""
        with self.writing():
            doc = self.col.find_one_and_delete({"_id": entry_id, "version": expected_version})
        self._count_write()
        if doc is None:
            raise self._why_not(entry_id, expected_version)
        return doc

    def _why_not(self, entry_id: ObjectId, expected_version: int) -> Exception:
        """Tell a stale version from a deleted entry after a conditional write missed."""
        current = self.col.find_one({"_id": entry_id}, {"version": 1})
        if current is None:
            return NotFound("Entry", str(entry_id))
        return StaleVersion(expected_version, current["version"])

    def find(
        self,
        filter: Mapping | None = None,
        sort: list[tuple[str, int]] | None = None,
        skip: int = 0,
        limit: int = 25,
        projection: Mapping | None = None,
    ) -> list[dict]:
        """One page of entries matching a filter built by a trusted parser."""
        cursor = self.col.find(dict(filter or {}), projection)
        if sort:
            cursor = cursor.sort(sort)
        return list(cursor.skip(skip).limit(limit))

    def page(self, filter: Mapping | None, sort: list[tuple[str, int]] | None, skip: int,
             limit: int) -> tuple[list[dict], int]:
        """One page of entries matching ``filter`` and how many match in all.

        MongoDB answers with two queries (the page, then ``count_documents`` on the same
        index); the embedded store counts the matches it already found for the page.
        """
        if isinstance(self.col, EmbeddedCollection):
            return self.col.find_page(dict(filter or {}), sort, skip, limit)
        return self.find(filter, sort, skip, limit), self.count(filter)

    def page_refs(self, filter: Mapping | None, sort: list[tuple[str, int]] | None, skip: int,
                  limit: int) -> tuple[list[tuple[ObjectId, int, bool]], int]:
        """:meth:`page`, each entry given as its :func:`entry_ref` only (what says whether
        a representation made earlier is still that entry's)."""
        if isinstance(self.col, EmbeddedCollection):
            found, total = self.col.find_page_fields(dict(filter or {}), sort, skip, limit,
                                                     REF_FIELDS)
            return [(entry_id, version, bool(protected))
                    for entry_id, version, protected in found], total
        docs = self.find(filter, sort, skip, limit, projection={"version": 1, "protected": 1})
        return [entry_ref(doc) for doc in docs], self.count(filter)

    def matching(self, clauses: Iterable[Clause], sort: Iterable[tuple[Field, int]],
                 skip: int, limit: int) -> tuple[list[dict], int]:
        """:meth:`page` of the entries meeting every clause, in the neutral ``sort``
        (:func:`~app.repositories.filters.mongo_query` makes the filter and sort)."""
        return self.page(*mongo_query(clauses, sort), skip, limit)

    def matching_refs(self, clauses: Iterable[Clause], sort: Iterable[tuple[Field, int]],
                      skip: int, limit: int) -> tuple[list[tuple[ObjectId, int, bool]], int]:
        """:meth:`page_refs` of the entries meeting every clause, in the neutral ``sort``."""
        return self.page_refs(*mongo_query(clauses, sort), skip, limit)

    def count(self, filter: Mapping | None = None) -> int:
        """How many entries match ``filter``."""
        return self.col.count_documents(dict(filter or {}))

    def listing(self, category: str | None = None, sort: str = "title",
                page: int = 1, per_page: int = 24) -> tuple[list[dict], int]:
        """A page of entries (optionally in one category) and the total count."""
        filter = {"category": category} if category else {}
        order = SORTS.get(sort, SORTS["title"])
        return self.page(filter, order, (page - 1) * per_page, per_page)

    def recent(self, limit: int = 10, category: str | None = None,
               fields: Iterable[str] | None = None) -> list[dict]:
        """The most recently updated entries (of one category, when given); only
        ``fields`` (and ``_id``) of each when named."""
        return self.find({"category": category} if category else {}, SORTS["updated"],
                         limit=limit, projection=dict.fromkeys(fields, 1) if fields else None)

    def by_creator(self, user_id: ObjectId, limit: int = 50) -> list[dict]:
        """Entries a user's account created, newest first."""
        return self.find({"created_by_id": user_id}, total_order([("created_at", DESCENDING)]),
                         limit=limit)

    def title_prefix(self, text: str, limit: int = 10) -> list[dict]:
        """Entries whose title starts with ``text`` (case-insensitive), for autocomplete."""
        prefix = text.strip().lower()
        if not prefix:
            return []
        filter = {"title_key": {"$regex": "^" + re.escape(prefix)}}
        return self.find(filter, SORTS["title"], limit=limit,
                         projection={"slug": 1, "title": 1, "category": 1})

    def search(self, words: list[str], limit: int = 25, skip: int = 0,
               sort: str = "title") -> tuple[list[dict], int]:
        """Entries whose keywords start with every word (in a SORTS order), and the total."""
        filter = keyword_filter(words)
        order = SORTS.get(sort, SORTS["title"])
        return self.page(filter, order, skip, limit)

    def titles(self) -> list[dict]:
        """Every entry's slug, title, category, title key and keywords, by title (for the
        suggestion index)."""
        return self.find({}, [("title_key", ASCENDING), ("_id", ASCENDING)], limit=0,
                         projection={"_id": 0, "slug": 1, "title": 1, "category": 1,
                                     "title_key": 1, "keywords": 1})

    def by_ids(self, ids) -> dict[ObjectId, dict]:
        """The entries with these ids, keyed by id (deleted ones left out); one query."""
        wanted = list(dict.fromkeys(ids))
        return {doc["_id"]: doc for doc in self.col.find({"_id": {"$in": wanted}})} if wanted \
            else {}

    def random_slug(self) -> str | None:
        """The slug of an entry picked at random (the ``random`` field is indexed)."""
        point = random.random()
        for condition, order in (({"$gte": point}, ASCENDING), ({"$lt": point}, DESCENDING)):
            doc = self.col.find_one({"random": condition}, {"slug": 1},
                                    sort=total_order([("random", order)]))
            if doc:
                return doc["slug"]
        return None

    def count_by_category(self) -> dict[str, int]:
        """Number of entries in each category."""
        pipeline = [{"$group": {"_id": "$category", "n": {"$sum": 1}}}]
        return {row["_id"]: row["n"] for row in self.col.aggregate(pipeline)}

    def add_view(self, entry_id: ObjectId) -> None:
        """Count one page view (not a revision: views are not content)."""
        if self.store.read_only:
            return  # a read-only store counts no views; reading must still work
        with self.writing(lazy=True):
            self.col.update_one({"_id": entry_id}, {"$inc": {"views": 1}})

    def uses_attribute(self, key: str) -> int:
        """How many entries have a value for the attribute ``key``."""
        return self.col.count_documents({f"attributes.{key}": {"$exists": True}})

    def all(self) -> list[dict]:
        """Every entry (for exports and maintenance, not for pages)."""
        return list(self.col.find({}).sort("slug", ASCENDING))  # slugs are unique: total

    def reset_state(self, entry_id: ObjectId, version: int, fields: Mapping[str, object],
                    unset_fields: Iterable[str] = ()) -> None:
        """Put an entry back to the state its history rebuilds (``manage.py check
        --repair``): the fields, at ``version``, whatever it held."""
        update: dict = {"$set": {**fields, "version": version}}
        unset = {name: "" for name in unset_fields}
        if unset:
            update["$unset"] = unset
        with self.writing(self.unique):
            self.col.update_one({"_id": entry_id}, update)


def keyword_filter(words: list[str]) -> dict:
    """A filter matching entries whose keywords start with each word (escaped): the
    ``search`` clauses of :mod:`app.repositories.filters`, always under ``$and``."""
    clauses = [mongo_filter([Clause(KEYWORDS, "search", word)]) for word in words if word]
    return {"$and": clauses} if clauses else {}


def stamp(doc: dict, username: str, *, created: bool = False) -> dict:
    """Add who changed ``doc`` and when."""
    now = utcnow()
    doc = {**doc, "updated_at": now, "updated_by": username}
    if created:
        doc |= {"created_at": now, "created_by": username}
    return doc

