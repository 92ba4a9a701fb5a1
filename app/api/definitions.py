"""``/api/v1/attributes[/<key>]``: the typed attribute definitions shared by all entries."""

from __future__ import annotations

from flask import url_for
from flask.views import MethodView

from ..domain.definitions import validate_definition
from ..domain.errors import Conflict, InvalidValue
from ..extensions import api_auth
from ..repositories import repositories
from ..write_limits import spending
from .common import editor
from .http import (
    conditional,
    etag_for,
    json_body,
    json_response,
    page_args,
    page_body,
    require_if_match,
)
from .representations import definition_json

__all__ = ["DefinitionList", "DefinitionItem"]

CREATE_FIELDS = ("key", "label", "type", "unit", "better", "group", "order", "description",
                 "label_zh", "group_zh")
#: The type and the canonical unit decide how stored values were parsed: they stay.
PATCH_FIELDS = ("label", "better", "group", "order", "description", "label_zh", "group_zh")
#: Every field but ``order`` (a number, or digits from a form) is text when sent.
TEXT_FIELDS = ("key", "label", "type", "unit", "better", "group", "description", "label_zh",
               "group_zh")


def _etag(key: str, version: int) -> str:
    return etag_for("definition", key, version)


def _response(definition, version: int, status: int = 200, headers: dict | None = None):
    response = json_response(definition_json(definition, version), status, headers)
    if status == 200:
        return conditional(response, _etag(definition.key, version))
    response.set_etag(_etag(definition.key, version))
    return response


class DefinitionList(MethodView):
    """Every definition in page order; define a new attribute."""

    endpoint = "definitions"
    init_every_request = False

    def get(self):
        """One page of definitions (group, then order)."""
        page, per_page = page_args()
        pairs, total = repositories().definitions.page((page - 1) * per_page, per_page)
        items = [definition_json(definition, version) for definition, version in pairs]
        body, headers = page_body(items, total, page, per_page, "api.definitions")
        return json_response(body, headers=headers)

    @api_auth.login_required
    def post(self):
        """Define an attribute before first use: 201 with Location."""
        data = json_body(CREATE_FIELDS, required=("label", "type"), text=TEXT_FIELDS)
        definition = validate_definition(data)
        with spending("edit", editor()):
            repositories().definitions.insert(definition, editor()["username"])
        location = url_for("api.definition", key=definition.key)
        return _response(definition, 1, 201, {"Location": location})


class DefinitionItem(MethodView):
    """One definition."""

    endpoint = "definition"
    path = "/<key>"
    init_every_request = False

    def get(self, key: str):
        """The definition with its ETag."""
        definition, version = repositories().definitions.get_versioned(key)
        return _response(definition, version)

    @api_auth.login_required
    def patch(self, key: str):
        """Change the label, better, group, order or description; needs If-Match."""
        repos = repositories()
        definition, version = repos.definitions.get_versioned(key)
        require_if_match(_etag(key, version))
        data = json_body((*PATCH_FIELDS, "type", "unit", "key"), text=TEXT_FIELDS)
        for fixed in ("key", "type", "unit"):
            if fixed in data and data[fixed] != getattr(definition, fixed):
                raise InvalidValue(
                    f"The {fixed} of an attribute cannot change: stored values were read "
                    f"with it. Define a new attribute instead.", fixed)
        changed = validate_definition({**definition.to_doc(), **data})
        with spending("edit", editor()):
            new_version = repos.definitions.replace(changed, editor()["username"], version)
        return _response(changed, new_version)

    @api_auth.login_required(role="admin")
    def delete(self, key: str):
        """Delete a definition no entry uses (admins); needs If-Match."""
        repos = repositories()
        _, version = repos.definitions.get_versioned(key)
        require_if_match(_etag(key, version))
        used = repos.entries.uses_attribute(key)
        if used:
            raise Conflict(f"{used} entries still use '{key}'; remove it from them first.",
                           "key")
        with spending("edit", editor()):
            repos.definitions.delete(key)
        return "", 204
