"""What every repository shares: its collection, id parsing, write bookkeeping."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import TypeVar

from bson import ObjectId
from bson.errors import InvalidId
from pymongo.errors import DuplicateKeyError

from ..domain.errors import Conflict, NotFound

__all__ = ["Repository", "parse_id", "present", "total_order", "utcnow"]

T = TypeVar("T")


def utcnow() -> datetime:
    """Now, in UTC, at the millisecond precision MongoDB keeps."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def present(found: T | None, what: str, ident: object) -> T:
    """``found``, or raise :class:`NotFound` for the ``what`` named ``ident`` (``"Entry"``,
    ``"pixel-8"``) when it is None."""
    if found is None:
        raise NotFound(what, ident)
    return found


def parse_id(text: object) -> ObjectId | None:
    """The ``ObjectId`` that ``text`` spells (24 hex digits), or ``None``."""
    if isinstance(text, ObjectId):
        return text
    if not isinstance(text, str) or len(text) != 24:
        return None
    try:
        return ObjectId(text)
    except InvalidId:
        return None


def total_order(sort: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    """``sort`` with ``_id`` last, so that no two documents tie.

    MongoDB returns documents that tie on every sort key in any order, and not always the
    same order twice: page 2 could repeat an entry of page 1 and never show another. The
    tie-break runs the way the last key does, so an index such as ``{updated_at: -1,
    _id: -1}`` serves the whole sort (see ``indexes.py``).
    """
    sort = list(sort)
    if any(field == "_id" for field, _ in sort):
        return sort
    return [*sort, ("_id", sort[-1][1] if sort else 1)]


class Repository:
    """A collection of the store, with the store's write lock and change hook."""

    collection_name: str = ""

    def __init__(self, store):
        self.store = store
        self.col = store.db[self.collection_name]

    @contextlib.contextmanager
    def writing(self, unique: dict[str, str] | None = None,
                doc: dict | None = None, *, lazy: bool = False) -> Iterator[None]:
        """Run a write under the store's lock, then tell the store it changed.

        ``unique`` maps an index key to the message for a duplicate, turning
        ``DuplicateKeyError`` into :class:`Conflict` naming the field; ``doc`` is the
        document written, used to find the field when the server does not name it.
        ``lazy`` marks a write that may wait for a later snapshot (view counters).
        """
        try:
            with self.store.writing():
                yield
        except DuplicateKeyError as exc:
            raise self._conflict(exc, unique or {}, doc or {}) from exc
        finally:
            self.store.changed(lazy=lazy)

    def _conflict(self, exc: DuplicateKeyError, unique: dict[str, str], doc: dict) -> Conflict:
        """The Conflict for a duplicate key, naming the field when we can tell which."""
        details = exc.details or {}
        named = set((details.get("keyPattern") or details.get("keyValue") or {}).keys())
        for key, message in unique.items():
            taken = key in named or (
                not named and key in doc and self.col.count_documents({key: doc[key]}, limit=1)
            )
            if taken:
                return Conflict(message, field=key.removesuffix("_key"))
        return Conflict("That already exists.")
