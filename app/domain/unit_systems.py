"""Unit systems: the one unit a comparison row shows its numbers in, and their precision.

A reader picks a system — ``default`` (each attribute's own unit), ``metric`` or
``imperial`` — and :func:`display_unit` picks, for one row, the unit every value of the
row is shown in:

1. the system's counterpart of the definition's unit: ``in`` → ``cm`` in metric, ``g`` →
   ``oz`` in imperial. A unit that already belongs to the system, or that no system
   changes (mAh, GB, Hz, ppi…), stays; a currency is never converted;
2. then a larger unit of the same family when every value reaches it (1,240 g and
   1,090 g → 1.24 kg and 1.09 kg; 38 oz → 2.4 lb), or a smaller one when every value
   is below 1 (0.171 kg → 171 g). Screen sizes stay in inches and phone heights in
   millimetres: only the steps in ``_LARGER`` / ``_SMALLER`` are taken.

:func:`shown_number` rounds a converted value to three significant digits without ever
rounding its integer part (15.494 cm → 15.5, 2131.9 g → 2132); a value already in the
display unit keeps the digits it was entered with.

Example::

    >>> display_unit("g", "default", [1240.0, 1188.4, 1090.0])
    'kg'
    >>> display_unit("g", "imperial", [171.0, 187.0])
    'oz'
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from app.domain import units

__all__ = ["DEFAULT_SYSTEM", "SYSTEMS", "display_unit", "shown_number", "to_unit"]

SYSTEMS = ("default", "metric", "imperial")
DEFAULT_SYSTEM = "default"
#: Significant digits of a converted value (the integer part is never rounded).
SIGNIFICANT = 3


def _symbols(table: dict[str, str]) -> dict[str, str]:
    """``table`` with both sides written as :func:`units.normalise_unit` writes them."""
    return {units.normalise_unit(a): units.normalise_unit(b) for a, b in table.items()}


#: Unit → its counterpart in the other system (only units people use for products).
_COUNTERPART = {
    "metric": _symbols({
        "in": "cm", "ft": "m", "yd": "m", "mi": "km", "oz": "g", "lb": "kg",
        "degF": "degC", "mph": "km/h", "gal": "l", "floz": "ml", "psi": "bar",
        "sq_in": "cm**2", "ft**2": "m**2",
    }),
    "imperial": _symbols({
        "mm": "in", "cm": "in", "m": "ft", "km": "mi", "mg": "oz", "g": "oz", "kg": "lb",
        "t": "lb", "degC": "degF", "K": "degF", "km/h": "mph", "kph": "mph", "m/s": "mph",
        "l": "gal", "ml": "floz", "bar": "psi", "cm**2": "sq_in", "m**2": "ft**2",
    }),
}

#: Unit → (larger unit, how many of this unit make one of it): taken when every value
#: reaches one of the larger unit ("all ≥ 1000 g" → kg). Missing: never larger.
_LARGER = {
    units.normalise_unit(a): (units.normalise_unit(b), float(n)) for a, b, n in (
        ("mg", "g", 1000), ("g", "kg", 1000), ("kg", "t", 1000), ("mm", "m", 1000),
        ("m", "km", 1000), ("oz", "lb", 16), ("ft", "mi", 5280), ("ml", "l", 1000),
    )
}

#: Unit → smaller unit, taken when every value is below 1 ("0.171 kg" → g).
_SMALLER = _symbols({
    "g": "mg", "kg": "g", "t": "kg", "cm": "mm", "m": "cm", "km": "m", "lb": "oz",
    "ft": "in", "mi": "ft", "l": "ml",
})


def display_unit(canonical: str | None, system: str, values: Iterable[float]) -> str | None:
    """The unit a row of ``values`` (in the ``canonical`` unit) is shown in, in ``system``."""
    if canonical is None or units.is_currency(canonical):
        return canonical
    unit = _COUNTERPART.get(system, {}).get(canonical, canonical)
    sizes = [abs(to_unit(value, canonical, unit)) for value in values]
    sizes = [size for size in sizes if size > 0 and math.isfinite(size)]
    if not sizes:
        return unit
    for _step in range(len(_LARGER) + len(_SMALLER)):  # each step moves one way only
        larger = _LARGER.get(unit)
        if larger is not None and min(sizes) >= larger[1]:
            sizes = [size / larger[1] for size in sizes]
            unit = larger[0]
        elif unit in _SMALLER and max(sizes) < 1:
            smaller = _SMALLER[unit]
            sizes = [abs(to_unit(size, unit, smaller)) for size in sizes]
            unit = smaller
        else:
            break
    return unit


def to_unit(value: float, from_unit: str | None, to: str | None) -> float:
    """``value`` converted between two units of one dimension (None: no unit)."""
    if from_unit is None or to is None or from_unit == to:
        return float(value)
    return units.convert_fast(value, from_unit, to)


def shown_number(value: float) -> int | float:
    """A converted value rounded for people: three significant digits, whole part kept."""
    if value == 0 or not math.isfinite(value):
        return value
    whole_digits = math.floor(math.log10(abs(value))) + 1
    rounded = round(value, max(0, SIGNIFICANT - whole_digits))
    return int(rounded) if float(rounded).is_integer() and abs(rounded) < 1e15 else rounded
