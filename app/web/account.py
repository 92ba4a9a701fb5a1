"""Account mail pages: confirm an address, send the link again, reset a forgotten password.

Messages naming an e-mail address mark it (:func:`~app.web.filters.address`): it is
never translated.

A link that cannot be used says why on a page of its own: 400 for one that never was
valid, 410 for one that expired or was used (or replaced by a newer one).

The reset link is checked when opened, then kept in the session and the browser is sent
on to ``/reset/password``: the token leaves the address bar (and the history, and any
Referer) before a form is shown, and a link scanner that opens it changes nothing.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from ..domain.accounts import check_email
from ..domain.errors import BadLink, Conflict, InvalidValue, RateLimited
from ..services import mail_service
from ..write_limits import quietly_spend, spending
from .account_forms import NewPasswordForm, ResendForm, ResetRequestForm
from .errors import retry_after
from .filters import address

__all__ = ["bp"]

bp = Blueprint("account", __name__)

#: Where the reset token waits between the link and the new password.
RESET_KEY = "reset_token"


def link_problem(exc: BadLink, kind: str):
    """The page of a link that cannot be used, with what to do instead."""
    return render_template("account/link.html", reason=exc.reason, message=exc.message,
                           kind=kind, hide_confirm_banner=True), exc.status


@bp.get("/confirm")
@login_required
def check_inbox():
    """Where a new account lands: which address to look at, and "send it again"."""
    return render_template("account/check_inbox.html", user=current_user.doc,
                           hide_confirm_banner=True)


@bp.post("/confirm/resend")
@login_required
def resend():
    """Send the confirmation mail again (limited per account)."""
    ResendForm()  # CSRFProtect has already checked the token
    user = current_user.doc
    try:
        with spending("confirm-mail", user):
            sent_to = mail_service().send_confirmation(user)
    except RateLimited as exc:
        flash(exc.message, "danger")
        return render_template("account/check_inbox.html", user=user,
                               hide_confirm_banner=True), 429, retry_after(exc)
    if sent_to is None:
        flash(_("Your e-mail address is confirmed already."), "info")
    else:
        flash(Markup(_("We have sent a new link to %(email)s.")) % {"email": address(sent_to)},
              "success")
    return redirect(url_for("account.check_inbox"))


@bp.get("/confirm/<token>")
def confirm(token: str):
    """Follow the link of a registration's mail: the address is confirmed."""
    return _follow("confirm", token, _("Thank you: your e-mail address %(email)s is confirmed."))


@bp.get("/confirm-email/<token>")
def confirm_change(token: str):
    """Follow the link mailed to a new address: it becomes the account's address."""
    return _follow("change", token, _("Thank you: your e-mail address is now %(email)s."))


def _follow(kind: str, token: str, thanks: str):
    """Follow a confirmation link of ``kind`` (``confirm``, ``change``): ``thanks`` on the
    next page, or why not (a new address another account took meanwhile is refused)."""
    try:
        user = mail_service().confirm(kind, token)
    except BadLink as exc:
        return link_problem(exc, "confirm")
    except Conflict:
        return _onwards(_("Another account uses this e-mail address now, so it cannot be "
                          "yours. Choose another one in your settings."), "danger")
    return _onwards(Markup(thanks) % {"email": address(user["email"])}, "success")


def _onwards(message: str, category: str):
    """Say ``message`` on the settings page (logged in) or the login page, where a
    followed confirmation link leads."""
    flash(message, category)
    return redirect(url_for("users.settings" if current_user.is_authenticated else "auth.login"))


@bp.route("/reset", methods=["GET", "POST"])
def request_reset():
    """"Forgot password?": mail a reset link to an account's address.

    The answer is the same page whether or not an account has the address, and the
    work is the same too (a mail is written and queued either way); asking is limited
    per client address (429) and, silently, per account.
    """
    form = ResetRequestForm()
    status, headers = 200, {}
    if form.validate_on_submit():
        try:
            address = check_email(form.email.data)
            with spending("reset"):
                mail_service().request_reset(
                    address, str(get_locale()),
                    allowed=lambda key: quietly_spend("RATELIMIT_PASSWORD_RESETS", key))
        except InvalidValue as exc:
            form.email.errors.append(exc.message)
            status = 400
        except RateLimited as exc:
            form.form_errors.append(exc.message)
            status, headers = 429, retry_after(exc)
        else:
            return render_template("account/reset_sent.html", email=address)
    elif request.method == "POST":
        status = 400
    return render_template("account/reset_request.html", form=form), status, headers


@bp.get("/reset/<token>")
def reset_link(token: str):
    """Open a reset link: check it, keep it in the session, go on to the form."""
    try:
        mail_service().reset_user(token)
    except BadLink as exc:
        return link_problem(exc, "reset")
    session[RESET_KEY] = token
    return redirect(url_for("account.reset_password"))


@bp.route("/reset/password", methods=["GET", "POST"])
def reset_password():
    """Choose a new password; every session and API token of the account ends."""
    token = session.get(RESET_KEY)
    try:
        user = mail_service().reset_user(token)
    except BadLink as exc:
        session.pop(RESET_KEY, None)
        return link_problem(exc, "reset")
    form = NewPasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            mail_service().reset_password(token, form.new_password.data)
        except BadLink as exc:
            session.pop(RESET_KEY, None)
            return link_problem(exc, "reset")
        except InvalidValue as exc:
            form.new_password.errors.append(exc.message)
            status = 400
        else:
            session.clear()  # whoever was logged in here, the old sessions are gone
            flash(_("Your password is changed, and every session and API token of the "
                    "account has ended. Log in with the new password."), "success")
            return redirect(url_for("auth.login"))
    elif request.method == "POST":
        status = 400
    return render_template("account/reset_password.html", form=form, user=user), status
