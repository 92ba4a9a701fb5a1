"""/api/v1/users[/<id-or-username>]: register, profiles, account changes, deletion."""

from __future__ import annotations

import pytest

from .conftest import API, PASSWORD, auth_header

PUBLIC_KEYS = {"id", "username", "role", "created_at", "location", "website", "bio",
               "edit_count", "create_count", "avatar", "_links"}
SECRET_KEYS = {"password", "password_hash", "auth_stamp", "username_key", "_id"}


def test_register_201_without_secrets(client, app):
    """POST /users: 201, Location, the account with its email (unconfirmed: a link is
    mailed to it), never a password or hash."""
    response = client.post(f"{API}/users", json={
        "username": "Carol", "email": "Carol@Example.org", "password": PASSWORD,
        "location": "Berlin", "website": "https://carol.example", "bio": "Hi."})
    assert response.status_code == 201, response.get_json()
    assert response.headers["Location"].endswith(f"{API}/users/Carol")
    assert "ETag" in response.headers
    body = response.get_json()
    assert set(body) == PUBLIC_KEYS | {"email", "email_confirmed", "pending_email", "last_seen"}
    assert (body["email"], body["role"], body["location"]) == ("carol@example.org", "user",
                                                               "Berlin")
    assert (body["email_confirmed"], body["pending_email"]) == (False, None)
    [mail] = app.extensions["pkyx.outbox"]
    assert mail["To"] == "carol@example.org" and "/confirm/" in mail["X-Pkyx-Link"]
    assert not SECRET_KEYS & set(body)
    assert PASSWORD not in response.get_data(as_text=True)


@pytest.mark.parametrize("username", ["carol", "CAROL", "Carol"])
def test_duplicate_username_in_any_case_is_409(client, register, username):
    """A username that differs only in case is taken: 409 naming ``username``."""
    register("carol")
    response = client.post(f"{API}/users", json={"username": username,
                                                 "email": "new@example.org",
                                                 "password": PASSWORD})
    assert response.status_code == 409 and "username" in response.get_json()["errors"]


def test_duplicate_email_is_409(client, register):
    """An email another account has (in any case) is a 409 naming ``email``."""
    register("carol")
    response = client.post(f"{API}/users", json={"username": "other",
                                                 "email": "CAROL@example.org",
                                                 "password": PASSWORD})
    assert response.status_code == 409 and "email" in response.get_json()["errors"]


@pytest.mark.parametrize(("body", "field"), [
    ({"email": "a@example.org", "password": PASSWORD}, "username"),
    ({"username": "x", "email": "a@example.org", "password": PASSWORD}, "username"),
    ({"username": "admin", "email": "a@example.org", "password": PASSWORD}, "username"),
    ({"username": "a b", "email": "a@example.org", "password": PASSWORD}, "username"),
    ({"username": "amy", "email": "not-an-email", "password": PASSWORD}, "email"),
    ({"username": "amy", "email": "a@example.org", "password": "short"}, "password"),
    ({"username": "amy", "email": "a@example.org", "password": "a@example.org"}, "password"),
    ({"username": "amy", "email": "a@example.org", "password": "x" * 257}, "password"),
    ({"username": "amy", "email": "a@example.org", "password": PASSWORD,
      "website": "javascript:alert(1)"}, "website"),
    ({"username": "amy", "email": "a@example.org", "password": PASSWORD, "bio": "x" * 501},
     "bio"),
    ({"username": "amy", "email": "a@example.org", "password": PASSWORD, "role": "admin"},
     "role"),
    ({"username": "amy", "email": "a@example.org", "password": PASSWORD,
      "password_hash": "x"}, "password_hash"),
])
def test_register_refuses_bad_fields(client, body, field):
    """Invalid or read-only registration fields are a 400 naming them; no account is made."""
    response = client.post(f"{API}/users", json=body)
    assert response.status_code == 400
    assert field in response.get_json()["errors"], response.get_json()
    assert client.get(f"{API}/users").get_json()["_meta"]["total"] == 0


def test_public_profile_has_no_email(client, user, other):
    """Anyone (and any other user) sees the public profile only: no email, no last_seen."""
    for headers in ({}, other.bearer):
        response = client.get(f"{API}/users/{user.username}", headers=headers)
        assert response.status_code == 200
        assert set(response.get_json()) == PUBLIC_KEYS


def test_own_profile_has_email(client, user, admin):
    """The user themselves (by token or Basic) and admins also get email and last_seen."""
    for headers in (user.bearer, user.basic, admin.bearer):
        body = client.get(f"{API}/users/{user.username}", headers=headers).get_json()
        assert body["email"] == user.email and "last_seen" in body


@pytest.mark.parametrize("ident", ["carol", "CAROL", "id"])
def test_get_by_username_in_any_case_or_id(client, user, ident):
    """A user is found by username in any case or by id, with an ETag and 304."""
    ident = user.id if ident == "id" else ident
    response = client.get(f"{API}/users/{ident}")
    assert response.status_code == 200 and response.get_json()["username"] == "carol"
    cached = client.get(f"{API}/users/{ident}", headers={"If-None-Match": response.headers["ETag"]})
    assert cached.status_code == 304


def test_unknown_user_is_404(client, user):
    """A user nobody has: 404."""
    assert client.get(f"{API}/users/nobody").status_code == 404


def test_bad_credentials_never_show_private_fields(client, user):
    """A wrong password or a bad token on a profile read gets the public profile only."""
    for headers in (auth_header("carol", "wrong password"), {"Authorization": "Bearer x.y.z"}):
        response = client.get(f"{API}/users/carol", headers=headers)
        assert response.status_code in (200, 401)
        assert "email" not in (response.get_json() or {})


def test_list_is_public_profiles(client, user, other):
    """GET /users pages public profiles by name, never emails."""
    response = client.get(f"{API}/users", headers=user.bearer)
    body = response.get_json()
    assert [u["username"] for u in body["_items"]] == ["carol", "dave"]
    assert all("email" not in u for u in body["_items"])
    assert "@" not in response.get_data(as_text=True)


def test_patch_own_profile(client, user, app):
    """PATCH /users/<me> changes location, website and bio; a new email waits in
    ``pending_email`` until the link mailed to it is followed."""
    outbox = app.extensions["pkyx.outbox"]
    outbox.clear()
    response = client.patch(f"{API}/users/{user.username}", headers=user.bearer, json={
        "location": " Lisbon ", "website": "https://c.example", "bio": "Editor.",
        "email": "New@Example.org"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["location"], body["website"], body["bio"], body["email"],
            body["pending_email"]) == ("Lisbon", "https://c.example", "Editor.", user.email,
                                       "new@example.org")
    [mail] = outbox
    assert mail["To"] == "new@example.org"
    assert client.get(mail["X-Pkyx-Link"]).status_code == 302
    body = client.get(f"{API}/users/carol", headers=user.bearer).get_json()
    assert (body["email"], body["pending_email"], body["email_confirmed"]) == \
        ("new@example.org", None, True)
    assert client.get(f"{API}/users/carol", headers=auth_header("new@example.org",
                                                                user.password)).status_code == 200


def test_patch_to_a_taken_email_is_409(client, user, other):
    """Changing the email to another account's is a 409, and nothing changes."""
    response = client.patch(f"{API}/users/{user.username}", headers=user.bearer,
                            json={"email": other.email})
    assert response.status_code == 409
    assert client.get(f"{API}/users/carol", headers=user.bearer).get_json()["email"] == user.email


def test_a_taken_email_stays_taken_when_asked_again(client, user, other):
    """The probe's case: the second PATCH to another account's address got a 200."""
    for _ in range(3):
        response = client.patch(f"{API}/users/{user.username}", headers=user.bearer,
                                json={"email": other.email})
        assert response.status_code == 409
        # a read by e-mail between the tries (Basic auth looks the address up)
        assert client.get(f"{API}/users/{other.username}",
                          headers=auth_header(other.email, other.password)).status_code == 200
    assert client.get(f"{API}/users/carol", headers=user.bearer).get_json()["email"] == user.email


def test_patch_other_user_is_403(client, user, other):
    """A user cannot change someone else's profile: 403, unchanged."""
    response = client.patch(f"{API}/users/{other.username}", headers=user.bearer,
                            json={"bio": "pwned"})
    assert response.status_code == 403
    assert client.get(f"{API}/users/{other.username}").get_json()["bio"] == ""


def test_role_change_by_a_user_is_403(client, user):
    """A user cannot make themselves an admin: 403, still a user."""
    response = client.patch(f"{API}/users/{user.username}", headers=user.bearer,
                            json={"role": "admin"})
    assert response.status_code == 403
    assert client.get(f"{API}/users/carol").get_json()["role"] == "user"


def test_admin_changes_roles_and_profiles(client, user, admin):
    """An admin may change another user's role and profile."""
    response = client.patch(f"{API}/users/{user.username}", headers=admin.bearer,
                            json={"role": "admin", "bio": "Promoted."})
    assert response.status_code == 200
    assert (response.get_json()["role"], response.get_json()["bio"]) == ("admin", "Promoted.")
    bad = client.patch(f"{API}/users/{user.username}", headers=admin.bearer,
                       json={"role": "root"})
    assert bad.status_code == 400 and "role" in bad.get_json()["errors"]


def test_admin_cannot_set_another_users_password(client, user, admin):
    """Only the owner changes a password (with the current one); an admin's try is 403."""
    response = client.patch(f"{API}/users/{user.username}", headers=admin.bearer,
                            json={"password": "a brand new password"})
    assert response.status_code == 403
    assert client.get(f"{API}/users/carol", headers=user.basic).status_code == 200


@pytest.mark.parametrize(("body", "field"), [
    ({"password": "a brand new password"}, "current_password"),
    ({"password": "a brand new password", "current_password": "wrong one"}, "current_password"),
    ({"password": "short", "current_password": PASSWORD}, "password"),
    ({"current_password": PASSWORD}, "current_password"),
    ({"username": "caroline"}, "username"),
    ({"password_hash": "x"}, "password_hash"),
    ({"auth_stamp": "x"}, "auth_stamp"),
    ({"edit_count": 99}, "edit_count"),
    ({"website": "ftp://x.example"}, "website"),
])
def test_patch_refuses_bad_or_read_only_fields(client, user, body, field):
    """Wrong current password, a weak password, read-only fields: 400 naming the field."""
    response = client.patch(f"{API}/users/{user.username}", headers=user.bearer, json=body)
    assert response.status_code == 400
    assert field in response.get_json()["errors"], response.get_json()
    assert client.get(f"{API}/users/carol", headers=user.basic).status_code == 200


def test_patch_needs_credentials(client, user):
    """An anonymous PATCH is 401."""
    response = client.patch(f"{API}/users/{user.username}", json={"bio": "x"})
    assert response.status_code == 401


def test_delete_self(client, user, other):
    """A user deletes their own account: 204, then 404, and the token stops working."""
    assert client.delete(f"{API}/users/{user.username}", headers=other.bearer).status_code == 403
    response = client.delete(f"{API}/users/{user.username}", headers=user.bearer)
    assert response.status_code == 204
    assert client.get(f"{API}/users/{user.username}").status_code == 404
    assert client.patch(f"{API}/users/{user.username}", headers=user.bearer,
                        json={"bio": "x"}).status_code == 401


def test_admin_deletes_a_user(client, user, admin):
    """An admin may delete any account."""
    assert client.delete(f"{API}/users/{user.username}", headers=admin.bearer).status_code == 204
    assert client.get(f"{API}/users/{user.username}").status_code == 404


def test_edit_counters_follow_contributions(client, make_entry, user):
    """Creating and editing through the API counts on the user's public profile."""
    created = make_entry("Pixel 8")
    client.patch(f"{API}/entries/pixel-8", headers={**user.bearer, "If-Match": created["etag"]},
                 json={"summary": "x"})
    body = client.get(f"{API}/users/{user.username}").get_json()
    assert (body["create_count"], body["edit_count"]) == (1, 1)


def test_a_refused_patch_changes_nothing(client, app):
    """An admin's PATCH of another user with role and password: 403, and the role stays."""
    accounts = app.extensions["pkyx.accounts"]
    accounts.create_admin("boss", "boss@example.org", "a long admin passphrase 42")
    target = accounts.register("target", "target@example.org", "correct horse battery")
    response = client.patch(f"{API}/users/target", json={"role": "admin", "password":
                            "another strong passphrase 7", "bio": "changed"},
                            headers=auth_header("boss", "a long admin passphrase 42"))
    assert response.status_code == 403
    stored = app.extensions["pkyx.repos"].users.get(target["username"])
    assert stored["role"] == "user" and stored.get("bio", "") != "changed"
