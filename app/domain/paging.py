"""Page numbers: one rule for every listing, page and API list.

Every ``page`` / ``per_page`` a client sends is read here, so no path can be asked for
page 10^20 (``islice`` refused it with a 500) or a 5,000-digit number.

Example::

    >>> read_number("3", maximum=MAX_PAGE)
    3
    >>> read_number("10^20", maximum=MAX_PAGE) is None
    True
"""

from __future__ import annotations

__all__ = ["MAX_PAGE", "MAX_PER_PAGE", "DEFAULT_PER_PAGE", "read_number", "whole_number"]

#: The deepest page any listing serves (pages and API alike).
MAX_PAGE = 1_000_000
#: The most items an API page holds, and how many it holds by default.
MAX_PER_PAGE, DEFAULT_PER_PAGE = 100, 25


def whole_number(text: object) -> bool:
    """Whether ``text`` is a short run of ASCII digits that ``int()`` reads.

    ``str.isdigit`` alone lets through "²" and 5000-digit numbers, which ``int()`` refuses.
    """
    return isinstance(text, str) and text.isascii() and text.isdigit() and len(text) <= 9


def read_number(text: object, *, maximum: int) -> int | None:
    """The whole number from 1 to ``maximum`` that ``text`` spells, or None."""
    if not whole_number(text) or not 1 <= int(text) <= maximum:
        return None
    return int(text)
