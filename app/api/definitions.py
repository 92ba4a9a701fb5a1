"""``/api/v1/attributes[/<key>]``: the typed attribute definitions shared by all entries."""

from __future__ import annotations

from ..extensions import api_auth
from ..services import definitions
from ..write_limits import spending
from .bodies import json_body
from .common import create_from_body, editor
from .http import (
    Resource,
    conditional,
    etag_for,
    json_response,
    location,
    page_args,
    page_body,
    require_if_match,
)
from .representations import definition_json

__all__ = ["DefinitionList", "DefinitionItem"]


def _etag(key: str, version: int) -> str:
    return etag_for("definition", key, version)


def _response(key: str, status: int = 200, headers: dict | None = None):
    """The definition ``key`` as stored (with its last change), tagged with its ETag."""
    record = definitions().record(key)
    return conditional(json_response(definition_json(record), status, headers),
                       _etag(key, record.version))


class DefinitionList(Resource):
    """Every definition in page order; define a new attribute."""

    endpoint = "definitions"

    def get(self):
        """One page of definitions (group, then order)."""
        page, per_page = page_args()
        records, total = definitions().records_page((page - 1) * per_page, per_page)
        items = [definition_json(record) for record in records]
        body, headers = page_body(items, total, page, per_page, "api.definitions")
        return json_response(body, headers=headers)

    @api_auth.login_required
    def post(self):
        """Define an attribute before first use: 201 with Location."""
        definition = create_from_body(definitions().create)
        return _response(definition.key, 201, location("api.definition", key=definition.key))


class DefinitionItem(Resource):
    """One definition."""

    endpoint = "definition"
    path = "/<key>"

    def get(self, key: str):
        """The definition with its ETag."""
        return _response(key)

    @api_auth.login_required
    def patch(self, key: str):
        """Change the labels, descriptions, section, order or better; needs If-Match."""
        _definition, version = definitions().get(key)
        require_if_match(_etag(key, version))
        data = json_body()
        comment = data.pop("comment", "")
        with spending("edit", editor()):
            definitions().update(editor(), key, version, data, comment)
        return _response(key)

    @api_auth.login_required(role="admin")
    def delete(self, key: str):
        """Delete a definition no entry uses (admins); needs If-Match."""
        _definition, version = definitions().get(key)
        require_if_match(_etag(key, version))
        with spending("edit", editor()):
            definitions().delete(editor(), key, version, admin=True)
        return "", 204
