"""``/api/v1/entries/<id>/attributes[/<key>]``: one entry's attribute values."""

from __future__ import annotations

from dataclasses import replace

from flask import request, url_for

from ..domain.definitions import definition_for, in_sections
from ..domain.errors import AttributeExists, NotFound
from ..extensions import api_auth
from ..services import AttributeInput, reads, wiki
from ..write_limits import spending
from .bodies import json_body
from .common import comment_of, definitions_for, editor
from .errors import problem
from .http import (
    Resource,
    conditional,
    json_response,
    location,
    page_args,
    page_body,
    require_if_match,
)
from .representations import attribute_json, attribute_value, entry_etag

__all__ = ["EntryAttributeList", "EntryAttributeItem"]


def _ordered(doc: dict, definitions: dict) -> list[str]:
    """The entry's attribute keys in page order (:func:`in_sections`)."""
    keys = [definition_for(key, definitions) for key in doc.get("attributes", {})]
    return [definition.key for _, section in in_sections(keys) for definition in section]


def _attribute_response(doc: dict, key: str, status: int = 200, headers: dict | None = None):
    """One attribute of an entry, tagged with the entry's ETag."""
    definitions = definitions_for(doc)
    stored = doc["attributes"][key]
    response = json_response(attribute_json(doc, key, stored, definitions.get(key)), status,
                             headers)
    return conditional(response, entry_etag(doc))


class EntryAttributeList(Resource):
    """The attribute values of an entry; add a new one."""

    endpoint = "entry_attributes"

    def get(self, ident: str):
        """Every attribute of the entry in page order, with labels, types and text."""
        doc = reads().entry(ident)
        page, per_page = page_args()
        definitions = definitions_for(doc)
        keys = _ordered(doc, definitions)
        chosen = keys[(page - 1) * per_page: page * per_page]
        items = [attribute_json(doc, key, doc["attributes"][key], definitions.get(key))
                 for key in chosen]
        body, headers = page_body(items, len(keys), page, per_page, "api.entry_attributes",
                                  ident=ident)
        response = json_response(body, headers=headers)
        return conditional(response, entry_etag(doc))

    @api_auth.login_required
    def post(self, ident: str):
        """Add an attribute the entry does not have yet (a new key defines it on first use).

        ``If-Match`` is optional here: adding cannot overwrite anyone's value. An
        attribute the entry has already — by key, or by label after folding case and
        punctuation — is a 409 naming its current value (use PUT to replace it).
        """
        doc = reads().entry(ident)
        data = json_body()
        if request.if_match:
            require_if_match(entry_etag(doc))
        item = AttributeInput.from_mapping(data)
        key = wiki().key_for(item)
        try:
            with spending("edit", editor()):
                updated = wiki().add_attribute(editor(), doc["slug"], doc["version"],
                                               replace(item, key=key), comment_of(data))
        except AttributeExists as exc:
            return _exists(doc, exc)
        return _attribute_response(updated, key, 201,
                                   location("api.entry_attribute", ident=updated["slug"], key=key))


def _exists(doc: dict, exc: AttributeExists):
    """409: the entry has this attribute already; the problem names its current value."""
    path = url_for("api.entry_attribute", ident=doc["slug"], key=exc.key)
    detail = (f"{exc.message} Nothing was changed: replace it with PUT {path} "
              f"(If-Match: the entry's ETag).")
    current = attribute_value(exc.current, reads().definition(exc.key))
    return problem(409, detail, errors={"key": exc.message}, extensions={"current": current})


class EntryAttributeItem(Resource):
    """One attribute value of an entry."""

    endpoint = "entry_attribute"
    path = "/<key>"

    def get(self, ident: str, key: str):
        """The value with its label, type and text; the ETag is the entry's."""
        doc = reads().entry(ident)
        if key not in doc.get("attributes", {}):
            raise NotFound("Attribute", key)
        return _attribute_response(doc, key)

    @api_auth.login_required
    def put(self, ident: str, key: str):
        """Set the value (creating the attribute if needed); needs If-Match."""
        doc = reads().entry(ident)
        require_if_match(entry_etag(doc))
        data = json_body()
        item = AttributeInput.from_mapping({**data, "key": key})
        created = key not in doc.get("attributes", {})
        with spending("edit", editor()):
            updated = wiki().set_attribute(editor(), doc["slug"], doc["version"], item,
                                           comment_of(data))
        if created:
            return _attribute_response(updated, key, 201, location(
                "api.entry_attribute", ident=updated["slug"], key=key))
        return _attribute_response(updated, key)

    @api_auth.login_required
    def delete(self, ident: str, key: str):
        """Remove the attribute from the entry; needs If-Match."""
        doc = reads().entry(ident)
        require_if_match(entry_etag(doc))
        with spending("edit", editor()):
            wiki().delete_attribute(editor(), doc["slug"], doc["version"], key)
        return "", 204


