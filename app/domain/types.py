"""The eight attribute types: read what editors type, and format, display and compare values.

Each type is one small object in ``TYPES`` (name -> type). The module-level functions
(``parse_value``, ``format_value``…) look the definition's type up and delegate, so
callers never branch on type names. A stored value is a plain dict, ``{"value": …}``,
plus ``unit`` and ``n`` for numbers: that is what goes into MongoDB.

Example::

    >>> weight = Definition(key="weight", label="Weight", type="number", unit="g")
    >>> parse_value(weight, "0.2 kg")
    {'value': 0.2, 'unit': 'kg', 'n': 200.0}
"""

from __future__ import annotations

import datetime
import math
import re
import unicodedata
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

from app.domain import units
from app.domain.errors import InvalidValue
from app.domain.messages import M_, N_, Label, Message
from app.domain.text import forbidden, quote

if TYPE_CHECKING:
    from app.domain.definitions import Definition

__all__ = [
    "TYPES",
    "AttributeType",
    "display_value",
    "format_value",
    "mongo_path",
    "number_text",
    "parse_filter_value",
    "parse_value",
    "sort_key",
    "values_equal",
]

_MAX_SAFE_INT = 2**53  # larger integers lose precision in JSON clients; kept as floats
_MAX_NUMBER_TEXT = 100


# ----------------------------------------------------------------------------- helpers


def _refuse(definition: Definition, message: Message, **params: object) -> InvalidValue:
    """The error for a refused value of ``definition``'s attribute. ``message`` names the
    attribute as %(label)s, filled in here as the reader of the message knows it (its
    Chinese label on a Chinese page); ``params`` fill in the rest."""
    filled = {**(message.params or {}), **params, "label": Label(definition)}
    return InvalidValue(Message(message.template, filled), field=definition.key)


def _describe_json(raw: Any) -> Message | str:
    """How a JSON value of the wrong kind is named in a message."""
    if raw is None:
        return "null"
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, int | float):
        return M_("a number")
    if isinstance(raw, list | tuple):
        return M_("a list")
    if isinstance(raw, dict):
        return M_("an object")
    return M_("a %(type)s") % {"type": type(raw).__name__}


def _clean_line(text: str) -> str:
    """``text`` stripped and in Unicode NFC, so equal-looking strings are stored equal."""
    return unicodedata.normalize("NFC", text.strip())


def _number_text(number: int | float) -> str:
    """Exact text for a stored number: it reads back as the same int or float."""
    return str(number) if isinstance(number, int) else repr(number)


def _display_number(number: int | float) -> str:
    """A number for people: no float noise (6.1, not 6.1000000000000005), no ".0"."""
    if isinstance(number, float) and number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    if isinstance(number, float):
        return f"{number:.12g}"
    return str(number)


def number_text(number: int | float, unit: str | None) -> str:
    """A number and its unit for people: "6.1 in", "$799", "-$5", "50%", "100 °C"."""
    shown = _display_number(number)
    symbol = units.currency_symbol(unit) if unit else None
    if symbol:
        sign = "-" if shown.startswith("-") else ""
        return f"{sign}{symbol}{shown.lstrip('-')}"
    if unit in ("%", "‰", "°"):
        return f"{shown}{unit}"
    return f"{shown} {unit}" if unit else shown


def _present(stored: dict | None) -> bool:
    """Whether ``stored`` holds a value at all."""
    return isinstance(stored, dict) and "value" in stored


# ----------------------------------------------------------------------------- base type


class AttributeType:
    """One attribute type. Subclasses override what differs from these defaults."""

    #: The type's name in definitions and the API, given in the class line of each type:
    #: ``class DateType(AttributeType, name="date")``.
    name: ClassVar[str] = ""
    path: ClassVar[str] = "value"  # the stored sub-field filters and sorts use
    example: ClassVar[str] = ""
    #: The operators a filter on it takes (app/services/query.py): "text", "ordered",
    #: "boolean" or "list".
    family: ClassVar[str] = "text"
    #: May "better" be higher/lower, do values sort? Those of the ordered and yes/no
    #: families do.
    orderable: ClassVar[bool] = False
    #: What a value of this type is, in words, for messages ("a number").
    kind: ClassVar[Message] = M_("text")

    def __init_subclass__(cls, *, name: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.name = name
        cls.orderable = cls.family in ("ordered", "boolean")

    def parse(self, definition: Definition, raw: Any) -> dict:
        """The stored form of ``raw``; raises InvalidValue."""
        raise NotImplementedError

    def format(self, definition: Definition, stored: dict) -> str:
        """The editable text of a stored value."""
        return str(stored["value"])

    def display(self, definition: Definition, stored: dict) -> str:
        """Short text for pages and CSV."""
        return self.format(definition, stored)

    def key(self, definition: Definition, stored: dict) -> Any:
        """A comparable value for sorting and winners (only called for orderable types)."""
        return stored["value"]

    def equal(self, definition: Definition, first: dict, second: dict) -> bool:
        """Whether two stored values are the same value."""
        return first["value"] == second["value"]

    def operand(self, definition: Definition, raw: str) -> Any:
        """The comparable value of a query-string filter operand."""
        return self.parse(definition, raw)["value"]

    def text_input(self, definition: Definition, raw: Any) -> str:
        """``raw`` as stripped text, refusing JSON values of another kind and empty text."""
        if not isinstance(raw, str):
            raise _refuse(definition, M_(
                '%(label)s must be %(kind)s, like "%(example)s"; got %(given)s.'),
                kind=self.kind, example=self.example_for(definition), given=_describe_json(raw))
        text = raw.strip()
        if not text:
            raise _refuse(definition, M_(
                '%(label)s needs a value, like "%(example)s".'),
                example=self.example_for(definition))
        return text

    def example_for(self, definition: Definition) -> str:
        """An example value shown in messages."""
        return self.example


# ----------------------------------------------------------------------------- text


class TextType(AttributeType, name="text"):
    """A single line of text, 1 to 500 characters."""

    example = "Aluminium and glass"
    max_length = 500

    def parse(self, definition: Definition, raw: Any) -> dict:
        """Stripped, NFC text without control characters or line breaks."""
        text = _clean_line(self.text_input(definition, raw))
        if forbidden(text):
            raise _refuse(definition, M_(
                "%(label)s must be a single line of text without control characters."))
        if len(text) > self.max_length:
            raise _refuse(definition, M_(
                "%(label)s must be at most %(limit)s characters; this is %(length)s."),
                limit=self.max_length, length=len(text))
        return {"value": text}

    def operand(self, definition: Definition, raw: str) -> str:
        """Filters on text take the operand as it is (it may hold * wildcards)."""
        return raw.strip()


# ----------------------------------------------------------------------------- number


class NumberType(AttributeType, name="number"):
    """A number with an optional unit, converted to the definition's canonical unit in ``n``."""

    kind = M_("a number")
    family = "ordered"
    path = "n"
    examples: ClassVar[dict[str, str]] = {
        "g": "171", "kg": "1.2", "in": "6.1", "mm": "7.8", "cm": "15.5", "mAh": "3349",
        "W": "20", "GHz": "3.2", "GB": "128", "MP": "48", "USD": "799", "EUR": "699",
    }

    def example_for(self, definition: Definition) -> str:
        """An example in the canonical unit, such as "171 g"."""
        number = self.examples.get(definition.unit or "", "12")
        return f"{number} {definition.unit}" if definition.unit else number

    def parse(self, definition: Definition, raw: Any) -> dict:
        """Read "6.1 in", "$799", "1,500 g" or a JSON number; convert to the canonical unit."""
        number, unit = self.read(definition, raw)
        unit = self.check_unit(definition, unit, raw)
        canonical = self.canonical(definition, number, unit, raw)
        stored: dict[str, Any] = {"value": number}
        if unit is not None:
            stored["unit"] = unit
        stored["n"] = canonical
        return stored

    def read(self, definition: Definition, raw: Any) -> tuple[int | float, str | None]:
        """The number the editor wrote and the unit text they wrote with it (or None)."""
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            return self.finite(definition, raw, raw), None
        text = self.text_input(definition, raw)
        yen = "JPY" if definition.unit == "JPY" else "CNY"
        try:
            if len(text) > _MAX_NUMBER_TEXT:
                raise units.NotANumber(text)
            number_text, unit = units.split_quantity(text, yen=yen)
        except units.BadDigits:
            raise _refuse(definition, self.digits_message(definition, text)) from None
        except units.NotANumber:
            raise _refuse(definition, self.nan_message(definition, text)) from None
        return self.finite(definition, _read_number(number_text), raw), unit

    def finite(self, definition: Definition, number: int | float, raw: Any) -> int | float:
        """Refuse NaN and infinities; keep big integers as floats."""
        if isinstance(number, float) and not math.isfinite(number):
            if isinstance(raw, str):
                template = M_('%(label)s must be a finite number, like "%(example)s"; '
                             '%(given)s is not.')
            else:
                template = M_('%(label)s must be a finite number, like "%(example)s"; '
                             'this is not.')
            raise _refuse(
                definition,
                template % {"label": definition.label, "example": self.example_for(definition),
                            "given": quote(raw) if isinstance(raw, str) else ""},
            )
        if isinstance(number, int) and abs(number) >= _MAX_SAFE_INT:
            return float(number)
        return number

    def check_unit(self, definition: Definition, written: str | None, raw: Any) -> str | None:
        """The normalised unit of the value: the one written, or the canonical one."""
        if written is None:
            return definition.unit
        if definition.unit is None:
            raise _refuse(definition, M_(
                '%(label)s must be a plain number without a unit, like "12"; '
                '%(given)s has a unit.'), given=quote(str(raw)))
        try:
            unit = units.normalise_unit(written)
        except units.UnknownUnit:
            raise _refuse(definition, M_(
                '%(label)s must be %(words)s, like "%(example)s"; '
                '%(given)s is not a unit pkyx knows.'),
                **self.must_be(definition), given=quote(written)) from None
        self.check_dimension(definition, unit, raw)
        return unit

    def must_be(self, definition: Definition) -> dict[str, object]:
        """The start of a refusal, 'Weight must be a mass, like "171 g"', as message values."""
        return {"label": definition.label,
                "words": units.dimension_message(definition.unit),
                "example": self.example_for(definition)}

    def check_dimension(self, definition: Definition, unit: str, raw: Any) -> None:
        """Refuse a unit that cannot be converted to the canonical unit (currencies never are)."""
        if unit == definition.unit:
            return
        money = units.is_currency(unit), units.is_currency(definition.unit)
        if not any(money) and units.same_dimension(unit, definition.unit):
            return
        if all(money):
            template = M_('%(label)s must be %(words)s, like "%(example)s"; %(given)s is '
                         '%(dimension)s, and pkyx does not convert between currencies.')
        else:
            template = M_('%(label)s must be %(words)s, like "%(example)s"; %(given)s is '
                         '%(dimension)s.')
        raise _refuse(
            definition,
            template % {**self.must_be(definition), "given": quote(str(raw)),
                        "dimension": units.dimension_message(unit)},
        )

    def canonical(
        self, definition: Definition, number: int | float, unit: str | None, raw: Any
    ) -> float:
        """``number`` in the definition's canonical unit, as a finite float."""
        if definition.unit is None or unit is None:
            return float(number)
        try:
            converted = units.convert(number, unit, definition.unit)
        except units.IncompatibleUnits:
            raise _refuse(definition, M_(
                '%(label)s must be %(words)s, like "%(example)s"; %(given)s cannot be '
                'converted.'), **self.must_be(definition), given=quote(str(raw))) from None
        if not math.isfinite(converted):
            raise _refuse(definition, M_(
                '%(label)s must be %(words)s, like "%(example)s"; %(given)s is too large '
                'once converted to %(unit)s.'),
                **self.must_be(definition), given=quote(str(raw)), unit=definition.unit)
        return converted

    def digits_message(self, definition: Definition, text: str) -> Message:
        """The refusal for "1 500" or "1,5": say how to write digits."""
        return M_(
            '%(label)s must be a number, like "%(example)s"; in %(given)s use commas only '
            "between groups of three digits (1,500), a point for decimals (1.5), and no spaces "
            "inside the number."
        ) % {"label": definition.label, "example": self.example_for(definition),
             "given": quote(text)}

    def nan_message(self, definition: Definition, text: str) -> Message:
        """The refusal for text that is not a number at all."""
        return M_('%(label)s must be a number, like "%(example)s"; %(given)s is not one.') % {
            "label": definition.label, "example": self.example_for(definition),
            "given": quote(text)}

    def format(self, definition: Definition, stored: dict) -> str:
        """ "6.1 in", "799 USD" or "8": text that parses back to the same stored value."""
        number = _number_text(stored["value"])
        return f"{number} {stored['unit']}" if stored.get("unit") else number

    def display(self, definition: Definition, stored: dict) -> str:
        """ "6.1 in", "$799", "50%": as written, without float noise."""
        return number_text(stored["value"], stored.get("unit"))

    def key(self, definition: Definition, stored: dict) -> float:
        """Numbers sort by their value in the canonical unit."""
        return _canonical_number(stored)

    def equal(self, definition: Definition, first: dict, second: dict) -> bool:
        """Equal after unit conversion, allowing for float rounding."""
        return math.isclose(_canonical_number(first), _canonical_number(second), rel_tol=1e-9)

    def operand(self, definition: Definition, raw: str) -> float:
        """A filter operand in the canonical unit: "0.2kg" for a g attribute is 200.0."""
        return self.parse(definition, raw)["n"]


def _read_number(text: str) -> int | float:
    """The int (no point, no exponent) or float that number text written by a person means."""
    plain = text.replace(",", "")
    if "." in plain or "e" in plain or "E" in plain:
        return float(plain)
    return int(plain)


def _canonical_number(stored: dict) -> float:
    """The canonical value of a stored number (``n``, or ``value`` for old documents)."""
    return float(stored.get("n", stored["value"]))


# ----------------------------------------------------------------------------- boolean


class BooleanType(AttributeType, name="boolean"):
    """Yes or no."""

    kind = M_("yes or no")
    family = "boolean"
    example = "yes"
    words: ClassVar[dict[str, bool]] = {
        **dict.fromkeys(("yes", "true", "y", "1", "on", "✓", "✔", "是", "有"), True),
        **dict.fromkeys(("no", "false", "n", "0", "off", "✗", "✘", "否", "无", "無"), False),
    }

    def parse(self, definition: Definition, raw: Any) -> dict:
        """JSON true/false, or one of the words in ``words`` in any case."""
        if isinstance(raw, bool):
            return {"value": raw}
        text = self.text_input(definition, raw)
        value = self.words.get(text.casefold())
        if value is None:
            raise _refuse(definition, M_(
                "%(label)s must be yes or no (also true/false, y/n, 1/0, on/off, "
                "✓/✗, 是/否, 有/无); %(given)s is neither."), given=quote(text))
        return {"value": value}

    def format(self, definition: Definition, stored: dict) -> str:
        """ "yes" or "no"."""
        return "yes" if stored["value"] else "no"

    def display(self, definition: Definition, stored: dict) -> str:
        """ "Yes" or "No"."""
        return "Yes" if stored["value"] else "No"


# ----------------------------------------------------------------------------- rating


class RatingType(AttributeType, name="rating"):
    """A whole number of stars from 1 to 5."""

    kind = M_("a number of stars")
    family = "ordered"
    example = "4"
    pattern = re.compile(r"(?P<digit>[0-9])\s*(?:/\s*5|stars?)?", re.IGNORECASE)
    stars = re.compile(r"(?P<full>★*)(?P<empty>☆*)")

    def parse(self, definition: Definition, raw: Any) -> dict:
        """ "4", "4/5", "4 stars", "★★★★", "★★★★☆", or a JSON whole number."""
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            stars = int(raw) if float(raw).is_integer() else None
            shown = _number_text(raw)
        else:
            shown = self.text_input(definition, raw)
            stars = self.count(shown)
        if stars is None or not 1 <= stars <= 5:
            raise _refuse(definition, M_(
                '%(label)s must be a whole number of stars from 1 to 5. '
                'Write "4", "4/5" or "★★★★☆"; %(given)s is not one.'), given=quote(shown))
        return {"value": stars}

    def count(self, text: str) -> int | None:
        """The number of stars ``text`` gives, or None if it is not a rating."""
        match = self.pattern.fullmatch(text)
        if match:
            return int(match.group("digit"))
        match = self.stars.fullmatch(text.replace(" ", ""))
        if match and (not match.group("empty") or len(match.group(0)) == 5):
            return len(match.group("full"))
        return None

    def display(self, definition: Definition, stored: dict) -> str:
        """Five stars, filled and empty: "★★★★☆"."""
        return "★" * stored["value"] + "☆" * (5 - stored["value"])


# ----------------------------------------------------------------------------- url, image


class UrlType(AttributeType, name="url"):
    """An http or https address."""

    kind = M_("a web address")
    example = "https://example.com"
    max_length = 2048

    def parse(self, definition: Definition, raw: Any) -> dict:
        """A checked http(s) URL, stored as written (stripped)."""
        return {"value": self.check_url(definition, self.text_input(definition, raw))}

    def check_url(self, definition: Definition, text: str) -> str:
        """``text`` if it is a safe http(s) address; raises InvalidValue explaining why not."""
        label = definition.label
        if len(text) > self.max_length:
            raise _refuse(definition, M_(
                "%(label)s must be a web address of at most %(limit)s characters; "
                "this one has %(length)s."), limit=self.max_length, length=len(text))
        if any(c.isspace() for c in text) or forbidden(text):
            raise _refuse(definition, M_("%(label)s must be a web address without spaces."))
        try:
            parts = urlsplit(text)
            _port = parts.port  # reading the port checks it
        except ValueError:
            message = M_("%(label)s: %(given)s is not a valid web address.") % {
                "label": label, "given": quote(text)}
            raise _refuse(definition, message) from None
        self.check_scheme(definition, text, parts.scheme.lower())
        if not parts.hostname:
            raise _refuse(definition, M_(
                '%(label)s must be a web address with a host name, like "%(example)s".'),
                example=f"{self.example}/page")
        if parts.username is not None or parts.password is not None:
            raise _refuse(definition, M_("%(label)s must not contain a user name or password."))
        return text

    def check_scheme(self, definition: Definition, text: str, scheme: str) -> None:
        """Only http and https: refuse javascript:, data:, ftp:, "//host" and bare hosts."""
        if scheme in ("http", "https"):
            return
        # "example.com:8080/x" parses with the scheme "example.com": it is a host, not a scheme
        looks_like_host = "." in scheme or text[len(scheme) + 1 :][:1].isdigit()
        if scheme and not looks_like_host:
            message = M_('%(label)s must be a web address starting with http:// or https://; '
                        'a "%(scheme)s:" address is not allowed.')
        elif text.startswith("//"):
            message = M_("%(label)s must be a web address starting with http:// or https://; "
                        "write %(suggestion)s instead.")
        elif text.startswith("/"):
            message = M_("%(label)s must be a web address starting with http:// or https://; "
                        "%(given)s is only a path.")
        else:
            message = M_("%(label)s must be a web address starting with http:// or https://; "
                        "did you mean %(suggestion)s?")
        suggestion = quote(("https:" if text.startswith("//") else "https://") + text)
        raise _refuse(definition, message % {"label": definition.label, "scheme": scheme,
                                             "given": quote(text), "suggestion": suggestion})


class ImageType(UrlType, name="image"):
    """An image: an http(s) URL, or an uploaded image kept in GridFS."""

    kind = M_("an image address")
    example = "https://example.com/photo.jpg"
    upload = re.compile(r"/media/images/(?P<file>[0-9a-f]{24})")

    def parse(self, definition: Definition, raw: Any) -> dict:
        """An image URL, or the path of an uploaded image (so its edit text round-trips)."""
        text = self.text_input(definition, raw)
        match = self.upload.fullmatch(text)
        if match:
            return {"value": text, "file": match.group("file")}
        return {"value": self.check_url(definition, text)}


# ----------------------------------------------------------------------------- date


class DateType(AttributeType, name="date"):
    """A date, as precise as the editor knows it: YYYY-MM-DD, YYYY-MM or YYYY."""

    kind = M_("a date")
    family = "ordered"
    example = "2023-09-22"
    pattern = re.compile(r"(?P<year>[0-9]{4})(?:-(?P<month>[0-9]{2})(?:-(?P<day>[0-9]{2}))?)?")
    forms = N_("YYYY-MM-DD, YYYY-MM or YYYY")

    def parse(self, definition: Definition, raw: Any) -> dict:
        """A real calendar date in one of the three ISO forms; a JSON year number is allowed."""
        if isinstance(raw, int) and not isinstance(raw, bool):
            raw = str(raw)
        text = self.text_input(definition, raw)
        match = self.pattern.fullmatch(text)
        if not match:
            raise _refuse(definition, M_(
                '%(label)s must be a date written %(forms)s, like "%(example)s"; '
                '%(given)s is not.'),
                forms=Message(self.forms), example=self.example, given=quote(text))
        self.check_real(definition, text, match)
        return {"value": text}

    def check_real(self, definition: Definition, text: str, match: re.Match) -> None:
        """Refuse years outside 1000-9999 and dates the calendar does not have."""
        year = int(match.group("year"))
        if not 1000 <= year <= 9999:
            raise _refuse(definition, M_(
                "%(label)s must have a year from 1000 to 9999; %(given)s does not."),
                given=quote(text))
        try:
            datetime.date(year, int(match.group("month") or 1), int(match.group("day") or 1))
        except ValueError:
            raise _refuse(definition, M_(
                "%(label)s must be a real date written %(forms)s; %(given)s does not exist."),
                forms=Message(self.forms), given=quote(text)) from None


# ----------------------------------------------------------------------------- list


class ListType(AttributeType, name="list"):
    """A list of short strings: "5G, Wi-Fi 6, NFC"."""

    kind = M_("a list of short texts separated by commas")
    family = "list"
    example = "5G, Wi-Fi 6, NFC"
    separators = re.compile(r"[,，]")
    max_items = 30
    max_item_length = 60

    def parse(self, definition: Definition, raw: Any) -> dict:
        """Items from "a, b, c" or a JSON array of strings: stripped, de-duplicated, checked."""
        if isinstance(raw, list | tuple):
            items = [self.json_item(definition, item) for item in raw]
        else:
            items = self.separators.split(self.text_input(definition, raw))
        kept = list(dict.fromkeys(item for item in map(_clean_line, items) if item))
        for item in kept:
            self.check_item(definition, item)
        return {"value": self.check_count(definition, kept)}

    def json_item(self, definition: Definition, item: Any) -> str:
        """One item of a JSON array: a string without commas."""
        if not isinstance(item, str):
            raise _refuse(definition, M_(
                "%(label)s: every item must be text; got %(given)s."), given=_describe_json(item))
        if self.separators.search(item):
            raise _refuse(definition, M_(
                "%(label)s: items must not contain commas; %(given)s does."), given=quote(item))
        return item

    def check_item(self, definition: Definition, item: str) -> None:
        """Refuse long items and items with control characters."""
        if len(item) > self.max_item_length:
            raise _refuse(definition, M_(
                "%(label)s: each item must be 1 to %(limit)s characters; "
                "%(given)s has %(length)s."),
                limit=self.max_item_length, given=quote(item), length=len(item))
        if forbidden(item):
            raise _refuse(definition, M_("%(label)s: items must not contain control characters."))

    def check_count(self, definition: Definition, items: list[str]) -> list[str]:
        """Between 1 and 30 items."""
        if not items:
            raise _refuse(definition, M_(
                '%(label)s needs at least one item, like "%(example)s".'), example=self.example)
        if len(items) > self.max_items:
            raise _refuse(definition, M_(
                "%(label)s can have at most %(limit)s items; this has %(count)s."),
                limit=self.max_items, count=len(items))
        return items

    def format(self, definition: Definition, stored: dict) -> str:
        """ "a, b, c"."""
        return ", ".join(stored["value"])

    def operand(self, definition: Definition, raw: str) -> str:
        """A filter operand for a list is one item."""
        return raw.strip()


# ----------------------------------------------------------------------------- registry

TYPES: dict[str, AttributeType] = {
    kind.name: kind()
    for kind in (
        TextType, NumberType, BooleanType, RatingType, UrlType, ImageType, DateType, ListType
    )
}


def _type_of(definition: Definition) -> AttributeType:
    """The type object of a definition."""
    return TYPES[definition.type]


def parse_value(definition: Definition, raw: Any) -> dict:
    """The stored form of ``raw`` (text typed by a person or a JSON value); raises InvalidValue."""
    return _type_of(definition).parse(definition, raw)


def format_value(definition: Definition, stored: dict) -> str:
    """The editable text of a stored value; ``parse_value`` reads it back to the same value."""
    return _type_of(definition).format(definition, stored)


def display_value(definition: Definition, stored: dict) -> str:
    """Short human text for pages and CSV: "6.1 in", "Yes", "★★★★☆", "a, b, c"."""
    return _type_of(definition).display(definition, stored)


def sort_key(definition: Definition, stored: dict | None) -> Any:
    """A value comparable across entries, or None when missing or the type does not order."""
    kind = _type_of(definition)
    if not kind.orderable or not _present(stored):
        return None
    return kind.key(definition, stored)


def values_equal(definition: Definition, first: dict | None, second: dict | None) -> bool:
    """Whether two stored values (either may be missing) are the same value."""
    if not _present(first) or not _present(second):
        return not _present(first) and not _present(second)
    return _type_of(definition).equal(definition, first, second)


def mongo_path(definition: Definition) -> str:
    """The stored sub-field that filters and sorts use: "n" for numbers, "value" otherwise."""
    return _type_of(definition).path


def parse_filter_value(definition: Definition, raw: str) -> Any:
    """The comparable value of a filter operand, in the same terms as ``sort_key``."""
    return _type_of(definition).operand(definition, raw)
