"""Tests of app.domain.compare: alignment, groups, differences, winners and comparison slugs."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.compare import (
    MAX_ENTRIES,
    MIN_ENTRIES,
    MISSING_TEXT,
    Cell,
    Comparison,
    align,
    canonical_order,
    comparison_slug,
    distinct,
    parse_comparison_slug,
)
from app.domain.definitions import DEFAULT_GROUP, Definition
from app.domain.errors import InvalidValue
from app.domain.types import parse_value, sort_key, values_equal


def _define(key, label, type_, group, order, unit=None, better="none"):
    """A definition keyed by its key, for the DEFS table."""
    return key, Definition(key, label, type_, unit, better, group, order)


DEFS = dict(
    [
        _define("rating", "Rating", "rating", "General", 1, better="higher"),
        _define("released", "Released", "date", "General", 2, better="higher"),
        _define("announced", "Announced", "date", "General", 3),
        _define("screen", "Screen size", "number", "Display", 10, "in", "higher"),
        _define("refresh", "Refresh rate", "number", "Display", 11, "Hz", "higher"),
        _define("weight", "Weight", "number", "Body", 20, "g", "lower"),
        _define("thickness", "Thickness", "number", "Body", 20, "mm", "lower"),
        _define("colour", "Colour", "text", "Body", 25),
        _define("mass", "Mass", "number", "Body", 26, "kg", "lower"),
        _define("battery", "Battery", "number", "Battery", 30, "mAh", "higher"),
        _define("charging", "Charging", "number", "Battery", 31, "W"),
        _define("nfc", "NFC", "boolean", "Connectivity", 40, better="higher"),
        _define("jack", "Headphone jack", "boolean", "Connectivity", 41),
        _define("bands", "Bands", "list", "Connectivity", 42),
        _define("site", "Website", "url", "Links", 5000),
    ]
)


def entry(slug, *, other=None, **raw):
    """An entry dict with values parsed from what an editor types (None = no value)."""
    attributes = {key: parse_value(DEFS[key], value) for key, value in raw.items() if value}
    return {"slug": slug, "title": slug.title(), "attributes": {**attributes, **(other or {})}}


def entries_with(key, raws):
    """One entry per raw value of ``key`` (None leaves the entry without it)."""
    return [entry(f"e{i}", **{key: raw}) for i, raw in enumerate(raws)]


def row_of(comparison, key):
    """The row of ``key``."""
    (row,) = [row for row in comparison.rows if row.key == key]
    return row


PIXEL = entry(
    "pixel-8",
    rating="4",
    released="2023-10-04",
    screen="6.2 in",
    weight="187 g",
    thickness="8.9 mm",
    colour="Obsidian",
    battery="4575 mAh",
    nfc="yes",
    jack="no",
    other={"usb_c": {"value": "3.2"}},
)
IPHONE = entry(
    "iphone-15",
    rating="★★★★★",
    released="2023-09",
    screen="15.5 cm",
    weight="0.171 kg",
    thickness="7.8 mm",
    colour="Black",
    battery="3.349 Ah",
    nfc="yes",
    jack="no",
    site="https://apple.com/iphone-15",
)


# --- alignment ------------------------------------------------------------------------------


def test_two_entries_line_up_over_the_union_of_their_attributes():
    comparison = align([PIXEL, IPHONE], DEFS)
    keys = {row.key for row in comparison.rows}
    assert keys == set(PIXEL["attributes"]) | set(IPHONE["attributes"])
    assert comparison.entries == (PIXEL, IPHONE)
    for row in comparison.rows:
        assert len(row.cells) == 2
        for cell, source in zip(row.cells, (PIXEL, IPHONE), strict=True):
            assert cell.stored == source["attributes"].get(row.key)


def test_cells_show_values_as_pages_do_and_missing_as_a_dash():
    comparison = align([PIXEL, IPHONE], DEFS)
    texts = {row.key: [cell.text for cell in row.cells] for row in comparison.rows}
    # numbers in the row's one unit (the definition's, by default), as entered beside it
    assert texts["screen"] == ["6.2 in", "6.1 in"]
    assert texts["weight"] == ["187 g", "171 g"]
    assert [c.entered for c in row_of(comparison, "screen").cells] == ["6.2 in", "15.5 cm"]
    assert [c.entered for c in row_of(comparison, "weight").cells] == ["187 g", "0.171 kg"]
    assert texts["rating"] == ["★★★★☆", "★★★★★"]
    assert texts["nfc"] == ["Yes", "Yes"]
    assert texts["site"] == [MISSING_TEXT, "https://apple.com/iphone-15"]
    assert texts["usb_c"] == ["3.2", MISSING_TEXT]
    site = row_of(comparison, "site")
    assert site.cells[0] == Cell(stored=None, text="—", missing=True, best=False)
    assert not site.cells[1].missing


def test_rows_carry_their_definition():
    row = row_of(align([PIXEL, IPHONE], DEFS), "screen")
    assert (row.key, row.label, row.type, row.unit, row.better) == (
        "screen",
        "Screen size",
        "number",
        "in",
        "higher",
    )


def test_entries_keep_the_order_given():
    comparison = align([IPHONE, PIXEL], DEFS)
    assert [e["slug"] for e in comparison.entries] == ["iphone-15", "pixel-8"]
    assert row_of(comparison, "weight").cells[0].text == "171 g"
    assert row_of(comparison, "weight").cells[0].entered == "0.171 kg"


@pytest.mark.parametrize(
    "attributes",
    [None, {}, {"weight": None}, {"weight": {"unit": "g"}}],
    ids=["no-attributes", "empty", "none-value", "malformed"],
)
def test_entries_without_a_value_count_as_missing(attributes):
    bare = {"slug": "bare", "title": "Bare", "attributes": attributes}
    row = row_of(align([entry("a", weight="100 g"), bare], DEFS), "weight")
    assert [cell.missing for cell in row.cells] == [False, True]
    assert row.differs and row.best == ()


def test_entry_without_attributes_key():
    comparison = align([entry("a", nfc="yes"), {"slug": "b", "title": "B"}], DEFS)
    assert [row.key for row in comparison.rows] == ["nfc"]


def test_two_entries_without_any_attributes_have_no_rows():
    comparison = align([entry("a"), entry("b")], DEFS)
    assert comparison.groups == () and comparison.rows == ()
    assert comparison.only_differences().groups == ()


# --- grouping and ordering ------------------------------------------------------------------


def test_groups_ordered_by_smallest_order_and_rows_by_order_then_label():
    comparison = align([PIXEL, IPHONE], DEFS)
    layout = [(group.name, [row.key for row in group.rows]) for group in comparison.groups]
    assert layout == [
        # usb_c has no definition: a text row of the default section, ordered last in it
        (DEFAULT_GROUP, ["rating", "released", "usb_c"]),
        ("Display", ["screen"]),
        # thickness and weight share order 20: the label decides
        ("Body", ["thickness", "weight", "colour"]),
        ("Battery", ["battery"]),
        ("Connectivity", ["nfc", "jack"]),
        ("Links", ["site"]),
    ]
    assert comparison.rows == tuple(row for group in comparison.groups for row in group.rows)


def test_group_position_follows_its_smallest_order_not_its_first_row():
    defs = {
        "a": Definition("a", "A", "text", group="Late", order=50),
        "b": Definition("b", "B", "text", group="Late", order=1),
        "c": Definition("c", "C", "text", group="Early", order=10),
    }
    pair = [{"slug": s, "title": s, "attributes": {k: {"value": s} for k in "abc"}} for s in "xy"]
    comparison = align(pair, defs)
    assert [g.name for g in comparison.groups] == ["Late", "Early"]
    assert [r.key for r in comparison.groups[0].rows] == ["b", "a"]


def test_groups_with_equal_orders_come_by_their_first_rows_label():
    """One rule for pages, the API and comparisons (definitions.in_sections)."""
    defs = {
        "a": Definition("a", "A", "text", group="Zeta", order=1),
        "b": Definition("b", "B", "text", group="alpha", order=1),
    }
    pair = [
        {"slug": s, "title": s, "attributes": {"a": {"value": 1}, "b": {"value": 1}}} for s in "xy"
    ]
    assert [g.name for g in align(pair, defs).groups] == ["Zeta", "alpha"]


def test_undefined_keys_are_text_rows_of_the_default_section():
    a = entry("a", site="https://a.example", other={"usb_c": {"value": "3.2"}, "aaa": {"value": 1}})
    b = entry("b", other={"usb_c": {"value": "3.2"}, "aaa": {"value": 2}, "zz_top": {"value": "x"}})
    comparison = align([a, b], DEFS)
    # an undefined attribute has the default order (1000), the site link's is later
    assert [g.name for g in comparison.groups] == [DEFAULT_GROUP, "Links"]
    other = comparison.groups[0].rows
    assert [(r.key, r.label, r.type, r.unit, r.better) for r in other] == [
        ("aaa", "Aaa", "text", None, "none"),
        ("usb_c", "Usb c", "text", None, "none"),
        ("zz_top", "Zz top", "text", None, "none"),
    ]
    aaa, usb_c, zz_top = other
    assert [c.text for c in aaa.cells] == ["1", "2"] and aaa.differs and aaa.best == ()
    assert not usb_c.differs
    assert zz_top.differs and [c.text for c in zz_top.cells] == ["—", "x"]


def test_defined_and_undefined_attributes_share_the_default_section():
    defs = {
        "x": Definition("x", "X", "text", order=0),  # no section named: the default one
        "y": Definition("y", "Y", "text", group="Specs", order=999),
    }
    values = {"x": {"value": 1}, "y": {"value": 1}, "z": {"value": 1}}
    pair = [{"slug": s, "title": s, "attributes": values} for s in "ab"]
    layout = [(g.name, [r.key for r in g.rows]) for g in align(pair, defs).groups]
    assert layout == [(DEFAULT_GROUP, ["x", "z"]), ("Specs", ["y"])]


# --- differences and winners ----------------------------------------------------------------

ROW_CASES = [
    # key, raw values (None = missing), differs, best, texts as entered
    ("weight", ["187 g", "171 g"], True, (1,), ["187 g", "171 g"]),
    ("weight", ["187 g", "187 g"], False, (), ["187 g", "187 g"]),
    ("mass", ["1.2 kg", "1500 g"], True, (0,), ["1.2 kg", "1500 g"]),
    ("mass", ["1.2 kg", "1200 g"], False, (), ["1.2 kg", "1200 g"]),
    ("screen", ["6.1 in", "15.5 cm"], True, (1,), ["6.1 in", "15.5 cm"]),
    ("screen", ["6.1 in", "15.494 cm"], False, (), ["6.1 in", "15.494 cm"]),
    ("thickness", ["7.8 mm", "0.78 cm", "8 mm"], True, (0, 1), ["7.8 mm", "0.78 cm", "8 mm"]),
    ("screen", ["6.7 in", "6.1 in", "6.7 in"], True, (0, 2), ["6.7 in", "6.1 in", "6.7 in"]),
    ("screen", ["6.1 in", "6.1 in", "6.1 in"], False, (), ["6.1 in"] * 3),
    ("screen", ["6.1 in", None, "6.7 in"], True, (2,), ["6.1 in", "—", "6.7 in"]),
    ("screen", ["6.1 in", None, "6.1 in"], True, (), ["6.1 in", "—", "6.1 in"]),
    ("screen", ["6.1 in", None], True, (), ["6.1 in", "—"]),
    ("screen", [None, "6.1 in", None], True, (), ["—", "6.1 in", "—"]),
    ("refresh", ["120 Hz", "90", "0.12 kHz"], True, (0, 2), ["120 Hz", "90 Hz", "0.12 kHz"]),
    ("charging", ["45 W", "20 W"], True, (), ["45 W", "20 W"]),  # better = none
    ("nfc", ["yes", "no"], True, (0,), ["Yes", "No"]),
    ("nfc", ["no", "yes", "yes"], True, (1, 2), ["No", "Yes", "Yes"]),
    ("nfc", ["no", "no"], False, (), ["No", "No"]),
    ("nfc", ["yes", None, "no"], True, (0,), ["Yes", "—", "No"]),
    ("jack", ["yes", "no"], True, (), ["Yes", "No"]),  # boolean, better = none
    ("rating", ["4", "★★★★★", "3/5"], True, (1,), ["★★★★☆", "★★★★★", "★★★☆☆"]),
    ("rating", ["4", "4 stars"], False, (), ["★★★★☆", "★★★★☆"]),
    ("released", ["2023-10-04", "2022-10", "2023"], True, (0,), ["2023-10-04", "2022-10", "2023"]),
    ("released", ["2021", "2021"], False, (), ["2021", "2021"]),
    ("announced", ["2023-10-04", "2022-10"], True, (), ["2023-10-04", "2022-10"]),
    ("colour", ["Black", "black"], True, (), ["Black", "black"]),
    ("colour", ["Black", "Black"], False, (), ["Black", "Black"]),
    ("bands", ["5G, LTE", "5G"], True, (), ["5G, LTE", "5G"]),
    ("site", ["https://a.example", "https://a.example"], False, (), ["https://a.example"] * 2),
    # six entries: mixed units, a missing value and a two-way tie for the best
    (
        "battery",
        ["4000 mAh", "5 Ah", "4500 mAh", None, "5000 mAh", "3.9 Ah"],
        True,
        (1, 4),
        ["4000 mAh", "5 Ah", "4500 mAh", "—", "5000 mAh", "3.9 Ah"],
    ),
    (
        "weight",
        ["0.2 kg", "199 g", "7 oz", "210 g", "0.25 kg", "1 lb"],
        True,
        (2,),
        ["0.2 kg", "199 g", "7 oz", "210 g", "0.25 kg", "1 lb"],
    ),
    ("nfc", ["yes"] * 6, False, (), ["Yes"] * 6),
    (
        "rating",
        ["1", "2", "3", "4", "5", None],
        True,
        (4,),
        ["★☆☆☆☆", "★★☆☆☆", "★★★☆☆", "★★★★☆", "★★★★★", "—"],
    ),
]


@pytest.mark.parametrize(
    ("key", "raws", "differs", "best", "texts"),
    ROW_CASES,
    ids=[f"{case[0]}-{len(case[1])}-{'/'.join(str(r) for r in case[1])}" for case in ROW_CASES],
)
def test_row_differences_and_winners(key, raws, differs, best, texts):
    row = row_of(align(entries_with(key, raws), DEFS), key)
    assert [cell.text if cell.entered is None else cell.entered for cell in row.cells] == texts
    assert row.differs is differs
    assert row.best == best
    assert [cell.best for cell in row.cells] == [i in best for i in range(len(raws))]
    assert [cell.missing for cell in row.cells] == [raw is None for raw in raws]


def test_lower_is_better_picks_the_smallest_after_conversion():
    row = row_of(align(entries_with("weight", ["0.19 kg", "200 g", "185000 mg"]), DEFS), "weight")
    assert row.best == (2,)


def test_a_row_on_an_unorderable_type_has_no_winner_even_if_marked_better():
    # definitions never allow this, but the comparison must not trust that
    defs = {"colour": Definition("colour", "Colour", "text", better="higher")}
    pair = [{"slug": s, "title": s, "attributes": {"colour": {"value": s}}} for s in "ab"]
    assert row_of(align(pair, defs), "colour").best == ()


# --- only differences -----------------------------------------------------------------------


def test_only_differences_keeps_differing_rows_and_non_empty_groups():
    comparison = align([PIXEL, IPHONE], DEFS)
    only = comparison.only_differences()
    assert isinstance(only, Comparison)
    assert only.entries == comparison.entries
    assert [row.key for row in only.rows] == [r.key for r in comparison.rows if r.differs]
    assert all(row.differs for row in only.rows)
    assert "Connectivity" not in [group.name for group in only.groups]  # nfc and jack agree
    assert all(group.rows for group in only.groups)
    assert "nfc" in [row.key for row in comparison.rows]  # the original is untouched
    assert only.only_differences() == only


def test_only_differences_of_identical_entries_is_empty():
    twins = [entry("a", nfc="yes", weight="1 kg"), entry("b", nfc="yes", weight="1000 g")]
    assert align(twins, DEFS).only_differences().groups == ()


# --- to_dict --------------------------------------------------------------------------------


def test_to_dict_is_plain_json():
    comparison = align([PIXEL, IPHONE], DEFS)
    data = comparison.to_dict()
    assert json.loads(json.dumps(data, allow_nan=False)) == data
    assert data["entries"] == [
        {"slug": "pixel-8", "title": "Pixel-8"},
        {"slug": "iphone-15", "title": "Iphone-15"},
    ]
    assert [g["name"] for g in data["groups"]] == [g.name for g in comparison.groups]
    weight = next(r for g in data["groups"] for r in g["rows"] if r["key"] == "weight")
    assert weight == {
        "key": "weight",
        "label": "Weight",
        "type": "number",
        "unit": "g",
        "display_unit": "g",
        "better": "lower",
        "differs": True,
        "best": [1],
        "cells": [
            {"value": 187, "text": "187 g", "missing": False, "best": False,
             "number": 187, "unit": "g", "entered": "187 g", "bar": 0.9144},
            {"value": 0.171, "text": "171 g", "missing": False, "best": True,
             "number": 171, "unit": "g", "entered": "0.171 kg", "bar": 1.0},
        ],
    }
    site = next(r for g in data["groups"] for r in g["rows"] if r["key"] == "site")
    assert site["display_unit"] is None
    assert site["cells"] == [
        {"value": None, "text": "—", "missing": True, "best": False, "number": None,
         "unit": None, "entered": None, "bar": None},
        {"value": "https://apple.com/iphone-15", "text": "https://apple.com/iphone-15",
         "missing": False, "best": False, "number": None, "unit": None,
         "entered": "https://apple.com/iphone-15", "bar": None},
    ]
    assert data["units"] == "default"
    assert data["decided"] == sum(1 for row in comparison.rows if row.best)
    assert [s["slug"] for s in data["summary"]] == ["pixel-8", "iphone-15"]


def test_to_dict_of_only_differences():
    data = align([PIXEL, IPHONE], DEFS).only_differences().to_dict()
    assert all(row["differs"] for group in data["groups"] for row in group["rows"])
    json.dumps(data)


# --- refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "message"),
    [
        (0, "at least 2 entries; 0 given"),
        (1, "at least 2 entries; 1 given"),
        (7, "at most 6 entries; 7 given"),
        (12, "at most 6 entries; 12 given"),
    ],
)
def test_refuses_too_few_or_too_many_entries(count, message):
    with pytest.raises(InvalidValue, match=message) as caught:
        align([entry(f"e{i}") for i in range(count)], DEFS)
    assert caught.value.field == "entries"


@pytest.mark.parametrize("count", range(MIN_ENTRIES, MAX_ENTRIES + 1))
def test_accepts_two_to_six_entries(count):
    comparison = align([entry(f"e{i}", nfc="yes") for i in range(count)], DEFS)
    assert len(comparison.entries) == count
    assert len(comparison.rows[0].cells) == count


@pytest.mark.parametrize(
    ("slugs", "repeated"),
    [(["a", "a"], "a"), (["a", "b", "a"], "a"), (["b", "a", "b", "a"], "a, b")],
)
def test_refuses_the_same_entry_twice(slugs, repeated):
    with pytest.raises(InvalidValue, match=f"only once .*repeated: {repeated}\\.") as caught:
        align([entry(slug) for slug in slugs], DEFS)
    assert caught.value.field == "entries"


# --- canonical order and slugs --------------------------------------------------------------


@pytest.mark.parametrize(
    ("slugs", "canonical"),
    [
        (["b", "a"], ["a", "b"]),
        (["a", "b"], ["a", "b"]),
        (["pixel-8", "iphone-15", "galaxy-s24"], ["galaxy-s24", "iphone-15", "pixel-8"]),
        (["b", "a", "b"], ["a", "b"]),
        (["a"], ["a"]),
        ([], []),
    ],
)
def test_canonical_order(slugs, canonical):
    assert canonical_order(slugs) == canonical
    assert canonical_order(canonical_order(slugs)) == canonical


@pytest.mark.parametrize(
    ("slugs", "text"),
    [
        (["a", "b"], "a-vs-b"),
        (["pixel-8", "iphone-15"], "pixel-8-vs-iphone-15"),
        (["a", "b", "c", "d", "e", "f"], "a-vs-b-vs-c-vs-d-vs-e-vs-f"),
        (["vsco", "vs2", "avs"], "vsco-vs-vs2-vs-avs"),  # "vs" only as a whole word
        (["solo"], "solo"),
    ],
)
def test_comparison_slug_round_trip(slugs, text):
    assert comparison_slug(slugs) == text
    assert parse_comparison_slug(text) == slugs


@pytest.mark.parametrize(
    "text",
    ["", "vs", "a-vs", "vs-a", "a-vs-vs-b", "a--b-vs-c", "a-vs-b-", "-a-vs-b", "a-vs--b"],
)
def test_parse_comparison_slug_refuses_malformed_addresses(text):
    with pytest.raises(InvalidValue, match="not a comparison address"):
        parse_comparison_slug(text)


@pytest.mark.parametrize("slug", ["", "a-vs-b", "vs", "a--b", "-a", "a-"])
def test_comparison_slug_refuses_slugs_it_could_not_read_back(slug):
    with pytest.raises(InvalidValue, match="cannot be part of a comparison address"):
        comparison_slug(["ok", slug])


def test_non_canonical_addresses_can_be_redirected():
    slugs = parse_comparison_slug("pixel-8-vs-iphone-15")
    canonical = comparison_slug(canonical_order(slugs))
    assert canonical == "iphone-15-vs-pixel-8"
    assert comparison_slug(canonical_order(parse_comparison_slug(canonical))) == canonical


slug_words = st.from_regex(r"[a-z0-9]{1,6}", fullmatch=True).filter(lambda w: w != "vs")
entry_slugs = st.lists(slug_words, min_size=1, max_size=3).map("-".join)


@given(st.lists(entry_slugs, min_size=1, max_size=MAX_ENTRIES))
def test_slug_round_trip_property(slugs):
    assert parse_comparison_slug(comparison_slug(slugs)) == slugs
    canonical = canonical_order(slugs)
    assert canonical_order(parse_comparison_slug(comparison_slug(canonical))) == canonical


# --- properties over random entries ---------------------------------------------------------

RAW_VALUES = {
    "weight": st.sampled_from(["150 g", "0.15 kg", "171 g", "200 g", "7 oz"]),
    "screen": st.sampled_from(["6.1 in", "15.494 cm", "6.7 in", "17 cm"]),
    "battery": st.sampled_from(["4000 mAh", "4 Ah", "5000 mAh"]),
    "charging": st.sampled_from(["20 W", "45 W"]),
    "nfc": st.booleans(),
    "jack": st.booleans(),
    "rating": st.integers(1, 5),
    "released": st.sampled_from(["2023", "2023-09", "2023-09-22", "2022-10-04"]),
    "colour": st.sampled_from(["Black", "White", "black"]),
    "bands": st.sampled_from(["5G", "5G, LTE"]),
}
UNDEFINED = {
    "usb_c": st.sampled_from([{"value": "3.2"}, {"value": "2.0"}]),
    "x_extra": st.sampled_from([{"value": 1}, {"value": "1"}]),
}


@st.composite
def random_entries(draw):
    """2–6 entries with distinct slugs and random, often equal, values."""
    count = draw(st.integers(MIN_ENTRIES, MAX_ENTRIES))
    result = []
    for index in range(count):
        raw = draw(st.fixed_dictionaries({}, optional=RAW_VALUES))
        other = draw(st.fixed_dictionaries({}, optional=UNDEFINED))
        result.append(entry(f"e{index}", other=other, **raw))
    return result


def _check_winners(row, definition):
    """Winners are present cells holding the best key; losers are present cells with worse keys."""
    keys = {i: sort_key(definition, c.stored) for i, c in enumerate(row.cells) if not c.missing}
    if not row.best:
        return
    assert row.differs and row.better in ("higher", "lower")
    worse = (lambda a, b: a < b) if row.better == "higher" else (lambda a, b: a > b)
    for loser in set(keys) - set(row.best):
        for winner in row.best:
            assert worse(keys[loser], keys[winner])
            assert not values_equal(definition, row.cells[loser].stored, row.cells[winner].stored)


@given(random_entries())
def test_alignment_properties(entries):
    comparison = align(entries, DEFS)
    assert set(row.key for row in comparison.rows) == {
        key for e in entries for key in e["attributes"]
    }
    assert len({row.key for row in comparison.rows}) == len(comparison.rows)
    for row in comparison.rows:
        assert len(row.cells) == len(entries)
        assert set(row.best) <= {i for i, cell in enumerate(row.cells) if not cell.missing}
        assert [cell.best for cell in row.cells] == [i in row.best for i in range(len(entries))]
        assert row.best != tuple(range(len(entries)))
        _check_winners(row, DEFS.get(row.key) or Definition(row.key, row.label, "text"))


@given(random_entries(), st.data())
def test_permuting_entries_permutes_cells_and_keeps_differs_and_winners(entries, data):
    order = data.draw(st.permutations(range(len(entries))))
    original = align(entries, DEFS)
    permuted = align([entries[i] for i in order], DEFS)
    assert [row.key for row in permuted.rows] == [row.key for row in original.rows]
    assert [g.name for g in permuted.groups] == [g.name for g in original.groups]
    for before, after in zip(original.rows, permuted.rows, strict=True):
        assert after.cells == tuple(before.cells[i] for i in order)
        assert after.differs == before.differs
        assert {permuted.entries[i]["slug"] for i in after.best} == {
            original.entries[i]["slug"] for i in before.best
        }


# --- display units, bars and the summary ----------------------------------------------------


@pytest.mark.parametrize("units, texts, numbers", [
    ("default", ["1.24 kg", "1.19 kg", "1.09 kg"], [1.24, 1.19, 1.09]),
    ("metric", ["1.24 kg", "1.19 kg", "1.09 kg"], [1.24, 1.19, 1.09]),
    ("imperial", ["2.73 lb", "2.62 lb", "2.4 lb"], [2.73, 2.62, 2.4]),
])
def test_a_number_row_is_shown_in_one_unit(units, texts, numbers):
    """"1.24 kg | 2.62 lb | 1090 g": one unit per row, the entered value kept beside it."""
    comparison = align(entries_with("mass", ["1.24 kg", "2.62 lb", "1090 g"]), DEFS, units)
    row = row_of(comparison, "mass")
    assert [cell.text for cell in row.cells] == texts
    assert [cell.number for cell in row.cells] == numbers
    assert {cell.unit for cell in row.cells} == {row.display_unit}
    assert [cell.entered for cell in row.cells] == ["1.24 kg", "2.62 lb", "1090 g"]
    assert row.unit == "kg" and comparison.units == units
    assert row.best == (2,)  # winners come from the stored values, not the rounded ones


def test_a_value_already_in_the_display_unit_keeps_its_digits():
    row = row_of(align(entries_with("weight", ["201.2 g", "0.171 kg"]), DEFS), "weight")
    assert [cell.text for cell in row.cells] == ["201.2 g", "171 g"]


def test_rows_that_are_not_numbers_have_no_display_unit():
    comparison = align([PIXEL, IPHONE], DEFS, "imperial")
    for row in comparison.rows:
        assert (row.display_unit is None) == (row.type != "number" or row.unit is None)
        if row.type != "number":
            assert all(cell.number is None and cell.unit is None for cell in row.cells)


def test_an_unknown_unit_system_is_refused():
    with pytest.raises(InvalidValue) as error:
        align([PIXEL, IPHONE], DEFS, "furlongs")
    assert error.value.field == "units"


@pytest.mark.parametrize("key, raws, bars", [
    ("screen", ["6 in", "3 in", None], [1.0, 0.5, None]),  # higher: in proportion
    ("weight", ["100 g", "200 g"], [1.0, 0.5]),  # lower: half the weight, twice the bar
    ("weight", ["100 g", "0.1 kg"], [None, None]),  # equal: no bars
    ("charging", ["20 W", "45 W"], [None, None]),  # better = none: no bars
    ("screen", ["6 in", None], [None, None]),  # one value: nothing to compare
    ("refresh", ["0 Hz", "60 Hz", "120 Hz"], [0.05, 0.525, 1.0]),  # a zero: the range
    ("nfc", ["yes", "no"], [None, None]),  # not a number
])
def test_bars(key, raws, bars):
    row = row_of(align(entries_with(key, raws), DEFS), key)
    assert [cell.bar for cell in row.cells] == bars


def _advantages(comparison, slug):
    (summary,) = [s for s in comparison.summary if s.slug == slug]
    return summary


@pytest.mark.parametrize("key, raws, texts", [
    ("weight", ["171 g", "187 g"], ["Weight: 9% lower"]),
    ("battery", ["4575 mAh", "4000 mAh"], ["Battery: 14% higher"]),
    ("screen", ["6.2 in", "6.19 in"], ["Screen size: <1% higher"]),
    ("nfc", ["yes", "no"], ["NFC: yes vs no"]),
    ("rating", ["5", "4"], ["Rating: 5/5 vs 4/5"]),
    ("released", ["2023-10", "2023-09-22"], ["Released: 2023-10 vs 2023-09-22"]),
    ("refresh", ["120 Hz", "0 Hz"], ["Refresh rate: 120 Hz vs 0 Hz"]),  # no percentage of 0
])
def test_an_advantage_in_words(key, raws, texts):
    summary = _advantages(align(entries_with(key, raws), DEFS), "e0")
    assert [a.text for a in summary.advantages] == texts and summary.wins == 1
    assert _advantages(align(entries_with(key, raws), DEFS), "e1").advantages == ()


def test_advantages_are_the_three_strongest_and_measured_against_the_runner_up():
    a = entry("a", weight="150 g", battery="5000 mAh", screen="6.7 in", nfc="yes",
              thickness="7 mm", rating="5")
    b = entry("b", weight="200 g", battery="4000 mAh", screen="6.1 in", nfc="no",
              thickness="8 mm", rating="4")
    c = entry("c", weight="160 g", battery="4500 mAh", screen="6.6 in", nfc="no",
              thickness="7.5 mm", rating="4")
    summary = _advantages(align([a, b, c], DEFS), "a")
    assert summary.wins == 6
    # against the best of the others: 5000 vs 4500, 150 vs 160, 6.7 vs 6.6, 5 vs 4 stars;
    # a yes against no ranks as 25 %, ties go in page order (rating comes first)
    assert [(x.key, x.percent) for x in summary.advantages] == [
        ("rating", 0.25), ("nfc", None), ("battery", 0.1111)]
    strengths = [x.strength for x in summary.advantages]
    assert strengths == sorted(strengths, reverse=True)


def test_tied_winners_both_win_and_both_get_the_advantage():
    comparison = align(entries_with("weight", ["150 g", "0.15 kg", "200 g", None]), DEFS)
    assert [s.wins for s in comparison.summary] == [1, 1, 0, 0]
    assert [a.text for a in comparison.summary[1].advantages] == ["Weight: 25% lower"]
    assert comparison.decided == 1


@given(random_entries())
def test_the_summary_counts_each_entrys_winning_rows(entries):
    """Wins are the rows' winners; advantages are won rows, strongest first, at most three."""
    comparison = align(entries, DEFS)
    assert [s.slug for s in comparison.summary] == [e["slug"] for e in entries]
    assert comparison.decided == sum(1 for row in comparison.rows if row.best)
    for index, summary in enumerate(comparison.summary):
        won = {row.key for row in comparison.rows if index in row.best}
        assert summary.wins == len(won)
        assert len(summary.advantages) == min(3, len(won))
        assert {a.key for a in summary.advantages} <= won
        strengths = [a.strength for a in summary.advantages]
        assert strengths == sorted(strengths, reverse=True)
        assert all(a.percent is None or a.percent > 0 for a in summary.advantages)


def test_distinct_keeps_the_first_of_each_in_order():
    assert distinct(["b", "a", "b", "c", "a"]) == ["b", "a", "c"]
