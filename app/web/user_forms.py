"""Forms of the settings page: one per POST, each with its CSRF token (Flask-WTF).

The forms only require fields and bound their length; the account service checks
every value (emails, website URLs, password rules), so pages and API agree.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import EmailField, PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, EqualTo, Length

from ..domain.accounts import PROFILE_LIMITS

__all__ = ["ProfileForm", "AvatarForm", "PasswordForm", "LogoutEverywhereForm"]


class ProfileForm(FlaskForm):
    """Email and the public profile: location, website, bio."""

    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    location = StringField(_l("Location"), validators=[Length(max=PROFILE_LIMITS["location"])])
    website = StringField(_l("Website"), validators=[Length(max=PROFILE_LIMITS["website"])],
                          description=_l("An http:// or https:// address."))
    bio = TextAreaField(_l("About you"), validators=[Length(max=PROFILE_LIMITS["bio"])])


class AvatarForm(FlaskForm):
    """A picture: PNG, JPEG, GIF or WebP, decided by its bytes, at most 2 MiB."""

    file = FileField(_l("Picture"), validators=[FileRequired(_l("Choose a picture to upload."))],
                     description=_l("PNG, JPEG, GIF or WebP, at most 2 MiB."))


class PasswordForm(FlaskForm):
    """The current password, and the new one twice."""

    current_password = PasswordField(_l("Current password"),
                                     validators=[DataRequired(), Length(max=256)])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=256)])
    confirm = PasswordField(_l("New password again"), validators=[
        DataRequired(), EqualTo("new_password", _l("The two new passwords are not the same."))])


class LogoutEverywhereForm(FlaskForm):
    """Revoking every session is a POST with a CSRF token."""
