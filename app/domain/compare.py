"""Side-by-side comparison of 2–6 entries: aligned rows, groups, differences and winners.

:func:`align` takes plain entry dicts and the attribute definitions and returns an
immutable :class:`Comparison` that both the comparison page and the API render::

    comparison = align([pixel, iphone], definitions, units="metric")
    for group in comparison.only_differences().groups:
        ...

Everything type-specific (display, equality after unit conversion, ordering) is asked of
:mod:`app.domain.types`, and the unit a row of numbers is shown in of
:mod:`app.domain.unit_systems`; this module decides alignment, grouping, winners, the
relative bars of numeric rows and each entry's summary (rows won, strongest advantages).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import combinations
from typing import Any

from app.domain.definitions import Definition, definition_for, in_sections
from app.domain.errors import InvalidValue
from app.domain.messages import M_, _
from app.domain.types import display_value, number_text, sort_key, values_equal
from app.domain.unit_systems import DEFAULT_SYSTEM, SYSTEMS, display_unit, shown_number, to_unit

__all__ = [
    "ADVANTAGES",
    "DEFAULT_SYSTEM",
    "MAX_ENTRIES",
    "MIN_ENTRIES",
    "MISSING_TEXT",
    "SEPARATOR",
    "SYSTEMS",
    "Advantage",
    "Cell",
    "Comparison",
    "EntrySummary",
    "Group",
    "Row",
    "align",
    "canonical_order",
    "comparison_slug",
    "distinct",
    "parse_comparison_slug",
]

MIN_ENTRIES, MAX_ENTRIES = 2, 6
MISSING_TEXT = "—"
SEPARATOR = "vs"
ORDERED_BETTER = ("higher", "lower")
#: How many advantages an entry's summary names.
ADVANTAGES = 3
#: The shortest bar (a share of the longest) when values are zero or negative.
MIN_BAR = 0.05
#: How strong a win is when no percentage measures it: a yes against a no ranks like a
#: 25 % margin; a newer date like 10 % a year (at most 50 %); a number beside zero or
#: across zero like 100 %.
YES_STRENGTH, YEAR_STRENGTH, MAX_DATE_STRENGTH, UNMEASURED_STRENGTH = 0.25, 0.1, 0.5, 1.0


@dataclass(frozen=True)
class Cell:
    """One entry's value in one row; ``text`` is what a page shows.

    Numbers also carry ``number`` and ``unit``, the value in the row's display unit,
    ``entered``, the value as its editor wrote it ("2.62 lb" where the row shows
    "1.19 kg"), and ``bar``, its length relative to the row's best value (0–1; None
    when the row has no order or fewer than two values).
    """

    stored: dict | None
    text: str
    missing: bool
    best: bool
    number: int | float | None = None
    unit: str | None = None
    entered: str | None = None
    bar: float | None = None

    @property
    def bar_step(self) -> int | None:
        """The bar in twentieths (0–20), for pages that draw bars in steps."""
        return None if self.bar is None else round(self.bar * 20)

    def to_dict(self) -> dict:
        """Plain JSON-able form of the cell."""
        value = None if self.stored is None else self.stored.get("value")
        entered = None if self.missing else (self.entered or self.text)
        return {"value": value, "text": self.text, "missing": self.missing, "best": self.best,
                "number": self.number, "unit": self.unit, "entered": entered, "bar": self.bar}


@dataclass(frozen=True)
class Row:
    """One attribute across all entries, with a cell per entry in the entries' order.

    ``unit`` is the definition's canonical unit, ``display_unit`` the one every number
    of the row is shown in (the reader's unit system decides it).
    """

    key: str
    label: str
    type: str
    unit: str | None
    better: str
    cells: tuple[Cell, ...]
    differs: bool
    best: tuple[int, ...]
    display_unit: str | None = None

    def to_dict(self) -> dict:
        """Plain JSON-able form of the row."""
        return {
            "key": self.key,
            "label": self.label,
            "type": self.type,
            "unit": self.unit,
            "display_unit": self.display_unit,
            "better": self.better,
            "differs": self.differs,
            "best": list(self.best),
            "cells": [cell.to_dict() for cell in self.cells],
        }


@dataclass(frozen=True)
class Advantage:
    """A row one entry wins, said in words: "Battery capacity: 14% higher".

    ``percent`` is how much better than the best other value (None where a percentage
    says nothing: yes/no, dates, a value beside zero); ``strength`` ranks advantages.
    """

    key: str
    label: str
    text: str
    percent: float | None
    strength: float

    def to_dict(self) -> dict:
        """Plain JSON-able form of the advantage."""
        return {"key": self.key, "label": self.label, "text": self.text,
                "percent": self.percent}


@dataclass(frozen=True)
class EntrySummary:
    """One entry's summary: how many rows it wins and its strongest advantages."""

    slug: str
    wins: int
    advantages: tuple[Advantage, ...]

    def to_dict(self) -> dict:
        """Plain JSON-able form of the summary."""
        return {"slug": self.slug, "wins": self.wins,
                "advantages": [advantage.to_dict() for advantage in self.advantages]}


@dataclass(frozen=True)
class Group:
    """A section of the comparison page (the definitions' ``group``)."""

    name: str
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Comparison:
    """The aligned comparison: the entries in their given order and the grouped rows.

    ``units`` is the unit system numbers are shown in; ``summary`` has one
    :class:`EntrySummary` per entry, in the entries' order, and ``decided`` counts the
    rows that have a winner.
    """

    entries: tuple[dict, ...]
    groups: tuple[Group, ...]
    units: str = DEFAULT_SYSTEM
    summary: tuple[EntrySummary, ...] = ()
    decided: int = 0

    @property
    def rows(self) -> tuple[Row, ...]:
        """Every row in page order."""
        return tuple(row for group in self.groups for row in group.rows)

    def only_differences(self) -> Comparison:
        """The same comparison keeping only rows that differ (and the groups that keep one)."""
        groups = (
            replace(group, rows=tuple(row for row in group.rows if row.differs))
            for group in self.groups
        )
        return replace(self, groups=tuple(group for group in groups if group.rows))

    def to_dict(self) -> dict:
        """Plain JSON-able form for the API and the JSON export."""
        return {
            "entries": [
                {"slug": entry.get("slug"), "title": entry.get("title")} for entry in self.entries
            ],
            "units": self.units,
            "decided": self.decided,
            "summary": [summary.to_dict() for summary in self.summary],
            "groups": [
                {"name": group.name, "rows": [row.to_dict() for row in group.rows]}
                for group in self.groups
            ],
        }


def align(entries: Sequence[dict], definitions: Mapping[str, Definition],
          units: str = DEFAULT_SYSTEM) -> Comparison:
    """Line 2–6 entries up attribute by attribute, grouped by section, with winners marked.

    Numbers are shown in one unit per row, chosen for the unit system ``units``
    (``default``, ``metric`` or ``imperial``).
    """
    entries = tuple(entries)
    _check_entries(entries)
    if units not in SYSTEMS:
        raise InvalidValue(M_("Units must be one of %(systems)s.")
                           % {"systems": ", ".join(SYSTEMS)}, "units")
    attributes = [_attributes(entry) for entry in entries]
    keys = {key for values in attributes for key in values}
    pairs: list[tuple[Definition, Row]] = []
    sort_keys: dict[str, list[Any]] = {}
    for definition in (definition_for(key, definitions) for key in keys):
        stored = [values.get(definition.key) for values in attributes]
        sort_keys[definition.key] = [sort_key(definition, value) for value in stored]
        pairs.append((definition, _row(definition, stored, sort_keys[definition.key], units)))
    groups = tuple(Group(name=name, rows=tuple(row for _, row in rows))
                   for name, rows in in_sections(pairs, lambda pair: pair[0]))
    rows = [(row, sort_keys[row.key]) for group in groups for row in group.rows]
    return Comparison(entries=entries, groups=groups, units=units,
                      summary=_summaries(entries, rows),
                      decided=sum(1 for row, _ in rows if row.best))


def _check_entries(entries: Sequence[dict]) -> None:
    """Refuse too few, too many, or repeated entries."""
    if len(entries) < MIN_ENTRIES:
        raise InvalidValue(
            M_("A comparison needs at least %(limit)s entries; %(count)s given.")
            % {"limit": MIN_ENTRIES, "count": len(entries)}, "entries"
        )
    if len(entries) > MAX_ENTRIES:
        raise InvalidValue(
            M_("A comparison shows at most %(limit)s entries; %(count)s given.")
            % {"limit": MAX_ENTRIES, "count": len(entries)}, "entries"
        )
    slugs = [entry.get("slug") for entry in entries]
    repeated = sorted({str(slug) for slug in slugs if slugs.count(slug) > 1})
    if repeated:
        raise InvalidValue(
            M_("Each entry can appear only once in a comparison; repeated: %(repeated)s.")
            % {"repeated": ", ".join(repeated)},
            "entries",
        )


def _attributes(entry: dict) -> dict:
    """The entry's attributes that hold a value (``None`` or a malformed dict counts as absent)."""
    attributes = entry.get("attributes") or {}
    return {k: v for k, v in attributes.items() if isinstance(v, dict) and "value" in v}


def _row(definition: Definition, stored: Sequence[dict | None], keys: Sequence[Any],
         units: str) -> Row:
    """Build one row from each entry's stored value (and its sort key): cells, differences,
    winners."""
    best = _winners(definition, stored, keys)
    shown_unit = None
    if definition.type == "number":
        shown_unit, cells = _number_cells(definition, stored, keys, best, units)
    else:
        cells = tuple(_cell(definition, value, i in best) for i, value in enumerate(stored))
    return Row(
        key=definition.key,
        label=definition.label,
        type=definition.type,
        unit=definition.unit,
        better=definition.better,
        cells=cells,
        differs=_differs(definition, stored),
        best=best,
        display_unit=shown_unit,
    )


def _number_cells(definition: Definition, stored: Sequence[dict | None], keys: Sequence[Any],
                  best: tuple[int, ...], units: str) -> tuple[str | None, tuple[Cell, ...]]:
    """A row of numbers in one display unit, each cell with its bar and its text as entered."""
    canonical = {i: key for i, key in enumerate(keys) if key is not None}
    unit = display_unit(definition.unit, units, canonical.values())
    bars = _bars(definition.better, canonical)
    cells = []
    for i, value in enumerate(stored):
        if value is None:
            cells.append(_cell(definition, None, False))
            continue
        if value.get("unit") == unit:  # as entered: keep the editor's digits
            number = value["value"]
            text = entered = number_text(number, unit)
        else:
            number = shown_number(to_unit(canonical[i], definition.unit, unit))
            text, entered = number_text(number, unit), display_value(definition, value)
        cells.append(Cell(stored=value, text=text, missing=False, best=i in best,
                          number=number, unit=unit, entered=entered, bar=bars.get(i)))
    return unit, tuple(cells)


def _bars(better: str, numbers: Mapping[int, float]) -> dict[int, float]:
    """Each value's bar, the best value's the longest (1); {} for rows without an order.

    Positive values get bars in proportion (the lower-is-better ones inverted: half the
    weight, twice the bar); with a zero or a negative value the bars span the range.
    Equal values get no bars.
    """
    if better not in ORDERED_BETTER or len(numbers) < 2:
        return {}
    low, high = min(numbers.values()), max(numbers.values())
    if high == low:  # equal values: bars would say nothing
        return {}
    if low > 0:
        shares = {i: (n / high if better == "higher" else low / n) for i, n in numbers.items()}
    else:
        span = high - low
        shares = {i: MIN_BAR + (1 - MIN_BAR) * ((n - low) if better == "higher" else (high - n))
                  / span for i, n in numbers.items()}
    return {i: round(share, 4) for i, share in shares.items()}


def _cell(definition: Definition, stored: dict | None, best: bool) -> Cell:
    """One cell, shown as "—" when the entry has no value."""
    if stored is None:
        return Cell(stored=None, text=MISSING_TEXT, missing=True, best=False)
    return Cell(stored=stored, text=display_value(definition, stored), missing=False, best=best)


def _differs(definition: Definition, stored: Sequence[dict | None]) -> bool:
    """True when any two cells differ; a missing cell beside a present one differs."""
    return any(not values_equal(definition, a, b) for a, b in combinations(stored, 2))


def _winners(definition: Definition, stored: Sequence[dict | None],
             sort_keys: Sequence[Any]) -> tuple[int, ...]:
    """Indexes of the best cells, or () when the row has no order or no single best value."""
    if definition.better not in ORDERED_BETTER:
        return ()
    keys = [(i, key) for i, key in enumerate(sort_keys) if key is not None]  # missing: no win
    if len(keys) < 2:
        return ()
    pick = max if definition.better == "higher" else min
    first, best_key = pick(keys, key=lambda item: item[1])
    # values_equal too, so 6.1 in and 15.494 cm tie although their floats differ in the last bit
    winners = tuple(
        i
        for i, key in keys
        if key == best_key or values_equal(definition, stored[i], stored[first])
    )
    return () if len(winners) == len(keys) else winners


def _summaries(entries: Sequence[dict],
               rows: Sequence[tuple[Row, Sequence[Any]]]) -> tuple[EntrySummary, ...]:
    """Per entry: the rows it wins and its strongest advantages (strength, then page order).

    Every win is ranked; only the strongest are put in words.
    """
    wins = [0] * len(entries)
    ranked: list[list[tuple[float, int, int, float | None]]] = [[] for _ in entries]
    for position, (row, keys) in enumerate(rows):
        if not row.best:
            continue
        runner = _runner_up(row, keys)
        for winner in row.best:
            wins[winner] += 1
            strength, percent = _strength(row, keys[winner], keys[runner])
            ranked[winner].append((-strength, position, runner, percent))
    words = _Words()
    summaries = []
    for i, entry in enumerate(entries):
        advantages = tuple(
            _advantage(rows[position][0], i, runner, -minus, percent, words)
            for minus, position, runner, percent in sorted(ranked[i])[:ADVANTAGES])
        summaries.append(EntrySummary(slug=entry.get("slug"), wins=wins[i],
                                      advantages=advantages))
    return tuple(summaries)


def _runner_up(row: Row, keys: Sequence[Any]) -> int:
    """The cell with the best value among those that do not win the row."""
    others = [(keys[i], i) for i in range(len(keys)) if i not in row.best and keys[i] is not None]
    pick = max if row.better == "higher" else min
    return pick(others, key=lambda item: item[0])[1]


def _strength(row: Row, a: Any, b: Any) -> tuple[float, float | None]:
    """How strongly value ``a`` beats ``b`` on ``row``, and by what share (None: no share)."""
    if row.type in ("number", "rating") and b != 0 and a * b > 0:
        percent = abs(a - b) / abs(b)
        return percent, percent
    if row.type == "boolean":
        return YES_STRENGTH, None
    if row.type == "date":
        return min(MAX_DATE_STRENGTH, YEAR_STRENGTH * abs(_years(a) - _years(b))), None
    return UNMEASURED_STRENGTH, None


class _Words:
    """The advantage sentences, each translated once per comparison (not once per use)."""

    def __init__(self):
        self.higher = _("%(label)s: %(percent)s higher")
        self.lower = _("%(label)s: %(percent)s lower")
        self.versus = _("%(label)s: %(value)s vs %(other)s")
        self.yes, self.no = _("yes"), _("no")


def _advantage(row: Row, winner: int, runner: int, strength: float, percent: float | None,
               words: _Words) -> Advantage:
    """``winner``'s advantage over ``runner`` on ``row``, in words."""
    if row.type == "number" and percent is not None:
        template = words.higher if row.better == "higher" else words.lower
        text = template % {"label": row.label, "percent": _percent_text(percent)}
    else:
        text = words.versus % {"label": row.label,
                               "value": _short(row, row.cells[winner], words),
                               "other": _short(row, row.cells[runner], words)}
    return Advantage(key=row.key, label=row.label, text=text,
                     percent=None if percent is None else round(percent, 4), strength=strength)


def _short(row: Row, cell: Cell, words: _Words) -> str:
    """A value as an advantage quotes it: "yes", "4/5", "6.2 in", "2023-10"."""
    value = cell.stored["value"]
    if row.type == "boolean":
        return words.yes if value else words.no
    if row.type == "rating":
        return f"{value}/5"
    return cell.text


def _percent_text(share: float) -> str:
    """A share as a whole percentage ("14%"), "<1%" below one per cent."""
    percent = share * 100
    return "<1%" if percent < 1 else f"{round(percent)}%"


def _years(iso: str) -> float:
    """An ISO date of any precision (YYYY, YYYY-MM, YYYY-MM-DD) as a fractional year."""
    parts = [int(part) for part in iso.split("-")] + [1, 1]
    return parts[0] + (parts[1] - 1) / 12 + (parts[2] - 1) / 365


def canonical_order(slugs: Iterable[str]) -> list[str]:
    """The one canonical order of a comparison: sorted slugs, duplicates removed."""
    return sorted(set(slugs))


def distinct(slugs: Iterable[str]) -> list[str]:
    """``slugs`` in the order given, each once (the columns the reader chose)."""
    return list(dict.fromkeys(slugs))


def comparison_slug(slugs: Iterable[str]) -> str:
    """Join entry slugs into a URL part, in the order given: ``a-vs-b-vs-c``."""
    slugs = list(slugs)
    for slug in slugs:
        words = slug.split("-")
        if not slug or SEPARATOR in words or "" in words:
            raise InvalidValue(M_("%(slug)s cannot be part of a comparison address.")
                               % {"slug": repr(slug)}, "entries")
    return f"-{SEPARATOR}-".join(slugs)


def parse_comparison_slug(text: str) -> list[str]:
    """Split ``a-vs-b-vs-c`` into entry slugs, in the order written."""
    parts: list[list[str]] = [[]]
    for word in text.split("-"):
        if word == SEPARATOR:
            parts.append([])
        else:
            parts[-1].append(word)
    if any(not words or "" in words for words in parts):
        raise InvalidValue(M_("%(text)s is not a comparison address like 'a-vs-b'.")
                           % {"text": repr(text)}, "entries")
    return ["-".join(words) for words in parts]
