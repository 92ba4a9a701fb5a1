"""Log in (page and modal), log out (POST), register."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf.csrf import generate_csrf

from ..domain.errors import (
    AccountBlocked,
    Conflict,
    InvalidValue,
    RateLimited,
    TooManyAttempts,
)
from ..services import accounts
from ..throttle import authenticate
from ..write_limits import spending
from .devices import known_device, remember_device
from .errors import retry_after
from .forms import LoginForm, LogoutForm, RegisterForm
from .session import SessionUser

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Where to go after logging in: a path on this site, never another host."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("main.home")


def _start_session(user: dict, remember: bool) -> None:
    """Log in with a fresh session (no fixation: nothing of the old session is kept)."""
    session.clear()
    login_user(SessionUser(user), remember=remember)


@bp.get("/login/csrf-token")
def csrf_token():
    """A CSRF token for the login modal of a cached anonymous page (never cached itself)."""
    response = jsonify(csrf_token=generate_csrf())
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The login page (the header's modal posts here too)."""
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = authenticate(form.login.data, form.password.data, known_device())
        except TooManyAttempts as exc:
            form.form_errors.append(exc.message)
            return render_template("auth/login.html", form=form), 429, retry_after(exc)
        if user is not None and user.get("blocked"):
            # Told only after the right password: a guesser learns nothing.
            form.form_errors.append(AccountBlocked(user["blocked"].get("reason", "")).message)
            return render_template("auth/login.html", form=form), 403
        if user is not None:
            accounts().remember_locale(user, str(get_locale()))
            _start_session(user, form.remember.data)
            flash(_("Welcome back, %(name)s.", name=user["username"]), "success")
            return remember_device(redirect(_safe_next(request.args.get("next"))), user)
        form.form_errors.append(_("The username or password is not right."))
        status = 401
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    """Log out of this browser (a POST with a CSRF token)."""
    LogoutForm()  # CSRFProtect has already checked the token
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("main.home"))


@bp.route("/register", methods=["GET", "POST"])
def register():
    """Create an account and log in (limited per address, as the API's registration); a
    link to confirm the address is mailed in the page's language."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = RegisterForm()
    status, headers = 200, {}
    if form.validate_on_submit():
        try:
            with spending("register"):
                user = accounts().register(form.username.data, form.email.data,
                                           form.password.data, locale=str(get_locale()))
        except RateLimited as exc:
            form.form_errors.append(exc.message)
            status, headers = 429, retry_after(exc)
        except (InvalidValue, Conflict) as exc:
            field = getattr(form, exc.field or "", None)
            (field.errors if field is not None else form.form_errors).append(exc.message)
            status = 400
        else:
            _start_session(user, remember=False)
            flash(_("Welcome to pkyx, %(name)s!", name=user["username"]), "success")
            return remember_device(redirect(url_for("account.check_inbox")), user)
    elif request.method == "POST":
        status = 400
    return render_template("auth/register.html", form=form), status, headers
