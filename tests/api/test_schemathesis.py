"""Fuzz every API operation against the API's own OpenAPI description (schemathesis).

The document is loaded once; each operation then runs as its own test on a fresh app
(in-process over WSGI) seeded through the API: an admin and an editor registered with
POST /users, a Bearer token from POST /tokens, two entries, an avatar. Schemathesis
sends the document's examples, its coverage cases (one field broken at a time) and
random cases, positive and negative, and checks every answer: no 5xx, a documented
status, the documented media type and schema, and every schema-violating request
refused. Bounded and derandomized, so a run is short and repeatable. A few inputs that
random generation rarely produces are sent on purpose at the end.
"""

from __future__ import annotations

import io
import zlib
from urllib.parse import quote

import pytest
import schemathesis
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from app.api.openapi_doc import build_document

from .conftest import API, PASSWORD, auth_header, bearer

pytestmark = pytest.mark.slow

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, negative_data_rejection]
MAX_EXAMPLES = 25

#: Path parameter values that exist in the seeded app (the document's examples use them).
ENTRIES = {"ident": ["pixel-8", "iphone-15"], "key": ["weight", "five_g", "screen", "colors"],
           "version": [1, 2]}
USERS = {"ident": ["alice", "dave"]}

schema = schemathesis.openapi.from_dict(build_document())
schema.config.update(base_url="http://localhost" + API)
schema.config.generation.update(max_examples=MAX_EXAMPLES, deterministic=True,
                                database="none")


@schema.hook
def before_generate_path_parameters(context, strategy):
    """Half the time, aim the path parameters at seeded data instead of random text."""
    known = USERS if context.operation.path.startswith(("/users", "/admin/users")) \
        else ENTRIES

    def existing(params):
        if not isinstance(params, dict) or not params:
            return st.just(params)
        return st.fixed_dictionaries({name: st.sampled_from(known.get(name, [value]))
                                      for name, value in params.items()})

    return st.one_of(strategy, strategy.flatmap(existing))


def png() -> bytes:
    """A small PNG."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def seeded(client, phones, repos):
    """The data every operation's cases can reach, and the admin's Bearer header."""
    for name in ("alice", "dave"):
        response = client.post(f"{API}/users", json={
            "username": name, "email": f"{name}@example.org", "password": PASSWORD})
        assert response.status_code == 201, response.get_json()
    repos.users.set_role(repos.users.get("alice")["_id"], "admin")  # as create-admin does
    response = client.post(f"{API}/tokens", headers=auth_header("alice", PASSWORD))
    assert response.status_code == 201, response.get_json()
    headers = bearer(response.get_json()["token"])
    for title, values in (("Pixel 8", {"weight": "187 g", "five_g": True}),
                          ("iPhone 15", {"weight": "171 g", "screen": "6.1 in"})):
        response = client.post(f"{API}/entries", headers=headers, json={
            "title": title, "category": "phones", "attributes": values})
        assert response.status_code == 201, response.get_json()
    etag = client.get(f"{API}/entries/pixel-8").headers["ETag"]
    response = client.patch(f"{API}/entries/pixel-8", headers={**headers, "If-Match": etag},
                            json={"summary": "Google's phone."})  # a version 2 to diff
    assert response.status_code == 200, response.get_json()
    response = client.put(f"{API}/users/alice/avatar", headers=headers, data=png(),
                          content_type="image/png")
    assert response.status_code == 200, response.get_json()
    return headers


def current_etag(client, case) -> str | None:
    """The ETag a careful client sends in If-Match: that of the entry or definition named."""
    params = case.path_parameters or {}
    for prefix, name in (("/entries/", "ident"), ("/attributes/", "key")):
        if case.path.startswith(prefix) and isinstance(params.get(name), str):
            return client.get(API + prefix + quote(params[name], safe="")).headers.get("ETag")
    return None


def keeps_random_if_match(case) -> bool:
    """Whether to send the generated If-Match (a stale one: 412) rather than the real ETag.

    Only valid cases, one in four (picked by a hash, so runs repeat): a request with bad
    data must reach the body's validation, which a stale If-Match (412) would stop first.
    """
    if case.meta is None or case.meta.generation.mode.is_negative:
        return False
    return zlib.crc32(repr((case.path, case.path_parameters, case.body)).encode()) % 4 == 0


@schema.parametrize()
def test_api_keeps_its_contract(case, app, client, seeded):
    """Every operation answers as its OpenAPI description says, whatever it is sent."""
    if case.headers and "If-Match" in case.headers and not keeps_random_if_match(case):
        etag = current_etag(client, case)
        if etag:
            case.headers["If-Match"] = etag
    credentials = auth_header("alice", PASSWORD) if case.operation.label == "POST /tokens" \
        else seeded
    case.call_and_validate(app=app, headers=credentials, checks=CHECKS)


#: Digits that ``str.isdigit`` accepts but ``int`` does not (or not at that length):
#: random generation rarely sends them, so they are sent on purpose.
TRICKY_NUMBERS = ["²", "9" * 5000]
PAGED = [("GET /attributes", {}), ("GET /categories", {}), ("GET /users", {}),
         ("GET /entries", {}), ("GET /entries/{ident}/attributes", {"ident": "pixel-8"}),
         ("GET /entries/{ident}/revisions", {"ident": "pixel-8"})]


@pytest.mark.parametrize("number", TRICKY_NUMBERS, ids=["superscript", "5000-digits"])
@pytest.mark.parametrize(("label", "path_parameters"), PAGED, ids=[p[0] for p in PAGED])
def test_page_numbers_that_are_not_numbers_are_refused(app, seeded, label, path_parameters,
                                                       number):
    """``page``/``per_page`` that only look like digits are a 400, never a 500."""
    operation = schema.find_operation_by_label(label)
    for name in ("page", "per_page"):
        case = operation.Case(path_parameters=path_parameters or None, query={name: number})
        response = case.call_and_validate(app=app, checks=CHECKS)
        assert response.status_code == 400


@pytest.mark.parametrize("number", TRICKY_NUMBERS, ids=["superscript", "5000-digits"])
def test_diff_versions_that_are_not_numbers_are_refused(app, seeded, number):
    """``from``/``to`` of a diff that only look like digits are a 400, never a 500."""
    operation = schema.find_operation_by_label("GET /entries/{ident}/revisions/diff")
    case = operation.Case(path_parameters={"ident": "pixel-8"},
                          query={"from": number, "to": "1"})
    assert case.call_and_validate(app=app, checks=CHECKS).status_code == 400
