"""Neutral clauses and sort keys (:mod:`app.domain.clauses`) as a MongoDB filter and sort.

The one place a query's clauses become MongoDB: document paths and operators come only
from the tables here; a clause's value is only ever a value, or a literal inside an
anchored, escaped regular expression (:func:`like_pattern`). Every sort ends with
``_id`` (:func:`~app.repositories.base.total_order`).

Example::

    >>> mongo_query([Clause(("attr", "weight", "n"), "lt", 200.0)], [("title", 1)])
    ({'attributes.weight.n': {'$lt': 200.0}}, [('title_key', 1), ('_id', 1)])
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from ..domain.clauses import ATTR, ENTRY_FIELDS, KEYWORDS, Clause, Field
from ..domain.definitions import KEY_PATTERN
from .base import total_order

__all__ = ["MONGO_OPERATORS", "filter_operators", "filter_paths", "like_pattern", "mongo_filter",
           "mongo_query", "mongo_sort"]

#: Every MongoDB operator a produced filter may hold.
MONGO_OPERATORS = frozenset({"$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin",
                             "$exists", "$regex", "$options", "$all", "$and"})
#: The document path of each built-in field, filtering and sorting.
FILTER_PATHS = {name: name for name in ENTRY_FIELDS}
SORT_PATHS = {**FILTER_PATHS, "title": "title_key"}
#: The stored parts of an attribute value a clause may compare (``domain.types`` paths).
ATTRIBUTE_PARTS = frozenset({"n", "value"})


def mongo_query(clauses: Iterable[Clause],
                sort: Iterable[tuple[Field, int]]) -> tuple[dict, list[tuple[str, int]]]:
    """The MongoDB filter and (total) sort of a query's clauses and sort keys."""
    return mongo_filter(clauses), mongo_sort(sort)


def mongo_filter(clauses: Iterable[Clause]) -> dict:
    """One filter from the clauses: ``{}``, the one condition, or their ``$and``."""
    conditions = [_condition(clause) for clause in clauses]
    if not conditions:
        return {}
    return conditions[0] if len(conditions) == 1 else {"$and": conditions}


def mongo_sort(sort: Iterable[tuple[Field, int]]) -> list[tuple[str, int]]:
    """The sort spec of ``(field, direction)`` pairs, ending with ``_id``."""
    return total_order([(_path(field, SORT_PATHS), _direction(direction))
                        for field, direction in sort])


def _direction(direction: int) -> int:
    if direction not in (1, -1):
        raise ValueError(f"a sort direction is 1 or -1, not {direction!r}")
    return direction


def _path(field: Field, paths: Mapping[str, str]) -> str:
    """The document path of a neutral field, from the tables only."""
    if isinstance(field, str) and field in paths:
        return paths[field]
    if isinstance(field, tuple) and len(field) == 3 and field[0] == ATTR \
            and KEY_PATTERN.fullmatch(field[1]) and field[2] in ATTRIBUTE_PARTS:
        return f"attributes.{field[1]}.{field[2]}"
    raise ValueError(f"no document path for the field {field!r}")


def _condition(clause: Clause) -> dict:
    """``{path: {operator: value}}`` of one clause."""
    if clause.operator == "search" or clause.field == KEYWORDS:
        if clause.operator != "search" or clause.field != KEYWORDS:
            raise ValueError(f"keywords are only searched: {clause!r}")
        return {"keywords": {"$regex": "^" + re.escape(clause.value)}}
    return {_path(clause.field, FILTER_PATHS): CONDITIONS[clause.operator](clause.value)}


def _is(value: Any) -> dict:
    """``is`` None: the value is absent; True or False: it is that."""
    return {"$exists": False} if value is None else {"$eq": value}


CONDITIONS = {
    "eq": lambda value: {"$eq": value},
    "ne": lambda value: {"$ne": value, "$exists": True},
    "gt": lambda value: {"$gt": value},
    "gte": lambda value: {"$gte": value},
    "lt": lambda value: {"$lt": value},
    "lte": lambda value: {"$lte": value},
    "in": lambda values: {"$in": list(values)},
    "nin": lambda values: {"$nin": list(values), "$exists": True},
    "all": lambda values: {"$all": list(values)},
    "is": _is,
    "like": lambda pattern: {"$regex": like_pattern(pattern)},
    "ilike": lambda pattern: {"$regex": like_pattern(pattern), "$options": "i"},
}


def like_pattern(pattern: str) -> str:
    """An anchored regex where ``*`` matches any text and everything else is literal.

    Inner pieces are found by atomic lazy groups ``(?>.*?piece)``, so matching never
    backtracks over earlier pieces (no catastrophic patterns, in Python or PCRE).
    """
    pieces = [re.escape(piece) for piece in pattern.split("*")]
    if len(pieces) == 1:
        return f"^{pieces[0]}$"
    first, *middle, last = pieces
    inner = "".join(f"(?>.*?{piece})" for piece in middle if piece)
    return f"^{first}{inner}.*{last}$"


# ----------------------------------------------------------------------------- auditing


def filter_paths(filter: Mapping) -> set[str]:
    """Every field path in a produced filter (keys outside ``$and``), for tests and audits."""
    paths: set[str] = set()
    for key, value in filter.items():
        if key == "$and":
            for clause in value:
                paths |= filter_paths(clause)
        else:
            paths.add(key)
    return paths


def filter_operators(filter: Any) -> set[str]:
    """Every ``$``-operator anywhere in a produced filter, values included."""
    if isinstance(filter, Mapping):
        found = {key for key in filter if isinstance(key, str) and key.startswith("$")}
        for value in filter.values():
            found |= filter_operators(value)
        return found
    if isinstance(filter, list | tuple):
        return set().union(*(filter_operators(item) for item in filter))
    return set()
