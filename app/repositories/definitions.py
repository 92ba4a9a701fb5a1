"""Attribute definitions: the typed columns shared by every entry."""

from __future__ import annotations

from pymongo import ASCENDING

from ..domain.definitions import Definition
from ..domain.errors import NotFound
from .base import Repository, utcnow

__all__ = ["DefinitionRepository"]


class DefinitionRepository(Repository):
    """Stores :class:`Definition` objects in the ``attributes`` collection."""

    collection_name = "attributes"
    unique = {"key": "An attribute with this key already exists."}

    def get(self, key: str) -> Definition:
        """The definition of ``key``, or raise :class:`NotFound`."""
        found = self.find(key)
        if found is None:
            raise NotFound("Attribute", key)
        return found

    def find(self, key: str) -> Definition | None:
        """The definition of ``key``, or ``None``."""
        doc = self.col.find_one({"key": key})
        return Definition.from_doc(doc) if doc else None

    def many(self, keys) -> dict[str, Definition]:
        """The definitions of ``keys`` that exist, keyed by key."""
        docs = self.col.find({"key": {"$in": list(keys)}})
        return {doc["key"]: Definition.from_doc(doc) for doc in docs}

    def all(self) -> list[Definition]:
        """Every definition in page order (group, then order)."""
        docs = self.col.find({}).sort([("group", ASCENDING), ("order", ASCENDING)])
        return [Definition.from_doc(doc) for doc in docs]

    def insert(self, definition: Definition, username: str) -> Definition:
        """Store a new definition; a taken key is a :class:`Conflict`."""
        doc = definition.to_doc() | {"created_at": utcnow(), "created_by": username}
        with self.writing(self.unique, doc):
            self.col.insert_one(doc)
        return definition

    def replace(self, definition: Definition, username: str) -> Definition:
        """Save changed fields of an existing definition (its key and type stay)."""
        fields = definition.to_doc() | {"updated_at": utcnow(), "updated_by": username}
        with self.writing():
            result = self.col.update_one({"key": definition.key}, {"$set": fields})
        if result.matched_count == 0:
            raise NotFound("Attribute", definition.key)
        return definition

    def delete(self, key: str) -> None:
        """Remove a definition (callers make sure no entry still uses it)."""
        with self.writing():
            result = self.col.delete_one({"key": key})
        if result.deleted_count == 0:
            raise NotFound("Attribute", key)
