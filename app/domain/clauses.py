"""Neutral filter clauses and sort keys: what a query asks, in no store's terms.

The filter language (:mod:`app.services.query`) reads a query string into clauses;
the entry repository (:func:`app.repositories.filters.mongo_query`) turns them into a
MongoDB filter and sort. Nothing here names a document path or a store operator.

A field is a built-in name (:data:`ENTRY_FIELDS`), ``("attr", key, part)`` for an
attribute's comparable part ("n" for numbers, "value" otherwise,
:func:`app.domain.types.mongo_path`) or :data:`KEYWORDS` (only with ``search``).
Values are already typed by the field's type; text is only ever a value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["ATTR", "ASCENDING", "DESCENDING", "ENTRY_FIELDS", "KEYWORDS", "OPERATORS",
           "Clause", "Field", "Sort", "attribute_field"]

#: The built-in fields a clause or sort key may name.
ENTRY_FIELDS = frozenset({"title", "slug", "category", "created_by", "updated_at"})
#: The field of ``search`` clauses: the entry's indexed keywords.
KEYWORDS = "keywords"
ATTR = "attr"
ASCENDING, DESCENDING = 1, -1

#: The closed set of operators. ``ne`` and ``nin`` hold only for entries that have a
#: value (as SQL leaves NULL out); ``is`` takes None (no value), True or False; ``in``,
#: ``nin`` and ``all`` take a tuple; ``like``/``ilike`` a ``*`` pattern matched against
#: the whole value (``ilike`` ignoring case); ``search`` a word that starts a keyword.
OPERATORS = frozenset({"eq", "ne", "lt", "lte", "gt", "gte", "in", "nin", "all", "like",
                       "ilike", "is", "search"})

Field = str | tuple[str, str, str]
#: A sort: ``(field, direction)`` pairs, direction 1 ascending or -1 descending.
Sort = tuple[tuple[Field, int], ...]


def attribute_field(key: str, part: str) -> tuple[str, str, str]:
    """The field of an attribute's comparable part: ``("attr", "weight", "n")``."""
    return (ATTR, key, part)


@dataclass(frozen=True)
class Clause:
    """One condition every matching entry meets: ``field operator value``."""

    field: Field
    operator: str
    value: Any

    def __post_init__(self):
        if self.operator not in OPERATORS:
            raise ValueError(f"unknown clause operator {self.operator!r}")
