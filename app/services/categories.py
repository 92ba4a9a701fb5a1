"""Category use cases shared by the pages and the API: create, change, merge, delete.

Any logged-in editor creates a category and changes its descriptions and suggested
attributes; renaming or moving it in the tree, merging it into another and deleting
an empty one are for admins. Every change names the version the caller read.

Example::

    categories = Categories(repos, wiki)
    foldables = categories.create("alice", {"name": "Foldables", "parent": "phones"})
    categories.merge("boss", "foldables", foldables["version"], into="phones", admin=True)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..domain import categories as rules
from ..domain.entries import fold
from ..domain.errors import Conflict, Forbidden, InvalidValue, NotFound, StaleVersion
from ..domain.messages import M_
from ..domain.revisions import MERGE_COMMENT
from ..domain.types import display_value
from . import audit
from .query import QueryError, parse_query  # the one filter language, the API's too
from .wiki import WikiUseCases

__all__ = ["Categories", "MERGE_COMMENT", "SpecTable", "TABLE_SORTS"]

#: Entries moved per round of a merge (each move is one revision).
MERGE_BATCH = 100


#: Sorts a spec table offers besides its columns (``attr.<key>`` / ``-attr.<key>``).
TABLE_SORTS = ("title", "-title", "updated")
#: Filters a spec table takes at once.
MAX_TABLE_FILTERS = 6


@dataclass
class SpecTable:
    """One page of a category's entries as a table of its suggested attributes."""

    columns: list[dict]
    entries: list[dict]
    total: int
    page: int
    per_page: int
    sort: str
    filters: list[tuple[str, str]] = field(default_factory=list)
    error: str = ""

    @property
    def rows(self) -> list[dict]:
        """Each entry with one cell per column: ``{"stored", "text"}`` (stored None: none)."""
        rows = []
        for doc in self.entries:
            attributes = doc.get("attributes") or {}
            cells = []
            for column in self.columns:
                stored = attributes.get(column["key"])
                text = display_value(column["definition"], stored) if stored else ""
                cells.append({"stored": stored, "text": text})
            rows.append({"entry": doc, "cells": cells, "image": attributes.get("image")})
        return rows


class Categories(WikiUseCases):
    """The categories' use cases over one set of repositories and the wiki."""

    # -- reading ---------------------------------------------------------------------

    def all(self) -> list[dict]:
        """Every category, by slug."""
        return self.repos.categories.all()

    def get(self, slug: str) -> dict:
        """One category, or NotFound."""
        return self.repos.categories.get(slug)

    def children(self, slug: str) -> list[dict]:
        """The subcategories of ``slug``."""
        return self.repos.categories.children(slug)

    def definitions(self) -> list:
        """Every attribute definition (what a category may suggest), in page order."""
        return self.repos.definitions.all()

    def parents(self) -> dict[str, str | None]:
        """Every category's parent slug (None at the top), for trails and tree checks."""
        return {doc["slug"]: doc.get("parent") for doc in self.repos.categories.all()}

    def trail(self, slug: str) -> list[dict]:
        """The categories from the top of the tree down to ``slug`` (itself last)."""
        by_slug = {doc["slug"]: doc for doc in self.repos.categories.all()}
        parents = {slug: doc.get("parent") for slug, doc in by_slug.items()}
        return [by_slug[s] for s in rules.trail(slug, parents) if s in by_slug]

    def suggested(self, category: Mapping) -> list[dict]:
        """The category's suggested attributes with their definitions (undefined ones left
        out): ``[{key, group, definition}]``, in the category's order."""
        items = category.get("attributes") or []
        definitions = self.repos.definitions.many([item["key"] for item in items])
        return [{"key": item["key"], "definition": definitions[item["key"]],
                 "group": item.get("group") or definitions[item["key"]].group}
                for item in items if item["key"] in definitions]

    def table(self, category: Mapping, *, sort: str, filters: list[tuple[str, str]],
              page: int, per_page: int) -> SpecTable:
        """A page of the category's entries with its suggested attributes as columns.

        ``sort`` is title, -title, updated or ±attr.<key> of a column; ``filters`` are
        ``(attr.<key>, "lt.200g")`` pairs in the API's filter language (SPEC.md §3). A filter
        that cannot be used leaves the table unfiltered and says why in ``error``.
        """
        columns = self.suggested(category)
        keys = {column["key"] for column in columns}
        if sort.removeprefix("-").removeprefix("attr.") not in keys and sort not in TABLE_SORTS:
            sort = "title"
        order = {"updated": "-updated_at"}.get(sort, sort)
        args = [("category", category["slug"]), ("sort", order),
                ("page", str(page)), ("per_page", str(per_page))]
        definitions = {d.key: d for d in self.repos.definitions.all()}
        error = ""
        filters = list(filters)[:MAX_TABLE_FILTERS]
        try:
            query = parse_query(args + filters, definitions)
        except QueryError as exc:
            error = " ".join(exc.errors.values())
            filters = []
            query = parse_query(args, definitions)
        docs, total = self.repos.entries.matching(query.clauses, query.sort, query.skip,
                                                  query.per_page)
        return SpecTable(columns, docs, total, page, per_page, sort, filters, error)

    def resolve_suggestions(self, items: list[Mapping]) -> list[dict]:
        """``[{key, group}]`` from typed ``[{name, group}]``: each name is a key, or the
        label (English or Chinese, folded) of a defined attribute; anything else is
        refused naming it."""
        known = self.repos.definitions.all()
        by_key = {d.key: d for d in known}
        by_label = {}
        for definition in known:
            for label in (definition.label, definition.label_zh):
                if label:
                    by_label.setdefault(fold(label), definition)
        out = []
        for item in items:
            name = str(item.get("name", ""))
            found = by_key.get(name.strip().lower()) or by_label.get(fold(name))
            if found is None:
                raise InvalidValue(M_("“%(name)s” is not an attribute yet: add it to an entry "
                                     "first, or check the spelling.") % {"name": name[:60]},
                                   "attributes")
            group = item.get("group") or ""
            out.append({"key": found.key, "group": group} if group else {"key": found.key})
        return out

    # -- writing ---------------------------------------------------------------------

    def _name(self, user) -> str:
        """The name a category change records for ``user`` (a user document, an Editor or
        a name)."""
        return self.wiki.editor(user).name

    def create(self, user, data: Mapping) -> dict:
        """Create a category (any editor); its parent and suggested keys must exist."""
        fields = rules.check_category(data)
        parents = self.parents()
        if fields["slug"] in parents:
            raise Conflict(M_("A category with the slug '%(slug)s' already exists.")
                           % {"slug": fields["slug"]}, "slug")
        rules.check_tree(fields["slug"], fields["parent"], parents)
        self._check_defined(fields["attributes"])
        return self.repos.categories.insert(fields, self._name(user))

    def update(self, user, slug: str, expected_version: int, data: Mapping, *,
               admin: bool) -> dict:
        """Change some fields, if still at ``expected_version``; names and the parent are
        for admins."""
        current = self.repos.categories.get(slug)
        changes = rules.check_changes(data)
        renamed = [name for name in rules.NAME_FIELDS
                   if name in changes and changes[name] != _stored_value(current, name)]
        if renamed and not admin:
            raise Forbidden(M_("Only administrators rename or move a category; you may change "
                              "its descriptions and suggested attributes."))
        if "parent" in changes:
            parents = self.parents()
            rules.check_tree(slug, changes["parent"], parents,
                             rules.depth_below(slug, parents))
        if "attributes" in changes:
            self._check_defined(changes["attributes"])
        return self.repos.categories.update(slug, expected_version, changes,
                                            self._name(user))

    def delete(self, user, slug: str, expected_version: int, *, admin: bool) -> dict:
        """Delete an empty category without subcategories (admins)."""
        if not admin:
            raise Forbidden(M_("Only administrators delete categories."))
        category = self.repos.categories.get(slug)
        self._check_version(category, expected_version)
        used = self.repos.entries.count({"category": slug})
        if used:
            raise Conflict(M_("%(name)s still holds %(n)s entries: merge it into another "
                             "category instead.") % {"name": category["name"], "n": used},
                           "slug")
        if self.repos.categories.children(slug):
            raise Conflict(M_("%(name)s has subcategories: move or delete them first.")
                           % {"name": category["name"]}, "slug")
        removed = self.repos.categories.delete(slug, expected_version)
        audit.record(self.repos, self.wiki.editor(user), "category.delete", "category", slug,
                     category.get("_id"), name=category["name"])
        return removed

    def merge(self, user, slug: str, expected_version: int, *, into: object,
              admin: bool) -> dict:
        """Move every entry of ``slug`` into ``into`` (one revision each, history kept),
        hand over its subcategories and suggested attributes, then delete it (admins)."""
        if not admin:
            raise Forbidden(M_("Only administrators merge categories."))
        source = self.repos.categories.get(slug)
        self._check_version(source, expected_version)
        if not isinstance(into, str) or not into:
            raise InvalidValue(M_("Choose the category to merge into."), "into")
        if into == slug:
            raise InvalidValue(M_("A category cannot be merged into itself."), "into")
        target = self.repos.categories.find(into)
        if target is None:
            raise InvalidValue(M_("There is no category '%(slug)s' to merge into.")
                               % {"slug": into}, "into")
        parents = self.parents()
        if slug in rules.trail(into, parents):
            raise InvalidValue(M_("A category cannot be merged into one of its own "
                                 "subcategories."), "into")
        # Stored in English, like every comment pkyx writes; pages translate it when shown.
        comment = MERGE_COMMENT % {"source": source["name"], "target": target["name"]}
        self._move_entries(user, slug, into, comment)
        for child in self.repos.categories.children(slug):
            self._set(child["slug"], {"parent": into}, self._name(user))
        merged = rules.merged_suggestions(target.get("attributes") or [],
                                          source.get("attributes") or [])
        if merged != (target.get("attributes") or []):
            self._set(into, {"attributes": merged}, self._name(user))
        self._move_entries(user, slug, into, comment)  # any created meanwhile
        self.repos.categories.delete(slug, self.repos.categories.get(slug).get("version", 1))
        audit.record(self.repos, self.wiki.editor(user), "category.merge", "category", slug,
                     source.get("_id"), name=source["name"], into=into)
        return self.repos.categories.get(into)

    # -- internals -------------------------------------------------------------------

    def _move_entries(self, user, slug: str, into: str, comment: str) -> None:
        """Move every entry of ``slug`` into ``into`` as edits of their own."""
        while True:
            batch = self.repos.entries.listing(slug, "title", 1, MERGE_BATCH)[0]
            if not batch:
                return
            for entry in batch:
                self._move(user, entry, into, comment)

    def _move(self, user, entry: dict, into: str, comment: str) -> None:
        """Move one entry, again at its new version if someone saved it meanwhile."""
        for _attempt in range(5):
            try:
                self.wiki.edit_entry(user, entry["slug"], entry["version"],
                                     fields={"category": into}, comment=comment)
                return
            except StaleVersion:
                entry = self.repos.entries.get(entry["_id"])
            except NotFound:
                return  # deleted meanwhile: nothing to move
        raise StaleVersion(entry["version"], entry["version"])

    def _set(self, slug: str, fields: dict, user: str) -> None:
        """Change a category at whatever version it is (merge bookkeeping)."""
        for _attempt in range(5):
            current = self.repos.categories.get(slug)
            try:
                self.repos.categories.update(slug, current.get("version", 1), fields, user)
                return
            except StaleVersion:
                continue

    @staticmethod
    def _check_version(category: Mapping, expected_version: int) -> None:
        """Refuse a write that read an older version of the category."""
        current = category.get("version", 1)
        if current != expected_version:
            raise StaleVersion(expected_version, current, rules.STALE)

    def _check_defined(self, suggested: list[dict]) -> None:
        """Every suggested key names a defined attribute."""
        keys = [item["key"] for item in suggested]
        known = self.repos.definitions.many(keys)
        missing = [key for key in keys if key not in known]
        if missing:
            raise InvalidValue(M_("%(key)s is not a defined attribute; add it to an entry "
                                 "first, or define it.") % {"key": missing[0]}, "attributes")


def _stored_value(doc: Mapping, name: str):
    """A category field as stored, with the defaults of documents that lack it."""
    value = doc.get(name)
    if name == "parent":
        return value or None
    return value if value is not None else ""
