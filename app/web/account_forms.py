"""Forms of the account mail pages: ask for a reset link, choose a new password, ask for
the confirmation mail again (Flask-WTF: each POST carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

__all__ = ["ResetRequestForm", "NewPasswordForm", "ResendForm"]


class ResetRequestForm(FlaskForm):
    """The address of the account whose password is forgotten."""

    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])


class NewPasswordForm(FlaskForm):
    """The new password, twice."""

    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=256)])
    confirm = PasswordField(_l("New password again"), validators=[
        DataRequired(), EqualTo("new_password", _l("The two new passwords are not the same."))])


class ResendForm(FlaskForm):
    """Sending the confirmation mail again is a POST with a CSRF token."""
