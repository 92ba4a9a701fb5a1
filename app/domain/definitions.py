"""Typed attribute definitions: the shared description of an attribute such as "Weight (g)".

A definition is created the first time an editor uses a new attribute
(``define_on_first_use``) or through the definitions API (``validate_definition``);
every later value must fit its type.

Example::

    >>> define_on_first_use("weight", "number", "171 g")
    Definition(key='weight', label='Weight', type='number', unit='g', ...)
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from slugify import slugify

from app.domain import units
from app.domain.errors import InvalidValue
from app.domain.messages import M_, N_, Message
from app.domain.text import forbidden
from app.domain.types import TYPES, parse_value

__all__ = [
    "BETTER",
    "EDITABLE_FIELDS",
    "ORDERABLE_TYPES",
    "STALE",
    "TYPE_NAMES",
    "DEFAULT_GROUP",
    "Definition",
    "define_on_first_use",
    "definition_for",
    "in_sections",
    "key_from_label",
    "label_from_key",
    "validate_definition",
]

#: The attribute types, in the order forms list them: the type registry's.
TYPE_NAMES = tuple(TYPES)
BETTER = ("higher", "lower", "none")
ORDERABLE_TYPES = tuple(name for name in TYPE_NAMES if TYPES[name].orderable)

KEY_PATTERN = re.compile(r"[a-z0-9_]{1,40}")
MAX_KEY, MAX_LABEL, MAX_GROUP, MAX_DESCRIPTION = 40, 60, 40, 500
ORDER_RANGE = (-1_000_000, 1_000_000)
#: The section of an attribute that names none, and of a value whose definition is gone:
#: one name everywhere, translated where it is shown.
DEFAULT_GROUP = N_("General")
#: What an editor may change on a definition; the key, type and unit decide how stored
#: values were read, so they stay.
EDITABLE_FIELDS = ("label", "label_zh", "description", "description_zh", "group", "group_zh",
                   "better", "order")
STALE = N_("This attribute changed since you read it (you had version %(expected)s, it is "
           "now at version %(current)s). Reload, then apply your change again.")

# Symbols that carry meaning in labels; slugify transliterates the rest (also CJK).
_REPLACEMENTS = [["&", " and "], ["++", " plus plus "], ["+", " plus "], ["%", " percent "],
                 ["°", " deg "], ["µ", "u"], ["μ", "u"]]


@dataclass(frozen=True)
class Definition:
    """The definition of one attribute shared by all entries."""

    key: str
    label: str
    type: str
    unit: str | None = None
    better: str = "none"
    group: str = DEFAULT_GROUP
    order: int = 1000
    description: str = ""
    #: Simplified Chinese forms of the label, the section and the description (empty:
    #: the English shown).
    label_zh: str = ""
    group_zh: str = ""
    description_zh: str = ""

    def label_in(self, chinese: bool) -> str:
        """The label in the reader's language (English when it has no Chinese form)."""
        return self.label_zh or self.label if chinese else self.label

    def group_in(self, chinese: bool) -> str:
        """The section name in the reader's language (English when it has no Chinese form)."""
        return self.group_zh or self.group if chinese else self.group

    def description_in(self, chinese: bool) -> str:
        """The description in the reader's language (English when it has no Chinese form)."""
        return self.description_zh or self.description if chinese else self.description

    def to_doc(self) -> dict:
        """The MongoDB document of this definition (without ``_id``)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_doc(cls, doc: dict) -> Definition:
        """A definition from a stored document, ignoring keys such as ``_id``."""
        names = {field.name for field in dataclasses.fields(cls)}
        return cls(**{name: value for name, value in doc.items() if name in names})


def definition_for(key: str, definitions: Mapping[str, Definition]) -> Definition:
    """The key's definition, or a plain text one in the default section when it has none
    (a value stored before definitions existed, or one whose definition was removed)."""
    found = definitions.get(key)
    return found if found is not None else Definition(key=key, label=label_from_key(key),
                                                      type="text")


T = TypeVar("T")


def in_sections(items: Iterable[T], definition_of: Callable[[T], Definition] = lambda d: d,
                ) -> list[tuple[str, list[T]]]:
    """``items`` (definitions, or rows that hold one) by section, in the order every page,
    export and API list shows them: rows by their definition's order, then label, then
    key; a section where its first row comes.

    Example::

        in_sections([weight, screen, colours])
        # [("Display", [screen]), ("Body", [weight, colours])]
    """
    def row_order(item: T) -> tuple:
        definition = definition_of(item)
        return (definition.order, definition.label.casefold(), definition.key)

    sections: dict[str, list[T]] = {}
    for item in sorted(items, key=row_order):
        sections.setdefault(definition_of(item).group, []).append(item)
    return list(sections.items())


def key_from_label(label: str) -> str:
    """The key for a label: "Screen size (in)" -> "screen_size_in", "重量" -> "zhong_liang"."""
    key = slugify(label, separator="_", max_length=MAX_KEY, replacements=_REPLACEMENTS)
    return _key_or_refuse(
        key.strip("_"),
        M_('The label "%(label)s" has no letters or digits to make a key from; '
           'give a key such as "weight" as well.') % {"label": label},
    )


def label_from_key(key: str) -> str:
    """A label for a key: "screen_size" -> "Screen size"."""
    return key.replace("_", " ").strip().capitalize() or key


def validate_definition(fields: dict) -> Definition:
    """A definition from submitted fields, each checked; raises InvalidValue naming the field.

    ``key`` may be left out and is then made from the label. Keys that are not
    definition fields (``_id``, ``csrf_token``…) are ignored.
    """
    if not isinstance(fields, dict):
        raise InvalidValue(
            M_("A definition must be an object of fields, such as label and type."))
    label = _check_label(fields.get("label"))
    key = _check_key(fields.get("key") or key_from_label(label))
    type_name = _check_type(fields.get("type"))
    return Definition(
        key=key,
        label=label,
        type=type_name,
        unit=_check_unit(fields.get("unit"), type_name),
        better=_check_better(fields.get("better", "none"), type_name),
        group=_check_group(fields.get("group")),
        order=_check_order(fields.get("order", 1000)),
        description=_check_description(fields.get("description", "")),
        description_zh=_check_description(fields.get("description_zh", ""),
                                          "description_zh", M_("Chinese description")),
        label_zh=_optional_text(fields.get("label_zh"), "label_zh", M_("Chinese label"),
                                MAX_LABEL),
        group_zh=_optional_text(fields.get("group_zh"), "group_zh", M_("Chinese section"),
                                MAX_GROUP),
    )


def define_on_first_use(
    key: str,
    type_name: str,
    raw: Any,
    *,
    label: str | None = None,
    unit: str | None = None,
    better: str = "none",
    group: str | None = None,
    label_zh: str | None = None,
) -> Definition:
    """The definition made when an editor first uses ``key`` with the value ``raw``.

    A number without a given unit takes the unit written in ``raw`` ("6.1 in" -> "in"),
    or none. ``raw`` must fit the new definition, so a bad first value never leaves a
    definition behind; raises InvalidValue.
    """
    label = label if label is not None else label_from_key(str(key))
    if type_name == "number" and unit is None:
        unit = _unit_written_in(key, raw, label)
    definition = validate_definition(
        {
            "key": key,
            "label": label,
            "type": type_name,
            "unit": unit,
            "better": better,
            "group": group,
            "label_zh": label_zh,
        }
    )
    parse_value(definition, raw)
    return definition


def _unit_written_in(key: str, raw: Any, label: str) -> str | None:
    """The normalised unit written in a first number value, or None if it has none."""
    if not isinstance(raw, str):
        return None
    try:
        written = units.split_quantity(raw)[1]
    except units.QuantityError:
        return None  # not a number at all: parse_value explains that
    if written is None:
        return None
    try:
        return units.normalise_unit(written)
    except units.UnknownUnit:
        raise InvalidValue(
            M_('%(label)s: "%(unit)s" is not a unit pkyx knows; try a symbol such as '
              '"g", "in", "mAh", "GB" or "USD".') % {"label": label, "unit": written},
            field=key,
        ) from None


# ----------------------------------------------------------------------------- field checks


def _require_text(value: Any, field: str, name: str, maximum: int, minimum: int = 1) -> str:
    """``value`` as stripped single-line text of ``minimum``..``maximum`` characters."""
    if not isinstance(value, str):
        raise InvalidValue(M_("%(name)s must be text.") % {"name": name}, field=field)
    text = unicodedata.normalize("NFC", value.strip())
    if not minimum <= len(text) <= maximum:
        raise InvalidValue(
            M_("%(name)s must be %(minimum)s to %(maximum)s characters long; this is %(length)s.")
            % {"name": name, "minimum": minimum, "maximum": maximum, "length": len(text)},
            field=field,
        )
    if forbidden(text):
        raise InvalidValue(M_("%(name)s must be one line without control characters.")
                           % {"name": name}, field=field)
    return text


def _optional_text(value: Any, field: str, name: str, maximum: int) -> str:
    """Optional one-line text (a Chinese form): empty when absent."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return ""
    return _require_text(value, field, name, maximum)


def _check_label(value: Any) -> str:
    """The label: 1 to 60 characters on one line."""
    if value is None:
        raise InvalidValue(M_("Label is required."), field="label")
    return _require_text(value, "label", M_("Label"), MAX_LABEL)


def _check_key(value: Any) -> str:
    """The key: 1 to 40 lowercase ASCII letters, digits or underscores."""
    return _key_or_refuse(
        value,
        M_('Key must be 1 to %(limit)s lowercase letters (a-z), digits or underscores, '
           'like "screen_size".') % {"limit": MAX_KEY},
    )


def _key_or_refuse(value: Any, message: Message) -> str:
    """``value`` if it is a valid key (KEY_PATTERN), else InvalidValue(message) on "key"."""
    if not isinstance(value, str) or not KEY_PATTERN.fullmatch(value):
        raise InvalidValue(message, field="key")
    return value


def _check_type(value: Any) -> str:
    """The type: one of TYPE_NAMES."""
    if value not in TYPE_NAMES:
        raise InvalidValue(M_("Type must be one of %(types)s.") % {"types": ", ".join(TYPE_NAMES)},
                           field="type")
    return value


def _check_unit(value: Any, type_name: str) -> str | None:
    """The canonical unit: numbers only, a unit pint knows, stored as its short symbol."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if type_name != "number":
        raise InvalidValue(M_("Only numbers have a unit; leave the unit empty."), field="unit")
    if not isinstance(value, str):
        raise InvalidValue(M_('Unit must be text, like "g" or "in".'), field="unit")
    try:
        return units.normalise_unit(value)
    except units.UnknownUnit:
        raise InvalidValue(
            M_('Unit "%(unit)s" is not a unit pkyx knows; try a symbol such as '
              '"g", "in", "mAh", "GB" or "USD".') % {"unit": value.strip()},
            field="unit",
        ) from None


def _check_better(value: Any, type_name: str) -> str:
    """Which values win: higher, lower or none; only orderable types can have a winner."""
    if value not in BETTER:
        raise InvalidValue(M_('Better must be "higher", "lower" or "none".'), field="better")
    if value != "none" and type_name not in ORDERABLE_TYPES:
        raise InvalidValue(
            M_('A %(type)s attribute has no better value; "better" must be "none" '
              "(only %(orderable)s attributes can be higher or lower).")
            % {"type": type_name, "orderable": ", ".join(ORDERABLE_TYPES)},
            field="better",
        )
    return value


def _check_group(value: Any) -> str:
    """The section on pages; empty means "General"."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return DEFAULT_GROUP
    return _require_text(value, "group", M_("Group"), MAX_GROUP)


def _check_order(value: Any) -> int:
    """The position: a whole number (forms send it as text)."""
    if isinstance(value, str) and re.fullmatch(r"\s*[+-]?[0-9]{1,7}\s*", value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not (
        ORDER_RANGE[0] <= value <= ORDER_RANGE[1]
    ):
        raise InvalidValue(
            M_("Order must be a whole number from %(low)s to %(high)s.")
            % {"low": f"{ORDER_RANGE[0]:,}", "high": f"{ORDER_RANGE[1]:,}"},
            field="order",
        )
    return value


def _check_description(value: Any, field: str = "description", name: str | None = None,
                       ) -> str:
    """A description (or its Chinese form) of up to 500 characters; several lines are fine."""
    name = name if name is not None else M_("Description")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidValue(M_("%(name)s must be text.") % {"name": name}, field=field)
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n").strip())
    if len(text) > MAX_DESCRIPTION:
        raise InvalidValue(
            M_("%(name)s must be at most %(limit)s characters; this is %(length)s.")
            % {"name": name, "limit": MAX_DESCRIPTION, "length": len(text)},
            field=field,
        )
    if forbidden(text, lines=True):
        raise InvalidValue(M_("%(name)s must not contain control characters.") % {"name": name},
                           field=field)
    return text

