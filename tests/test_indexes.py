"""Every query the repositories issue is served by an index of INDEXES."""

from __future__ import annotations

import mongomock
import pytest

from app import create_app
from app.repositories.indexes import INDEXES
from app.services import AttributeInput

READS = ("find", "find_one", "count_documents", "find_one_and_update", "find_one_and_delete",
         "update_one", "delete_one", "delete_many", "distinct")
#: Whole-collection reads that are meant to scan: exports, maintenance, counts.
SCANS = {"entries", "attributes", "categories", "users", "avatars.files", "images.files",
         "comparisons", "revisions", "avatars.chunks", "images.chunks", "audit_log"}


def _conditions(filter: dict) -> dict[str, object]:
    """Field → condition of a filter, through ``$and``/``$or``."""
    found = {}
    for key, value in (filter or {}).items():
        if key in ("$and", "$or"):
            for clause in value:
                found.update(_conditions(clause))
        else:
            found[key] = value
    return found


def _is_equality(condition) -> bool:
    return not isinstance(condition, dict) or set(condition) <= {"$eq", "$in"}


def _served(collection: str, filter: dict, sort) -> bool:
    """Whether an index serves the query as MongoDB would use it.

    The query's equality fields must lead the index (in any order), and a sort must follow
    them in the index, key for key, all in the index's directions or all reversed — so
    that the sort, ``_id`` tie-break included, needs no sort in memory. Without a sort,
    an index leading with a filtered field serves it. ``attributes.*`` filters and sorts
    (chosen by API clients) are the wildcard index's; ``_id`` look-ups the primary key's;
    GridFS chunks its own ``files_id_1_n_1``.
    """
    conditions = _conditions(filter)
    sort = [tuple(key) for key in (sort or [])]
    if "_id" in conditions:
        return True
    if collection.endswith(".chunks"):
        return "files_id" in conditions
    if any(key.startswith("attributes.") for key in [*conditions, *(k for k, _ in sort[:1])]):
        return True
    equal = {field for field, condition in conditions.items() if _is_equality(condition)}
    for index in INDEXES:
        if index.collection != collection:
            continue
        fields = list(index.keys)
        lead = 0
        while lead < len(fields) and fields[lead][0] in equal:
            lead += 1
        if sort:
            following = fields[lead:lead + len(sort)]
            if following in (sort, [(field, -direction) for field, direction in sort]):
                return True
        elif lead or fields[0][0] in conditions:
            return True
    return False


@pytest.fixture
def demo_app():
    """The demo data in an app of this test's own: it writes (creates, deletes, registers
    users without accounts' ids), which the session's shared ``seeded_app`` must not see."""
    app = create_app("testing", {"SEED_DEMO_DATA": True})
    yield app
    app.extensions["pkyx.store"].close()


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
            call["sort"] = key_or_list if isinstance(key_or_list, list) else \
                [(key_or_list, direction or 1)]
        result = original_sort(self, key_or_list, direction)
        result._pkyx_call = call
        return result

    for name in READS:
        wrap(name)
    monkeypatch.setattr(mongomock.collection.Cursor, "sort", sort)
    return calls


def test_every_page_query_uses_an_index(demo_app, recorded):
    """Drive every repository read and write a page or the API makes; check each query."""
    repos = demo_app.extensions["pkyx.repos"]
    wiki = demo_app.extensions["pkyx.wiki"]
    accounts = demo_app.extensions["pkyx.accounts"]
    entry = repos.entries.get("iphone-15")
    alice = repos.users.find_by_name("alice")
    repos.entries.get(str(entry["_id"]))
    repos.entries.listing("phones", "title", 1, 10)
    repos.entries.listing("phones", "-title", 1, 10)
    repos.entries.listing("phones", "updated", 1, 10)
    repos.entries.listing(None, "updated", 2, 10)
    repos.entries.listing(None, "-title", 2, 10)
    repos.entries.all()
    repos.categories.all()
    repos.users.page()
    repos.definitions.page(0, 10)
    repos.definitions.page_records(0, 10)
    repos.definitions.get_record("weight")
    repos.entries.recent(5)
    repos.entries.by_creator(alice["_id"])
    repos.entries.title_prefix("iph")
    repos.entries.search(["pro"])
    repos.entries.random_slug()
    repos.entries.add_view(entry["_id"])
    repos.definitions.get("weight")
    repos.definitions.all()
    repos.revisions.for_entry(entry["_id"])
    repos.revisions.page_for_entry(entry["_id"], 0, 10)
    repos.revisions.recent(10)
    repos.revisions.by_user(alice["_id"])
    repos.users.find("alice")
    repos.users.find_login("alice@example.org")
    repos.users.is_reserved("nobody")
    repos.categories.get("phones")
    repos.categories.children("phones")
    categories = demo_app.extensions["pkyx.categories"]
    made = categories.create("indexer-cat", {"name": "Index cats", "parent": "phones",
                                             "attributes": ["weight"]})
    made = categories.update("indexer-cat", "index-cats", made["version"],
                             {"description": "Indexed."}, admin=False)
    categories.delete("indexer-cat", "index-cats", made["version"], admin=True)
    categories.table(categories.get("phones"), sort="-attr.weight", filters=[
        ("attr.weight", "lt.200g")], page=1, per_page=10)
    categories.table(categories.get("phones"), sort="title", filters=[], page=2, per_page=10)
    wiki.recent_changes(10, category="phones")
    wiki.recent_changes(10, user="alice", created_only=True)
    wiki.recent_changes(10, created_only=True, hide_user="alice")
    wiki.recent_changes(10, category="phones", hide_user="alice")
    wiki.near_duplicates("iPhone 15!")
    wiki.deleted_entry("no-such-entry")
    moved = categories.create("indexer-cat", {"name": "Merged cats"})
    merged = wiki.create_entry("indexer-cat", title="Merged Phone", category="merged-cats")
    categories.merge("indexer-cat", "merged-cats", moved["version"], into="phones", admin=True)
    gone = wiki.delete_entry("indexer-cat", merged["slug"], 2)
    wiki.deleted_entry(gone["slug"])
    back = wiki.restore_entry("indexer-cat", gone["_id"])
    wiki.delete_entry("indexer-cat", back["slug"], back["version"])  # the demo stays as it was
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
    repos.users.delete(user["_id"])  # and its name is reserved
    admin = demo_app.extensions["pkyx.admin"]  # the admin area's queries
    repos.users.search("al")
    repos.users.search("alice@")
    repos.users.count_active_admins()
    admin.protected_entries()
    admin.recent_deletions()
    admin.audit_log()
    repos.revisions.entries_changed_by(alice["_id"], entry["created_at"], 10)
    assert len(recorded) > 40
    unserved = [c for c in recorded if not _served(c["collection"], c["filter"], c["sort"])
                and not (not c["filter"] and not c["sort"] and c["collection"] in SCANS
                         and c["op"] in ("count_documents",))]
    assert unserved == [], "\n".join(map(str, unserved))


@pytest.mark.parametrize("collection, filter, sort, ok", [
    ("entries", {"slug": "a"}, None, True),
    ("entries", {"views": 3}, None, False),
    ("entries", {}, [("title_key", 1)], True),
    ("entries", {}, [("title_key", 1), ("_id", 1)], True),
    ("entries", {}, [("title_key", -1), ("_id", -1)], True),
    ("entries", {}, [("title_key", -1), ("_id", 1)], False),  # mixed: a sort in memory
    ("entries", {"category": "a"}, [("updated_at", -1), ("_id", -1)], True),
    ("entries", {}, [("created_at", -1), ("_id", -1)], False),
    ("entries", {}, [("views", 1)], False),
    ("entries", {"attributes.weight.n": {"$lt": 2}}, [("title_key", 1)], True),
    ("revisions", {"$and": [{"entry_id": 1}, {"version": 2}]}, None, True),
    ("revisions", {"user": "a"}, [("at", -1), ("_id", -1)], True),
    ("revisions", {"user": "a"}, [("at", -1)], True),
    ("revisions", {}, [("at", 1), ("user", 1)], False),
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


def test_readyz_names_a_missing_index_until_it_is_made(client, app):
    """A unique index dropped behind the app's back: /readyz is 503 and names it."""
    from app.repositories.indexes import create_indexes

    db = app.extensions["pkyx.store"].db
    db.users.drop_index("email_1")
    answer = client.get("/readyz")
    assert answer.status_code == 503 and answer.mimetype == "application/problem+json"
    assert answer.get_json()["missing_indexes"] == ["users.email_1"]
    assert "users.email_1" in answer.get_json()["detail"]
    create_indexes(db)
    assert client.get("/readyz").status_code == 200


def test_indexes_are_built_at_start_while_the_server_comes_and_goes(app, monkeypatch):
    """The builder tries again after a failure and stops once every index is there."""
    from pymongo.errors import ServerSelectionTimeoutError

    from app.repositories import indexes

    db = app.extensions["pkyx.store"].db
    for name in ("users", "entries", "revisions"):
        db[name].drop_indexes()
    assert "users.email_1" in indexes.missing_indexes(db)
    failures = iter([ServerSelectionTimeoutError("no server"), None])
    real = indexes.create_indexes

    def flaky(target):
        error = next(failures, None)
        if error:
            raise error
        return real(target)

    monkeypatch.setattr(indexes, "create_indexes", flaky)
    builder = indexes.build_in_background(db, retry_seconds=0.01)
    builder.join(10)
    assert not builder.is_alive() and builder.done.is_set()
    assert indexes.missing_indexes(db) == []


def test_a_mongodb_app_starts_its_index_builder_and_stops_it_on_close():
    """Building the app contacts no server; the first request starts the builder, once."""
    from app import create_app

    app = create_app("testing", {"MONGO_URI": "mongodb://db.invalid/pkyx"})
    store = app.extensions["pkyx.store"]
    assert store.index_builder is None and store.client._opened is False
    assert app.test_client().get("/healthz").status_code == 200
    builder = store.index_builder
    app.test_client().get("/healthz")
    assert store.index_builder is builder and builder.is_alive()  # unreachable: retrying
    store.close()
    store.index_builder.join(10)
    assert not store.index_builder.is_alive()
