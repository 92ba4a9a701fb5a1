"""The admin area ``/admin/``: pages of the app's own for accounts with the admin role.

Users (search, confirm by hand, block and unblock with a reason, grant and revoke the
admin role), entries (protect, delete and restore), categories (the category pages'
own admin actions), rolling back an account's edits (a preview first) and the audit log.
Every write goes through :class:`~app.services.admin.Admin` or the wiki, and every form
is a plain POST with a CSRF token (no script needed). Anyone but an admin gets 403 on
every address here; a visitor who is not logged in is sent to the login page first.

Flask-Admin is not used: its templates put inline scripts in the page, which the app's
Content Security Policy (no inline script) blocks, and its model views write to the
collections directly, past the services that keep history, rules and the audit log.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required

from ..domain.accounts import is_confirmed
from ..domain.definitions import definition_for
from ..domain.errors import Conflict, InvalidValue, NotFound
from ..domain.revisions import ATTR_PREFIX
from ..services import admin, categories, reads
from .admin_forms import ActionForm, BlockForm, RoleForm, RollbackForm
from .entries import _field_labels as field_labels
from .entries import _shown as shown_value
from .filters import chinese
from .main import Page, page_number

__all__ = ["bp"]

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.add_app_template_global(is_confirmed, "is_confirmed")

USERS_PER_PAGE = 25
AUDIT_PER_PAGE = 50
ENTRIES_PER_PAGE = 25


def admin_required(view):
    """Admins only: 403 for every other account (not logged in: the login page)."""

    @functools.wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def _refused(exc: InvalidValue | Conflict | NotFound, back: str):
    """Say why an action was refused, on the page it came from."""
    flash(exc.message, "danger")
    return redirect(back)


# ----------------------------------------------------------------------------- overview


@bp.get("/")
@admin_required
def index():
    """The area's front page: counts and the latest audit records."""
    records, total = admin().audit_log(1, 10)
    return render_template("admin/index.html", users=reads().user_count(),
                           protected=admin().protected_entries(1, 1)[1], records=records,
                           total_records=total, section="index")


# ----------------------------------------------------------------------------- users


@bp.get("/users")
@admin_required
def users():
    """Search accounts by name or e-mail address prefix."""
    text = request.args.get("q", "")[:254]
    number = page_number(USERS_PER_PAGE)
    found, total = admin().find_users(text, number, USERS_PER_PAGE)
    return render_template("admin/users.html", page=Page(found, number, USERS_PER_PAGE, total),
                           q=text, section="users")


def _user_page(user: dict, status: int = 200, **forms):
    """One account's page: its state and the forms that change it."""
    read = reads()
    context = {
        "block_form": forms.get("block_form") or BlockForm(formdata=None),
        "action_form": ActionForm(formdata=None),
        "role_form": forms.get("role_form") or RoleForm(formdata=None),
        "edits": read.revisions_by(user["_id"], 10),
    }
    context["entries"] = read.entries_by_ids(row["entry_id"] for row in context["edits"])
    return render_template("admin/user.html", user=user, section="users",
                           is_self=user["_id"] == current_user.doc["_id"],
                           **context), status


@bp.get("/users/<username>")
@admin_required
def user(username: str):
    """An account as administrators see it."""
    return _user_page(reads().user(username))


@bp.post("/users/<username>/block")
@admin_required
def block(username: str):
    """Block an account with a reason; its sessions and tokens end at once."""
    target = reads().user(username)
    form = BlockForm()
    if not form.validate_on_submit():
        return _user_page(target, 400, block_form=form)
    try:
        admin().block(current_user.doc, target["_id"], form.reason.data)
    except (InvalidValue, Conflict) as exc:
        form.reason.errors = [*form.reason.errors, exc.message]
        return _user_page(target, 400, block_form=form)
    flash(_("%(name)s is blocked. Their sessions and API tokens have ended.",
            name=target["username"]), "success")
    return redirect(url_for("admin.user", username=target["username"]))


@bp.post("/users/<username>/unblock")
@admin_required
def unblock(username: str):
    """Let a blocked account log in again."""
    return _account_change(username, "unblock", _l("%(name)s may log in again."))


@bp.post("/users/<username>/role")
@admin_required
def role(username: str):
    """Grant or revoke the admin role (the last admin keeps it)."""
    target = reads().user(username)
    form = RoleForm()
    back = url_for("admin.user", username=target["username"])
    if not form.validate_on_submit():
        return _user_page(target, 400, role_form=form)
    try:
        admin().set_role(current_user.doc, target["_id"], form.role.data, form.reason.data)
    except (InvalidValue, Conflict) as exc:
        return _refused(exc, back)
    if form.role.data == "admin":
        flash(_("%(name)s is an administrator now.", name=target["username"]), "success")
    else:
        flash(_("%(name)s is no longer an administrator.", name=target["username"]), "success")
    return redirect(back)


@bp.post("/users/<username>/confirm")
@admin_required
def confirm(username: str):
    """Confirm an account's e-mail address by hand."""
    return _account_change(username, "confirm",
                           _l("The e-mail address of %(name)s is confirmed."))


def _account_change(username: str, change: str, done: str):
    """Make the :class:`~app.services.admin.Admin` change ``change`` (with the form's
    optional reason) to the account, and say ``done`` (or why not) on its page."""
    target = reads().user(username)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    back = url_for("admin.user", username=target["username"])
    try:
        getattr(admin(), change)(current_user.doc, target["_id"], form.reason.data)
    except (InvalidValue, Conflict) as exc:
        return _refused(exc, back)
    flash(str(done) % {"name": target["username"]}, "success")
    return redirect(back)


# ----------------------------------------------------------------------------- rollback


@bp.route("/users/<username>/rollback", methods=["GET", "POST"])
@admin_required
def rollback(username: str):
    """Roll back an account's edits since a time: a preview (dry run) lists what goes back,
    then one button reverts it all, each entry as a normal revision."""
    target = reads().user(username)
    form = RollbackForm()
    if request.method == "GET":
        form = RollbackForm(formdata=None,
                            since=datetime.now(UTC).replace(tzinfo=None, second=0,
                                                            microsecond=0) - timedelta(days=1))
    report, status = None, 200
    if request.method == "POST":
        if not form.validate_on_submit():
            status = 400
        else:
            apply = form.apply.data
            try:
                report = admin().rollback(current_user.doc, target["_id"], form.since.data,
                                          dry_run=not apply, reason=form.reason.data)
            except InvalidValue as exc:
                form.since.errors = [*form.since.errors, exc.message]
                status = 400
            else:
                if apply:
                    flash(ngettext("Rolled back: %(num)s entry changed.",
                                   "Rolled back: %(num)s entries changed.",
                                   len(report.reverted)), "success")
    return render_template("admin/rollback.html", user=target, form=form, report=report,
                           shown=_shown_changes(report), section="users"), status


def _shown_changes(report) -> dict:
    """Each rolled-back entry's changes as the diff page shows them: a label in the
    reader's language and the value texts (empty when absent)."""
    if report is None:
        return {}
    keys = {key[len(ATTR_PREFIX):] for item in report.items
            for key in (*(c["key"] for c in item.changes), *item.kept)
            if key.startswith(ATTR_PREFIX)}
    definitions = reads().definitions_many(keys)
    labels = field_labels()

    def label(key: str) -> str:
        if key.startswith(ATTR_PREFIX):
            return definition_for(key[len(ATTR_PREFIX):], definitions).label_in(chinese())
        return labels.get(key, key)

    shown = {}
    for item in report.items:
        rows = []
        for change in item.changes:
            key = change["key"]
            if key.startswith(ATTR_PREFIX):
                definition = definition_for(key[len(ATTR_PREFIX):], definitions)
                rows.append({"label": label(key),
                             "before": shown_value(definition, change["before"]),
                             "after": shown_value(definition, change["after"])})
            else:
                rows.append({"label": label(key),
                             "before": change["before"] or "", "after": change["after"] or ""})
        shown[item.entry_id] = {"rows": rows, "kept": [label(key) for key in item.kept]}
    return shown


# ----------------------------------------------------------------------------- entries


@bp.get("/entries")
@admin_required
def entries():
    """Find entries to protect or delete; protected entries; deletions to restore."""
    text = request.args.get("q", "")[:200]
    found = reads().search_entries(text.split(), ENTRIES_PER_PAGE)[0] if text.strip() else []
    number = page_number(ENTRIES_PER_PAGE)
    protected, total = admin().protected_entries(number, ENTRIES_PER_PAGE)
    return render_template("admin/entries.html", q=text, found=found,
                           page=Page(protected, number, ENTRIES_PER_PAGE, total),
                           deletions=admin().recent_deletions(20),
                           action_form=ActionForm(formdata=None), section="entries")


@bp.post("/entries/<slug>/protect")
@admin_required
def protect(slug: str):
    """Protect an entry: only administrators may change it."""
    return _protection(slug, protect=True)


@bp.post("/entries/<slug>/unprotect")
@admin_required
def unprotect(slug: str):
    """Let every editor change an entry again."""
    return _protection(slug, protect=False)


def _protection(slug: str, *, protect: bool):
    entry = reads().entry(slug)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    back = request.form.get("back") or url_for("admin.entries")
    if not back.startswith("/") or back.startswith("//"):
        back = url_for("admin.entries")
    try:
        if protect:
            admin().protect(current_user.doc, entry["slug"], form.reason.data)
            flash(_("%(title)s is protected: only administrators may change it.",
                    title=entry["title"]), "success")
        else:
            admin().unprotect(current_user.doc, entry["slug"], form.reason.data)
            flash(_("%(title)s may be changed by every editor again.", title=entry["title"]),
                  "success")
    except InvalidValue as exc:
        return _refused(exc, back)
    return redirect(back)


# ----------------------------------------------------------------------------- categories


@bp.get("/categories")
@admin_required
def categories_page():
    """Every category with its entries and the admin actions of the category pages."""
    return render_template("admin/categories.html", categories=categories().all(),
                           section="categories")


# ----------------------------------------------------------------------------- audit log


@bp.get("/audit")
@admin_required
def audit():
    """Every administrator's action, newest first, paged: who, what, when, why."""
    number = page_number(AUDIT_PER_PAGE)
    records, total = admin().audit_log(number, AUDIT_PER_PAGE)
    return render_template("admin/audit.html", page=Page(records, number, AUDIT_PER_PAGE, total),
                           section="audit")
