"""``POST /api/v1/entries/<ident>/restore``: admins bring a deleted entry back through the
API, as the entry page's Restore button does (same service, same rules)."""

from __future__ import annotations

import pytest

from .conftest import API


@pytest.fixture
def deleted(client, entry, admin) -> dict:
    """``entry`` (pixel-8, version 1) deleted by the admin."""
    response = client.delete(f"{API}/entries/pixel-8",
                             headers={**admin.bearer, "If-Match": entry["etag"]})
    assert response.status_code == 204
    return entry


def test_an_admin_restores_by_slug_with_a_comment(client, deleted, admin, repos):
    """201 with Location and ETag; the entry is its old self (id, slug, attributes), one
    revision more, the comment on it; it is readable again and counted in its category."""
    response = client.post(f"{API}/entries/pixel-8/restore", headers=admin.bearer,
                           json={"comment": "Deleted by mistake"})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert response.headers["Location"].endswith(f"{API}/entries/pixel-8")
    assert (body["id"], body["slug"], body["version"]) == (deleted["id"], "pixel-8", 3)
    assert body["attributes"] == deleted["attributes"]
    read = client.get(f"{API}/entries/pixel-8")
    assert read.status_code == 200 and read.headers["ETag"] == response.headers["ETag"]
    history = client.get(f"{API}/entries/pixel-8/revisions").get_json()["_items"]
    assert [(r["version"], r["action"], r["comment"]) for r in history][:2] == [
        (3, "restore", "Deleted by mistake"), (2, "delete", "")]
    listed = client.get(f"{API}/categories/phones").get_json()
    assert listed["entry_count"] == 1


def test_an_admin_restores_by_id_without_a_body(client, deleted, admin):
    """The id works as well as the slug, and the body is optional."""
    response = client.post(f"{API}/entries/{deleted['id']}/restore", headers=admin.bearer)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["slug"] == "pixel-8"


def test_restore_is_for_admins(client, deleted, user):
    """An editor's restore is a 403 problem and the entry stays deleted; without
    credentials it is a 401."""
    assert client.post(f"{API}/entries/pixel-8/restore", headers=user.bearer).status_code == 403
    assert client.post(f"{API}/entries/pixel-8/restore").status_code == 401
    assert client.get(f"{API}/entries/pixel-8").status_code == 404


def test_restoring_a_live_entry_or_twice_is_a_409(client, deleted, admin):
    """The second restore finds nothing deleted: a 409 saying so, the entry unchanged."""
    first = client.post(f"{API}/entries/pixel-8/restore", headers=admin.bearer)
    assert first.status_code == 201
    again = client.post(f"{API}/entries/pixel-8/restore", headers=admin.bearer)
    assert again.status_code == 409
    assert "is not deleted" in again.get_json()["detail"]
    assert client.get(f"{API}/entries/pixel-8").get_json()["version"] == 3


def test_an_address_no_entry_ever_had_is_a_404(client, catalog, admin):
    """Neither a slug nor an id that a deleted entry had: a 404 problem."""
    for ident in ("never-was", "0123456789abcdef01234567"):
        response = client.post(f"{API}/entries/{ident}/restore", headers=admin.bearer)
        assert response.status_code == 404, ident
        assert "does not exist" in response.get_json()["detail"]


def test_a_taken_slug_names_the_deleted_entrys_id_and_the_id_restores_it(
        client, deleted, admin, make_entry):
    """Another entry took pixel-8 meanwhile: restoring by the slug is a 409 that names the
    deleted entry's id; restoring by that id gives it the next free slug."""
    make_entry("Pixel 8")
    refused = client.post(f"{API}/entries/pixel-8/restore", headers=admin.bearer)
    assert refused.status_code == 409
    assert deleted["id"] in refused.get_json()["detail"]
    response = client.post(f"{API}/entries/{deleted['id']}/restore", headers=admin.bearer)
    assert response.status_code == 201
    assert response.get_json()["slug"] == "pixel-8-2"
    assert response.headers["Location"].endswith("/entries/pixel-8-2")


def test_a_gone_category_is_a_409_naming_it(client, deleted, admin, repos):
    """Its category was deleted meanwhile: a 409 that says to create it again."""
    with repos.store.writing():
        repos.categories.col.delete_one({"slug": "phones"})
    response = client.post(f"{API}/entries/pixel-8/restore", headers=admin.bearer)
    assert response.status_code == 409
    problem = response.get_json()
    assert "phones" in problem["detail"] and "category" in problem["errors"]


@pytest.mark.parametrize("body", [{"comment": 5}, {"comment": "x" * 501}, {"title": "x"}])
def test_a_bad_body_is_a_400_and_restores_nothing(client, deleted, admin, body):
    """A comment that is not text of ≤ 500 characters, or another field: 400."""
    response = client.post(f"{API}/entries/pixel-8/restore", headers=admin.bearer, json=body)
    assert response.status_code == 400
    assert client.get(f"{API}/entries/pixel-8").status_code == 404
