"""The one pint ``UnitRegistry`` pkyx uses, and the helpers that read quantities editors type.

pint's stock definitions are almost what a comparison wiki needs; the few places where
they are not are patched *before* the registry is built (redefining units afterwards
leaves pint's caches inconsistent):

* bytes get their own dimension ``[information]`` (stock pint makes them dimensionless,
  so "8 GB" would silently convert to "8e9" of any plain number);
* ``dB`` is its own dimension ``[level]`` instead of a logarithmic ratio;
* ``fps`` is frames per second, not feet per second; ``MP`` is megapixels, not
  megapoise; ``KB`` is a kilobyte (pint would refuse it, "K" being kelvin);
* ``ppi`` prints as ``ppi`` rather than ``dots_per_inch``;
* each currency is its own dimension, so pkyx never converts between currencies.

Example::

    >>> normalise_unit("inches")
    'in'
    >>> convert(6.1, "in", "cm")
    15.494
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pint

from app.domain.messages import N_, Message, _

__all__ = [
    "CURRENCIES",
    "BadDigits",
    "IncompatibleUnits",
    "NotANumber",
    "QuantityError",
    "UnknownUnit",
    "affine",
    "convert",
    "convert_fast",
    "currency_symbol",
    "describe_dimension",
    "dimension_message",
    "is_currency",
    "normalise_unit",
    "same_dimension",
    "split_quantity",
    "ureg",
]

# (text in pint's default_en.txt, replacement); each must be present exactly once.
_PATCHES = (
    ("bit = []", "bit = [information]"),
    ("foot_per_second = foot / second = fps", "foot_per_second = foot / second"),
    ("decibel = 1 ; logbase: 10; logfactor: 10 = dB", "decibel = [level] = dB"),
    (
        "pixels_per_inch = pixel / inch = dots_per_inch = PPI = ppi",
        "pixels_per_inch = pixel / inch = ppi = dots_per_inch = PPI",
    ),
)

_EXTRA_DEFINITIONS = """
frame = [frame]
frames_per_second = frame / second = fps
megapixel_count = 1e6 * pixel = MP = Mpx
kilobyte_upper = 1000 * byte = KB
kilobit_per_second = 1e3 * bit / second = kbps = Kbps
megabit_per_second = 1e6 * bit / second = Mbps
gigabit_per_second = 1e9 * bit / second = Gbps
US_dollar = [currency_USD] = USD = usd
euro = [currency_EUR] = EUR = eur
pound_sterling = [currency_GBP] = GBP = gbp
yuan = [currency_CNY] = CNY = cny = RMB = rmb = 元
yen = [currency_JPY] = JPY = jpy = 円
"""


def _definition_lines() -> list[str]:
    """pint's default definitions with pkyx's patches applied and its extra units added."""
    root = Path(pint.__file__).parent
    text = (root / "default_en.txt").read_text(encoding="utf-8")
    constants = (root / "constants_en.txt").read_text(encoding="utf-8")
    # A list of lines cannot @import, so the constants file is inlined.
    for old, new in (("@import constants_en.txt", constants), *_PATCHES):
        if text.count(old) != 1:
            raise RuntimeError(f"pint's default_en.txt changed; cannot patch {old!r}")
        text = text.replace(old, new)
    return text.splitlines() + _EXTRA_DEFINITIONS.splitlines()


ureg = pint.UnitRegistry(filename=_definition_lines())

CURRENCIES = {
    "USD": ("$", N_("an amount in US dollars")),
    "EUR": ("€", N_("an amount in euros")),
    "GBP": ("£", N_("an amount in pounds sterling")),
    "CNY": ("¥", N_("an amount in Chinese yuan")),
    "JPY": ("¥", N_("an amount in Japanese yen")),
}

# Symbols written before or after the number; longest first so "US$" wins over "$".
_SYMBOLS = (
    ("US$", "USD"), ("CN¥", "CNY"), ("JP¥", "JPY"), ("RMB", "CNY"),
    ("$", "USD"), ("€", "EUR"), ("£", "GBP"), ("¥", "¥"), ("￥", "¥"),
)

# Unit spellings pint cannot read at all, mapped to ones it can.
_ALIASES = {'"': "in", "″": "in", "”": "in", "'": "ft", "′": "ft", "℃": "degC", "℉": "degF"}

_DIMENSIONS = {
    "[mass]": N_("a mass"),
    "[length]": N_("a length"),
    "[length] ** 2": N_("an area"),
    "[length] ** 3": N_("a volume"),
    "[time]": N_("a duration"),
    "[temperature]": N_("a temperature"),
    "[current]": N_("an electric current"),
    "[current] * [time]": N_("an electric charge"),
    "[mass] * [length] ** 2 / [time] ** 2": N_("an energy"),
    "[mass] * [length] ** 2 / [time] ** 3": N_("a power"),
    "[mass] * [length] ** 2 / [current] / [time] ** 3": N_("a voltage"),
    "[mass] * [length] / [time] ** 2": N_("a force"),
    "[mass] / [length] / [time] ** 2": N_("a pressure"),
    "1 / [time]": N_("a frequency"),
    "[length] / [time]": N_("a speed"),
    "[information]": N_("an amount of data"),
    "[information] / [time]": N_("a data rate"),
    "[printing_unit]": N_("a pixel count"),
    "[printing_unit] / [length]": N_("a pixel density"),
    "[luminosity]": N_("a light output"),
    "[luminosity] / [length] ** 2": N_("a luminance"),
    "[frame] / [time]": N_("a frame rate"),
    "[level]": N_("a level in decibels"),
}

_WORDS = {ureg.get_dimensionality(expr): words for expr, words in _DIMENSIONS.items()}

_DIGITS = r"[0-9]"  # never \d: it matches Arabic-Indic and other digits too
_NUMBER_RE = re.compile(
    rf"(?P<int>{_DIGITS}{{1,3}}(?:,{_DIGITS}{{3}})+(?!{_DIGITS})|{_DIGITS}+|(?=\.{_DIGITS}))"
    rf"(?P<frac>\.{_DIGITS}+)?(?P<exp>[eE][+-]?{_DIGITS}+)?"
)
# A unit: letters (µ, Ω, ° and % included), small powers, joined by / * · or spaces.
# Digits are allowed only as a one-digit power, so pint never evaluates "9**9**9".
_TERM = r"(?:[^\W\d]|[°%‰])+(?:(?:\^|\*\*)-?[1-9]|[²³])?"
_UNIT_RE = re.compile(rf"{_TERM}(?:\s*[/*·]\s*{_TERM}|\s+{_TERM})*")
_MAX_UNIT_LENGTH = 40
_SIGNIFICANT_DIGITS = 12


class QuantityError(ValueError):
    """Text that cannot be read as a quantity; the caller words the message."""


class NotANumber(QuantityError):
    """The text does not start with a number."""


class BadDigits(QuantityError):
    """The number uses spaces or commas in a way pkyx does not read (1 500, 1,5)."""


class UnknownUnit(QuantityError):
    """A unit pint does not know."""


class IncompatibleUnits(QuantityError):
    """A conversion between units of different dimensions (or currencies)."""


def split_quantity(text: str, yen: str = "CNY") -> tuple[str, str | None]:
    """Split "6.1 in", "$799" or "1,500g" into its number text and unit text (None if none).

    Currency symbols become codes; ``yen`` says which currency "¥" means.
    Raises NotANumber or BadDigits.
    """
    sign, body = _take_sign(text.strip())
    prefix, body = _take_symbol(body)
    match = _NUMBER_RE.match(body)
    if not match:
        raise NotANumber(text)
    number, rest = sign + match.group(0), body[match.end():].strip()
    if rest[:1].isdigit() or rest[:1] in (",", "."):
        raise BadDigits(text)
    if prefix is not None:
        if rest:
            raise NotANumber(text)
        return number, _currency(prefix, yen)
    suffix = dict(_SYMBOLS).get(rest)
    if suffix is not None:
        return number, _currency(suffix, yen)
    return number, rest or None


def _take_sign(text: str) -> tuple[str, str]:
    """Separate a leading + or - (which may stand before a currency symbol: "-$5")."""
    if text[:1] in ("+", "-"):
        return text[0], text[1:].lstrip()
    return "", text


def _take_symbol(text: str) -> tuple[str | None, str]:
    """Separate a leading currency symbol, returning its code (or "¥") and the rest."""
    for symbol, code in _SYMBOLS:
        if text.startswith(symbol):
            return code, text[len(symbol):].strip()
    return None, text


def _currency(code: str, yen: str) -> str:
    """Resolve "¥", which is written for both Chinese yuan and Japanese yen."""
    return yen if code == "¥" else code


@lru_cache(maxsize=4096)
def normalise_unit(text: str) -> str:
    """The short symbol pint prints for a unit ("inches" -> "in", "km / h" -> "km/h").

    Raises UnknownUnit for text that is not a unit pint knows.
    """
    cleaned = _ALIASES.get(text.strip(), text.strip())
    if len(cleaned) > _MAX_UNIT_LENGTH or not _UNIT_RE.fullmatch(cleaned):
        raise UnknownUnit(text)
    try:
        units = ureg.parse_units(cleaned)
    except Exception as error:  # pint raises several kinds (even AssertionError) on odd text
        raise UnknownUnit(text) from error
    if units == ureg.dimensionless:
        raise UnknownUnit(text)
    symbol = format(units, "~P")
    try:  # a symbol pint cannot read back ("%%" prints as "%²") is no unit of ours
        if ureg.parse_units(symbol) != units:
            raise UnknownUnit(text)
    except UnknownUnit:
        raise
    except Exception as error:
        raise UnknownUnit(text) from error
    return symbol


@lru_cache(maxsize=4096)
def _units(unit: str) -> pint.Unit:
    """pint's units for a normalised unit (cached: parsing costs ~0.1 ms, values reuse few)."""
    return ureg.parse_units(unit)


def _dimensionality(unit: str):
    """pint's dimensionality of a normalised unit."""
    return ureg.get_dimensionality(_units(unit))


def is_currency(unit: str | None) -> bool:
    """Whether ``unit`` is one of the currencies pkyx knows."""
    return unit in CURRENCIES


def currency_symbol(unit: str) -> str | None:
    """The symbol shown before an amount ("$" for USD), or None for a unit that is no currency."""
    return CURRENCIES[unit][0] if unit in CURRENCIES else None


def describe_dimension(unit: str | None, *, translate: bool = False) -> str:
    """What a unit measures, in words: "a mass", "an amount in euros", "a plain number".

    In English unless ``translate`` asks for the current language (for messages).
    """
    words = _dimension_words(unit)
    return (_(words) if translate else words) % {"unit": unit}


def dimension_message(unit: str | None) -> Message:
    """What a unit measures as a message parameter, translated when the message is shown."""
    return Message(_dimension_words(unit), {"unit": unit})


def _dimension_words(unit: str | None) -> str:
    """The English words (a message template) for what ``unit`` measures."""
    if unit is None:
        return N_("a plain number")
    if unit in CURRENCIES:
        return CURRENCIES[unit][1]
    dimensionality = _dimensionality(unit)
    if not dimensionality:
        return N_("a plain number or ratio")
    return _WORDS.get(dimensionality, N_("a quantity measured in %(unit)s"))


def same_dimension(first: str, second: str) -> bool:
    """Whether values in ``first`` can be converted to ``second``."""
    return _dimensionality(first) == _dimensionality(second)


def convert(value: float, from_unit: str, to_unit: str) -> float:
    """``value`` in ``from_unit`` expressed in ``to_unit``, as a float.

    Offset units (°C, °F) convert correctly. The result is rounded to 12 significant
    digits: pint's float arithmetic says 1 TB is 1000.0000000000001 GB, and a filter for
    "1000" must find it. Raises IncompatibleUnits.
    """
    if from_unit == to_unit:
        return float(value)
    try:
        converted = float(ureg.Quantity(value, _units(from_unit)).to(_units(to_unit)).magnitude)
    except Exception as error:  # DimensionalityError, OffsetUnitCalculusError, overflow…
        raise IncompatibleUnits(f"{from_unit} -> {to_unit}") from error
    return float(f"{converted:.{_SIGNIFICANT_DIGITS}g}")


@lru_cache(maxsize=1024)
def affine(from_unit: str, to_unit: str) -> tuple[float, float]:
    """``(scale, offset)`` with ``value_in_to = value_in_from * scale + offset``.

    Two pint conversions per pair of units, then plain arithmetic: a comparison page
    converts every number of every row. Raises IncompatibleUnits.
    """
    try:
        quantity = ureg.Quantity
        offset = float(quantity(0.0, _units(from_unit)).to(_units(to_unit)).magnitude)
        one = float(quantity(1.0, _units(from_unit)).to(_units(to_unit)).magnitude)
    except Exception as error:  # as in convert()
        raise IncompatibleUnits(f"{from_unit} -> {to_unit}") from error
    return one - offset, offset


def convert_fast(value: float, from_unit: str, to_unit: str) -> float:
    """:func:`convert` through :func:`affine`, rounded to the same 12 significant digits.

    A result that is only the float noise of its terms (32 °F → 3.6e-15 °C) is zero.
    """
    if from_unit == to_unit:
        return float(value)
    scale, offset = affine(from_unit, to_unit)
    scaled = value * scale
    result = scaled + offset
    if abs(result) <= 1e-12 * max(abs(scaled), abs(offset)):
        return 0.0
    return float(f"{result:.{_SIGNIFICANT_DIGITS}g}")
