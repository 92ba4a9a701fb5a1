"""The OpenAPI document: valid 3.1, in step with the URL map and the views, and readable at
``/api/docs`` from vendored Swagger UI files."""

from __future__ import annotations

import re

import orjson
import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator

from app.api import query
from app.api.bodies import openapi_path
from app.api.openapi_doc import build_document

from .conftest import API

METHODS = ("get", "put", "post", "patch", "delete")
VENDOR = "/static/vendor/swagger-ui/"


@pytest.fixture(scope="module")
def document() -> dict:
    """The document as a client reads it: through the JSON encoder."""
    return orjson.loads(orjson.dumps(build_document()))


def operations(document: dict):
    """Every (path, method, operation) of the document."""
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def resolve(document: dict, node: dict) -> dict:
    """``node``, or what its ``$ref`` points at."""
    while "$ref" in node:
        target = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def test_document_is_valid_openapi_3_1(document):
    """openapi-spec-validator finds nothing wrong (refs resolve, schemas are JSON Schema)."""
    errors = [error.message for error in OpenAPIV31SpecValidator(document).iter_errors()]
    assert errors == []
    assert document["openapi"].startswith("3.1")


def test_served_document_is_the_built_one(client, document):
    """GET /api/v1/openapi.json serves exactly the built document, as JSON."""
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_json() == document


def test_every_route_is_documented_and_nothing_else(app, document):
    """The URL map under /api/v1 and the document name the same operations."""
    served = {(openapi_path(rule.rule), method.lower())
              for rule in app.url_map.iter_rules() if rule.rule.startswith(API + "/")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {(path, method) for path, method, _ in operations(document)}
    assert served - documented == set(), "served but not documented"
    assert documented - served == set(), "documented but not served"


def test_operations_are_named_tagged_and_fail_with_problems(document):
    """Unique operationIds; every error response is problem+json; 500 and 503 everywhere."""
    ids = [op["operationId"] for _, _, op in operations(document)]
    assert len(ids) == len(set(ids))
    for path, method, op in operations(document):
        where = f"{method.upper()} {path}"
        assert op["tags"] and op["summary"], where
        assert {"500", "503"} <= set(op["responses"]), where
        for status, response in op["responses"].items():
            response = resolve(document, response)
            if int(status) >= 400:
                assert list(response["content"]) == ["application/problem+json"], where
                assert response["content"]["application/problem+json"]["schema"] == {
                    "$ref": "#/components/schemas/Problem"}, where


def test_writes_need_credentials_and_guarded_writes_need_if_match(document):
    """Every write but registration is secured; entry and definition writes take If-Match."""
    guarded = re.compile(r"^/(entries/\{ident\}(/attributes/\{key\}|/revisions/\{version\}"
                         r"/revert)?|attributes/\{key\})$")
    for path, method, op in operations(document):
        where = f"{method.upper()} {path}"
        if method != "get" and (path, method) != ("/users", "post"):
            assert op.get("security"), where
            assert "401" in op["responses"], where
        names = {resolve(document, p)["name"]: resolve(document, p)
                 for p in op.get("parameters", [])}
        if method in ("put", "patch", "delete") and guarded.match(path):
            assert names["If-Match"]["required"] is True, where
            assert {"412", "428"} <= set(op["responses"]), where
        if method == "get" and "ETag" in op["responses"]["200"].get("headers", {}):
            assert "If-None-Match" in names and "304" in op["responses"], where


def test_filter_parameters_follow_the_query_language(document):
    """GET /entries documents every reserved parameter, filter field and operator."""
    op = document["paths"]["/entries"]["get"]
    names = {resolve(document, p)["name"] for p in op["parameters"]}
    assert {*query.RESERVED, *query.FIELDS, "attributes"} <= names
    pattern = next(p for p in op["parameters"] if p.get("name") == "attributes")
    assert pattern["style"] == "form" and pattern["explode"] is True
    assert all(f"`{operator}`" in op["description"] for operator in query.OPERATORS)


def test_links_point_at_real_operations_and_parameters(document):
    """Every OpenAPI link names an operation and only parameters it has."""
    by_id = {op["operationId"]: (path, op) for path, _, op in operations(document)}
    for path, method, op in operations(document):
        for response in op["responses"].values():
            for name, found in resolve(document, response).get("links", {}).items():
                target_path, target = by_id[found["operationId"]]
                params = [*document["paths"][target_path].get("parameters", []),
                          *target.get("parameters", [])]
                known = {f"{p['in']}.{p['name']}" for p in map(
                    lambda p: resolve(document, p), params)}
                for parameter in found.get("parameters", {}):
                    qualified = parameter if "." in parameter else f"path.{parameter}"
                    assert qualified in known, f"{method.upper()} {path}: link {name}"


def test_creates_link_to_read_update_and_delete(document):
    """Stateful testing can follow each create to the resource's other operations."""
    expected = {
        ("/entries", "post"): {"getEntry", "updateEntry", "replaceEntry", "deleteEntry"},
        ("/entries/{ident}/attributes", "post"): {"getEntryAttribute", "setEntryAttribute",
                                                  "deleteEntryAttribute"},
        ("/attributes", "post"): {"getDefinition", "updateDefinition", "deleteDefinition"},
        ("/users", "post"): {"getUser", "updateUser", "deleteUser"},
        ("/tokens", "post"): {"revokeToken"},
    }
    for (path, method), targets in expected.items():
        created = document["paths"][path][method]["responses"]["201"]
        assert targets <= {link["operationId"] for link in created["links"].values()}


def test_api_docs_page_uses_the_vendored_viewer(client):
    """/api/docs is HTML loading Swagger UI from /static/, without inline script."""
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert f'href="{VENDOR}swagger-ui.css?v=' in html  # ?v=: the file's hash (app/assets.py)
    assert f'src="{VENDOR}swagger-ui-bundle.js?v=' in html
    assert 'src="/static/js/api-docs.js?v=' in html
    assert f'data-spec-url="{API}/openapi.json"' in html
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts and all("src=" in attrs and not body.strip() for attrs, body in scripts)
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html), "nothing from another host"


@pytest.mark.parametrize(("name", "mimetype"), [
    ("swagger-ui.css", "text/css"),
    ("swagger-ui-bundle.js", "javascript"),
    ("LICENSE", None),
])
def test_vendored_viewer_files_are_served(client, name, mimetype):
    """The viewer's files and its licence are served from /static/."""
    response = client.get(VENDOR + name)
    assert response.status_code == 200
    assert response.get_data()
    if mimetype:
        assert mimetype in response.mimetype
    response.close()


def test_docs_script_is_served(client):
    """The page's own start-up script is served."""
    response = client.get("/static/js/api-docs.js")
    assert response.status_code == 200
    assert b"SwaggerUIBundle" in response.get_data()
    response.close()
