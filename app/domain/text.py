"""Text hygiene: which characters stored text may hold, and how client text is quoted.

One rule for every text a client writes (titles, summaries, attribute values, category
and definition fields, profiles) and for the values of the filter language: no control
characters (C0, DEL and C1, category ``Cc``), no lone surrogates (``Cs``, which no UTF-8
encoder writes), and no line or paragraph separators (U+2028, U+2029: ``Zl``, ``Zp``).
Text of several lines may hold line feeds and tabs besides; a checker that accepts
Windows line ends turns ``\\r\\n`` into ``\\n`` before it asks.

Format characters (``Cf``: the zero-width joiner of emoji, the ZWNJ Persian needs) are
allowed; HTML escaping and the pages' ``dir="auto"`` keep them harmless.

Example::

    >>> forbidden("bell\\x07"), forbidden("two\\nlines"), forbidden("two\\nlines", lines=True)
    (True, True, False)
    >>> quote("a\\x00b")
    '"a\ufffdb"'
"""

from __future__ import annotations

import unicodedata

__all__ = ["FORBIDDEN_CATEGORIES", "LINE_CHARACTERS", "forbidden", "quote"]

#: Unicode categories no stored text holds: control, surrogate, line and paragraph separator.
FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})
#: The control characters text of several lines may hold: line feed and tab.
LINE_CHARACTERS = "\n\t"


def forbidden(text: str, *, lines: bool = False) -> bool:
    """Whether ``text`` holds a character stored text may not hold (:data:`FORBIDDEN_CATEGORIES`;
    with ``lines``, line feeds and tabs are allowed)."""
    allowed = LINE_CHARACTERS if lines else ""
    return any(unicodedata.category(c) in FORBIDDEN_CATEGORIES and c not in allowed
               for c in text)


def quote(text: str, limit: int = 40) -> str:
    """Client ``text`` in double quotes for a message, shortened to ``limit`` characters,
    with characters that do not print shown as U+FFFD."""
    shown = "".join(c if c.isprintable() else "\N{REPLACEMENT CHARACTER}" for c in text)
    return f'"{shown[: limit - 1]}…"' if len(shown) > limit else f'"{shown}"'
