"""Contributions belong to an account, not to a name (issue 17, item 6).

Revisions and entries keep the author's name for display and gain the account's id;
profiles list contributions by id; a deleted account's name is reserved so nobody can
take it over. Dumps written before ids existed (format version 1) still load: their
contributions are linked to the account that held the name when they were made, and
names whose account is gone are reserved.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from bson import ObjectId

from app import create_app
from app.repositories import dump

from .api.conftest import API, PASSWORD, auth_header


@pytest.fixture
def bob_left(client, accounts, phones, wiki, repos):
    """bob created and edited an entry, then deleted his account (the API's DELETE)."""
    bob = accounts.register("bob", "bob@example.org", PASSWORD)
    wiki.create_entry("bob", title="Pixel 8", category="phones", comment="bob's entry")
    wiki.edit_entry("bob", "pixel-8", 1, fields={"summary": "By bob."}, comment="bob's edit")
    response = client.delete(f"{API}/users/bob", headers=auth_header("bob", PASSWORD))
    assert response.status_code == 204
    return bob


def test_a_deleted_name_cannot_be_registered_again(client, bob_left):
    """The probe: delete bob, register "bob" → the new bob inherited the profile. Now the
    name (in any case) stays reserved: 409 on the API and on the page."""
    for name in ("bob", "BOB"):
        response = client.post(f"{API}/users", json={
            "username": name, "email": f"new-{name}@example.org", "password": PASSWORD})
        assert response.status_code == 409, response.get_json()
        assert response.get_json()["errors"] == {"username": "This username is taken."}


def test_contributions_carry_the_accounts_id(client, accounts, phones, wiki, repos):
    """Entries and revisions name the author's account by id, next to the name; the API
    adds the ids and keeps the names."""
    carol = accounts.register("carol", "carol@example.org", PASSWORD)
    dave = accounts.register("dave", "dave@example.org", PASSWORD)
    wiki.create_entry("carol", title="Pixel 8", category="phones")
    wiki.edit_entry(dave, "pixel-8", 1, fields={"summary": "Dave's words."})
    entry = client.get(f"{API}/entries/pixel-8").get_json()
    assert (entry["created_by"], entry["created_by_id"]) == ("carol", str(carol["_id"]))
    assert (entry["updated_by"], entry["updated_by_id"]) == ("dave", str(dave["_id"]))
    revisions = client.get(f"{API}/entries/pixel-8/revisions").get_json()["_items"]
    assert {(r["user"], r["user_id"]) for r in revisions} == {
        ("carol", str(carol["_id"])), ("dave", str(dave["_id"]))}
    assert repos.users.get("carol")["create_count"] == 1
    assert repos.users.get("dave")["edit_count"] == 1


def test_the_deleted_accounts_entries_keep_its_id(client, bob_left, repos):
    """What bob made still points at bob's (deleted) account, never at a later one."""
    entry = client.get(f"{API}/entries/pixel-8").get_json()
    assert entry["created_by"] == "bob" and entry["created_by_id"] == str(bob_left["_id"])
    assert client.get("/users/bob").status_code == 404


def _legacy_dump(holder_since: datetime) -> dict:
    """A version 1 dump as pkyx wrote it before ids: the name ``bob`` belonged to an
    account deleted in 2024 and is held since ``holder_since`` by a new one; ``zed``'s
    account is gone and nobody holds the name."""
    old_day = datetime(2024, 3, 1, tzinfo=UTC)
    new_day = datetime(2025, 7, 1, tzinfo=UTC)
    bob_id = ObjectId()
    old_entry, new_entry = ObjectId(), ObjectId()

    def entry(_id, slug, title, by, at):
        return {"_id": _id, "slug": slug, "title": title, "title_key": title.lower(),
                "category": "phones", "summary": "", "attributes": {}, "version": 1,
                "keywords": [title.lower()], "created_at": at, "created_by": by,
                "updated_at": at, "updated_by": by, "views": 0, "random": 0.5}

    def revision(entry_id, by, at, comment):
        return {"_id": ObjectId(), "entry_id": entry_id, "version": 1, "at": at, "user": by,
                "action": "create", "changes": [{"key": "title", "before": None,
                                                 "after": comment}], "comment": comment}

    return {
        "format": "pkyx-dump", "version": 1, "exported_at": new_day,
        "collections": {
            "users": [{"_id": bob_id, "username": "bob", "username_key": "bob",
                       "email": "bob@example.org", "password_hash": "$argon2id$x",
                       "role": "user", "created_at": holder_since, "last_seen": new_day,
                       "avatar": None, "location": "", "website": "", "bio": "",
                       "edit_count": 0, "create_count": 1, "auth_stamp": "stamp"}],
            "categories": [{"_id": ObjectId(), "slug": "phones", "name": "Phones",
                            "description": "", "entries": 3}],
            "entries": [entry(old_entry, "old-phone", "Old phone", "bob", old_day),
                        entry(new_entry, "new-phone", "New phone", "bob", new_day),
                        entry(ObjectId(), "zed-phone", "Zed phone", "zed", old_day)],
            "revisions": [revision(old_entry, "bob", old_day, "the first bob's entry"),
                          revision(new_entry, "bob", new_day, "the second bob's entry")],
        },
        "buckets": {},
    }


@pytest.fixture
def legacy(tmp_path):
    """An app that loaded a version 1 dump (as the embedded store loads its snapshot)."""
    path = tmp_path / "old.json"
    data = _legacy_dump(holder_since=datetime(2025, 6, 1, tzinfo=UTC))
    path.write_bytes(dump.dumps(data))
    app = create_app("testing")
    dump.import_data(app.extensions["pkyx.store"], dump.read_file(path))
    yield app
    app.extensions["pkyx.store"].close()


def test_a_version_1_dump_links_contributions_to_whoever_held_the_name(legacy):
    """The new bob (since June 2025) made "New phone"; "Old phone" (2024) was the old
    bob's: bob's profile lists only his own, and the API tells them apart."""
    client = legacy.test_client()
    html = client.get("/users/bob").get_data(as_text=True)
    assert "New phone" in html and "the second bob&#39;s entry" in html
    assert "Old phone" not in html and "the first bob" not in html
    bob = legacy.extensions["pkyx.repos"].users.get("bob")
    new = client.get(f"{API}/entries/new-phone").get_json()
    old = client.get(f"{API}/entries/old-phone").get_json()
    assert new["created_by_id"] == str(bob["_id"])
    assert old["created_by"] == "bob" and old["created_by_id"] is None


def test_a_version_1_dump_reserves_the_names_of_gone_accounts(legacy):
    """zed's account is gone: the name is reserved on load, so "zed" is not free."""
    response = legacy.test_client().post(f"{API}/users", json={
        "username": "Zed", "email": "zed@example.org", "password": PASSWORD})
    assert response.status_code == 409
    assert response.get_json()["errors"] == {"username": "This username is taken."}


def test_the_seed_exports_and_reimports_with_ids(seeded_app, tmp_path):
    """The demo data carries ids; an export of it is the current version and loads again
    unchanged (ids included)."""
    data = dump.export_data(seeded_app.extensions["pkyx.store"])
    assert data["version"] == dump.VERSION >= 2
    revisions = data["collections"]["revisions"]
    assert revisions and all(isinstance(r["user_id"], ObjectId) for r in revisions)
    assert all(isinstance(e["created_by_id"], ObjectId) for e in data["collections"]["entries"])
    path = tmp_path / "wiki.json"
    dump.write_file(path, data)
    fresh = create_app("testing")
    try:
        dump.import_data(fresh.extensions["pkyx.store"], dump.read_file(path))
        again = dump.export_data(fresh.extensions["pkyx.store"])
        assert again["collections"] == data["collections"]
    finally:
        fresh.extensions["pkyx.store"].close()


def test_repairing_a_repeated_name_never_picks_a_reserved_one(app, repos):
    """``manage.py check --repair`` renames the younger of two "ann"s, past the name of a
    deleted account ("ann-2") to "ann-3"."""
    from app.services.maintenance import check_store

    db = app.extensions["pkyx.store"].db
    db.users.drop_indexes()
    older, younger = ObjectId(f"{1:024x}"), ObjectId(f"{2:024x}")
    db.users.insert_many([
        {"_id": older, "username": "ann", "username_key": "ann", "email": "a@example.org"},
        {"_id": younger, "username": "ann", "username_key": "ann", "email": "b@example.org"}])
    repos.users.reserve("ann-2")
    report = check_store(repos, repair=True)
    assert len(report.repairs) == 1
    assert db.users.find_one({"_id": younger})["username"] == "ann-3"

