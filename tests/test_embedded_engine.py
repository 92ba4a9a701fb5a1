"""The embedded engine (app/embedded.py) answers as MongoDB's documented rules say.

Hypothesis runs the same writes and queries against an :class:`EmbeddedClient` and
against :class:`Model`, a plain reading of MongoDB's rules ("Comparison/Sort Order",
arrays and null in queries) written independently of ``app/embedded_match.py``, and
compares every answer. Where mongomock's own answer differs from MongoDB's, a named test
below shows the case. The other tests check that every way of changing a collection
reaches the indexes, that unique indexes hold mid-write, and that indexes and lazy
copies are really used.

Two things MongoDB leaves open are fixed here the way the engine does them: documents
without a sort come in insertion order (MongoDB's "natural order" is unspecified, so pkyx
never relies on it: every sort it sends ends with ``_id``), and NaN is left out of the
generated values (pkyx stores no NaN; its rules have a named test).
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime

import bson
import mongomock
import pytest
from bson import ObjectId
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pymongo import ASCENDING, DESCENDING, InsertOne, ReturnDocument
from pymongo.errors import DuplicateKeyError, OperationFailure

from app import embedded
from app.embedded import EmbeddedClient, EmbeddedCollection, EmbeddedCursor

OIDS = [ObjectId(f"{n:024x}") for n in range(1, 5)]
DATES = [datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, 0, 0, 1, 5000, tzinfo=UTC),
         datetime(2025, 6, 1)]
FIELDS = ("a", "b")

scalars = st.one_of(
    st.sampled_from(["x", "y", "z", ""]),
    st.integers(-2, 2),
    st.sampled_from([True, False, None, 1.0, 2.5, -0.0, b"x", b"", b"ab"]),
    st.sampled_from(OIDS),
    st.sampled_from(DATES),
)
values = st.one_of(scalars, st.lists(scalars, max_size=3), st.fixed_dictionaries({"k": scalars}),
                   st.fixed_dictionaries({"k": scalars, "j": scalars}))
documents = st.fixed_dictionaries({}, optional={field: values for field in FIELDS})
# No _id 0: mongomock's replace_one loses a falsy _id (a bug pkyx never meets: its ids are
# ObjectIds).
ids = st.one_of(st.sampled_from(OIDS), st.sampled_from(["p", "q", "r"]), st.integers(1, 4))


#: Conditions on one field: the indexed and compiled shapes, and others that must scan.
conditions = st.one_of(
    scalars,
    st.builds(lambda v: {"$eq": v}, scalars),
    st.builds(lambda vs: {"$in": vs}, st.lists(scalars, max_size=3)),
    st.builds(lambda vs: {"$nin": vs}, st.lists(scalars, max_size=3)),
    st.builds(lambda op, v: {op: v}, st.sampled_from(["$gt", "$gte", "$lt", "$lte"]), scalars),
    st.builds(lambda lo, hi: {"$gte": lo, "$lt": hi}, scalars, scalars),
    st.builds(lambda v: {"$ne": v}, scalars),
    st.builds(lambda v: {"$exists": v}, st.booleans()),
    st.builds(lambda vs: {"$all": vs}, st.lists(scalars, max_size=2)),
    st.lists(scalars, max_size=2),
    st.fixed_dictionaries({"k": scalars}),
)


simple_filters = st.one_of(
    st.just({}),
    st.builds(lambda f, c: {f: c}, st.sampled_from(FIELDS), conditions),
    st.builds(lambda c1, c2: {"a": c1, "b": c2}, conditions, conditions),
    st.builds(lambda i: {"_id": i}, ids),
    st.builds(lambda i: {"_id": {"$in": i}}, st.lists(ids, max_size=3)),
    st.builds(lambda c: {"a.k": c}, conditions),
)
filters = st.one_of(simple_filters,
                    st.builds(lambda fs: {"$and": fs}, st.lists(simple_filters, min_size=1,
                                                                max_size=3)))
sorts = st.one_of(st.none(), st.lists(st.tuples(st.sampled_from(["a", "b", "a.k", "_id"]),
                                                st.sampled_from([ASCENDING, DESCENDING])),
                                      min_size=1, max_size=2, unique_by=lambda s: s[0]))

# mongomock's replace_one takes a top-level ``_id`` condition such as ``{$in: […]}`` for the
# new _id and fails; pkyx never replaces documents, so the writes keep clear of that bug.
replace_targets = filters.filter(lambda f: not isinstance(f.get("_id"), dict))

writes = st.one_of(
    st.tuples(st.just("insert"), ids, documents),
    st.tuples(st.just("update_one"), filters, documents),
    st.tuples(st.just("update_many"), filters, documents),
    st.tuples(st.just("replace_one"), replace_targets, documents),
    st.tuples(st.just("delete_one"), filters, st.none()),
    st.tuples(st.just("delete_many"), filters, st.none()),
    st.tuples(st.just("find_one_and_update"), filters, documents),
)
queries = st.tuples(st.just("find"), filters, sorts, st.integers(0, 3), st.integers(0, 3))
steps = st.lists(st.one_of(queries, writes), min_size=1, max_size=25)


def total(sort):
    """A sort with ``_id`` last, as pkyx sends every sort (ties have no order in MongoDB)."""
    if sort is None or any(field == "_id" for field, _ in sort):
        return sort
    return [*sort, ("_id", ASCENDING)]


def run(collection, step):
    """Apply one step to the engine; the answer, or the error's type."""
    try:
        kind = step[0]
        if kind == "find":
            _, filter, sort, skip, limit = step
            sort = total(sort)
            cursor = collection.find(filter, sort=sort).skip(skip).limit(limit)
            return [list(cursor), collection.count_documents(filter),
                    collection.find_one(filter, sort=sort)]
        _, target, doc = step
        if kind == "insert":
            return collection.insert_one({**doc, "_id": target}).inserted_id
        if kind in ("update_one", "update_many"):
            update = {"$set": doc} if doc else {"$unset": {"a": ""}}
            return getattr(collection, kind)(target, update).matched_count
        if kind == "replace_one":
            return collection.replace_one(target, doc).matched_count
        if kind in ("delete_one", "delete_many"):
            return getattr(collection, kind)(target).deleted_count
        update = {"$set": doc} if doc else {"$inc": {"n": 1}}
        return collection.find_one_and_update(target, update,
                                              return_document=ReturnDocument.AFTER)
    except (OperationFailure, TypeError, ValueError) as exc:
        return type(exc).__name__


# ----------------------------------------------------------------------------- the model

EMPTY = object()  # an empty array, as a sort key: below null
RANKS = ((type(None), 2), (bool, 9), (int, 3), (float, 3), (str, 4), (dict, 5), (list, 6),
         (bytes, 7), (ObjectId, 8), (datetime, 10))


def rank(value) -> float:
    """MongoDB's order of types (bool before int: in Python a bool is an int)."""
    if value is EMPTY:
        return 1.5
    return next(r for kind, r in RANKS if isinstance(value, kind))


def sign(x) -> int:
    return (x > 0) - (x < 0)


def compare(a, b) -> int:
    """-1, 0 or 1: BSON's comparison of two values."""
    if rank(a) != rank(b):
        return sign(rank(a) - rank(b))
    if a is None or a is EMPTY:
        return 0
    if isinstance(a, dict):
        for (name_a, item_a), (name_b, item_b) in zip(a.items(), b.items(), strict=False):
            step = (sign(rank(item_a) - rank(item_b)) or sign((name_a > name_b) - (name_a < name_b))
                    or compare(item_a, item_b))
            if step:
                return step
        return sign(len(a) - len(b))
    if isinstance(a, list):
        for item_a, item_b in zip(a, b, strict=False):
            if step := compare(item_a, item_b):
                return step
        return sign(len(a) - len(b))
    if isinstance(a, bytes):
        return compare([len(a), list(a)], [len(b), list(b)])
    if isinstance(a, datetime):
        a, b = (d if d.tzinfo else d.replace(tzinfo=UTC) for d in (a, b))
        a, b = (d.replace(microsecond=d.microsecond // 1000 * 1000) for d in (a, b))
    return (a > b) - (a < b)


def reach(doc: dict, path: str) -> tuple[list, bool]:
    """The values at ``path`` and whether it is missing, for the strategies' shapes."""
    if "." in path:
        head, tail = path.split(".")
        inner = doc.get(head)
        if isinstance(inner, dict) and tail in inner:
            return [inner[tail]], False
        return [], True  # missing, a scalar, or an array of scalars (no sub-documents)
    return ([doc[path]], False) if path in doc else ([], True)


def each(found: list) -> list:
    """The values, and the elements of those that are arrays."""
    return [*found, *(item for value in found if isinstance(value, list) for item in value)]


def satisfies(found: list, missing: bool, op: str, operand) -> bool:
    """One operator of MongoDB's query language against the values at a path."""
    if op == "$eq":
        return (operand is None and missing) or any(compare(v, operand) == 0
                                                    for v in each(found))
    if op == "$ne":
        return not satisfies(found, missing, "$eq", operand)
    if op == "$in":
        return any(satisfies(found, missing, "$eq", item) for item in operand)
    if op == "$nin":
        return not satisfies(found, missing, "$in", operand)
    if op == "$all":
        return bool(operand) and all(satisfies(found, missing, "$eq", x) for x in operand)
    if op == "$exists":
        return bool(found) == operand
    wanted = {"$gt": (1,), "$gte": (0, 1), "$lt": (-1,), "$lte": (0, -1)}[op]
    if operand is None:
        return 0 in wanted and satisfies(found, missing, "$eq", None)
    return any(rank(v) == rank(operand) and compare(v, operand) in wanted for v in each(found))


def matches(filter: dict, doc: dict) -> bool:
    for field, condition in filter.items():
        if field == "$and":
            if not all(matches(clause, doc) for clause in condition):
                return False
            continue
        found, missing = reach(doc, field)
        if isinstance(condition, dict) and condition and all(k.startswith("$")
                                                             for k in condition):
            ok = all(satisfies(found, missing, op, operand) for op, operand in condition.items())
        else:
            ok = satisfies(found, missing, "$eq", condition)
        if not ok:
            return False
    return True


def sort_value(doc: dict, path: str, descending: bool):
    found, missing = reach(doc, path)
    keys = [None] if missing else []
    for value in found:
        keys.extend((value or [EMPTY]) if isinstance(value, list) else [value])
    pick = max if descending else min
    return pick(keys, key=functools.cmp_to_key(compare))


class Model:
    """A collection that follows MongoDB's rules, for the strategies' documents.

    ``unique`` names a field with a unique index (not sparse: a missing value is null).
    """

    def __init__(self, docs, unique: str | None = None):
        self.docs = [dict(doc) for doc in docs]
        self.unique = unique

    def _matching(self, filter):
        return [doc for doc in self.docs if matches(filter, doc)]

    def _sorted(self, docs, sort):
        def order(x, y):
            for field, direction in sort:
                descending = direction < 0
                step = compare(sort_value(x, field, descending), sort_value(y, field, descending))
                if step:
                    return -step if descending else step
            return 0
        return sorted(docs, key=functools.cmp_to_key(order)) if sort else docs

    def _taken(self, doc) -> bool:
        """Whether another document holds ``doc``'s value of the unique field."""
        if self.unique is None:
            return False
        value = doc.get(self.unique)
        return any(other is not doc and compare(other.get(self.unique), value) == 0
                   for other in self.docs)

    def _change(self, doc, change) -> bool:
        """Apply ``change`` to ``doc``; undo it and say False if it breaks the unique index."""
        before = dict(doc)
        change(doc)
        if self._taken(doc):
            doc.clear()
            doc.update(before)
            return False
        return True

    def run(self, step):
        kind = step[0]
        if kind == "find":
            _, filter, sort, skip, limit = step
            found = self._sorted(self._matching(filter), total(sort))
            page = found[skip:skip + limit if limit else None]
            return [[dict(d) for d in page], len(found), dict(found[0]) if found else None]
        _, target, doc = step
        if kind == "insert":
            new = {**doc, "_id": target}
            if any(compare(d["_id"], target) == 0 for d in self.docs):
                return "DuplicateKeyError"
            self.docs.append(new)
            if self._taken(new):
                self.docs.pop()
                return "DuplicateKeyError"
            return target
        found = self._matching(target)
        if kind in ("update_one", "update_many", "find_one_and_update"):
            if kind != "update_many":
                found = found[:1]
            for d in found:
                if doc:
                    ok = self._change(d, lambda d: d.update(doc))
                elif kind == "find_one_and_update":
                    ok = self._change(d, lambda d: d.update(n=d.get("n", 0) + 1))
                else:
                    ok = self._change(d, lambda d: d.pop("a", None))
                if not ok:
                    return "DuplicateKeyError"
            if kind == "find_one_and_update":
                return dict(found[0]) if found else None
            return len(found)
        if kind == "replace_one":
            for d in found[:1]:
                if not self._change(d, lambda d, kept=d["_id"]: (d.clear(),
                                                                 d.update({"_id": kept, **doc}))):
                    return "DuplicateKeyError"
            return len(found[:1])
        gone = found[:1] if kind == "delete_one" else found
        self.docs = [d for d in self.docs if all(d is not g for g in gone)]
        return len(gone)


def typed(value):
    """A value with its BSON types visible (so ``True`` and ``1`` differ)."""
    return bson.encode({"v": value}) if value is not None else None


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(documents, max_size=8), steps)
def test_every_answer_follows_mongodbs_rules(initial, steps):
    engine = EmbeddedClient(tz_aware=True).db.things
    docs = [{**doc, "_id": n} for n, doc in enumerate(initial, start=1)]
    model = Model(docs)
    if docs:
        engine.insert_many(docs)
    for step in steps:
        expected = model.run(step)
        assert typed(run(engine, step)) == typed(expected), step
        if step[0] == "find":
            _, filter, sort, skip, limit = step
            assert typed(list(engine.find_page(filter, total(sort), skip, limit))) == \
                typed([expected[0], expected[1]])
    assert typed(list(engine.find())) == typed(model.docs)


UNIQUE_VALUES = ["x", "y", "z", 1, 2]
unique_documents = st.fixed_dictionaries({}, optional={"u": st.sampled_from(UNIQUE_VALUES),
                                                       "a": scalars})
unique_filters = st.one_of(simple_filters,
                           st.builds(lambda v: {"u": v}, st.sampled_from(UNIQUE_VALUES)))
unique_steps = st.lists(st.one_of(
    st.tuples(st.just("find"), unique_filters, sorts, st.integers(0, 3), st.integers(0, 3)),
    *(st.tuples(st.just(kind), unique_filters, unique_documents)
      for kind in ("update_one", "update_many", "find_one_and_update")),
    st.tuples(st.just("replace_one"), unique_filters.filter(
        lambda f: not isinstance(f.get("_id"), dict)), unique_documents),
    st.tuples(st.just("insert"), ids, unique_documents),
    st.tuples(st.just("delete_one"), unique_filters, st.none()),
), min_size=1, max_size=25)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(UNIQUE_VALUES), max_size=5, unique=True), unique_steps)
def test_unique_indexes_refuse_what_mongodb_refuses(initial, steps):
    """Writes that change a unique field: a duplicate is refused however the index was built
    (reads between the writes build the engine's equality indexes)."""
    engine = EmbeddedClient(tz_aware=True).db.things
    engine.create_index("u", unique=True)
    docs = [{"_id": n, "u": u} for n, u in enumerate(initial, start=1)]
    if docs:
        engine.insert_many(docs)
    model = Model(docs, unique="u")
    for step in steps:
        expected = model.run(step)
        assert typed(run(engine, step)) == typed(expected), step
    assert typed(list(engine.find())) == typed(model.docs)


def test_an_update_onto_a_taken_unique_value_is_refused_after_a_read():
    """The probe's case: a read builds the email index, then an update takes chen's address."""
    users = EmbeddedClient(tz_aware=True).db.users
    users.create_index("email", unique=True)
    users.insert_many([{"_id": 1, "email": "bob@example.org"},
                       {"_id": 2, "email": "chen@example.org"}])
    for _ in range(2):  # the first refusal used to rebuild the index; the second got through
        assert users.find_one({"email": "chen@example.org"})["_id"] == 2
        with pytest.raises(DuplicateKeyError):
            users.update_one({"_id": 1}, {"$set": {"email": "chen@example.org"}})
    assert users.count_documents({"email": "chen@example.org"}) == 1
    assert users.find_one({"_id": 1})["email"] == "bob@example.org"


def test_a_counter_keeps_the_indexes_and_they_stay_right():
    """A view counter ($inc of a field no index or unique key looks at) leaves the equality
    indexes standing: mongomock changes the document in place, and rebuilding them after
    every view cost a scan of the collection per page."""
    entries = EmbeddedClient(tz_aware=True).db.entries
    entries.create_index("slug", unique=True)
    entries.insert_many([{"_id": n, "slug": f"s{n}", "views": 0} for n in range(50)])
    assert entries.find_one({"slug": "s7"})["views"] == 0
    built = entries._index("slug")
    for _ in range(3):
        entries.update_one({"_id": 7}, {"$inc": {"views": 1}})
        entries.find_one_and_update({"slug": "s8"}, {"$inc": {"views": 2}, "$set": {"seen": 1}})
    assert entries._index("slug") is built
    assert entries.find_one({"slug": "s7"})["views"] == 3
    assert entries.find_one({"slug": "s8"})["views"] == 6
    before = entries.data_version()
    entries.update_one({"_id": 9}, {"$inc": {"views": 1}})
    assert entries.data_version() != before  # caches of the documents still see the write


@pytest.mark.parametrize("change", [
    {"$set": {"slug": "renamed"}},            # an indexed and unique field
    {"$rename": {"slug": "old_slug"}},        # the field moves away
    {"$unset": {"slug": ""}},
])
def test_a_write_to_an_indexed_field_rebuilds_the_index(change):
    entries = EmbeddedClient(tz_aware=True).db.entries
    entries.insert_many([{"_id": n, "slug": f"s{n}", "group": "g"} for n in range(5)])
    assert entries.find_one({"slug": "s1"})["_id"] == 1  # builds the index
    entries.update_one({"_id": 1}, change)
    assert entries.find_one({"slug": "s1"}) is None
    assert entries.find_one({"slug": "renamed"}) == (
        {"_id": 1, "slug": "renamed", "group": "g"} if "$set" in change else None)


def test_a_replacement_rebuilds_the_indexes():
    entries = EmbeddedClient(tz_aware=True).db.entries
    entries.insert_many([{"_id": n, "group": "a"} for n in range(5)])
    assert entries.count_documents({"group": "a"}) == 5
    entries.replace_one({"_id": 2}, {"group": "b"})
    assert entries.count_documents({"group": "a"}) == 4
    assert [d["_id"] for d in entries.find({"group": "b"})] == [2]


@pytest.fixture
def things():
    collection = EmbeddedClient(tz_aware=True).db.things
    collection.insert_many([{"_id": n, "slug": f"s{n}", "group": n % 3, "tags": ["t", f"u{n}"]}
                            for n in range(30)])
    return collection


def test_collections_and_cursors_are_the_engines(things):
    assert isinstance(things, EmbeddedCollection)
    assert isinstance(things.find(), EmbeddedCursor)
    assert isinstance(things.find().clone(), EmbeddedCursor)
    assert isinstance(things.with_options(codec_options=things.codec_options), EmbeddedCollection)
    assert isinstance(things.database.get_collection("other"), EmbeddedCollection)


def test_equality_queries_read_only_their_candidates(things, monkeypatch):
    seen = []
    original = embedded._scan

    def counting(candidates, matcher, seconds):
        def spy(doc):
            seen.append(doc["_id"])
            return matcher(doc)
        return original(candidates, spy, seconds)

    monkeypatch.setattr(embedded, "_scan", counting)
    assert things.find_one({"slug": "s7"})["_id"] == 7
    assert seen == [7]
    seen.clear()
    assert [d["_id"] for d in things.find({"$and": [{"group": 1}, {"slug": {"$ne": "s1"}}]})] \
        == list(range(4, 30, 3))
    assert seen == list(range(1, 30, 3))
    seen.clear()
    assert things.count_documents({"_id": {"$in": [3, 5, 99]}}) == 2
    assert seen == [3, 5]


def test_a_cursor_copies_only_the_page_it_returns(things, monkeypatch):
    copied = []
    original = embedded._copy

    def counting(value, aware):
        if isinstance(value, dict) and "_id" in value:
            copied.append(value["_id"])
        return original(value, aware)

    monkeypatch.setattr(embedded, "_copy", counting)
    page = list(things.find({}).sort("group", DESCENDING).skip(5).limit(3))
    assert [d["_id"] for d in page] == [17, 20, 23]
    assert copied == [17, 20, 23]
    copied.clear()
    assert things.find_one({"slug": "s4"}, {"slug": 1}) == {"_id": 4, "slug": "s4"}


def test_returned_documents_are_copies(things):
    doc = things.find_one({"slug": "s1"})
    doc["tags"].append("changed")
    doc["slug"] = "changed"
    assert things.find_one({"_id": 1})["tags"] == ["t", "u1"]
    assert things.find_one({"slug": "s1"})["_id"] == 1


@pytest.mark.parametrize("change, query, expected", [
    (lambda c: c.insert_one({"_id": 100, "slug": "new"}), {"slug": "new"}, [100]),
    (lambda c: c.insert_many([{"_id": 101, "slug": "new"}]), {"slug": "new"}, [101]),
    (lambda c: c.update_one({"_id": 2}, {"$set": {"slug": "new"}}), {"slug": "new"}, [2]),
    (lambda c: c.update_many({"group": 0}, {"$set": {"slug": "new"}}), {"slug": "new"},
     list(range(0, 30, 3))),
    (lambda c: c.replace_one({"_id": 4}, {"slug": "new"}), {"slug": "new"}, [4]),
    (lambda c: c.update_one({"_id": 200}, {"$set": {"slug": "new"}}, upsert=True),
     {"slug": "new"}, [200]),
    (lambda c: c.find_one_and_update({"_id": 5}, {"$set": {"slug": "new"}}), {"slug": "new"},
     [5]),
    (lambda c: c.find_one_and_replace({"_id": 6}, {"slug": "new"}), {"slug": "new"}, [6]),
    (lambda c: c.find_one_and_delete({"slug": "s8"}), {"slug": "s8"}, []),
    (lambda c: c.delete_one({"slug": "s9"}), {"slug": "s9"}, []),
    (lambda c: c.delete_many({"group": 2}), {"group": 2}, []),
    (lambda c: c.bulk_write([InsertOne({"_id": 102, "slug": "new"})]), {"slug": "new"}, [102]),
    (lambda c: c.with_options().update_one({"_id": 10}, {"$set": {"slug": "new"}}),
     {"slug": "new"}, [10]),
    (lambda c: c.drop(), {"group": 1}, []),
    (lambda c: c.database.drop_collection("things"), {"group": 1}, []),
])
def test_every_write_reaches_the_indexes(things, change, query, expected):
    before = sorted(d["_id"] for d in things.find(query))  # the index, as of before
    change(things)
    assert before != expected
    assert sorted(d["_id"] for d in things.find(query)) == expected


def test_a_renamed_collection_keeps_answering_from_its_data(things):
    assert things.find_one({"slug": "s3"})["_id"] == 3
    things.rename("renamed")
    renamed = things.database.renamed
    assert renamed.find_one({"slug": "s3"})["_id"] == 3
    assert things.database.things.find_one({"slug": "s3"}) is None


def test_a_bad_filter_still_fails_when_the_index_finds_nothing(things):
    with pytest.raises(OperationFailure):
        things.find_one({"$bogus": 1, "slug": "nothing"})


# ------------------------------------------------------------------ where mongomock differs
# Each test states MongoDB's documented answer, which the engine gives, and mongomock's,
# which differs (pinned: a mongomock that changes its answer fails here, and the engine's
# own rule can then go).


@pytest.fixture
def pair():
    """The same documents in the engine and in plain mongomock."""
    def make(*docs):
        docs = [{"_id": n, **doc} for n, doc in enumerate(docs, start=1)]
        engine, plain = EmbeddedClient().db.t, mongomock.MongoClient().db.t
        for collection in (engine, plain):
            collection.insert_many(docs)
        return engine, plain
    return make


def ids_of(cursor) -> list:
    return [doc["_id"] for doc in cursor]


def test_true_is_not_one(pair):
    """Booleans and numbers are different types: ``{a: true}`` never matches 1."""
    engine, plain = pair({"a": 1}, {"a": True}, {"a": 0}, {"a": False}, {"a": [1]})
    for filter, mongodb in (({"a": True}, [2]), ({"a": 1}, [1, 5]), ({"a": False}, [4]),
                            ({"a": {"$in": [1]}}, [1, 5]), ({"a": {"$gt": 0}}, [1, 5])):
        assert ids_of(engine.find(filter)) == mongodb, filter
    assert ids_of(plain.find({"a": True})) == [1, 2, 5]  # mongomock: True == 1


def test_an_array_sorts_by_its_least_element_up_and_its_greatest_down(pair):
    """MongoDB sorts ``[1, 9]`` as 1 ascending and as 9 descending; mongomock uses the least
    element both ways, and orders arrays of mixed types as a whole."""
    engine, plain = pair({"a": [1, 9]}, {"a": 5}, {"a": [3, 4]})
    assert ids_of(engine.find(sort=[("a", ASCENDING)])) == [1, 3, 2]
    assert ids_of(engine.find(sort=[("a", DESCENDING)])) == [1, 2, 3]
    assert ids_of(plain.find(sort=[("a", DESCENDING)])) == [2, 3, 1]
    engine, plain = pair({"a": ["z", 2]}, {"a": "m"}, {"a": 3})
    assert ids_of(engine.find(sort=[("a", ASCENDING)])) == [1, 3, 2]  # 2 is a number: first
    assert ids_of(plain.find(sort=[("a", ASCENDING)])) == [3, 2, 1]


def test_an_empty_array_sorts_below_null_and_missing(pair):
    """(mongomock agrees; the engine's rule is its own, so it is held here.)"""
    engine, _ = pair({"a": None}, {"a": []}, {"b": 1}, {"a": 0})
    assert ids_of(engine.find(sort=[("a", ASCENDING), ("_id", ASCENDING)])) == [2, 1, 3, 4]
    assert ids_of(engine.find(sort=[("a", DESCENDING), ("_id", ASCENDING)])) == [4, 1, 3, 2]


def test_all_of_nothing_matches_nothing(pair):
    """``{$all: []}`` matches no document in MongoDB; mongomock matches every one."""
    engine, plain = pair({"a": [1]}, {"a": 2}, {})
    assert ids_of(engine.find({"a": {"$all": []}})) == []
    assert ids_of(plain.find({"a": {"$all": []}})) == [1, 2, 3]


def test_a_path_under_an_array_of_plain_values_is_missing(pair):
    """``a.k`` does not exist in ``{a: [1, 2]}``, so it matches null as a missing field does."""
    engine, plain = pair({"a": [1, 2]}, {"a": {"k": 1}}, {"a": [{"k": None}]})
    assert ids_of(engine.find({"a.k": None})) == [1, 3]
    assert ids_of(engine.find({"a.k": {"$exists": False}})) == [1]
    assert ids_of(plain.find({"a.k": None})) == [3]


def test_several_conditions_may_each_match_another_element(pair):
    """``{$gt: 1, $lt: 3}`` matches ``[0, 5]``: 5 is above 1 and 0 is below 3."""
    engine, _ = pair({"a": [0, 5]}, {"a": 2}, {"a": [7, 8]})
    assert ids_of(engine.find({"a": {"$gt": 1, "$lt": 3}})) == [1, 2]


def test_nan_equals_itself_sorts_first_and_bounds_nothing(pair):
    nan = float("nan")
    engine, _ = pair({"a": 1}, {"a": nan}, {"a": -5})
    assert ids_of(engine.find({"a": nan})) == [2]
    assert ids_of(engine.find({"a": {"$lt": 10}})) == [1, 3]
    assert ids_of(engine.find({"a": {"$gt": nan}})) == []
    assert ids_of(engine.find(sort=[("a", ASCENDING)])) == [2, 3, 1]


def test_values_of_other_types_are_outside_a_range(pair):
    """A range stays inside its operand's type: ``{$gt: 0}`` never matches a string."""
    engine, _ = pair({"a": "1"}, {"a": 1}, {"a": None}, {"a": b"\x01"}, {})
    assert ids_of(engine.find({"a": {"$gt": 0}})) == [2]
    assert ids_of(engine.find({"a": {"$gte": None}})) == [3, 5]
    assert ids_of(engine.find({"a": {"$gt": None}})) == []


def test_a_scan_past_its_time_budget_fails_as_a_server_would(monkeypatch):
    """``timeout_ms``: a query that outlasts it raises ExecutionTimeout (code 50), like
    ``maxTimeMS`` on MongoDB; a quick one answers."""
    from pymongo.errors import ExecutionTimeout

    things = EmbeddedClient(timeout_ms=50).db.things
    things.insert_many([{"_id": n, "slug": f"s{n}"} for n in range(500)])
    assert things.count_documents({"slug": {"$regex": "9$"}}) == 50
    ticks = iter(range(0, 10**6, 1))  # a clock that moves a second per look
    monkeypatch.setattr(embedded.time, "monotonic", lambda: float(next(ticks)))
    with pytest.raises(ExecutionTimeout) as caught:
        things.count_documents({"slug": {"$regex": "9$"}})
    assert caught.value.code == 50
    assert things.find_one({"_id": 7})["slug"] == "s7"  # by _id: no scan, no clock


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(docs=st.lists(documents, max_size=8), field=st.sampled_from(FIELDS),
       value=st.one_of(st.sampled_from(["x", "y", ""]), st.integers(-2, 2),
                       st.sampled_from(OIDS)),
       sort=st.lists(st.tuples(st.sampled_from(FIELDS), st.sampled_from([1, -1])),
                     max_size=2, unique_by=lambda key: key[0]))
def test_fields_of_matches_are_those_of_the_documents_find_returns(docs, field, value, sort):
    """find_one_fields and find_page_fields (issue 15: a page read as ids and versions,
    the item by its slug) give the fields of what find_one and find give, index or not
    (as stored: a date is not made aware, as the copies find returns are)."""
    collection = EmbeddedClient(tz_aware=True).db.things
    if docs:
        collection.insert_many([{**doc, "_id": n} for n, doc in enumerate(docs)])
    fields = ("_id", field)
    one = collection.find_one({field: value})
    assert naive(collection.find_one_fields({field: value}, fields)) == \
        (None if one is None else naive(tuple(one.get(name) for name in fields)))
    order = [*sort, ("_id", 1)]
    everything = list(collection.find({field: {"$ne": value}}).sort(order))
    page, total = collection.find_page_fields({field: {"$ne": value}}, order, 1, 3, fields)
    assert total == len(everything)
    assert naive(page) == naive([tuple(doc.get(name) for name in fields)
                                 for doc in everything[1:4]])


def naive(value):
    """``value`` with every date as naive UTC (nested in tuples, lists and dicts too)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, list | tuple):
        return type(value)(naive(item) for item in value)
    if isinstance(value, dict):
        return {key: naive(item) for key, item in value.items()}
    return value
