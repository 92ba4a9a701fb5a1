"""``/api/v1/entries/<id>/revisions``: history, one version, diff, revert."""

from __future__ import annotations

from flask import request

from ..domain.paging import whole_number
from ..extensions import api_auth
from ..services import reads, wiki
from ..write_limits import spending
from .bodies import json_body
from .common import comment_of, editor
from .entries import entry_response
from .errors import ApiError
from .http import (
    Resource,
    conditional,
    etag_for,
    json_response,
    page_args,
    page_body,
    require_if_match,
)
from .representations import entry_etag, revision_json

__all__ = ["RevisionList", "RevisionItem", "RevisionDiff", "RevisionRevert"]


class RevisionList(Resource):
    """An entry's history, newest first."""

    endpoint = "revisions"

    def get(self, ident: str):
        """One page of revisions."""
        read = reads()
        entry = read.entry(ident)
        page, per_page = page_args()
        revisions, total = read.revision_page(entry["_id"], (page - 1) * per_page, per_page)
        items = [revision_json(entry, revision) for revision in revisions]
        body, headers = page_body(items, total, page, per_page, "api.revisions", ident=ident)
        return json_response(body, headers=headers)


class RevisionItem(Resource):
    """One version of an entry's history (revisions never change)."""

    endpoint = "revision"
    path = "/<int(min=1, max=1000000000):version>"

    def get(self, ident: str, version: int):
        """The revision with its changes."""
        read = reads()
        entry = read.entry(ident)
        revision = read.revision(entry["_id"], version)
        response = json_response(revision_json(entry, revision))
        return conditional(response, etag_for("revision", revision["_id"]))


class RevisionDiff(Resource):
    """What changed between any two versions."""

    endpoint = "revision_diff"
    path = "/diff"

    def get(self, ident: str):
        """``?from=&to=``: the changes that turn version *from* into version *to*."""
        versions = {}
        for name in ("from", "to"):
            raw = request.args.getlist(name)
            if len(raw) != 1 or not whole_number(raw[0]) or int(raw[0]) < 1:
                raise ApiError(400, f"'{name}' must be a version number (1 or more).",
                               errors={name: "Give one version number."})
            versions[name] = int(raw[0])
        unknown = sorted(set(request.args) - {"from", "to"})
        if unknown:
            raise ApiError(400, f"Unknown query parameters: {', '.join(unknown)}.",
                           errors={name: "Not accepted here." for name in unknown})
        changes = wiki().diff(ident, versions["from"], versions["to"])
        return json_response({"from": versions["from"], "to": versions["to"],
                              "changes": changes})


class RevisionRevert(Resource):
    """Bring an entry back to an earlier version, as a new revision."""

    endpoint = "revision_revert"
    path = "/<int(min=1, max=1000000000):version>/revert"

    @api_auth.login_required
    def post(self, ident: str, version: int):
        """Revert to ``version``; needs If-Match with the entry's current ETag."""
        read = reads()
        entry = read.entry(ident)
        read.revision(entry["_id"], version)  # a version never stored is a 404
        require_if_match(entry_etag(entry))
        data = json_body() if request.content_length else {}
        with spending("edit", editor()):
            reverted = wiki().revert(editor(), entry["slug"], entry["version"], version,
                                     comment_of(data))
        return entry_response(reverted)
