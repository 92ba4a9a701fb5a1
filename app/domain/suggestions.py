"""Suggestions for a name that is no entry: the titles that look most like it.

"Betta Phnoe" in the compare box, or ``/compare/alpha-phone-vs-betta-phnoe``, finds no
entry; the page then suggests "Beta Phone". A :class:`TitleIndex` holds every title
with its trigrams (runs of three characters), and a look-up costs a bounded amount of
work however long the name and however many the entries:

1. **Candidates.** The name's first :data:`MAX_NAME` characters give at most ~120
   trigrams; their postings (the titles holding each) are counted rarest first, and
   counting stops at a budget of :data:`POSTINGS_PER_TITLE` postings a title, so a
   name made of common trigrams costs O(titles) with a small constant. The
   :data:`CANDIDATES` titles sharing most trigrams with the name go on.
2. **Likeness.** Each candidate is compared with the name by rapidfuzz's ``ratio``
   (difflib's measure, 2·matches / total length, with the exact longest common
   subsequence, in C): against the whole title and against each run of as many of its
   words as the name has, so "Pixel 8" is as like "Google Pixel 8" as "Google Pixel 8" is.
3. **Choice.** Up to :data:`SUGGESTIONS` titles at least :data:`MIN_LIKENESS` alike and
   within :data:`LIKENESS_SPREAD` of the best one, best first (ties: the one more like
   the name as a whole, then title order).

The index also knows every title key and search keyword, so the compare box need not
ask the store for titles starting with a made-up name, or with words no entry has
(:meth:`TitleIndex.has_title_starting`, :meth:`TitleIndex.has_keywords_starting`).

Example::

    index = TitleIndex([{"slug": "beta-phone", "title": "Beta Phone", "category": "phones"}])
    index.closest("Betta Phnoe")   # → [{"slug": "beta-phone", "title": "Beta Phone", …}]
"""

from __future__ import annotations

import heapq
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Mapping

from rapidfuzz import fuzz

from .entries import TITLE_MAX

__all__ = ["CANDIDATES", "LIKENESS_SPREAD", "MAX_NAME", "MIN_LIKENESS", "POSTINGS_PER_TITLE",
           "SUGGESTIONS", "TitleIndex", "trigrams"]

#: Characters of a name that are compared: no title is longer.
MAX_NAME = TITLE_MAX
#: Titles that get a likeness score in one look-up (those sharing most trigrams).
CANDIDATES = 40
#: Postings counted in one look-up, per title in the index (plus a floor for tiny wikis).
POSTINGS_PER_TITLE, POSTINGS_FLOOR = 4, 256
SUGGESTIONS = 5
#: Suggestions must look this much like the name, and not much less than the best one.
MIN_LIKENESS, LIKENESS_SPREAD = 0.55, 0.2


def normalise(text: str) -> str:
    """Case-folded, single-spaced, at most :data:`MAX_NAME` characters."""
    return " ".join(text.casefold().split())[:MAX_NAME].strip()


def trigrams(text: str) -> set[str]:
    """The runs of three characters of a normalised text, padded by a space each side."""
    padded = f" {text} "
    return {padded[i:i + 3] for i in range(len(padded) - 2)}


class TitleIndex:
    """Every entry's title with its trigrams, for :meth:`closest` (immutable once built).

    ``docs`` are mappings with ``slug``, ``title`` and (optionally) ``category``,
    ``title_key`` and ``keywords`` (the stored search keys), in the order ties are broken
    in (the store gives them by title).
    """

    def __init__(self, docs: Iterable[Mapping]):
        docs = list(docs)
        self._title_keys = sorted(doc.get("title_key", doc["title"].casefold()) for doc in docs)
        self._keywords = sorted({word for doc in docs for word in doc.get("keywords") or ()})
        self._docs = [{"slug": doc["slug"], "title": doc["title"],
                       "category": doc.get("category")} for doc in docs]
        self._titles = [normalise(doc["title"]) for doc in self._docs]
        self._sizes: list[int] = []
        postings: dict[str, list[int]] = {}
        for number, title in enumerate(self._titles):
            grams = trigrams(title)
            self._sizes.append(len(grams))
            for gram in grams:
                postings.setdefault(gram, []).append(number)
        self._postings = postings
        #: Postings one look-up may count.
        self.budget = POSTINGS_PER_TITLE * len(self._docs) + POSTINGS_FLOOR

    def has_title_starting(self, text: str) -> bool:
        """Whether a title key starts with ``text`` stripped and lower-cased (as
        EntryRepository.title_prefix looks it up); False: that look-up finds nothing."""
        return _has_prefix(self._title_keys, text.strip().lower())

    def has_keywords_starting(self, words: Iterable[str]) -> bool:
        """Whether each word starts some entry's keyword; False: a keyword search for all
        of them (EntryRepository.search) finds nothing."""
        return all(_has_prefix(self._keywords, word) for word in words)

    def candidates(self, name: str) -> tuple[list[int], int]:
        """The titles (by number) sharing most trigrams with ``name``, at most
        :data:`CANDIDATES`, and how many postings were counted to find them."""
        wanted = normalise(name)
        postings = self._postings
        lists = sorted((postings[gram] for gram in trigrams(wanted) if gram in postings), key=len)
        shared: Counter[int] = Counter()
        counted = 0
        for numbers in lists:
            if counted + len(numbers) > self.budget:
                break
            shared.update(numbers)
            counted += len(numbers)
        sizes = self._sizes
        best = heapq.nlargest(CANDIDATES, shared.items(),
                              key=lambda item: (item[1], -sizes[item[0]], -item[0]))
        return [number for number, _ in best], counted

    def closest(self, name: str, limit: int = SUGGESTIONS) -> list[dict]:
        """Up to ``limit`` entries whose titles look most like ``name`` (typos included)."""
        wanted = normalise(name)
        if not wanted:
            return []
        numbers, _ = self.candidates(wanted)
        size = len(wanted.split())
        scored = sorted(((*likeness(wanted, self._titles[number], size), number)
                         for number in numbers), key=lambda item: (-item[0], -item[1], item[2]))
        if not scored:
            return []
        floor = max(MIN_LIKENESS, scored[0][0] - LIKENESS_SPREAD)
        return [dict(self._docs[number]) for best, _, number in scored if best >= floor][:limit]


def _has_prefix(ordered: list[str], prefix: str) -> bool:
    """Whether an item of the sorted list ``ordered`` starts with ``prefix``."""
    at = bisect_left(ordered, prefix)
    return at < len(ordered) and ordered[at].startswith(prefix)


def likeness(wanted: str, title: str, size: int) -> tuple[float, float]:
    """How alike a name and a title are (each 0–1): ``(best, whole)``, where ``best`` is
    the likeness of the whole title or of its best run of ``size`` words (the name's word
    count) from any word on, and ``whole`` that of the whole title, which breaks ties
    ("pixel 8" puts "Google Pixel 8" before "Google Pixel 8 Pro")."""
    whole = best = fuzz.ratio(wanted, title)
    words = title.split()
    for start in range(1 if size >= len(words) else 0, len(words)):
        best = max(best, fuzz.ratio(wanted, " ".join(words[start:start + size])))
    return best / 100, whole / 100
