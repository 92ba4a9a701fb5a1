"""Side-by-side comparison of 2–6 entries: aligned rows, groups, differences and winners.

:func:`align` takes plain entry dicts and the attribute definitions and returns an
immutable :class:`Comparison` that both the comparison page and the API render::

    comparison = align([pixel, iphone], definitions)
    for group in comparison.only_differences().groups:
        ...

Everything type-specific (display, equality after unit conversion, ordering) is asked of
:mod:`app.domain.types`; this module only decides alignment, grouping and winners.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import combinations
from typing import Any

from app.domain.definitions import Definition, label_from_key
from app.domain.errors import InvalidValue
from app.domain.messages import _
from app.domain.types import display_value, sort_key, values_equal

__all__ = [
    "MAX_ENTRIES",
    "MIN_ENTRIES",
    "MISSING_TEXT",
    "OTHER_GROUP",
    "SEPARATOR",
    "Cell",
    "Comparison",
    "Group",
    "Row",
    "align",
    "canonical_order",
    "comparison_slug",
    "parse_comparison_slug",
]

MIN_ENTRIES, MAX_ENTRIES = 2, 6
MISSING_TEXT = "—"
OTHER_GROUP = "Other"
SEPARATOR = "vs"
ORDERED_BETTER = ("higher", "lower")


@dataclass(frozen=True)
class Cell:
    """One entry's value in one row; ``text`` is what a page shows."""

    stored: dict | None
    text: str
    missing: bool
    best: bool

    def to_dict(self) -> dict:
        """Plain JSON-able form of the cell."""
        value = None if self.stored is None else self.stored.get("value")
        return {"value": value, "text": self.text, "missing": self.missing, "best": self.best}


@dataclass(frozen=True)
class Row:
    """One attribute across all entries, with a cell per entry in the entries' order."""

    key: str
    label: str
    type: str
    unit: str | None
    better: str
    cells: tuple[Cell, ...]
    differs: bool
    best: tuple[int, ...]

    def to_dict(self) -> dict:
        """Plain JSON-able form of the row."""
        return {
            "key": self.key,
            "label": self.label,
            "type": self.type,
            "unit": self.unit,
            "better": self.better,
            "differs": self.differs,
            "best": list(self.best),
            "cells": [cell.to_dict() for cell in self.cells],
        }


@dataclass(frozen=True)
class Group:
    """A section of the comparison page (the definitions' ``group``)."""

    name: str
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Comparison:
    """The aligned comparison: the entries in their given order and the grouped rows."""

    entries: tuple[dict, ...]
    groups: tuple[Group, ...]

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
            "groups": [
                {"name": group.name, "rows": [row.to_dict() for row in group.rows]}
                for group in self.groups
            ],
        }


def align(entries: Sequence[dict], definitions: Mapping[str, Definition]) -> Comparison:
    """Line 2–6 entries up attribute by attribute, grouped by section, with winners marked."""
    entries = tuple(entries)
    _check_entries(entries)
    attributes = [_attributes(entry) for entry in entries]
    keys = {key for values in attributes for key in values}
    rows_by_group: dict[str, list[tuple[Definition, Row]]] = {}
    for definition in (_definition_for(key, definitions) for key in keys):
        row = _row(definition, [values.get(definition.key) for values in attributes])
        rows_by_group.setdefault(definition.group, []).append((definition, row))
    return Comparison(entries=entries, groups=_ordered_groups(rows_by_group))


def _check_entries(entries: Sequence[dict]) -> None:
    """Refuse too few, too many, or repeated entries."""
    if len(entries) < MIN_ENTRIES:
        raise InvalidValue(
            _("A comparison needs at least %(limit)s entries; %(count)s given.")
            % {"limit": MIN_ENTRIES, "count": len(entries)}, "entries"
        )
    if len(entries) > MAX_ENTRIES:
        raise InvalidValue(
            _("A comparison shows at most %(limit)s entries; %(count)s given.")
            % {"limit": MAX_ENTRIES, "count": len(entries)}, "entries"
        )
    slugs = [entry.get("slug") for entry in entries]
    repeated = sorted({str(slug) for slug in slugs if slugs.count(slug) > 1})
    if repeated:
        raise InvalidValue(
            _("Each entry can appear only once in a comparison; repeated: %(repeated)s.")
            % {"repeated": ", ".join(repeated)},
            "entries",
        )


def _attributes(entry: dict) -> dict:
    """The entry's attributes that hold a value (``None`` or a malformed dict counts as absent)."""
    attributes = entry.get("attributes") or {}
    return {k: v for k, v in attributes.items() if isinstance(v, dict) and "value" in v}


def _definition_for(key: str, definitions: Mapping[str, Definition]) -> Definition:
    """The key's definition, or a plain text one in the "Other" group when it has none."""
    definition = definitions.get(key)
    if definition is not None:
        return definition
    return Definition(key=key, label=label_from_key(key), type="text", group=OTHER_GROUP)


def _row(definition: Definition, stored: Sequence[dict | None]) -> Row:
    """Build one row from each entry's stored value: cells, whether they differ, who wins."""
    best = _winners(definition, stored)
    cells = tuple(_cell(definition, value, index in best) for index, value in enumerate(stored))
    return Row(
        key=definition.key,
        label=definition.label,
        type=definition.type,
        unit=definition.unit,
        better=definition.better,
        cells=cells,
        differs=_differs(definition, stored),
        best=best,
    )


def _cell(definition: Definition, stored: dict | None, best: bool) -> Cell:
    """One cell, shown as "—" when the entry has no value."""
    if stored is None:
        return Cell(stored=None, text=MISSING_TEXT, missing=True, best=False)
    return Cell(stored=stored, text=display_value(definition, stored), missing=False, best=best)


def _differs(definition: Definition, stored: Sequence[dict | None]) -> bool:
    """True when any two cells differ; a missing cell beside a present one differs."""
    return any(not values_equal(definition, a, b) for a, b in combinations(stored, 2))


def _winners(definition: Definition, stored: Sequence[dict | None]) -> tuple[int, ...]:
    """Indexes of the best cells, or () when the row has no order or no single best value."""
    if definition.better not in ORDERED_BETTER:
        return ()
    keys = [(i, sort_key(definition, value)) for i, value in enumerate(stored)]
    keys = [(i, key) for i, key in keys if key is not None]  # missing cells never win
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


def _ordered_groups(rows_by_group: Mapping[str, list[tuple[Definition, Row]]]) -> tuple[Group, ...]:
    """Groups by their smallest row order ("Other" last), rows by (order, label)."""

    def row_order(item: tuple[Definition, Row]) -> tuple[Any, ...]:
        definition, row = item
        return (definition.order, row.label.casefold(), row.key)

    def group_order(name: str) -> tuple[Any, ...]:
        first = min(definition.order for definition, _ in rows_by_group[name])
        return (name == OTHER_GROUP, first, name.casefold())

    return tuple(
        Group(name=name, rows=tuple(row for _, row in sorted(rows_by_group[name], key=row_order)))
        for name in sorted(rows_by_group, key=group_order)
    )


def canonical_order(slugs: Iterable[str]) -> list[str]:
    """The one canonical order of a comparison: sorted slugs, duplicates removed."""
    return sorted(set(slugs))


def comparison_slug(slugs: Iterable[str]) -> str:
    """Join entry slugs into a URL part, in the order given: ``a-vs-b-vs-c``."""
    slugs = list(slugs)
    for slug in slugs:
        words = slug.split("-")
        if not slug or SEPARATOR in words or "" in words:
            raise InvalidValue(_("%(slug)s cannot be part of a comparison address.")
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
        raise InvalidValue(_("%(text)s is not a comparison address like 'a-vs-b'.")
                           % {"text": repr(text)}, "entries")
    return ["-".join(words) for words in parts]
