"""Forms of the entry pages, and what turns a type-aware attribute form into a wiki input.

The attribute forms are rendered by hand in ``entries/_attribute_form.html`` (one tab per
type, one form per table row, each with its own ids), so the Flask-WTF classes here only
declare and read the fields; CSRFProtect checks the token of every POST.
"""

from __future__ import annotations

from functools import lru_cache

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length

from ..domain import units
from ..domain.definitions import TYPE_NAMES
from ..domain.errors import InvalidValue
from ..domain.messages import M_
from ..services import AttributeInput

__all__ = [
    "ATTRIBUTE_FIELDS",
    "AttributeForm",
    "DeleteAttributeForm",
    "DeleteEntryForm",
    "EditEntryForm",
    "NewEntryForm",
    "RestoreForm",
    "RevertForm",
    "TYPE_NAMES",
    "unit_groups_in",
    "attribute_input",
    "field_of",
    "unit_choices",
    "unit_groups",
]

#: The fields of an attribute form an error can be shown next to.
ATTRIBUTE_FIELDS = ("key", "label", "group", "type", "value", "unit", "version")

#: Units offered by the unit picker, most common first within each dimension.
#: Anything else pint knows can still be typed into the value ("6.1 in").
PICKER_UNITS = (
    "g", "kg", "mg", "lb", "oz",
    "mm", "cm", "m", "km", "nm", "µm", "in", "ft",
    "ml", "l",
    "B", "kB", "KB", "MB", "GB", "TB", "KiB", "MiB", "GiB", "TiB", "bit",
    "Mbps", "Gbps",
    "Hz", "kHz", "MHz", "GHz",
    "W", "mW", "kW", "Wh", "kWh", "mAh", "Ah", "V", "mV",
    "s", "ms", "min", "h", "d",
    "°C", "°F", "K",
    "nit", "ppi", "MP", "fps", "dB",
    "USD", "EUR", "GBP", "CNY", "JPY",
)


@lru_cache(maxsize=1)
def unit_groups() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Every picker unit grouped by what it measures: (("a mass", ("g", "kg"…)), …)."""
    groups: dict[str, list[str]] = {}
    for unit in PICKER_UNITS:
        groups.setdefault(units.describe_dimension(unit), []).append(unit)
    return tuple((words, tuple(members)) for words, members in groups.items())


@lru_cache(maxsize=8)
def unit_groups_in(locale: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """:func:`unit_groups` with their words in ``locale`` ("a mass" → "质量"), worked out
    once per language (call it inside a request in that language)."""
    return tuple((units.describe_dimension(members[0], translate=True), members)
                 for _words, members in unit_groups())


@lru_cache(maxsize=256)
def unit_choices(canonical: str | None) -> tuple[str, ...]:
    """Units a value of an attribute in ``canonical`` may be written in (canonical first).

    Currencies are never converted, so a currency attribute offers only its own.
    """
    if not canonical:
        return ()
    if units.is_currency(canonical):
        return (canonical,)
    same = [unit for unit in PICKER_UNITS if not units.is_currency(unit)
            and unit != canonical and _same_dimension(unit, canonical)]
    return (canonical, *same)


def _same_dimension(first: str, second: str) -> bool:
    """Whether two units convert into each other (False for a unit pint cannot read)."""
    try:
        return units.same_dimension(first, second)
    except Exception:  # an odd canonical unit stored by an older version: offer only itself
        return False


def field_of(error: InvalidValue) -> str:
    """The form field an InvalidValue belongs to (type checks name the attribute key)."""
    return error.field if error.field in ATTRIBUTE_FIELDS else "value"


def attribute_input(form: dict, key: str | None = None) -> AttributeInput:
    """The wiki input of a submitted attribute form (``key`` from the URL for row edits).

    A number's value and its picked unit are joined ("171" + "g" → "171 g") unless the
    editor already wrote a unit in the value; the picked unit also becomes the canonical
    unit of a new number attribute.
    """
    value = (form.get("value") or "").strip()
    type_name = (form.get("type") or "").strip() or None
    unit = (form.get("unit") or "").strip() or None
    if type_name is not None and type_name not in TYPE_NAMES:
        raise InvalidValue(M_("Type must be one of %(types)s.")
                           % {"types": ", ".join(TYPE_NAMES)}, "type")
    if type_name == "number" and unit and value and _is_bare_number(value):
        value = f"{value} {unit}"
    if type_name != "number":
        unit = None
    return AttributeInput(
        key=key or (form.get("key") or "").strip().lower() or None,
        value=value,
        type=type_name,
        label=(form.get("label") or "").strip() or None,
        unit=unit,
        group=(form.get("group") or "").strip() or None,
    )


def _is_bare_number(text: str) -> bool:
    """Whether ``text`` is a number without a unit of its own."""
    try:
        return units.split_quantity(text)[1] is None
    except units.QuantityError:
        return False


class AttributeForm(FlaskForm):
    """Add or change one attribute; ``version`` is the entry version the page showed."""

    version = IntegerField(validators=[InputRequired()])
    key = StringField(_l("Key"), validators=[Length(max=40)])
    label = StringField(_l("Label"), validators=[Length(max=60)])
    group = StringField(_l("Section"), validators=[Length(max=40)])
    type = HiddenField()
    value = StringField(_l("Value"), validators=[Length(max=4000)])
    unit = StringField(_l("Unit"), validators=[Length(max=40)])
    form_id = HiddenField()


class DeleteAttributeForm(FlaskForm):
    """Remove one attribute, if the entry is still at ``version``."""

    version = IntegerField(validators=[InputRequired()])


class RevertForm(FlaskForm):
    """Bring the entry back to an older version, if it is still at ``version``."""

    version = IntegerField(validators=[InputRequired()])


#: Every edit form's optional "edit summary", stored as the revision's comment.
COMMENT_LABEL = _l("Edit summary")
COMMENT_HINT = _l("Optional: say what you changed and why (shown in the history).")


class NewEntryForm(FlaskForm):
    """Title, category and summary of a new entry; the wiki checks each of them."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    category = SelectField(_l("Category"), validators=[DataRequired()],
                           validate_choice=False)
    summary = TextAreaField(_l("Summary"), validators=[Length(max=2000)],
                            render_kw={"rows": 4})
    comment = StringField(COMMENT_LABEL, validators=[Length(max=500)],
                          description=COMMENT_HINT)
    create_anyway = BooleanField(_l("Create it anyway: it is a different thing"))


class EditEntryForm(FlaskForm):
    """The entry itself: title, summary, category and main picture (a file or an address)."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    summary = TextAreaField(_l("Summary"), validators=[Length(max=2000)],
                            render_kw={"rows": 5})
    category = SelectField(_l("Category"), validators=[DataRequired()],
                           validate_choice=False)
    picture = FileField(_l("Upload a picture"),
                        description=_l("PNG, JPEG, GIF or WebP, at most 2 MiB."))
    picture_url = StringField(_l("Or the address of a picture"),
                              validators=[Length(max=2048)])
    remove_picture = BooleanField(_l("Remove the picture"))
    comment = StringField(COMMENT_LABEL, validators=[Length(max=500)],
                          description=COMMENT_HINT)
    version = IntegerField(validators=[InputRequired()])


class DeleteEntryForm(FlaskForm):
    """Delete the entry (admins), if it is still at ``version``."""

    version = IntegerField(validators=[InputRequired()])


class RestoreForm(FlaskForm):
    """Bring a deleted entry back (admins)."""
