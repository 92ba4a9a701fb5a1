"""The rules of categories: fields, the tree, suggested attributes, the reader's language."""

from __future__ import annotations

import pytest

from app.domain import categories as rules
from app.domain.errors import InvalidValue


def test_a_new_category_gets_its_slug_from_its_name():
    fields = rules.check_category({"name": "  Flip phones ", "name_zh": "翻盖手机",
                                   "description": "Small.\r\nFolding.", "parent": "phones",
                                   "attributes": ["weight", {"key": "screen", "group": "屏幕"}]})
    assert fields == {"slug": "flip-phones", "name": "Flip phones", "name_zh": "翻盖手机",
                      "description": "Small.\nFolding.", "description_zh": "",
                      "parent": "phones",
                      "attributes": [{"key": "weight"}, {"key": "screen", "group": "屏幕"}]}
    assert rules.check_category({"name": "折叠屏"})["slug"] == "zhe-die-ping"
    assert rules.check_category({"name": "!!!"})["slug"] == "category"


@pytest.mark.parametrize(("data", "field"), [
    ({"name": ""}, "name"),
    ({"name": 5}, "name"),
    ({"name": "x" * 61}, "name"),
    ({"name": "A\tB"}, "name"),
    ({"name": "Ok", "description": "x" * 501}, "description"),
    ({"name": "Ok", "description_zh": "bad\x00"}, "description_zh"),
    ({"name": "Ok", "slug": "Not A Slug"}, "slug"),
    ({"name": "Ok", "slug": "x" * 41}, "slug"),
    ({"name": "Ok", "parent": 3}, "parent"),
    ({"name": "Ok", "parent": "Bad Parent"}, "slug"),
    ({"name": "Ok", "attributes": None}, "attributes"),
    ({"name": "Ok", "attributes": ["k"] * 2}, "attributes"),
    ({"name": "Ok", "attributes": [f"k{n}" for n in range(41)]}, "attributes"),
    ({"name": "Ok", "attributes": ["Not a key"]}, "attributes"),
    ({"name": "Ok", "attributes": [{"key": "k", "colour": "red"}]}, "attributes"),
    ({"name": "Ok", "attributes": [7]}, "attributes"),
])
def test_bad_fields_are_refused_naming_them(data, field):
    with pytest.raises(InvalidValue) as caught:
        rules.check_category(data)
    assert caught.value.field == field


def test_not_an_object_and_unknown_changes_are_refused():
    with pytest.raises(InvalidValue):
        rules.check_category(["name"])
    with pytest.raises(InvalidValue) as caught:
        rules.check_changes({"slug": "new-slug"})
    assert caught.value.field == "slug"
    with pytest.raises(InvalidValue) as caught:
        rules.check_changes({"entry_count": 3})
    assert caught.value.field == "entry_count"
    assert rules.check_changes({"parent": "", "name_zh": None}) == {"parent": None,
                                                                    "name_zh": ""}


PARENTS = {"phones": None, "foldables": "phones", "flip": "foldables", "laptops": None,
           "loop-a": "loop-b", "loop-b": "loop-a"}


def test_trails_stop_at_the_top_at_missing_parents_and_at_cycles():
    assert rules.trail("flip", PARENTS) == ["phones", "foldables", "flip"]
    assert rules.trail("orphan", {"orphan": "gone"}) == ["gone", "orphan"]
    assert rules.trail("loop-a", PARENTS) == ["loop-b", "loop-a"]
    assert rules.trail(None, PARENTS) == []


def test_the_tree_refuses_missing_parents_loops_and_depth():
    rules.check_tree("new", None, PARENTS)
    rules.check_tree("new", "foldables", PARENTS)
    with pytest.raises(InvalidValue, match="no category"):
        rules.check_tree("new", "nowhere", PARENTS)
    with pytest.raises(InvalidValue, match="inside itself"):
        rules.check_tree("phones", "flip", PARENTS)
    with pytest.raises(InvalidValue, match="at most 3"):
        rules.check_tree("new", "flip", PARENTS)
    with pytest.raises(InvalidValue, match="at most 3"):
        rules.check_tree("foldables", "laptops", PARENTS, children_depth=2)
    assert rules.depth_below("phones", PARENTS) == 2
    assert rules.depth_below("laptops", PARENTS) == 0
    assert rules.depth_below("loop-a", PARENTS) == 1  # a stored cycle does not loop forever


def test_suggestions_merge_and_names_follow_the_reader():
    first = [{"key": "weight"}, {"key": "price", "group": "Money"}]
    second = [{"key": "price"}, {"key": "battery"}]
    assert rules.merged_suggestions(first, second) == [
        {"key": "weight"}, {"key": "price", "group": "Money"}, {"key": "battery"}]
    category = {"slug": "phones", "name": "Phones", "name_zh": "手机", "description": "D"}
    assert rules.localised(category, True) == {"name": "手机", "description": "D"}
    assert rules.localised(category, False) == {"name": "Phones", "description": "D"}
    assert rules.localised({"slug": "bare"}, True) == {"name": "bare", "description": ""}
