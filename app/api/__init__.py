"""REST API v1: one module per resource, each a list and an item ``MethodView``.

Views parse and authorise, services and the domain decide, repositories store; every
error leaves as RFC 9457 problem+json (see :mod:`app.errors`).
"""

from __future__ import annotations

from flask import Blueprint, Flask
from flask.views import MethodView

__all__ = ["register_api", "init_api"]


def register_api(blueprint: Blueprint, url: str, *views: type[MethodView]) -> None:
    """Register a resource's views: each class names its ``endpoint`` and its ``path``.

    ``register_api(bp, "/entries", EntryList, EntryItem)`` serves ``/entries`` and
    ``/entries/<ident>`` (the item class's ``path`` is ``"/<ident>"``).
    """
    for view in views:
        blueprint.add_url_rule(url + getattr(view, "path", ""),
                               view_func=view.as_view(view.endpoint))


def init_api(app: Flask) -> Blueprint:
    """Register every resource and the API's auth and limits on ``app``; return the blueprint."""
    from . import (
        admin,
        attributes,
        avatars,
        categories,
        compare,
        definitions,
        entries,
        openapi,
        revisions,
        tokens,
        users,
    )
    from .auth import init_auth
    from .representations import EntryRepresentations

    # A blueprint per app: the test suite builds many apps in one process.
    bp = Blueprint("api", __name__, url_prefix="/api/v1")
    register_api(bp, "/entries", entries.EntryList, entries.EntryItem, entries.EntryRestore)
    register_api(bp, "/entries/<ident>/attributes", attributes.EntryAttributeList,
                 attributes.EntryAttributeItem)
    register_api(bp, "/entries/<ident>/revisions", revisions.RevisionList,
                 revisions.RevisionItem, revisions.RevisionDiff, revisions.RevisionRevert)
    register_api(bp, "/attributes", definitions.DefinitionList, definitions.DefinitionItem)
    register_api(bp, "/categories", categories.CategoryList, categories.CategoryItem,
                 categories.CategoryMerge)
    register_api(bp, "/compare", compare.CompareView)
    register_api(bp, "/users", users.UserList, users.UserItem)
    register_api(bp, "/users/<ident>/avatar", avatars.AvatarView)
    register_api(bp, "/tokens", tokens.TokenView)
    register_api(bp, "/admin/users", admin.AdminUserList, admin.AdminUserItem,
                 admin.AdminUserBlock, admin.AdminUserUnblock, admin.AdminUserRole,
                 admin.AdminUserConfirm, admin.AdminUserRollback)
    register_api(bp, "/admin/entries", admin.AdminEntryProtection)
    register_api(bp, "/admin/audit-log", admin.AdminAuditLog)
    register_api(bp, "/openapi.json", openapi.OpenApiView)
    app.register_blueprint(bp)
    app.extensions["pkyx.entry_representations"] = EntryRepresentations()
    init_auth(app)
    return bp
