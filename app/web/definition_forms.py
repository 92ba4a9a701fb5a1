"""The form of the attribute definition page (Flask-WTF: every POST carries a CSRF token).

The form only bounds lengths; the definition service checks every value, so the page and
``PATCH /api/v1/attributes/<key>`` agree.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import Length

from .entry_forms import COMMENT_LABEL

__all__ = ["DefinitionForm", "EDITED_FIELDS"]

#: The definition fields the page edits (the service takes the same names).
EDITED_FIELDS = ("label", "label_zh", "description", "description_zh", "group", "group_zh")


class DefinitionForm(FlaskForm):
    """An attribute's labels, descriptions and section in English and Chinese."""

    label = StringField(_l("Label"), validators=[Length(max=200)])
    label_zh = StringField(_l("Chinese label"), validators=[Length(max=200)],
                           description=_l("Optional: shown to readers of the Chinese pages."))
    description = TextAreaField(_l("Description"), validators=[Length(max=2000)],
                                render_kw={"rows": 3})
    description_zh = TextAreaField(_l("Chinese description"), validators=[Length(max=2000)],
                                   render_kw={"rows": 3},
                                   description=_l("Optional: shown to readers of the "
                                                  "Chinese pages."))
    group = StringField(_l("Section"), validators=[Length(max=200)],
                        description=_l("Pages group attributes by section. Type the name of "
                                       "an existing one (English or Chinese) to join it."))
    group_zh = StringField(_l("Chinese section name"), validators=[Length(max=200)])
    comment = StringField(COMMENT_LABEL, validators=[Length(max=500)],
                          description=_l("Optional: say what you changed and why (shown with "
                                         "the attribute's last change)."))
    version = IntegerField(validators=[])
