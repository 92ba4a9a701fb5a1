"""``/api/v1/entries``: list with filters, create; read, patch, replace, delete one."""

from __future__ import annotations

from flask import current_app, request

from ..extensions import api_auth
from ..services import reads, wiki
from ..store import QUERY_TIMEOUTS
from ..write_limits import spending
from .bodies import json_body
from .common import attribute_inputs, comment_of, editor
from .errors import ApiError
from .http import (
    Resource,
    conditional,
    json_response,
    location,
    not_modified,
    page_body,
    require_if_match,
)
from .query import parse_query
from .representations import (
    Rendered,
    entry_etag,
    entry_etag_of,
    entry_representations,
)

__all__ = ["EntryList", "EntryItem", "EntryRestore", "entry_response"]


def entry_response(doc: dict, status: int = 200, headers: dict | None = None):
    """An entry as JSON with its ETag (and a 304 when the client has it already)."""
    if status == 200 and (unchanged := not_modified(entry_etag(doc))) is not None:
        return unchanged
    order, definitions = reads().definitions_snapshot()
    kept = entry_representations()
    return _answer(kept.render(kept.basis(order), doc, definitions), status, headers)


def _answer(rendered: Rendered, status: int = 200, headers: dict | None = None):
    """The response carrying a made representation, with its ETag."""
    response = current_app.response_class(rendered.body, status=status,
                                          mimetype="application/json")
    if headers:
        response.headers.update(headers)
    return conditional(response, rendered.etag)


class EntryList(Resource):
    """Filter, sort and page entries; create one."""

    endpoint = "entries"

    def get(self):
        """A page of entries matching the query string (SPEC.md §3 filter language).

        The page is read as ids and versions; each entry's representation is made once
        per version (:class:`~app.api.representations.EntryRepresentations`).
        """
        read = reads()
        order, definitions = read.definitions_snapshot()
        query = parse_query(request.args, definitions)
        try:
            refs, total = read.entry_refs(query)
        except QUERY_TIMEOUTS as exc:
            if not (query.clauses or "sort" in request.args):
                raise  # not the client's doing: a 503
            raise ApiError(400, "This filter and sort took too long to answer; narrow the "
                                "filter (a category, fewer clauses) or sort by another field.",
                           errors={"query": "took too long"}) from exc
        kept = entry_representations()
        rendered = kept.page(kept.basis(order), refs, read.entries_by_ids, definitions)
        if query.fields is None:
            items = [item.fragment for item in rendered]
        else:
            keep = {"id", "_links", *query.fields}
            items = [{name: value for name, value in item.data.items() if name in keep}
                     for item in rendered]
        body, headers = page_body(items, total, query.page, query.per_page, "api.entries")
        return json_response(body, headers=headers)

    @api_auth.login_required
    def post(self):
        """Create an entry with its first attributes: 201 with Location and ETag."""
        data = json_body()
        items, _ = attribute_inputs(data.get("attributes", {}))  # no nulls: the schema
        with spending("entry", editor()):
            doc = wiki().create_entry(
                editor(), title=data["title"], category=data["category"],
                summary=data.get("summary", ""), slug=data.get("slug"), attributes=items,
                comment=comment_of(data),
            )
        return entry_response(doc, 201, location("api.entry", ident=doc["slug"]))


class EntryItem(Resource):
    """One entry, by id or slug."""

    endpoint = "entry"
    path = "/<ident>"

    def get(self, ident: str):
        """The entry, with a strong ETag; 304 when If-None-Match has it.

        Its id and version are read first: they decide the ETag, and whether the
        representation made for that version is still at hand.
        """
        read = reads()
        ref = read.entry_ref(ident)
        if (unchanged := not_modified(entry_etag_of(ref))) is not None:
            return unchanged
        order, definitions = read.definitions_snapshot()
        kept = entry_representations()
        basis = kept.basis(order)
        rendered = kept.get(basis, ref)
        if rendered is None:  # read it whole (it may have changed since: then as it is now)
            doc = read.entry(ref[0])
            if (unchanged := not_modified(entry_etag(doc))) is not None:
                return unchanged
            rendered = kept.render(basis, doc, definitions)
        return _answer(rendered)

    @api_auth.login_required
    def patch(self, ident: str):
        """Change some fields and attributes (``null`` removes one); needs If-Match."""
        return _edit(ident, replace=False)

    @api_auth.login_required
    def put(self, ident: str):
        """Replace the entry's fields and attributes (absent attributes are removed)."""
        return _edit(ident, replace=True)

    @api_auth.login_required(role="admin")
    def delete(self, ident: str):
        """Delete the entry (admins); its history is kept."""
        doc = reads().entry(ident)
        require_if_match(entry_etag(doc))
        with spending("edit", editor()):
            wiki().delete_entry(editor(), doc["slug"], doc["version"])
        return "", 204


def _edit(ident: str, *, replace: bool):
    """Edit the entry ``ident`` names (If-Match required) as one revision: PUT
    (``replace``) gives every field and attribute, an absent attribute is removed; PATCH
    gives some, ``null`` removes an attribute."""
    doc = reads().entry(ident)
    require_if_match(entry_etag(doc))
    data = json_body()
    items, unset = attribute_inputs(data.get("attributes", {}))
    if replace:
        given = {item.key for item in items}
        unset = [key for key in doc.get("attributes", {}) if key not in given]
        fields = {"title": data["title"], "category": data["category"],
                  "summary": data.get("summary", "")}
    else:
        fields = {name: data[name] for name in ("title", "category", "summary") if name in data}
    with spending("edit", editor()):
        updated = wiki().edit_entry(editor(), doc["slug"], doc["version"], fields=fields,
                                    set_attributes=items, unset=unset, comment=comment_of(data))
    return entry_response(updated)


class EntryRestore(Resource):
    """Bring a deleted entry back (admins), as the entry page's Restore button does."""

    endpoint = "entry_restore"
    path = "/<ident>/restore"

    @api_auth.login_required(role="admin")
    def post(self, ident: str):
        """Restore the deleted entry ``ident`` names (its id, or the slug it had): 201 with
        Location, as it was before its deletion, with one revision more.

        No If-Match: a deleted entry has no ETag to send; restoring it twice is a 409 (it
        is not deleted any more), never a silent overwrite.
        """
        data = json_body() if request.content_length else {}
        with spending("edit", editor()):
            doc = wiki().restore(editor(), ident, comment_of(data))
        return entry_response(doc, 201, location("api.entry", ident=doc["slug"]))
