"""Users: accounts, profiles, and the stamp that revokes old sessions and tokens.

An account's e-mail address is ``email_confirmed`` once its owner followed a link mailed
to it (``confirmed_at`` says when). A new address waits in ``pending_email`` until its own
link is followed; only then does it replace ``email``. Accounts stored before
confirmation existed have no ``email_confirmed`` and count as confirmed
(:func:`~app.repositories.migrations.confirm_existing_accounts` writes it down).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping

from bson import ObjectId
from pymongo import ReturnDocument

from ..domain.errors import BadLink, Conflict, InvalidValue, NotFound
from ..domain.messages import M_, N_
from .base import Repository, parse_id, utcnow

__all__ = ["UserRepository", "new_auth_stamp"]

PROFILE_FIELDS = ("location", "website", "bio")


def new_auth_stamp() -> str:
    """A fresh random value; sessions and tokens carry it and die when it changes."""
    return secrets.token_urlsafe(16)


class UserRepository(Repository):
    """Stores users; usernames are unique ignoring case, emails are kept lowercased.

    A deleted account's name stays reserved (collection ``deleted_users``, keyed by the
    account's id): history shows the name, so a new account must not take it over.
    """

    collection_name = "users"
    unique = {
        "username_key": N_("This username is taken."),
        "email": N_("An account with this email address already exists."),
    }

    def __init__(self, store):
        super().__init__(store)
        self.deleted = store.db["deleted_users"]

    def insert(self, username: str, email: str, password_hash: str, role: str = "user", *,
               confirmed: bool = False, locale: str = "en", **profile: str) -> dict:
        """Create an account; a taken (or reserved) username or email is a :class:`Conflict`.

        ``locale`` is the language its mail is written in."""
        now = utcnow()
        doc = {
            "username": username,
            "username_key": username.casefold(),
            "email": email.lower(),
            "password_hash": password_hash,
            "role": role,
            "created_at": now,
            "last_seen": now,
            "avatar": None,
            "location": profile.get("location", ""),
            "website": profile.get("website", ""),
            "bio": profile.get("bio", ""),
            "edit_count": 0,
            "create_count": 0,
            "auth_stamp": new_auth_stamp(),
            "email_confirmed": confirmed,
            "confirmed_at": now if confirmed else None,
            "pending_email": None,
            "locale": locale,
        }
        with self.writing(self.unique, doc):
            # Under the write lock, so a name being deleted is reserved before or after.
            if self.is_reserved(username):
                raise Conflict(self.unique["username_key"], "username")
            doc["_id"] = self.col.insert_one(doc).inserted_id
        return doc

    def get(self, ident: str | ObjectId) -> dict:
        """The user with this id or username (any case), or raise :class:`NotFound`."""
        doc = self.find(ident)
        if doc is None:
            raise NotFound("User", str(ident))
        return doc

    def find(self, ident: str | ObjectId) -> dict | None:
        """The user with this id or username (any case), or ``None``."""
        oid = parse_id(ident)
        doc = self.col.find_one({"_id": oid}) if oid else None
        if doc is None and isinstance(ident, str):
            doc = self.col.find_one({"username_key": ident.casefold()})
        return doc

    def find_by_name(self, username: str) -> dict | None:
        """The user with this username (any case), or ``None``."""
        return self.col.find_one({"username_key": username.strip().casefold()})

    def find_by_email(self, email: str) -> dict | None:
        """The user with this (normalised) email address, or ``None``."""
        return self.col.find_one({"email": email.lower()})

    def is_reserved(self, username: str) -> bool:
        """Whether the name belonged to an account that was deleted."""
        return self.deleted.count_documents({"username_key": username.casefold()},
                                            limit=1) > 0

    def find_login(self, login: str) -> dict | None:
        """The user a login names: an email address or a username (any case).

        An address that two accounts share (possible only in a store awaiting
        ``manage.py check --repair``) names neither: it is refused with a message
        instead of logging in to whichever account a query returns first.
        """
        if "@" in login:
            found = list(self.col.find({"email": login.strip().lower()}).limit(2))
            if len(found) > 1:
                raise InvalidValue(M_("This e-mail address belongs to more than one account; "
                                      "log in with your user name."), "login")
            return found[0] if found else None
        return self.col.find_one({"username_key": login.strip().casefold()})

    def update_profile(self, user_id: ObjectId, fields: Mapping[str, str]) -> dict:
        """Save profile fields (only location, website, bio, email)."""
        allowed = {k: v for k, v in fields.items() if k in (*PROFILE_FIELDS, "email")}
        return self._set(user_id, allowed)

    def set_password(self, user_id: ObjectId, password_hash: str, *,
                     replacing: str | None = None) -> dict:
        """Store a new hash and revoke every older session and token.

        ``replacing`` makes it conditional: only while the hash is that one (a reset link
        works once, even when followed twice at the same moment); else BadLink "used".
        """
        fields = {"password_hash": password_hash, "auth_stamp": new_auth_stamp()}
        if replacing is None:
            return self._set(user_id, fields)
        with self.writing():
            doc = self.col.find_one_and_update(
                {"_id": user_id, "password_hash": replacing}, {"$set": fields},
                return_document=ReturnDocument.AFTER)
        if doc is None:
            raise BadLink("used")
        return doc

    def rehash(self, user_id: ObjectId, password_hash: str) -> None:
        """Upgrade a hash made with older parameters (sessions stay valid)."""
        self._set(user_id, {"password_hash": password_hash})

    def revoke_sessions(self, user_id: ObjectId) -> dict:
        """Log out everywhere: every session and token made before now stops working."""
        return self._set(user_id, {"auth_stamp": new_auth_stamp()})

    def confirm_email(self, user_id: ObjectId, email: str) -> dict | None:
        """Confirm ``email`` if it is still the account's unconfirmed address; the account
        after, or ``None`` when it is not (confirmed already, or another address now)."""
        with self.writing():
            return self.col.find_one_and_update(
                {"_id": user_id, "email": email, "email_confirmed": False},
                {"$set": {"email_confirmed": True, "confirmed_at": utcnow()}},
                return_document=ReturnDocument.AFTER)

    def set_pending_email(self, user_id: ObjectId, email: str | None) -> dict:
        """Keep ``email`` waiting for its confirmation (``None``: no change waits)."""
        return self._set(user_id, {"pending_email": email.lower() if email else None})

    def apply_pending_email(self, user_id: ObjectId, email: str) -> dict | None:
        """Make the waiting ``email`` the account's (confirmed) address, if it still waits;
        the account after, or ``None``. Another account holding it is a Conflict."""
        fields = {"email": email, "pending_email": None, "email_confirmed": True,
                  "confirmed_at": utcnow()}
        with self.writing(self.unique, fields):
            return self.col.find_one_and_update(
                {"_id": user_id, "pending_email": email}, {"$set": fields},
                return_document=ReturnDocument.AFTER)

    def set_locale(self, user_id: ObjectId, locale: str) -> None:
        """Write the account's mail in ``locale`` from now on."""
        self._set(user_id, {"locale": locale})

    def set_role(self, user_id: ObjectId, role: str) -> dict:
        """Make a user an admin or a plain user."""
        return self._set(user_id, {"role": role})

    def block(self, user_id: ObjectId, blocked: Mapping[str, object]) -> dict:
        """Block an account (``blocked``: reason, by, at) and end its sessions and tokens:
        the new stamp makes every older one fail at its next request."""
        return self._set(user_id, {"blocked": dict(blocked), "auth_stamp": new_auth_stamp()})

    def unblock(self, user_id: ObjectId) -> dict:
        """Let a blocked account log in again (it logs in afresh: its old sessions are gone)."""
        return self._set(user_id, {"blocked": None})

    def mark_confirmed(self, user_id: ObjectId) -> dict:
        """Record that the account's e-mail address is confirmed (now)."""
        return self._set(user_id, {"email_confirmed": True, "confirmed_at": utcnow()})

    def count_active_admins(self, *, besides: ObjectId | None = None) -> int:
        """How many admins are not blocked (leaving out ``besides``)."""
        admins = self.col.find({"role": "admin"}, {"blocked": 1}).sort(
            [("username_key", 1), ("_id", 1)])
        return sum(1 for doc in admins if not doc.get("blocked") and doc["_id"] != besides)

    def search(self, text: str, skip: int = 0, limit: int = 25) -> tuple[list[dict], int]:
        """Users whose name or e-mail address starts with ``text`` (any case), by name, one
        page, and how many match (every user for an empty ``text``)."""
        text = text.strip()
        if not text:
            return self.page(skip, limit), self.count()
        prefix = {"$regex": "^" + re.escape(text.casefold() if "@" not in text
                                             else text.lower())}
        field = "email" if "@" in text else "username_key"
        filter = {field: prefix}
        cursor = self.col.find(filter).sort(field, 1)  # a unique key: the order is total
        return list(cursor.skip(skip).limit(limit)), self.col.count_documents(filter)

    def set_avatar(self, user_id: ObjectId, file_id: ObjectId | None) -> ObjectId | None:
        """Point the user at a new avatar file; return the old one for deletion."""
        with self.writing():
            before = self.col.find_one_and_update(
                {"_id": user_id}, {"$set": {"avatar": file_id}},
                return_document=ReturnDocument.BEFORE,
            )
        if before is None:
            raise NotFound("User", str(user_id))
        return before.get("avatar")

    def count_contribution(self, user_id: ObjectId, *, created: bool) -> None:
        """Add one to the user's creation or edit counter."""
        field = "create_count" if created else "edit_count"
        with self.writing():
            self.col.update_one({"_id": user_id}, {"$inc": {field: 1}})

    def seen(self, user_id: ObjectId) -> None:
        """Record that the user was active now."""
        self._set(user_id, {"last_seen": utcnow()})

    def delete(self, user_id: ObjectId) -> dict:
        """Remove an account and reserve its name; return it (its avatar is the caller's
        to delete). The name is reserved first, so it is never free in between."""
        with self.writing():
            doc = self.col.find_one({"_id": user_id}, {"username": 1, "username_key": 1})
            if doc is not None:
                self.reserve(doc["username"], user_id)
            doc = self.col.find_one_and_delete({"_id": user_id})
        if doc is None:
            raise NotFound("User", str(user_id))
        return doc

    def reserve(self, username: str, user_id: ObjectId | None = None) -> None:
        """Keep ``username`` from being registered again (``user_id``: whose it was)."""
        self.deleted.update_one(
            {"username_key": username.casefold()},
            {"$setOnInsert": {"_id": user_id or ObjectId(), "username": username,
                              "deleted_at": utcnow()}},
            upsert=True)

    def count(self) -> int:
        """How many accounts there are."""
        return self.col.count_documents({})

    def page(self, skip: int = 0, limit: int = 25) -> list[dict]:
        """Users by name, one page."""
        return list(self.col.find({}).sort("username_key", 1).skip(skip).limit(limit))

    def file_ids(self) -> set[ObjectId]:
        """Every avatar file a user points at (for finding orphans)."""
        return {d["avatar"] for d in self.col.find({"avatar": {"$ne": None}}, {"avatar": 1})}

    def _set(self, user_id: ObjectId, fields: Mapping[str, object]) -> dict:
        """Set fields on one user and return the user after."""
        with self.writing(self.unique, dict(fields)):
            doc = self.col.find_one_and_update(
                {"_id": user_id}, {"$set": dict(fields)}, return_document=ReturnDocument.AFTER
            )
        if doc is None:
            raise NotFound("User", str(user_id))
        return doc

    def contribution_counts(self) -> dict[ObjectId, tuple[int, int]]:
        """Every account's (creations, edits) as its counters hold them."""
        return {doc["_id"]: (doc.get("create_count", 0), doc.get("edit_count", 0))
                for doc in self.col.find({}, {"create_count": 1, "edit_count": 1})}

    def set_contributions(self, user_id: ObjectId, created: int, edited: int) -> None:
        """Set an account's counters from a fresh count (``manage.py check --repair``)."""
        with self.writing():
            self.col.update_one({"_id": user_id},
                                {"$set": {"create_count": created, "edit_count": edited}})
