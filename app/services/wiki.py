"""Wiki operations shared by the pages and the API: create, edit, revert, compare.

Each operation reads through the repositories, lets the domain decide, and writes
back with the version the caller read, so two editors never overwrite each other.
Every change that is stored is recorded as one revision.

Example::

    wiki = Wiki(repos)
    entry = wiki.create_entry(alice, title="Pixel 8", category="phones",
                              attributes=[AttributeInput("weight", "187 g")])
    wiki.set_attribute(bob, "pixel-8", entry["version"], AttributeInput("weight", "0.19 kg"))

``alice`` and ``bob`` are user documents (or :class:`Editor` objects, or plain names for the
seed and operators). Every change stores the editor's name, for display, and the
account's id, which profiles and counters go by: a later account never inherits them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bson import ObjectId

from ..domain import compare, entries, revisions
from ..domain.definitions import Definition, define_on_first_use, key_from_label
from ..domain.errors import Conflict, InvalidValue, NotFound, StaleVersion
from ..domain.types import parse_value
from ..repositories import Repositories
from ..repositories.base import utcnow
from .suggestions import TitleSuggestions

__all__ = ["Wiki", "AttributeInput", "UploadedImage", "Editor"]


@dataclass(frozen=True)
class Editor:
    """Who makes a change: the name shown in history and the account's stable id.

    ``id`` is ``None`` for names with no account (the seed's definitions, operators'
    scripts); such changes count for nobody.
    """

    name: str
    id: ObjectId | None = None


#: What the wiki's operations accept as the editor: an :class:`Editor`, a user document,
#: or a username (looked up, for the seed and scripts).
Actor = Editor | Mapping | str


@dataclass(frozen=True)
class UploadedImage:
    """An image attribute value that is a file already stored in the images bucket."""

    file_id: str

    def stored(self) -> dict:
        """The stored form of an uploaded image: its URL on this site and its file id."""
        return {"value": f"/media/images/{self.file_id}", "file": self.file_id}


@dataclass(frozen=True)
class AttributeInput:
    """A value an editor gives an attribute, with the definition to create if it is new."""

    key: str | None
    value: object
    type: str | None = None
    label: str | None = None
    unit: str | None = None
    better: str = "none"
    group: str | None = None

    @classmethod
    def from_mapping(cls, data: Mapping) -> AttributeInput:
        """Build from a JSON object or form, taking only the known fields."""
        fields = ("key", "type", "label", "unit", "better", "group")
        known = {name: data[name] for name in fields if data.get(name) not in (None, "")}
        if "value" not in data:
            raise InvalidValue("Give the attribute a value.", "value")
        for name, value in known.items():
            if not isinstance(value, str):
                raise InvalidValue(f"'{name}' must be text.", name)
        known.setdefault("key", None)
        return cls(value=data["value"], **known)


class Wiki:
    """The wiki's use cases over one set of repositories."""

    def __init__(self, repos: Repositories):
        self.repos = repos
        self.suggestions = TitleSuggestions(repos)

    # -- entries -------------------------------------------------------------------

    def create_entry(
        self,
        user: Actor,
        *,
        title: object,
        category: object,
        summary: object = "",
        slug: object = None,
        attributes: Iterable[AttributeInput] = (),
        comment: str = "",
    ) -> dict:
        """Create an entry (version 1) with its first attributes, recorded as a revision."""
        editor = self.editor(user)
        title = entries.check_title(title)
        summary = entries.check_summary(summary)
        category = self._check_category(category)
        slug = entries.check_slug(slug) if slug else self._free_slug(entries.slug_from_title(title))
        values, new_defs = self._resolve(attributes)
        if self.repos.entries.find_slug(slug) is not None:
            # Refused before anything is stored, so no new definition is left behind (the
            # unique index on slug still decides a race).
            raise Conflict("An entry with this slug already exists.", "slug")
        state = {"title": title, "summary": summary, "category": category,
                 **{f"attr.{key}": value for key, value in values.items()}}
        self._store_definitions(new_defs, editor)
        doc = {"slug": slug, **self._document_fields(state, editor), "created_at": utcnow(),
               "created_by": editor.name, "created_by_id": editor.id}
        entry = self.repos.entries.insert(doc)
        self._record(entry, editor, "create", revisions.changes_between({}, state), comment)
        self.repos.categories.add_entries(category, 1)
        self._count(editor, created=True)
        return entry

    def edit_entry(
        self,
        user: Actor,
        ident: str,
        expected_version: int,
        *,
        fields: Mapping[str, object] | None = None,
        set_attributes: Iterable[AttributeInput] = (),
        unset: Iterable[str] = (),
        comment: str = "",
        action: str = "edit",
    ) -> dict:
        """Change entry fields and attributes in one revision, if still at ``expected_version``."""
        editor = self.editor(user)
        entry = self.repos.entries.get(ident)
        state = revisions.entry_state(entry)
        new_state = dict(state)
        for name, value in (fields or {}).items():
            new_state[name] = self._check_field(name, value)
        values, new_defs = self._resolve(set_attributes)
        for key in unset:
            if f"attr.{key}" not in state:
                raise NotFound("Attribute", key)
            new_state.pop(f"attr.{key}")
        new_state |= {f"attr.{key}": value for key, value in values.items()}
        self._store_definitions(new_defs, editor)
        return self._save(entry, expected_version, editor, state, new_state, action, comment)

    def set_attribute(self, user: Actor, ident: str, expected_version: int,
                      item: AttributeInput, comment: str = "") -> dict:
        """Add or change one attribute of an entry."""
        return self.edit_entry(user, ident, expected_version, set_attributes=[item],
                               comment=comment)

    def delete_attribute(self, user: Actor, ident: str, expected_version: int, key: str,
                         comment: str = "") -> dict:
        """Remove one attribute from an entry."""
        return self.edit_entry(user, ident, expected_version, unset=[key], comment=comment)

    def revert(self, user: Actor, ident: str, expected_version: int, to_version: int,
               comment: str = "") -> dict:
        """Bring an entry back to an earlier version, as a new revision."""
        editor = self.editor(user)
        entry = self.repos.entries.get(ident)
        history = self.repos.revisions.for_entry(entry["_id"])
        state = revisions.entry_state(entry)
        changes = revisions.revert_changes(history, state, to_version)
        new_state = revisions.apply_changes(state, changes)
        if new_state.get("category") != state.get("category"):
            self._check_category(new_state["category"])
        comment = comment or f"Revert to version {to_version}"
        return self._save(entry, expected_version, editor, state, new_state, "revert", comment)

    def delete_entry(self, user: Actor, ident: str, expected_version: int,
                     comment: str = "") -> dict:
        """Delete an entry if still at ``expected_version``; its history is kept."""
        editor = self.editor(user)
        entry = self.repos.entries.get(ident)
        removed = self.repos.entries.delete(entry["_id"], expected_version)
        state = revisions.entry_state(removed)
        self._record({**removed, "version": removed["version"] + 1}, editor, "delete",
                     revisions.changes_between(state, {}), comment)
        self.repos.categories.add_entries(removed["category"], -1)
        self.repos.comparisons.forget_entry(removed["slug"])
        return removed

    # -- history ---------------------------------------------------------------------

    def history(self, ident: str) -> tuple[dict, list[dict]]:
        """An entry and its revisions, oldest first."""
        entry = self.repos.entries.get(ident)
        return entry, self.repos.revisions.for_entry(entry["_id"])

    def diff(self, ident: str, from_version: int, to_version: int) -> list[dict]:
        """The changes between two versions of an entry."""
        _, history = self.history(ident)
        return revisions.diff(history, from_version, to_version)

    # -- comparison ------------------------------------------------------------------

    def compare(self, slugs: list[str], *, count_view: bool = False,
                units: str = compare.DEFAULT_SYSTEM) -> compare.Comparison:
        """Align 2–6 entries in the order given, numbers shown in the unit system ``units``.

        A view counts toward the popularity of the set, whatever its order.
        """
        ordered = compare.distinct(slugs)
        if len(ordered) != len(slugs):
            raise InvalidValue("Compare each entry only once.", "entries")
        if not compare.MIN_ENTRIES <= len(ordered) <= compare.MAX_ENTRIES:
            raise InvalidValue(
                f"Compare {compare.MIN_ENTRIES} to {compare.MAX_ENTRIES} entries.", "entries")
        found = self.repos.entries.by_slugs(ordered)
        missing = [slug for slug in ordered if slug not in found]
        if missing:
            raise NotFound("Entry", missing[0])
        docs = [found[slug] for slug in ordered]
        keys = {key for doc in docs for key in doc.get("attributes", {})}
        result = compare.align(docs, self.repos.definitions.many(keys), units)
        if count_view:
            canonical = compare.canonical_order(ordered)
            self.repos.comparisons.record_view(compare.comparison_slug(canonical), canonical)
        return result

    def closest_titles(self, name: str) -> list[dict]:
        """Up to five entries whose titles look like ``name``, for a name that is none."""
        return self.suggestions.closest(name)

    # -- internals -------------------------------------------------------------------

    def editor(self, user: Actor) -> Editor:
        """The :class:`Editor` of a user document, an Editor, or a username (looked up)."""
        if isinstance(user, Editor):
            return user
        if isinstance(user, Mapping):
            return Editor(user["username"], user["_id"])
        account = self.repos.users.find_by_name(user)
        return Editor(account["username"], account["_id"]) if account else Editor(user)

    def _count(self, editor: Editor, *, created: bool) -> None:
        """One more creation or edit on the editor's account (if there is one)."""
        if editor.id is not None:
            self.repos.users.count_contribution(editor.id, created=created)

    def _save(self, entry: dict, expected_version: int, editor: Editor, state: dict,
              new_state: dict, action: str, comment: str) -> dict:
        """Store ``new_state`` with one revision; a no-op stores nothing."""
        changes = revisions.changes_between(state, new_state)
        if not changes:
            if entry["version"] != expected_version:
                raise StaleVersion(expected_version, entry["version"])
            return entry
        fields = self._document_fields(new_state, editor)
        updated = self.repos.entries.update(entry["_id"], expected_version, fields)
        self._record(updated, editor, action, changes, comment)
        if state.get("category") != new_state.get("category"):
            self.repos.categories.add_entries(state["category"], -1)
            self.repos.categories.add_entries(new_state["category"], 1)
        self._count(editor, created=False)
        return updated

    def _record(self, entry: dict, editor: Editor, action: str, changes: list[dict],
                comment: str) -> None:
        """Write the revision of a change that was just stored."""
        if not isinstance(comment, str) or len(comment) > 500:
            comment = str(comment)[:500]
        self.repos.revisions.add({
            "entry_id": entry["_id"], "version": entry["version"], "at": utcnow(),
            "user": editor.name, "user_id": editor.id,
            "action": action, "changes": changes, "comment": comment.strip(),
        })

    @staticmethod
    def _document_fields(state: dict, editor: Editor) -> dict:
        """The stored fields of an entry in ``state``, with search keys and a stamp."""
        fields = revisions.entry_fields(state)
        fields["title_key"] = entries.title_key(fields["title"])
        fields["keywords"] = entries.keywords(fields["title"], fields.get("summary") or "")
        fields["updated_at"] = utcnow()
        fields["updated_by"] = editor.name
        fields["updated_by_id"] = editor.id
        return fields

    def _check_field(self, name: str, value: object) -> object:
        """Validate an entry field an editor may change."""
        if name == "title":
            return entries.check_title(value)
        if name == "summary":
            return entries.check_summary(value)
        if name == "category":
            return self._check_category(value)
        raise InvalidValue(f"'{name}' cannot be changed here.", name)

    def _check_category(self, category: object) -> str:
        """The slug of an existing category."""
        if isinstance(category, str) and self.repos.categories.exists(category):
            return category
        known = ", ".join(c["slug"] for c in self.repos.categories.all()) or "none yet"
        raise InvalidValue(f"Category must be one of: {known}.", "category")

    def _free_slug(self, base: str) -> str:
        """``base``, or ``base-2``, ``base-3``… whichever is not taken yet."""
        slug, n = base, 1
        while self.repos.entries.find_slug(slug) is not None:
            n += 1
            slug = f"{base}-{n}"
        return slug

    def _resolve(self, items: Iterable[AttributeInput]) -> tuple[dict, list[Definition]]:
        """Parse every value by its definition, defining new attributes on first use.

        Returns the stored values by key and the definitions still to be stored.
        Nothing is written here: one bad value refuses the whole change.
        """
        values: dict[str, dict] = {}
        new: dict[str, Definition] = {}
        for item in items:
            key = item.key or (key_from_label(item.label) if item.label else None)
            if not key:
                raise InvalidValue("Give the attribute a key or a label.", "key")
            definition = new.get(key) or self.repos.definitions.find(key)
            if definition is None:
                if not item.type:
                    raise InvalidValue(
                        f"'{key}' is a new attribute: choose its type.", "type")
                sample = "" if isinstance(item.value, UploadedImage) else item.value
                definition = define_on_first_use(
                    key, item.type, sample, label=item.label, unit=item.unit,
                    better=item.better, group=item.group)
                new[key] = definition
            elif item.type and item.type != definition.type:
                raise InvalidValue(
                    f"{definition.label} is a {definition.type} attribute, not {item.type}.",
                    "type")
            values[key] = self._parse(definition, item.value)
        return values, list(new.values())

    @staticmethod
    def _parse(definition: Definition, value: object) -> dict:
        """The stored form of a value: typed text or JSON, or an uploaded image."""
        if isinstance(value, UploadedImage):
            if definition.type != "image":
                raise InvalidValue(f"{definition.label} does not take images.", definition.key)
            return value.stored()
        return parse_value(definition, value)

    def _store_definitions(self, definitions: list[Definition], editor: Editor) -> None:
        """Store new definitions; one created meanwhile by someone else is fine."""
        for definition in definitions:
            try:
                self.repos.definitions.insert(definition, editor.name)
            except Conflict:
                existing = self.repos.definitions.get(definition.key)
                if existing.type != definition.type:
                    raise InvalidValue(
                        f"{existing.label} was just defined as a {existing.type} attribute.",
                        definition.key) from None
