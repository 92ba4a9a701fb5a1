"""/api/v1/attributes[/<key>] (typed definitions) and /api/v1/categories."""

from __future__ import annotations

import pytest

from .conftest import API

DEFINITION_KEYS = {"key", "label", "type", "unit", "better", "group", "order", "description",
                   "label_zh", "group_zh", "description_zh", "version", "updated_by",
                   "updated_at", "comment", "_links"}


def _post(client, account, **fields):
    return client.post(f"{API}/attributes", headers=account.bearer, json=fields)


def test_list_in_page_order(client, catalog):
    """GET /attributes lists every definition by group, then order, with versions."""
    response = client.get(f"{API}/attributes")
    assert response.status_code == 200
    items = response.get_json()["_items"]
    assert [item["key"] for item in items] == ["weight", "colors", "five_g", "screen", "stars",
                                               "chip"]
    assert set(items[0]) == DEFINITION_KEYS and items[0]["version"] == 1
    assert response.headers["X-Total-Count"] == "6"
    page = client.get(f"{API}/attributes?per_page=4&page=2").get_json()
    assert [item["key"] for item in page["_items"]] == ["stars", "chip"]


def test_post_defines_an_attribute(client, catalog, user):
    """POST /attributes: 201 with Location and ETag; GET has the same ETag and a 304."""
    response = _post(client, user, key="battery", label="Battery", type="number",
                     unit="mAh", better="higher", group="Power", order=600,
                     description="Capacity.")
    assert response.status_code == 201, response.get_json()
    assert response.headers["Location"].endswith(f"{API}/attributes/battery")
    body = response.get_json()
    assert (body["unit"], body["version"], body["better"]) == ("mAh", 1, "higher")
    read = client.get(response.headers["Location"])
    assert read.status_code == 200 and read.headers["ETag"] == response.headers["ETag"]
    assert client.get(response.headers["Location"],
                      headers={"If-None-Match": read.headers["ETag"]}).status_code == 304


def test_post_makes_the_key_from_the_label(client, catalog, user):
    """Without a key, the key comes from the label."""
    response = _post(client, user, label="Refresh rate", type="number", unit="Hz")
    assert response.status_code == 201 and response.get_json()["key"] == "refresh_rate"


def test_post_a_taken_key_is_409(client, catalog, user):
    """A key that is defined already is a 409 naming ``key``."""
    response = _post(client, user, key="weight", label="Weight 2", type="text")
    assert response.status_code == 409 and "key" in response.get_json()["errors"]


@pytest.mark.parametrize(("fields", "field"), [
    ({"type": "text"}, "label"),
    ({"label": "X"}, "type"),
    ({"label": "X", "type": "colour"}, "type"),
    ({"label": "X", "type": "text", "key": "Bad-Key"}, "key"),
    ({"label": "X", "type": "text", "unit": "g"}, "unit"),
    ({"label": "X", "type": "number", "unit": "furlongs-ish"}, "unit"),
    ({"label": "X", "type": "text", "better": "higher"}, "better"),
    ({"label": "X", "type": "number", "better": "more"}, "better"),
    ({"label": "X", "type": "text", "order": 1.5}, "order"),
    ({"label": "X" * 61, "type": "text"}, "label"),
    ({"label": "X", "type": "text", "version": 4}, "version"),
    ({"label": "X", "type": "text", "created_by": "eve"}, "created_by"),
])
def test_post_refuses_bad_definitions(client, catalog, user, fields, field):
    """A definition that cannot be stored is a 400 naming the field, and nothing is stored."""
    response = _post(client, user, **fields)
    assert response.status_code == 400
    assert field in response.get_json().get("errors", {}), response.get_json()
    assert client.get(f"{API}/attributes").get_json()["_meta"]["total"] == 6


def test_post_needs_credentials(client, catalog):
    """Anonymous definitions are refused with 401."""
    response = client.post(f"{API}/attributes", json={"label": "X", "type": "text"})
    assert response.status_code == 401


def test_patch_with_if_match_bumps_the_version(client, catalog, user):
    """PATCH with the current ETag changes label/group/order/better/description: new ETag."""
    etag = client.get(f"{API}/attributes/weight").headers["ETag"]
    response = client.patch(f"{API}/attributes/weight", headers={**user.bearer, "If-Match": etag},
                            json={"label": "Mass", "group": "Physical", "order": 5,
                                  "better": "none", "description": "Without case.",
                                  "type": "number", "unit": "g", "key": "weight"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["label"], body["group"], body["order"], body["version"]) == \
        ("Mass", "Physical", 5, 2)
    assert response.headers["ETag"] != etag
    stale = client.patch(f"{API}/attributes/weight", headers={**user.bearer, "If-Match": etag},
                         json={"label": "Heaviness"})
    assert stale.status_code == 412
    assert client.get(f"{API}/attributes/weight").get_json()["label"] == "Mass"


@pytest.mark.parametrize(("fields", "field"), [
    ({"type": "text"}, "type"),
    ({"unit": "kg"}, "unit"),
    ({"key": "mass"}, "key"),
    ({"label": ""}, "label"),
    ({"better": "higher", "order": "x"}, "order"),
    ({"version": 9}, "version"),
])
def test_patch_cannot_change_type_unit_or_key(client, catalog, user, fields, field):
    """The type, the canonical unit and the key stay (400 naming them); bad values too."""
    etag = client.get(f"{API}/attributes/weight").headers["ETag"]
    response = client.patch(f"{API}/attributes/weight", headers={**user.bearer, "If-Match": etag},
                            json=fields)
    assert response.status_code == 400 and field in response.get_json()["errors"]
    after = client.get(f"{API}/attributes/weight")
    assert after.headers["ETag"] == etag and after.get_json()["unit"] == "g"


def test_patch_an_unknown_definition_is_404(client, catalog, user):
    """PATCH of a key nobody defined: 404."""
    response = client.patch(f"{API}/attributes/nope", headers={**user.bearer, "If-Match": '"x"'},
                            json={"label": "X"})
    assert response.status_code == 404


def test_delete_in_use_is_409(client, entry, admin):
    """An admin cannot delete a definition entries still use: 409, and it stays."""
    etag = client.get(f"{API}/attributes/weight").headers["ETag"]
    response = client.delete(f"{API}/attributes/weight",
                             headers={**admin.bearer, "If-Match": etag})
    assert response.status_code == 409 and "1" in response.get_json()["detail"]
    assert client.get(f"{API}/attributes/weight").status_code == 200


def test_delete_is_for_admins(client, catalog, user, admin):
    """A user's DELETE of an unused definition is 403; an admin's is 204 and it is gone."""
    etag = client.get(f"{API}/attributes/stars").headers["ETag"]
    refused = client.delete(f"{API}/attributes/stars", headers={**user.bearer, "If-Match": etag})
    assert refused.status_code == 403
    done = client.delete(f"{API}/attributes/stars", headers={**admin.bearer, "If-Match": etag})
    assert done.status_code == 204
    assert client.get(f"{API}/attributes/stars").status_code == 404


def test_categories_with_entry_counts(client, make_entry):
    """GET /categories lists each category with its entry count and links."""
    make_entry("Pixel 8")
    make_entry("Pixel 9")
    make_entry("ThinkPad X1", "laptops")
    response = client.get(f"{API}/categories")
    assert response.status_code == 200
    items = response.get_json()["_items"]
    assert [(c["slug"], c["name"], c["entry_count"]) for c in items] == [
        ("laptops", "Laptops", 1), ("phones", "Phones", 2)]
    assert items[1]["_links"]["entries"]["href"] == f"{API}/entries?category=phones"
    assert response.headers["X-Total-Count"] == "2"
    page = client.get(f"{API}/categories?per_page=1&page=2").get_json()
    assert [c["slug"] for c in page["_items"]] == ["phones"]


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_the_category_list_takes_only_get_and_post(client, catalog, admin, method):
    """The list of categories answers GET and POST: other methods are a 405 with Allow."""
    response = client.open(f"{API}/categories", method=method, headers=admin.bearer, json={})
    assert response.status_code == 405 and "GET" in response.headers["Allow"]


def test_patch_takes_the_chinese_description_and_an_edit_summary(client, catalog, user):
    """``description_zh`` and ``comment`` travel through PATCH; the answer (and every read)
    says who changed it last, when and why, and links the attributes page."""
    etag = client.get(f"{API}/attributes/weight").headers["ETag"]
    response = client.patch(f"{API}/attributes/weight",
                            headers={**user.bearer, "If-Match": etag},
                            json={"description": "Without a case.",
                                  "description_zh": "不含保护壳。", "comment": "both languages"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["description_zh"], body["comment"], body["updated_by"], body["version"]) == (
        "不含保护壳。", "both languages", "carol", 2)
    assert body["updated_at"].endswith("Z")
    assert body["_links"]["html"]["href"] == "/attributes#def-weight"
    read = client.get(f"{API}/attributes/weight")
    assert read.get_json() == body and read.headers["ETag"] == response.headers["ETag"]
    created = client.post(f"{API}/attributes", headers=user.bearer, json={
        "label": "Battery", "type": "number", "unit": "mAh", "description_zh": "电池容量。"})
    assert created.status_code == 201
    assert created.get_json()["description_zh"] == "电池容量。"


@pytest.mark.parametrize(("fields", "field"), [
    ({"description_zh": "长" * 501}, "description_zh"), ({"description_zh": 5}, "description_zh"),
    ({"comment": "x" * 501}, "comment"), ({"comment": 5}, "comment")])
def test_patch_refuses_a_bad_chinese_description_or_summary(client, catalog, user, fields,
                                                            field):
    """400 naming the field; the definition keeps its version."""
    etag = client.get(f"{API}/attributes/weight").headers["ETag"]
    response = client.patch(f"{API}/attributes/weight",
                            headers={**user.bearer, "If-Match": etag}, json=fields)
    assert response.status_code == 400
    assert field in response.get_json()["errors"]
    assert client.get(f"{API}/attributes/weight").get_json()["version"] == 1
