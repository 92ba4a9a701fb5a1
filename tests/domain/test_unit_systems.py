"""Tests of app.domain.unit_systems: the one unit a row is shown in, and its precision."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain import units
from app.domain.unit_systems import SYSTEMS, display_unit, shown_number, to_unit


@pytest.mark.parametrize("canonical, system, values, expected", [
    # laptops: grams that all reach a kilogram read as kilograms, in pounds in imperial
    ("g", "default", [1188.4, 1240, 1090], "kg"),
    ("g", "metric", [1188.4, 1240, 1090], "kg"),
    ("g", "imperial", [1188.4, 1240, 1090], "lb"),
    # phones stay in grams, ounces in imperial
    ("g", "default", [171, 187], "g"),
    ("g", "imperial", [171, 187], "oz"),
    # one light value keeps the row in the smaller unit
    ("g", "default", [800, 2000], "g"),
    ("kg", "default", [0.171, 0.2], "g"),
    ("lb", "default", [0.3, 0.5], "oz"),
    # screens in inches; centimetres in metric; millimetres stay millimetres
    ("in", "default", [6.1, 6.7], "in"),
    ("in", "metric", [6.1, 6.7], "cm"),
    ("in", "imperial", [6.1, 6.7], "in"),
    ("mm", "default", [147.6, 162.3], "mm"),
    ("mm", "imperial", [7.8, 8.9], "in"),
    ("mm", "default", [1500, 2000], "m"),
    # temperatures, speeds; units no system changes; currencies are never converted
    ("°C", "imperial", [100, 95], "°F"),
    ("°F", "metric", [212], "°C"),
    ("km/h", "imperial", [100], "mph"),
    ("mAh", "imperial", [4000, 5000], "mAh"),
    ("GB", "metric", [256, 1000], "GB"),
    ("Hz", "imperial", [60, 120], "Hz"),
    ("USD", "metric", [799, 1299], "USD"),
    ("EUR", "imperial", [5000], "EUR"),
    (None, "imperial", [8, 12], None),
    # no values (every cell missing), zeros ignored for scaling
    ("g", "imperial", [], "oz"),
    ("g", "default", [0, 1500, 2500], "kg"),
])
def test_display_unit(canonical, system, values, expected):
    assert display_unit(canonical, system, values) == units.normalise_unit(expected) \
        if expected else display_unit(canonical, system, values) is None


def test_the_default_system_keeps_the_definitions_unit_family():
    """Default never crosses systems: grams never become ounces, inches never centimetres."""
    assert display_unit("g", "default", [171]) == "g"
    assert display_unit("in", "default", [60, 75]) == "in"


@pytest.mark.parametrize("value, shown", [
    (15.494, 15.5), (2131.9, 2132), (0.30708, 0.307), (1188.4, 1188), (2.7337, 2.73),
    (6.0318, 6.03), (212.0, 212), (100.0, 100), (-3.456, -3.46), (0.0, 0.0), (1e-5, 1e-5),
])
def test_shown_number_keeps_three_significant_digits_and_the_whole_part(value, shown):
    assert shown_number(value) == shown


def test_shown_numbers_that_are_whole_are_ints():
    assert isinstance(shown_number(212.0), int) and isinstance(shown_number(2131.9), int)


@given(st.floats(min_value=1e-6, max_value=1e12, allow_nan=False))
def test_shown_number_is_close_and_short(value):
    """Never more than 0.5 % off; three significant digits, or the whole part if longer."""
    shown = shown_number(value)
    assert math.isclose(shown, value, rel_tol=0.005)
    text = repr(float(shown))
    if "e" not in text:
        whole, _, fraction = text.partition(".")
        digits = (whole.lstrip("0") + fraction.rstrip("0")).lstrip("0")
        assert len(digits) <= max(3, len(whole.lstrip("0")))


@pytest.mark.parametrize("value, source, target, expected", [
    (1240, "g", "lb", 2.73373205109),
    (100, "°C", "°F", 212.0),
    (32, "°F", "°C", 0.0),
    (6.1, "in", "cm", 15.494),
    (5, None, None, 5.0),
    (5, "g", "g", 5.0),
])
def test_to_unit(value, source, target, expected):
    source = units.normalise_unit(source) if source else source
    target = units.normalise_unit(target) if target else target
    assert to_unit(value, source, target) == pytest.approx(expected, rel=1e-12)


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
       st.sampled_from([("g", "oz"), ("°C", "°F"), ("in", "cm"), ("km/h", "mph"),
                        ("mm", "in"), ("l", "gal")]))
def test_the_affine_shortcut_equals_pints_conversion(value, pair):
    """units.convert_fast (one pint call per pair of units) answers as units.convert does."""
    source, target = pair
    assert units.convert_fast(value, source, target) == pytest.approx(
        units.convert(value, source, target), rel=1e-9, abs=1e-9)


def test_the_systems():
    assert SYSTEMS == ("default", "metric", "imperial")
