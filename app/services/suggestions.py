"""Suggestions for names that are no entry (the compare box, a comparison's 404 page).

The :class:`~app.domain.suggestions.TitleIndex` of every title is built once and kept:
reading and indexing 3,000 entries' titles and keywords costs ~60 ms on the embedded
store, a look-up in the kept index well under a millisecond a name. It is rebuilt after
this process creates, changes or deletes an entry (the entry repository counts those
writes), and at least every :data:`MAX_AGE` seconds for what other processes write
(MongoDB with several workers, an import): suggestions, and the compare box's finding
of an entry by a title prefix or keyword, may lag that long behind another worker's new
entry (its slug is always looked up in the store).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from ..domain.suggestions import TitleIndex
from ..repositories import Repositories

__all__ = ["MAX_AGE", "TitleSuggestions"]

#: Seconds an index of titles is used before it is read again.
MAX_AGE = 30.0


class TitleSuggestions:
    """The titles that look most like a name, from a kept index of every title."""

    def __init__(self, repos: Repositories, *, max_age: float = MAX_AGE,
                 clock: Callable[[], float] = time.monotonic):
        self.repos = repos
        self.max_age = max_age
        self._clock = clock
        self._kept: tuple[object, TitleIndex] | None = None
        self._lock = threading.Lock()

    def closest(self, name: str) -> list[dict]:
        """Up to five entries (slug, title, category) whose titles look like ``name``."""
        return self.index().closest(name)

    def index(self) -> TitleIndex:
        """The current index, rebuilt when entries were written or it is too old."""
        version = (self.repos.entries.writes, int(self._clock() // self.max_age))
        kept = self._kept
        if kept is None or kept[0] != version:
            with self._lock:  # one thread rebuilds; the others wait for its index
                kept = self._kept
                if kept is None or kept[0] != version:
                    kept = self._kept = (version, TitleIndex(self.repos.entries.titles()))
        return kept[1]
