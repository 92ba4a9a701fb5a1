"""``/api/v1/entries``: list with filters, create; read, patch, replace, delete one."""

from __future__ import annotations

from flask import request, url_for
from flask.views import MethodView

from ..domain.errors import InvalidValue
from ..extensions import api_auth
from ..repositories import repositories
from ..services import wiki
from ..store import QUERY_TIMEOUTS
from ..write_limits import spending
from .common import attribute_inputs, comment_of, definitions_for, editor
from .errors import ApiError
from .http import (
    conditional,
    json_body,
    json_response,
    not_modified,
    page_body,
    require_if_match,
)
from .query import parse_query
from .representations import entry_etag, entry_json

__all__ = ["EntryList", "EntryItem", "EntryRestore", "entry_response"]

CREATE_FIELDS = ("title", "category", "summary", "slug", "attributes", "comment")
PATCH_FIELDS = ("title", "category", "summary", "attributes", "comment")
TEXT_FIELDS = ("title", "category", "summary", "slug", "comment")


def entry_response(doc: dict, status: int = 200, headers: dict | None = None):
    """An entry as JSON with its ETag (and a 304 when the client has it already)."""
    if status == 200 and (unchanged := not_modified(entry_etag(doc))) is not None:
        return unchanged
    response = json_response(entry_json(doc, definitions_for(doc)), status, headers)
    return conditional(response, entry_etag(doc)) if status == 200 else _tagged(response, doc)


def _tagged(response, doc: dict):
    response.set_etag(entry_etag(doc))
    return response


class EntryList(MethodView):
    """Filter, sort and page entries; create one."""

    endpoint = "entries"
    init_every_request = False

    def get(self):
        """A page of entries matching the query string (SPEC.md §3 filter language)."""
        repos = repositories()
        definitions = {d.key: d for d in repos.definitions.all()}
        query = parse_query(request.args, definitions)
        try:
            docs, total = repos.entries.page(query.filter, query.sort, query.skip,
                                             query.per_page)
        except QUERY_TIMEOUTS as exc:
            if not (query.filter or "sort" in request.args):
                raise  # not the client's doing: a 503
            raise ApiError(400, "This filter and sort took too long to answer; narrow the "
                                "filter (a category, fewer clauses) or sort by another field.",
                           errors={"query": "took too long"}) from exc
        items = [entry_json(doc, definitions, query.fields) for doc in docs]
        body, headers = page_body(items, total, query.page, query.per_page, "api.entries")
        return json_response(body, headers=headers)

    @api_auth.login_required
    def post(self):
        """Create an entry with its first attributes: 201 with Location and ETag."""
        data = json_body(CREATE_FIELDS, required=("title", "category"), text=TEXT_FIELDS)
        items, unset = attribute_inputs(data.get("attributes", {}))
        if unset:
            raise InvalidValue("A new entry cannot remove attributes (null values).",
                               "attributes")
        with spending("entry", editor()):
            doc = wiki().create_entry(
                editor(), title=data["title"], category=data["category"],
                summary=data.get("summary", ""), slug=data.get("slug"), attributes=items,
                comment=comment_of(data),
            )
        location = url_for("api.entry", ident=doc["slug"])
        return entry_response(doc, 201, {"Location": location})


class EntryItem(MethodView):
    """One entry, by id or slug."""

    endpoint = "entry"
    path = "/<ident>"
    init_every_request = False

    def get(self, ident: str):
        """The entry, with a strong ETag; 304 when If-None-Match has it."""
        return entry_response(repositories().entries.get(ident))

    @api_auth.login_required
    def patch(self, ident: str):
        """Change some fields and attributes (``null`` removes one); needs If-Match."""
        doc = repositories().entries.get(ident)
        require_if_match(entry_etag(doc))
        data = json_body(PATCH_FIELDS, text=TEXT_FIELDS)
        items, unset = attribute_inputs(data.get("attributes", {}))
        fields = {name: data[name] for name in ("title", "category", "summary") if name in data}
        with spending("edit", editor()):
            updated = wiki().edit_entry(editor(), doc["slug"], doc["version"], fields=fields,
                                        set_attributes=items, unset=unset,
                                        comment=comment_of(data))
        return entry_response(updated)

    @api_auth.login_required
    def put(self, ident: str):
        """Replace the entry's fields and attributes (absent attributes are removed)."""
        doc = repositories().entries.get(ident)
        require_if_match(entry_etag(doc))
        data = json_body(PATCH_FIELDS, required=("title", "category"), text=TEXT_FIELDS)
        items, _ = attribute_inputs(data.get("attributes", {}))
        given = {item.key for item in items}
        unset = [key for key in doc.get("attributes", {}) if key not in given]
        fields = {"title": data["title"], "category": data["category"],
                  "summary": data.get("summary", "")}
        with spending("edit", editor()):
            updated = wiki().edit_entry(editor(), doc["slug"], doc["version"], fields=fields,
                                        set_attributes=items, unset=unset,
                                        comment=comment_of(data))
        return entry_response(updated)

    @api_auth.login_required(role="admin")
    def delete(self, ident: str):
        """Delete the entry (admins); its history is kept."""
        doc = repositories().entries.get(ident)
        require_if_match(entry_etag(doc))
        with spending("edit", editor()):
            wiki().delete_entry(editor(), doc["slug"], doc["version"])
        return "", 204


class EntryRestore(MethodView):
    """Bring a deleted entry back (admins), as the entry page's Restore button does."""

    endpoint = "entry_restore"
    path = "/<ident>/restore"
    init_every_request = False

    @api_auth.login_required(role="admin")
    def post(self, ident: str):
        """Restore the deleted entry ``ident`` names (its id, or the slug it had): 201 with
        Location, as it was before its deletion, with one revision more.

        No If-Match: a deleted entry has no ETag to send; restoring it twice is a 409 (it
        is not deleted any more), never a silent overwrite.
        """
        data = json_body(("comment",)) if request.content_length else {}
        with spending("edit", editor()):
            doc = wiki().restore(editor(), ident, comment_of(data))
        return entry_response(doc, 201, {"Location": url_for("api.entry", ident=doc["slug"])})
