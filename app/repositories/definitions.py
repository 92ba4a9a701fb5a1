"""Attribute definitions: the typed columns shared by every entry."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pymongo import ASCENDING, ReturnDocument

from ..domain.definitions import Definition
from ..domain.errors import NotFound, StaleVersion
from ..domain.messages import N_
from ..embedded import EmbeddedCollection
from .base import Repository, present, utcnow

__all__ = ["DefinitionRepository", "PAGE_ORDER"]

#: Definitions in page order: by section, then their order; keys are unique, so it is total.
PAGE_ORDER = [("group", ASCENDING), ("order", ASCENDING), ("key", ASCENDING)]


class DefinitionRepository(Repository):
    """Stores :class:`Definition` objects in the ``attributes`` collection.

    Nearly every page and API answer needs the definitions, and they rarely change. On
    the embedded store, which is one process, the collection says when its documents
    changed (``data_version``), so the definitions are read once per change and kept;
    on MongoDB other workers write too, so every call reads (an index serves it).
    """

    collection_name = "attributes"
    unique = {"key": N_("An attribute with this key already exists.")}

    def __init__(self, store):
        super().__init__(store)
        # Not getattr: pymongo's collections answer any attribute with a sub-collection.
        self._version = self.col.data_version if isinstance(self.col, EmbeddedCollection) \
            else None
        self._kept: tuple[object, tuple[Definition, ...], dict[str, Definition]] | None = None

    def _current(self) -> tuple[tuple[Definition, ...], dict[str, Definition]] | None:
        """Every definition in page order and by key, when this process can tell they
        are current (the embedded store); None on MongoDB."""
        if self._version is None:
            return None
        version = self._version()  # before reading: a write meanwhile makes it stale
        kept = self._kept
        if kept is None or kept[0] != version:
            ordered = tuple(self._read_all())
            kept = self._kept = (version, ordered, {d.key: d for d in ordered})
        return kept[1], kept[2]

    def get(self, key: str) -> Definition:
        """The definition of ``key``, or raise :class:`NotFound`."""
        return present(self.find(key), "Attribute", key)

    def find(self, key: str) -> Definition | None:
        """The definition of ``key``, or ``None``."""
        if (current := self._current()) is not None:
            return current[1].get(key)
        doc = self.col.find_one({"key": key})
        return Definition.from_doc(doc) if doc else None

    def many(self, keys) -> dict[str, Definition]:
        """The definitions of ``keys`` that exist, keyed by key."""
        if (current := self._current()) is not None:
            return {key: current[1][key] for key in keys if key in current[1]}
        docs = self.col.find({"key": {"$in": list(keys)}})
        return {doc["key"]: Definition.from_doc(doc) for doc in docs}

    def snapshot(self) -> tuple[Sequence[Definition], Mapping[str, Definition]]:
        """Every definition in page order and by key, to read and never to change.

        On the embedded store both are the ones kept since the collection last changed, so
        the sequence stays the same object until a definition changes: a representation
        made from them can be kept for as long as the object (or an equal one) comes back.
        """
        if (current := self._current()) is not None:
            return current
        ordered = tuple(self._read_all())
        return ordered, {d.key: d for d in ordered}

    def all(self) -> list[Definition]:
        """Every definition in page order (group, then order)."""
        if (current := self._current()) is not None:
            return list(current[0])
        return self._read_all()

    def _read_all(self) -> list[Definition]:
        docs = self.col.find({}).sort(PAGE_ORDER)
        return [Definition.from_doc(doc) for doc in docs]

    def get_versioned(self, key: str) -> tuple[Definition, int]:
        """The definition of ``key`` and its version, or raise :class:`NotFound`."""
        doc = present(self.col.find_one({"key": key}), "Attribute", key)
        return Definition.from_doc(doc), doc.get("version", 1)

    def get_record(self, key: str) -> dict:
        """``{definition, version, updated_by, updated_at, comment}`` of ``key`` (the last
        change's editor, time and edit summary), or raise :class:`NotFound`."""
        return _record(present(self.col.find_one({"key": key}), "Attribute", key))

    def page_records(self, skip: int, limit: int) -> tuple[list[dict], int]:
        """One page of definitions in page order as records (see :meth:`get_record`), and
        the total."""
        cursor = self.col.find({}).sort(PAGE_ORDER).skip(skip).limit(limit)
        return [_record(doc) for doc in cursor], self.col.count_documents({})

    def page(self, skip: int, limit: int) -> tuple[list[tuple[Definition, int]], int]:
        """One page of definitions in page order, with their versions, and the total."""
        cursor = self.col.find({}).sort(PAGE_ORDER).skip(skip).limit(limit)
        items = [(Definition.from_doc(doc), doc.get("version", 1)) for doc in cursor]
        return items, self.col.count_documents({})

    def insert(self, definition: Definition, username: str) -> Definition:
        """Store a new definition; a taken key is a :class:`Conflict`."""
        doc = definition.to_doc() | {"created_at": utcnow(), "created_by": username,
                                     "version": 1}
        with self.writing(self.unique, doc):
            self.col.insert_one(doc)
        return definition

    def replace(self, definition: Definition, username: str, expected_version: int,
                comment: str = "") -> int:
        """Save changed fields of a definition still at ``expected_version``, with the
        change's edit summary; return the new version."""
        fields = definition.to_doc() | {"updated_at": utcnow(), "updated_by": username,
                                        "comment": comment}
        with self.writing():
            doc = self.col.find_one_and_update(
                {"key": definition.key, "version": expected_version},
                {"$set": fields, "$inc": {"version": 1}}, return_document=ReturnDocument.AFTER)
        if doc is None:
            current = self.col.find_one({"key": definition.key}, {"version": 1})
            if current is None:
                raise NotFound("Attribute", definition.key)
            raise StaleVersion(expected_version, current.get("version", 1))
        return doc["version"]

    def delete(self, key: str) -> None:
        """Remove a definition (callers make sure no entry still uses it)."""
        with self.writing():
            result = self.col.delete_one({"key": key})
        if result.deleted_count == 0:
            raise NotFound("Attribute", key)


def _record(doc: dict) -> dict:
    """A stored definition with its version and last change."""
    return {"definition": Definition.from_doc(doc), "version": doc.get("version", 1),
            "updated_by": doc.get("updated_by") or doc.get("created_by"),
            "updated_at": doc.get("updated_at") or doc.get("created_at"),
            "comment": doc.get("comment") or ""}
