"""Categories as wiki content: what a valid category is, its place in the tree, its
suggested attributes.

A category has a slug (fixed once made: entries name it), a name and a description in
English with optional Simplified Chinese forms, an optional parent ("Phones ›
Foldables"), and *suggested attributes*: ordered ``{key, group}`` pairs that a new entry
in it starts with (empty rows to fill in) and that its spec table offers as columns.

Example::

    >>> check_category({"name": "Foldables", "parent": "phones"})
    {'slug': 'foldables', 'name': 'Foldables', 'parent': 'phones', ...}
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

from slugify import slugify

from .definitions import KEY_PATTERN, MAX_GROUP
from .errors import InvalidValue
from .messages import M_, N_
from .text import forbidden

__all__ = ["CATEGORY_FIELDS", "NAME_FIELDS", "EDITOR_FIELDS", "MAX_SUGGESTED", "MAX_DEPTH",
           "STALE", "check_category", "check_changes", "check_parent", "check_slug",
           "check_suggested", "check_tree", "depth_below", "localised", "merged_suggestions",
           "slug_from_name", "trail"]

SLUG_MAX = 40
NAME_MAX = 60
DESCRIPTION_MAX = 500
MAX_SUGGESTED = 40
#: "Phones › Foldables › Flip phones" is as deep as the tree goes.
MAX_DEPTH = 3
SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
#: A category changed by someone else meanwhile (the message of its StaleVersion).
STALE = N_("This category changed since you read it (you had version %(expected)s, it is "
           "now at version %(current)s). Reload, then apply your change again.")

#: Every field a client may write.
CATEGORY_FIELDS = ("slug", "name", "name_zh", "description", "description_zh", "parent",
                   "attributes")
#: Renaming and moving a category are for admins; editors change the rest.
NAME_FIELDS = ("name", "name_zh", "parent")
EDITOR_FIELDS = ("description", "description_zh", "attributes")


def _text(value: object, label: str, field: str, limit: int, *, required: bool,
          lines: bool = False) -> str:
    """Stripped NFC text of at most ``limit`` characters (one line unless ``lines``)."""
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise InvalidValue(M_("%(label)s must be text.") % {"label": label}, field)
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n").strip())
    if required and not text:
        raise InvalidValue(M_("%(label)s must not be empty.") % {"label": label}, field)
    if len(text) > limit:
        raise InvalidValue(M_("%(label)s must be at most %(limit)s characters.")
                           % {"label": label, "limit": limit}, field)
    if forbidden(text, lines=lines):
        message = M_("%(label)s must not contain control characters.") if lines else \
            M_("%(label)s must be one line without control characters.")
        raise InvalidValue(message % {"label": label}, field)
    return text


def slug_from_name(name: str) -> str:
    """The slug a category name gets ("Flip phones" → "flip-phones", "折叠屏" → "zhe-die-ping")."""
    slug = slugify(name, max_length=SLUG_MAX, word_boundary=True)
    return slug.strip("-") or "category"


def check_slug(value: object) -> str:
    """A category slug: lowercase words joined by ``-``, at most 40 characters."""
    if not isinstance(value, str) or not SLUG_RE.fullmatch(value) or len(value) > SLUG_MAX:
        raise InvalidValue(
            M_("Slug must be 1 to %(limit)s lowercase letters and digits in words joined by "
              "'-', like 'flip-phones'.") % {"limit": SLUG_MAX}, "slug")
    return value


def check_suggested(value: object) -> list[dict]:
    """Suggested attributes: a list of keys or ``{key, group}`` objects, each key once."""
    if not isinstance(value, list):
        raise InvalidValue(M_("Suggested attributes must be a list of attribute keys."),
                           "attributes")
    if len(value) > MAX_SUGGESTED:
        raise InvalidValue(M_("A category suggests at most %(limit)s attributes.")
                           % {"limit": MAX_SUGGESTED}, "attributes")
    out: list[dict] = []
    seen: set[str] = set()
    for item in value:
        if isinstance(item, str):
            item = {"key": item}
        if not isinstance(item, Mapping) or set(item) - {"key", "group"}:
            raise InvalidValue(M_("Each suggested attribute is a key, or an object of key and "
                                 "group."), "attributes")
        key = item.get("key")
        if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key.strip()):
            raise InvalidValue(M_('"%(key)s" is not an attribute key (a-z, 0-9 and _).')
                               % {"key": str(key)[:40]}, "attributes")
        key = key.strip()
        if key in seen:
            raise InvalidValue(M_("%(key)s is suggested twice.") % {"key": key}, "attributes")
        seen.add(key)
        group = _text(item.get("group"), M_("Section"), "attributes", MAX_GROUP, required=False)
        out.append({"key": key, "group": group} if group else {"key": key})
    return out


def check_parent(value: object) -> str | None:
    """A parent slug, or None for a top-level category."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InvalidValue(M_("Parent must be the slug of a category."), "parent")
    return check_slug(value.strip()) if value.strip() else None


def _field(name: str, value: object):
    """One checked field."""
    if name == "slug":
        return check_slug(value)
    if name == "name":
        return _text(value, M_("Name"), "name", NAME_MAX, required=True)
    if name == "name_zh":
        return _text(value, M_("Chinese name"), "name_zh", NAME_MAX, required=False)
    if name in ("description", "description_zh"):
        label = M_("Description") if name == "description" else M_("Chinese description")
        return _text(value, label, name, DESCRIPTION_MAX, required=False, lines=True)
    if name == "parent":
        return check_parent(value)
    if name == "attributes":
        return check_suggested(value)
    raise InvalidValue(M_("'%(name)s' cannot be set on a category.") % {"name": name}, name)


def check_category(data: Mapping) -> dict:
    """The fields of a new category, each checked; the slug comes from the name if absent."""
    if not isinstance(data, Mapping):
        raise InvalidValue(M_("A category must be an object of fields, such as name."))
    fields = {name: _field(name, data.get(name, [] if name == "attributes" else None))
              for name in CATEGORY_FIELDS if name != "slug"}
    slug = data.get("slug")
    fields["slug"] = check_slug(slug) if slug not in (None, "") else slug_from_name(
        fields["name"])
    return fields


def check_changes(data: Mapping) -> dict:
    """The fields a change sets, each checked (only those given)."""
    unknown = [name for name in data if name not in CATEGORY_FIELDS or name == "slug"]
    if unknown:
        raise InvalidValue(M_("'%(name)s' cannot be changed.") % {"name": unknown[0]},
                           unknown[0])
    return {name: _field(name, value) for name, value in data.items()}


def trail(slug: str | None, parents: Mapping[str, str | None]) -> list[str]:
    """The slugs from the top of the tree down to ``slug`` (``parents``: slug → parent).

    Stops at a missing parent and never loops (a cycle in stored data ends the trail).
    """
    out: list[str] = []
    while slug and slug not in out:
        out.insert(0, slug)
        slug = parents.get(slug)
    return out


def check_tree(slug: str, parent: str | None, parents: Mapping[str, str | None],
               children_depth: int = 0) -> None:
    """Refuse a parent that is missing, the category itself, one of its descendants, or
    too deep a tree (``children_depth``: how many levels hang below ``slug``)."""
    if parent is None:
        return
    if parent not in parents:
        raise InvalidValue(M_("There is no category '%(slug)s' to put this one in.")
                           % {"slug": parent}, "parent")
    path = trail(parent, parents)
    if slug in path:
        raise InvalidValue(M_("A category cannot be inside itself or one of its "
                             "subcategories."), "parent")
    if len(path) + 1 + children_depth > MAX_DEPTH:
        raise InvalidValue(M_("Categories nest at most %(depth)s deep.") % {"depth": MAX_DEPTH},
                           "parent")


def depth_below(slug: str, parents: Mapping[str, str | None]) -> int:
    """How many levels of subcategories hang below ``slug``."""
    children: dict[str, list[str]] = {}
    for child, parent in parents.items():
        if parent:
            children.setdefault(parent, []).append(child)

    def depth(node: str, seen: frozenset) -> int:
        below = [depth(c, seen | {c}) for c in children.get(node, []) if c not in seen]
        return 1 + max(below) if below else 0

    return depth(slug, frozenset({slug}))


def localised(category: Mapping, chinese: bool) -> dict:
    """``name`` and ``description`` in the reader's language (English when no Chinese form)."""
    name, description = category.get("name") or category.get("slug", ""), \
        category.get("description") or ""
    if chinese:
        name = category.get("name_zh") or name
        description = category.get("description_zh") or description
    return {"name": name, "description": description}


def merged_suggestions(first: Iterable[Mapping], second: Iterable[Mapping]) -> list[dict]:
    """``first``'s suggested attributes, then those of ``second`` it lacks."""
    out = [dict(item) for item in first]
    keys = {item["key"] for item in out}
    out += [dict(item) for item in second if item["key"] not in keys]
    return out[:MAX_SUGGESTED]
