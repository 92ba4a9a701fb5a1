"""/api/v1/entries/<id>/revisions: history newest first, one version, diff, revert."""

from __future__ import annotations

import pytest

from .conftest import API


@pytest.fixture
def history(client, entry, user):
    """The entry edited twice: version 1 (created), 2 (weight), 3 (title and chip removed)."""
    url = f"{API}/entries/{entry['slug']}"
    etag = entry["etag"]
    for body in ({"attributes": {"weight": "190 g"}, "comment": "scales"},
                 {"title": "Pixel Eight", "attributes": {"chip": None}}):
        response = client.patch(url, headers={**user.bearer, "If-Match": etag}, json=body)
        assert response.status_code == 200, response.get_json()
        etag = response.headers["ETag"]
    return {**entry, "etag": etag, "url": url}


def test_list_is_newest_first(client, history):
    """GET revisions: newest first, with user, action, comment, changes and ISO times."""
    response = client.get(f"{history['url']}/revisions")
    assert response.status_code == 200
    items = response.get_json()["_items"]
    assert [item["version"] for item in items] == [3, 2, 1]
    assert [item["action"] for item in items] == ["edit", "edit", "create"]
    assert items[1]["comment"] == "scales" and items[1]["user"] == "carol"
    assert items[0]["at"].endswith("Z") and items[0]["entry_id"] == history["id"]
    change = items[1]["changes"][0]
    assert change["key"] == "attr.weight"
    assert (change["before"]["n"], change["after"]["n"]) == (187, 190)


def test_list_pages(client, history):
    """Revisions page like every list (per_page, next link, X-Total-Count)."""
    response = client.get(f"{history['url']}/revisions?per_page=2&page=2")
    assert [item["version"] for item in response.get_json()["_items"]] == [1]
    assert response.headers["X-Total-Count"] == "3"


def test_one_version_with_etag(client, history):
    """GET one version: its changes, a strong ETag, and 304 on If-None-Match."""
    response = client.get(f"{history['url']}/revisions/2")
    assert response.status_code == 200 and response.get_json()["version"] == 2
    etag = response.headers["ETag"]
    again = client.get(f"{history['url']}/revisions/2", headers={"If-None-Match": etag})
    assert again.status_code == 304


@pytest.mark.parametrize("path", ["/revisions/9", "/revisions/0", "/revisions/x"])
def test_unknown_version_is_404(client, history, path):
    """A version the entry never had (or not a number) is a 404 problem."""
    assert client.get(history["url"] + path).status_code == 404


def test_diff_between_two_versions(client, history):
    """``diff?from=1&to=3`` lists what turns version 1 into version 3, and back the other way."""
    response = client.get(f"{history['url']}/revisions/diff?from=1&to=3")
    assert response.status_code == 200
    body = response.get_json()
    assert (body["from"], body["to"]) == (1, 3)
    changes = {change["key"]: change for change in body["changes"]}
    assert set(changes) == {"title", "attr.weight", "attr.chip"}
    assert changes["title"]["before"] == "Pixel 8" and changes["title"]["after"] == "Pixel Eight"
    assert changes["attr.chip"]["after"] is None
    back = client.get(f"{history['url']}/revisions/diff?from=3&to=1").get_json()
    assert {c["key"]: c["after"] for c in back["changes"]}["title"] == "Pixel 8"


@pytest.mark.parametrize("query", ["", "from=1", "to=2", "from=a&to=2", "from=0&to=2",
                                   "from=1&to=2&to=3", "from=1&to=2&extra=1", "from=²&to=1",
                                   "from=1&to=" + "9" * 5000, "from=-1&to=2"])
def test_diff_needs_two_version_numbers(client, history, query):
    """A diff without exactly one ``from`` and one ``to`` number is a 400."""
    response = client.get(f"{history['url']}/revisions/diff?{query}")
    assert response.status_code == 400


def test_diff_to_an_unknown_version_is_400(client, history):
    """A diff naming a version the entry never had is a 400 that says which."""
    response = client.get(f"{history['url']}/revisions/diff?from=1&to=9")
    assert response.status_code == 400 and "9" in response.get_json()["detail"]


def test_revert_creates_a_new_version(client, history, user):
    """Revert to 1 stores version 4 equal to version 1 (history kept), as a 'revert' revision."""
    response = client.post(f"{history['url']}/revisions/1/revert",
                           headers={**user.bearer, "If-Match": history["etag"]},
                           json={"comment": "vandalism"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["version"] == 4 and body["title"] == "Pixel 8"
    assert body["attributes"]["weight"]["n"] == 187
    assert body["attributes"]["chip"]["value"] == "Tensor G3"
    assert response.headers["ETag"] != history["etag"]
    items = client.get(f"{history['url']}/revisions").get_json()["_items"]
    assert [i["version"] for i in items] == [4, 3, 2, 1]
    assert items[0]["action"] == "revert" and items[0]["comment"] == "vandalism"


def test_revert_without_body_gets_a_default_comment(client, history, user):
    """A revert without a body is fine and says which version it brought back."""
    response = client.post(f"{history['url']}/revisions/2/revert",
                           headers={**user.bearer, "If-Match": history["etag"]})
    assert response.status_code == 200
    latest = client.get(f"{history['url']}/revisions/4").get_json()
    assert "2" in latest["comment"]


def test_revert_needs_credentials(client, history):
    """An anonymous revert is 401 and stores nothing."""
    response = client.post(f"{history['url']}/revisions/1/revert",
                           headers={"If-Match": history["etag"]})
    assert response.status_code == 401
    assert client.get(history["url"]).get_json()["version"] == 3


def test_revert_to_an_unknown_version_is_404(client, history, user):
    """Reverting to a version that never existed is a 404."""
    response = client.post(f"{history['url']}/revisions/9/revert",
                           headers={**user.bearer, "If-Match": history["etag"]})
    assert response.status_code == 404 and "9" in response.get_json()["detail"]
    assert client.get(history["url"]).get_json()["version"] == 3
