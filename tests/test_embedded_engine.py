"""The embedded engine (app/embedded.py) returns exactly what plain mongomock returns.

Hypothesis runs the same writes and queries against a plain mongomock client and an
:class:`EmbeddedClient` and compares every answer; the other tests check that every
way of changing a collection reaches the indexes, and that indexes and lazy copies are
really used (so the differential test is not comparing mongomock with itself).
"""

from __future__ import annotations

from datetime import UTC, datetime

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
    st.sampled_from([True, False, None, 1.0, 2.5, -0.0, float("nan"), b"x", b""]),
    st.sampled_from(OIDS),
    st.sampled_from(DATES),
)
values = st.one_of(scalars, st.lists(scalars, max_size=3), st.fixed_dictionaries({"k": scalars}))
documents = st.fixed_dictionaries({}, optional={field: values for field in FIELDS})
ids = st.one_of(st.sampled_from(OIDS), st.sampled_from(["p", "q", "r"]), st.integers(0, 3))


#: Conditions on one field: the indexed and compiled shapes, and others that must scan.
conditions = st.one_of(
    scalars,
    st.builds(lambda v: {"$eq": v}, scalars),
    st.builds(lambda vs: {"$in": vs}, st.lists(scalars, max_size=3)),
    st.builds(lambda op, v: {op: v}, st.sampled_from(["$gt", "$gte", "$lt", "$lte"]), scalars),
    st.builds(lambda lo, hi: {"$gte": lo, "$lt": hi}, scalars, scalars),
    st.builds(lambda v: {"$ne": v}, scalars),
    st.builds(lambda v: {"$exists": v}, st.booleans()),
    st.lists(scalars, max_size=2),
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
sorts = st.one_of(st.none(), st.lists(st.tuples(st.sampled_from(["a", "b", "_id"]),
                                                st.sampled_from([ASCENDING, DESCENDING])),
                                      min_size=1, max_size=2, unique_by=lambda s: s[0]))

writes = st.one_of(
    st.tuples(st.just("insert"), ids, documents),
    st.tuples(st.just("update_one"), filters, documents),
    st.tuples(st.just("update_many"), filters, documents),
    st.tuples(st.just("replace_one"), filters, documents),
    st.tuples(st.just("delete_one"), filters, st.none()),
    st.tuples(st.just("delete_many"), filters, st.none()),
    st.tuples(st.just("find_one_and_update"), filters, documents),
)
queries = st.tuples(st.just("find"), filters, sorts, st.integers(0, 3), st.integers(0, 3))
steps = st.lists(st.one_of(queries, writes), min_size=1, max_size=25)


def run(collection, step):
    """Apply one step to a collection; the answer, or the error's type."""
    try:
        kind = step[0]
        if kind == "find":
            _, filter, sort, skip, limit = step
            cursor = collection.find(filter, sort=sort).skip(skip).limit(limit)
            return [list(cursor), collection.count_documents(filter),
                    collection.find_one(filter, sort=sort)]
        _, target, doc = step
        if kind == "insert":
            return collection.insert_one({**doc, "_id": target}).inserted_id
        if kind in ("update_one", "update_many"):
            update = {"$set": doc} if doc else {"$unset": {"a": ""}}
            result = getattr(collection, kind)(target, update)
            return result.matched_count, result.modified_count
        if kind == "replace_one":
            return collection.replace_one(target, doc).matched_count
        if kind in ("delete_one", "delete_many"):
            return getattr(collection, kind)(target).deleted_count
        update = {"$set": doc} if doc else {"$inc": {"n": 1}}
        return collection.find_one_and_update(target, update,
                                              return_document=ReturnDocument.AFTER)
    except (OperationFailure, TypeError, ValueError) as exc:
        return type(exc).__name__


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(documents, max_size=8), steps)
def test_every_answer_equals_plain_mongomocks(initial, steps):
    plain = mongomock.MongoClient(tz_aware=True).db.things
    engine = EmbeddedClient(tz_aware=True).db.things
    for collection in (plain, engine):
        if initial:
            collection.insert_many([{**doc, "_id": n} for n, doc in enumerate(initial)])
    for step in steps:
        expected = run(plain, step)
        assert run(engine, step) == expected, step
        if step[0] == "find" and not isinstance(expected, str):
            _, filter, sort, skip, limit = step
            assert engine.find_page(filter, sort, skip, limit) == (expected[0], expected[1])
    assert list(engine.find()) == list(plain.find())


UNIQUE_VALUES = ["x", "y", "z", 1, 2]
unique_documents = st.fixed_dictionaries({}, optional={"u": st.sampled_from(UNIQUE_VALUES),
                                                       "a": scalars})
unique_filters = st.one_of(simple_filters,
                           st.builds(lambda v: {"u": v}, st.sampled_from(UNIQUE_VALUES)))
unique_steps = st.lists(st.one_of(
    st.tuples(st.just("find"), unique_filters, sorts, st.integers(0, 3), st.integers(0, 3)),
    *(st.tuples(st.just(kind), unique_filters, unique_documents)
      for kind in ("update_one", "update_many", "replace_one", "find_one_and_update")),
    st.tuples(st.just("insert"), ids, unique_documents),
    st.tuples(st.just("delete_one"), unique_filters, st.none()),
), min_size=1, max_size=25)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(UNIQUE_VALUES), max_size=5, unique=True), unique_steps)
def test_unique_indexes_refuse_what_plain_mongomock_refuses(initial, steps):
    """Writes that change a unique field: a duplicate is refused however the index was built.

    Plain mongomock checks unique indexes by scanning, so it is the truth here.
    """
    plain = mongomock.MongoClient(tz_aware=True).db.things
    engine = EmbeddedClient(tz_aware=True).db.things
    for collection in (plain, engine):
        collection.create_index("u", unique=True)
        if initial:
            collection.insert_many([{"_id": n, "u": u} for n, u in enumerate(initial)])
    for step in steps:
        expected = run(plain, step)
        assert run(engine, step) == expected, step
    assert list(engine.find()) == list(plain.find())


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
    original = embedded._matches

    def counting(matcher, filter, doc):
        seen.append(doc["_id"])
        return original(matcher, filter, doc)

    monkeypatch.setattr(embedded, "_matches", counting)
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
