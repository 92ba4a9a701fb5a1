"""Every query the repositories issue is served by an index of INDEXES."""

from __future__ import annotations

import mongomock
import pytest

from app.repositories.indexes import INDEXES
from app.services import AttributeInput

READS = ("find", "find_one", "count_documents", "find_one_and_update", "find_one_and_delete",
         "update_one", "delete_one", "delete_many", "distinct")
#: Whole-collection reads that are meant to scan: exports, maintenance, counts.
SCANS = {"entries", "attributes", "categories", "users", "avatars.files", "images.files",
         "comparisons", "revisions", "avatars.chunks", "images.chunks"}


def _filter_keys(filter: dict) -> set[str]:
    keys = set()
    for key, value in (filter or {}).items():
        if key in ("$and", "$or"):
            for clause in value:
                keys |= _filter_keys(clause)
        else:
            keys.add(key)
    return keys


def _served(collection: str, filter: dict, sort) -> bool:
    """Whether an index (or _id, or GridFS's own) leads with a filtered or sorted field."""
    keys = _filter_keys(filter)
    sort_keys = [k for k, _ in (sort or [])]
    if "_id" in keys:
        return True
    if collection.endswith(".chunks"):
        return "files_id" in keys  # GridFS's own files_id_1_n_1 index
    leading = {index.keys[0][0] for index in INDEXES if index.collection == collection}
    if keys:
        return bool(keys & leading)
    return bool(sort_keys) and sort_keys[0] in leading


@pytest.fixture
def recorded(monkeypatch):
    """Record (collection, filter, sort) of every read-like call on mongomock."""
    calls = []
    original_sort = mongomock.collection.Cursor.sort

    def wrap(name):
        method = getattr(mongomock.Collection, name)

        def spy(self, filter=None, *args, **kwargs):
            if name == "distinct":
                filter = args[0] if args else kwargs.get("filter")
            call = {"collection": self.name, "filter": filter or {}, "sort": kwargs.get("sort"),
                    "op": name}
            calls.append(call)
            result = method(self, filter, *args, **kwargs) if name != "distinct" else \
                method(self, filter, *args[1:], **kwargs)
            if isinstance(result, mongomock.collection.Cursor):
                result._pkyx_call = call
            return result

        monkeypatch.setattr(mongomock.Collection, name, spy)

    def sort(self, key_or_list, direction=None):
        call = getattr(self, "_pkyx_call", None)
        if call is not None:
            call["sort"] = key_or_list if isinstance(key_or_list, list) else [(key_or_list, 1)]
        result = original_sort(self, key_or_list, direction)
        result._pkyx_call = call
        return result

    for name in READS:
        wrap(name)
    monkeypatch.setattr(mongomock.collection.Cursor, "sort", sort)
    return calls


def test_every_page_query_uses_an_index(seeded_app, recorded):
    """Drive every repository read and write a page or the API makes; check each query."""
    repos = seeded_app.extensions["pkyx.repos"]
    wiki = seeded_app.extensions["pkyx.wiki"]
    accounts = seeded_app.extensions["pkyx.accounts"]
    entry = repos.entries.get("iphone-15")
    repos.entries.get(str(entry["_id"]))
    repos.entries.listing("phones", "title", 1, 10)
    repos.entries.listing(None, "updated", 2, 10)
    repos.entries.recent(5)
    repos.entries.by_creator("alice")
    repos.entries.title_prefix("iph")
    repos.entries.search(["pro"])
    repos.entries.random_slug()
    repos.entries.add_view(entry["_id"])
    repos.definitions.get("weight")
    repos.definitions.all()
    repos.revisions.for_entry(entry["_id"])
    repos.revisions.page_for_entry(entry["_id"], 0, 10)
    repos.revisions.recent(10)
    repos.revisions.by_user("alice")
    repos.users.find("alice")
    repos.users.find_login("alice@example.org")
    repos.categories.get("phones")
    repos.comparisons.popular()
    user = accounts.register("indexer", "indexer@example.org", "correct horse battery")
    accounts.authenticate("indexer", "correct horse battery")
    accounts.logout_everywhere(user["_id"])
    created = wiki.create_entry("indexer", title="Index Phone", category="phones",
                                attributes=[AttributeInput("weight", "150 g")])
    wiki.set_attribute("indexer", created["slug"], 1, AttributeInput("weight", "151 g"))
    wiki.revert("indexer", created["slug"], 2, 1)
    wiki.compare(["iphone-15", created["slug"]], count_view=True)
    wiki.delete_entry("indexer", created["slug"], 3)
    repos.avatars.get(repos.users.find("alice")["avatar"])
    assert len(recorded) > 40
    unserved = [c for c in recorded if not _served(c["collection"], c["filter"], c["sort"])
                and not (not c["filter"] and not c["sort"] and c["collection"] in SCANS
                         and c["op"] in ("count_documents",))]
    assert unserved == [], "\n".join(map(str, unserved))


@pytest.mark.parametrize("collection, filter, sort, ok", [
    ("entries", {"slug": "a"}, None, True),
    ("entries", {"views": 3}, None, False),
    ("entries", {}, [("title_key", 1)], True),
    ("entries", {}, [("views", 1)], False),
    ("revisions", {"$and": [{"entry_id": 1}, {"version": 2}]}, None, True),
    ("images.chunks", {"n": 0}, None, False),
])
def test_the_checker_itself(collection, filter, sort, ok):
    """The index checker tells served from unserved queries."""
    assert _served(collection, filter, sort) is ok


def test_create_indexes_command(runner, app):
    """create-indexes makes every listed index, and can run twice."""
    for _ in range(2):
        result = runner.invoke(args=["create-indexes"])
        assert result.exit_code == 0
    db = app.extensions["pkyx.store"].db
    for index in INDEXES:
        info = db[index.collection].index_information()
        assert index.name in info
        assert info[index.name].get("unique", False) == index.unique
