"""``/api/v1/categories``: the categories with their entry counts."""

from __future__ import annotations

from flask.views import MethodView

from ..repositories import repositories
from .http import json_response, page_args, page_body
from .representations import category_json

__all__ = ["CategoryList"]


class CategoryList(MethodView):
    """Every category."""

    endpoint = "categories"
    init_every_request = False

    def get(self):
        """One page of categories, by slug."""
        page, per_page = page_args()
        categories = repositories().categories.all()
        chosen = categories[(page - 1) * per_page: page * per_page]
        body, headers = page_body([category_json(c) for c in chosen], len(categories), page,
                                  per_page, "api.categories")
        return json_response(body, headers=headers)
