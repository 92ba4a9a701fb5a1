"""HTTP plumbing every resource shares: JSON out, ETags, If-Match, pages (JSON in:
:mod:`.bodies`)."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from flask import current_app, request, url_for
from flask.views import MethodView
from werkzeug.http import http_date

from ..domain.paging import DEFAULT_PER_PAGE, MAX_PER_PAGE, last_page, read_paging
from ..json import dumps
from .errors import ApiError

__all__ = ["Resource", "location", "json_response", "etag_for", "require_if_match",
           "conditional", "not_modified", "page_body", "page_args", "no_query_args"]


class Resource(MethodView):
    """The base of every API view class: it names its ``endpoint`` (and ``path`` below
    the resource's URL, see :func:`~app.api.register_api`); one instance serves every
    request, so a view keeps no state of its own."""

    init_every_request = False


def location(endpoint: str, **values) -> dict[str, str]:
    """The Location header of a 201: the URL of the resource just made."""
    return {"Location": url_for(endpoint, **values)}


def json_response(data: Any, status: int = 200, headers: Mapping[str, str] | None = None):
    """A JSON response encoded by the app's one encoder."""
    response = current_app.response_class(dumps(data), status=status,
                                          mimetype="application/json")
    response.headers.update(headers or {})
    return response


def etag_for(*parts: object) -> str:
    """A strong ETag value (unquoted) from the parts that decide a representation."""
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()
    return digest[:32]


def require_if_match(current: str) -> None:
    """Refuse a write without ``If-Match`` (428) or with a stale one (412)."""
    if_match = request.if_match
    if not if_match or if_match.star_tag:
        raise ApiError(428, "This write needs an If-Match header with the ETag you read, so "
                            "that nobody's change is overwritten unseen.")
    if not if_match.contains(current):
        raise ApiError(412, "The resource changed since you read it: your If-Match does not "
                            "match its ETag. GET it again, then apply your change.")


def not_modified(etag: str):
    """A bodiless 304 when the client's ``If-None-Match`` already holds ``etag``, else None.

    Asked before a body is built, so an unchanged resource costs a lookup, not a
    rendering (the benchmark's entry 304: 36 % of its time went to the unused body).
    """
    if request.method in ("GET", "HEAD") and request.if_none_match.contains_weak(etag):
        response = current_app.response_class(status=304)
        response.set_etag(etag)
        return response
    return None


#: What can make an answer conditional in werkzeug's ``make_conditional`` (it accepts no
#: ranges here, and ignores If-Range without them).
PRECONDITIONS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MATCH", "HTTP_IF_MODIFIED_SINCE")


def conditional(response, etag: str):
    """``response`` with the strong ETag ``etag``: how every single resource is answered
    (GET, PUT, PATCH, a POST's 201).

    A 200 to a GET or HEAD whose ``If-None-Match`` already holds ``etag`` becomes a
    bodiless 304; any other answer only carries the tag. A 200 to a GET without
    preconditions gets what ``make_conditional`` would give it (a Date, a Content-Length)
    without parsing the headers it does not have.
    """
    response.set_etag(etag)
    if response.status_code != 200:
        return response
    environ = request.environ
    if environ.get("REQUEST_METHOD") != "GET" or any(name in environ for name in PRECONDITIONS):
        return response.make_conditional(request)
    headers = response.headers
    if "date" not in headers:
        headers["Date"] = http_date_now()
    if response.automatically_set_content_length and "content-length" not in headers:
        length = response.calculate_content_length()
        if length is not None:
            headers["Content-Length"] = str(length)
    return response


_DATE: tuple[int, str] = (0, "")


def http_date_now() -> str:
    """``werkzeug.http.http_date()``: the time now to the second, formatted once a second."""
    global _DATE
    second = int(time.time())
    kept = _DATE
    if kept[0] != second:
        kept = _DATE = (second, http_date(second))
    return kept[1]


def page_body(items: list, total: int, page: int, per_page: int, endpoint: str,
              **view_args: Any) -> tuple[dict, dict]:
    """The ``_items/_meta/_links`` body and the X-Total-Count and Link headers of a page."""
    last = min(max(1, -(-total // per_page)), last_page(per_page))
    args = request.args.to_dict(flat=False)

    def link(number: int) -> str:
        query = {**args, "page": [str(number)], "per_page": [str(per_page)]}
        return url_for(endpoint, **view_args) + "?" + urlencode(query, doseq=True)

    links = {"self": link(page), "first": link(1), "last": link(last)}
    if page > 1:
        links["prev"] = link(min(page - 1, last))
    if page < last:
        links["next"] = link(page + 1)
    body = {"_items": items, "_meta": {"page": page, "per_page": per_page, "total": total},
            "_links": {name: {"href": href} for name, href in links.items()}}
    header = ", ".join(f'<{href}>; rel="{name}"' for name, href in links.items())
    return body, {"X-Total-Count": str(total), "Link": header}


def page_args(default: int = DEFAULT_PER_PAGE, maximum: int = MAX_PER_PAGE,
              also: tuple[str, ...] = ()) -> tuple[int, int]:
    """``page`` and ``per_page`` from the query string, validated (400 when wrong).

    Any other parameter (but those named in ``also``) is refused: a list that takes only
    these ignores nothing.
    """
    no_query_args("page", "per_page", *also)

    def sent(name: str) -> str | None:  # given twice: as unreadable as a word
        values = request.args.getlist(name)
        return (values[0] if len(values) == 1 else "") if values else None

    page, per_page, problems = read_paging(sent("page"), sent("per_page"), default=default,
                                           maximum=maximum)
    if problems:
        errors = {name: f"{rule}." for name, rule in problems.items()}
        raise ApiError(400, " ".join(errors.values()), errors=errors)
    return page, per_page



def no_query_args(*allowed: str) -> None:
    """Refuse query parameters an endpoint does not take (nothing is silently ignored)."""
    unknown = sorted(set(request.args) - set(allowed))
    if unknown:
        raise ApiError(400, f"Unknown query parameters: {', '.join(unknown)}.",
                       errors={name: "This parameter is not accepted here." for name in unknown})
