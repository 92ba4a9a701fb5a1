"""Template filters: URLs that are safe to put in href/src, and data pkyx owns in the
reader's language (category names, attribute labels and sections, its own comments)."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from flask import Flask, g
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from ..domain.categories import localised
from ..domain.definitions import DEFAULT_GROUP
from ..domain.revisions import system_comment

__all__ = ["safe_url", "register_filters", "chinese"]


def safe_url(value: object) -> str:
    """``value`` if it is an http(s) URL or a path on this site, else ``"#"``."""
    if not isinstance(value, str) or not value or any(ch.isspace() for ch in value[:1]):
        return "#"
    if value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    parts = urlsplit(value)
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return value
    return "#"


def host_of(value: object) -> str:
    """The host of a URL, for link text."""
    return urlsplit(value).hostname or "" if isinstance(value, str) else ""


def chinese() -> bool:
    """Whether this request reads Simplified Chinese (found once a request)."""
    found = g.get("pkyx_chinese")
    if found is None:
        found = g.pkyx_chinese = str(get_locale()) == "zh_Hans"
    return found


def category_name(category: Mapping | None) -> str:
    """A category's name in the reader's language (English when it has no Chinese one)."""
    return localised(category or {}, chinese())["name"] if category else ""


def category_description(category: Mapping | None) -> str:
    """A category's description in the reader's language."""
    return localised(category or {}, chinese())["description"] if category else ""


def label_of(definition) -> str:
    """An attribute's label in the reader's language."""
    return definition.label_in(chinese())


def section_of(definition) -> str:
    """An attribute's section name in the reader's language."""
    return definition.group_in(chinese())


def description_of(definition) -> str:
    """An attribute's description in the reader's language (English when it has no
    Chinese one)."""
    return definition.description_in(chinese())


def _definitions() -> dict:
    """Every attribute definition by key, read once a request (for Chinese labels)."""
    found = g.get("pkyx_definitions")
    if found is None:
        from ..services import categories

        found = g.pkyx_definitions = {d.key: d for d in categories().definitions()}
    return found


def attribute_label(key: str, fallback: str = "") -> str:
    """The label of the attribute ``key`` in the reader's language (``fallback`` otherwise)."""
    if not chinese():
        return fallback or key
    definition = _definitions().get(key)
    return (definition.label_zh if definition else "") or fallback or key


def section_label(name: str) -> str:
    """A section's name in the reader's language: the Chinese name its attributes give it."""
    if not chinese():
        return name
    for definition in _definitions().values():
        if definition.group == name and definition.group_zh:
            return definition.group_zh
    return _(DEFAULT_GROUP) if name == DEFAULT_GROUP else name


def comment_text(comment: object) -> str:
    """A revision comment as shown: pkyx's own comments translated, editors' as written."""
    text = comment if isinstance(comment, str) else ""
    found = system_comment(text)
    if found is None:
        return text
    template, values = found
    return _(template, **values)


def address(email: str) -> Markup:
    """An e-mail address in running text: never translated, broken anywhere if long."""
    return Markup('<span class="address text-break" translate="no">{}</span>').format(email)


def register_filters(app: Flask) -> None:
    """Make the filters available in every template."""
    for function in (safe_url, address, host_of, category_name, category_description,
                     label_of, section_of, description_of, comment_text, attribute_label,
                     section_label):
        app.add_template_filter(function, function.__name__)
    app.add_template_global(chinese, "is_chinese")
