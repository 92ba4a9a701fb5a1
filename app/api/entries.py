"""``/api/v1/entries``: list with filters, create; read, patch, replace, delete one."""

from __future__ import annotations

from flask import current_app, request, url_for
from flask.views import MethodView

from ..extensions import api_auth
from ..repositories import repositories
from ..services import wiki
from ..store import QUERY_TIMEOUTS
from ..write_limits import spending
from .bodies import json_body
from .common import attribute_inputs, comment_of, editor
from .errors import ApiError
from .http import (
    conditional,
    json_response,
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
    order, definitions = repositories().definitions.snapshot()
    kept = entry_representations()
    return _answer(kept.render(kept.basis(order), doc, definitions), status, headers)


def _answer(rendered: Rendered, status: int = 200, headers: dict | None = None):
    """The response carrying a made representation, with its ETag."""
    response = current_app.response_class(rendered.body, status=status,
                                          mimetype="application/json")
    if headers:
        response.headers.update(headers)
    return conditional(response, rendered.etag)


class EntryList(MethodView):
    """Filter, sort and page entries; create one."""

    endpoint = "entries"
    init_every_request = False

    def get(self):
        """A page of entries matching the query string (SPEC.md §3 filter language).

        The page is read as ids and versions; each entry's representation is made once
        per version (:class:`~app.api.representations.EntryRepresentations`).
        """
        repos = repositories()
        order, definitions = repos.definitions.snapshot()
        query = parse_query(request.args, definitions)
        try:
            refs, total = repos.entries.matching_refs(query.clauses, query.sort, query.skip,
                                                      query.per_page)
        except QUERY_TIMEOUTS as exc:
            if not (query.clauses or "sort" in request.args):
                raise  # not the client's doing: a 503
            raise ApiError(400, "This filter and sort took too long to answer; narrow the "
                                "filter (a category, fewer clauses) or sort by another field.",
                           errors={"query": "took too long"}) from exc
        kept = entry_representations()
        rendered = kept.page(kept.basis(order), refs, repos.entries.by_ids, definitions)
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
        location = url_for("api.entry", ident=doc["slug"])
        return entry_response(doc, 201, {"Location": location})


class EntryItem(MethodView):
    """One entry, by id or slug."""

    endpoint = "entry"
    path = "/<ident>"
    init_every_request = False

    def get(self, ident: str):
        """The entry, with a strong ETag; 304 when If-None-Match has it.

        Its id and version are read first: they decide the ETag, and whether the
        representation made for that version is still at hand.
        """
        repos = repositories()
        ref = repos.entries.ref(ident)
        if (unchanged := not_modified(entry_etag_of(ref))) is not None:
            return unchanged
        order, definitions = repos.definitions.snapshot()
        kept = entry_representations()
        basis = kept.basis(order)
        rendered = kept.get(basis, ref)
        if rendered is None:  # read it whole (it may have changed since: then as it is now)
            doc = repos.entries.get(ref[0])
            if (unchanged := not_modified(entry_etag(doc))) is not None:
                return unchanged
            rendered = kept.render(basis, doc, definitions)
        return _answer(rendered)

    @api_auth.login_required
    def patch(self, ident: str):
        """Change some fields and attributes (``null`` removes one); needs If-Match."""
        doc = repositories().entries.get(ident)
        require_if_match(entry_etag(doc))
        data = json_body()
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
        data = json_body()
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
        data = json_body() if request.content_length else {}
        with spending("edit", editor()):
            doc = wiki().restore(editor(), ident, comment_of(data))
        return entry_response(doc, 201, {"Location": url_for("api.entry", ident=doc["slug"])})
