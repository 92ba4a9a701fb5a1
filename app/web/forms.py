"""Forms of the account pages (Flask-WTF: every POST carries a CSRF token)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from ..domain.errors import InvalidValue

__all__ = ["LoginForm", "RegisterForm", "LogoutForm", "require_form", "stale"]


class LoginForm(FlaskForm):
    """Username or email, password, remember me."""

    login = StringField(_l("Username or email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])
    remember = BooleanField(_l("Keep me logged in for 30 days"))


class RegisterForm(FlaskForm):
    """A new account; the domain checks every field (the form only requires them)."""

    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=30)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])


class LogoutForm(FlaskForm):
    """Logging out is a POST with a CSRF token, never a link."""


def require_form(form: FlaskForm, *, validate: bool = True, versioned: bool = True) -> None:
    """Refuse a posted form that cannot be read (a bad CSRF token, a missing version):
    the page then comes back with this message and everything typed."""
    if (validate and not form.validate_on_submit()) or (
            versioned and form.version.data is None):
        raise InvalidValue(_("The form could not be read; reload the page and try again."))


def stale(form: FlaskForm, message: str, current: int) -> int:
    """Say on ``form`` that someone saved meanwhile (``message``) and let it save against
    the ``current`` version; everything typed stays. The page's status: 409."""
    form.form_errors.append(message)
    form.version.data = current
    form.version.raw_data = [str(current)]  # what the field renders
    return 409
