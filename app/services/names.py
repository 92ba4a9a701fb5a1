"""Which entries a person means by the names they type: "iphone 15 vs Pixel 8" in the
compare box, a slug in a comparison address that is no entry, the last name typed for
autocomplete. A use case of its own, so that any front end finds entries as the pages do.

The index of titles (:class:`~app.services.suggestions.TitleSuggestions`, shared with the
wiki) answers first whether a prefix or keyword look-up can find anything: a made-up name
costs the store no scan.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..domain.entries import keywords, search_words, slug_from_title
from ..repositories import Repositories
from .suggestions import TitleSuggestions

__all__ = ["NAME_SEPARATOR", "SUGGEST_LIMIT", "Names", "Resolution", "split_names"]

#: What separates the names of a comparison: "vs", "vs.", "versus" or "pk" between words.
NAME_SEPARATOR = re.compile(r"(?<![A-Za-z])(?:vs\.?|versus|pk)(?![A-Za-z])", re.IGNORECASE)
#: How many entries a look-up by title or keywords reads at the most.
SUGGEST_LIMIT = 10


@dataclass
class Resolution:
    """What one typed name turned out to be: an entry, or suggestions for one."""

    name: str
    entry: dict | None = None
    suggestions: list[dict] = field(default_factory=list)


def split_names(text: str) -> list[str]:
    """The names in "A vs B pk C" (empty parts dropped)."""
    return [part.strip() for part in NAME_SEPARATOR.split(text) if part.strip()]


class Names:
    """Finding entries by the names people type, over the entries and the title index."""

    def __init__(self, repos: Repositories, titles: TitleSuggestions):
        self.repos = repos
        self.titles = titles

    def resolve(self, name: str) -> Resolution:
        """The entry a person meant by ``name``: slug, exact title, prefix, keywords; else
        up to five entries whose titles look like it."""
        entries, index = self.repos.entries, self.titles.index()
        slug = name.strip().lower()
        entry = entries.find_slug(slug) or entries.find_slug(slug_from_title(name))
        if entry is not None:
            return Resolution(name, entry)
        by_prefix = entries.title_prefix(name, SUGGEST_LIMIT) \
            if index.has_title_starting(name) else []
        exact = [doc for doc in by_prefix if doc["title"].casefold() == name.casefold()]
        if exact or len(by_prefix) == 1:
            return Resolution(name, (exact or by_prefix)[0])
        words = search_words(name)
        by_words = entries.search(words, SUGGEST_LIMIT, 0, "title")[0] \
            if words and index.has_keywords_starting(words) else []
        best = _fewest_extra_words(_unique(by_prefix + by_words), words)
        if best is not None:
            return Resolution(name, best)
        return Resolution(name, suggestions=self.titles.closest(name))

    def resolve_slugs(self, slugs: Iterable[str]) -> list[Resolution]:
        """Each slug of a comparison address: its entry, or titles that look like it."""
        slugs = list(slugs)
        found = self.repos.entries.by_slugs(slugs)
        return [Resolution(slug, found[slug]) if slug in found else
                Resolution(slug, suggestions=self.titles.closest(slug.replace("-", " ")))
                for slug in slugs]

    def suggest(self, name: str) -> list[dict]:
        """Autocomplete: titles starting with ``name``, then titles with words starting
        with its words; SUGGEST_LIMIT at the most."""
        docs = self.repos.entries.title_prefix(name, SUGGEST_LIMIT)
        words = search_words(name)
        if len(docs) < SUGGEST_LIMIT and words:
            docs = _unique(docs + self.repos.entries.search(words, SUGGEST_LIMIT, 0, "title")[0])
        return docs[:SUGGEST_LIMIT]


def _unique(docs: list[dict]) -> list[dict]:
    """``docs`` without repeated slugs, in order."""
    seen: dict[str, dict] = {}
    for doc in docs:
        seen.setdefault(doc["slug"], doc)
    return list(seen.values())


def _fewest_extra_words(candidates: list[dict], words: list[str]) -> dict | None:
    """The one candidate whose title adds the fewest words to ``words`` (ties: none).

    "Pixel 8" means "Google Pixel 8" rather than "Google Pixel 8 Pro".
    """
    if len(candidates) == 1:
        return candidates[0]
    scored = sorted((len(set(keywords(doc["title"])) - set(words)), i)
                    for i, doc in enumerate(candidates))
    if not scored or (len(scored) > 1 and scored[0][0] == scored[1][0]):
        return None
    return candidates[scored[0][1]]
