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


# -- issue 13: growing the wiki ---------------------------------------------------------------


def test_add_attribute_refuses_what_the_entry_has_and_replaces_when_told(wiki, phones):
    """add_attribute: AttributeExists names the value; replace=True replaces it."""
    from app.domain.errors import AttributeExists

    _create(wiki, weight="201.2 g")
    with pytest.raises(AttributeExists) as caught:
        wiki.add_attribute("bob", "pixel-8", 1, A(None, "0.2 kg", label="WEIGHT"))
    assert (caught.value.key, caught.value.text, caught.value.current["value"]) == (
        "weight", "201.2 g", 201.2)
    assert caught.value.message == "Weight is already 201.2 g."
    assert phones.entries.get("pixel-8")["version"] == 1
    entry = wiki.add_attribute("bob", "pixel-8", 1, A(None, "0.2 kg", label="WEIGHT"),
                               replace=True)
    assert entry["attributes"]["weight"]["value"] == 0.2 and entry["version"] == 2


def test_key_for_matches_labels_exactly_after_folding_never_by_prefix(wiki, phones):
    """Labels (English or Chinese) fold case, width and punctuation; a taken key is
    numbered for a new label; a label with nothing to make a key from is refused."""
    from app.domain.definitions import validate_definition

    phones.definitions.insert(validate_definition(
        {"key": "battery", "label": "Battery capacity", "label_zh": "电池容量",
         "type": "number", "unit": "mAh"}), "t")
    assert wiki.key_for(A(None, "1", label="Screen-Size!")) == "screen"
    assert wiki.key_for(A(None, "1", label="ＷＥＩＧＨＴ")) == "weight"
    assert wiki.key_for(A(None, "1", label="电池容量")) == "battery"
    assert wiki.key_for(A(None, "1", label="Battery")) == "battery_2"
    assert wiki.key_for(A("given", "1", label="Weight")) == "given"
    with pytest.raises(InvalidValue):
        wiki.key_for(A(None, "1"))
    with pytest.raises(InvalidValue):
        wiki.key_for(A(None, "1", label="!!!"))


def test_a_new_attribute_joins_a_section_named_in_chinese(wiki, phones):
    """A new attribute's section typed as a Chinese section name is that section."""
    from app.domain.definitions import validate_definition

    phones.definitions.insert(validate_definition(
        {"key": "height", "label": "Height", "type": "number", "unit": "mm",
         "group": "Body", "group_zh": "机身"}), "t")
    _create(wiki)
    wiki.set_attribute("bob", "pixel-8", 1, A("depth", "8 mm", type="number", group="机身"))
    assert phones.definitions.get("depth").group == "Body"
    wiki.set_attribute("bob", "pixel-8", 2, A("glow", "yes", type="boolean", group="Light"))
    assert phones.definitions.get("glow").group == "Light"


def test_near_duplicates_fold_case_punctuation_and_find_numbered_slugs(wiki, phones):
    """"iphone-15!" finds iPhone 15 and the iphone-15-2 made after it; others not."""
    first = _create(wiki, title="iPhone 15")
    second = _create(wiki, title="IPHONE 15")
    _create(wiki, title="iPhone 15 Pro")
    assert second["slug"] == "iphone-15-2"
    found = wiki.near_duplicates("iphone-15!")
    assert [doc["slug"] for doc in found] == [first["slug"], second["slug"]]
    assert wiki.near_duplicates("Galaxy S24") == []


def test_delete_and_restore_keep_the_id_history_and_slug(wiki, phones):
    """A restored entry is its old self under its old id and slug, one revision more."""
    entry = _create(wiki, weight="187 g")
    wiki.set_attribute("bob", "pixel-8", 1, A("weight", "190 g"))
    wiki.delete_entry("admin", "pixel-8", 2, comment="oops")
    gone = wiki.deleted_entry("pixel-8")
    assert (gone["title"], gone["user"], gone["entry_id"]) == ("Pixel 8", "admin",
                                                                str(entry["_id"]))
    assert phones.categories.get("phones")["entry_count"] == 0
    back = wiki.restore_entry("admin", str(entry["_id"]), comment="needed")
    assert (back["_id"], back["slug"], back["version"]) == (entry["_id"], "pixel-8", 4)
    assert back["attributes"]["weight"]["value"] == 190
    history = phones.revisions.for_entry(entry["_id"])
    assert [(r["version"], r["action"]) for r in history] == [
        (1, "create"), (2, "edit"), (3, "delete"), (4, "restore")]
    assert history[-1]["comment"] == "needed"
    assert phones.categories.get("phones")["entry_count"] == 1
    assert wiki.deleted_entry("pixel-8") is None  # it is back
    with pytest.raises(NotFound):
        wiki.restore_entry("admin", str(entry["_id"]))  # not deleted now
    with pytest.raises(NotFound):
        wiki.restore_entry("admin", "not-an-id")
    with pytest.raises(InvalidValue, match="deletion"):
        wiki.revert("admin", "pixel-8", 4, 3)  # the version that recorded the deletion


def test_restore_takes_a_free_slug_and_needs_its_category(wiki, phones, repos):
    """A slug taken meanwhile gives the restored entry the next free one; a category
    that is gone is refused, saying so."""
    entry = _create(wiki)
    wiki.delete_entry("admin", "pixel-8", 1)
    _create(wiki)  # takes pixel-8
    back = wiki.restore_entry("admin", entry["_id"])
    assert back["slug"] == "pixel-8-2"
    other = wiki.create_entry("alice", title="ThinkPad", category="laptops")
    wiki.delete_entry("admin", other["slug"], 1)
    with repos.store.writing():
        repos.categories.col.delete_one({"slug": "laptops"})
    with pytest.raises(Conflict, match="no longer exists"):
        wiki.restore_entry("admin", other["_id"])


def test_recent_changes_filter_by_category_user_action_and_not_mine(wiki, phones, accounts):
    """Each filter of recent changes, alone and together, newest first; accounts are
    matched by id, and a name no account has finds nothing."""
    alice = accounts.register("alice", "alice@example.org", "correct horse battery")
    bob = accounts.register("bob", "bob@example.org", "correct horse battery")
    wiki.create_entry(alice, title="Pixel 8", category="phones")
    wiki.create_entry(bob, title="ThinkPad", category="laptops")
    wiki.set_attribute(bob, "pixel-8", 1, A("weight", "190 g"))

    def shown(**filters):
        return [(r["user"], r["action"], r["version"])
                for r in wiki.recent_changes(10, **filters)]

    assert shown() == [("bob", "edit", 2), ("bob", "create", 1), ("alice", "create", 1)]
    assert shown(category="phones") == [("bob", "edit", 2), ("alice", "create", 1)]
    assert shown(user="bob", created_only=True) == [("bob", "create", 1)]
    assert shown(hide_user=bob) == [("alice", "create", 1)]
    assert shown(category="laptops", hide_user=bob) == []
    assert shown(user="nobody") == []


def test_edit_details_sets_and_removes_the_picture_and_cleans_up(wiki, phones, repos):
    """An uploaded picture is stored; a refused edit removes the file again."""
    import io

    from PIL import Image

    _create(wiki)
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (9, 9, 9)).save(out, format="PNG")
    picture = wiki.store_picture(out.getvalue(), "pixel-8")
    entry = wiki.edit_details("bob", "pixel-8", 1, fields={"title": "Pixel Eight"},
                              picture=picture, comment="a picture")
    assert entry["attributes"]["image"]["file"] == picture.file_id
    assert entry["title"] == "Pixel Eight"
    stale = wiki.store_picture(out.getvalue(), "pixel-8")
    with pytest.raises(StaleVersion):
        wiki.edit_details("bob", "pixel-8", 1, fields={}, picture=stale)
    with pytest.raises(NotFound):
        repos.images.get(stale.file_id)  # the refused upload left nothing behind
    entry = wiki.edit_details("bob", "pixel-8", 2, fields={}, remove_picture=True)
    assert "image" not in entry["attributes"]
    entry = wiki.edit_details("bob", "pixel-8", 3, fields={},
                              picture="https://example.org/p8.png")
    assert entry["attributes"]["image"]["value"] == "https://example.org/p8.png"
