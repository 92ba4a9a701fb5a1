"""Bringing older data up to date: revisions stored before they named their entry's
category get it (issue 13's recent changes by category), by import, snapshot load and
``manage.py migrate``, and a second run changes nothing."""

from __future__ import annotations

import pytest
from bson import ObjectId

from app import create_app
from app.repositories import dump
from app.repositories.migrations import backfill_revision_categories


@pytest.fixture
def history(wiki, repos, phones, alice):
    """An entry made in phones, edited, moved to laptops and edited there; another made in
    phones and deleted; every revision then stripped of its category, as older pkyx
    stored them. Returns {(slug, version): category recorded at the time}."""
    entry = wiki.create_entry(alice, title="Pixel 8", category="phones")
    entry = wiki.edit_entry(alice, "pixel-8", entry["version"], fields={"summary": "A phone."})
    entry = wiki.edit_entry(alice, "pixel-8", entry["version"], fields={"category": "laptops"})
    wiki.edit_entry(alice, "pixel-8", entry["version"], fields={"summary": "Not a phone."})
    gone = wiki.create_entry(alice, title="Nokia 3310", category="phones")
    wiki.delete_entry(alice, "nokia-3310", gone["version"])
    recorded = {(r["entry_id"], r["version"]): r["category"]
                for r in repos.revisions.col.find({})}
    assert set(recorded.values()) == {"phones", "laptops"}
    repos.revisions.col.update_many({}, {"$unset": {"category": ""}})
    assert wiki.recent_changes(50, category="phones") == []
    return recorded


def backfill(repos) -> dict:
    """Run the migration on the test's database."""
    return backfill_revision_categories(repos.revisions.col.database)


def _categories(repos) -> dict:
    return {(r["entry_id"], r["version"]): r.get("category", "absent")
            for r in repos.revisions.col.find({})}


def test_each_revision_gets_the_category_its_entry_had_then(history, repos, wiki):
    """Replaying each entry's history gives every revision the category recorded at the
    time: the moved entry's first two in phones, the last two in laptops; the deleted
    entry's creation and deletion in phones (where it was)."""
    counts = backfill(repos)
    assert counts == {"backfilled": 6, "unknown": 0}
    assert _categories(repos) == history
    in_phones = wiki.recent_changes(50, category="phones")
    assert sorted((r["action"], r["version"]) for r in in_phones) == [
        ("create", 1), ("create", 1), ("delete", 2), ("edit", 2)]
    assert backfill(repos) == {"backfilled": 0, "unknown": 0}


def test_a_history_that_never_names_a_category_takes_the_entrys_current_one(
        wiki, repos, phones, alice):
    """A legacy history whose revisions never changed ``category`` (only the title was
    recorded) falls back to the entry's category now; a gone entry with nothing to go by
    gets None, and is not looked at again."""
    entry = wiki.create_entry(alice, title="Pixel 8", category="laptops")
    repos.revisions.col.update_many({}, {"$unset": {"category": ""},
                                         "$pull": {"changes": {"key": "category"}}})
    orphan = ObjectId()
    repos.revisions.col.insert_one({"entry_id": orphan, "version": 1, "action": "create",
                                    "changes": [{"key": "title", "before": None,
                                                 "after": "Gone"}], "comment": ""})
    assert backfill(repos) == {"backfilled": 1, "unknown": 1}
    assert repos.revisions.get(entry["_id"], 1)["category"] == "laptops"
    assert repos.revisions.get(orphan, 1)["category"] is None
    assert backfill(repos) == {"backfilled": 0, "unknown": 0}


def test_revisions_before_a_move_take_the_category_it_moved_from(wiki, repos, phones, alice):
    """A history that starts after its creation (its first revisions lost their category
    change) still knows where the entry was before its first move."""
    entry = wiki.create_entry(alice, title="Pixel 8", category="phones")
    entry = wiki.edit_entry(alice, "pixel-8", entry["version"], fields={"summary": "x"})
    wiki.edit_entry(alice, "pixel-8", entry["version"], fields={"category": "laptops"})
    repos.revisions.col.update_many({}, {"$unset": {"category": ""}})
    repos.revisions.col.update_one({"entry_id": entry["_id"], "version": 1},
                                   {"$pull": {"changes": {"key": "category"}}})
    backfill(repos)
    assert [repos.revisions.get(entry["_id"], v)["category"] for v in (1, 2, 3)] == [
        "phones", "phones", "laptops"]


def test_an_import_of_an_older_dump_backfills_and_recent_changes_filter_it(
        app, history, tmp_path):
    """A dump written before revisions named their category (same format version) loads
    with the categories filled in, so /recent?category=phones lists those changes."""
    path = tmp_path / "old.json"
    dump.write_file(path, dump.export_data(app.extensions["pkyx.store"]))
    fresh = create_app("testing")
    try:
        dump.import_data(fresh.extensions["pkyx.store"], dump.read_file(path))
        assert _categories(fresh.extensions["pkyx.repos"]) == history
        html = fresh.test_client().get("/recent?category=phones").get_data(as_text=True)
        assert "Nokia 3310" in html and "Pixel 8" in html
        html = fresh.test_client().get("/recent?category=laptops").get_data(as_text=True)
        assert "Pixel 8" in html and "Nokia 3310" not in html
    finally:
        fresh.extensions["pkyx.store"].close()


def test_manage_py_migrate_backfills_and_says_how_many(history, runner, repos):
    """``manage.py migrate`` runs it too (a MongoDB database an older pkyx wrote), and
    again changes nothing."""
    result = runner.invoke(args=["migrate"])
    assert result.exit_code == 0, result.output
    assert "6 revisions given their entry's category (0 of entries gone without one)" \
        in result.output
    assert _categories(repos) == history
    again = runner.invoke(args=["migrate"])
    assert "0 revisions given their entry's category" in again.output
