"""Tests for the eight attribute types: accepted and refused input, round trips, comparisons."""

import datetime
import math
import string

import bson
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.provisional import urls

from app.domain import units
from app.domain.definitions import TYPE_NAMES, Definition
from app.domain.errors import InvalidValue
from app.domain.types import (
    TYPES,
    display_value,
    format_value,
    mongo_path,
    parse_filter_value,
    parse_value,
    sort_key,
    values_equal,
)

WEIGHT = Definition(key="weight", label="Weight", type="number", unit="g", better="lower")
SCREEN = Definition(key="screen_size", label="Screen size", type="number", unit="in")
LENGTH_CM = Definition(key="length", label="Length", type="number", unit="cm")
CORES = Definition(key="cores", label="Core count", type="number")
PRICE = Definition(key="price", label="Price", type="number", unit="EUR")
PRICE_JPY = Definition(key="price_jp", label="Price in Japan", type="number", unit="JPY")
STORAGE = Definition(key="storage", label="Storage", type="number", unit="GB")
CAMERA = Definition(key="camera", label="Camera", type="number", unit="MP")
TEMPERATURE = Definition(key="max_temp", label="Maximum temperature", type="number", unit="°C")
SHARE = Definition(key="share", label="Market share", type="number", unit="%")
MATERIAL = Definition(key="material", label="Material", type="text")
HAS_5G = Definition(key="5g", label="5G", type="boolean", better="higher")
RATING = Definition(key="rating", label="Rating", type="rating", better="higher")
WEBSITE = Definition(key="website", label="Website", type="url")
PHOTO = Definition(key="photo", label="Photo", type="image")
RELEASED = Definition(key="released", label="Release date", type="date")
FEATURES = Definition(key="features", label="Features", type="list")

UPLOAD_ID = "0123456789abcdef01234567"


def refusal(definition, raw):
    """The InvalidValue raised for ``raw``; fails the test if the value is accepted."""
    with pytest.raises(InvalidValue) as caught:
        parse_value(definition, raw)
    assert caught.value.field == definition.key
    assert caught.value.message == str(caught.value)
    return caught.value.message


def through_mongo(stored):
    """``stored`` after a trip through BSON, as MongoDB would give it back."""
    return bson.decode(bson.encode({"attribute": stored}))["attribute"]


def assert_round_trip(definition, raw):
    """parse -> store -> format -> parse gives the same stored value."""
    stored = parse_value(definition, raw)
    kept = through_mongo(stored)
    assert kept == stored
    text = format_value(definition, kept)
    assert isinstance(text, str)
    again = parse_value(definition, text)
    assert again == kept
    assert isinstance(again["value"], float) == isinstance(kept["value"], float)
    assert values_equal(definition, kept, again)
    assert isinstance(display_value(definition, kept), str)
    return stored


# ----------------------------------------------------------------------------- registry


def test_there_is_one_type_object_per_type_name():
    assert set(TYPES) == set(TYPE_NAMES)
    assert all(kind.name == name for name, kind in TYPES.items())


def test_the_base_type_has_no_parser():
    with pytest.raises(NotImplementedError):
        TYPES["text"].__class__.__mro__[1]().parse(MATERIAL, "x")


# ----------------------------------------------------------------------------- text


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("Aluminium", {"value": "Aluminium"}),
        ("  Glass and steel  ", {"value": "Glass and steel"}),
        ("铝合金", {"value": "铝合金"}),
        ("Cafe\u0301", {"value": "Café"}),  # NFC
        ("x" * 500, {"value": "x" * 500}),
    ],
)
def test_text_accepted(raw, stored):
    assert parse_value(MATERIAL, raw) == stored


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("", "Material needs a value"),
        ("   ", "Material needs a value"),
        ("x" * 501, "at most 500 characters; this is 501"),
        ("two\nlines", "single line of text without control characters"),
        ("bell\x07", "without control characters"),
        ("tab\tinside", "without control characters"),
        ("line\u2028separator", "single line"),
        ("lone \ud800 surrogate", "control characters"),
        (5, 'must be text, like "Aluminium and glass"; got a number'),
        (None, "got null"),
        (["a"], "got a list"),
        ({"a": 1}, "got an object"),
        (b"bytes", "got a bytes"),
    ],
)
def test_text_refused(raw, fragment):
    assert fragment in refusal(MATERIAL, raw)


def test_text_display_and_order():
    stored = parse_value(MATERIAL, "Glass")
    assert display_value(MATERIAL, stored) == "Glass"
    assert sort_key(MATERIAL, stored) is None
    assert mongo_path(MATERIAL) == "value"
    assert parse_filter_value(MATERIAL, " *pro* ") == "*pro*"


# ----------------------------------------------------------------------------- number


@pytest.mark.parametrize(
    ("definition", "raw", "stored"),
    [
        (SCREEN, "6.1 in", {"value": 6.1, "unit": "in", "n": 6.1}),
        (SCREEN, "6.1in", {"value": 6.1, "unit": "in", "n": 6.1}),
        (SCREEN, '6.1"', {"value": 6.1, "unit": "in", "n": 6.1}),
        (SCREEN, "6.1 inches", {"value": 6.1, "unit": "in", "n": 6.1}),
        (SCREEN, "6.1", {"value": 6.1, "unit": "in", "n": 6.1}),
        (WEIGHT, "171", {"value": 171, "unit": "g", "n": 171.0}),
        (WEIGHT, "1,500 g", {"value": 1500, "unit": "g", "n": 1500.0}),
        (WEIGHT, "1,234,567.5 g", {"value": 1234567.5, "unit": "g", "n": 1234567.5}),
        (WEIGHT, "0.2kg", {"value": 0.2, "unit": "kg", "n": 200.0}),
        (WEIGHT, "1.2 kg", {"value": 1.2, "unit": "kg", "n": 1200.0}),
        (WEIGHT, "-3", {"value": -3, "unit": "g", "n": -3.0}),
        (WEIGHT, "+3 g", {"value": 3, "unit": "g", "n": 3.0}),
        (WEIGHT, ".5 g", {"value": 0.5, "unit": "g", "n": 0.5}),
        (WEIGHT, "6.0 g", {"value": 6.0, "unit": "g", "n": 6.0}),
        (WEIGHT, 171, {"value": 171, "unit": "g", "n": 171.0}),
        (WEIGHT, 171.5, {"value": 171.5, "unit": "g", "n": 171.5}),
        (WEIGHT, 2**60, {"value": float(2**60), "unit": "g", "n": float(2**60)}),
        (CORES, "8", {"value": 8, "n": 8.0}),
        (CORES, 8, {"value": 8, "n": 8.0}),
        (CORES, "2.5e3", {"value": 2500.0, "n": 2500.0}),
        (CORES, "1e-3", {"value": 0.001, "n": 0.001}),
        (
            Definition(key="battery", label="Battery", type="number", unit="mAh"),
            "2.5e3 mAh",
            {"value": 2500.0, "unit": "mAh", "n": 2500.0},
        ),
        (PRICE, "€699", {"value": 699, "unit": "EUR", "n": 699.0}),
        (PRICE, "699 EUR", {"value": 699, "unit": "EUR", "n": 699.0}),
        (PRICE, "699 €", {"value": 699, "unit": "EUR", "n": 699.0}),
        (PRICE, "699", {"value": 699, "unit": "EUR", "n": 699.0}),
        (PRICE, "-€5", {"value": -5, "unit": "EUR", "n": -5.0}),
        (PRICE_JPY, "¥5999", {"value": 5999, "unit": "JPY", "n": 5999.0}),
        (PRICE_JPY, "5999 円", {"value": 5999, "unit": "JPY", "n": 5999.0}),
        (STORAGE, "512 MB", {"value": 512, "unit": "MB", "n": 0.512}),
        (STORAGE, "1 TB", {"value": 1, "unit": "TB", "n": 1000.0}),
        (STORAGE, "4 KB", {"value": 4, "unit": "KB", "n": 4e-6}),
        (CAMERA, "48MP", {"value": 48, "unit": "MP", "n": 48.0}),
        (TEMPERATURE, "68 degF", {"value": 68, "unit": "°F", "n": pytest.approx(20.0)}),
        (TEMPERATURE, "20 ℃", {"value": 20, "unit": "°C", "n": 20.0}),
        (TEMPERATURE, "300 K", {"value": 300, "unit": "K", "n": pytest.approx(26.85)}),
        (SHARE, "12.5 %", {"value": 12.5, "unit": "%", "n": 12.5}),
        (SHARE, "12.5", {"value": 12.5, "unit": "%", "n": 12.5}),
    ],
)
def test_number_accepted(definition, raw, stored):
    assert parse_value(definition, raw) == stored


def test_number_values_keep_the_type_the_editor_wrote():
    assert type(parse_value(WEIGHT, "171 g")["value"]) is int
    assert type(parse_value(WEIGHT, "171.0 g")["value"]) is float
    assert type(parse_value(WEIGHT, "171 g")["n"]) is float


@pytest.mark.parametrize(
    ("definition", "raw", "message"),
    [
        (WEIGHT, "3 cm", 'Weight must be a mass, like "171 g"; "3 cm" is a length.'),
        (SCREEN, "171 g", 'Screen size must be a length, like "6.1 in"; "171 g" is a mass.'),
        (
            PRICE,
            "799 USD",
            'Price must be an amount in euros, like "699 EUR"; "799 USD" is an amount in US '
            "dollars, and pkyx does not convert between currencies.",
        ),
        (
            PRICE,
            "$799",
            'Price must be an amount in euros, like "699 EUR"; "$799" is an amount in US '
            "dollars, and pkyx does not convert between currencies.",
        ),
        (WEIGHT, "$5", 'Weight must be a mass, like "171 g"; "$5" is an amount in US dollars.'),
        (PRICE, "5 kg", 'Price must be an amount in euros, like "699 EUR"; "5 kg" is a mass.'),
        (
            CORES,
            "8 GHz",
            'Core count must be a plain number without a unit, like "12"; "8 GHz" has a unit.',
        ),
        (CORES, "$8", "plain number without a unit"),
        (WEIGHT, "7 furlongz", '"furlongz" is not a unit pkyx knows.'),
        (WEIGHT, "heavy", 'Weight must be a number, like "171 g"; "heavy" is not one.'),
        (WEIGHT, "", 'Weight needs a value, like "171 g".'),
        (WEIGHT, "1 500 g", "no spaces inside the number"),
        (WEIGHT, "1,5 g", "a point for decimals (1.5)"),
        (WEIGHT, "1,50 g", "commas only between groups of three digits"),
        (WEIGHT, "nan", '"nan" is not one'),
        (WEIGHT, "inf g", '"inf g" is not one'),
        (WEIGHT, "1e999 g", 'Weight must be a finite number, like "171 g"; "1e999 g" is not.'),
        (WEIGHT, float("nan"), "Weight must be a finite number"),
        (WEIGHT, float("inf"), "this is not"),
        (STORAGE, "1e308 TB", "too large once converted to GB"),
        (WEIGHT, True, 'Weight must be a number, like "171 g"; got true.'),
        (WEIGHT, None, "got null"),
        (WEIGHT, [171], "got a list"),
        (WEIGHT, "1" * 101, "is not one"),
        (CAMERA, "48 MPa", "Camera must be a pixel count"),
        (TEMPERATURE, "20 m", "Maximum temperature must be a temperature"),
        (STORAGE, "8 K", "Storage must be an amount of data, like \"128 GB\"; \"8 K\" is a "
                         "temperature."),
    ],
)
def test_number_refused(definition, raw, message):
    assert message in refusal(definition, raw)


def test_rates_of_temperature_convert_as_differences():
    per_second = Definition(key="rate", label="Heating rate", type="number", unit="K/s")
    stored = parse_value(per_second, "2 °C/s")
    assert stored["n"] == 2.0
    assert parse_value(per_second, format_value(per_second, stored)) == stored


def test_a_conversion_pint_cannot_do_is_refused(monkeypatch):
    def fail(value, from_unit, to_unit):
        raise units.IncompatibleUnits(f"{from_unit} -> {to_unit}")

    monkeypatch.setattr(units, "convert", fail)
    assert '"1 kg" cannot be converted' in refusal(WEIGHT, "1 kg")


@pytest.mark.parametrize(
    ("definition", "raw", "text", "shown"),
    [
        (SCREEN, "6.1 in", "6.1 in", "6.1 in"),
        (WEIGHT, "1,500 g", "1500 g", "1500 g"),
        (WEIGHT, "6.0 g", "6.0 g", "6 g"),
        (WEIGHT, 0.1 + 0.2, "0.30000000000000004 g", "0.3 g"),
        (WEIGHT, "2.5e20 g", "2.5e+20 g", "2.5e+20 g"),
        (CORES, "8", "8", "8"),
        (PRICE, "€699", "699 EUR", "€699"),
        (PRICE, "-€5.5", "-5.5 EUR", "-€5.5"),
        (Definition(key="p", label="Price", type="number", unit="USD"), "$799", "799 USD", "$799"),
        (Definition(key="p", label="Price", type="number", unit="GBP"), "£599", "599 GBP", "£599"),
        (Definition(key="p", label="Price", type="number", unit="CNY"), "¥5999", "5999 CNY",
         "¥5999"),
        (SHARE, "12.5%", "12.5 %", "12.5%"),
        (TEMPERATURE, "20 degC", "20 °C", "20 °C"),
        (STORAGE, "4 KB", "4 KB", "4 KB"),
    ],
)
def test_number_format_and_display(definition, raw, text, shown):
    stored = parse_value(definition, raw)
    assert format_value(definition, stored) == text
    assert display_value(definition, stored) == shown


def test_inches_and_centimetres_are_compared_after_conversion():
    inches = parse_value(LENGTH_CM, "6.1 in")
    centimetres = parse_value(LENGTH_CM, "15.5 cm")
    assert inches["n"] == pytest.approx(15.494)
    assert centimetres["n"] == 15.5
    assert not values_equal(LENGTH_CM, inches, centimetres)
    assert sort_key(LENGTH_CM, inches) < sort_key(LENGTH_CM, centimetres)
    in_screen = parse_value(SCREEN, "15.494 cm")
    assert values_equal(SCREEN, in_screen, parse_value(SCREEN, "6.1 in"))


def test_kilograms_and_grams_sort_by_their_mass():
    light, heavy = parse_value(WEIGHT, "1.2 kg"), parse_value(WEIGHT, "1500 g")
    assert sort_key(WEIGHT, light) == 1200.0
    assert sort_key(WEIGHT, heavy) == 1500.0
    assert sorted([heavy, light], key=lambda s: sort_key(WEIGHT, s)) == [light, heavy]
    assert values_equal(WEIGHT, parse_value(WEIGHT, "1 kg"), parse_value(WEIGHT, "1000 g"))


def test_celsius_and_fahrenheit_convert_with_their_offset():
    assert values_equal(TEMPERATURE, parse_value(TEMPERATURE, "212 °F"),
                        parse_value(TEMPERATURE, "100 °C"))
    assert sort_key(TEMPERATURE, parse_value(TEMPERATURE, "32 degF")) == pytest.approx(0.0)


def test_number_without_n_falls_back_to_its_value():
    assert sort_key(CORES, {"value": 8}) == 8.0
    assert values_equal(CORES, {"value": 8}, {"value": 8.0, "n": 8.0})


@pytest.mark.parametrize(
    ("definition", "raw", "operand"),
    [
        (WEIGHT, "0.2kg", 200.0),
        (WEIGHT, "200", 200.0),
        (WEIGHT, "1,500", 1500.0),
        (SCREEN, "15.494 cm", pytest.approx(6.1)),
        (CORES, "8", 8.0),
        (PRICE, "€699", 699.0),
    ],
)
def test_number_filter_operands_are_in_the_canonical_unit(definition, raw, operand):
    assert parse_filter_value(definition, raw) == operand
    assert type(parse_filter_value(definition, raw)) is float
    assert mongo_path(definition) == "n"


@pytest.mark.parametrize(("raw", "fragment"), [("3cm", "is a length"), ("", "needs a value")])
def test_number_filter_operands_are_checked(raw, fragment):
    with pytest.raises(InvalidValue, match=fragment):
        parse_filter_value(WEIGHT, raw)


# ----------------------------------------------------------------------------- boolean


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("yes", True), ("Yes", True), ("YES", True), ("true", True), ("True", True), ("y", True),
        ("1", True), ("on", True), ("✓", True), ("✔", True), ("是", True), ("有", True),
        (True, True), (" yes ", True),
        ("no", False), ("No", False), ("false", False), ("FALSE", False), ("n", False),
        ("0", False), ("off", False), ("✗", False), ("✘", False), ("否", False), ("无", False),
        (False, False),
    ],
)
def test_boolean_accepted(raw, value):
    stored = parse_value(HAS_5G, raw)
    assert stored == {"value": value}
    assert type(stored["value"]) is bool


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("maybe", '5G must be yes or no (also true/false'),
        ("yes!", '"yes!" is neither'),
        ("2", "is neither"),
        ("", "5G needs a value"),
        (1, 'must be yes or no, like "yes"; got a number'),
        (None, "got null"),
    ],
)
def test_boolean_refused(raw, fragment):
    assert fragment in refusal(HAS_5G, raw)


def test_boolean_format_display_order_and_filter():
    yes, no = parse_value(HAS_5G, "yes"), parse_value(HAS_5G, "no")
    assert (format_value(HAS_5G, yes), format_value(HAS_5G, no)) == ("yes", "no")
    assert (display_value(HAS_5G, yes), display_value(HAS_5G, no)) == ("Yes", "No")
    assert sort_key(HAS_5G, yes) is True and sort_key(HAS_5G, no) is False
    assert parse_filter_value(HAS_5G, "true") is True
    assert parse_filter_value(HAS_5G, "否") is False
    assert mongo_path(HAS_5G) == "value"
    assert not values_equal(HAS_5G, yes, no)


# ----------------------------------------------------------------------------- rating


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("4", 4), ("4/5", 4), ("4 / 5", 4), ("4 stars", 4), ("1 star", 1), ("★★★★", 4),
        ("★★★★☆", 4), ("★☆☆☆☆", 1), ("★★★★★", 5), ("★ ★ ★", 3), (4, 4), (4.0, 4), (" 5 ", 5),
    ],
)
def test_rating_accepted(raw, value):
    stored = parse_value(RATING, raw)
    assert stored == {"value": value}
    assert type(stored["value"]) is int


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("4.5", 'Rating must be a whole number of stars from 1 to 5. Write "4"'),
        (4.5, '"4.5" is not one'),
        (True, 'Rating must be a number of stars, like "4"; got true.'),
        ("0", '"0" is not one'),
        (0, "from 1 to 5"),
        (6, "from 1 to 5"),
        ("6", "from 1 to 5"),
        ("4/10", "from 1 to 5"),
        ("★★☆", "from 1 to 5"),
        ("☆☆☆☆☆", "from 1 to 5"),
        ("★★★★★★", "from 1 to 5"),
        ("four", "from 1 to 5"),
        (float("nan"), "from 1 to 5"),
        ("", "Rating needs a value"),
    ],
)
def test_rating_refused(raw, fragment):
    assert fragment in refusal(RATING, raw)


def test_rating_format_display_order_and_filter():
    stored = parse_value(RATING, "★★★★☆")
    assert format_value(RATING, stored) == "4"
    assert display_value(RATING, stored) == "★★★★☆"
    assert display_value(RATING, {"value": 1}) == "★☆☆☆☆"
    assert sort_key(RATING, stored) == 4
    assert parse_filter_value(RATING, "3") == 3
    with pytest.raises(InvalidValue, match="from 1 to 5"):
        parse_filter_value(RATING, "3.5")


# ----------------------------------------------------------------------------- url


@pytest.mark.parametrize(
    "raw",
    [
        "https://example.com",
        "http://example.com/a/b?c=d&e=f#g",
        "HTTPS://EXAMPLE.COM/Path",
        "https://例子.测试/路径",
        "https://[::1]:8080/",
        "https://example.com:443/x",
        "https://example.com/" + "a" * 2000,
    ],
)
def test_url_accepted(raw):
    assert parse_value(WEBSITE, raw) == {"value": raw}


def test_url_is_stored_stripped():
    assert parse_value(WEBSITE, "  https://example.com/  ") == {"value": "https://example.com/"}


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("javascript:alert(1)", 'starting with http:// or https://; a "javascript:" address'),
        ("JavaScript:alert(1)", 'a "javascript:" address is not allowed'),
        ("data:text/html,<script>", 'a "data:" address is not allowed'),
        ("ftp://example.com/file", 'a "ftp:" address is not allowed'),
        ("//example.com/x", 'write "https://example.com/x" instead'),
        ("example.com", 'did you mean "https://example.com"?'),
        ("example.com:8080/x", 'did you mean "https://example.com:8080/x"?'),
        ("/local/path", '"/local/path" is only a path'),
        ("http://", "with a host name"),
        ("http:example.com", "with a host name"),
        ("https://exa mple.com", "without spaces"),
        ("https://example.com/\x00", "without spaces"),
        ("https://user:pw@example.com", "must not contain a user name or password"),
        ("https://@example.com", "must not contain a user name"),
        ("https://example.com:99999/", "is not a valid web address"),
        ("https://[::1/", "is not a valid web address"),
        ("https://example.com/" + "a" * 2029, "at most 2048 characters; this one has 2049"),
        ("", "Website needs a value"),
        (42, 'Website must be a web address, like "https://example.com"; got a number'),
    ],
)
def test_url_refused(raw, fragment):
    assert fragment in refusal(WEBSITE, raw)


def test_url_display_order_and_filter():
    stored = parse_value(WEBSITE, "https://example.com")
    assert display_value(WEBSITE, stored) == "https://example.com"
    assert sort_key(WEBSITE, stored) is None
    assert parse_filter_value(WEBSITE, "https://example.com") == "https://example.com"


# ----------------------------------------------------------------------------- image


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("https://example.com/a.png", {"value": "https://example.com/a.png"}),
        (f"/media/images/{UPLOAD_ID}", {"value": f"/media/images/{UPLOAD_ID}", "file": UPLOAD_ID}),
    ],
)
def test_image_accepted(raw, stored):
    assert parse_value(PHOTO, raw) == stored


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("javascript:alert(1)", 'a "javascript:" address is not allowed'),
        ("data:image/png;base64,AAAA", 'a "data:" address is not allowed'),
        ("/media/images/xyz", "is only a path"),
        (f"/media/images/{UPLOAD_ID.upper()}", "is only a path"),
        ("", 'Photo needs a value, like "https://example.com/photo.jpg"'),
        (1, "Photo must be an image address"),
    ],
)
def test_image_refused(raw, fragment):
    assert fragment in refusal(PHOTO, raw)


def test_uploaded_images_format_display_and_compare():
    upload = {"value": f"/media/images/{UPLOAD_ID}", "file": UPLOAD_ID}
    assert format_value(PHOTO, upload) == f"/media/images/{UPLOAD_ID}"
    assert display_value(PHOTO, upload) == f"/media/images/{UPLOAD_ID}"
    assert parse_value(PHOTO, format_value(PHOTO, upload)) == upload
    assert values_equal(PHOTO, upload, dict(upload))
    assert not values_equal(PHOTO, upload, {"value": "https://example.com/a.png"})
    assert sort_key(PHOTO, upload) is None


# ----------------------------------------------------------------------------- date


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("2023-09-22", "2023-09-22"),
        ("2023-09", "2023-09"),
        ("2023", "2023"),
        (" 2023-09-22 ", "2023-09-22"),
        ("2024-02-29", "2024-02-29"),
        ("1000-01-01", "1000-01-01"),
        ("9999-12-31", "9999-12-31"),
        (2023, "2023"),
    ],
)
def test_date_accepted(raw, value):
    assert parse_value(RELEASED, raw) == {"value": value}


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("2023-02-30", 'Release date must be a real date written YYYY-MM-DD, YYYY-MM or YYYY; '
                       '"2023-02-30" does not exist.'),
        ("2023-02-29", "does not exist"),
        ("2023-13", "does not exist"),
        ("2023-00", "does not exist"),
        ("22/09/2023", 'must be a date written YYYY-MM-DD, YYYY-MM or YYYY, like "2023-09-22"; '
                       '"22/09/2023" is not.'),
        ("2023/09/22", "YYYY-MM-DD, YYYY-MM or YYYY"),
        ("2023-9-22", "YYYY-MM-DD, YYYY-MM or YYYY"),
        ("23", "YYYY-MM-DD, YYYY-MM or YYYY"),
        ("２０２３", "YYYY-MM-DD, YYYY-MM or YYYY"),
        ("2023-09-22T10:00", "YYYY-MM-DD, YYYY-MM or YYYY"),
        ("0999", "a year from 1000 to 9999"),
        (999, "YYYY-MM-DD"),
        (True, "got true"),
        ("", "Release date needs a value"),
    ],
)
def test_date_refused(raw, fragment):
    assert fragment in refusal(RELEASED, raw)


def test_date_precision_is_kept_and_sorts_sensibly():
    values = [parse_value(RELEASED, raw) for raw in ("2023-09-22", "2023", "2022-12", "2023-09")]
    keys = sorted(sort_key(RELEASED, value) for value in values)
    assert keys == ["2022-12", "2023", "2023-09", "2023-09-22"]
    assert display_value(RELEASED, values[0]) == "2023-09-22"
    assert parse_filter_value(RELEASED, "2023-09") == "2023-09"
    with pytest.raises(InvalidValue, match="does not exist"):
        parse_filter_value(RELEASED, "2023-02-30")


# ----------------------------------------------------------------------------- list


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("5G, Wi-Fi 6, NFC", ["5G", "Wi-Fi 6", "NFC"]),
        ("a,b,c", ["a", "b", "c"]),
        ("a, , b,", ["a", "b"]),
        ("a, b, a", ["a", "b"]),
        ("a, A", ["a", "A"]),
        ("b, a", ["b", "a"]),
        ("红，绿", ["红", "绿"]),
        ("single", ["single"]),
        (["x", " y ", "x", ""], ["x", "y"]),
        (("x", "y"), ["x", "y"]),
        (", ".join(f"i{n}" for n in range(30)), [f"i{n}" for n in range(30)]),
        (", ".join(["dup"] * 40), ["dup"]),
        ("x" * 60, ["x" * 60]),
    ],
)
def test_list_accepted(raw, value):
    assert parse_value(FEATURES, raw) == {"value": value}


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("", "Features needs a value"),
        (", ,", 'Features needs at least one item, like "5G, Wi-Fi 6, NFC".'),
        ([], "needs at least one item"),
        (["a,b"], 'Features: items must not contain commas; "a,b" does.'),
        (["a，b"], "must not contain commas"),
        ([1], "every item must be text; got a number"),
        ([None], "got null"),
        ("x" * 61, "each item must be 1 to 60 characters"),
        (", ".join(f"i{n}" for n in range(31)), "at most 30 items; this has 31"),
        ("a\nb", "must not contain control characters"),
        (5, "Features must be a list of short texts separated by commas"),
    ],
)
def test_list_refused(raw, fragment):
    assert fragment in refusal(FEATURES, raw)


def test_list_format_display_order_equality_and_filter():
    stored = parse_value(FEATURES, ["NFC", "5G"])
    assert format_value(FEATURES, stored) == "NFC, 5G"
    assert display_value(FEATURES, stored) == "NFC, 5G"
    assert sort_key(FEATURES, stored) is None
    assert not values_equal(FEATURES, stored, parse_value(FEATURES, "5G, NFC"))
    assert not values_equal(FEATURES, stored, parse_value(FEATURES, "nfc, 5g"))
    assert values_equal(FEATURES, stored, parse_value(FEATURES, "NFC,5G"))
    assert parse_filter_value(FEATURES, " NFC ") == "NFC"


# ----------------------------------------------------------------------------- missing values


@pytest.mark.parametrize("definition", [WEIGHT, MATERIAL, HAS_5G, RATING, RELEASED, FEATURES])
def test_missing_values(definition):
    assert sort_key(definition, None) is None
    assert sort_key(definition, {}) is None
    assert values_equal(definition, None, None)
    assert values_equal(definition, None, {})
    some = parse_value(definition, format_value(definition, _sample(definition)))
    assert not values_equal(definition, some, None)
    assert not values_equal(definition, None, some)


def _sample(definition):
    """A valid stored value for ``definition``."""
    samples = {"number": {"value": 1, "unit": "g", "n": 1.0}, "text": {"value": "x"},
               "boolean": {"value": True}, "rating": {"value": 3}, "date": {"value": "2023"},
               "list": {"value": ["a"]}}
    return samples[definition.type]


# ----------------------------------------------------------------------------- round trips

NUMBER_CASES = [
    (WEIGHT, ["g", "kg", "mg", "lb", "oz", None]),
    (SCREEN, ["in", "cm", "mm", "m", "ft", "nm", '"']),
    (STORAGE, ["B", "kB", "KB", "MB", "GB", "TB", "KiB", "MiB", "GiB", "TiB"]),
    (TEMPERATURE, ["°C", "degC", "degF", "K", "℃"]),
    (Definition(key="speed", label="Speed", type="number", unit="km/h"), ["mph", "km/h", "m/s"]),
    (Definition(key="battery", label="Battery", type="number", unit="mAh"), ["mAh", "Ah"]),
    (Definition(key="bright", label="Brightness", type="number", unit="nit"), ["nit", "cd/m²"]),
    (CAMERA, ["MP", "Mpx"]),
    (SHARE, ["%", "ppm", None]),
    (PRICE, ["EUR", "€", None]),
    (CORES, [None]),
]

finite_numbers = st.one_of(
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(min_value=-1e200, max_value=1e200, allow_nan=False, allow_infinity=False),
)


def _number_text(number, commas):
    """``number`` as an editor might type it."""
    if isinstance(number, int):
        return f"{number:,}" if commas else str(number)
    return repr(number)


@settings(deadline=None)  # the first conversion between two units warms pint's caches
@given(
    st.sampled_from(NUMBER_CASES).flatmap(
        lambda case: st.tuples(st.just(case[0]), st.sampled_from(case[1]))
    ),
    finite_numbers,
    st.booleans(),
    st.sampled_from(["", " "]),
)
def test_number_round_trip_from_typed_text(case, number, commas, space):
    definition, unit = case
    text = _number_text(number, commas)
    if unit in ("€",):
        raw = f"{unit}{text}" if not text.startswith("-") else f"-{unit}{text[1:]}"
    else:
        raw = f"{text}{space}{unit}" if unit else text
    stored = assert_round_trip(definition, raw)
    assert math.isfinite(stored["n"])


@settings(deadline=None)
@given(st.sampled_from([WEIGHT, CORES, SCREEN, PRICE]), finite_numbers)
def test_number_round_trip_from_json(definition, number):
    stored = assert_round_trip(definition, number)
    assert stored["n"] == float(number)


@given(st.text(st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp")), max_size=510))
def test_text_round_trip(raw):
    assume(raw.strip() and len(raw.strip()) <= 500)
    assert_round_trip(MATERIAL, raw)


@given(st.sampled_from(list(TYPES["boolean"].words)), st.sampled_from([str.upper, str.lower]))
def test_boolean_round_trip(word, case):
    assert_round_trip(HAS_5G, case(word))


@given(st.booleans())
def test_boolean_round_trip_from_json(value):
    assert assert_round_trip(HAS_5G, value) == {"value": value}


@given(st.integers(min_value=1, max_value=5), st.sampled_from(range(5)))
def test_rating_round_trip(stars, form):
    raw = [str(stars), f"{stars}/5", "★" * stars, "★" * stars + "☆" * (5 - stars), stars][form]
    assert assert_round_trip(RATING, raw) == {"value": stars}


@given(urls())
def test_url_round_trip(url):
    assume(len(url) <= 2048)
    assert_round_trip(WEBSITE, url)


@given(st.one_of(urls(), st.binary(min_size=12, max_size=12).map(
    lambda raw: f"/media/images/{raw.hex()}")))
def test_image_round_trip(raw):
    assume(len(raw) <= 2048)
    assert_round_trip(PHOTO, raw)


@given(st.dates(min_value=datetime.date(1000, 1, 1)), st.sampled_from([4, 7, 10]))
def test_date_round_trip(date, precision):
    raw = date.isoformat()[:precision]
    assert assert_round_trip(RELEASED, raw) == {"value": raw}


list_items = st.text(
    st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp"), exclude_characters=",，"),
    min_size=1,
    max_size=60,
)


@given(st.lists(list_items, min_size=1, max_size=30))
def test_list_round_trip_from_json(items):
    assume(any(item.strip() for item in items))
    stored = assert_round_trip(FEATURES, items)
    assert 1 <= len(stored["value"]) <= 30
    assert len(set(stored["value"])) == len(stored["value"])


@given(st.lists(st.text(string.ascii_letters + " -", min_size=1, max_size=20), max_size=30))
def test_list_round_trip_from_text(items):
    assume(any(item.strip() for item in items))
    assert_round_trip(FEATURES, ", ".join(items))
