"""NoSQL injection: operators, arrays, numbers, booleans and null in every string field of
every write, in credentials, and in the query string of every list → 400/401, never 2xx.

Each write case is built on a body that *would* succeed (checked by the ``control``
tests), so a 400 proves the payload was refused, not some other mistake in the body.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from .conftest import API, PASSWORD, auth_header, bearer

#: JSON values that are not text: MongoDB operators, arrays, numbers, booleans, null.
PAYLOADS = [
    pytest.param({"$ne": ""}, id="ne"),
    pytest.param({"$gt": ""}, id="gt"),
    pytest.param({"$where": "sleep(1000) || true"}, id="where"),
    pytest.param({"$regex": ".*", "$options": "i"}, id="regex"),
    pytest.param(["$ne", ""], id="array"),
    pytest.param([], id="empty-array"),
    pytest.param(0, id="zero"),
    pytest.param(1.5, id="float"),
    pytest.param(True, id="true"),
    pytest.param(False, id="false"),
    pytest.param(None, id="null"),
]
#: Field names that must not reach MongoDB as a key or a path.
#: (JSON object keys are always text, so these are the attack on an attribute key.)
BAD_KEYS = ["$ne", "$where", "a.b", "attributes.$", "weight.n", "", "x" * 41, "Weight",
            "we ight", "weight\u0000"]


@pytest.fixture
def setup(client, entry, user, admin):
    """Everything the write cases need: the entry's current ETag and the accounts."""
    return {"entry": entry, "user": user, "admin": admin}


def _register(client, s, field, value):
    body = {"username": "mallory", "email": "mallory@example.org", "password": PASSWORD}
    return client.post(f"{API}/users", json={**body, field: value})


def _patch_user(client, s, field, value):
    body = {field: value}
    account = s["user"]
    if field == "password":
        body["current_password"] = PASSWORD
    elif field == "current_password":
        body["password"] = "a whole new passphrase"
    elif field == "role":
        account = s["admin"]  # a user is refused with 403 before the value is looked at
    return client.patch(f"{API}/users/{s['user'].username}", headers=account.bearer, json=body)


def _etag(client, path):
    return client.get(path).headers["ETag"]


def _entry_write(method):
    def write(client, s, field, value):
        url = f"{API}/entries/pixel-8"
        if method == "POST":
            body = {"title": "Injected", "category": "phones", field: value}
            return client.post(f"{API}/entries", headers=s["user"].bearer, json=body)
        body = {"title": "Injected", "category": "phones", field: value}
        return client.open(url, method=method, json=body,
                           headers={**s["user"].bearer, "If-Match": _etag(client, url)})
    return write


def _entry_attribute_key(method):
    def write(client, s, field, value):
        attributes = {value: {"value": "x", "type": "text"}}
        if method == "POST":
            return client.post(f"{API}/entries", headers=s["user"].bearer,
                               json={"title": "Injected", "category": "phones",
                                     "attributes": attributes})
        url = f"{API}/entries/pixel-8"
        return client.patch(url, json={"attributes": attributes},
                            headers={**s["user"].bearer, "If-Match": _etag(client, url)})
    return write


def _entry_attribute_value(method):
    def write(client, s, field, value):
        attributes = {field: value}
        if method == "POST":
            return client.post(f"{API}/entries", headers=s["user"].bearer,
                               json={"title": "Injected", "category": "phones",
                                     "attributes": attributes})
        url = f"{API}/entries/pixel-8"
        return client.patch(url, json={"attributes": attributes},
                            headers={**s["user"].bearer, "If-Match": _etag(client, url)})
    return write


def _revert(client, s, field, value):
    url = f"{API}/entries/pixel-8"
    return client.post(f"{url}/revisions/1/revert", json={field: value},
                       headers={**s["user"].bearer, "If-Match": _etag(client, url)})


def _attribute_post(client, s, field, value):
    body = {"key": "fresh", "value": "1 g", "type": "number", field: value}
    return client.post(f"{API}/entries/pixel-8/attributes", headers=s["user"].bearer, json=body)


def _attribute_put(client, s, field, value):
    url = f"{API}/entries/pixel-8/attributes/chip"
    body = {"value": "Tensor G4", field: value}
    return client.put(url, json=body,
                      headers={**s["user"].bearer, "If-Match": _etag(client, url)})


def _definition_post(client, s, field, value):
    body = {"key": "fresh", "label": "Fresh", "type": "number", "unit": "g", field: value}
    return client.post(f"{API}/attributes", headers=s["user"].bearer, json=body)


def _definition_patch(client, s, field, value):
    url = f"{API}/attributes/weight"
    return client.patch(url, json={field: value},
                        headers={**s["user"].bearer, "If-Match": _etag(client, url)})


#: (name, write, fields, a valid value per field for the control test)
WRITES: list[tuple[str, Callable, dict[str, object]]] = [
    ("register", _register, {"username": "mallory2", "email": "m2@example.org",
                             "password": "another passphrase", "location": "Here",
                             "website": "https://m.example", "bio": "Hi"}),
    ("patch-user", _patch_user, {"email": "c2@example.org", "location": "There",
                                 "website": "https://c.example", "bio": "Bio",
                                 "password": "a whole new passphrase",
                                 "current_password": PASSWORD, "role": "admin"}),
    ("post-entry", _entry_write("POST"), {"title": "T", "category": "phones",
                                          "summary": "S", "slug": "injected-2",
                                          "comment": "C"}),
    ("patch-entry", _entry_write("PATCH"), {"title": "T", "category": "laptops",
                                            "summary": "S", "comment": "C"}),
    ("put-entry", _entry_write("PUT"), {"title": "T", "category": "laptops", "summary": "S",
                                        "comment": "C"}),
    ("post-entry-attribute-value", _entry_attribute_value("POST"),
     {"chip": "Tensor G4", "weight": "190 g", "colors": ["red"]}),
    ("patch-entry-attribute-value", _entry_attribute_value("PATCH"),
     {"chip": "Tensor G4", "weight": "190 g", "colors": ["red"]}),
    ("revert", _revert, {"comment": "C"}),
    ("post-attribute", _attribute_post, {"key": "fresher", "type": "number",
                                         "label": "Fresh", "unit": "kg", "better": "lower",
                                         "group": "G", "comment": "C", "value": "2 g"}),
    ("put-attribute", _attribute_put, {"type": "text", "label": "Chip", "better": "none",
                                       "group": "Performance", "comment": "C",
                                       "value": "Tensor G5"}),
    ("post-definition", _definition_post, {"key": "fresher", "label": "L", "type": "number",
                                           "unit": "kg", "better": "higher", "group": "G",
                                           "order": 5, "description": "D"}),
    ("patch-definition", _definition_patch, {"label": "L", "better": "higher", "group": "G",
                                             "order": 5, "description": "D", "type": "number",
                                             "unit": "g", "key": "weight"}),
]


def _legitimate(name: str, field: str, value: object) -> bool:
    """Payloads that are valid values of a field that is not text (so not injections)."""
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if field == "order":
        return number and isinstance(value, int)
    if field == "weight" or (name == "post-attribute" and field == "value"):
        return number  # a number attribute takes JSON numbers
    if field == "colors":  # a list attribute takes arrays of text, stored as text
        return isinstance(value, list) and all(isinstance(item, str) for item in value)
    return False


def _cases(payloads: bool):
    for name, write, fields in WRITES:
        for field, good in fields.items():
            if not payloads:
                yield pytest.param(write, field, good, id=f"{name}-{field}")
                continue
            for payload in PAYLOADS:
                value = payload.values[0]
                if field in ("chip", "weight", "colors") and value is None \
                        and name.startswith("patch"):
                    continue  # null removes an attribute in a PATCH: a documented meaning
                if _legitimate(name, field, value):
                    continue
                yield pytest.param(write, field, value, id=f"{name}-{field}-{payload.id}")


@pytest.mark.parametrize(("write", "field", "value"), list(_cases(payloads=True)))
def test_non_text_in_a_write_is_400(client, setup, write, field, value):
    """An operator, array, number, boolean or null where text belongs: 400, never 2xx."""
    before = client.get(f"{API}/entries/pixel-8").get_json()
    response = write(client, setup, field, value)
    assert response.status_code == 400, (response.status_code, response.get_json())
    assert client.get(f"{API}/entries/pixel-8").get_json() == before
    assert client.get(f"{API}/entries").get_json()["_meta"]["total"] == 1


@pytest.mark.parametrize(("write", "field", "value"), list(_cases(payloads=False)))
def test_control_the_same_writes_with_text_succeed(client, setup, write, field, value):
    """Control: each write above succeeds with a text value, so its 400 came from the payload."""
    response = write(client, setup, field, value)
    assert response.status_code in (200, 201), response.get_json()


@pytest.mark.parametrize("key", BAD_KEYS)
@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_bad_attribute_keys_are_400(client, setup, method, key):
    """Attribute keys that are operators, dotted paths or not slugs: 400, nothing defined."""
    response = _entry_attribute_key(method)(client, setup, "key", key)
    assert response.status_code == 400, response.get_json()
    keys = {d["key"] for d in client.get(f"{API}/attributes?per_page=100").get_json()["_items"]}
    assert key not in keys


@pytest.mark.parametrize("key", BAD_KEYS)
def test_bad_keys_in_the_attribute_path_are_refused(client, setup, key):
    """A PUT to /attributes/<operator-ish key> is refused (400, or 404 when the path is empty)."""
    url = f"{API}/entries/pixel-8/attributes/{key}"
    response = client.put(url, json={"value": "x", "type": "text"},
                          headers={**setup["user"].bearer, "If-Match": setup["entry"]["etag"]})
    assert response.status_code in (400, 404, 405)
    assert client.get(f"{API}/entries/pixel-8").get_json()["version"] == 1


def _as_text(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value)


CREDENTIAL_TEXT = ['{"$ne": ""}', '{"$gt": ""}', "[]", "null", "true", "0",
                   '{"$regex": ".*"}', "carol' || '1'=='1", "*", ".*"]


@pytest.mark.parametrize("text", CREDENTIAL_TEXT)
@pytest.mark.parametrize("part", ["login", "password", "both"])
@pytest.mark.parametrize("where", ["tokens", "write"])
def test_operator_text_in_basic_credentials_is_401(client, setup, text, part, where):
    """Basic credentials carrying operator-like text are 401 (as text, never as operators)."""
    login = text if part in ("login", "both") else "carol"
    password = text if part in ("password", "both") else PASSWORD
    headers = auth_header(login, password)
    if where == "tokens":
        response = client.post(f"{API}/tokens", headers=headers)
    else:
        response = client.post(f"{API}/entries", headers=headers,
                               json={"title": "Injected", "category": "phones"})
    assert response.status_code == 401


@pytest.mark.parametrize("payload", PAYLOADS)
def test_json_credentials_in_a_token_request_are_ignored(client, setup, payload):
    """POST /tokens with a JSON body of operators and no Basic header: 401."""
    body = {"username": payload, "password": payload, "login": payload}
    assert client.post(f"{API}/tokens", json=body).status_code == 401


@pytest.mark.parametrize("text", CREDENTIAL_TEXT)
def test_operator_text_as_a_bearer_token_is_401(client, setup, text):
    """A Bearer token that is operator-like text: 401."""
    response = client.post(f"{API}/entries", headers=bearer(text),
                           json={"title": "Injected", "category": "phones"})
    assert response.status_code == 401


LIST_ENDPOINTS = [
    "/entries", "/entries/pixel-8/attributes", "/entries/pixel-8/revisions", "/attributes",
    "/categories", "/users", "/compare?entries=pixel-8,iphone-15",
]
SMUGGLED = [
    "where=this.title", "$where=sleep(100)", "$regex=.*", "$expr=1", "title[$ne]=x",
    "attr.$gt=1", "attr.weight[$gt]=0", "$or=1", "title.$ne=x", "filter={\"$ne\":1}",
    "page[$gt]=0", "per_page[$ne]=1", "__proto__=1", "_id=x", "attributes.weight.n=1",
]


@pytest.mark.parametrize("query", SMUGGLED)
@pytest.mark.parametrize("endpoint", LIST_ENDPOINTS)
def test_operators_in_the_query_string_are_400(client, setup, make_entry, endpoint, query):
    """Every GET list endpoint refuses operator-looking or unknown parameters with 400."""
    make_entry("iPhone 15")
    joiner = "&" if "?" in endpoint else "?"
    response = client.get(f"{API}{endpoint}{joiner}{query}")
    assert response.status_code == 400, response.get_json()
    assert response.get_json().get("errors"), response.get_json()


@pytest.mark.parametrize("endpoint", LIST_ENDPOINTS)
def test_control_list_endpoints_answer_without_smuggling(client, setup, make_entry, endpoint):
    """Control: the same endpoints answer 200 with only the parameters they take."""
    make_entry("iPhone 15")
    assert client.get(f"{API}{endpoint}").status_code == 200


@pytest.mark.parametrize(("value", "matches"), [
    ('{"$ne":""}', 1), ('eq.{"$ne":""}', 1), ('neq.{"$ne":""}', 1), ("like.$where", 0),
    ("ilike..*", 0), ("in.($ne,$gt)", 0), ("in.($ne,Pixel 8)", 1),
])
def test_operator_text_as_a_filter_value_matches_literally(client, setup, make_entry, value,
                                                           matches):
    """Operator-like text in a filter value is compared literally, as the title it spells."""
    make_entry('{"$ne":""}')
    response = client.get(f"{API}/entries", query_string={"title": value})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["_meta"]["total"] == matches
