"""/api/v1/entries: create, read, merge-patch, replace, delete, and ETag concurrency."""

from __future__ import annotations

import threading

import pytest
from bson import ObjectId

from .conftest import API, PASSWORD, auth_header

ENTRY_KEYS = {"id", "slug", "title", "category", "summary", "attributes", "version", "protected",
              "created_at", "created_by", "created_by_id", "updated_at", "updated_by",
              "updated_by_id", "_links"}


def _url(entry: dict) -> str:
    return f"{API}/entries/{entry['slug']}"


def test_create_answers_201_with_location_and_etag(client, catalog, user):
    """POST /entries creates version 1 and answers 201 with Location, a strong ETag and JSON."""
    response = client.post(f"{API}/entries", headers=user.bearer, json={
        "title": "Pixel 8", "category": "phones", "summary": "Google's phone.",
        "attributes": {"weight": "0.187 kg", "five_g": True}, "comment": "first"})
    assert response.status_code == 201
    assert response.headers["Location"].endswith(f"{API}/entries/pixel-8")
    etag = response.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    body = response.get_json()
    assert set(body) == ENTRY_KEYS
    assert len(body["id"]) == 24 and int(body["id"], 16) >= 0
    assert body["version"] == 1 and body["created_by"] == "carol"
    assert body["created_at"].endswith("Z") and "." in body["created_at"]
    assert body["attributes"]["weight"]["n"] == pytest.approx(187)
    assert body["attributes"]["weight"]["unit"] == "kg"
    read = client.get(response.headers["Location"])
    assert read.status_code == 200 and read.headers["ETag"] == etag
    assert read.get_json() == body


def test_create_needs_credentials(client, catalog):
    """An anonymous POST is 401 with WWW-Authenticate, and nothing is stored."""
    response = client.post(f"{API}/entries", json={"title": "X", "category": "phones"})
    assert response.status_code == 401 and "WWW-Authenticate" in response.headers
    assert client.get(f"{API}/entries").get_json()["_meta"]["total"] == 0


def test_create_with_basic_auth(client, catalog, user):
    """Basic credentials (username or email) authorise a write as well as a token."""
    for login in (user.username, user.email):
        response = client.post(f"{API}/entries", headers=auth_header(login, PASSWORD),
                               json={"title": f"Phone {login}", "category": "phones"})
        assert response.status_code == 201, response.get_json()


@pytest.mark.parametrize(("body", "field"), [
    ({"category": "phones"}, "title"),
    ({"title": "X"}, "category"),
    ({"title": "X", "category": "tablets"}, "category"),
    ({"title": "", "category": "phones"}, "title"),
    ({"title": "X", "category": "phones", "slug": "Not A Slug"}, "slug"),
    ({"title": "X", "category": "phones", "slug": "a-vs-b"}, "slug"),
    ({"title": "X", "category": "phones", "attributes": {"weight": "heavy"}}, "weight"),
    ({"title": "X", "category": "phones", "attributes": {"weight": "3 GB"}}, "weight"),
    ({"title": "X", "category": "phones", "attributes": {"fresh": "x"}}, "type"),
    ({"title": "X", "category": "phones", "attributes": {"weight": None}}, "attributes"),
    ({"title": "X", "category": "phones", "attributes": ["weight"]}, "attributes"),
    ({"title": "X", "category": "phones", "version": 7}, "version"),
    ({"title": "X", "category": "phones", "created_by": "eve"}, "created_by"),
    ({"title": "X", "category": "phones", "_id": "0" * 24}, "_id"),
])
def test_create_refuses_bad_bodies_naming_the_field(client, catalog, user, body, field):
    """A body that cannot be stored is a 400 whose ``errors`` names the field, and no entry."""
    response = client.post(f"{API}/entries", headers=user.bearer, json=body)
    assert response.status_code == 400
    assert field in response.get_json().get("errors", {}), response.get_json()
    assert client.get(f"{API}/entries").get_json()["_meta"]["total"] == 0


def test_create_with_a_taken_slug_is_409(client, make_entry, user):
    """A slug another entry has is a 409 naming ``slug``; without a slug a free one is chosen."""
    make_entry("Pixel 8")
    response = client.post(f"{API}/entries", headers=user.bearer,
                           json={"title": "Pixel 8", "category": "phones", "slug": "pixel-8"})
    assert response.status_code == 409 and "slug" in response.get_json()["errors"]
    assert make_entry("Pixel 8")["slug"] == "pixel-8-2"


def test_create_defines_a_new_attribute_on_first_use(client, catalog, user):
    """A new key with a type creates its definition, readable at /attributes/<key>."""
    response = client.post(f"{API}/entries", headers=user.bearer, json={
        "title": "Pixel 8", "category": "phones",
        "attributes": {"battery": {"value": "4575 mAh", "type": "number", "better": "higher",
                                   "label": "Battery", "group": "Power"}}})
    assert response.status_code == 201, response.get_json()
    definition = client.get(f"{API}/attributes/battery").get_json()
    assert (definition["type"], definition["unit"], definition["better"]) == \
        ("number", "mAh", "higher")


@pytest.mark.parametrize("ident", ["slug", "id"])
def test_get_by_slug_or_id_with_etag_and_304(client, entry, ident):
    """GET by slug or id sends the same strong ETag and answers If-None-Match with 304."""
    response = client.get(f"{API}/entries/{entry[ident]}")
    assert response.status_code == 200 and response.headers["ETag"] == entry["etag"]
    again = client.get(f"{API}/entries/{entry[ident]}", headers={"If-None-Match": entry["etag"]})
    assert again.status_code == 304 and again.data == b""
    other = client.get(f"{API}/entries/{entry[ident]}", headers={"If-None-Match": '"nope"'})
    assert other.status_code == 200


def test_a_304_is_answered_before_the_body_is_built(client, entry, monkeypatch):
    """An unchanged entry costs a lookup: the JSON body is never rendered for a 304."""
    from app.api import representations as view

    def no_body(*args, **kwargs):
        raise AssertionError("the body was built for a 304")

    monkeypatch.setattr(view, "entry_json", no_body)
    again = client.get(f"{API}/entries/{entry['slug']}", headers={"If-None-Match": entry["etag"]})
    assert again.status_code == 304 and again.headers["ETag"] == entry["etag"]
    weak = client.get(f"{API}/entries/{entry['slug']}",
                      headers={"If-None-Match": "W/" + entry["etag"]})
    assert weak.status_code == 304  # If-None-Match compares weakly (RFC 9110 13.1.2)


@pytest.mark.parametrize("ident", ["nope", "0" * 24, "a" * 300])
def test_unknown_entry_is_404(client, catalog, ident):
    """An id or slug nobody has is a 404 problem."""
    assert client.get(f"{API}/entries/{ident}").status_code == 404


def test_list_is_a_page_with_meta_links_and_headers(client, make_entry):
    """GET /entries answers _items/_meta/_links with X-Total-Count and a Link header."""
    for n in range(3):
        make_entry(f"Phone {n}")
    response = client.get(f"{API}/entries?per_page=2")
    body = response.get_json()
    assert response.status_code == 200
    assert body["_meta"] == {"page": 1, "per_page": 2, "total": 3}
    assert len(body["_items"]) == 2 and response.headers["X-Total-Count"] == "3"
    assert {"self", "first", "next", "last"} <= set(body["_links"])
    assert 'rel="next"' in response.headers["Link"]
    second = client.get(body["_links"]["next"]["href"]).get_json()
    assert len(second["_items"]) == 1 and "next" not in second["_links"]


def test_patch_merges_fields_and_attributes(client, entry, user):
    """PATCH changes only what it names; ``null`` removes an attribute; one revision is added."""
    response = client.patch(_url(entry), headers={**user.bearer, "If-Match": entry["etag"]},
                            json={"summary": "Now cheaper.",
                                  "attributes": {"weight": "190 g", "chip": None},
                                  "comment": "price drop"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["version"] == 2 and body["title"] == "Pixel 8"
    assert body["summary"] == "Now cheaper."
    assert set(body["attributes"]) == {"weight", "screen", "five_g"}
    assert body["attributes"]["weight"]["n"] == 190
    assert body["attributes"]["screen"]["value"] == entry["attributes"]["screen"]["value"]
    assert response.headers["ETag"] != entry["etag"]
    revisions = client.get(f"{_url(entry)}/revisions").get_json()["_items"]
    assert [r["version"] for r in revisions] == [2, 1]
    assert revisions[0]["comment"] == "price drop"
    assert {c["key"] for c in revisions[0]["changes"]} == {"summary", "attr.weight", "attr.chip"}


def test_patch_removing_a_missing_attribute_is_404(client, entry, user):
    """``null`` for an attribute the entry does not have is a 404, and nothing changes."""
    response = client.patch(_url(entry), headers={**user.bearer, "If-Match": entry["etag"]},
                            json={"attributes": {"stars": None}})
    assert response.status_code == 404
    assert client.get(_url(entry)).get_json()["version"] == 1


@pytest.mark.parametrize("field", ["slug", "version", "id", "created_by", "views", "_id"])
def test_patch_refuses_read_only_fields(client, entry, user, field):
    """Mass assignment: PATCH naming a read-only field is a 400 naming it; nothing changes."""
    response = client.patch(_url(entry), headers={**user.bearer, "If-Match": entry["etag"]},
                            json={field: "x", "title": "Hacked"})
    assert response.status_code == 400 and field in response.get_json()["errors"]
    assert client.get(_url(entry)).get_json()["title"] == "Pixel 8"


def test_patch_with_nothing_new_stores_nothing(client, entry, user):
    """A PATCH that changes nothing keeps the version and adds no revision."""
    response = client.patch(_url(entry), headers={**user.bearer, "If-Match": entry["etag"]},
                            json={"title": "Pixel 8"})
    assert response.status_code == 200 and response.get_json()["version"] == 1
    assert response.headers["ETag"] == entry["etag"]
    assert client.get(f"{_url(entry)}/revisions").get_json()["_meta"]["total"] == 1


def test_put_replaces_the_entry(client, entry, user):
    """PUT replaces fields and attributes: what the body leaves out is removed."""
    response = client.put(_url(entry), headers={**user.bearer, "If-Match": entry["etag"]},
                          json={"title": "Pixel 8 (2023)", "category": "phones",
                                "attributes": {"weight": "188 g", "stars": 4}})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["title"] == "Pixel 8 (2023)" and body["summary"] == ""
    assert set(body["attributes"]) == {"weight", "stars"} and body["version"] == 2
    assert body["slug"] == entry["slug"]


@pytest.mark.parametrize("missing", ["title", "category"])
def test_put_needs_the_whole_entry(client, entry, user, missing):
    """A PUT without title or category is a 400 naming it (PUT is not PATCH)."""
    body = {"title": "T", "category": "phones"}
    del body[missing]
    response = client.put(_url(entry), headers={**user.bearer, "If-Match": entry["etag"]},
                          json=body)
    assert response.status_code == 400 and missing in response.get_json()["errors"]


def test_delete_is_for_admins(client, entry, user, admin):
    """A user's DELETE is 403 and keeps the entry; an admin's is 204 and the entry is gone."""
    headers = {"If-Match": entry["etag"]}
    refused = client.delete(_url(entry), headers={**user.bearer, **headers})
    assert refused.status_code == 403
    assert client.get(_url(entry)).status_code == 200
    done = client.delete(_url(entry), headers={**admin.bearer, **headers})
    assert done.status_code == 204 and done.data == b""
    assert client.get(_url(entry)).status_code == 404
    listed = client.get(f"{API}/categories").get_json()["_items"]
    assert {c["slug"]: c["entry_count"] for c in listed}["phones"] == 0


def test_delete_needs_credentials(client, entry):
    """An anonymous DELETE is 401, not 403, and the entry stays."""
    response = client.delete(_url(entry), headers={"If-Match": entry["etag"]})
    assert response.status_code == 401
    assert client.get(_url(entry)).status_code == 200


# -- ETag concurrency -----------------------------------------------------------------------


def test_two_editors_one_etag_exactly_one_wins(app, entry, user, other):
    """Two clients PATCH with the same ETag: one 200, one 412, the winner's value is stored."""
    first, second = app.test_client(), app.test_client()
    etag = first.get(_url(entry)).headers["ETag"]
    assert second.get(_url(entry)).headers["ETag"] == etag
    won = first.patch(_url(entry), headers={**user.bearer, "If-Match": etag},
                      json={"attributes": {"weight": "200 g"}})
    lost = second.patch(_url(entry), headers={**other.bearer, "If-Match": etag},
                        json={"attributes": {"weight": "150 g"}})
    assert (won.status_code, lost.status_code) == (200, 412)
    stored = first.get(_url(entry)).get_json()
    assert stored["attributes"]["weight"]["n"] == 200 and stored["version"] == 2
    assert stored["updated_by"] == user.username
    assert first.get(f"{_url(entry)}/revisions").get_json()["_meta"]["total"] == 2


def test_concurrent_patches_with_one_etag_store_one(app, entry, register):
    """Eight threads PATCH at once with one ETag: one 200, seven 412, one revision added."""
    editors = [register(f"editor{n}") for n in range(8)]
    barrier = threading.Barrier(len(editors))
    results: dict[str, tuple[int, str]] = {}

    def edit(account):
        client = app.test_client()
        barrier.wait()
        response = client.patch(_url(entry), headers={**account.bearer,
                                                      "If-Match": entry["etag"]},
                                json={"title": f"Pixel by {account.username}"})
        results[account.username] = (response.status_code, response.get_json() or {})

    threads = [threading.Thread(target=edit, args=(account,)) for account in editors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(status for status, _ in results.values())
    assert statuses == [200] + [412] * 7
    winner = next(name for name, (status, _) in results.items() if status == 200)
    client = app.test_client()
    stored = client.get(_url(entry)).get_json()
    assert stored["title"] == f"Pixel by {winner}" and stored["version"] == 2
    assert client.get(f"{_url(entry)}/revisions").get_json()["_meta"]["total"] == 2


def _writes(entry: dict) -> list[tuple[str, str, dict | None]]:
    """Every conditional write of the API as (method, path, body)."""
    url = _url(entry)
    return [
        ("PATCH", url, {"title": "Changed"}),
        ("PUT", url, {"title": "Changed", "category": "phones"}),
        ("DELETE", url, None),
        ("PUT", f"{url}/attributes/weight", {"value": "1 kg"}),
        ("DELETE", f"{url}/attributes/weight", None),
        ("POST", f"{url}/revisions/1/revert", None),
        ("PATCH", f"{API}/attributes/weight", {"label": "Mass"}),
        ("DELETE", f"{API}/attributes/stars", None),
    ]


WRITE_IDS = ["patch-entry", "put-entry", "delete-entry", "put-attribute", "delete-attribute",
             "revert", "patch-definition", "delete-definition"]


@pytest.fixture
def edited_entry(client, entry, user):
    """The entry at version 2 (so a revert to 1 is a real change)."""
    response = client.patch(_url(entry), headers={**user.bearer, "If-Match": entry["etag"]},
                            json={"summary": "v2"})
    assert response.status_code == 200
    return {**response.get_json(), "etag": response.headers["ETag"]}


def _state(client, entry):
    """What a conditional write could have changed."""
    return (client.get(_url(entry)).get_json(), client.get(f"{API}/attributes/weight").get_json(),
            client.get(f"{API}/attributes/stars").status_code)


@pytest.mark.parametrize("index", range(8), ids=WRITE_IDS)
@pytest.mark.parametrize(("if_match", "status"), [
    (None, 428), ("*", 428), ('"stale"', 412), ('W/"weak"', 412), ("", 428),
])
def test_conditional_writes_need_a_current_if_match(client, edited_entry, admin, index,
                                                    if_match, status):
    """Without If-Match (or with ``*``) a write is 428; with a stale ETag 412; nothing changes."""
    method, path, body = _writes(edited_entry)[index]
    before = _state(client, edited_entry)
    headers = dict(admin.bearer)
    if if_match is not None:
        headers["If-Match"] = if_match
    response = client.open(path, method=method, headers=headers, json=body)
    assert response.status_code == status, response.get_json()
    assert _state(client, edited_entry) == before


@pytest.mark.parametrize("index", range(8), ids=WRITE_IDS)
def test_conditional_writes_succeed_with_the_current_etag(client, edited_entry, admin, index):
    """The same writes succeed with the ETag just read (so the 428/412 above are not noise)."""
    method, path, body = _writes(edited_entry)[index]
    read = client.get(path.removesuffix("/revisions/1/revert"))
    assert read.status_code == 200
    response = client.open(path, method=method, json=body,
                           headers={**admin.bearer, "If-Match": read.headers["ETag"]})
    assert response.status_code in (200, 204), response.get_json()


def test_an_etag_of_another_entry_is_stale(client, make_entry, user):
    """If-Match with another entry's current ETag is 412: ETags name one resource's state."""
    first, second = make_entry("Phone A"), make_entry("Phone B")
    response = client.patch(_url(first), headers={**user.bearer, "If-Match": second["etag"]},
                            json={"title": "X"})
    assert response.status_code == 412


@pytest.mark.parametrize("slug", ["pixel-8", "an imported slug/é?#%"])
def test_entry_links_are_the_routes_addresses(app, slug):
    from flask import url_for

    from app.api.representations import entry_json

    doc = {"_id": ObjectId(), "slug": slug, "title": "T", "category": "phones", "version": 1}
    with app.test_request_context("/api/v1/entries", base_url="http://example.org/prefix"):
        links = entry_json(doc, {})["_links"]
        assert links["self"]["href"] == url_for("api.entry", ident=slug)
        assert links["attributes"]["href"] == url_for("api.entry_attributes", ident=slug)
        assert links["revisions"]["href"] == url_for("api.revisions", ident=slug)
        assert links["self"]["href"].startswith("/prefix/api/v1/entries/")
