"""The API's filter language, re-exported from :mod:`app.services.query`.

The parser lives below the API because services use it too (a category's spec table
filters with the same language); views and older imports keep importing it from here.
"""

from __future__ import annotations

from ..services.query import (
    FIELDS,
    MAX_FILTERS,
    MAX_LIST_ITEMS,
    MAX_Q,
    MAX_SORT_KEYS,
    MAX_VALUE,
    OPERATORS,
    REPRESENTATION_FIELDS,
    RESERVED,
    Query,
    QueryError,
    parse_query,
)

__all__ = ["FIELDS", "MAX_FILTERS", "MAX_LIST_ITEMS", "MAX_Q", "MAX_SORT_KEYS", "MAX_VALUE",
           "OPERATORS", "REPRESENTATION_FIELDS", "RESERVED", "Query", "QueryError",
           "parse_query"]
