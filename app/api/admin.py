"""``/api/v1/admin/…``: the admin area's operations for API clients (admins only).

Accounts (list and search, read, block, unblock, role, confirm by hand, roll back with a
dry run), entry protection and the audit log. Every write goes through
:class:`~app.services.admin.Admin` and is recorded in the audit log; anyone but an admin
gets 403 (no credentials: 401).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from bson import ObjectId
from flask import request

from ..domain.accounts import is_confirmed
from ..domain.errors import InvalidValue
from ..extensions import api_auth
from ..json import iso
from ..services import admin, reads
from .auth import current_user
from .bodies import json_body
from .entries import entry_response
from .http import Resource, conditional, etag_for, json_response, page_args, page_body
from .representations import user_json

__all__ = ["AdminUserList", "AdminUserItem", "AdminUserBlock", "AdminUserUnblock",
           "AdminUserRole", "AdminUserConfirm", "AdminUserRollback", "AdminEntryProtection",
           "AdminAuditLog"]

ADMIN_ONLY = api_auth.login_required(role="admin")


def _plain(value):
    """A stored value as JSON: ids as strings, times in ISO 8601."""
    if isinstance(value, ObjectId):
        return str(value)
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def admin_user_json(user: Mapping) -> dict:
    """A user as administrators see it: the private profile, whether and why it is
    blocked, and whether its address is confirmed."""
    blocked = user.get("blocked")
    return {
        **user_json(user, private=True),
        "blocked": {"reason": blocked.get("reason", ""), "by": blocked.get("by"),
                    "at": iso(blocked["at"]) if blocked.get("at") else None}
        if blocked else None,
        "email_confirmed": is_confirmed(user),
        "confirmed_at": iso(user["confirmed_at"]) if user.get("confirmed_at") else None,
    }


def audit_json(record: Mapping) -> dict:
    """One audit record: who, what, when, why, and the action's details."""
    return {
        "id": str(record["_id"]),
        "at": iso(record["at"]),
        "actor": record.get("actor"),
        "actor_id": _plain(record.get("actor_id")),
        "action": record["action"],
        "target_type": record.get("target_type"),
        "target": record.get("target"),
        "target_id": _plain(record.get("target_id")),
        "reason": record.get("reason", ""),
        "details": _plain(record.get("details") or {}),
    }


def rollback_json(report) -> dict:
    """What a rollback did or would do, entry by entry."""
    return {
        "user": report.user["username"],
        "since": iso(report.since),
        "dry_run": report.dry_run,
        "reverted": len(report.reverted),
        "items": [{
            "entry_id": str(item.entry_id), "slug": item.slug, "title": item.title,
            "outcome": item.outcome, "changes": _plain(item.changes), "kept": list(item.kept),
            "revisions": item.revisions, "note": item.note,
        } for item in report.items],
    }


def _user_response(user: Mapping):
    """An account as admins see it (after a write: no ETag, nothing to guard)."""
    return json_response(admin_user_json(user))


def _reason(data: Mapping) -> object:
    return data.get("reason", "")


class _AdminView(Resource):
    """A view for admins only (anyone else: 403; no credentials: 401)."""

    decorators = [ADMIN_ONLY]


class _AccountAction(_AdminView):
    """An action on one account: served at ``/<ident>/<action>`` as the endpoint
    ``admin_user_<action>``."""

    action: str

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "action" in cls.__dict__:
            cls.endpoint = f"admin_user_{cls.action}"
            cls.path = f"/<ident>/{cls.action}"


class _AccountChange(_AccountAction):
    """A change to an account with a reason (the audit log keeps it), made by the
    :class:`~app.services.admin.Admin` method named as the action (whether the reason is
    required: the operation's published schema says), answered with the account as
    admins see it."""

    def post(self, ident: str):
        data = json_body()
        change = getattr(admin(), self.action)
        return _user_response(change(current_user(), ident, _reason(data)))


class AdminUserList(_AdminView):
    """Accounts whose name or address starts with ``q``, by name."""

    endpoint = "admin_users"

    def get(self):
        """One page of accounts (every one without ``q``), as admins see them."""
        text = request.args.get("q", "")
        if len(text) > 254:
            raise InvalidValue("'q' must be at most 254 characters.", "q")
        page, per_page = page_args(also=("q",))
        users, total = admin().find_users(text, page, per_page)
        body, headers = page_body([admin_user_json(u) for u in users], total, page, per_page,
                                  "api.admin_users")
        return json_response(body, headers=headers)


class AdminUserItem(_AdminView):
    """One account as administrators see it."""

    endpoint = "admin_user"
    path = "/<ident>"

    def get(self, ident: str):
        """The account, blocked or not, confirmed or not; strong ETag, 304 when unchanged."""
        response = _user_response(reads().user(ident))
        return conditional(response, etag_for("admin-user", response.get_data()))


class AdminUserBlock(_AccountChange):
    """Block an account with a reason (required: the owner is shown it): it cannot log in
    or write; its sessions and tokens end at once."""

    action = "block"


class AdminUserUnblock(_AccountChange):
    """Let a blocked account log in again (a reason is optional); 409 when it is not
    blocked."""

    action = "unblock"


class AdminUserRole(_AccountAction):
    """Grant or revoke the admin role."""

    action = "role"

    def put(self, ident: str):
        """Set the role (``user`` or ``admin``); the last active admin keeps it (409)."""
        data = json_body()
        return _user_response(admin().set_role(current_user(), ident, data["role"],
                                               _reason(data)))


class AdminUserConfirm(_AccountChange):
    """Confirm an account's e-mail address by hand (again: no change)."""

    action = "confirm"


class AdminUserRollback(_AccountAction):
    """Roll back every edit an account made since a time."""

    action = "rollback"

    def post(self, ident: str):
        """``dry_run`` (the default) reports what would change; ``false`` does it, each
        entry as one revision. At most 500 entries (else 400)."""
        data = json_body()
        dry_run = data.get("dry_run", True)  # true or false: the schema says so
        report = admin().rollback(current_user(), ident, data["since"], dry_run=dry_run,
                                  reason=_reason(data))
        return json_response(rollback_json(report))


class AdminEntryProtection(_AdminView):
    """Whether only administrators may change an entry."""

    endpoint = "admin_entry_protection"
    path = "/<ident>/protection"

    def put(self, ident: str):
        """Protect (``true``) or unprotect (``false``); answers the entry with its ETag."""
        data = json_body()  # "protected" is true or false: the schema says so
        service = admin()
        change = service.protect if data["protected"] else service.unprotect
        return entry_response(change(current_user(), ident, _reason(data)))


class AdminAuditLog(_AdminView):
    """The audit log, newest first."""

    endpoint = "admin_audit_log"

    def get(self):
        """One page of audit records."""
        page, per_page = page_args()
        records, total = admin().audit_log(page, per_page)
        body, headers = page_body([audit_json(r) for r in records], total, page, per_page,
                                  "api.admin_audit_log")
        return json_response(body, headers=headers)
