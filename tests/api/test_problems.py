"""RFC 9457 problem+json for every error under /api/, including Flask's own."""

from __future__ import annotations

import orjson
import pytest
from flask import Response
from werkzeug.test import EnvironBuilder

from .conftest import API

MIB = 1024 * 1024


def _problem(response) -> dict:
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert body["status"] == response.status_code
    return body


@pytest.mark.parametrize("path", [
    "/api/v1/nope", "/api/v2/entries", "/api/", "/api/v1/entries/x/y/z",
    "/api/v1/users/carol/avatar/extra",
])
def test_flask_404_is_a_problem(client, path):
    """An unknown path under /api/ is a 404 problem, not an HTML page."""
    response = client.get(path)
    assert response.status_code == 404
    assert _problem(response)["title"] == "Not Found"
    assert b"<html" not in response.data.lower()


def test_pages_outside_the_api_stay_html(client):
    """Outside /api/ a browser still gets the HTML 404 page."""
    response = client.get("/no-such-page", headers={"Accept": "text/html"})
    assert response.status_code == 404 and response.mimetype == "text/html"


@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("DELETE", "/entries", {"GET", "POST"}),
    ("PUT", "/entries", {"GET", "POST"}),
    ("POST", "/entries/pixel-8", {"GET", "PATCH", "PUT", "DELETE"}),
    ("PATCH", "/categories", {"GET"}),
    ("GET", "/tokens", {"POST", "DELETE"}),
    ("PATCH", "/compare", {"GET"}),
    ("PUT", "/users", {"GET", "POST"}),
    ("POST", "/users/carol/avatar", {"GET", "PUT", "DELETE"}),
])
def test_flask_405_is_a_problem_with_allow(client, method, path, allowed):
    """A method a resource does not take is a 405 problem whose Allow lists the right ones."""
    response = client.open(API + path, method=method)
    assert response.status_code == 405
    _problem(response)
    listed = {name.strip() for name in response.headers["Allow"].split(",")}
    assert allowed <= listed and method not in listed


@pytest.mark.parametrize(("path", "method"), [
    ("/entries", "POST"), ("/users", "POST"), ("/attributes", "POST"),
])
def test_413_for_a_body_over_2_mib(client, user, path, method):
    """A JSON body over 2 MiB is a 413 problem, before anything reads it."""
    body = b'{"title": "' + b"x" * (2 * MIB) + b'"}'
    response = client.open(API + path, method=method, data=body,
                           content_type="application/json", headers=user.bearer)
    assert response.status_code == 413
    assert _problem(response)["title"] == "Request Entity Too Large"


@pytest.mark.parametrize("content_type", [
    "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
    "application/xml", None,
])
@pytest.mark.parametrize("path", ["/entries", "/users", "/attributes"])
def test_415_for_other_media_types(client, catalog, user, path, content_type):
    """A write whose body is not JSON is a 415 problem, and nothing is created."""
    response = client.post(API + path, data='{"title": "X", "category": "phones"}',
                           content_type=content_type, headers=user.bearer)
    assert response.status_code == 415
    assert "JSON" in _problem(response)["detail"]


def test_merge_patch_json_is_accepted(client, entry, user):
    """``application/merge-patch+json`` (RFC 7396) is JSON too."""
    response = client.patch(f"{API}/entries/pixel-8", data='{"summary": "merge"}',
                            content_type="application/merge-patch+json",
                            headers={**user.bearer, "If-Match": entry["etag"]})
    assert response.status_code == 200


@pytest.mark.parametrize("body", [
    b"{", b'{"title": }', b"{'title': 'x'}", b"", b"\xff\xfe", b'{"a": 1}{"b": 2}',
    b"NaN", b'{"title": "x",}',
])
@pytest.mark.parametrize("path", ["/entries", "/users", "/attributes"])
def test_malformed_json_is_400(client, catalog, user, path, body):
    """A body that is not valid JSON is a 400 problem that says so."""
    response = client.post(API + path, data=body, content_type="application/json",
                           headers=user.bearer)
    assert response.status_code == 400
    assert "JSON" in _problem(response)["detail"]


@pytest.mark.parametrize("body", [[], [{"title": "X"}], "text", 1, None, True])
@pytest.mark.parametrize("path", ["/entries", "/users", "/attributes"])
def test_a_json_value_that_is_not_an_object_is_400(client, catalog, user, path, body):
    """A JSON array (or any non-object) instead of an object is a 400 problem."""
    response = client.post(API + path, data=orjson.dumps(body), content_type="application/json",
                           headers=user.bearer)
    assert response.status_code == 400
    assert "object" in _problem(response)["detail"]


@pytest.mark.parametrize(("path", "body"), [
    ("/entries", {"title": "X", "category": "phones", "colour": "red", "hack": 1}),
    ("/users", {"username": "amy", "email": "a@example.org", "password": "long enough pw",
                "colour": "red", "hack": 1}),
    ("/attributes", {"label": "X", "type": "text", "colour": "red", "hack": 1}),
])
def test_unknown_fields_are_400_naming_them(client, catalog, user, path, body):
    """Unknown fields are refused, each named in ``errors`` and in the detail."""
    response = client.post(API + path, json=body, headers=user.bearer)
    assert response.status_code == 400
    problem = _problem(response)
    assert set(problem["errors"]) == {"colour", "hack"}
    assert "colour" in problem["detail"] and "hack" in problem["detail"]


def test_401_403_404_409_412_428_are_problems(client, entry, user, other):
    """The statuses the resources raise themselves carry the problem members too."""
    url = f"{API}/entries/{entry['slug']}"
    statuses = [
        client.post(f"{API}/entries", json={}).status_code,
        client.delete(url, headers={**user.bearer, "If-Match": entry["etag"]}).status_code,
        client.get(f"{API}/entries/nope").status_code,
        client.post(f"{url}/attributes", headers=user.bearer,
                    json={"key": "weight", "value": "1 g"}).status_code,
        client.patch(url, headers={**user.bearer, "If-Match": '"x"'}, json={}).status_code,
        client.patch(url, headers=user.bearer, json={}).status_code,
    ]
    assert statuses == [401, 403, 404, 409, 412, 428]


def test_a_crash_is_a_500_problem_without_details(app, client, catalog, monkeypatch):
    """An unexpected exception in a view is a 500 problem that leaks nothing."""
    from app.repositories.categories import CategoryRepository

    def boom(self):
        raise RuntimeError("secret internals /etc/passwd")

    monkeypatch.setattr(CategoryRepository, "all", boom)
    response = client.get(f"{API}/categories")
    assert response.status_code == 500
    assert "secret" not in response.get_data(as_text=True)
    assert _problem(response)["title"] == "Internal Server Error"


def test_an_unreachable_store_is_503_with_retry_after(app, client, catalog, monkeypatch):
    """A store that cannot be reached is a 503 problem with Retry-After."""
    from pymongo.errors import ServerSelectionTimeoutError

    from app.repositories.categories import CategoryRepository

    def down(self):
        raise ServerSelectionTimeoutError("no servers")

    monkeypatch.setattr(CategoryRepository, "all", down)
    response = client.get(f"{API}/categories")
    assert response.status_code == 503 and int(response.headers["Retry-After"]) > 0
    _problem(response)


def test_head_requests_of_errors_have_no_body(client):
    """A HEAD of an unknown API path is a 404 with the problem type and no body."""
    response = client.head(f"{API}/nope")
    assert response.status_code == 404 and response.data == b""
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize(("status", "body", "mimetype", "message"), [
    (200, b'{"id": {"$oid": "6b0000000000000000000000"}}', "application/json", "$oid"),
    (200, b'{"at": {"$date": "2024-01-01T00:00:00Z"}}', "application/json", "$date"),
    (404, b"<html>Not Found</html>", "text/html", "not a problem"),
    (400, b'{"type": "about:blank", "title": "Bad", "status": 400}',
     "application/problem+json", "detail"),
    (409, b'{"type": "about:blank", "title": "C", "status": 400, "detail": "d"}',
     "application/problem+json", "→ 409"),
])
def test_the_response_checker_catches_violations(response_checker, status, body, mimetype,
                                                 message):
    """The autouse checker fails on Extended JSON, a non-problem error, or a wrong status."""
    response = Response(body, status=status, mimetype=mimetype)
    response.request = EnvironBuilder(path="/api/v1/entries").get_request()
    with pytest.raises(AssertionError, match=message.replace("$", r"\$")):
        response_checker(response)


def test_every_response_of_a_test_is_checked(client, checked_responses):
    """The autouse fixture sees the test client's responses (so the rules are enforced)."""
    client.get(f"{API}/nope")
    client.get(f"{API}/categories")
    assert [r.status_code for r in checked_responses] == [404, 200]
