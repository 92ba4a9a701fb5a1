"""``/api/v1/categories[/<slug>]``: categories as wiki content.

Any editor creates a category and changes its descriptions and suggested attributes;
admins rename it, move it in the tree, merge it into another and delete an empty one.
Changes need the ETag in ``If-Match``, like an entry's.
"""

from __future__ import annotations

from ..extensions import api_auth
from ..services import categories
from ..write_limits import spending
from .auth import current_user
from .bodies import json_body
from .common import create_from_body, editor
from .http import (
    Resource,
    conditional,
    json_response,
    location,
    page_args,
    page_body,
    require_if_match,
)
from .representations import category_etag, category_json

__all__ = ["CategoryList", "CategoryItem", "CategoryMerge"]



def _response(doc: dict, status: int = 200, headers: dict | None = None):
    """A category as JSON with its ETag (304 when the client has it already)."""
    return conditional(json_response(category_json(doc), status, headers), category_etag(doc))


def _is_admin() -> bool:
    return current_user()["role"] == "admin"


class CategoryList(Resource):
    """Every category; create one."""

    endpoint = "categories"

    def get(self):
        """One page of categories, by slug."""
        page, per_page = page_args()
        found = categories().all()
        chosen = found[(page - 1) * per_page: page * per_page]
        body, headers = page_body([category_json(c) for c in chosen], len(found), page,
                                  per_page, "api.categories")
        return json_response(body, headers=headers)

    @api_auth.login_required
    def post(self):
        """Create a category (any editor): 201 with Location and ETag."""
        doc = create_from_body(categories().create)
        return _response(doc, 201, location("api.category", slug=doc["slug"]))


class CategoryItem(Resource):
    """One category, by slug."""

    endpoint = "category"
    path = "/<slug>"

    def get(self, slug: str):
        """The category with its ETag; 304 when If-None-Match has it."""
        return _response(categories().get(slug))

    @api_auth.login_required
    def patch(self, slug: str):
        """Change some fields; names and the parent are for admins. Needs If-Match."""
        doc = categories().get(slug)
        data = json_body()
        require_if_match(category_etag(doc))
        with spending("edit", editor()):
            updated = categories().update(editor(), slug, doc.get("version", 1), data,
                                          admin=_is_admin())
        return _response(updated)

    @api_auth.login_required(role="admin")
    def delete(self, slug: str):
        """Delete an empty category without subcategories (admins); needs If-Match."""
        doc = categories().get(slug)
        require_if_match(category_etag(doc))
        with spending("edit", editor()):
            categories().delete(editor(), slug, doc.get("version", 1), admin=True)
        return "", 204


class CategoryMerge(Resource):
    """Merge a category into another (admins): its entries move, each as an edit."""

    endpoint = "category_merge"
    path = "/<slug>/merge"

    @api_auth.login_required(role="admin")
    def post(self, slug: str):
        """Move every entry into ``into`` and delete this category; needs If-Match."""
        doc = categories().get(slug)
        data = json_body()
        require_if_match(category_etag(doc))
        with spending("edit", editor()):
            target = categories().merge(editor(), slug, doc.get("version", 1),
                                        into=data["into"], admin=True)
        return _response(target)
