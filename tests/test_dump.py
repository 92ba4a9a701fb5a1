"""export → import reproduces every document and file; a malformed dump changes nothing."""

from __future__ import annotations

import copy
import gzip
import json
import tracemalloc
from datetime import UTC, datetime

import pytest
from bson import Binary, ObjectId, json_util

from app import create_app
from app.repositories import dump


def _everything(store) -> dict:
    """Every document of every collection and bucket part, by name, sorted by _id."""
    db = store.db
    names = [*dump.COLLECTIONS] + [f"{b}.{p}" for b in ("avatars", "images")
                                   for p in ("files", "chunks")]
    return {name: sorted(db[name].find({}), key=lambda d: str(d["_id"])) for name in names}


@pytest.fixture
def fresh():
    """A second, empty app to import into."""
    app = create_app("testing")
    yield app
    app.extensions["pkyx.store"].close()


@pytest.mark.parametrize("filename", ["wiki.json", "wiki.json.gz"])
def test_export_then_import_reproduces_everything(seeded_app, fresh, tmp_path, filename):
    """Every document and every GridFS file comes back identical (ids, dates, bytes)."""
    source = seeded_app.extensions["pkyx.store"]
    path = tmp_path / filename
    dump.write_file(path, dump.export_data(source))
    assert path.stat().st_mode & 0o777 == 0o600  # it holds password hashes
    if filename.endswith(".gz"):
        assert gzip.decompress(path.read_bytes()).startswith(b"{")
    counts = dump.import_data(fresh.extensions["pkyx.store"], dump.read_file(path))
    before, after = _everything(source), _everything(fresh.extensions["pkyx.store"])
    assert before == after
    assert counts["entries"] >= 36 and counts["avatars.files"] >= 3
    assert counts["images.chunks"] >= counts["images.files"] >= 36
    repos = fresh.extensions["pkyx.repos"]
    user = repos.users.find("alice")
    assert repos.avatars.get(user["avatar"]).data == \
        seeded_app.extensions["pkyx.repos"].avatars.get(user["avatar"]).data
    phones = repos.categories.get("phones")  # issue 13's fields travel with the documents
    assert phones["name_zh"] == "手机" and phones["attributes"][0] == {"key": "price"}
    weight = repos.definitions.get("weight")
    assert weight.label_zh == "重量" and weight.description_zh.startswith("基础型号的重量")


def test_a_dump_keeps_the_tree_and_what_a_restore_needs(app, fresh, tmp_path):
    """A category's parent and a deleted entry's last revision survive a dump, so the
    imported wiki still shows the tree and restores the entry."""
    categories, wiki = app.extensions["pkyx.categories"], app.extensions["pkyx.wiki"]
    app.extensions["pkyx.repos"].categories.upsert("phones", "Phones")
    categories.create("alice", {"name": "Foldables", "parent": "phones"})
    entry = wiki.create_entry("alice", title="Fold 5", category="foldables")
    wiki.delete_entry("boss", "fold-5", 1)
    path = tmp_path / "tree.json"
    dump.write_file(path, dump.export_data(app.extensions["pkyx.store"]))
    dump.import_data(fresh.extensions["pkyx.store"], dump.read_file(path))
    imported = fresh.extensions["pkyx.categories"]
    assert [c["slug"] for c in imported.children("phones")] == ["foldables"]
    restored = fresh.extensions["pkyx.wiki"].restore_entry("boss", str(entry["_id"]))
    assert (restored["slug"], restored["category"], restored["version"]) == (
        "fold-5", "foldables", 3)


def _one_shot(data: dict) -> bytes:
    """The dump text as encoding everything at once gives it: the format to keep."""
    return json_util.dumps(data, json_options=dump.JSON_OPTIONS, indent=1).encode()


@pytest.mark.parametrize("filename", ["wiki.json", "wiki.json.gz"])
def test_streamed_file_is_byte_for_byte_the_one_shot_text(seeded_app, tmp_path, filename):
    """Writing document by document changes no byte of the format (every collection, bucket)."""
    data = dump.export_data(seeded_app.extensions["pkyx.store"])
    path = tmp_path / filename
    dump.write_file(path, data)
    raw = path.read_bytes()
    if filename.endswith(".gz"):
        assert raw[3] & 0x08 == 0  # no file name in the header (it would be the temp file's)
        raw = gzip.decompress(raw)
    assert raw == _one_shot(data)
    back = dump.read_file(path)
    assert back == dump.loads(_one_shot(data))
    assert all(back["collections"][name] == docs for name, docs in data["collections"].items())
    assert back["buckets"] == data["buckets"]


@pytest.mark.parametrize("data", [
    dump.empty(),
    {"format": "pkyx-dump", "version": 1, "collections": {"users": [], "entries": [{}]},
     "buckets": {"images": {"files": [], "chunks": []}, "avatars": {}}},
    {"format": "pkyx-dump", "version": 1,
     "exported_at": datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC),
     "collections": {"entries": [
         {"_id": ObjectId(), "title": "Line\nbreak \"quoted\" \u00e9\u2603 \\", "n": [1, [2, {}]],
          "attributes": {"a": {"b": [None, True, 1.5, -7]}}, "empty": {}, "none": []},
         {"_id": 2, "bytes": Binary(b"\x00\xff\n"), "nested": [{"x": {"y": []}}]},
     ]}, "buckets": {}},
], ids=["empty", "empty parts", "odd values"])
def test_iter_json_matches_the_one_shot_encoder(data):
    """Empty parts, escapes, non-ASCII, nesting, dates and bytes encode exactly the same."""
    assert dump.dumps(data) == _one_shot(data)
    assert "".join(dump.iter_json(data)).encode() == _one_shot(data)


def test_writing_a_big_dump_needs_memory_for_a_document_not_the_store(tmp_path):
    """The encoded store never exists in memory at once: the snapshot's peak stays flat."""
    at = datetime(2026, 1, 1, tzinfo=UTC)
    revisions = [{"_id": ObjectId(), "entry_id": ObjectId(), "version": n, "at": at,
                  "user": "dana", "action": "update", "comment": "",
                  "changes": [{"key": "weight", "old": f"{n} g", "new": f"{n + 1} g"}]}
                 for n in range(1, 6001)]
    data = {**dump.empty(), "collections": {"revisions": revisions}}
    tracemalloc.start()
    try:
        dump.write_file(tmp_path / "big.json", data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    size = (tmp_path / "big.json").stat().st_size
    assert size > 2_000_000
    assert peak < size / 2  # encoding it all at once took about ten times ``size``


def test_cli_export_and_import(seeded_app, fresh, tmp_path):
    """manage.py export FILE / import FILE do the same through the command line."""
    path = tmp_path / "wiki.json"
    result = seeded_app.test_cli_runner().invoke(args=["export", str(path)])
    assert result.exit_code == 0 and "entries" in result.output
    runner = fresh.test_cli_runner()
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 0, result.output
    assert fresh.extensions["pkyx.repos"].entries.count() >= 36
    # A second import into a store that now holds data needs --replace.
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 1 and "--replace" in result.output
    assert runner.invoke(args=["import", "--replace", str(path)]).exit_code == 0


def _good(seeded_app) -> dict:
    return json.loads(dump.dumps(dump.export_data(seeded_app.extensions["pkyx.store"])))


def _break(data: dict, how: str) -> bytes | dict:
    entries = data["collections"]["entries"]
    images = data["buckets"]["images"]
    match how:
        case "not json":
            return b'{"format": "pkyx-dump", "collections": {'
        case "not an object":
            return b"[1, 2, 3]"
        case "wrong format":
            data["format"] = "mongoexport"
        case "wrong version":
            data["version"] = 99
        case "unknown collection":
            data["collections"]["secrets"] = []
        case "unknown bucket":
            data["buckets"]["videos"] = {}
        case "collection not a list":
            data["collections"]["users"] = {"a": 1}
        case "document without _id":
            del entries[3]["_id"]
        case "missing field":
            del entries[5]["slug"]
        case "wrong type":
            entries[0]["version"] = "one"
        case "bad role":
            data["collections"]["users"][0]["role"] = "god"
        case "operator key":
            entries[1]["$where"] = "1"
        case "duplicate _id":
            entries[2]["_id"] = entries[1]["_id"]
        case "duplicate slug":
            entries[2]["slug"] = entries[1]["slug"]
        case "missing chunk":
            images["chunks"].pop()
        case "stray chunk":
            images["chunks"].append({"_id": {"$oid": str(ObjectId())},
                                     "files_id": {"$oid": str(ObjectId())}, "n": 0,
                                     "data": {"$binary": {"base64": "", "subType": "00"}}})
        case "short chunk":
            images["chunks"][0]["data"] = {"$binary": {"base64": "AAAA", "subType": "00"}}
    return data


BROKEN = ["not json", "not an object", "wrong format", "wrong version", "unknown collection",
          "unknown bucket", "collection not a list", "document without _id", "missing field",
          "wrong type", "bad role", "operator key", "duplicate _id", "duplicate slug",
          "missing chunk", "stray chunk", "short chunk"]


@pytest.mark.parametrize("how", BROKEN)
def test_malformed_dump_is_refused_and_changes_nothing(seeded_app, tmp_path, how):
    """Each kind of damage is refused with a message; the target store is untouched."""
    target = create_app("testing")
    repos = target.extensions["pkyx.repos"]
    repos.categories.upsert("keep", "Keep me")
    before = _everything(target.extensions["pkyx.store"])
    broken = _break(copy.deepcopy(_good(seeded_app)), how)
    path = tmp_path / "broken.json"
    path.write_bytes(broken if isinstance(broken, bytes) else json.dumps(broken).encode())
    result = target.test_cli_runner().invoke(args=["import", "--replace", str(path)])
    assert result.exit_code == 1
    assert "Nothing was changed" in result.output
    assert _everything(target.extensions["pkyx.store"]) == before
    target.extensions["pkyx.store"].close()


def test_unreadable_files_are_refused(tmp_path):
    """A missing file and a damaged gzip give a DumpError, not a traceback."""
    with pytest.raises(dump.DumpError, match="cannot read"):
        dump.read_file(tmp_path / "nope.json")
    (tmp_path / "bad.json.gz").write_bytes(b"not gzip at all")
    with pytest.raises(dump.DumpError, match="gzip"):
        dump.read_file(tmp_path / "bad.json.gz")
    (tmp_path / "latin.json").write_bytes(b"\xff\xfe{}")
    with pytest.raises(dump.DumpError, match="JSON"):
        dump.read_file(tmp_path / "latin.json")
