"""Wiki operations: every change a revision; diff, revert; stale writes refused, nothing lost."""

from __future__ import annotations

import threading

import pytest

from app.domain.errors import Conflict, InvalidValue, NotFound, StaleVersion
from app.services import AttributeInput as A


def _create(wiki, title="Pixel 8", **attrs):
    items = [A(key, value) for key, value in attrs.items()]
    return wiki.create_entry("alice", title=title, category="phones", attributes=items)


def test_create_records_version_one_with_every_field(wiki, phones):
    """Creating an entry stores version 1 and a 'create' revision listing each value."""
    entry = _create(wiki, weight="187 g", screen="6.2 in")
    assert entry["version"] == 1 and entry["slug"] == "pixel-8"
    assert entry["attributes"]["weight"] == {"value": 187, "unit": "g", "n": 187.0}
    [rev] = phones.revisions.for_entry(entry["_id"])
    assert rev["version"] == 1 and rev["action"] == "create" and rev["user"] == "alice"
    keys = [c["key"] for c in rev["changes"]]
    assert keys == ["title", "summary", "category", "attr.screen", "attr.weight"]
    assert phones.categories.get("phones")["entry_count"] == 1
    assert phones.users.col.count_documents({}) == 0  # counters are per existing user only


def test_every_change_is_a_revision_and_bumps_the_version(wiki, phones):
    """Set, change, delete an attribute and edit a field: four revisions, versions 2–5."""
    entry = _create(wiki, weight="187 g")
    entry = wiki.set_attribute("bob", "pixel-8", 1, A("screen", "6.2 in"))
    entry = wiki.set_attribute("bob", "pixel-8", 2, A("weight", "0.19 kg"))
    entry = wiki.delete_attribute("carol", "pixel-8", 3, "screen")
    entry = wiki.edit_entry("carol", "pixel-8", 4, fields={"summary": "Google's 2023 phone"})
    history = phones.revisions.for_entry(entry["_id"])
    assert [r["version"] for r in history] == [1, 2, 3, 4, 5] and entry["version"] == 5
    assert history[2]["changes"] == [{
        "key": "attr.weight",
        "before": {"value": 187, "unit": "g", "n": 187.0},
        "after": {"value": 0.19, "unit": "kg", "n": pytest.approx(190.0)},
    }]
    assert history[3]["changes"][0]["after"] is None
    assert [r["user"] for r in history] == ["alice", "bob", "bob", "carol", "carol"]


def test_a_stale_version_is_refused_and_loses_nothing(wiki, phones):
    """Two editors read version 1; the second to save gets StaleVersion, the first's edit stays."""
    entry = _create(wiki, weight="187 g")
    wiki.set_attribute("bob", entry["slug"], 1, A("weight", "190 g"))
    with pytest.raises(StaleVersion) as caught:
        wiki.set_attribute("carol", entry["slug"], 1, A("weight", "150 g"))
    assert caught.value.expected == 1 and caught.value.current == 2
    stored = phones.entries.get(entry["slug"])
    assert stored["attributes"]["weight"]["value"] == 190 and stored["version"] == 2
    assert len(phones.revisions.for_entry(entry["_id"])) == 2


def test_concurrent_writers_on_one_version_exactly_one_wins(wiki, phones):
    """Eight threads write with the same version: one succeeds, seven are refused."""
    entry = _create(wiki, weight="187 g")
    results, barrier = [], threading.Barrier(8)

    def write(grams):
        barrier.wait()
        try:
            wiki.set_attribute(f"user{grams}", entry["slug"], 1, A("weight", f"{grams} g"))
            results.append("ok")
        except StaleVersion:
            results.append("stale")

    threads = [threading.Thread(target=write, args=(150 + i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["ok"] + ["stale"] * 7
    assert len(phones.revisions.for_entry(entry["_id"])) == 2


def test_diff_of_any_two_versions(wiki, phones):
    """diff(1, 3) shows the net change, diff(3, 1) the reverse, diff(2, 2) nothing."""
    entry = _create(wiki, weight="187 g")
    wiki.set_attribute("bob", "pixel-8", 1, A("screen", "6.2 in"))
    wiki.set_attribute("bob", "pixel-8", 2, A("weight", "190 g"))
    forward = wiki.diff(entry["slug"], 1, 3)
    assert {c["key"] for c in forward} == {"attr.screen", "attr.weight"}
    weight = next(c for c in forward if c["key"] == "attr.weight")
    assert weight["before"]["value"] == 187 and weight["after"]["value"] == 190
    backward = wiki.diff(entry["slug"], 3, 1)
    assert {c["key"]: c["after"] for c in backward}["attr.screen"] is None
    assert wiki.diff(entry["slug"], 2, 2) == []
    with pytest.raises(InvalidValue):
        wiki.diff(entry["slug"], 1, 9)


def test_revert_is_a_new_revision_that_restores_the_old_state(wiki, phones):
    """Reverting to version 1 restores its values and title, recorded as version 4."""
    entry = _create(wiki, weight="187 g")
    wiki.set_attribute("bob", "pixel-8", 1, A("screen", "6.2 in"))
    wiki.edit_entry("bob", "pixel-8", 2, fields={"title": "Pixel Eight"},
                    set_attributes=[A("weight", "200 g")])
    reverted = wiki.revert("carol", "pixel-8", 3, 1)
    assert reverted["version"] == 4 and reverted["title"] == "Pixel 8"
    assert reverted["attributes"] == entry["attributes"]
    last = phones.revisions.get(entry["_id"], 4)
    assert last["action"] == "revert" and last["comment"] == "Revert to version 1"
    assert wiki.diff("pixel-8", 1, 4) == []
    # Reverting to where it already is stores nothing.
    assert wiki.revert("carol", "pixel-8", 4, 4)["version"] == 4
    with pytest.raises(StaleVersion):
        wiki.revert("carol", "pixel-8", 3, 1)


def test_new_attribute_is_defined_on_first_use(wiki, phones):
    """A new key with a type creates its definition; the unit comes from the first value."""
    _create(wiki)
    entry = wiki.set_attribute("bob", "pixel-8", 1,
                               A(None, "4575 mAh", type="number", label="Battery capacity",
                                 better="higher", group="Battery"))
    definition = phones.definitions.get("battery_capacity")
    assert (definition.type, definition.unit, definition.better) == ("number", "mAh", "higher")
    assert entry["attributes"]["battery_capacity"]["n"] == 4575.0
    # Later values must fit: a wrong dimension is refused with a message, nothing stored.
    with pytest.raises(InvalidValue) as caught:
        wiki.set_attribute("bob", "pixel-8", 2, A("battery_capacity", "3 kg"))
    assert "Battery capacity" in caught.value.message
    assert phones.entries.get("pixel-8")["version"] == 2


def test_new_attribute_without_type_or_key_is_refused(wiki, phones):
    """An unknown key needs a type; an item needs a key or label; nothing is stored."""
    _create(wiki)
    with pytest.raises(InvalidValue, match="choose its type"):
        wiki.set_attribute("bob", "pixel-8", 1, A("mystery", "1"))
    with pytest.raises(InvalidValue, match="key or a label"):
        wiki.set_attribute("bob", "pixel-8", 1, A(None, "1"))
    with pytest.raises(InvalidValue, match="not text"):
        wiki.set_attribute("bob", "pixel-8", 1, A("weight", "1 g", type="text"))
    assert phones.definitions.find("mystery") is None
    assert phones.entries.get("pixel-8")["version"] == 1


def test_one_bad_value_refuses_the_whole_edit(wiki, phones):
    """An edit with one good and one bad value stores neither, nor a new definition."""
    _create(wiki, weight="187 g")
    with pytest.raises(InvalidValue):
        wiki.edit_entry("bob", "pixel-8", 1, set_attributes=[
            A("new_flag", "yes", type="boolean"), A("weight", "heavy")])
    assert phones.definitions.find("new_flag") is None
    assert phones.entries.get("pixel-8")["attributes"]["weight"]["value"] == 187


def test_slugs_are_unique_and_never_contain_vs(wiki, phones):
    """Titles make slugs; a taken slug gets a suffix; 'vs' becomes 'versus'."""
    assert _create(wiki, "Pixel 8")["slug"] == "pixel-8"
    assert _create(wiki, "Pixel 8")["slug"] == "pixel-8-2"
    assert _create(wiki, "Alien vs Predator")["slug"] == "alien-versus-predator"
    with pytest.raises(Conflict):
        wiki.create_entry("a", title="X", category="phones", slug="pixel-8")
    with pytest.raises(InvalidValue, match="vs"):
        wiki.create_entry("a", title="X", category="phones", slug="a-vs-b")


@pytest.mark.parametrize("fields, message", [
    ({"title": ""}, "Title must not be empty"),
    ({"title": "a" * 121}, "at most 120"),
    ({"title": "two\nlines"}, "single line"),
    ({"title": ["list"]}, "must be text"),
    ({"category": "boats"}, "Category must be one of"),
    ({"summary": "bell\x07"}, "control characters"),
    ({"version": 9}, "cannot be changed"),
])
def test_entry_fields_are_validated(wiki, phones, fields, message):
    """Bad titles, summaries and categories are refused with a message."""
    _create(wiki)
    with pytest.raises(InvalidValue, match=message):
        wiki.edit_entry("bob", "pixel-8", 1, fields=fields)


def test_category_change_moves_the_count(wiki, phones):
    """Moving an entry between categories keeps the entry counts right."""
    _create(wiki)
    wiki.edit_entry("bob", "pixel-8", 1, fields={"category": "laptops"})
    assert phones.categories.get("phones")["entry_count"] == 0
    assert phones.categories.get("laptops")["entry_count"] == 1


def test_delete_keeps_history_and_refuses_stale(wiki, phones):
    """Deleting needs the current version; the history stays with a 'delete' revision."""
    entry = _create(wiki, weight="187 g")
    with pytest.raises(StaleVersion):
        wiki.delete_entry("admin", "pixel-8", 7)
    wiki.delete_entry("admin", "pixel-8", 1)
    with pytest.raises(NotFound):
        phones.entries.get("pixel-8")
    history = phones.revisions.for_entry(entry["_id"])
    assert [r["action"] for r in history] == ["create", "delete"]
    assert phones.categories.get("phones")["entry_count"] == 0
    with pytest.raises(NotFound):
        wiki.delete_entry("admin", "pixel-8", 2)


def test_unsetting_a_missing_attribute_is_not_found(wiki, phones):
    """Deleting an attribute the entry does not have says so."""
    _create(wiki)
    with pytest.raises(NotFound):
        wiki.delete_attribute("bob", "pixel-8", 1, "weight")


def test_compare_keeps_the_order_given_and_counts_views_per_set(wiki, phones):
    """compare() aligns in the reader's order; popularity counts the set, in any order."""
    _create(wiki, "Pixel 8", weight="187 g")
    _create(wiki, "Galaxy S24", weight="0.167 kg")
    result = wiki.compare(["pixel-8", "galaxy-s24"], count_view=True)
    assert [e["slug"] for e in result.entries] == ["pixel-8", "galaxy-s24"]
    [row] = result.rows
    assert row.key == "weight" and row.best == (1,)
    wiki.compare(["galaxy-s24", "pixel-8"], count_view=True)
    [popular] = phones.comparisons.popular()
    assert popular["key"] == "galaxy-s24-vs-pixel-8" and popular["views"] == 2
    imperial = wiki.compare(["pixel-8", "galaxy-s24"], units="imperial")
    assert [cell.text for cell in imperial.rows[0].cells] == ["6.6 oz", "5.89 oz"]
    with pytest.raises(NotFound):
        wiki.compare(["pixel-8", "nokia-3310"])
    with pytest.raises(InvalidValue):
        wiki.compare(["pixel-8", "pixel-8"])
    with pytest.raises(InvalidValue):
        wiki.compare(["pixel-8"])


def test_attribute_input_from_mapping():
    """Only known fields are taken from a JSON object; a value is required; fields are text."""
    item = A.from_mapping({"key": "weight", "value": "1 g", "role": "admin"})
    assert item == A("weight", "1 g")
    with pytest.raises(InvalidValue, match="value"):
        A.from_mapping({"key": "weight"})
    with pytest.raises(InvalidValue, match="must be text"):
        A.from_mapping({"key": {"$ne": ""}, "value": "1"})


def test_by_ids_is_one_query_and_leaves_out_deleted(wiki, phones, monkeypatch):
    """Listings of revisions fetch their entries in one query, not one per row."""
    first = _create(wiki, "Pixel 8")
    second = _create(wiki, "Galaxy S24")
    wiki.delete_entry("admin", second["slug"], 1)
    calls = []
    original = type(phones.entries.col).find
    monkeypatch.setattr(type(phones.entries.col), "find",
                        lambda self, *a, **k: calls.append(a) or original(self, *a, **k))
    found = phones.entries.by_ids([first["_id"], second["_id"], first["_id"]])
    assert list(found) == [first["_id"]] and len(calls) == 1
    assert phones.entries.by_ids([]) == {}
