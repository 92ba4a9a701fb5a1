"""``/api/v1/admin/…``: admins only (every path walked), blocking, roles, confirmation,
protection, rollback with a dry run, and the audit log."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from .conftest import API


def admin_paths(app) -> list[tuple[str, str]]:
    """(method, path) of every /api/v1/admin rule, its arguments filled in."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(f"{API}/admin/"):
            continue
        path = re.sub(r"<ident>", "carol", rule.rule)
        if "/admin/entries/" in rule.rule:
            path = rule.rule.replace("<ident>", "pixel-8")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, path))
    return found


def test_every_admin_path_refuses_everyone_but_admins(app, client, user, admin, entry):
    """An editor's token gets 403 and no credentials 401 on every admin path and method
    (walked from the URL map); nothing changed; an admin reads them."""
    paths = admin_paths(app)
    assert len(paths) == 9
    body = {"reason": "x", "role": "admin", "since": "2020-01-01", "protected": True}
    for method, path in paths:
        answer = client.open(path, method=method, headers=user.bearer, json=body)
        assert answer.status_code == 403, (method, path)
        assert client.open(path, method=method, json=body).status_code == 401, (method, path)
    carol = client.get(f"{API}/admin/users/carol", headers=admin.bearer).get_json()
    assert carol["role"] == "user" and carol["blocked"] is None
    assert client.get(f"{API}/entries/pixel-8").get_json()["protected"] is False
    assert client.get(f"{API}/admin/audit-log", headers=admin.bearer).get_json()[
        "_meta"]["total"] == 0


def test_blocking_ends_a_token_within_the_next_request(client, user, admin):
    """A blocked account's token and Basic credentials answer 403 naming the reason at the
    very next request; unblocking lets Basic in again (the old token stays dead)."""
    assert client.get(f"{API}/users/carol", headers=user.bearer).get_json()["email"]
    answer = client.post(f"{API}/admin/users/carol/block", headers=admin.bearer,
                         json={"reason": "Spam links everywhere"})
    assert answer.status_code == 200
    assert answer.get_json()["blocked"]["reason"] == "Spam links everywhere"
    assert answer.get_json()["blocked"]["by"] == "boss"
    for headers in (user.bearer, user.basic):
        refused = client.patch(f"{API}/users/carol", headers=headers, json={"bio": "x"})
        assert refused.status_code == 403
        assert "Spam links everywhere" in refused.get_json()["detail"]
    assert client.post(f"{API}/tokens", headers=user.basic).status_code == 403
    again = client.post(f"{API}/admin/users/carol/block", headers=admin.bearer,
                        json={"reason": "twice"})
    assert again.status_code == 200  # a new reason replaces the old one
    assert client.post(f"{API}/admin/users/carol/unblock", headers=admin.bearer,
                       json={}).status_code == 200
    assert client.post(f"{API}/admin/users/carol/unblock",
                       headers=admin.bearer).status_code == 415  # no body: not JSON
    assert client.post(f"{API}/admin/users/carol/unblock", headers=admin.bearer,
                       json={}).status_code == 409
    assert client.post(f"{API}/tokens", headers=user.basic).status_code == 201
    assert client.patch(f"{API}/users/carol", headers=user.bearer,
                        json={"bio": "x"}).status_code == 401


def test_block_refusals(client, admin, user):
    """A reason is required; an admin cannot block themselves (nor the last admin)."""
    missing = client.post(f"{API}/admin/users/carol/block", headers=admin.bearer, json={})
    assert missing.status_code == 400 and "reason" in missing.get_json()["errors"]
    blank = client.post(f"{API}/admin/users/carol/block", headers=admin.bearer,
                        json={"reason": "   "})
    assert blank.status_code == 400
    own = client.post(f"{API}/admin/users/boss/block", headers=admin.bearer,
                      json={"reason": "x"})
    assert own.status_code == 409
    assert client.post(f"{API}/admin/users/nobody/block", headers=admin.bearer,
                       json={"reason": "x"}).status_code == 404


def test_roles_confirm_and_the_last_admin(client, admin, user):
    """PUT role grants and revokes; the last admin keeps it (here and in PATCH /users)."""
    def role(name: str, value: str):
        return client.put(f"{API}/admin/users/{name}/role", headers=admin.bearer,
                          json={"role": value, "reason": "because"})

    assert role("boss", "user").status_code == 409
    assert client.patch(f"{API}/users/boss", headers=admin.bearer,
                        json={"role": "user"}).status_code == 409
    assert role("carol", "admin").get_json()["role"] == "admin"
    assert role("carol", "king").status_code == 400
    assert role("boss", "user").get_json()["role"] == "user"
    confirmed = client.post(f"{API}/admin/users/boss/confirm", headers=user.bearer, json={})
    assert confirmed.status_code == 200 and confirmed.get_json()["email_confirmed"] is True
    assert confirmed.get_json()["confirmed_at"].endswith("Z")


def test_search_and_read_accounts(client, admin, user, other):
    found = client.get(f"{API}/admin/users?q=DA", headers=admin.bearer).get_json()
    assert [u["username"] for u in found["_items"]] == ["dave"]
    assert found["_items"][0]["email"] == "dave@example.org"
    everyone = client.get(f"{API}/admin/users?per_page=2", headers=admin.bearer)
    assert everyone.headers["X-Total-Count"] == "3"
    assert client.get(f"{API}/admin/users?sort=x", headers=admin.bearer).status_code == 400
    item = client.get(f"{API}/admin/users/dave", headers=admin.bearer)
    again = client.get(f"{API}/admin/users/dave", headers={
        **admin.bearer, "If-None-Match": item.headers["ETag"]})
    assert again.status_code == 304


def test_protection_through_the_api(client, admin, user, entry):
    """PUT protection answers the entry with its new ETag; editors' writes are then 403."""
    answer = client.put(f"{API}/admin/entries/pixel-8/protection", headers=admin.bearer,
                        json={"protected": True, "reason": "edit war"})
    assert answer.status_code == 200 and answer.get_json()["protected"] is True
    assert answer.headers["ETag"] != entry["etag"]
    refused = client.patch(f"{API}/entries/pixel-8", json={"summary": "mine"}, headers={
        **user.bearer, "If-Match": answer.headers["ETag"]})
    assert refused.status_code == 403 and "protected" in refused.get_json()["detail"]
    allowed = client.patch(f"{API}/entries/pixel-8", json={"summary": "calm"}, headers={
        **admin.bearer, "If-Match": answer.headers["ETag"]})
    assert allowed.status_code == 200
    assert client.put(f"{API}/admin/entries/pixel-8/protection", headers=admin.bearer,
                      json={"protected": "yes"}).status_code == 400
    assert client.put(f"{API}/admin/entries/pixel-8/protection", headers=admin.bearer,
                      json={"protected": False}).get_json()["protected"] is False


def test_rollback_dry_run_then_for_real(client, admin, user, other, make_entry):
    """The dry run lists every entry and changes nothing; the real run gives each entry
    one revision back to its earlier values."""
    make_entry("Pixel 8", attributes={"weight": "187 g"})
    make_entry("iPhone 15", attributes={"weight": "171 g"})
    since = (datetime.now(UTC) - timedelta(seconds=2)).isoformat()
    for slug in ("pixel-8", "iphone-15"):
        etag = client.get(f"{API}/entries/{slug}").headers["ETag"]
        assert client.patch(f"{API}/entries/{slug}", json={"attributes": {"weight": "1 g"}},
                            headers={**other.bearer, "If-Match": etag}).status_code == 200
    dry = client.post(f"{API}/admin/users/dave/rollback", headers=admin.bearer,
                      json={"since": since})
    assert dry.status_code == 200
    report = dry.get_json()
    assert report["dry_run"] is True and report["reverted"] == 2
    assert {i["slug"]: i["outcome"] for i in report["items"]} == {
        "pixel-8": "revert", "iphone-15": "revert"}
    assert client.get(f"{API}/entries/pixel-8").get_json()["version"] == 2
    done = client.post(f"{API}/admin/users/dave/rollback", headers=admin.bearer,
                       json={"since": since, "dry_run": False, "reason": "vandal"})
    assert done.get_json()["dry_run"] is False
    for slug, grams in (("pixel-8", 187), ("iphone-15", 171)):
        body = client.get(f"{API}/entries/{slug}").get_json()
        assert body["version"] == 3 and body["attributes"]["weight"]["value"] == grams
        revisions = client.get(f"{API}/entries/{slug}/revisions").get_json()["_items"]
        assert (revisions[0]["action"], revisions[0]["user"], revisions[0]["comment"]) == (
            "revert", "boss", "vandal")
    assert client.post(f"{API}/admin/users/dave/rollback", headers=admin.bearer,
                       json={"since": "tomorrow"}).status_code == 400
    assert client.post(f"{API}/admin/users/dave/rollback", headers=admin.bearer,
                       json={"since": since, "dry_run": "no"}).status_code == 400


def test_every_admin_action_is_in_the_audit_log(client, admin, user, entry):
    client.post(f"{API}/admin/users/carol/block", headers=admin.bearer, json={"reason": "a"})
    client.post(f"{API}/admin/users/carol/unblock", headers=admin.bearer, json={"reason": "b"})
    client.put(f"{API}/admin/users/carol/role", headers=admin.bearer, json={"role": "admin"})
    client.post(f"{API}/admin/users/carol/confirm", headers=admin.bearer, json={})
    client.put(f"{API}/admin/entries/pixel-8/protection", headers=admin.bearer,
               json={"protected": True, "reason": "c"})
    # carol created pixel-8 and nobody else changed it: the rollback deletes it.
    client.post(f"{API}/admin/users/carol/rollback", headers=admin.bearer,
                json={"since": "2020-01-01T00:00Z", "dry_run": False})
    assert client.get(f"{API}/entries/pixel-8").status_code == 404
    log = client.get(f"{API}/admin/audit-log?per_page=100", headers=admin.bearer).get_json()
    assert [r["action"] for r in log["_items"]] == [
        "user.rollback", "entry.delete", "entry.protect", "user.confirm", "user.role",
        "user.unblock", "user.block"]
    first = log["_items"][-1]
    assert (first["actor"], first["target"], first["target_type"], first["reason"]) == (
        "boss", "carol", "user", "a")
    assert first["at"].endswith("Z") and first["actor_id"] == admin.id
    rollback = log["_items"][0]
    assert rollback["details"]["since"].startswith("2020-01-01T00:00:00")
    assert rollback["details"]["entries"] == ["pixel-8"]


def test_deleting_accounts_keeps_an_admin_and_is_audited(client, admin, user):
    """The last active admin cannot delete their account; an admin deleting another
    account is in the audit log; deleting one's own account is not an admin action."""
    assert client.delete(f"{API}/users/boss", headers=admin.bearer).status_code == 409
    assert client.delete(f"{API}/users/carol", headers=admin.bearer).status_code == 204
    record = client.get(f"{API}/admin/audit-log", headers=admin.bearer).get_json()["_items"][0]
    assert (record["action"], record["actor"], record["target"]) == (
        "user.delete", "boss", "carol")
