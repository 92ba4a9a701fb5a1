"""Categories (the original site's "types"): phones, laptops, CPUs…"""

from __future__ import annotations

from pymongo import ASCENDING

from ..domain.errors import NotFound
from .base import Repository

__all__ = ["CategoryRepository"]


class CategoryRepository(Repository):
    """Stores categories with the number of entries in each."""

    collection_name = "categories"
    unique = {"slug": "A category with this slug already exists."}

    def upsert(self, slug: str, name: str, description: str = "") -> dict:
        """Create or rename a category."""
        with self.writing(self.unique):
            self.col.update_one(
                {"slug": slug},
                {"$set": {"name": name, "description": description},
                 "$setOnInsert": {"entry_count": 0}},
                upsert=True,
            )
        return self.get(slug)

    def get(self, slug: str) -> dict:
        """The category ``slug``, or raise :class:`NotFound`."""
        doc = self.col.find_one({"slug": slug})
        if doc is None:
            raise NotFound("Category", slug)
        return doc

    def exists(self, slug: str) -> bool:
        """Whether the category ``slug`` exists."""
        return self.col.count_documents({"slug": slug}, limit=1) > 0

    def all(self) -> list[dict]:
        """Every category, by slug."""
        return list(self.col.find({}).sort("slug", ASCENDING))  # slugs are unique: total

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
