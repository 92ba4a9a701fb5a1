"""The administrators' service and its effects: blocking (sessions, tokens, Basic, login),
roles and the last admin, confirming by hand, protected entries, rollback, the audit log,
``manage.py block-user``, and the audit log in dumps."""

from __future__ import annotations

import base64
import re
import sys
from datetime import UTC, datetime, timedelta

import pytest

from app.domain.errors import AccountBlocked, Conflict, Forbidden, InvalidValue
from app.repositories import dump
from app.services import AttributeInput
from app.services.admin import OPERATOR

API = "/api/v1"
PASSWORD = "correct horse battery staple"
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def basic(login: str, password: str = PASSWORD) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{login}:{password}".encode()).decode()}


def page_login(client, login: str, password: str = PASSWORD):
    token = TOKEN.search(client.get("/login").get_data(as_text=True)).group(1)
    return client.post("/login", data={"login": login, "password": password,
                                       "csrf_token": token})


def logged_in(client) -> bool:
    return client.get("/settings").status_code == 200


@pytest.fixture
def boss(accounts):
    return accounts.create_admin("boss", "boss@example.org", PASSWORD)


@pytest.fixture
def vandal(accounts):
    return accounts.register("vandal", "vandal@example.org", PASSWORD)


@pytest.fixture
def admin(app):
    return app.extensions["pkyx.admin"]


# -- blocking ------------------------------------------------------------------------------


def test_blocking_ends_a_live_session_and_a_token_at_the_next_request(app, client, admin,
                                                                      boss, vandal):
    """A logged-in browser and a Bearer token of the account stop working at once; Basic
    and the login page refuse it with the reason; unblocking lets it log in again."""
    assert page_login(client, "vandal").status_code == 302 and logged_in(client)
    token = client.post(f"{API}/tokens", headers=basic("vandal")).get_json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    entry_body = {"title": "Spam phone", "category": "nowhere"}
    assert client.post(f"{API}/entries", headers=bearer, json=entry_body).status_code == 400

    admin.block(boss, "vandal", "Replaced every weight with 0 g")

    assert not logged_in(client)  # the very next request
    answer = client.post(f"{API}/entries", headers=bearer, json=entry_body)
    assert answer.status_code == 403
    assert answer.mimetype == "application/problem+json"
    assert "Replaced every weight with 0 g" in answer.get_json()["detail"]
    answer = client.post(f"{API}/tokens", headers=basic("vandal"))
    assert answer.status_code == 403 and "blocked" in answer.get_json()["detail"]
    page = page_login(client, "vandal")
    assert page.status_code == 403
    assert "Replaced every weight with 0 g" in page.get_data(as_text=True)
    assert not logged_in(client)
    # A wrong password still says only "not right": the block is told to the owner alone.
    wrong = page_login(client, "vandal", "not the password at all")
    assert wrong.status_code == 401 and "0 g" not in wrong.get_data(as_text=True)

    admin.unblock(boss, "vandal", "Apologised")
    assert page_login(client, "vandal").status_code == 302 and logged_in(client)
    assert client.post(f"{API}/entries", headers=bearer, json=entry_body).status_code == 401


def test_a_blocked_account_cannot_write_through_the_wiki(app, wiki, admin, boss, vandal,
                                                          phones):
    """Even a caller holding its document is refused by the wiki service."""
    blocked = admin.block(boss, "vandal", "spam")
    with pytest.raises(AccountBlocked):
        wiki.create_entry(blocked, title="Spam", category="phones")


def test_block_rules(admin, boss, vandal, accounts):
    """A reason is required; nobody blocks themselves; the last admin is never blocked;
    only admins block; unblocking an account that is not blocked is a conflict."""
    with pytest.raises(InvalidValue):
        admin.block(boss, "vandal", "  ")
    with pytest.raises(Conflict):
        admin.block(boss, "boss", "oops")
    with pytest.raises(Forbidden):
        admin.block(vandal, "boss", "coup")
    with pytest.raises(Conflict):
        admin.unblock(boss, "vandal")
    # The operator (manage.py) may act, but the last active admin stays.
    with pytest.raises(Conflict, match="last administrator"):
        admin.block(OPERATOR, "boss", "lost laptop")
    second = accounts.create_admin("second", "second@example.org", PASSWORD)
    admin.block(second, "boss", "lost laptop")
    with pytest.raises(Conflict, match="last administrator"):
        admin.block(OPERATOR, "second", "and this one")


def test_roles_and_the_last_admin(admin, boss, vandal, repos):
    """Granting and revoking the role; the last active admin keeps it."""
    with pytest.raises(Conflict, match="last administrator"):
        admin.set_role(boss, "boss", "user")
    admin.set_role(boss, "vandal", "admin", "trusted now")
    assert repos.users.get("vandal")["role"] == "admin"
    admin.set_role(boss, "boss", "user")  # another admin remains
    assert repos.users.get("boss")["role"] == "user"
    with pytest.raises(InvalidValue):
        admin.set_role(OPERATOR, "boss", "king")


def test_confirm_by_hand(admin, boss, vandal, repos):
    """Confirming marks the address confirmed with a time, once."""
    admin.confirm(boss, "vandal")
    user = repos.users.get("vandal")
    assert user["email_confirmed"] is True and user["confirmed_at"] is not None
    admin.confirm(boss, "vandal")  # already: nothing more recorded
    assert [r["action"] for r in repos.audit.page()[0]] == ["user.confirm"]


# -- protected entries -----------------------------------------------------------------------


def test_protected_entries_are_edited_by_admins_only(client, admin, wiki, boss, vandal,
                                                     phones, repos):
    """Protection refuses editors in the service (pages and API), not admins; the API shows
    it and the ETag changes with it."""
    entry = wiki.create_entry(vandal, title="Pixel 8", category="phones",
                              attributes=[AttributeInput("weight", "187 g")])
    before = client.get(f"{API}/entries/pixel-8")
    assert before.get_json()["protected"] is False
    admin.protect(boss, "pixel-8", "edit war")
    after = client.get(f"{API}/entries/pixel-8")
    assert after.get_json()["protected"] is True
    assert after.headers["ETag"] != before.headers["ETag"]
    with pytest.raises(Forbidden, match="protected"):
        wiki.set_attribute(vandal, "pixel-8", 1, AttributeInput("weight", "1 g"))
    with pytest.raises(Forbidden):
        wiki.revert(vandal, "pixel-8", 1, 1)
    answer = client.patch(f"{API}/entries/pixel-8",
                          headers={**basic("vandal"), "If-Match": after.headers["ETag"]},
                          json={"summary": "mine now"})
    assert answer.status_code == 403 and "protected" in answer.get_json()["detail"]
    wiki.set_attribute(boss, "pixel-8", entry["version"], AttributeInput("weight", "188 g"))
    assert [e["slug"] for e in admin.protected_entries()[0]] == ["pixel-8"]
    admin.unprotect(boss, "pixel-8", "calm again")
    wiki.set_attribute(vandal, "pixel-8", 2, AttributeInput("weight", "189 g"))
    assert [r["action"] for r in repos.audit.page()[0]] == ["entry.unprotect", "entry.protect"]


# -- rollback --------------------------------------------------------------------------------


def test_rollback_restores_earlier_values_with_one_revision_each(admin, wiki, boss, vandal,
                                                                accounts, phones, repos):
    """Every entry the account changed since the time gets one revert revision back to the
    earlier values; keys others changed later stay; entries it created are deleted; the
    dry run changes nothing and says the same."""
    editor = accounts.register("editor", "editor@example.org", PASSWORD)
    a = wiki.create_entry(editor, title="Pixel 8", category="phones", summary="Google",
                          attributes=[AttributeInput("weight", "187 g"),
                                      AttributeInput("screen", "6.2 in")])
    b = wiki.create_entry(editor, title="iPhone 15", category="phones",
                          attributes=[AttributeInput("weight", "171 g")])
    since = datetime.now(UTC) - timedelta(seconds=1)
    wiki.edit_entry(vandal, "pixel-8", a["version"], fields={"summary": "junk"},
                    set_attributes=[AttributeInput("weight", "0 g")], unset=["screen"])
    a2 = wiki.set_attribute(vandal, "pixel-8", 2, AttributeInput("weight", "1 g"))
    wiki.set_attribute(vandal, "iphone-15", b["version"], AttributeInput("weight", "2 g"))
    wiki.set_attribute(vandal, "iphone-15", 2, AttributeInput("screen", "9 in"))
    wiki.set_attribute(editor, "iphone-15", 3, AttributeInput("screen", "6.1 in"))  # later
    wiki.create_entry(vandal, title="Spam Phone", category="phones")

    preview = admin.rollback(boss, "vandal", since, dry_run=True)
    outcomes = {item.slug: item.outcome for item in preview.items}
    assert outcomes == {"pixel-8": "revert", "iphone-15": "revert", "spam-phone": "delete"}
    assert repos.entries.get("pixel-8")["version"] == a2["version"]  # nothing changed
    iphone = next(item for item in preview.items if item.slug == "iphone-15")
    assert iphone.kept == ("attr.screen",)

    report = admin.rollback(boss, "vandal", since.isoformat(), dry_run=False,
                            reason="vandalism")
    assert len(report.reverted) == 3
    pixel = repos.entries.get("pixel-8")
    assert pixel["summary"] == "Google"
    assert pixel["attributes"]["weight"]["value"] == 187
    assert pixel["attributes"]["screen"]["value"] == 6.2
    assert pixel["version"] == a2["version"] + 1  # one revision
    last = repos.revisions.for_entry(pixel["_id"])[-1]
    assert (last["action"], last["user"], last["comment"]) == ("revert", "boss", "vandalism")
    phone = repos.entries.get("iphone-15")
    assert phone["attributes"]["weight"]["value"] == 171
    assert phone["attributes"]["screen"]["value"] == 6.1  # the editor's later value stays
    assert phone["version"] == 5
    assert repos.entries.find_slug("spam-phone") is None
    records = repos.audit.page()[0]
    rollback = next(r for r in records if r["action"] == "user.rollback")
    assert rollback["target"] == "vandal" and rollback["reason"] == "vandalism"
    assert sorted(rollback["details"]["entries"]) == ["iphone-15", "pixel-8", "spam-phone"]
    # Again: nothing is left to undo.
    again = admin.rollback(boss, "vandal", since, dry_run=True)
    assert {item.outcome for item in again.items} <= {"unchanged", "skipped"}


def test_rollback_limits(admin, boss, vandal, monkeypatch):
    """A time in the future or unreadable is refused; more than the cap of entries too."""
    with pytest.raises(InvalidValue):
        admin.rollback(boss, "vandal", "yesterday")
    with pytest.raises(InvalidValue):
        admin.rollback(boss, "vandal", datetime.now(UTC) + timedelta(days=1))
    module = sys.modules["app.services.admin"]  # the package's admin() shadows the name
    monkeypatch.setattr(module, "MAX_ROLLBACK_ENTRIES", 0)
    monkeypatch.setattr(admin.repos.revisions, "entries_changed_by",
                        lambda user_id, since, limit: ["x"] * limit)
    with pytest.raises(InvalidValue, match="more than 0 entries"):
        admin.rollback(boss, "vandal", datetime(2020, 1, 1, tzinfo=UTC))


# -- the audit log -----------------------------------------------------------------------------


def test_every_admin_action_is_in_the_audit_log(app, admin, wiki, boss, vandal, phones,
                                                repos):
    """Who, what, when and why of each action, newest first, paged."""
    categories = app.extensions["pkyx.categories"]
    wiki.create_entry(vandal, title="Pixel 8", category="phones")
    admin.block(boss, "vandal", "spam")
    admin.unblock(boss, "vandal", "sorry")
    admin.set_role(boss, "vandal", "admin", "promoted")
    admin.set_role(boss, "vandal", "user", "demoted")
    admin.confirm(boss, "vandal", "asked by mail")
    admin.protect(boss, "pixel-8", "war")
    admin.unprotect(boss, "pixel-8")
    gone = wiki.delete_entry(boss, "pixel-8", 1, "duplicate")
    wiki.restore_entry(boss, gone["_id"], "not a duplicate")
    # vandal created pixel-8, but others changed it since: it stays (skipped, recorded).
    admin.rollback(boss, "vandal", datetime(2020, 1, 1, tzinfo=UTC), dry_run=False)
    empty = categories.create(boss, {"name": "Empty"})
    categories.delete(boss, "empty", empty["version"], admin=True)
    other = categories.create(boss, {"name": "Other"})
    categories.merge(boss, "other", other["version"], into="phones", admin=True)
    records, total = admin.audit_log(1, 100)
    actions = [r["action"] for r in records]
    assert actions == ["category.merge", "category.delete", "user.rollback",
                       "entry.restore", "entry.delete", "entry.unprotect", "entry.protect",
                       "user.confirm", "user.role", "user.role", "user.unblock",
                       "user.block"]
    assert total == len(actions)
    block = records[-1]
    assert (block["actor"], block["actor_id"], block["target"], block["reason"]) == (
        "boss", boss["_id"], "vandal", "spam")
    assert block["at"] <= records[0]["at"]
    assert admin.audit_log(2, 5)[0] == records[5:10]
    assert records[2]["details"]["skipped"] == ["pixel-8"]


def test_the_audit_log_is_exported_and_imported(app, admin, boss, vandal, repos, tmp_path,
                                                runner):
    """manage.py export writes the log; import brings it back; a version 2 dump (no log)
    still loads."""
    admin.block(boss, "vandal", "spam")
    path = tmp_path / "dump.json"
    assert runner.invoke(args=["export", str(path)]).exit_code == 0
    data = dump.read_file(path)
    assert data["version"] == 3
    assert [r["action"] for r in data["collections"]["audit_log"]] == ["user.block"]
    assert data["collections"]["users"][1]["blocked"]["reason"] == "spam"
    result = runner.invoke(args=["import", "--replace", str(path)])
    assert result.exit_code == 0, result.output
    assert [r["action"] for r in repos.audit.page()[0]] == ["user.block"]
    older = {**data, "version": 2, "collections": {
        name: docs for name, docs in data["collections"].items() if name != "audit_log"}}
    dump.import_data(app.extensions["pkyx.store"], older, replace=True)
    assert repos.audit.page() == ([], 0)
    assert repos.users.get("vandal")["blocked"]["reason"] == "spam"


# -- manage.py ---------------------------------------------------------------------------------


def test_manage_py_block_user_and_unblock_user(runner, vandal, boss, repos, client):
    """block-user needs a reason, blocks with it (recorded as the operator's), unblock-user
    lets the account in again; an unknown name fails with status 1."""
    assert runner.invoke(args=["block-user", "vandal"]).exit_code == 2  # --reason missing
    result = runner.invoke(args=["block-user", "vandal", "--reason", "spam links"])
    assert result.exit_code == 0, result.output
    assert "vandal is blocked: spam links" in result.output
    user = repos.users.get("vandal")
    assert user["blocked"]["reason"] == "spam links"
    assert user["blocked"]["by"] == OPERATOR.name
    assert page_login(client, "vandal").status_code == 403
    record = repos.audit.page()[0][0]
    assert (record["action"], record["actor"], record["reason"]) == (
        "user.block", OPERATOR.name, "spam links")
    result = runner.invoke(args=["unblock-user", "vandal", "--reason", "appeal"])
    assert result.exit_code == 0 and "no longer blocked" in result.output
    assert page_login(client, "vandal").status_code == 302
    result = runner.invoke(args=["block-user", "nobody", "--reason", "x"])
    assert result.exit_code == 1 and "does not exist" in result.output
