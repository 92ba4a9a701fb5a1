"""Tests for the shared unit registry: the units pkyx needs, and the quantity reader."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain import units

# (unit as an editor may write it, pint's short symbol, what it measures)
KNOWN_UNITS = [
    ("g", "g", "a mass"),
    ("kg", "kg", "a mass"),
    ("lb", "lb", "a mass"),
    ("lbs", "lb", "a mass"),
    ("oz", "oz", "a mass"),
    ("grams", "g", "a mass"),
    ("mm", "mm", "a length"),
    ("cm", "cm", "a length"),
    ("m", "m", "a length"),
    ("in", "in", "a length"),
    ("inches", "in", "a length"),
    ('"', "in", "a length"),
    ("ft", "ft", "a length"),
    ("nm", "nm", "a length"),
    ("mAh", "mAh", "an electric charge"),
    ("Ah", "Ah", "an electric charge"),
    ("Wh", "Wh", "an energy"),
    ("W", "W", "a power"),
    ("Hz", "Hz", "a frequency"),
    ("MHz", "MHz", "a frequency"),
    ("GHz", "GHz", "a frequency"),
    ("B", "B", "an amount of data"),
    ("kB", "kB", "an amount of data"),
    ("KB", "KB", "an amount of data"),
    ("MB", "MB", "an amount of data"),
    ("GB", "GB", "an amount of data"),
    ("TB", "TB", "an amount of data"),
    ("KiB", "KiB", "an amount of data"),
    ("MiB", "MiB", "an amount of data"),
    ("GiB", "GiB", "an amount of data"),
    ("TiB", "TiB", "an amount of data"),
    ("Mbps", "Mbps", "a data rate"),
    ("MP", "MP", "a pixel count"),
    ("nit", "nit", "a luminance"),
    ("nits", "nit", "a luminance"),
    ("cd/m^2", "cd/m²", "a luminance"),
    ("ppi", "ppi", "a pixel density"),
    ("fps", "fps", "a frame rate"),
    ("dB", "dB", "a level in decibels"),
    ("mph", "mph", "a speed"),
    ("km/h", "km/h", "a speed"),
    ("km / h", "km/h", "a speed"),
    ("s", "s", "a duration"),
    ("ms", "ms", "a duration"),
    ("h", "h", "a duration"),
    ("°C", "°C", "a temperature"),
    ("degC", "°C", "a temperature"),
    ("℃", "°C", "a temperature"),
    ("degF", "°F", "a temperature"),
    ("K", "K", "a temperature"),
    ("USD", "USD", "an amount in US dollars"),
    ("usd", "USD", "an amount in US dollars"),
    ("EUR", "EUR", "an amount in euros"),
    ("GBP", "GBP", "an amount in pounds sterling"),
    ("CNY", "CNY", "an amount in Chinese yuan"),
    ("RMB", "CNY", "an amount in Chinese yuan"),
    ("元", "CNY", "an amount in Chinese yuan"),
    ("JPY", "JPY", "an amount in Japanese yen"),
    ("%", "%", "a plain number or ratio"),
    ("m^2", "m²", "an area"),
]


@pytest.mark.parametrize(("written", "symbol", "words"), KNOWN_UNITS)
def test_known_units_normalise_to_their_short_symbol(written, symbol, words):
    assert units.normalise_unit(written) == symbol
    assert units.describe_dimension(symbol) == words


@pytest.mark.parametrize(("written", "symbol", "words"), KNOWN_UNITS)
def test_normalised_symbols_read_back_as_themselves(written, symbol, words):
    assert units.normalise_unit(symbol) == symbol


@pytest.mark.parametrize(
    "text",
    ["", " ", "furlongz", "9**9**9", "m**99", "m^12", "1/s", "x" * 41, "€", "<script>",
     "m; drop", "(m)", "meter)", "dimensionless"],
)
def test_text_that_is_no_unit_is_refused(text):
    with pytest.raises(units.UnknownUnit):
        units.normalise_unit(text)


def test_kilobyte_in_capitals_is_a_kilobyte_not_kelvin_bytes():
    assert units.convert(1, "KB", "B") == 1000.0
    assert units.convert(4, "KB", "kB") == 4.0
    assert not units.same_dimension("KB", "K")


def test_megapixels_are_pixels_not_megapoise():
    assert units.describe_dimension("MP") == "a pixel count"
    assert units.convert(12, "MP", "Mpixel") == pytest.approx(12.0)
    assert not units.same_dimension("MP", units.normalise_unit("Pa*s"))


def test_bytes_have_their_own_dimension():
    """Stock pint makes bytes dimensionless; then "8 GB" would fit any plain number."""
    assert not units.same_dimension("GB", "%")
    assert units.convert(1, "GiB", "MB") == pytest.approx(1073.741824)
    assert units.convert(1, "B", "bit") == 8.0


def test_frames_per_second_are_not_feet_per_second():
    assert units.describe_dimension("fps") == "a frame rate"
    assert not units.same_dimension("fps", "mph")


def test_decibels_are_their_own_dimension():
    assert not units.same_dimension("dB", "%")
    assert units.convert(3, "dB", "dB") == 3.0


def test_nit_is_candela_per_square_metre():
    assert units.convert(1000, "nit", "cd/m²") == pytest.approx(1000.0)


@pytest.mark.parametrize(
    ("value", "from_unit", "to_unit", "expected"),
    [
        (100, "°C", "°F", 212.0),
        (0, "°C", "K", 273.15),
        (-40, "°F", "°C", -40.0),
        (20, "°C", "°F", 68.0),
        (6.1, "in", "cm", 15.494),
        (1.2, "kg", "g", 1200.0),
        (1, "lb", "g", 453.59237),
        (60, "mph", "km/h", 96.56064),
        (3.3, "Ah", "mAh", 3300.0),
        (1, "h", "s", 3600.0),
    ],
)
def test_conversions(value, from_unit, to_unit, expected):
    assert units.convert(value, from_unit, to_unit) == pytest.approx(expected)


def test_conversion_to_the_same_unit_is_exact():
    assert units.convert(0.1, "g", "g") == 0.1


@pytest.mark.parametrize(("first", "second"), [("USD", "EUR"), ("CNY", "JPY"), ("g", "cm")])
def test_no_conversion_between_dimensions_or_currencies(first, second):
    assert not units.same_dimension(first, second)
    with pytest.raises(units.IncompatibleUnits):
        units.convert(1, first, second)


def test_currency_helpers():
    assert units.is_currency("EUR")
    assert not units.is_currency("g")
    assert not units.is_currency(None)
    assert units.currency_symbol("USD") == "$"
    assert units.currency_symbol("g") is None


def test_dimension_words_for_plain_numbers_and_unusual_units():
    assert units.describe_dimension(None) == "a plain number"
    assert units.describe_dimension("W/kg") == "a quantity measured in W/kg"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("6.1 in", ("6.1", "in")),
        ("6.1in", ("6.1", "in")),
        ("15.5 cm", ("15.5", "cm")),
        ("1,500 g", ("1,500", "g")),
        ("1,234,567", ("1,234,567", None)),
        ("-3", ("-3", None)),
        ("+3", ("+3", None)),
        (".5 kg", (".5", "kg")),
        ("2.5e3 mAh", ("2.5e3", "mAh")),
        ("1E-3 s", ("1E-3", "s")),
        ("  42  ", ("42", None)),
        ("$799", ("799", "USD")),
        ("$ 799", ("799", "USD")),
        ("US$799", ("799", "USD")),
        ("-$5", ("-5", "USD")),
        ("799$", ("799", "USD")),
        ("€699", ("699", "EUR")),
        ("699 €", ("699", "EUR")),
        ("£599", ("599", "GBP")),
        ("¥5999", ("5999", "CNY")),
        ("￥5999", ("5999", "CNY")),
        ("JP¥5999", ("5999", "JPY")),
        ("RMB 5999", ("5999", "CNY")),
        ("5999 JPY", ("5999", "JPY")),
        ("5 元", ("5", "元")),
    ],
)
def test_split_quantity(text, expected):
    assert units.split_quantity(text) == expected


def test_the_yen_sign_follows_the_currency_asked_for():
    assert units.split_quantity("¥5999", yen="JPY") == ("5999", "JPY")
    assert units.split_quantity("5999 ¥", yen="JPY") == ("5999", "JPY")


@pytest.mark.parametrize("text", ["abc", "", "in 6", "$", "$abc", "$5 USD", "e5", "٣"])
def test_split_quantity_refuses_text_without_a_number(text):
    with pytest.raises(units.NotANumber):
        units.split_quantity(text)


@pytest.mark.parametrize("text", ["1 500", "1,5", "1,5000", "6.1.2", "12,34 g", "1 000 000"])
def test_split_quantity_refuses_digits_it_cannot_read_safely(text):
    with pytest.raises(units.BadDigits):
        units.split_quantity(text)


def test_a_changed_pint_definitions_file_is_noticed(monkeypatch):
    monkeypatch.setattr(units, "_PATCHES", (("no such line = []", "x = []"),))
    with pytest.raises(RuntimeError, match="cannot patch"):
        units._definition_lines()


@given(st.sampled_from([written for written, _, _ in KNOWN_UNITS]))
def test_normalising_is_idempotent(written):
    once = units.normalise_unit(written)
    assert units.normalise_unit(once) == once


@given(
    st.floats(min_value=-1e12, max_value=1e12, allow_nan=False),
    st.sampled_from([("in", "cm"), ("kg", "lb"), ("°C", "°F"), ("GiB", "MB"), ("mph", "km/h")]),
)
def test_conversions_go_there_and_back(value, pair):
    there = units.convert(value, *pair)
    back = units.convert(there, pair[1], pair[0])
    assert math.isclose(back, value, rel_tol=1e-9, abs_tol=1e-6)
