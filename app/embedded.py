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

import functools
import itertools
import operator
import threading
import types
from collections.abc import Callable, Iterable
from datetime import datetime

import mongomock
from bson import ObjectId
from mongomock import collection as mongomock_collection
from mongomock import filtering, helpers
from mongomock.collection import Cursor

__all__ = ["EmbeddedClient", "EmbeddedDatabase", "EmbeddedCollection", "EmbeddedCursor",
           "INDEXED_TYPES", "WRITE_METHODS"]

#: Value types an index holds: hashable, and equal in Python exactly when equal in BSON.
INDEXED_TYPES = (str, ObjectId, int)
#: mongomock's methods through which every change to a collection's documents goes.
WRITE_METHODS = ("_insert", "_update", "_delete", "drop", "rename")


class _Data:
    """What the engine keeps beside one collection's documents (shared by every handle)."""

    def __init__(self):
        self.generation = 0
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


def _counting_writes(method):
    """Wrap a mongomock write method so that it moves the collection's generation.

    The generation moves after the write, so an index built while the write was under
    way carries the older stamp and is rebuilt.
    """

    @functools.wraps(method)
    def write(self, *args, **kwargs):
        data = self._engine_data()
        try:
            return method(self, *args, **kwargs)
        finally:
            with data.lock:
                data.generation += 1

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
        super()._ensure_uniques(new_data)

    def _engine_data(self) -> _Data:
        """The engine's record for this collection's documents (created on first use)."""
        store = self._store
        return store.__dict__.get("pkyx_engine") or store.__dict__.setdefault(
            "pkyx_engine", _Data())

    def _stamp(self, data: _Data) -> tuple:
        """What an index must have been built at to be current."""
        return data.generation, len(self._store)

    def data_version(self) -> tuple:
        """A value that changes whenever this collection's documents change.

        Read it *before* reading the documents: something computed from them stays
        current for as long as this value is unchanged (the store is one process).
        """
        return self._stamp(self._engine_data())

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
        matcher = _compile(filter)
        candidates = self._candidates(filter)
        if candidates is None:
            if matcher is None:
                return super()._iter_documents(filter)
            candidates = list(self._store.documents)
        if not candidates and matcher is None:
            filtering.filter_applies(filter, {})  # a bad filter still raises, as in a scan
        return (doc for doc in candidates if _matches(matcher, filter, doc))

    def _sorted_documents(self, spec, sort):
        """The stored documents matching ``spec`` in ``sort`` order (not copies)."""
        dataset = self._iter_documents(spec)
        if not sort:
            return dataset
        if isinstance(sort, dict):
            sort = sort.items()
        for sort_key, direction in reversed(list(sort)):
            if sort_key == "$natural":
                if direction < 0:
                    dataset = iter(reversed(list(dataset)))
                continue
            if sort_key.startswith("$"):
                raise NotImplementedError(f"Sorting by {sort_key} is not implemented")
            dataset = iter(_sorted(list(dataset), sort_key, reverse=direction < 0))
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


class _Undecided(Exception):
    """A value a compiled filter does not judge (an array, a sub-document, NaN…)."""


def _matches(matcher, filter, doc: dict) -> bool:
    """Whether ``doc`` matches: by the compiled filter when it can tell, else mongomock."""
    if matcher is not None:
        try:
            return matcher(doc)
        except _Undecided:
            pass
    return filtering.filter_applies(filter, doc)


#: Operand types a compiled filter compares, and the comparisons it knows.
_OPERAND_TYPES = (str, int, float)
_COMPARISONS = {"$lt": operator.lt, "$lte": operator.le, "$gt": operator.gt,
                "$gte": operator.ge, "$eq": operator.eq}


def _compile(filter) -> Callable[[dict], bool] | None:
    """A fast predicate for the filters pkyx builds, or None to leave it to mongomock.

    It takes a top-level ``$and`` and fields (dotted paths too) compared with strings or
    numbers by equality, ``$in``, ``$lt``/``$lte``/``$gt``/``$gte`` and ``$exists``.
    Values are compared as BSON does (a number never equals a string or a boolean); a
    document whose value is an array, a sub-document, a boolean or NaN raises
    :class:`_Undecided` and goes to mongomock's matcher.
    """
    if not isinstance(filter, dict):
        return None
    tests = []
    for field, condition in filter.items():
        if field == "$and":
            if not isinstance(condition, list) or not condition:
                return None
            inner = [_compile(clause) for clause in condition]
            if any(test is None for test in inner):
                return None
            tests.extend(inner)
        elif field.startswith("$") or not field:
            return None
        else:
            test = _condition(condition)
            if test is None:
                return None
            tests.append(functools.partial(_on_path, tuple(field.split(".")), test))
    return lambda doc: all(test(doc) for test in tests)


def _operand(value) -> bool:
    return type(value) in _OPERAND_TYPES and value == value  # not NaN


def _condition(condition) -> Callable[[object], bool] | None:
    """A test of one field's value, or None when the condition is not one we compile."""
    if _operand(condition):
        return functools.partial(_compare, operator.eq, condition)
    if not isinstance(condition, dict) or not condition:
        return None
    tests = []
    for name, operand in condition.items():
        if name in _COMPARISONS and _operand(operand):
            tests.append(functools.partial(_compare, _COMPARISONS[name], operand))
        elif name == "$in" and isinstance(operand, list) and all(map(_operand, operand)):
            tests.append(functools.partial(_among, tuple(operand)))
        elif name == "$exists" and type(operand) is bool:
            tests.append(functools.partial(_exists, operand))
        else:
            return None
    return lambda value: all(test(value) for test in tests)


def _on_path(path: tuple[str, ...], test, doc: dict) -> bool:
    """``test`` of the value at a dotted ``path`` (_MISSING when there is none)."""
    value = doc
    for part in path:
        if isinstance(value, dict):  # mongomock keeps some documents as OrderedDicts
            value = value.get(part, _MISSING)
        elif isinstance(value, list):
            raise _Undecided  # arrays: each element may match
        else:
            return test(_MISSING)
        if value is _MISSING:
            return test(_MISSING)
    return test(value)


#: The BSON family of each value type a compiled filter judges.
#: Booleans are left to mongomock, which (unlike MongoDB) finds ``True`` equal to ``1``.
_FAMILIES = {str: "string", int: "number", float: "number", type(None): "null",
             ObjectId: "objectid", datetime: "date"}


def _family(value) -> str:
    if value is _MISSING:
        return "missing"
    family = _FAMILIES.get(type(value))
    if family is None or value != value:  # arrays, sub-documents, other types, NaN
        raise _Undecided
    return family


def _compare(op, operand, value) -> bool:
    return _family(value) == _family(operand) and op(value, operand)


def _among(operands: tuple, value) -> bool:
    family = _family(value)
    return any(family == _family(operand) and value == operand for operand in operands)


def _exists(wanted: bool, value) -> bool:
    if isinstance(value, list | dict):
        return wanted
    return (_family(value) != "missing") == wanted


#: BSON's order of types (mongomock's ranks), for the values a plain key can sort.
_TYPE_RANKS = {type(None): 5, int: 10, float: 10, str: 15, ObjectId: 35, bool: 40,
               datetime: 45}


def _sorted(documents: list[dict], key: str, reverse: bool) -> list[dict]:
    """``documents`` in mongomock's order for ``key``, stable.

    When every value is missing, null, a number, a string, an ObjectId, a boolean or a
    date, a plain tuple (type rank, value) sorts them as mongomock's BSON comparison
    would, at a fraction of the cost; anything else (arrays, sub-documents…) goes
    through mongomock's own sort key.
    """
    keys = []
    for doc in documents:
        value = filtering.resolve_key(key, doc)
        if value is filtering.NOTHING:
            value = None
        rank = _TYPE_RANKS.get(type(value))
        if rank is None:
            return sorted(documents, key=functools.partial(filtering.resolve_sort_key, key),
                          reverse=reverse)
        keys.append((rank, 0 if value is None else value))
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
    """mongomock's client with this engine, and the ``options.timeout`` GridFS reads."""

    options = types.SimpleNamespace(timeout=None)

    def get_database(self, *args, **kwargs):
        database = super().get_database(*args, **kwargs)
        database.__class__ = EmbeddedDatabase
        return database
