"""Forms of the category pages (Flask-WTF: every POST carries a CSRF token).

The forms only bound lengths; the category service checks every value, so the pages and
the API agree. Suggested attributes are typed one a line: ``weight`` or ``weight: Body``
(a label works as well as a key: "Screen size" finds ``screen``).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

__all__ = ["CategoryForm", "MergeForm", "DeleteCategoryForm", "suggested_lines",
           "suggested_text"]


class CategoryForm(FlaskForm):
    """A new category, or the fields of one being changed."""

    name = StringField(_l("Name"), validators=[Length(max=200)])
    name_zh = StringField(_l("Chinese name"), validators=[Length(max=200)],
                          description=_l("Optional: shown to readers of the Chinese pages."))
    slug = StringField(_l("Address"), validators=[Length(max=80)],
                       description=_l("Lowercase words joined by '-'; made from the name "
                                      "when empty. It cannot change later."))
    description = TextAreaField(_l("Description"), validators=[Length(max=2000)],
                                render_kw={"rows": 3})
    description_zh = TextAreaField(_l("Chinese description"), validators=[Length(max=2000)],
                                   render_kw={"rows": 3})
    parent = SelectField(_l("Inside"), validate_choice=False)
    attributes = TextAreaField(
        _l("Suggested attributes"), validators=[Length(max=4000)],
        description=_l("One a line, in the order they should appear: a key or a label, "
                       "optionally with a section after a colon. A new entry in this "
                       "category starts with them to fill in."))
    version = IntegerField(validators=[])


class MergeForm(FlaskForm):
    """Merge this category into another, if it is still at ``version``."""

    into = SelectField(_l("Merge into"), validate_choice=False)
    version = IntegerField(validators=[InputRequired()])


class DeleteCategoryForm(FlaskForm):
    """Delete this (empty) category, if it is still at ``version``."""

    version = IntegerField(validators=[InputRequired()])


def suggested_lines(text: str) -> list[dict]:
    """``[{"name", "group"}]`` from the textarea: one a line, "name: section"."""
    items = []
    for line in (text or "").replace("\r\n", "\n").split("\n"):
        name, _, group = line.partition(":")
        if name.strip():
            items.append({"name": name.strip(), "group": group.strip()})
    return items


def suggested_text(items: list[dict]) -> str:
    """The textarea's text for stored suggestions."""
    return "\n".join(f"{item['key']}: {item['group']}" if item.get("group") else item["key"]
                     for item in items)
