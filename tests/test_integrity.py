"""A store whose documents repeat a unique key: opened read-only, checked, repaired.

The embedded engine once let two accounts share an e-mail address; the next start then
refused the snapshot and the only way back was editing the file by hand. Now the store
opens read-only with a message, and ``manage.py check --repair`` makes it sound again.
"""

from __future__ import annotations

import json
import logging
import os
import re

import pytest
from bson import ObjectId
from pymongo.errors import DuplicateKeyError

from app import create_app
from app.repositories import integrity
from app.repositories.indexes import INDEXES
from app.services.maintenance import check_unique_keys

PASSWORD = "correct horse battery"
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _embedded(tmp_path):
    """An app on an embedded store whose snapshot is ``tmp_path/store.json``."""
    os.environ["PKYX_INSTANCE_PATH"] = str(tmp_path)
    try:
        return create_app("testing", {"SNAPSHOT_FILENAME": "store.json"})
    finally:
        del os.environ["PKYX_INSTANCE_PATH"]


@pytest.fixture
def shared_email(tmp_path):
    """A snapshot in which bob (the younger account) has chen's e-mail address."""
    app = _embedded(tmp_path)
    accounts = app.extensions["pkyx.accounts"]
    accounts.register("chen", "chen@example.org", PASSWORD)
    accounts.register("bob", "bob@example.org", PASSWORD)
    app.extensions["pkyx.store"].close()
    path = tmp_path / "store.json"
    data = json.loads(path.read_text())
    for user in data["collections"]["users"]:
        if user["username"] == "bob":
            user["email"] = "chen@example.org"
    path.write_text(json.dumps(data))
    return path


def test_a_snapshot_with_a_shared_email_opens_read_only(shared_email, tmp_path, caplog):
    """The app starts, says why and what to run, serves reads and refuses writes."""
    before = shared_email.read_bytes()
    with caplog.at_level(logging.ERROR, logger="app.store"):
        app = _embedded(tmp_path)
    store = app.extensions["pkyx.store"]
    assert store.read_only
    assert "manage.py check --repair" in caplog.text and "chen@example.org" in caplog.text
    client = app.test_client()

    page = client.get("/")
    assert page.status_code == 200
    assert b"read-only for now" in page.data
    assert client.get("/api/v1/users/bob").status_code == 200

    refused = client.post("/api/v1/users", json={"username": "dora", "email": "d@example.org",
                                                  "password": PASSWORD})
    assert refused.status_code == 503
    assert refused.mimetype == "application/problem+json"
    assert "read-only" in refused.get_json()["detail"]
    token = TOKEN.search(client.get("/register").get_data(as_text=True)).group(1)
    page_refused = client.post("/register", data={
        "username": "dora", "email": "d@example.org", "password": PASSWORD,
        "confirm": PASSWORD, "csrf_token": token})
    assert page_refused.status_code == 503 and b"read-only" in page_refused.data
    assert app.extensions["pkyx.repos"].users.find("dora") is None

    store.close()
    assert shared_email.read_bytes() == before  # nothing written over the operator's file


def test_a_shared_email_logs_in_to_no_account(shared_email, tmp_path):
    """Logging in by the shared address picks neither account; it says to use the name."""
    app = _embedded(tmp_path)
    client = app.test_client()
    import base64

    basic = base64.b64encode(f"chen@example.org:{PASSWORD}".encode()).decode()
    answer = client.post("/api/v1/tokens", headers={"Authorization": f"Basic {basic}"})
    assert answer.status_code == 400
    assert "user name" in answer.get_json()["detail"]
    by_name = base64.b64encode(f"chen:{PASSWORD}".encode()).decode()
    assert client.post("/api/v1/tokens",
                       headers={"Authorization": f"Basic {by_name}"}).status_code == 201
    app.extensions["pkyx.store"].close()


def test_check_reports_and_repair_resolves_for_good(shared_email, tmp_path):
    """`check` names the problem and fails; `check --repair` fixes it; the next start is normal."""
    app = _embedded(tmp_path)
    runner = app.test_cli_runner()
    found = runner.invoke(args=["check"])
    assert found.exit_code == 1
    assert "2 users share email 'chen@example.org'" in found.output
    assert "check --repair" in found.output

    repaired = runner.invoke(args=["check", "--repair"])
    assert repaired.exit_code == 0, repaired.output
    assert "chen, who keeps it" in repaired.output
    users = app.extensions["pkyx.repos"].users
    assert users.get("chen")["email"] == "chen@example.org"
    assert users.get("bob")["email"].endswith("@duplicate.invalid")
    assert not app.extensions["pkyx.store"].read_only
    assert runner.invoke(args=["check"]).output.strip() == "The store is sound."
    app.extensions["pkyx.store"].close()

    again = _embedded(tmp_path)
    assert not again.extensions["pkyx.store"].read_only
    with pytest.raises(DuplicateKeyError):  # the unique index is back
        again.extensions["pkyx.store"].db.users.update_one(
            {"username": "bob"}, {"$set": {"email": "chen@example.org"}})
    again.extensions["pkyx.store"].close()


def test_every_unique_index_has_a_repair_rule():
    """A unique index added later must say how its duplicates are resolved."""
    unique = {(i.collection, tuple(k for k, _ in i.keys)) for i in INDEXES if i.unique}
    assert unique == set(integrity._RULES)


def test_repair_rules_of_each_collection(app):
    """Duplicates in a store without its unique indexes (a MongoDB before create-indexes)."""
    store = app.extensions["pkyx.store"]
    db = store.db
    for name in ("entries", "users", "categories", "comparisons", "revisions"):
        db[name].drop_indexes()
    ids = [ObjectId(f"{n:024x}") for n in range(1, 9)]
    db.entries.insert_many([{"_id": ids[0], "slug": "x"}, {"_id": ids[1], "slug": "x"},
                            {"_id": ids[2], "slug": "x-2"}])
    db.users.insert_many([{"_id": ids[3], "username": "Ann", "username_key": "ann",
                           "email": "a@example.org"},
                          {"_id": ids[4], "username": "ANN", "username_key": "ann",
                           "email": "b@example.org"}])
    db.categories.insert_many([{"_id": ids[5], "slug": "c"}, {"_id": ids[6], "slug": "c"}])
    db.comparisons.insert_many([{"_id": ids[5], "key": "a-vs-b", "views": 3},
                                {"_id": ids[7], "key": "a-vs-b", "views": 4}])
    db.revisions.insert_many([{"_id": ids[5], "entry_id": ids[0], "version": 1},
                              {"_id": ids[6], "entry_id": ids[0], "version": 1}])

    # Bare documents (entries without history): the unique-key rules alone are the subject.
    report = check_unique_keys(app.extensions["pkyx.repos"], repair=True)
    assert len(report.problems) == 5 and len(report.repairs) == 5
    assert db.entries.find_one({"_id": ids[1]})["slug"] == "x-3"  # x-2 was taken
    assert db.users.find_one({"_id": ids[4]})["username"] == "ANN-2"
    assert db.users.find_one({"_id": ids[3]})["username"] == "Ann"
    assert [c["_id"] for c in db.categories.find()] == [ids[5]]
    assert list(db.comparisons.find({}, {"_id": 0, "views": 1})) == [{"views": 7}]
    assert db.revisions.count_documents({}) == 1
    assert check_unique_keys(app.extensions["pkyx.repos"]).problems == []
    with pytest.raises(DuplicateKeyError):
        db.entries.insert_one({"slug": "x"})
