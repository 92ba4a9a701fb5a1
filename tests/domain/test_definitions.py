"""Tests for attribute definitions: keys, validation, and definitions made on first use."""

import bson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain import definitions, types, units
from app.domain.definitions import (
    BETTER,
    ORDERABLE_TYPES,
    TYPE_NAMES,
    Definition,
    define_on_first_use,
    key_from_label,
    label_from_key,
    validate_definition,
)
from app.domain.errors import DomainError, InvalidValue


def test_type_names_and_better_are_the_pinned_tuples():
    assert TYPE_NAMES == ("text", "number", "boolean", "rating", "url", "image", "date", "list")
    assert BETTER == ("higher", "lower", "none")
    assert ORDERABLE_TYPES == ("number", "boolean", "rating", "date")


# ----------------------------------------------------------------------------- the dataclass


def test_definition_defaults():
    definition = Definition(key="weight", label="Weight", type="number")
    assert (definition.unit, definition.better, definition.group) == (None, "none", "General")
    assert (definition.order, definition.description) == (1000, "")


def test_definitions_are_frozen():
    definition = Definition(key="weight", label="Weight", type="number")
    with pytest.raises(AttributeError):
        definition.label = "Mass"


def test_to_doc_has_exactly_the_fields():
    definition = Definition(key="weight", label="Weight", type="number", unit="g")
    assert definition.to_doc() == {
        "key": "weight", "label": "Weight", "type": "number", "unit": "g", "better": "none",
        "group": "General", "order": 1000, "description": "", "label_zh": "", "group_zh": "",
        "description_zh": "",
    }


def test_from_doc_ignores_unknown_keys_and_round_trips_through_bson():
    definition = Definition(key="weight", label="Weight", type="number", unit="g",
                            better="lower", group="Body", order=10, description="Without case")
    doc = bson.decode(bson.encode({"_id": "x", "created_by": "alice", **definition.to_doc()}))
    assert Definition.from_doc(doc) == definition


# ----------------------------------------------------------------------------- keys and labels


@pytest.mark.parametrize(
    ("label", "key"),
    [
        ("Screen size (in)", "screen_size_in"),
        ("Weight", "weight"),
        ("5G", "5g"),
        ("  Battery — capacity  ", "battery_capacity"),
        ("Größe", "grosse"),
        ("Café crème", "cafe_creme"),
        ("Ærø Łódź", "aero_lodz"),
        ("µm pitch", "um_pitch"),
        ("Wi-Fi 6E", "wi_fi_6e"),
        ("R&D cost", "r_and_d_cost"),
        ("C++ support", "c_plus_plus_support"),
        ("Battery %", "battery_percent"),
        ("重量 weight", "zhong_liang_weight"),
        ("屏幕尺寸", "ping_mu_chi_cun"),
        ("ＦＵＬＬＷＩＤＴＨ", "fullwidth"),
        ("a" * 50, "a" * 40),
        ("a" * 39 + " b", "a" * 39),
    ],
)
def test_key_from_label(label, key):
    assert key_from_label(label) == key


@pytest.mark.parametrize("label", ["---", "", "   ", "😀"])
def test_key_from_label_refuses_labels_without_letters_or_digits(label):
    with pytest.raises(InvalidValue, match="give a key such as") as caught:
        key_from_label(label)
    assert caught.value.field == "key"


@given(st.text(max_size=80))
def test_keys_made_from_labels_are_always_valid(label):
    try:
        key = key_from_label(label)
    except InvalidValue:
        return
    assert definitions.KEY_PATTERN.fullmatch(key)
    assert not key.startswith("_") and not key.endswith("_")


@pytest.mark.parametrize(
    ("key", "label"), [("screen_size", "Screen size"), ("5g", "5g"), ("weight", "Weight")]
)
def test_label_from_key(key, label):
    assert label_from_key(key) == label


# ----------------------------------------------------------------------------- validation

VALID = {"key": "weight", "label": "Weight", "type": "number", "unit": "g", "better": "lower",
         "group": "Body", "order": 310, "description": "Without a case."}


def test_validate_definition_accepts_a_full_definition():
    assert validate_definition(VALID) == Definition(**VALID)


def test_validate_definition_normalises():
    definition = validate_definition(
        {"label": "  Screen size (in)  ", "type": "number", "unit": "inches", "group": "  ",
         "order": " 20 ", "description": "  Diagonal.\nOf the panel.  ", "_id": "ignored",
         "csrf_token": "ignored"}
    )
    assert definition == Definition(
        key="screen_size_in", label="Screen size (in)", type="number", unit="in",
        group="General", order=20, description="Diagonal.\nOf the panel.",
    )


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"unit": "grams"}, {"unit": "g"}),
        ({"unit": "degC"}, {"unit": "°C"}),
        ({"unit": "usd"}, {"unit": "USD"}),
        ({"unit": "KB"}, {"unit": "KB"}),
        ({"unit": ""}, {"unit": None}),
        ({"unit": None}, {"unit": None}),
        ({"key": ""}, {"key": "weight"}),
        ({"key": None}, {"key": "weight"}),
        ({"group": None}, {"group": "General"}),
        ({"order": -5}, {"order": -5}),
        ({"order": "+7"}, {"order": 7}),
        ({"description": None}, {"description": ""}),
        ({"better": "none"}, {"better": "none"}),
    ],
)
def test_validate_definition_field_forms(changes, expected):
    definition = validate_definition({**VALID, **changes})
    for name, value in expected.items():
        assert getattr(definition, name) == value


def test_missing_optional_fields_take_their_defaults():
    definition = validate_definition({"key": "notes", "label": "Notes", "type": "text"})
    assert definition == Definition(key="notes", label="Notes", type="text")


@pytest.mark.parametrize("type_name", ORDERABLE_TYPES)
@pytest.mark.parametrize("better", ["higher", "lower"])
def test_orderable_types_may_have_a_better_direction(type_name, better):
    fields = {"key": "k", "label": "K", "type": type_name, "better": better}
    assert validate_definition(fields).better == better


@pytest.mark.parametrize(
    ("changes", "field", "fragment"),
    [
        ({"key": "Weight"}, "key", "Key must be 1 to 40 lowercase letters (a-z), digits"),
        ({"key": "a" * 41}, "key", "1 to 40"),
        ({"key": "screen-size"}, "key", "underscores"),
        ({"key": "größe"}, "key", "lowercase letters"),
        ({"key": 5}, "key", "Key must be"),
        ({"label": None}, "label", "Label is required."),
        ({"label": ""}, "label", "Label must be 1 to 60 characters long; this is 0."),
        ({"label": "x" * 61}, "label", "this is 61"),
        ({"label": "two\nlines"}, "label", "one line without control characters"),
        ({"label": 5}, "label", "Label must be text."),
        ({"type": "float"}, "type", "Type must be one of text, number, boolean, rating, url"),
        ({"type": None}, "type", "Type must be one of"),
        ({"unit": "furlongz"}, "unit", 'Unit "furlongz" is not a unit pkyx knows'),
        ({"unit": 5}, "unit", 'Unit must be text, like "g"'),
        ({"type": "text", "unit": "g", "better": "none"}, "unit", "Only numbers have a unit"),
        ({"better": "best"}, "better", 'Better must be "higher", "lower" or "none".'),
        ({"type": "text", "unit": None}, "better", 'A text attribute has no better value'),
        ({"type": "list", "unit": None}, "better", "only number, boolean, rating, date"),
        ({"group": "x" * 41}, "group", "Group must be 1 to 40 characters"),
        ({"group": 3}, "group", "Group must be text."),
        ({"order": 1.5}, "order", "Order must be a whole number from -1,000,000 to 1,000,000."),
        ({"order": True}, "order", "Order must be a whole number"),
        ({"order": "ten"}, "order", "Order must be a whole number"),
        ({"order": 10**7}, "order", "Order must be a whole number"),
        ({"description": "x" * 501}, "description", "at most 500 characters; this is 501"),
        ({"description": 5}, "description", "Description must be text."),
        ({"description": "bell\x07"}, "description", "must not contain control characters"),
    ],
)
def test_validate_definition_refusals(changes, field, fragment):
    with pytest.raises(InvalidValue) as caught:
        validate_definition({**VALID, **changes})
    assert caught.value.field == field
    assert fragment in caught.value.message
    assert isinstance(caught.value, DomainError)


@pytest.mark.parametrize("fields", [None, ["label", "type"], "weight"])
def test_validate_definition_needs_an_object(fields):
    with pytest.raises(InvalidValue, match="must be an object"):
        validate_definition(fields)


def test_a_chinese_label_makes_a_pinyin_key_and_a_symbol_label_needs_one():
    assert validate_definition({"label": "重量", "type": "number"}).key == "zhong_liang"
    assert validate_definition({"key": "weight", "label": "重量", "type": "number"}).label == "重量"
    with pytest.raises(InvalidValue, match="give a key"):
        validate_definition({"label": "★★", "type": "rating"})


# ----------------------------------------------------------------------------- first use


@pytest.mark.parametrize(
    ("raw", "unit"),
    [
        ("6.1 in", "in"),
        ("6.1in", "in"),
        ("6.1 inches", "in"),
        ("171 g", "g"),
        ("0.2kg", "kg"),
        ("171", None),
        (171, None),
        (6.1, None),
        ("$799", "USD"),
        ("€699", "EUR"),
        ("¥5999", "CNY"),
        ("5999 JPY", "JPY"),
        ("20 degC", "°C"),
        ("48MP", "MP"),
        ("4 KB", "KB"),
    ],
)
def test_a_new_number_takes_the_unit_written_in_its_first_value(raw, unit):
    definition = define_on_first_use("measure", "number", raw)
    assert definition.unit == unit
    assert types.parse_value(definition, raw)["n"] == types.parse_value(definition, raw)["value"]


def test_first_use_defaults():
    definition = define_on_first_use("screen_size", "number", "6.1 in")
    assert definition == Definition(key="screen_size", label="Screen size", type="number",
                                    unit="in")


def test_first_use_with_everything_given():
    definition = define_on_first_use(
        "weight", "number", "0.2 kg", label="Weight", unit="grams", better="lower", group="Body"
    )
    assert definition == Definition(key="weight", label="Weight", type="number", unit="g",
                                    better="lower", group="Body")


@pytest.mark.parametrize(
    ("type_name", "raw"),
    [("text", "Aluminium"), ("boolean", "yes"), ("rating", "4"), ("url", "https://example.com"),
     ("image", "https://example.com/a.png"), ("date", "2023"), ("list", "a, b")],
)
def test_first_use_of_other_types(type_name, raw):
    definition = define_on_first_use("thing", type_name, raw)
    assert (definition.type, definition.unit, definition.label) == (type_name, None, "Thing")


@pytest.mark.parametrize(
    ("args", "kwargs", "field", "fragment"),
    [
        (("weight", "number", "7 furlongz"), {}, "weight",
         'Weight: "furlongz" is not a unit pkyx knows'),
        (("weight", "number", "heavy"), {}, "weight", '"heavy" is not one.'),
        (("weight", "number", "3 cm"), {"unit": "g"}, "weight",
         'Weight must be a mass, like "171 g"; "3 cm" is a length.'),
        (("rating", "rating", "4.5"), {}, "rating", "whole number of stars"),
        (("site", "url", "javascript:alert(1)"), {}, "site", 'a "javascript:" address'),
        (("Bad Key", "text", "x"), {}, "key", "Key must be"),
        (("weight", "decimal", "1"), {}, "type", "Type must be one of"),
        (("notes", "text", "x"), {"better": "higher"}, "better", "has no better value"),
        (("notes", "text", "x"), {"unit": "g"}, "unit", "Only numbers have a unit"),
    ],
)
def test_first_use_refusals(args, kwargs, field, fragment):
    with pytest.raises(InvalidValue) as caught:
        define_on_first_use(*args, **kwargs)
    assert caught.value.field == field
    assert fragment in caught.value.message


def test_every_public_function_has_a_docstring():
    for module in (definitions, types, units):
        for name in module.__all__:
            thing = getattr(module, name)
            if callable(thing):
                assert thing.__doc__ and thing.__doc__.strip(), f"{module.__name__}.{name}"
