"""Categories (the original site's "types"): phones, laptops, CPUs…

Each category document carries a ``version`` (+1 on every change), so a change or a
deletion is conditional on the version the writer read, like an entry's. Documents
written before categories had versions count as version 1.
"""

from __future__ import annotations

from collections.abc import Mapping

from pymongo import ASCENDING, ReturnDocument

from ..domain.categories import STALE
from ..domain.errors import NotFound, StaleVersion
from ..domain.messages import N_
from .base import Repository, present, total_order, utcnow

__all__ = ["CategoryRepository"]


class CategoryRepository(Repository):
    """Stores categories with the number of entries in each."""

    collection_name = "categories"
    unique = {"slug": N_("A category with this slug already exists.")}

    def upsert(self, slug: str, name: str, description: str = "", **more: object) -> dict:
        """Create or rename a category (the seed and tests; editors go through insert)."""
        with self.writing(self.unique):
            self.col.update_one(
                {"slug": slug},
                {"$set": {"name": name, "description": description, **more},
                 "$setOnInsert": {"entry_count": 0, "version": 1}},
                upsert=True,
            )
        return self.get(slug)

    def insert(self, fields: Mapping, username: str) -> dict:
        """Store a new category at version 1; a taken slug is a :class:`Conflict`."""
        now = utcnow()
        doc = {**fields, "entry_count": 0, "version": 1, "created_at": now,
               "created_by": username, "updated_at": now, "updated_by": username}
        with self.writing(self.unique, doc):
            doc["_id"] = self.col.insert_one(doc).inserted_id
        return doc

    def update(self, slug: str, expected_version: int, fields: Mapping, username: str) -> dict:
        """Set ``fields`` if the category is still at ``expected_version``; return it after."""
        with self.writing():
            doc = self.col.find_one_and_update(
                self._at_version(slug, expected_version),
                {"$set": {**fields, "version": expected_version + 1, "updated_at": utcnow(),
                          "updated_by": username}},
                return_document=ReturnDocument.AFTER)
        if doc is None:
            raise self._why_not(slug, expected_version)
        return doc

    def delete(self, slug: str, expected_version: int) -> dict:
        """Remove the category if it is still at ``expected_version``; return what went."""
        with self.writing():
            doc = self.col.find_one_and_delete(self._at_version(slug, expected_version))
        if doc is None:
            raise self._why_not(slug, expected_version)
        return doc

    @staticmethod
    def _at_version(slug: str, version: int) -> dict:
        """The filter of a category at ``version`` (a document without one is at 1)."""
        if version == 1:
            return {"slug": slug, "version": {"$in": [1, None]}}
        return {"slug": slug, "version": version}

    def _why_not(self, slug: str, expected_version: int) -> Exception:
        current = self.col.find_one({"slug": slug}, {"version": 1})
        if current is None:
            return NotFound("Category", slug)
        return StaleVersion(expected_version, current.get("version", 1), STALE)

    def get(self, slug: str) -> dict:
        """The category ``slug``, or raise :class:`NotFound`."""
        return present(self.find(slug), "Category", slug)

    def find(self, slug: str) -> dict | None:
        """The category ``slug``, or ``None``."""
        if not isinstance(slug, str):
            return None
        return self.col.find_one({"slug": slug})

    def exists(self, slug: str) -> bool:
        """Whether the category ``slug`` exists."""
        return self.col.count_documents({"slug": slug}, limit=1) > 0

    def all(self) -> list[dict]:
        """Every category, by slug."""
        return list(self.col.find({}).sort("slug", ASCENDING))  # slugs are unique: total

    def children(self, slug: str) -> list[dict]:
        """The subcategories of ``slug``, by slug."""
        return list(self.col.find({"parent": slug}).sort(total_order([("slug", ASCENDING)])))

    def add_entries(self, slug: str, n: int) -> None:
        """Adjust a category's entry count by ``n`` (negative to subtract)."""
        with self.writing():
            self.col.update_one({"slug": slug}, {"$inc": {"entry_count": n}})

    def set_counts(self, counts: dict[str, int]) -> None:
        """Set every category's entry count from a fresh count."""
        with self.writing():
            for doc in self.col.find({}, {"slug": 1}):
                n = counts.get(doc["slug"], 0)
                self.col.update_one({"_id": doc["_id"]}, {"$set": {"entry_count": n}})
