"""Entries: what a valid title, slug and summary are, and the words search finds."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from slugify import slugify

from .errors import InvalidValue
from .messages import M_
from .text import forbidden

__all__ = ["check_title", "check_summary", "check_slug", "slug_from_title", "title_key",
           "keywords", "search_words", "fold", "slug_neighbours", "SLUG_RE", "entry_ref"]

TITLE_MAX = 120
SUMMARY_MAX = 2000
SLUG_MAX = 80
SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
#: The comparison URL joins slugs with "-vs-", so "vs" may not be a word of a slug.
SEPARATOR_WORD = "vs"
REPLACEMENTS = [["++", "-plus-plus"], ["+", "-plus"], ["#", "-sharp"]]
WORD_RE = re.compile(r"\w+", re.UNICODE)


def _single_line(value: object, label: str, field: str, limit: int, *, allow_empty: bool) -> str:
    """Stripped text of at most ``limit`` characters without control characters."""
    if not isinstance(value, str):
        raise InvalidValue(M_("%(label)s must be text.") % {"label": label}, field)
    value = unicodedata.normalize("NFC", value.strip())
    if not value and not allow_empty:
        raise InvalidValue(M_("%(label)s must not be empty.") % {"label": label}, field)
    if len(value) > limit:
        raise InvalidValue(M_("%(label)s must be at most %(limit)s characters.")
                           % {"label": label, "limit": limit}, field)
    if forbidden(value, lines=True):
        raise InvalidValue(M_("%(label)s must not contain control characters.")
                           % {"label": label}, field)
    return value


def check_title(title: object) -> str:
    """A title: 1–120 characters, one line."""
    value = _single_line(title, M_("Title"), "title", TITLE_MAX, allow_empty=False)
    if "\n" in value or "\t" in value:
        raise InvalidValue(M_("Title must be a single line."), "title")
    return value


def check_summary(summary: object) -> str:
    """A summary: up to 2000 characters (may be empty)."""
    return _single_line(summary, M_("Summary"), "summary", SUMMARY_MAX, allow_empty=True)


def check_slug(slug: object) -> str:
    """A slug: lowercase words joined by ``-``, never containing the word ``vs``."""
    if not isinstance(slug, str) or not SLUG_RE.fullmatch(slug) or len(slug) > SLUG_MAX:
        raise InvalidValue(
            M_("Slug must be 1 to %(limit)s lowercase letters and digits in words joined by "
              "'-', like 'iphone-15-pro'.") % {"limit": SLUG_MAX}, "slug")
    if SEPARATOR_WORD in slug.split("-"):
        raise InvalidValue(
            M_("Slug must not contain the word 'vs': comparison addresses use it to join entries."),
            "slug")
    return slug


def slug_from_title(title: str) -> str:
    """The slug a title gets ("小米 14 Pro" → "xiao-mi-14-pro"; "C++" → "c-plus-plus")."""
    slug = slugify(title, max_length=SLUG_MAX, word_boundary=True, replacements=REPLACEMENTS)
    words = ["versus" if word == SEPARATOR_WORD else word for word in slug.split("-") if word]
    return "-".join(words)[:SLUG_MAX].strip("-") or "entry"


def title_key(title: str) -> str:
    """The case-folded title used for sorting and prefix look-ups."""
    return title.casefold()


def keywords(*texts: str) -> list[str]:
    """Distinct case-folded words of the texts, for the indexed ``q=`` search."""
    seen: dict[str, None] = {}
    for text in texts:
        for word in WORD_RE.findall(text.casefold()):
            seen.setdefault(word, None)
    return list(seen)


def search_words(query: str, limit: int = 8) -> list[str]:
    """The words of a search query (at most ``limit``), each matched as a prefix."""
    return keywords(query)[:limit]


def fold(text: str) -> str:
    """``text`` with case, width and punctuation folded away, for "is this the same name?":
    "iPhone-15", "IPHONE 15" and "ｉＰｈｏｎｅ １５" all fold to "iphone15"."""
    folded = unicodedata.normalize("NFKC", text or "").casefold()
    return "".join(ch for ch in folded if ch.isalnum())


def slug_neighbours(slug: str, count: int = 8) -> list[str]:
    """``slug`` and the slugs the wiki gives the next titles that make it: slug-2, slug-3…"""
    return [slug, *(f"{slug}-{n}" for n in range(2, count + 2))]


def entry_ref(doc: Mapping) -> tuple[Any, int, bool]:
    """What decides a stored entry's representation: its id, version and protection."""
    return doc["_id"], doc["version"], bool(doc.get("protected"))
