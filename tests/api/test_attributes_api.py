"""/api/v1/entries/<id>/attributes[/<key>]: one entry's attribute values."""

from __future__ import annotations

import pytest

from .conftest import API


def _attrs(entry: dict) -> str:
    return f"{API}/entries/{entry['slug']}/attributes"


def test_list_in_page_order_with_labels_types_and_text(client, entry):
    """GET lists every value in page order (definition order) with label, type, group, text."""
    response = client.get(_attrs(entry))
    assert response.status_code == 200
    body = response.get_json()
    assert [item["key"] for item in body["_items"]] == ["screen", "chip", "weight", "five_g"]
    weight = body["_items"][2]
    assert (weight["label"], weight["type"], weight["group"]) == ("Weight", "number", "Body")
    assert weight["n"] == 187 and "187" in weight["text"]
    assert weight["_links"]["self"]["href"] == f"{_attrs(entry)}/weight"
    assert body["_meta"]["total"] == 4 and response.headers["X-Total-Count"] == "4"
    assert response.headers["ETag"] == entry["etag"]
    again = client.get(_attrs(entry), headers={"If-None-Match": entry["etag"]})
    assert again.status_code == 304


def test_list_pages(client, entry):
    """``per_page`` and ``page`` cut the list; out-of-range values are a 400."""
    second = client.get(f"{_attrs(entry)}?per_page=3&page=2").get_json()
    assert [item["key"] for item in second["_items"]] == ["five_g"]
    for bad in ("per_page=0", "per_page=101", "page=0", "page=x", "page=1&page=2", "page=²",
                "page=" + "9" * 5000, "per_page=-1", "page=1.0", "page=%201"):
        assert client.get(f"{_attrs(entry)}?{bad}").status_code == 400


def test_list_of_an_unknown_entry_is_404(client, catalog):
    """Attributes of an entry that does not exist: 404."""
    assert client.get(f"{API}/entries/nope/attributes").status_code == 404


def test_post_adds_a_value_201(client, entry, user):
    """POST adds an attribute: 201, Location, the entry's new ETag, and a new version."""
    response = client.post(_attrs(entry), headers=user.bearer,
                           json={"key": "stars", "value": 4, "comment": "my rating"})
    assert response.status_code == 201, response.get_json()
    assert response.headers["Location"].endswith(f"{_attrs(entry)}/stars")
    assert response.get_json()["value"] == 4 and response.get_json()["type"] == "rating"
    current = client.get(f"{API}/entries/{entry['slug']}")
    assert current.get_json()["version"] == 2
    assert response.headers["ETag"] == current.headers["ETag"] != entry["etag"]


def test_post_defines_a_new_attribute_from_its_label(client, entry, user):
    """POST with a label and type but no key defines the attribute under a key from the label."""
    response = client.post(_attrs(entry), headers=user.bearer,
                           json={"label": "Battery size", "type": "number",
                                 "value": "4575 mAh", "better": "higher", "group": "Power"})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["key"] == "battery_size"
    definition = client.get(f"{API}/attributes/battery_size").get_json()
    assert (definition["unit"], definition["group"]) == ("mAh", "Power")


def test_post_an_existing_key_is_409(client, entry, user):
    """POST of a key the entry has already is a 409 (PUT changes it); nothing changes."""
    response = client.post(_attrs(entry), headers=user.bearer,
                           json={"key": "weight", "value": "1 kg"})
    assert response.status_code == 409 and "key" in response.get_json()["errors"]
    assert client.get(f"{_attrs(entry)}/weight").get_json()["n"] == 187


def test_post_with_a_stale_if_match_is_412(client, entry, user):
    """If-Match is optional on POST, but a stale one is still refused."""
    response = client.post(_attrs(entry), headers={**user.bearer, "If-Match": '"old"'},
                           json={"key": "stars", "value": 4})
    assert response.status_code == 412
    assert client.get(f"{_attrs(entry)}/stars").status_code == 404


@pytest.mark.parametrize(("body", "field"), [
    ({"key": "stars"}, "value"),
    ({"key": "stars", "value": 9}, "stars"),
    ({"key": "fresh", "value": "x"}, "type"),
    ({"value": "x", "type": "text"}, "key"),
    ({"key": "Bad Key", "value": "x", "type": "text"}, "key"),
    ({"key": "fresh", "value": "x", "type": "colour"}, "type"),
    ({"key": "stars", "value": 3, "type": "number"}, "type"),
    ({"key": "fresh", "value": "x", "type": "text", "better": "higher"}, "better"),
    ({"key": "fresh", "value": "1", "type": "number", "unit": "parsecs-ish"}, "unit"),
    ({"key": "stars", "value": 4, "version": 3}, "version"),
])
def test_post_refuses_bad_values_naming_the_field(client, entry, user, body, field):
    """An attribute that cannot be stored is a 400 naming the field; the entry is unchanged."""
    response = client.post(_attrs(entry), headers=user.bearer, json=body)
    assert response.status_code == 400, response.get_json()
    assert field in response.get_json().get("errors", {}), response.get_json()
    assert client.get(f"{API}/entries/{entry['slug']}").get_json()["version"] == 1


def test_get_one_value_with_the_entry_etag(client, entry):
    """GET one attribute: its value and text, tagged with the entry's ETag; 304 works."""
    response = client.get(f"{_attrs(entry)}/screen")
    assert response.status_code == 200
    body = response.get_json()
    assert (body["key"], body["value"], body["unit"], body["text"]) == ("screen", 6.2, "in",
                                                                       "6.2 in")
    assert response.headers["ETag"] == entry["etag"]
    cached = client.get(f"{_attrs(entry)}/screen", headers={"If-None-Match": entry["etag"]})
    assert cached.status_code == 304


@pytest.mark.parametrize("path", ["/entries/pixel-8/attributes/stars",
                                  "/entries/pixel-8/attributes/nope",
                                  "/entries/nope/attributes/weight"])
def test_missing_value_is_404(client, entry, path):
    """A key the entry lacks, an undefined key, or an unknown entry: 404."""
    assert client.get(API + path).status_code == 404


def test_put_changes_a_value_with_unit_conversion(client, entry, user):
    """PUT with If-Match changes the value; another unit is converted to the canonical one."""
    response = client.put(f"{_attrs(entry)}/weight",
                          headers={**user.bearer, "If-Match": entry["etag"]},
                          json={"value": "0.2 kg", "comment": "weighed again"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["n"] == pytest.approx(200)
    revisions = client.get(f"{API}/entries/{entry['slug']}/revisions").get_json()["_items"]
    assert revisions[0]["comment"] == "weighed again"
    assert revisions[0]["changes"][0]["key"] == "attr.weight"


def test_put_a_new_key_is_201(client, entry, user):
    """PUT of a key the entry lacks creates it: 201 with Location."""
    response = client.put(f"{_attrs(entry)}/stars",
                          headers={**user.bearer, "If-Match": entry["etag"]}, json={"value": 5})
    assert response.status_code == 201 and response.headers["Location"].endswith("/stars")


@pytest.mark.parametrize(("body", "status"), [
    ({"value": "heavy"}, 400),
    ({"value": "3 GB"}, 400),
    ({}, 400),
    ({"value": "1 kg", "key": "screen"}, 400),
])
def test_put_refuses_values_that_do_not_fit(client, entry, user, body, status):
    """A value of the wrong kind or unit, no value, or a key in the body: 400, nothing stored."""
    response = client.put(f"{_attrs(entry)}/weight",
                          headers={**user.bearer, "If-Match": entry["etag"]}, json=body)
    assert response.status_code == status
    assert client.get(f"{_attrs(entry)}/weight").get_json()["n"] == 187


def test_delete_removes_a_value(client, entry, user):
    """DELETE with If-Match is 204; the value is gone and the entry has a new version."""
    response = client.delete(f"{_attrs(entry)}/chip",
                             headers={**user.bearer, "If-Match": entry["etag"]})
    assert response.status_code == 204
    assert client.get(f"{_attrs(entry)}/chip").status_code == 404
    current = client.get(f"{API}/entries/{entry['slug']}").get_json()
    assert current["version"] == 2 and "chip" not in current["attributes"]


def test_delete_a_missing_value_is_404(client, entry, user):
    """DELETE of a key the entry lacks: 404, no new version."""
    response = client.delete(f"{_attrs(entry)}/stars",
                             headers={**user.bearer, "If-Match": entry["etag"]})
    assert response.status_code == 404
    assert client.get(f"{API}/entries/{entry['slug']}").get_json()["version"] == 1


@pytest.mark.parametrize(("method", "path"), [
    ("POST", ""), ("PUT", "/weight"), ("DELETE", "/weight"),
])
def test_writes_need_credentials(client, entry, method, path):
    """Anonymous attribute writes are 401 and change nothing."""
    response = client.open(_attrs(entry) + path, method=method, json={"key": "stars",
                                                                      "value": 3},
                           headers={"If-Match": entry["etag"]})
    assert response.status_code == 401
    assert client.get(f"{API}/entries/{entry['slug']}").get_json()["version"] == 1


# -- no silent overwrite (issue 13, item 4) ------------------------------------------------


def test_adding_an_attribute_the_entry_has_is_a_409_naming_its_value(client, entry, user):
    """POST …/attributes with a key the entry has: 409 with the current value; unchanged."""
    response = client.post(f"{API}/entries/pixel-8/attributes", headers=user.bearer,
                           json={"key": "weight", "value": "0.2 kg"})
    assert response.status_code == 409
    problem = response.get_json()
    assert problem["detail"].startswith("Weight is already 187 g.")
    assert "PUT /api/v1/entries/pixel-8/attributes/weight" in problem["detail"]
    assert problem["errors"] == {"key": "Weight is already 187 g."}
    assert problem["current"] == {"value": 187, "unit": "g", "n": 187.0, "text": "187 g"}
    after = client.get(f"{API}/entries/pixel-8")
    assert after.get_json()["attributes"]["weight"]["text"] == "187 g"
    assert after.headers["ETag"] == entry["etag"]
    replaced = client.put(f"{API}/entries/pixel-8/attributes/weight",
                          headers={**user.bearer, "If-Match": entry["etag"]},
                          json={"value": "0.2 kg"})
    assert replaced.status_code == 200 and replaced.get_json()["text"] == "0.2 kg"


@pytest.mark.parametrize("label", ["weight", "WEIGHT", " Weight ", "weight!"])
def test_a_label_that_folds_to_an_existing_one_is_the_same_attribute(client, entry, user,
                                                                     label):
    """A label equal to a defined one after folding case and punctuation names it: 409."""
    response = client.post(f"{API}/entries/pixel-8/attributes", headers=user.bearer,
                           json={"label": label, "value": "1 kg"})
    assert response.status_code == 409
    assert response.get_json()["current"]["text"] == "187 g"


def test_a_screen_size_label_finds_screen_size_by_folding(client, entry, user):
    """"screen-size" folds to "Screen size": the entry's screen, a 409."""
    response = client.post(f"{API}/entries/pixel-8/attributes", headers=user.bearer,
                           json={"label": "screen-size", "value": "6.1 in"})
    assert response.status_code == 409
    assert response.get_json()["errors"] == {"key": "Screen size is already 6.2 in."}


def test_a_label_never_matches_by_prefix(client, repos, entry, user):
    """"Battery" is not "Battery capacity": a new attribute with a key of its own."""
    from app.domain.definitions import validate_definition

    repos.definitions.insert(validate_definition(
        {"key": "battery", "label": "Battery capacity", "type": "number", "unit": "mAh"}),
        "tester")
    etag = client.get(f"{API}/entries/pixel-8").headers["ETag"]
    assert client.put(f"{API}/entries/pixel-8/attributes/battery", json={"value": "4575 mAh"},
                      headers={**user.bearer, "If-Match": etag}).status_code == 201
    untyped = client.post(f"{API}/entries/pixel-8/attributes", headers=user.bearer,
                          json={"label": "Battery", "value": "good"})
    assert untyped.status_code == 400 and "type" in untyped.get_json()["errors"]
    response = client.post(f"{API}/entries/pixel-8/attributes", headers=user.bearer,
                           json={"label": "Battery", "value": "good", "type": "text"})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["key"] == "battery_2"
    assert response.headers["Location"].endswith("/attributes/battery_2")
    shown = client.get(f"{API}/entries/pixel-8").get_json()["attributes"]
    assert shown["battery"]["text"] == "4575 mAh" and shown["battery_2"]["text"] == "good"
    assert client.get(f"{API}/attributes/battery_2").get_json()["label"] == "Battery"
