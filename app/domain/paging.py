"""Page numbers: one rule for every listing, page and API list.

Every ``page`` / ``per_page`` a client sends is read here, so no path can be asked for
page 10^20 (``islice`` refused it with a 500) or a 5,000-digit number. A listing pages
through its first :data:`MAX_OFFSET` items and no further: to show page N, MongoDB walks
past every item before it (``skip``), so a deep page is a slow query anyone could ask
for. Past the limit the API answers 400 naming it; pages stop linking there.

Example::

    >>> read_number("3", maximum=last_page(25))
    3
    >>> read_number("401", maximum=last_page(25)) is None   # past item 10,000
    True
"""

from __future__ import annotations

__all__ = ["MAX_OFFSET", "MAX_PER_PAGE", "DEFAULT_PER_PAGE", "last_page", "read_number",
           "read_paging", "too_deep", "whole_number"]

#: How deep any listing pages (pages and API alike): a page ends at most this many items in.
MAX_OFFSET = 10_000
#: The most items an API page holds, and how many it holds by default.
MAX_PER_PAGE, DEFAULT_PER_PAGE = 100, 25


def last_page(per_page: int) -> int:
    """The deepest page a listing of ``per_page`` items a page serves."""
    return max(1, MAX_OFFSET // per_page)


def too_deep(deepest: int) -> str:
    """Why a ``page`` past ``deepest`` is refused (the API's 400 says it)."""
    return (f"page must be a whole number from 1 to {deepest:,} at this per_page: a listing "
            f"pages through its first {MAX_OFFSET:,} items (narrow it with a filter, or sort "
            "it the other way)")


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


def read_paging(page: str | None, per_page: str | None, *, default: int = DEFAULT_PER_PAGE,
                maximum: int = MAX_PER_PAGE) -> tuple[int | None, int | None, dict[str, str]]:
    """``page`` and ``per_page`` read from what a client sent (None: not sent, so page 1 of
    ``default`` items), and why either was refused: ``{name: rule}``, each rule a sentence
    without its full stop. A refused number is None. The API's lists and the filter
    language read their pages here.

        >>> read_paging("2", None)
        (2, 25, {})
        >>> read_paging("0", "500")[2]["per_page"]
        'per_page must be a whole number from 1 to 100'
    """
    problems = {}
    per_page_number = default if per_page is None else read_number(per_page, maximum=maximum)
    if per_page_number is None:
        problems["per_page"] = f"per_page must be a whole number from 1 to {maximum:,}"
    deepest = last_page(per_page_number or default)
    page_number = 1 if page is None else read_number(page, maximum=deepest)
    if page_number is None:
        problems["page"] = too_deep(deepest)
    return page_number, per_page_number, problems
