"""Accounts: unique names and emails, strong hashes, revocation of old sessions."""

from __future__ import annotations

import pytest

from app.domain.accounts import PasswordHasher, check_password
from app.domain.errors import Conflict, InvalidValue
from conf import Config


def test_register_stores_a_salted_argon2id_hash(accounts, repos):
    """Passwords are never stored; the hash is argon2id and differs for equal passwords."""
    a = accounts.register("Alice", "Alice@Example.org", "correct horse battery")
    b = accounts.register("bob", "bob@example.org", "correct horse battery")
    assert a["password_hash"].startswith("$argon2id$")
    assert a["password_hash"] != b["password_hash"]
    assert "correct horse" not in str(repos.users.get(a["_id"]))
    assert a["email"] == "alice@example.org" and a["username"] == "Alice"
    assert a["role"] == "user" and a["auth_stamp"]


def test_production_cost_meets_owasp():
    """The configured cost is argon2id m=19 MiB, t=2, p=1 (OWASP / ASVS 5.0 Appendix C)."""
    hasher = PasswordHasher(Config.ARGON2_MEMORY_KIB, Config.ARGON2_TIME_COST,
                            Config.ARGON2_PARALLELISM)
    digest = hasher.hash("correct horse battery")
    assert digest.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert hasher.verify(digest, "correct horse battery")
    assert not hasher.verify(digest, "correct horse batterY")


@pytest.mark.parametrize("username, email, message", [
    ("ALICE", "other@example.org", "username is taken"),
    ("alice2", "ALICE@example.org", "email address already exists"),
])
def test_usernames_ignore_case_and_emails_are_unique(accounts, alice, username, email, message):
    """A second 'ALICE' or the same email in capitals is a Conflict naming the field."""
    with pytest.raises(Conflict, match=message) as caught:
        accounts.register(username, email, "correct horse battery")
    assert caught.value.field in ("username", "email")


@pytest.mark.parametrize("username, email, password, field", [
    ("a", "a@example.org", "correct horse battery", "username"),
    ("bad name", "a@example.org", "correct horse battery", "username"),
    ("admin", "a@example.org", "correct horse battery", "username"),
    ({"$ne": ""}, "a@example.org", "correct horse battery", "username"),
    ("carol", "not-an-email", "correct horse battery", "email"),
    ("carol", ["x@example.org"], "correct horse battery", "email"),
    ("carol", "c@example.org", "short", "password"),
    ("carol", "c@example.org", "x" * 257, "password"),
    ("carol", "c@example.org", "carol", "password"),
    ("carol", "c@example.org", 12345678, "password"),
])
def test_bad_registrations_are_refused_with_the_field(accounts, username, email, password, field):
    """Each bad field is refused with a message naming it; nothing is stored."""
    with pytest.raises(InvalidValue) as caught:
        accounts.register(username, email, password)
    assert caught.value.field == field and caught.value.message
    assert accounts.repos.users.count() == 0


def test_long_passwords_are_not_truncated():
    """A 64-character password and one differing only in its last character do not match."""
    hasher = PasswordHasher(1024, 1, 1)
    long = "correct horse battery staple " * 2 + "plus!!"
    assert len(long) == 64 and check_password(long) == long
    digest = hasher.hash(long)
    assert hasher.verify(digest, long) and not hasher.verify(digest, long[:-1] + "S")


def test_authenticate_by_username_or_email(accounts, alice):
    """Login works with the username in any case or the email; wrong passwords fail."""
    assert accounts.authenticate("ALICE", "correct horse battery")["_id"] == alice["_id"]
    assert accounts.authenticate("alice@example.org", "correct horse battery")
    assert accounts.authenticate("alice", "wrong password") is None
    assert accounts.authenticate("nobody", "correct horse battery") is None
    assert accounts.authenticate({"$ne": ""}, "x") is None
    assert accounts.authenticate("alice", {"$gt": ""}) is None


def test_old_hashes_are_upgraded_at_login(accounts, alice, repos):
    """A hash made with weaker parameters is replaced after a successful login."""
    weak = PasswordHasher(512, 1, 1).hash("correct horse battery")
    repos.users.rehash(alice["_id"], weak)
    accounts.authenticate("alice", "correct horse battery")
    assert repos.users.get(alice["_id"])["password_hash"] != weak


def test_password_change_and_logout_everywhere_rotate_the_stamp(accounts, alice):
    """Both give a new auth stamp, which revokes every older session and token."""
    changed = accounts.change_password(alice["_id"], "correct horse battery",
                                       "another good passphrase")
    assert changed["auth_stamp"] != alice["auth_stamp"]
    assert accounts.authenticate("alice", "another good passphrase")
    out = accounts.logout_everywhere(alice["_id"])
    assert out["auth_stamp"] != changed["auth_stamp"]
    with pytest.raises(InvalidValue, match="current password"):
        accounts.change_password(alice["_id"], "wrong", "yet another passphrase")


def test_profile_updates_validate_and_ignore_nothing_silently(accounts, alice):
    """Profile fields are checked; unknown fields (role!) are refused, not stored."""
    user = accounts.update_profile(alice["_id"], {"location": " Berlin ",
                                                  "website": "https://alice.example.org"})
    assert user["location"] == "Berlin"
    for fields, field in (({"role": "admin"}, "role"),
                          ({"website": "javascript:alert(1)"}, "website"),
                          ({"bio": "x" * 501}, "bio"),
                          ({"location": 5}, "location"),
                          ({"bio": "a\x00b"}, "bio")):
        with pytest.raises(InvalidValue) as caught:
            accounts.update_profile(alice["_id"], fields)
        assert caught.value.field == field
    assert accounts.repos.users.get(alice["_id"])["role"] == "user"


def test_create_admin_creates_or_promotes(accounts, alice, runner):
    """create-admin makes a new admin (reserved names allowed) or promotes a user."""
    admin = accounts.create_admin("admin", "ops@example.org", "correct horse battery")
    assert admin["role"] == "admin"
    promoted = accounts.create_admin("alice", "alice@example.org", "a new long passphrase")
    assert promoted["role"] == "admin"
    with pytest.raises(Conflict):
        accounts.create_admin("alice", "someone@example.org", "a new long passphrase")
    result = runner.invoke(args=["create-admin", "root", "--email", "root@example.org",
                                 "--password", "correct horse battery"])
    assert result.exit_code == 0 and "root is an admin" in result.output
    result = runner.invoke(args=["create-admin", "x y", "--email", "xy@example.org",
                                 "--password", "correct horse battery"])
    assert result.exit_code == 1 and "Username must be" in result.output
