"""The one JSON representation of each resource: ids as strings, UTC times, ``_links``.

Views never hand a raw MongoDB document to the encoder; they call these functions.
Links are site-relative paths, so a representation (and its ETag) does not depend on
the host name a client used.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import quote

import orjson
from bson import ObjectId
from cachetools import LRUCache
from flask import current_app, request, url_for

from ..domain.compare import Comparison, comparison_slug
from ..domain.definitions import DEFAULT_GROUP, Definition, label_from_key
from ..domain.entries import entry_ref
from ..domain.types import display_value
from ..json import dumps, iso
from .http import etag_for

__all__ = ["entry_json", "entry_etag", "entry_etag_of", "Rendered", "EntryRepresentations",
           "entry_representations", "attribute_json", "definition_json", "revision_json",
           "user_json", "category_json", "category_etag", "comparison_json", "page_path"]

#: Bump when a representation changes shape, so cached ETags stop matching.
SHAPE = 2


def page_path(kind: str, slug: str) -> str:
    """The path of a resource's HTML page."""
    return f"/{kind}/{quote(slug)}"


def _time(value) -> str | None:
    return iso(value) if value is not None else None


def _id(value) -> str | None:
    """An account id as 24 hex digits (``None`` for a name with no known account)."""
    return str(value) if value is not None else None


def attribute_value(stored: Mapping, definition: Definition | None) -> dict:
    """A stored value as the API shows it: the stored fields plus its display text."""
    data = {name: stored[name] for name in ("value", "unit", "n", "file") if name in stored}
    if definition is not None:
        data["text"] = display_value(definition, dict(stored))
    else:
        data["text"] = str(stored.get("value", ""))
    return data


def entry_etag(doc: Mapping) -> str:
    """The ETag of an entry: its id, version and protection decide its representation."""
    return entry_etag_of(entry_ref(doc))


def entry_etag_of(ref: tuple[ObjectId, int, bool]) -> str:
    """:func:`entry_etag` from the entry's :func:`~app.domain.entries.entry_ref`."""
    entry_id, version, protected = ref
    return etag_for("entry", entry_id, version, protected, SHAPE)


def entry_json(doc: Mapping, definitions: Mapping[str, Definition],
               fields: Iterable[str] | None = None) -> dict:
    """An entry, with its attribute values and their display text."""
    slug = doc["slug"]
    href = url_for("api.entry", ident=slug)  # its sub-resources hang below it (one build)
    data = {
        "id": str(doc["_id"]),
        "slug": slug,
        "title": doc["title"],
        "category": doc["category"],
        "summary": doc.get("summary") or "",
        "attributes": {key: attribute_value(stored, definitions.get(key))
                       for key, stored in sorted(doc.get("attributes", {}).items())},
        "version": doc["version"],
        "protected": bool(doc.get("protected")),
        "created_at": _time(doc.get("created_at")),
        "created_by": doc.get("created_by"),
        "created_by_id": _id(doc.get("created_by_id")),
        "updated_at": _time(doc.get("updated_at")),
        "updated_by": doc.get("updated_by"),
        "updated_by_id": _id(doc.get("updated_by_id")),
        "_links": {
            "self": {"href": href},
            "html": {"href": page_path("entries", slug)},
            "attributes": {"href": f"{href}/attributes"},
            "revisions": {"href": f"{href}/revisions"},
        },
    }
    if fields is not None:
        keep = {"id", "_links", *fields}
        data = {name: value for name, value in data.items() if name in keep}
    return data


@dataclass(frozen=True)
class Rendered:
    """One entry's representation, made once: to read, never to change."""

    data: dict
    body: bytes
    etag: str

    @property
    def fragment(self) -> orjson.Fragment:
        """The encoded representation, for a larger document (a page) to include as is."""
        return orjson.Fragment(self.body)


class EntryRepresentations:
    """Each entry's representation and its encoding, made once per version of the entry.

    The representation is a function of the entry at one version and protection (every
    change of content moves the version: :func:`~app.domain.entries.entry_ref`), of
    the definitions (the display text of values) and of the path the app is
    mounted at (the links): a reading of the definitions and the mount is a *basis*, and
    a representation is kept under the basis it was made for. Pages of the list and reads
    of one entry then cost a look-up per entry, not a rendering and an encoding. The most
    recently used :data:`SIZE` are kept; a new basis (a definition changed) starts afresh.
    """

    SIZE = 4096

    def __init__(self, size: int = SIZE):
        self._kept: LRUCache = LRUCache(size)
        self._lock = threading.Lock()
        self._basis: tuple[object, str, object] | None = None

    def basis(self, definitions_order: object) -> object:
        """A token for the definitions as :meth:`DefinitionRepository.snapshot` gave them
        (their sequence) and this request's mount path; equal readings share one."""
        root = request.script_root
        kept = self._basis
        if kept is not None and kept[1] == root and (
                kept[0] is definitions_order or kept[0] == definitions_order):
            return kept[2]
        with self._lock:
            kept = self._basis
            if kept is None or kept[1] != root or not (
                    kept[0] is definitions_order or kept[0] == definitions_order):
                self._kept.clear()
                kept = self._basis = (definitions_order, root, object())
        return kept[2]

    def get(self, basis: object, ref: tuple[ObjectId, int, bool]) -> Rendered | None:
        """The representation of the entry ``ref`` names, made for ``basis``, if kept."""
        with self._lock:
            found = self._kept.get(ref)
        return found[1] if found is not None and found[0] is basis else None

    def render(self, basis: object, doc: Mapping,
               definitions: Mapping[str, Definition]) -> Rendered:
        """The representation of ``doc`` (made now unless kept), kept for ``basis``."""
        ref = entry_ref(doc)
        found = self.get(basis, ref)
        if found is not None:
            return found
        data = entry_json(doc, definitions)
        made = Rendered(data, dumps(data), entry_etag_of(ref))
        with self._lock:
            self._kept[ref] = (basis, made)
        return made

    def page(self, basis: object, refs: list[tuple[ObjectId, int, bool]],
             fetch: Callable[[list[ObjectId]], Mapping[ObjectId, Mapping]],
             definitions: Mapping[str, Definition]) -> list[Rendered]:
        """The representations of the entries ``refs`` names, in order: those kept, and the
        others fetched (one call of ``fetch`` with their ids) and made. An entry deleted
        meanwhile is left out; one changed meanwhile is shown as it is now."""
        found = [self.get(basis, ref) for ref in refs]
        missing = [ref[0] for ref, item in zip(refs, found, strict=True) if item is None]
        if missing:
            docs = fetch(missing)
            for position, ref in enumerate(refs):
                if found[position] is None and ref[0] in docs:
                    found[position] = self.render(basis, docs[ref[0]], definitions)
        return [item for item in found if item is not None]


def entry_representations() -> EntryRepresentations:
    """The current app's kept entry representations."""
    return current_app.extensions["pkyx.entry_representations"]


def attribute_json(entry: Mapping, key: str, stored: Mapping,
                   definition: Definition | None) -> dict:
    """One attribute of an entry, with its definition's label, type and group."""
    slug = entry["slug"]
    return {
        "key": key,
        "label": definition.label if definition else label_from_key(key),
        "type": definition.type if definition else "text",
        "group": definition.group if definition else DEFAULT_GROUP,
        **attribute_value(stored, definition),
        "_links": {
            "self": {"href": url_for("api.entry_attribute", ident=slug, key=key)},
            "entry": {"href": url_for("api.entry", ident=slug)},
            "definition": {"href": url_for("api.definition", key=key)},
        },
    }


def definition_json(record) -> dict:
    """An attribute definition (a :class:`~app.services.definitions.DefinitionRecord`) with
    its version and its last change: who, when and the edit summary."""
    definition = record.definition
    return {
        **definition.to_doc(),
        "version": record.version,
        "updated_by": record.updated_by,
        "updated_at": _time(record.updated_at),
        "comment": record.comment,
        "_links": {"self": {"href": url_for("api.definition", key=definition.key)},
                   "html": {"href": f"/attributes#def-{definition.key}"}},
    }


def revision_json(entry: Mapping, revision: Mapping) -> dict:
    """One revision of an entry's history."""
    slug = entry["slug"]
    return {
        "id": str(revision["_id"]),
        "entry_id": str(revision["entry_id"]),
        "version": revision["version"],
        "at": _time(revision["at"]),
        "user": revision.get("user"),
        "user_id": _id(revision.get("user_id")),
        "action": revision["action"],
        "comment": revision.get("comment", ""),
        "changes": [dict(change) for change in revision.get("changes", [])],
        "_links": {
            "self": {"href": url_for("api.revision", ident=slug, version=revision["version"])},
            "entry": {"href": url_for("api.entry", ident=slug)},
        },
    }


def user_json(user: Mapping, *, private: bool = False) -> dict:
    """A user's public profile; ``private`` adds the email and role for the user or an admin."""
    name = user["username"]
    data = {
        "id": str(user["_id"]),
        "username": name,
        "role": user["role"],
        "created_at": _time(user.get("created_at")),
        "location": user.get("location", ""),
        "website": user.get("website", ""),
        "bio": user.get("bio", ""),
        "edit_count": user.get("edit_count", 0),
        "create_count": user.get("create_count", 0),
        "avatar": url_for("api.avatar", ident=name) if user.get("avatar") else None,
        "_links": {
            "self": {"href": url_for("api.user", ident=name)},
            "html": {"href": page_path("users", name)},
            "avatar": {"href": url_for("api.avatar", ident=name)},
        },
    }
    if private:
        data["email"] = user["email"]
        data["email_confirmed"] = bool(user.get("email_confirmed", True))
        data["pending_email"] = user.get("pending_email") or None
        data["last_seen"] = _time(user.get("last_seen"))
    return data


def category_etag(category: Mapping) -> str:
    """The ETag of a category: its slug and version decide its representation."""
    return etag_for("category", category["slug"], category.get("version", 1), SHAPE)


def category_json(category: Mapping) -> dict:
    """A category with its entry count, Chinese forms, parent and suggested attributes."""
    slug = category["slug"]
    return {
        "slug": slug,
        "name": category["name"],
        "description": category.get("description", ""),
        "entry_count": category.get("entry_count", 0),
        "name_zh": category.get("name_zh") or "",
        "description_zh": category.get("description_zh") or "",
        "parent": category.get("parent") or None,
        "attributes": [{"key": item["key"], "group": item.get("group") or ""}
                       for item in category.get("attributes") or []],
        "version": category.get("version", 1),
        "_links": {
            "self": {"href": url_for("api.category", slug=slug)},
            "entries": {"href": url_for("api.entries") + "?category=" + quote(slug)},
            "html": {"href": page_path("categories", slug)},
        },
    }


def comparison_json(comparison: Comparison) -> dict:
    """Aligned rows of a comparison, with links to each entry and to the page."""
    data = comparison.to_dict()
    slugs = [entry["slug"] for entry in comparison.entries]
    for entry in data["entries"]:
        entry["_links"] = {"self": {"href": url_for("api.entry", ident=entry["slug"])}}
    data["_links"] = {
        "self": {"href": url_for("api.compare") + "?entries=" + ",".join(slugs)},
        "html": {"href": page_path("compare", comparison_slug(slugs))},
    }
    return data
