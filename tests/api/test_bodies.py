"""Request bodies are validated against the schemas the OpenAPI document publishes.

Every write's JSON body goes through :func:`app.api.bodies.json_body`, which validates it
against its operation's ``requestBody`` schema: shapes (fields, required, JSON types)
are the schema's to refuse, values stay the domain's, with the domain's words.
"""

from __future__ import annotations

import orjson
import pytest

from app.api import bodies
from app.api.bodies import ANNOTATIONS, SHAPE_KEYWORDS, VALUE_KEYWORDS, openapi_path
from app.api.openapi_doc import build_document
from app.api.openapi_schemas import SCHEMAS

from .conftest import API

#: Writes that take no JSON body, and why (anything else must publish one and validate it).
WITHOUT_JSON_BODY = {
    ("/tokens", "post"): "credentials come in the Authorization header; a body is ignored",
    ("/users/{ident}/avatar", "put"): "an image, as multipart/form-data or image/*",
}
#: What each path parameter names in :func:`world`.
PARAMETERS = {"ident": None, "key": "weight", "version": "1", "slug": "phones"}


@pytest.fixture(scope="module")
def document() -> dict:
    """The document as a client reads it."""
    return orjson.loads(orjson.dumps(build_document()))


def json_operations(document: dict):
    """``(path, method, schema)`` of every operation with a JSON request body."""
    for path, item in document["paths"].items():
        for method in ("post", "put", "patch"):
            content = item.get(method, {}).get("requestBody", {}).get("content", {})
            if "application/json" in content:
                yield path, method, content["application/json"]["schema"]


@pytest.fixture
def world(client, admin, user, make_entry):
    """An entry (pixel-8), the phones category, the weight definition, carol and an admin."""
    make_entry("Pixel 8", attributes={"weight": "187 g"})
    return {"admin": admin, "user": user}


def url_of(path: str) -> str:
    """A document path with the world's parameters filled in."""
    ident = "carol" if path.startswith(("/users", "/admin/users")) else "pixel-8"
    for name, value in {**PARAMETERS, "ident": ident}.items():
        path = path.replace("{" + name + "}", value)
    return API + path


def if_match(client, url: str) -> dict:
    """If-Match with the ETag of the resource a write is guarded by (its first two parts:
    ``/entries/pixel-8``, ``/attributes/weight``, ``/categories/phones``)."""
    owner = "/".join(url.removeprefix(API).split("/")[:3])
    if owner.startswith("/admin"):
        return {}
    etag = client.get(API + owner).headers.get("ETag")
    return {"If-Match": etag} if etag else {}


def test_every_write_endpoint_validates_its_body_by_the_published_schema(
        app, client, world, document, monkeypatch):
    """Walk the URL map and the document: every POST/PUT/PATCH publishes a JSON body (or is
    named in WITHOUT_JSON_BODY), and its view refuses an unknown field through the very
    validator of that operation's published schema."""
    asked = []
    compiled = bodies.validator_for

    def spy(path, method):
        asked.append((path, method.lower()))
        return compiled(path, method)

    monkeypatch.setattr(bodies, "validator_for", spy)
    writes = {(openapi_path(rule.rule), method.lower())
              for rule in app.url_map.iter_rules() if rule.rule.startswith(API + "/")
              for method in rule.methods & {"POST", "PUT", "PATCH"}}
    published = {(path, method): schema for path, method, schema in json_operations(document)}
    assert set(published) <= writes
    assert writes - set(published) == set(WITHOUT_JSON_BODY)
    assert len(published) >= 19
    for (path, method), schema in sorted(published.items()):
        where = f"{method.upper()} {path}"
        # The validator is built from the document's own schema for this operation...
        assert compiled(path, method).schema["$ref"] == schema["$ref"], where
        target = SCHEMAS[schema["$ref"].rsplit("/", 1)[1]]
        assert target["additionalProperties"] is False, where
        # ...and the view uses it: an unknown field is a 400 naming it, nothing else.
        url = url_of(path)
        response = client.open(url, method=method.upper(), json={"zz_no_such_field": 1},
                               headers={**world["admin"].bearer, **if_match(client, url)})
        assert response.status_code == 400, (where, response.get_json())
        assert response.get_json()["errors"] == {"zz_no_such_field": bodies.UNKNOWN}, where
        assert asked[-1] == (path, method), where


def test_merge_patch_bodies_publish_the_same_schema(document):
    """A PATCH reads application/merge-patch+json too, under the same schema."""
    for path, item in document["paths"].items():
        content = item.get("patch", {}).get("requestBody", {}).get("content", {})
        if content:
            assert content["application/merge-patch+json"] == content["application/json"], path


def keywords(schema, seen: set) -> set[str]:
    """Every keyword used in a schema and the components it refers to."""
    if isinstance(schema, list):
        return set().union(*(keywords(item, seen) for item in schema))
    if not isinstance(schema, dict):
        return set()
    found = set(schema)
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        if name not in seen:
            seen.add(name)
            found |= keywords(SCHEMAS[name], seen)
    for name, value in schema.items():
        if name == "properties":
            found |= set().union(*(keywords(sub, seen) for sub in value.values()))
        elif name in ("items", "additionalProperties", "anyOf"):
            found |= keywords(value, seen)
    return found


def test_request_schemas_use_only_keywords_the_validator_knows(document):
    """Every keyword of a request body schema is enforced here (shape), the domain's to
    judge (values), or words: a new keyword cannot be published and silently skipped."""
    used = set().union(*(keywords(schema, set()) for *_, schema in json_operations(document)))
    assert used - {*SHAPE_KEYWORDS, *VALUE_KEYWORDS, *ANNOTATIONS} == set()
    assert {"type", "required", "additionalProperties", "anyOf"} <= used


def test_validators_are_compiled_once(client, world):
    """The second request of an operation reuses its compiled validator."""
    url = f"{API}/entries/pixel-8/attributes"
    client.post(url, json={"value": "x", "oops": 1}, headers=world["user"].bearer)
    before = bodies.validator_for.cache_info()
    client.post(url, json={"value": "y", "oops": 1}, headers=world["user"].bearer)
    after = bodies.validator_for.cache_info()
    assert after.misses == before.misses and after.hits == before.hits + 1


# ----------------------------------------------------------------------------- families

ENTRY = "/entries/pixel-8"
#: (method, path, body, field, words in its message): one family after the other, each
#: with a wrong JSON type, an unknown field and a missing one.
REFUSED = [
    # entries
    ("post", "/entries", {"title": ["X"], "category": "phones"}, "title", "must be text"),
    ("post", "/entries", {"title": "X", "category": "phones", "colour": "red"}, "colour",
     "unknown"),
    ("post", "/entries", {"category": "phones"}, "title", "required"),
    ("post", "/entries", {"title": "X", "category": "phones", "attributes": {"colors": [1]}},
     "attributes", "attributes.colors[0]: expected a string, got a number."),
    ("patch", ENTRY, {"attributes": {"weight": {"value": "1 g", "type": 5}}}, "attributes",
     "attributes.weight.type: expected a string or null, got a number."),
    ("put", ENTRY, {"title": "X"}, "category", "required"),
    ("patch", ENTRY, {"version": 9}, "version", "unknown"),
    # attributes of an entry
    ("put", ENTRY + "/attributes/weight", {"value": {"g": 1}}, "value",
     "value: expected a string, a number, a boolean or an array of strings, got an object."),
    ("post", ENTRY + "/attributes", {"key": "chip"}, "value", "required"),
    ("post", ENTRY + "/attributes", {"key": "chip", "value": "x", "n": 3}, "n", "unknown"),
    # definitions
    ("post", "/attributes", {"label": "X", "type": "text", "order": True}, "order",
     "order: expected an integer or a string, got true."),
    ("post", "/attributes", {"label": "X"}, "type", "required"),
    ("patch", "/attributes/weight", {"version": 2}, "version", "unknown"),
    # categories
    ("post", "/categories", {"name": "X", "parent": 3}, "parent",
     "parent: expected a string or null, got a number."),
    ("post", "/categories", {"name": "X", "attributes": [{"key": "weight", "x": 1}]},
     "attributes", "attributes[0]: unknown field x."),
    ("post", "/categories", {"slug": "x"}, "name", "required"),
    ("patch", "/categories/phones", {"entry_count": 9}, "entry_count", "unknown"),
    ("post", "/categories/phones/merge", {"into": None}, "into", "must be text"),
    # users
    ("post", "/users", {"username": "amy", "email": "amy@example.org", "password": 12345678},
     "password", "must be text"),
    ("post", "/users", {"username": "amy", "password": "long enough pw"}, "email", "required"),
    ("patch", "/users/carol", {"edit_count": 0}, "edit_count", "unknown"),
    # administration
    ("put", "/admin/entries/pixel-8/protection", {"protected": "yes"}, "protected",
     "protected: expected a boolean, got a string."),
    ("post", "/admin/users/carol/rollback", {"since": "2024-01-01T00:00Z", "dry_run": "no"},
     "dry_run", "dry_run: expected a boolean, got a string."),
    ("post", "/admin/users/carol/block", {}, "reason", "required"),
    ("put", "/admin/users/carol/role", {"role": "admin", "by": "me"}, "by", "unknown"),
    # revisions
    ("post", ENTRY + "/revisions/1/revert", {"comment": 5}, "comment", "must be text"),
    ("post", ENTRY + "/restore", {"comment": "x", "version": 1}, "version", "unknown"),
]


@pytest.mark.parametrize(("method", "path", "body", "field", "words"), REFUSED)
def test_a_wrong_shape_is_a_400_naming_the_field(client, world, method, path, body, field,
                                                 words):
    """A wrong JSON type, an unknown field or a missing one: 400, ``errors`` names the
    field and says what was expected; nothing is written."""
    url = API + path
    before = client.get(API + ENTRY).get_json()["version"]
    response = client.open(url, method=method.upper(), json=body,
                           headers={**world["admin"].bearer, **if_match(client, url)})
    assert response.status_code == 400, response.get_json()
    problem = response.get_json()
    assert field in problem["errors"], problem
    assert words in problem["errors"][field] or words in problem["detail"], problem
    assert client.get(API + ENTRY).get_json()["version"] == before


def test_unknown_fields_come_before_missing_ones(client, world):
    """As the views always answered: unknown fields first, then text, then missing."""
    headers = world["user"].bearer
    response = client.post(f"{API}/entries", json={"colour": "red", "title": 5},
                           headers=headers)
    assert response.get_json()["errors"] == {"colour": bodies.UNKNOWN}
    response = client.post(f"{API}/entries", json={"title": 5}, headers=headers)
    assert response.get_json()["errors"] == {"title": bodies.NOT_TEXT}
    response = client.post(f"{API}/entries", json={"attributes": []}, headers=headers)
    assert response.get_json()["errors"] == {"title": bodies.REQUIRED,
                                             "category": bodies.REQUIRED}


@pytest.mark.parametrize(("method", "path", "body", "field", "words"), [
    ("post", "/entries", {"title": "X", "category": "phones", "comment": "c" * 501},
     "comment", "at most 500 characters"),
    ("post", "/entries", {"title": "X", "category": "phones", "slug": "Not A Slug"}, "slug",
     "lowercase letters"),
    ("post", "/entries", {"title": "X", "category": "phones",
                          "attributes": {"weight": "heavy"}}, "weight", "heavy"),
    ("patch", "/users/carol", {"role": "king"}, "role", "Role must be user or admin."),
])
def test_values_are_still_judged_by_the_domain(client, world, method, path, body, field,
                                               words):
    """A body of the right shape whose values are wrong gets the domain's own words."""
    url = API + path
    response = client.open(url, method=method.upper(), json=body,
                           headers={**world["admin"].bearer, **if_match(client, url)})
    assert response.status_code == 400, response.get_json()
    problem = response.get_json()
    assert words in problem["errors"][field], problem
    assert "expected" not in problem["errors"][field], problem
