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

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from dataclasses import replace as with_fields
from datetime import timedelta
from threading import Lock

from bson import ObjectId
from cachetools import LRUCache

from ..domain import compare, entries, revisions
from ..domain.definitions import (
    DEFAULT_GROUP,
    MAX_KEY,
    Definition,
    define_on_first_use,
    key_from_label,
    label_from_key,
)
from ..domain.errors import (
    AccountBlocked,
    AttributeExists,
    Conflict,
    Forbidden,
    InvalidValue,
    NotFound,
    StaleVersion,
)
from ..domain.images import process_image
from ..domain.messages import M_, language
from ..domain.types import display_value, parse_value
from ..repositories import Repositories
from ..repositories.base import parse_id, utcnow
from . import audit
from .suggestions import TitleSuggestions

__all__ = ["Wiki", "AttributeInput", "UploadedImage", "Editor", "IMAGE_KEY"]

@dataclass(frozen=True)
class Editor:
    """Who makes a change: the name shown in history and the account's stable id.

    ``id`` is ``None`` for names with no account (the seed's definitions, operators'
    scripts); such changes count for nobody.
    """

    name: str
    id: ObjectId | None = None
    #: An administrator: may edit protected entries.
    admin: bool = False


#: What the wiki's operations accept as the editor: an :class:`Editor`, a user document,
#: or a username (looked up, for the seed and scripts).
Actor = Editor | Mapping | str

#: The attribute that holds an entry's main picture.
IMAGE_KEY = "image"
#: Uploaded entry pictures are re-encoded to at most this many pixels a side.
IMAGE_SIDE = 800



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
            raise InvalidValue(M_("Give the attribute a value."), "value")
        for name, value in known.items():
            if not isinstance(value, str):
                raise InvalidValue(M_("'%(name)s' must be text.") % {"name": name}, name)
        known.setdefault("key", None)
        return cls(value=data["value"], **known)


class _HashedOnce(tuple):
    """A tuple whose hash is worked out once: a cache looks its key up several times, and
    hashing dozens of definitions is Python code."""

    def __init__(self, parts):
        self._hash = tuple.__hash__(self)

    def __hash__(self) -> int:
        return self._hash


class Wiki:
    """The wiki's use cases over one set of repositories."""

    #: How many aligned comparisons a process keeps (popular pages are asked for again and
    #: again; an alignment of six entries is a few hundred cells).
    ALIGNED = 256

    def __init__(self, repos: Repositories):
        self.repos = repos
        self.suggestions = TitleSuggestions(repos)
        self._aligned: LRUCache = LRUCache(self.ALIGNED)
        self._aligned_lock = Lock()

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
            raise Conflict(M_("An entry with this slug already exists."), "slug")
        state = {"title": title, "summary": summary, "category": category,
                 **{f"attr.{key}": value for key, value in values.items()}}
        self._store_definitions(new_defs, editor)
        entry_id = ObjectId()
        doc = {"_id": entry_id, "slug": slug, **self._document_fields(state, editor),
               "created_at": utcnow(), "created_by": editor.name, "created_by_id": editor.id}
        entry = self._commit(
            self._revision(entry_id, 1, category, editor, "create",
                           revisions.changes_between({}, state), comment),
            lambda: self.repos.entries.insert(doc),
            lambda: self._at_least(entry_id, 1))
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
        self.check_may_edit(entry, editor)
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

    def add_attribute(self, user: Actor, ident: str, expected_version: int,
                      item: AttributeInput, comment: str = "", *, replace: bool = False) -> dict:
        """Add an attribute the entry does not have yet.

        An attribute it has already — by key, or by label after folding — is refused with
        :class:`AttributeExists` naming its current value, unless ``replace`` confirms.
        """
        entry = self.repos.entries.get(ident)
        key = self.key_for(item)
        item = with_fields(item, key=key)
        current = (entry.get("attributes") or {}).get(key)
        if current is not None and not replace:
            definition = self.repos.definitions.find(key) or Definition(
                key=key, label=label_from_key(key), type="text")
            raise AttributeExists(key, definition.label, current,
                                  display_value(definition, current))
        return self.edit_entry(user, entry["slug"], expected_version, set_attributes=[item],
                               comment=comment)

    def check_values(self, items: Iterable[AttributeInput]) -> None:
        """Refuse values that do not fit their attributes, storing nothing (a page asks this
        before asking whether to replace a value)."""
        self._resolve(items)

    def key_for(self, item: AttributeInput) -> str:
        """The key an attribute input means.

        Its own key; else the attribute whose label (or Chinese label) is its label after
        folding case and punctuation ("screen-size" is "Screen size", "Battery" is not
        "Battery capacity"); else a new key made from the label that no attribute has.
        """
        if item.key:
            return item.key
        if not item.label:
            raise InvalidValue(M_("Give the attribute a key or a label."), "key")
        wanted = entries.fold(item.label)
        known = self.repos.definitions.all()
        for definition in known:
            if wanted and wanted in (entries.fold(definition.label),
                                     entries.fold(definition.label_zh)):
                return definition.key
        base, taken = key_from_label(item.label), {definition.key for definition in known}
        key, n = base, 1
        while key in taken:
            n += 1
            key = f"{base[:MAX_KEY - len(str(n)) - 1]}_{n}"
        return key

    def _section(self, group: str | None) -> str | None:
        """The section a new attribute joins: an existing one whose English or Chinese name
        is ``group`` after folding ("机身" is "Body"), else ``group`` itself."""
        wanted = entries.fold(group or "")
        if not wanted:
            return group
        for definition in self.repos.definitions.all():
            if wanted in (entries.fold(definition.group), entries.fold(definition.group_zh)):
                return definition.group
        return group

    def delete_attribute(self, user: Actor, ident: str, expected_version: int, key: str,
                         comment: str = "") -> dict:
        """Remove one attribute from an entry."""
        return self.edit_entry(user, ident, expected_version, unset=[key], comment=comment)

    def revert(self, user: Actor, ident: str, expected_version: int, to_version: int,
               comment: str = "") -> dict:
        """Bring an entry back to an earlier version, as a new revision."""
        entry = self.repos.entries.get(ident)
        editor = self.editor(user)
        self.check_may_edit(entry, editor)
        history = self.repos.revisions.for_entry(entry["_id"])
        state = revisions.entry_state(entry)
        changes = revisions.revert_changes(history, state, to_version)
        new_state = revisions.apply_changes(state, changes)
        if "title" not in new_state:  # the version that recorded a deletion holds nothing
            raise InvalidValue(M_("Version %(v)s is the entry's deletion; choose a version "
                                 "before it.") % {"v": to_version}, "version")
        if new_state.get("category") != state.get("category"):
            self._check_category(new_state["category"])
        comment = comment or revisions.REVERT_COMMENT % {"v": to_version}
        return self._save(entry, expected_version, editor, state, new_state,
                          "revert", comment,
                          extra={"reverted_to": to_version})

    def rollback_entry(self, user: Actor, ident: str, expected_version: int,
                       changes: Iterable[Mapping], comment: str) -> dict:
        """Apply a rollback's ``changes`` (``{key, before, after}``, as
        :meth:`Admin.rollback` planned them from version ``expected_version``) as one
        revert revision; a stale version is refused like any edit."""
        entry = self.repos.entries.get(ident)
        editor = self.editor(user)
        self.check_may_edit(entry, editor)
        state = revisions.entry_state(entry)
        new_state = revisions.apply_changes(state, changes)
        if "title" not in new_state:
            raise InvalidValue(M_("An entry needs a title."), "title")
        if new_state.get("category") != state.get("category"):
            self._check_category(new_state.get("category"))
        return self._save(entry, expected_version, editor, state, new_state, "revert",
                          comment)

    def delete_entry(self, user: Actor, ident: str, expected_version: int,
                     comment: str = "") -> dict:
        """Delete an entry if still at ``expected_version``; its history is kept."""
        entry = self.repos.entries.get(ident)
        editor = self.editor(user)
        if entry["version"] != expected_version:
            raise StaleVersion(expected_version, entry["version"])
        state = revisions.entry_state(entry)
        entry_id = entry["_id"]
        removed = self._commit(
            self._revision(entry_id, expected_version + 1, entry.get("category"), editor,
                           "delete", revisions.changes_between(state, {}), comment,
                           {"slug": entry["slug"]}),
            lambda: self.repos.entries.delete(entry_id, expected_version),
            lambda: entry if not self.repos.entries.by_ids([entry_id]) else None)
        self.repos.categories.add_entries(removed["category"], -1)
        self.repos.comparisons.forget_entry(removed["slug"])
        audit.record(self.repos, editor, "entry.delete", "entry", removed["slug"],
                     removed["_id"], comment, title=removed["title"])
        return removed

    def restore_entry(self, user: Actor, entry_id: object, comment: str = "") -> dict:
        """Bring a deleted entry back as it was before its deletion, as a new revision.

        It keeps its id and history; it gets its old slug back unless another entry took
        it meanwhile (then the next free one). Its category must still exist.
        """
        oid = parse_id(entry_id)
        history = self.repos.revisions.for_entry(oid) if oid else []
        if not history or history[-1]["action"] != "delete" or \
                self.repos.entries.by_ids([oid]):
            raise NotFound("Entry", str(entry_id))
        deletion = history[-1]
        state = revisions.state_at(history[:-1], deletion["version"] - 1)
        category = state.get("category")
        if not self.repos.categories.exists(category):
            raise Conflict(M_("Its category '%(slug)s' no longer exists; create it again "
                             "first.") % {"slug": category}, "category")
        slug = deletion.get("slug") or entries.slug_from_title(state["title"])
        if self.repos.entries.find_slug(slug) is not None:
            slug = self._free_slug(slug)
        editor = self.editor(user)
        doc = {"_id": oid, "slug": slug, **self._document_fields(state, editor),
               "created_at": history[0]["at"], "created_by": history[0].get("user")}
        version = deletion["version"] + 1
        entry = self._commit(
            self._revision(oid, version, category, editor, "restore",
                           revisions.changes_between({}, state), comment),
            lambda: self.repos.entries.restore(doc, version),
            lambda: self._at_least(oid, version))
        self.repos.categories.add_entries(category, 1)
        self._count(editor, created=False)
        audit.record(self.repos, editor, "entry.restore", "entry", entry["slug"], entry["_id"],
                     comment, title=entry["title"])
        return entry

    def restore(self, user: Actor, ident: str, comment: str = "") -> dict:
        """Restore the deleted entry an address names: its id, or the slug it had (its
        latest deletion), as :meth:`restore_entry` does.

        A live entry at that address is a :class:`Conflict` (there is nothing to restore);
        an address no deleted entry had is :class:`NotFound`.
        """
        oid = parse_id(ident)
        if (oid and self.repos.entries.by_ids([oid])) or self.repos.entries.find_slug(ident):
            message = M_("Entry %(ident)s is not deleted: there is nothing to restore.") \
                % {"ident": repr(ident)}
            gone = self.deleted_entry(ident) if oid is None else None
            if gone is not None:  # another entry took the address of a deleted one
                message = M_("Entry %(ident)s is not deleted: there is nothing to restore. A "
                             "deleted entry had this address too; restore it by its id, "
                             "%(id)s.") % {"ident": repr(ident), "id": gone["entry_id"]}
            raise Conflict(message, "ident")
        if oid is None or not self.repos.revisions.for_entry(oid):
            deleted = self.deleted_entry(ident)
            if deleted is None:
                raise NotFound("Entry", ident)
            oid = parse_id(deleted["entry_id"])
        return self.restore_entry(user, oid, comment)

    def deleted_entry(self, slug: str) -> dict | None:
        """The last deletion of an entry that had ``slug`` and is still gone, with the
        title it had: ``{entry_id, title, at, user, slug}``; None if there is none."""
        deletion = self.repos.revisions.last_deletion(slug)
        if deletion is None or self.repos.entries.by_ids([deletion["entry_id"]]):
            return None
        title = next((c["before"] for c in deletion["changes"] if c["key"] == "title"), slug)
        return {"entry_id": str(deletion["entry_id"]), "title": title, "at": deletion["at"],
                "user": deletion.get("user"), "slug": slug}

    def near_duplicates(self, title: str, limit: int = 8) -> list[dict]:
        """Entries a new ``title`` may repeat: the same title once case and punctuation are
        folded, or the slug it would get and that slug's numbered neighbours (-2, -3…)."""
        base = entries.slug_from_title(title)
        found = self.repos.entries.by_slugs(entries.slug_neighbours(base))
        for doc in self.repos.entries.with_title_key(entries.title_key(title)):
            found.setdefault(doc["slug"], doc)
        wanted = entries.fold(title)
        same = sorted(found.values(),
                      key=lambda doc: (entries.fold(doc["title"]) != wanted, doc["slug"]))
        return same[:limit]

    def store_picture(self, data: bytes, name: str) -> UploadedImage:
        """Check and re-encode an uploaded picture (as avatars are) and store it."""
        image = process_image(data, max_side=IMAGE_SIDE, field="picture")
        file_id = self.repos.images.put(image.data, f"{name}.{image.extension}",
                                        image.content_type)
        return UploadedImage(str(file_id))

    def edit_details(self, user: Actor, ident: str, expected_version: int, *,
                     fields: Mapping[str, object], picture: object = None,
                     remove_picture: bool = False, comment: str = "") -> dict:
        """Change an entry's title, summary, category and main picture in one revision.

        ``picture`` is an :class:`UploadedImage` or an http(s) address; an uploaded file
        that cannot be used (the entry changed meanwhile, a bad field) is removed again.
        """
        items, unset = [], []
        if picture is not None:
            items.append(AttributeInput(IMAGE_KEY, picture, type="image", label="Picture",
                                        group=DEFAULT_GROUP))
        elif remove_picture:
            entry = self.repos.entries.get(ident)
            if IMAGE_KEY in (entry.get("attributes") or {}):
                unset.append(IMAGE_KEY)
        try:
            return self.edit_entry(user, ident, expected_version, fields=fields,
                                   set_attributes=items, unset=unset, comment=comment)
        except BaseException:
            if isinstance(picture, UploadedImage):
                self.repos.images.delete(parse_id(picture.file_id))
            raise

    # -- history ---------------------------------------------------------------------

    def history(self, ident: str) -> tuple[dict, list[dict]]:
        """An entry and its revisions, oldest first."""
        entry = self.repos.entries.get(ident)
        return entry, self.repos.revisions.for_entry(entry["_id"])

    def diff(self, ident: str, from_version: int, to_version: int) -> list[dict]:
        """The changes between two versions of an entry."""
        _, history = self.history(ident)
        return revisions.diff(history, from_version, to_version)

    def recent_changes(self, limit: int, skip: int = 0, *, category: str | None = None,
                       user: str | None = None, created_only: bool = False,
                       hide_user: Actor | None = None) -> list[dict]:
        """The latest revisions across the wiki, newest first, filtered as recent changes
        offers: made to entries of one category, by the account named ``user``, new
        entries only, not by ``hide_user``. Accounts are matched by id, as profiles are."""
        user_id = None
        if user is not None:
            account = self.repos.users.find_by_name(user)
            if account is None:
                return []
            user_id = account["_id"]
        hidden = self.editor(hide_user).id if hide_user is not None else None
        return self.repos.revisions.recent(limit, skip, category=category, user_id=user_id,
                                           action="create" if created_only else None,
                                           not_user_id=hidden)

    def count_view(self, entry_id: ObjectId) -> None:
        """One more reader of an entry's page (its popularity)."""
        self.repos.entries.add_view(entry_id)

    def entries_by_id(self, ids) -> dict:
        """The live entries with these ids (deleted ones left out), in one query."""
        return self.repos.entries.by_ids(ids)

    # -- comparison ------------------------------------------------------------------

    def compare(self, slugs: list[str], *, count_view: bool = False,
                units: str = compare.DEFAULT_SYSTEM) -> compare.Comparison:
        """Align 2–6 entries in the order given, numbers shown in the unit system ``units``.

        A view counts toward the popularity of the set, whatever its order.
        """
        ordered = compare.distinct(slugs)
        if len(ordered) != len(slugs):
            raise InvalidValue(M_("Compare each entry only once."), "entries")
        if not compare.MIN_ENTRIES <= len(ordered) <= compare.MAX_ENTRIES:
            raise InvalidValue(M_("Compare %(minimum)s to %(maximum)s entries.")
                               % {"minimum": compare.MIN_ENTRIES, "maximum": compare.MAX_ENTRIES},
                               "entries")
        found = self.repos.entries.by_slugs(ordered)
        missing = [slug for slug in ordered if slug not in found]
        if missing:
            raise NotFound("Entry", missing[0])
        docs = [found[slug] for slug in ordered]
        keys = {key for doc in docs for key in doc.get("attributes", {})}
        result = self._align(docs, self.repos.definitions.many(keys), units)
        if count_view:
            canonical = compare.canonical_order(ordered)
            self.repos.comparisons.record_view(compare.comparison_slug(canonical), canonical)
        return result

    def _align(self, docs: list[dict], definitions: Mapping, units: str) -> compare.Comparison:
        """:func:`compare.align`, remembered by what it depends on: each entry at its version
        (every write moves it), the definitions as they are, the units and the language of
        its words. A :class:`~compare.Comparison` is immutable, so requests can share one."""
        memo = _HashedOnce((tuple((doc["_id"], doc.get("version")) for doc in docs),
                            tuple(sorted(definitions.items())), units, language()))
        with self._aligned_lock:
            result = self._aligned.get(memo)
        if result is None:
            result = compare.align(docs, definitions, units)
            with self._aligned_lock:
                self._aligned[memo] = result
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
            if user.get("blocked"):
                raise AccountBlocked(user["blocked"].get("reason", ""))
            return Editor(user["username"], user["_id"], user.get("role") == "admin")
        account = self.repos.users.find_by_name(user)
        return Editor(account["username"], account["_id"], account.get("role") == "admin") \
            if account else Editor(user)

    @staticmethod
    def may_edit(entry: Mapping, editor: Editor) -> bool:
        """Whether ``editor`` may change ``entry``: anyone unless it is protected."""
        return not entry.get("protected") or editor.admin

    def check_may_edit(self, entry: Mapping, user: Actor) -> None:
        """Refuse a change of a protected entry by anyone but an administrator (pages ask
        before they show an edit form)."""
        if not self.may_edit(entry, self.editor(user)):
            raise Forbidden(M_("This entry is protected: only administrators may change it."))

    def _count(self, editor: Editor, *, created: bool) -> None:
        """One more creation or edit on the editor's account (if there is one)."""
        if editor.id is not None:
            self.repos.users.count_contribution(editor.id, created=created)

    def _save(self, entry: dict, expected_version: int, editor: Editor, state: dict,
              new_state: dict, action: str, comment: str, extra: dict | None = None) -> dict:
        """Store ``new_state`` with one revision; a no-op stores nothing."""
        changes = revisions.changes_between(state, new_state)
        if not changes:
            if entry["version"] != expected_version:
                raise StaleVersion(expected_version, entry["version"])
            return entry
        if entry["version"] != expected_version:
            raise StaleVersion(expected_version, entry["version"])
        fields = self._document_fields(new_state, editor)
        entry_id, version = entry["_id"], expected_version + 1
        updated = self._commit(
            self._revision(entry_id, version, new_state.get("category"), editor, action,
                           changes, comment, extra),
            lambda: self.repos.entries.update(entry_id, expected_version, fields),
            lambda: self._at_least(entry_id, version))
        if state.get("category") != new_state.get("category"):
            self.repos.categories.add_entries(state["category"], -1)
            self.repos.categories.add_entries(new_state["category"], 1)
        self._count(editor, created=False)
        return updated

    # -- writing: the revision first, then the entry ----------------------------------------

    #: A revision whose entry never took its change is a write that died half-way once it
    #: is this old (a write takes milliseconds; the store gives up on one after 10 s).
    UNFINISHED_AFTER = timedelta(seconds=60)

    def _commit(self, revision: dict, write: Callable[[], dict],
                landed: Callable[[], dict | None]) -> dict:
        """Record ``revision``, then change the entry with ``write``; return the entry.

        The revision comes first because its ``(entry_id, version)`` is unique: writing it
        takes that version, so of two writers of one entry only one gets past this point,
        and an entry never holds a version its history lacks. When ``write`` fails,
        ``landed`` says whether the change happened all the same (a reply lost on the way);
        if it did not, the revision is taken back and the write is refused whole. A
        process that dies in between leaves a revision ahead of its entry: the next write
        of that entry, or ``manage.py check --repair``, takes it back.
        """
        recorded = self._add_revision(revision)
        try:
            return write()
        except BaseException as failed:
            try:
                entry = landed()
            except Exception:  # the store is away: the revision waits to be settled
                raise failed from None
            if entry is not None:
                return entry
            self.repos.revisions.take_back(recorded["_id"])
            raise

    def _add_revision(self, revision: dict) -> dict:
        """Store a revision, taking back an unfinished one that holds its version; a
        version someone else recorded first is a :class:`StaleVersion`."""
        try:
            return self.repos.revisions.add(revision)
        except Conflict:
            if self.settle(revision["entry_id"]):
                return self.repos.revisions.add(revision)
            current = self.repos.revisions.last_for_entry(revision["entry_id"])
            raise StaleVersion(revision["version"] - 1,
                               current["version"] if current else 0) from None

    def settle(self, entry_id: ObjectId, *, older_than: timedelta | None = None) -> bool:
        """Take back the entry's newest revision if its change never reached the entry and
        it is older than ``older_than`` (default :attr:`UNFINISHED_AFTER`, so a write in
        flight is left alone); True if one was taken back."""
        last = self.repos.revisions.last_for_entry(entry_id)
        if last is None:
            return False
        found = self.repos.entries.by_ids([entry_id]).get(entry_id)
        if not revisions.unfinished(last, found):
            return False
        age = utcnow() - revisions.aware(last["at"])
        if age < (self.UNFINISHED_AFTER if older_than is None else older_than):
            return False
        return self.repos.revisions.take_back(last["_id"])

    def _at_least(self, entry_id: ObjectId, version: int) -> dict | None:
        """The entry if it exists at ``version`` or later (a write that landed), else None."""
        found = self.repos.entries.by_ids([entry_id]).get(entry_id)
        return found if found is not None and found["version"] >= version else None

    @staticmethod
    def _revision(entry_id: ObjectId, version: int, category: object, editor: Editor,
                  action: str, changes: list[dict], comment: object,
                  extra: dict | None = None) -> dict:
        """The revision of one change.

        Each revision names the entry's category (after the change), for recent changes by
        category. ``extra`` adds fields some actions keep: a deletion its slug (to find and
        restore it), a revert the version it went back to.
        """
        if not isinstance(comment, str) or len(comment) > 500:
            comment = str(comment)[:500]
        return {"entry_id": entry_id, "version": version, "at": utcnow(),
                "user": editor.name, "user_id": editor.id, "action": action,
                "changes": changes, "comment": comment.strip(), "category": category,
                **(extra or {})}

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
        raise InvalidValue(M_("'%(name)s' cannot be changed here.") % {"name": name}, name)

    def _check_category(self, category: object) -> str:
        """The slug of an existing category."""
        if isinstance(category, str) and self.repos.categories.exists(category):
            return category
        known = ", ".join(c["slug"] for c in self.repos.categories.all()) or M_("none yet")
        raise InvalidValue(M_("Category must be one of: %(known)s.") % {"known": known},
                           "category")

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
            key = self.key_for(item)
            definition = new.get(key) or self.repos.definitions.find(key)
            if definition is None:
                if not item.type:
                    raise InvalidValue(
                        M_("'%(key)s' is a new attribute: choose its type.") % {"key": key},
                        "type")
                # An uploaded file stands for a picture address when the attribute is made.
                sample = "https://example.org/picture.png" \
                    if isinstance(item.value, UploadedImage) else item.value
                definition = define_on_first_use(
                    key, item.type, sample, label=item.label, unit=item.unit,
                    better=item.better, group=self._section(item.group))
                new[key] = definition
            elif item.type and item.type != definition.type:
                raise InvalidValue(
                    M_("%(label)s is a %(type)s attribute, not %(other)s.")
                    % {"label": definition.label, "type": definition.type, "other": item.type},
                    "type")
            values[key] = self._parse(definition, item.value)
        return values, list(new.values())

    @staticmethod
    def _parse(definition: Definition, value: object) -> dict:
        """The stored form of a value: typed text or JSON, or an uploaded image."""
        if isinstance(value, UploadedImage):
            if definition.type != "image":
                raise InvalidValue(M_("%(label)s does not take images.")
                                   % {"label": definition.label}, definition.key)
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
                        M_("%(label)s was just defined as a %(type)s attribute.")
                        % {"label": existing.label, "type": existing.type},
                        definition.key) from None


class WikiUseCases:
    """The base of the use cases that stand beside the wiki (categories, definitions,
    administration): they read and write their own documents through ``repos`` and record
    what touches entries as revisions through ``wiki``."""

    def __init__(self, repos: Repositories, wiki: Wiki):
        self.repos = repos
        self.wiki = wiki
