"""User pages: public profiles with contributions, and the settings of one's account.

Settings has four forms, each posting to its own URL with its own CSRF token; a form
that fails is shown again with its errors (status 400) beside the other three.
"""

from __future__ import annotations

from contextlib import nullcontext
from functools import wraps

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from markupsafe import Markup

from ..domain.errors import Conflict, InvalidValue, RateLimited
from ..services import accounts, reads
from ..throttle import change_password as throttled_change_password
from ..write_limits import spending
from .errors import retry_after
from .filters import address
from .main import entries_by_id
from .session import SessionUser
from .user_forms import AvatarForm, LogoutEverywhereForm, PasswordForm, ProfileForm

__all__ = ["bp"]

bp = Blueprint("users", __name__)

CONTRIBUTIONS = 20
#: Service field names that a settings form calls differently.
FIELD_ALIASES = {"password": "new_password"}


@bp.get("/users/<username>")
def profile(username: str):
    """A user's public profile: avatar, details, counts and latest contributions."""
    read = reads()
    user = read.user(username)
    edits = read.revisions_by(user["_id"], CONTRIBUTIONS)
    return render_template(
        "users/profile.html", user=user, edits=edits,
        entries=entries_by_id(row["entry_id"] for row in edits),
        created=read.entries_created_by(user["_id"], CONTRIBUTIONS),
    )


def _forms(**bound) -> dict:
    """The four settings forms; ``bound`` replaces the one being submitted."""
    doc = current_user.doc
    forms = {
        "profile_form": bound.get("profile_form") or ProfileForm(
            formdata=None, email=doc["email"], location=doc.get("location", ""),
            website=doc.get("website", ""), bio=doc.get("bio", "")),
        "avatar_form": bound.get("avatar_form") or AvatarForm(formdata=None),
        "password_form": bound.get("password_form") or PasswordForm(formdata=None),
        "logout_form": LogoutEverywhereForm(formdata=None),
    }
    return forms


def _settings_page(status: int = 200, headers: dict | None = None, **bound):
    """The settings page, with a submitted form's errors when there are some."""
    return render_template("users/settings.html", user=current_user.doc,
                           **_forms(**bound)), status, headers or {}


def _attach(form, exc: InvalidValue | Conflict | RateLimited, field: str | None = None) -> None:
    """Show a service's error beside the field it names, or ``field`` (or above the form)."""
    field = field or getattr(exc, "field", None)
    name = FIELD_ALIASES.get(field or "", field or "")
    field = getattr(form, name, None) if name else None
    (field.errors if field is not None else form.form_errors).append(exc.message)


def _refused(name: str, form, exc: InvalidValue | Conflict | RateLimited, limited: str):
    """The settings page again with ``form`` (bound as ``name``) saying why it was refused:
    a limit (429, shown at the field ``limited``) or a refused value (400)."""
    if isinstance(exc, RateLimited):
        _attach(form, exc, limited)
        return _settings_page(429, retry_after(exc), **{name: form})
    _attach(form, exc)
    return _settings_page(400, **{name: form})


def _settings_form(form_class, name: str, limited: str,
                   refusals: tuple[type[Exception], ...] = (RateLimited, InvalidValue)):
    """A settings form's change: the view is called with the validated form (bound as
    ``name``). An invalid form gives the settings page again with a 400; a change refused
    with one of ``refusals`` gives it with the reason (:func:`_refused`; a limit is shown
    at the field ``limited``)."""
    def wrap(change):
        @wraps(change)
        def view():
            form = form_class()
            if not form.validate_on_submit():
                return _settings_page(400, **{name: form})
            try:
                return change(form)
            except refusals as exc:
                return _refused(name, form, exc, limited)
        return view
    return wrap


@bp.get("/settings")
@login_required
def settings():
    """The account's settings: profile, avatar, password, sessions."""
    return _settings_page()


@bp.post("/settings/profile")
@login_required
@_settings_form(ProfileForm, "profile_form", "email", (RateLimited, InvalidValue, Conflict))
def update_profile(form: ProfileForm):
    """Save email, location, website and bio."""
    fields = {"email": form.email.data, "location": form.location.data or "",
              "website": form.website.data or "", "bio": form.bio.data or ""}
    user = current_user.doc
    limit = spending("email", user) if accounts().changes_email(user, fields) \
        else nullcontext()
    with limit:
        updated = accounts().update_profile(user["_id"], fields)
    flash(_("Your profile is saved."), "success")
    if updated.get("pending_email") and updated["pending_email"] != user.get("pending_email"):
        flash(Markup(_("We have sent a link to %(email)s: it becomes your address once you "
                       "open it. Until then mail goes to %(old)s."))
              % {"email": address(updated["pending_email"]), "old": address(updated["email"])},
              "info")
    return redirect(url_for("users.settings"))


@bp.post("/settings/avatar")
@login_required
@_settings_form(AvatarForm, "avatar_form", "file")
def upload_avatar(form: AvatarForm):
    """Store a new avatar (re-encoded), then delete the old file."""
    with spending("upload", current_user.doc):
        accounts().set_avatar(current_user.doc["_id"], form.file.data.read())
    flash(_("Your new picture is saved."), "success")
    return redirect(url_for("users.settings"))


@bp.post("/settings/password")
@login_required
@_settings_form(PasswordForm, "password_form", "current_password")
def change_password(form: PasswordForm):
    """Change the password; every other session ends, this browser stays logged in."""
    updated = throttled_change_password(current_user.doc["_id"], form.current_password.data,
                                        form.new_password.data)
    # A fresh session (and remember cookie, if this browser had one) with the new stamp.
    remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
    session.clear()
    login_user(SessionUser(updated), remember=remembered)
    flash(_("Your password is changed. Other browsers and devices have been logged out."),
          "success")
    return redirect(url_for("users.settings"))


@bp.post("/settings/logout-everywhere")
@login_required
def logout_everywhere():
    """End every session of the account, this one included."""
    LogoutEverywhereForm()  # CSRFProtect has already checked the token
    accounts().logout_everywhere(current_user.doc["_id"])
    logout_user()
    session.clear()
    flash(_("You are logged out everywhere."), "info")
    return redirect(url_for("main.home"))

