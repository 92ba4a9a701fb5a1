"""Forms of the admin area (Flask-WTF: every POST carries a CSRF token).

The forms bound lengths and require what must be there; the admin service checks the
rest (a reason of at most 500 characters, a time not in the future, the last admin)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, HiddenField, StringField, SubmitField
from wtforms.validators import AnyOf, DataRequired, Length

from ..services.audit import MAX_REASON

__all__ = ["ActionForm", "BlockForm", "RoleForm", "RollbackForm"]


class ActionForm(FlaskForm):
    """An action whose reason is optional (kept in the audit log)."""

    reason = StringField(_l("Reason"), validators=[Length(max=MAX_REASON)])


class BlockForm(FlaskForm):
    """Blocking needs a reason: the account's owner is shown it."""

    reason = StringField(_l("Reason"), validators=[
        DataRequired(_l("Give a reason: the account's owner is shown it.")),
        Length(max=MAX_REASON)])


class RoleForm(FlaskForm):
    """Grant (admin) or revoke (user) the admin role."""

    role = HiddenField(validators=[AnyOf(("user", "admin"))])
    reason = StringField(_l("Reason"), validators=[Length(max=MAX_REASON)])


class RollbackForm(FlaskForm):
    """From when to roll back (UTC), why; preview or roll back."""

    since = DateTimeLocalField(_l("Edits made since (UTC)"), format="%Y-%m-%dT%H:%M",
                               validators=[DataRequired(_l("Give the time as "
                                                           "YYYY-MM-DDTHH:MM (UTC)."))])
    reason = StringField(_l("Reason"), validators=[Length(max=MAX_REASON)],
                         description=_l("Becomes the edit summary of every revert."))
    preview = SubmitField(_l("Preview"))
    apply = SubmitField(_l("Roll back"))
