"""Tests of app.domain.revisions: flat states, changes, replay, diff and revert."""

from __future__ import annotations

import copy
import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.errors import InvalidValue
from app.domain.revisions import (
    ENTRY_FIELDS,
    apply_changes,
    changes_between,
    diff,
    entry_fields,
    entry_state,
    revert_changes,
    state_at,
)

WEIGHT_187 = {"value": 187, "unit": "g", "n": 0.187}
WEIGHT_200 = {"value": 200, "unit": "g", "n": 0.2}
SCREEN = {"value": 6.2, "unit": "in", "n": 6.2}
FIVE_G = {"value": True}
RATING = {"value": 4}

START = datetime(2024, 1, 1, tzinfo=UTC)


def revision(version, changes, action="edit", entry_id="e1"):
    """A revision record as the repository stores it."""
    return {
        "entry_id": entry_id,
        "version": version,
        "at": START + timedelta(hours=version),
        "user": "alice",
        "action": action,
        "changes": changes,
        "comment": f"v{version}",
    }


# The states of one entry through its life, and the history that records them.
STATES = {
    1: {"title": "Pixel 8", "category": "phone", "attr.weight": WEIGHT_187},
    2: {
        "title": "Pixel 8",
        "summary": "Google's phone",
        "category": "phone",
        "attr.weight": WEIGHT_200,
        "attr.screen": SCREEN,
    },
    3: {
        "title": "Google Pixel 8",
        "summary": "Google's phone",
        "category": "phone",
        "attr.screen": SCREEN,
        "attr.5g": FIVE_G,
    },
    4: {"title": "Pixel 8", "category": "phone", "attr.weight": WEIGHT_187},  # revert to v1
    5: {"title": "Pixel 8", "category": "phone", "attr.weight": WEIGHT_187, "attr.rating": RATING},
}
ACTIONS = {1: "create", 2: "edit", 3: "edit", 4: "revert", 5: "edit"}


def history():
    """Revisions 1..5 built from STATES, each recording the changes from the one before."""
    revisions, previous = [], {}
    for version in sorted(STATES):
        changes = changes_between(previous, STATES[version])
        revisions.append(revision(version, changes, ACTIONS[version]))
        previous = STATES[version]
    return revisions


# --- entry_state / entry_fields -------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "state"),
    [
        (
            {
                "_id": "x",
                "slug": "pixel-8",
                "title": "Pixel 8",
                "summary": "Phone",
                "category": "phone",
                "attributes": {"weight": WEIGHT_187, "5g": FIVE_G},
                "version": 3,
            },
            {
                "title": "Pixel 8",
                "summary": "Phone",
                "category": "phone",
                "attr.weight": WEIGHT_187,
                "attr.5g": FIVE_G,
            },
        ),
        ({"title": "Bare"}, {"title": "Bare"}),
        ({"title": "T", "summary": None, "attributes": None}, {"title": "T"}),
        ({"title": "T", "summary": "", "attributes": {}}, {"title": "T", "summary": ""}),
        ({"title": "T", "attributes": {"gone": None}}, {"title": "T"}),
        ({}, {}),
    ],
    ids=["full", "title-only", "nones-dropped", "empty-summary-kept", "none-attr", "empty"],
)
def test_entry_state(entry, state):
    assert entry_state(entry) == state


def test_entry_fields_is_the_inverse_of_entry_state():
    entry = {
        "title": "Pixel 8",
        "summary": "Phone",
        "category": "phone",
        "attributes": {"weight": WEIGHT_187, "screen": SCREEN},
    }
    assert entry_fields(entry_state(entry)) == entry


def test_entry_fields_names_absent_fields_and_ignores_unknown_keys():
    fields = entry_fields({"title": "T", "attr.weight": WEIGHT_187, "stray": 1})
    assert fields == {
        "title": "T",
        "summary": None,
        "category": None,
        "attributes": {"weight": WEIGHT_187},
    }


# --- changes_between / apply_changes --------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "changes"),
    [
        ({}, {}, []),
        ({"title": "A"}, {"title": "A"}, []),
        ({"title": "A"}, {"title": "B"}, [{"key": "title", "before": "A", "after": "B"}]),
        ({}, {"summary": "S"}, [{"key": "summary", "before": None, "after": "S"}]),
        (
            {"attr.weight": WEIGHT_187},
            {},
            [{"key": "attr.weight", "before": WEIGHT_187, "after": None}],
        ),
        (
            {"attr.weight": WEIGHT_187},
            {"attr.weight": WEIGHT_200},
            [{"key": "attr.weight", "before": WEIGHT_187, "after": WEIGHT_200}],
        ),
        (
            {"attr.weight": dict(WEIGHT_187)},
            {"attr.weight": dict(WEIGHT_187)},
            [],
        ),
    ],
    ids=["empty", "same", "edit", "add", "remove-attr", "edit-attr", "equal-copies"],
)
def test_changes_between(before, after, changes):
    assert changes_between(before, after) == changes


def test_changes_are_sorted_entry_fields_first_then_attributes_alphabetically():
    before = {"attr.b": {"value": 1}, "title": "old"}
    after = {
        "attr.zoom": {"value": 3},
        "attr.a": {"value": 2},
        "category": "c",
        "summary": "s",
        "title": "new",
    }
    keys = [change["key"] for change in changes_between(before, after)]
    assert keys == ["title", "summary", "category", "attr.a", "attr.b", "attr.zoom"]


def test_apply_changes_does_not_touch_its_inputs():
    state = {"title": "A", "attr.weight": WEIGHT_187}
    changes = [
        {"key": "title", "before": "A", "after": "B"},
        {"key": "attr.weight", "before": WEIGHT_187, "after": None},
        {"key": "attr.screen", "before": None, "after": {"value": 6.1, "unit": "in"}},
    ]
    frozen_state, frozen_changes = copy.deepcopy(state), copy.deepcopy(changes)
    result = apply_changes(state, changes)
    assert result == {"title": "B", "attr.screen": {"value": 6.1, "unit": "in"}}
    assert state == frozen_state and changes == frozen_changes
    result["attr.screen"]["value"] = 99  # the new state shares nothing with the revision
    assert changes == frozen_changes


def test_apply_changes_removing_an_absent_key_is_harmless():
    assert apply_changes({"title": "A"}, [{"key": "summary", "before": "x", "after": None}]) == {
        "title": "A"
    }


# Hypothesis: any two states, the changes between them lead from one to the other.
stored_values = st.one_of(
    st.fixed_dictionaries({"value": st.text(max_size=5)}),
    st.fixed_dictionaries({"value": st.booleans()}),
    st.fixed_dictionaries(
        {"value": st.integers(-5, 5), "unit": st.sampled_from(["g", "kg"]), "n": st.integers()}
    ),
    st.fixed_dictionaries({"value": st.lists(st.text(max_size=3), max_size=3)}),
)
attr_keys = st.sampled_from(["weight", "screen", "5g", "price", "tags"]).map("attr.".__add__)
states = st.fixed_dictionaries(
    {},
    optional={field: st.text(max_size=6) for field in ENTRY_FIELDS},
).flatmap(
    lambda fields: st.dictionaries(attr_keys, stored_values, max_size=5).map(
        lambda attrs: {**fields, **attrs}
    )
)


@given(states, states)
def test_apply_changes_between_round_trip(a, b):
    changes = changes_between(a, b)
    assert apply_changes(a, changes) == b
    assert len({change["key"] for change in changes}) == len(changes)
    assert all(change["before"] != change["after"] for change in changes)


@given(states, states)
def test_changes_between_reversed_undoes(a, b):
    forward = changes_between(a, b)
    backward = changes_between(b, a)
    assert apply_changes(apply_changes(a, forward), backward) == a
    assert [c["key"] for c in forward] == [c["key"] for c in backward]


@given(states)
def test_entry_state_and_entry_fields_round_trip(state):
    assert entry_state(entry_fields(state)) == state


# --- state_at --------------------------------------------------------------------------------


@pytest.mark.parametrize("version", sorted(STATES))
def test_state_at_replays_create_edit_and_revert(version):
    assert state_at(history(), version) == STATES[version]


@pytest.mark.parametrize("seed", range(5))
def test_state_at_accepts_revisions_in_any_order(seed):
    revisions = history()
    random.Random(seed).shuffle(revisions)
    for version, expected in STATES.items():
        assert state_at(revisions, version) == expected


def test_state_at_accepts_any_iterable():
    assert state_at(iter(history()), 3) == STATES[3]


def test_state_at_ignores_later_gaps():
    revisions = [r for r in history() if r["version"] != 4]
    assert state_at(revisions, 3) == STATES[3]


def test_state_at_does_not_alias_the_revisions():
    revisions = history()
    state = state_at(revisions, 1)
    state["attr.weight"]["value"] = 1
    assert state_at(revisions, 1) == STATES[1]


def test_a_delete_revision_replays_like_any_other():
    revisions = history()
    revisions.append(revision(6, changes_between(STATES[5], {}), "delete"))
    assert state_at(revisions, 6) == {}


@pytest.mark.parametrize(
    ("revisions", "version", "message"),
    [
        (history(), 0, "no version 0"),
        (history(), 6, "no version 6"),
        (history(), -1, "no version -1"),
        (history(), "3", "no version '3'"),
        (history(), True, "no version True"),
        ([], 1, "no version 1"),
        ([r for r in history() if r["version"] != 2], 3, "gap: version 2 is missing"),
        ([r for r in history() if r["version"] != 1], 2, "gap: version 1 is missing"),
        (history() + [revision(3, [])], 3, "version 3 twice"),
        (history() + [revision(6, [], entry_id="e2")], 3, "different entries"),
    ],
    ids=[
        "zero",
        "future",
        "negative",
        "string",
        "bool",
        "empty-history",
        "gap",
        "no-create",
        "duplicate",
        "mixed-entries",
    ],
)
def test_state_at_refuses_bad_histories(revisions, version, message):
    with pytest.raises(InvalidValue, match=message) as caught:
        state_at(revisions, version)
    assert caught.value.field in {"version", "entry_id"}


# --- diff ------------------------------------------------------------------------------------

VERSION_PAIRS = [(a, b) for a in STATES for b in STATES]


@pytest.mark.parametrize(("a", "b"), VERSION_PAIRS)
def test_diff_of_any_two_versions(a, b):
    changes = diff(history(), a, b)
    assert changes == changes_between(STATES[a], STATES[b])
    assert apply_changes(STATES[a], changes) == STATES[b]


@pytest.mark.parametrize(("a", "b"), VERSION_PAIRS)
def test_reverse_diff_swaps_before_and_after(a, b):
    forward = diff(history(), a, b)
    backward = diff(history(), b, a)
    assert backward == [
        {"key": c["key"], "before": c["after"], "after": c["before"]} for c in forward
    ]


def test_diff_of_neighbours_is_the_recorded_change():
    revisions = history()
    for rev in revisions[1:]:
        assert diff(revisions, rev["version"] - 1, rev["version"]) == rev["changes"]


def test_diff_shows_a_revert_as_the_way_back():
    assert diff(history(), 3, 4) == [
        {"key": "title", "before": "Google Pixel 8", "after": "Pixel 8"},
        {"key": "summary", "before": "Google's phone", "after": None},
        {"key": "attr.5g", "before": FIVE_G, "after": None},
        {"key": "attr.screen", "before": SCREEN, "after": None},
        {"key": "attr.weight", "before": None, "after": WEIGHT_187},
    ]


def test_diff_with_itself_is_empty_and_v1_to_v4_is_empty():
    assert diff(history(), 2, 2) == []
    assert diff(history(), 1, 4) == []


def test_diff_refuses_unknown_versions():
    with pytest.raises(InvalidValue):
        diff(history(), 1, 9)


# --- revert_changes --------------------------------------------------------------------------


@pytest.mark.parametrize(("current", "target"), VERSION_PAIRS)
def test_revert_changes_then_apply_gives_the_old_state(current, target):
    revisions = history()
    now = STATES[current]
    changes = revert_changes(revisions, now, target)
    assert apply_changes(now, changes) == state_at(revisions, target)
    assert (changes == []) == (STATES[current] == STATES[target])


def test_revert_to_the_current_version_is_nothing_to_do():
    assert revert_changes(history(), STATES[5], 5) == []


def test_revert_works_from_an_entry_document():
    entry = {"slug": "pixel-8", "version": 5, **entry_fields(STATES[5])}
    changes = revert_changes(history(), entry_state(entry), 2)
    new_entry = {**entry, **entry_fields(apply_changes(entry_state(entry), changes))}
    assert entry_state(new_entry) == STATES[2]


def test_revert_recorded_as_a_revision_keeps_the_history_replayable():
    revisions = history()
    changes = revert_changes(revisions, STATES[5], 2)
    revisions.append(revision(6, changes, "revert"))
    assert state_at(revisions, 6) == STATES[2]
    assert diff(revisions, 2, 6) == []


def test_revert_refuses_an_unknown_version():
    with pytest.raises(InvalidValue, match="no version 7"):
        revert_changes(history(), STATES[5], 7)
