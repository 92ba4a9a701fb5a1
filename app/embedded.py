"""The embedded store's engine: mongomock, with indexes, a compiled matcher, lazy copies.

mongomock answers every query by running its generic matcher over every document of
the collection and deep-copying every match before it applies ``skip`` and ``limit``.
So looking an entry up by slug cost a scan of the whole collection, and a page of ten
recent entries copied all of them: at 3,000 entries an entry page took 1.4 s. MongoDB
answers the same queries from indexes. This module gives the embedded store what
matters, without changing what any query returns:

* **Equality indexes.** A query whose filter has a top-level ``{field: value}`` or
  ``{field: {"$in": [...]}}`` (a string, an ObjectId or an integer), or one inside a
  top-level ``$and``, looks its candidates up in a per-field index and tests only
  those. Documents whose value is of another type (a float, a list, a sub-document…)
  are always candidates, so the candidates are a superset of the matches. An index is
  built on first use and rebuilt after the collection changes: every write method
  moves a *generation* of the collection's data, and an index stamped with an older
  generation is thrown away.
* **A compiled matcher** for the filters pkyx builds (strings and numbers compared by
  equality, ``$in``, ranges and ``$exists`` on dotted paths, ``$and``). A document it
  cannot judge as BSON would (an array on the path, a sub-document, a boolean, NaN)
  goes to mongomock's matcher, and so does any other filter.
* **Lazy copies.** A cursor sorts the matching documents (with plain tuple keys when
  every value is a simple one), applies ``skip`` and ``limit``, and copies only the
  documents it returns; :meth:`EmbeddedCollection.find_page` gives a page and the
  number of all matches from one pass.

``tests/test_embedded_engine.py`` checks, with Hypothesis, that every query returns
exactly what plain mongomock returns, across writes, and that every way of writing
reaches the indexes.

Example::

    client = EmbeddedClient(tz_aware=True)
    client.pkyx.entries.find_one({"slug": "iphone-15"})   # an index look-up
"""

from __future__ import annotations

import contextvars
import functools
import itertools
import random
import threading
import time
import types
from collections.abc import Iterable
from datetime import datetime

import mongomock
from bson import ObjectId
from mongomock import collection as mongomock_collection
from mongomock import filtering, helpers
from mongomock.collection import Cursor
from pymongo.errors import ExecutionTimeout

from .embedded_match import Unordered, compile_filter, sort_key

__all__ = ["EmbeddedClient", "EmbeddedDatabase", "EmbeddedCollection", "EmbeddedCursor",
           "INDEXED_TYPES", "WRITE_METHODS"]

#: Value types an index holds: hashable, and equal in Python exactly when equal in BSON.
INDEXED_TYPES = (str, ObjectId, int)
#: mongomock's methods through which every change to a collection's documents goes.
WRITE_METHODS = ("_insert", "_update", "_delete", "drop", "rename")


class _Data:
    """What the engine keeps beside one collection's documents (shared by every handle)."""

    def __init__(self):
        self.generation = 0  # moves at every write: data_version()
        #: Moves at a write that may change an indexed or unique field, or add, remove or
        #: replace a document: the indexes are rebuilt after it. A counter (``$inc`` of
        #: views) leaves them standing, since mongomock changes documents in place.
        self.index_generation = 0
        self.indexes: dict[str, _Index] = {}
        self.lock = threading.Lock()


class _Index:
    """An equality index on one field, as of one generation of the collection.

    It maps values to positions in the collection's natural order, so candidates come
    out in the order a scan would have produced them.
    """

    def __init__(self, field: str, stamp: tuple, documents: list[dict]):
        self.stamp = stamp
        self.by_value: dict[object, list[int]] = {}
        self.always: list[int] = []  # values of other types: candidates for any query
        self.documents = documents
        for position, doc in enumerate(documents):
            value = doc.get(field, _MISSING)
            if value is _MISSING:
                continue  # never equal to a string, an ObjectId or an integer
            if type(value) in INDEXED_TYPES:
                self.by_value.setdefault(value, []).append(position)
            else:
                self.always.append(position)

    def candidates(self, values: Iterable[object]) -> list[dict]:
        """The documents that may hold one of ``values``, in natural order."""
        positions = set(self.always)
        for value in values:
            positions.update(self.by_value.get(value, ()))
        return [self.documents[p] for p in sorted(positions)]


_MISSING = object()


def _lookup_values(condition: object) -> list[object] | None:
    """The values an equality condition asks for, or None when no index can answer it."""
    if type(condition) in INDEXED_TYPES:
        return [condition]
    if isinstance(condition, dict) and len(condition) == 1:
        (name, operand), = condition.items()
        if name == "$eq" and type(operand) in INDEXED_TYPES:
            return [operand]
        if name == "$in" and isinstance(operand, (list, tuple)) \
                and all(type(value) in INDEXED_TYPES for value in operand):
            return list(operand)
    return None


#: The top-level fields the write under way in this context changes (None: any field,
#: or documents added, removed or replaced).
_TOUCHED: contextvars.ContextVar[frozenset | None] = contextvars.ContextVar("pkyx_touched",
                                                                           default=None)


def _touched_fields(name: str, args: tuple, kwargs: dict) -> frozenset | None:
    """The top-level fields an ``_update(spec, document, …)`` changes, from its operators;
    None for any other write, a replacement or a pipeline."""
    if name != "_update":
        return None
    document = args[1] if len(args) > 1 else kwargs.get("document")
    if not isinstance(document, dict) or not document \
            or not all(isinstance(op, str) and op.startswith("$") for op in document):
        return None
    fields = set()
    for changes in document.values():
        if not isinstance(changes, dict):
            return None
        fields.update(str(path).split(".", 1)[0] for path in changes)
    return frozenset(fields)


def _counting_writes(method):
    """Wrap a mongomock write method so that it moves the collection's generation.

    The generation moves after the write, so an index built while the write was under
    way carries the older stamp and is rebuilt. An update that changes only fields no
    index or unique key looks at keeps the indexes (their documents change in place).
    """

    @functools.wraps(method)
    def write(self, *args, **kwargs):
        data = self._engine_data()
        touched = _touched_fields(method.__name__, args, kwargs)
        token = _TOUCHED.set(touched)
        try:
            return method(self, *args, **kwargs)
        finally:
            _TOUCHED.reset(token)
            with data.lock:
                data.generation += 1
                if self._may_move_indexes(data, touched):
                    data.index_generation += 1

    return write


class EmbeddedCollection(mongomock.Collection):
    """A mongomock collection with this module's indexes, matcher and lazy copies."""

    def _ensure_uniques(self, new_data):
        """mongomock's unique check, on indexes rebuilt from the documents as they are now.

        mongomock checks a write after changing the document in place; an index built
        before the write would still file that document under its old value and miss
        the duplicate the write creates. Moving the generation first makes the check's
        look-ups rebuild their index.
        """
        data = self._engine_data()
        with data.lock:
            data.generation += 1
            if self._may_move_indexes(data, _TOUCHED.get()):
                data.index_generation += 1
        super()._ensure_uniques(new_data)

    def _may_move_indexes(self, data: _Data, touched: frozenset | None) -> bool:
        """Whether a write that changes ``touched`` (None: anything) may leave an index
        filing a document under a value it no longer holds."""
        if touched is None:
            return True
        watched = set(data.indexes)
        for index in self._store.indexes.values():
            if index.get("unique"):
                watched.update(str(field).split(".", 1)[0] for field, _ in index["key"])
        return not touched.isdisjoint(watched)

    def _engine_data(self) -> _Data:
        """The engine's record for this collection's documents (created on first use)."""
        store = self._store
        return store.__dict__.get("pkyx_engine") or store.__dict__.setdefault(
            "pkyx_engine", _Data())

    def _stamp(self, data: _Data) -> tuple:
        """What an index must have been built at to be current.

        The count catches documents a TTL index expired (mongomock removes them outside
        the write methods); it is read without mongomock's reader lock, which costs more
        than the rest of an index look-up, and expiry is asked for only where a TTL index
        exists, as ``len(store)`` would.
        """
        return data.index_generation, _count(self._store)

    def data_version(self) -> tuple:
        """A value that changes whenever this collection's documents change.

        Read it *before* reading the documents: something computed from them stays
        current for as long as this value is unchanged (the store is one process).
        """
        data = self._engine_data()
        return data.generation, _count(self._store)

    def _index(self, field: str) -> _Index:
        """The current index on ``field``, built now if it is missing or stale."""
        data = self._engine_data()
        stamp = self._stamp(data)
        index = data.indexes.get(field)
        if index is None or index.stamp != stamp:
            index = _Index(field, stamp, list(self._store.documents))
            data.indexes[field] = index
        return index

    def _candidates(self, filter: object) -> list[dict] | None:
        """The documents that may match ``filter``, or None when a scan is needed."""
        if not isinstance(filter, dict):
            return None
        for field, condition in filter.items():
            if field == "$and" and isinstance(condition, list):
                for clause in condition:  # any one conjunct narrows the candidates
                    found = self._candidates(clause)
                    if found is not None:
                        return found
                continue
            if field.startswith("$") or "." in field:
                continue
            values = _lookup_values(condition)
            if values is None:
                continue
            if field == "_id" and len(values) == 1 and type(values[0]) is not int:
                try:
                    return [self._store[values[0]]]
                except KeyError:
                    return []
            return self._index(field).candidates(values)
        return None

    def _iter_documents(self, filter):
        matcher = compile_filter(filter)
        candidates = self._candidates(filter)
        if candidates is None:
            candidates = list(self._store.documents)
        if matcher is None:  # an operator MongoDB's rules here do not cover: mongomock's
            filtering.filter_applies(filter, {})  # a bad filter raises even with no documents
            matcher = functools.partial(filtering.filter_applies, filter)
        return _scan(candidates, matcher, self.database.client.pkyx_timeout)

    def _sorted_documents(self, spec, sort):
        """The stored documents matching ``spec`` in ``sort`` order (not copies)."""
        dataset = self._iter_documents(spec)
        shuffle = getattr(self.database.client, "pkyx_any_order", None)
        if shuffle is not None:  # ties (and unsorted results) in any order, as on MongoDB
            dataset = list(dataset)
            shuffle.shuffle(dataset)
            dataset = iter(dataset)
        if not sort:
            return dataset
        if isinstance(sort, dict):
            sort = sort.items()
        for field, direction in reversed(list(sort)):
            if field == "$natural":
                if direction < 0:
                    dataset = iter(reversed(list(dataset)))
                continue
            if field.startswith("$"):
                raise NotImplementedError(f"Sorting by {field} is not implemented")
            dataset = iter(_sorted(list(dataset), field, reverse=direction < 0))
        return dataset

    def _copies(self, documents: Iterable[dict], projection) -> list[dict]:
        """What a query returns for these stored documents: copies, projected."""
        aware = self.codec_options.tz_aware
        if projection is None:
            return [_copy(doc, aware) for doc in documents]
        results = [self._copy_only_fields(doc, projection, dict) for doc in documents]
        if aware:
            results = [helpers.make_datetime_timezone_aware_in_document(doc) for doc in results]
        return results

    def find_page(self, filter: dict, sort: list | None = None, skip: int = 0,
                  limit: int = 0, projection: dict | None = None) -> tuple[list[dict], int]:
        """``find(...).skip(skip).limit(limit)`` and ``count_documents(filter)`` in one pass.

        MongoDB needs two queries (or a ``$facet``) for a page and its total; here both
        come from the same list of matches.
        """
        spec = helpers.patch_datetime_awareness_in_document(filter)
        matches = list(self._sorted_documents(spec, sort))
        stop = skip + limit if limit else None
        return self._copies(matches[skip:stop], projection), len(matches)

    def find_page_fields(self, filter: dict, sort: list | None, skip: int, limit: int,
                         fields: tuple[str, ...]) -> tuple[list[tuple], int]:
        """:meth:`find_page`, each match given as the tuple of its top-level ``fields``
        (``None`` where one is absent) instead of a copy of the document.

        The values are the stored ones, not copies: ask only for immutable ones (ids,
        numbers, strings), such as what says which version of a document a match is.
        """
        spec = helpers.patch_datetime_awareness_in_document(filter)
        matches = list(self._sorted_documents(spec, sort))
        stop = skip + limit if limit else None
        return [tuple(doc.get(name) for name in fields) for doc in matches[skip:stop]], \
            len(matches)

    def find_one_fields(self, filter: dict, fields: tuple[str, ...]) -> tuple | None:
        """The ``fields`` of the first document matching ``filter``, as
        :meth:`find_page_fields` gives them, or ``None``."""
        matches = self._exact_matches(filter)
        if matches is None:
            spec = helpers.patch_datetime_awareness_in_document(filter)
            matches = self._sorted_documents(spec, None)
        for doc in matches:
            return tuple(doc.get(name) for name in fields)
        return None

    def _exact_matches(self, filter: dict) -> list[dict] | None:
        """The matches of ``{field: value}`` (a string, ObjectId or integer) straight from the
        field's index, when the index alone decides: no document holds a value of another
        type there (else None, and the query goes the usual way). Shuffled as
        :meth:`_sorted_documents` shuffles them under ``any_order``."""
        if len(filter) != 1:
            return None
        (field, value), = filter.items()
        if type(value) not in INDEXED_TYPES or not isinstance(field, str) \
                or field.startswith("$") or "." in field or field == "_id":
            return None
        index = self._index(field)
        if index.always:
            return None
        matches = [index.documents[p] for p in index.by_value.get(value, ())]
        shuffle = getattr(self.database.client, "pkyx_any_order", None)
        if shuffle is not None:
            shuffle.shuffle(matches)
        return matches

    def _get_dataset(self, spec, sort, fields, as_class):
        for document in self._sorted_documents(spec, sort):
            yield self._copy_only_fields(document, fields, as_class)

    def find(self, *args, **kwargs):
        cursor = super().find(*args, **kwargs)
        cursor.__class__ = EmbeddedCursor
        return cursor

    def with_options(self, *args, **kwargs):
        collection = super().with_options(*args, **kwargs)
        collection.__class__ = type(self)
        return collection


def _count(store) -> int:
    """``len(store)`` of a mongomock collection store, without its reader lock."""
    if store._ttl_indexes:
        store._remove_expired_documents()
    return len(store._documents)


#: How many documents a scan tests between two looks at the clock.
SCAN_STRIDE = 64


def _scan(candidates: list[dict], matcher, seconds: float | None):
    """The candidates that match, testing them within ``seconds`` (MongoDB's ``maxTimeMS``).

    A scan that runs out raises ``ExecutionTimeout`` as a server does (code 50), so one slow
    query fails its own request and holds the thread no longer than the budget.
    """
    deadline = None if seconds is None else time.monotonic() + seconds
    for n, doc in enumerate(candidates):
        if deadline is not None and n and n % SCAN_STRIDE == 0 and time.monotonic() > deadline:
            raise ExecutionTimeout("operation exceeded time limit", 50)
        if matcher(doc):
            yield doc


def _sorted(documents: list[dict], key: str, reverse: bool) -> list[dict]:
    """``documents`` in MongoDB's order for ``key`` (see :func:`sort_key`), stable.

    A value of a type the rules do not place goes through mongomock's own sort key.
    """
    try:
        keys = [sort_key(doc, key, reverse) for doc in documents]
    except Unordered:
        return sorted(documents, key=functools.partial(filtering.resolve_sort_key, key),
                      reverse=reverse)
    order = sorted(range(len(documents)), key=keys.__getitem__, reverse=reverse)
    return [documents[i] for i in order]


def _copy(value, aware: bool):
    """A copy of a stored value as mongomock returns it (dates made aware if ``aware``)."""
    kind = type(value)
    if kind is dict:  # leaves are shared without a call: most values are leaves
        return {key: item if type(item) in _SHARED else _copy(item, aware)
                for key, item in value.items()}
    if kind is list:
        return [item if type(item) in _SHARED else _copy(item, aware) for item in value]
    if kind in _SHARED:
        return value
    if kind is datetime:
        return value.replace(tzinfo=helpers.utc) if aware else value  # as mongomock does
    copied = mongomock_collection._copy_field(value, dict)  # anything else: mongomock's way
    return helpers.make_datetime_timezone_aware_in_document(copied) if aware else copied


#: Immutable values a copy may share with the stored document.
_SHARED = frozenset({str, int, float, bool, type(None), bytes, ObjectId})


for _name in WRITE_METHODS:
    setattr(EmbeddedCollection, _name, _counting_writes(getattr(mongomock.Collection, _name)))


class EmbeddedCursor(Cursor):
    """A cursor that copies only the documents inside its ``skip`` and ``limit``."""

    def _compute_results(self, with_limit_and_skip=False):
        if not with_limit_and_skip:
            return super()._compute_results(with_limit_and_skip)
        key = (self._factory, self._skip, self._limit)
        if getattr(self, "_page_key", None) != key:
            collection = self.collection
            stop = None if not self._limit else self._skip + abs(self._limit)
            page = itertools.islice(collection._sorted_documents(self._spec, self._sort),
                                    self._skip, stop)
            self._page, self._page_key = collection._copies(page, self._projection), key
        return self._page

    def clone(self):
        cursor = super().clone()
        cursor.__class__ = type(self)
        return cursor


class EmbeddedDatabase(mongomock.Database):
    """A mongomock database whose collections are :class:`EmbeddedCollection`."""

    def get_collection(self, *args, **kwargs):
        collection = super().get_collection(*args, **kwargs)
        collection.__class__ = EmbeddedCollection
        return collection


class EmbeddedClient(mongomock.MongoClient):
    """mongomock's client with this engine, and the ``options.timeout`` GridFS reads.

    ``timeout_ms`` bounds every query's scan, as ``timeoutMS`` bounds them on MongoDB.
    ``any_order=True`` (the test suite's setting) returns documents that tie on every sort
    key, and the documents of a query without a sort, in a shuffled order, as MongoDB may:
    code that pages through ties without a tie-break then fails its tests, as it would
    fail its users on a server. The shuffle is seeded, so a test fails the same way twice.
    """

    options = types.SimpleNamespace(timeout=None)

    def __init__(self, *args, any_order: bool = False, timeout_ms: int | None = None,
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.pkyx_any_order = random.Random(0) if any_order else None
        self.pkyx_timeout = None if timeout_ms is None else timeout_ms / 1000

    def get_database(self, *args, **kwargs):
        database = super().get_database(*args, **kwargs)
        database.__class__ = EmbeddedDatabase
        return database
