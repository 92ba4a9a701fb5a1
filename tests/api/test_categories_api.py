"""``/api/v1/categories``: categories as wiki content — create, change, merge, delete."""

from __future__ import annotations

import pytest

from .conftest import API

CATEGORY_KEYS = {"slug", "name", "description", "entry_count", "name_zh", "description_zh",
                 "parent", "attributes", "version", "_links"}


def create(client, account, **body):
    return client.post(f"{API}/categories", headers=account.bearer, json=body)


def test_any_editor_creates_a_category(client, catalog, user):
    """POST as an editor: 201 with Location, ETag and the category; the slug from the name."""
    response = create(client, user, name="Flip phones", name_zh="翻盖手机", parent="phones",
                      description="Phones that fold.", attributes=["weight",
                                                                   {"key": "screen",
                                                                    "group": "Inside"}])
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert set(body) == CATEGORY_KEYS
    assert response.headers["Location"] == f"{API}/categories/flip-phones"
    assert response.headers["ETag"]
    assert (body["slug"], body["name"], body["name_zh"], body["parent"], body["version"],
            body["entry_count"]) == ("flip-phones", "Flip phones", "翻盖手机", "phones", 1, 0)
    assert body["attributes"] == [{"key": "weight", "group": ""},
                                  {"key": "screen", "group": "Inside"}]
    listed = client.get(f"{API}/categories").get_json()["_items"]
    assert [c["slug"] for c in listed] == ["flip-phones", "laptops", "phones"]
    got = client.get(f"{API}/categories/flip-phones")
    assert got.status_code == 200 and got.get_json() == body
    assert got.headers["ETag"] == response.headers["ETag"]
    again = client.get(f"{API}/categories/flip-phones",
                       headers={"If-None-Match": got.headers["ETag"]})
    assert again.status_code == 304


def test_writing_categories_needs_credentials(client, catalog):
    """Anonymous writes are a 401 and create nothing."""
    assert client.post(f"{API}/categories", json={"name": "Tablets"}).status_code == 401
    assert client.get(f"{API}/categories/tablets").status_code == 404


@pytest.mark.parametrize(("body", "field"), [
    ({}, "name"),
    ({"name": "   "}, "name"),
    ({"name": "x" * 61}, "name"),
    ({"name": "Tablets", "slug": "Bad Slug"}, "slug"),
    ({"name": "Tablets", "parent": "nowhere"}, "parent"),
    ({"name": "Tablets", "attributes": ["ghost"]}, "attributes"),
    ({"name": "Tablets", "attributes": ["weight", "weight"]}, "attributes"),
    ({"name": "Tablets", "attributes": "weight"}, "attributes"),
    ({"name": "Tablets", "attributes": [{"key": "weight", "colour": "red"}]}, "attributes"),
    ({"name": "Tablets", "name_zh": 5}, "name_zh"),
    ({"name": "Tablets", "entry_count": 5}, "entry_count"),
])
def test_bad_categories_are_refused_naming_the_field(client, catalog, user, body, field):
    """A 400 names the field; nothing is created."""
    response = create(client, user, **body)
    assert response.status_code == 400
    assert field in response.get_json()["errors"]
    assert client.get(f"{API}/categories").get_json()["_meta"]["total"] == 2


def test_a_taken_slug_is_a_conflict(client, catalog, user):
    """Creating 'Phones' again (the same slug) is a 409 naming the slug."""
    response = create(client, user, name="Phones")
    assert response.status_code == 409
    assert set(response.get_json()["errors"]) == {"slug"}


def test_editors_change_descriptions_admins_rename(client, catalog, user, admin):
    """PATCH: an editor changes the description (200), not the name (403); an admin may."""
    etag = client.get(f"{API}/categories/phones").headers["ETag"]
    response = client.patch(f"{API}/categories/phones", json={
        "description_zh": "各家的智能手机。", "attributes": ["weight"]},
        headers={**user.bearer, "If-Match": etag})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["description_zh"] == "各家的智能手机。" and body["version"] == 2
    assert response.headers["ETag"] != etag
    refused = client.patch(f"{API}/categories/phones", json={"name": "Mobiles"},
                           headers={**user.bearer, "If-Match": response.headers["ETag"]})
    assert refused.status_code == 403
    stale = client.patch(f"{API}/categories/phones", json={"name": "Mobiles"},
                         headers={**admin.bearer, "If-Match": etag})
    assert stale.status_code == 412
    missing = client.patch(f"{API}/categories/phones", json={"name": "Mobiles"},
                           headers=admin.bearer)
    assert missing.status_code == 428
    renamed = client.patch(f"{API}/categories/phones", json={"name": "Mobiles",
                                                              "name_zh": "手机"},
                           headers={**admin.bearer, "If-Match": response.headers["ETag"]})
    assert renamed.status_code == 200
    assert (renamed.get_json()["name"], renamed.get_json()["slug"]) == ("Mobiles", "phones")
    slug_change = client.patch(f"{API}/categories/phones", json={"slug": "mobiles"},
                               headers={**admin.bearer, "If-Match": renamed.headers["ETag"]})
    assert slug_change.status_code == 400 and "slug" in slug_change.get_json()["errors"]


def test_the_tree_has_no_cycles_and_no_more_than_three_levels(client, catalog, user, admin):
    """A category cannot sit inside itself or its subcategory, nor four levels deep."""
    assert create(client, user, name="Foldables", parent="phones").status_code == 201
    assert create(client, user, name="Flip", parent="foldables").status_code == 201
    too_deep = create(client, user, name="Tiny flip", parent="flip")
    assert too_deep.status_code == 400 and "parent" in too_deep.get_json()["errors"]
    etag = client.get(f"{API}/categories/phones").headers["ETag"]
    loop = client.patch(f"{API}/categories/phones", json={"parent": "flip"},
                        headers={**admin.bearer, "If-Match": etag})
    assert loop.status_code == 400 and "parent" in loop.get_json()["errors"]
    itself = client.patch(f"{API}/categories/phones", json={"parent": "phones"},
                          headers={**admin.bearer, "If-Match": etag})
    assert itself.status_code == 400
    # Moving "foldables" (with "flip" below it) under "laptops" keeps three levels: fine.
    foldables = client.get(f"{API}/categories/foldables")
    moved = client.patch(f"{API}/categories/foldables", json={"parent": "laptops"},
                         headers={**admin.bearer, "If-Match": foldables.headers["ETag"]})
    assert moved.status_code == 200 and moved.get_json()["parent"] == "laptops"
    top = client.patch(f"{API}/categories/foldables", json={"parent": None},
                       headers={**admin.bearer, "If-Match": moved.headers["ETag"]})
    assert top.status_code == 200 and top.get_json()["parent"] is None


def test_only_empty_categories_are_deleted_by_admins(client, catalog, user, admin, make_entry):
    """DELETE: editors 403; a category with entries or subcategories 409; an empty one 204."""
    make_entry("Pixel 8", "phones")
    etag = client.get(f"{API}/categories/phones").headers["ETag"]
    assert client.delete(f"{API}/categories/phones",
                         headers={**user.bearer, "If-Match": etag}).status_code == 403
    used = client.delete(f"{API}/categories/phones", headers={**admin.bearer, "If-Match": etag})
    assert used.status_code == 409 and "merge" in used.get_json()["detail"]
    assert create(client, user, name="Gaming laptops", parent="laptops").status_code == 201
    laptops = client.get(f"{API}/categories/laptops").headers["ETag"]
    parent = client.delete(f"{API}/categories/laptops",
                           headers={**admin.bearer, "If-Match": laptops})
    assert parent.status_code == 409 and "subcategories" in parent.get_json()["detail"]
    gaming = client.get(f"{API}/categories/gaming-laptops").headers["ETag"]
    assert client.delete(f"{API}/categories/gaming-laptops",
                         headers=admin.bearer).status_code == 428
    assert client.delete(f"{API}/categories/gaming-laptops",
                         headers={**admin.bearer, "If-Match": gaming}).status_code == 204
    assert client.get(f"{API}/categories/gaming-laptops").status_code == 404


def test_merge_moves_every_entry_with_its_history(client, catalog, user, admin, make_entry):
    """Merging: each entry moves as one revision, subcategories follow, the source goes."""
    assert create(client, user, name="Mobiles", attributes=["five_g", "weight"]).status_code \
        == 201
    assert create(client, user, name="Old mobiles", parent="mobiles").status_code == 201
    moved = [make_entry(f"Phone {n}", "mobiles") for n in range(3)]
    make_entry("Pixel 8", "phones")
    phones = client.get(f"{API}/categories/phones")
    assert client.patch(f"{API}/categories/phones", json={"attributes": ["weight"]},
                        headers={**user.bearer, "If-Match": phones.headers["ETag"]}
                        ).status_code == 200
    etag = client.get(f"{API}/categories/mobiles").headers["ETag"]
    assert client.post(f"{API}/categories/mobiles/merge", json={"into": "phones"},
                       headers={**user.bearer, "If-Match": etag}).status_code == 403
    bad = client.post(f"{API}/categories/mobiles/merge", json={"into": "mobiles"},
                      headers={**admin.bearer, "If-Match": etag})
    assert bad.status_code == 400 and "into" in bad.get_json()["errors"]
    below = client.post(f"{API}/categories/mobiles/merge", json={"into": "old-mobiles"},
                        headers={**admin.bearer, "If-Match": etag})
    assert below.status_code == 400
    response = client.post(f"{API}/categories/mobiles/merge", json={"into": "phones"},
                           headers={**admin.bearer, "If-Match": etag})
    assert response.status_code == 200, response.get_json()
    target = response.get_json()
    assert target["slug"] == "phones" and target["entry_count"] == 4
    assert [item["key"] for item in target["attributes"]] == ["weight", "five_g"]
    assert client.get(f"{API}/categories/mobiles").status_code == 404
    assert client.get(f"{API}/categories/old-mobiles").get_json()["parent"] == "phones"
    for entry in moved:
        now = client.get(f"{API}/entries/{entry['slug']}").get_json()
        assert (now["category"], now["version"]) == ("phones", 2)
        history = client.get(f"{API}/entries/{entry['slug']}/revisions").get_json()["_items"]
        assert [r["version"] for r in history] == [1, 2] or \
            [r["version"] for r in history] == [2, 1]
        last = max(history, key=lambda r: r["version"])
        assert last["changes"] == [{"key": "category", "before": "mobiles", "after": "phones"}]
        assert last["comment"] == "Category Mobiles merged into Phones"
    assert client.get(f"{API}/entries?category=phones").get_json()["_meta"]["total"] == 4


def test_a_category_stored_before_versions_is_version_one(client, app, catalog, admin):
    """An old document without a version reads as version 1 and takes a change at 1."""
    store = app.extensions["pkyx.store"]
    with store.writing():
        store.db.categories.insert_one({"slug": "old", "name": "Old", "entry_count": 0})
    got = client.get(f"{API}/categories/old")
    assert got.get_json()["version"] == 1
    changed = client.patch(f"{API}/categories/old", json={"description": "From before."},
                           headers={**admin.bearer, "If-Match": got.headers["ETag"]})
    assert changed.status_code == 200 and changed.get_json()["version"] == 2
