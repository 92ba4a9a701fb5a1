"""Attribute definition use cases shared by the pages and the API: define, change, delete.

Any logged-in editor defines an attribute and changes its labels, descriptions (English
and Chinese), section, order and which values win; the key, the type and the canonical
unit decided how stored values were read, so they never change. Deleting a definition no
entry uses is for admins. Every change names the version the caller read.

Example::

    definitions = Definitions(repos, wiki)
    weight, version = definitions.get("weight")
    definitions.update(alice, "weight", version, {"label_zh": "重量"}, comment="Chinese label")
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from ..domain import entries
from ..domain.definitions import EDITABLE_FIELDS, STALE, Definition, validate_definition
from ..domain.errors import Conflict, Forbidden, InvalidValue, StaleVersion
from ..domain.messages import M_
from .wiki import WikiUseCases

__all__ = ["Definitions", "DefinitionRecord", "FIXED_FIELDS"]

#: Fields that decide how stored values were read: they stay as they were defined.
FIXED_FIELDS = ("key", "type", "unit")
MAX_COMMENT = 500


@dataclass(frozen=True)
class DefinitionRecord:
    """A definition as stored: its version and who changed it last, when and why."""

    definition: Definition
    version: int
    updated_by: str | None = None
    updated_at: datetime | None = None
    comment: str = ""


class Definitions(WikiUseCases):
    """The attribute definitions' use cases over one set of repositories and the wiki."""

    # -- reading ---------------------------------------------------------------------

    def all(self) -> list[Definition]:
        """Every definition in page order (section, then order)."""
        return self.repos.definitions.all()

    def get(self, key: str) -> tuple[Definition, int]:
        """A definition and its version, or NotFound."""
        return self.repos.definitions.get_versioned(key)

    def record(self, key: str) -> DefinitionRecord:
        """A definition with its version and its last change (who, when, the summary)."""
        return DefinitionRecord(**self.repos.definitions.get_record(key))

    def records_page(self, skip: int, limit: int) -> tuple[list[DefinitionRecord], int]:
        """One page of definitions with their versions and last changes, and the total."""
        docs, total = self.repos.definitions.page_records(skip, limit)
        return [DefinitionRecord(**doc) for doc in docs], total

    def uses(self, key: str) -> int:
        """How many entries have a value of ``key``."""
        return self.repos.entries.uses_attribute(key)

    def sections(self) -> list[tuple[str, str]]:
        """Every section in use, ``(name, Chinese name)``, by name (for a picker)."""
        found: dict[str, str] = {}
        for definition in self.repos.definitions.all():
            if definition.group_zh or definition.group not in found:
                found[definition.group] = found.get(definition.group) or definition.group_zh
        return sorted(found.items(), key=lambda item: item[0].casefold())

    # -- writing ---------------------------------------------------------------------

    def create(self, user, data: Mapping) -> Definition:
        """Define an attribute before its first use (any editor); a taken key is a Conflict."""
        definition = validate_definition(dict(data))
        self.repos.definitions.insert(definition, self.wiki.editor(user).name)
        return definition

    def update(self, user, key: str, expected_version: int, data: Mapping,
               comment: object = "") -> tuple[Definition, int]:
        """Change a definition's editable fields if still at ``expected_version``; return it
        and its new version (the same one when nothing changed).

        A section typed as the English or Chinese name of an existing one (case and
        punctuation folded) joins that section, and takes its Chinese name unless one is
        given. ``comment`` is the edit summary, kept with the definition's last change.
        """
        current, version = self.repos.definitions.get_versioned(key)
        for fixed in FIXED_FIELDS:
            if fixed in data and data[fixed] != getattr(current, fixed):
                raise InvalidValue(
                    M_("The %(field)s of an attribute cannot change: stored values were read "
                      "with it. Define a new attribute instead.") % {"field": fixed}, fixed)
        if version != expected_version:
            raise StaleVersion(expected_version, version, STALE)
        changes = {name: data[name] for name in EDITABLE_FIELDS if name in data}
        changes |= self._section(changes, current)
        changed = validate_definition({**current.to_doc(), **changes})
        comment = _check_comment(comment)
        if changed == current:
            return current, version
        new_version = self.repos.definitions.replace(changed, self.wiki.editor(user).name,
                                                     expected_version, comment=comment)
        return changed, new_version

    def delete(self, user, key: str, expected_version: int, *, admin: bool) -> None:
        """Delete a definition no entry uses (admins), if still at ``expected_version``."""
        if not admin:
            raise Forbidden(M_("Only administrators delete attributes."))
        _definition, version = self.repos.definitions.get_versioned(key)
        if version != expected_version:
            raise StaleVersion(expected_version, version, STALE)
        used = self.repos.entries.uses_attribute(key)
        if used:
            raise Conflict(M_("%(n)s entries still use '%(key)s'; remove it from them first.")
                           % {"n": used, "key": key}, "key")
        self.repos.definitions.delete(key)

    # -- internals -------------------------------------------------------------------

    def _section(self, changes: Mapping, current: Definition) -> dict:
        """The section fields of ``changes``: a typed name that is an existing section's
        English or Chinese name (case and punctuation folded) joins it, so "机身" or "body"
        is "Body". Unless a Chinese name of its own is typed, an attribute in an existing
        section takes that section's Chinese name, and one moved to a new section drops
        the old section's."""
        group = changes.get("group")
        if not isinstance(group, str) or not entries.fold(group):
            return {}
        typed_zh = changes.get("group_zh", current.group_zh)
        typed_zh = typed_zh.strip() if isinstance(typed_zh, str) else typed_zh
        moved = group.strip() != current.group
        own_zh = typed_zh and not (moved and typed_zh == current.group_zh)
        wanted = entries.fold(group)
        for name, name_zh in self.sections():
            if wanted in (entries.fold(name), entries.fold(name_zh)):
                moved = name != current.group
                own_zh = typed_zh and not (moved and typed_zh == current.group_zh)
                return {"group": name} if own_zh else {"group": name, "group_zh": name_zh}
        return {} if own_zh or not moved else {"group_zh": ""}


def _check_comment(comment: object) -> str:
    """An edit summary: text of at most 500 characters, stripped."""
    if comment is None:
        return ""
    if not isinstance(comment, str) or len(comment) > MAX_COMMENT:
        raise InvalidValue(M_("The edit summary must be text of at most %(n)s characters.")
                           % {"n": MAX_COMMENT}, "comment")
    return comment.strip()
