"""Account operations shared by the pages and the API: register, log in, revoke."""

from __future__ import annotations

from collections.abc import Mapping

from bson import ObjectId

from ..domain import accounts
from ..domain.accounts import PasswordHasher
from ..domain.errors import Conflict, InvalidValue
from ..domain.images import process_image
from ..domain.messages import M_
from ..repositories import Repositories

__all__ = ["Accounts", "AVATAR_SIDE", "email_taken"]

#: Avatars are re-encoded to at most this many pixels a side.
AVATAR_SIDE = 256


def email_taken(email: str) -> Conflict:
    """The answer to a registration or e-mail change whose address another account holds.

    This is the one place that tells a client an address is registered (pages and API,
    each answer counted by the "register" and "email" write limits). The API's contract
    (201 with the new account's Location, SPEC.md) keeps it: a registration that
    created nothing cannot answer as if it had.
    """
    return Conflict(M_("An account with this email address already exists."), "email")


class Accounts:
    """Users' use cases over the repositories, with one password hasher."""

    def __init__(self, repos: Repositories, hasher: PasswordHasher):
        self.repos = repos
        self.hasher = hasher
        #: The account mail (:class:`~app.services.account_mail.AccountMail`), set by the
        #: app; without it no mail is sent.
        self.mail = None

    def register(self, username: object, email: object, password: object,
                 role: str = "user", *, confirmed: bool = False, locale: str = "en",
                 **profile: object) -> dict:
        """Create an account after validating every field (admins may take reserved names).

        An account is made unconfirmed (unless ``confirmed``: demo and operators' accounts)
        and mailed its confirmation link, in ``locale``."""
        username = accounts.check_username(username, allow_reserved=role == "admin")
        email = accounts.check_email(email)
        password = accounts.check_password(password, username=username, email=email)
        clean = accounts.check_profile(profile)
        if role not in accounts.ROLES:
            raise InvalidValue(M_("Role must be one of %(roles)s.")
                               % {"roles": ", ".join(accounts.ROLES)}, "role")
        users = self.repos.users
        if users.find_by_name(username) is not None or users.is_reserved(username):
            raise Conflict(users.unique["username_key"], "username")  # before the email
        self._refuse_taken_email(email)
        try:
            user = self.repos.users.insert(username, email, self.hasher.hash(password), role,
                                           confirmed=confirmed, locale=locale, **clean)
        except Conflict as exc:
            raise (email_taken(email) if exc.field == "email" else exc) from exc
        if self.mail is not None:
            self.mail.send_confirmation(user)
        return user

    def authenticate(self, login: object, password: object) -> dict | None:
        """The user whose login and password match, else ``None`` (same work either way)."""
        if not isinstance(login, str) or not isinstance(password, str) or not login:
            self.hasher.verify(None, "")
            return None
        user = self.repos.users.find_login(login)
        if not self.hasher.verify(user["password_hash"] if user else None, password):
            return None
        if self.hasher.needs_rehash(user["password_hash"]):
            self.repos.users.rehash(user["_id"], self.hasher.hash(password))
        return user

    def change_password(self, user_id: ObjectId, current: object, new: object) -> dict:
        """Set a new password after checking the current one; revokes every old session,
        and the owner is told by mail."""
        user = self.repos.users.get(user_id)
        if not isinstance(current, str) or not self.hasher.verify(user["password_hash"], current):
            raise InvalidValue(M_("The current password is not right."), "current_password")
        new = accounts.check_password(new, username=user["username"], email=user["email"])
        updated = self.repos.users.set_password(user["_id"], self.hasher.hash(new))
        if self.mail is not None:
            self.mail.notify_password_changed(updated)
        return updated

    def set_password(self, user_id: ObjectId, new: object, *,
                     replacing: str | None = None) -> dict:
        """Set a password without the current one (operators, reset links); revokes old
        sessions and tokens. ``replacing``: only if the hash is still this one (else
        :class:`~app.domain.errors.BadLink` "used": a reset link works once)."""
        user = self.repos.users.get(user_id)
        new = accounts.check_password(new, username=user["username"], email=user["email"])
        return self.repos.users.set_password(user["_id"], self.hasher.hash(new),
                                             replacing=replacing)

    def _refuse_taken_email(self, email: str, user_id: ObjectId | None = None) -> None:
        """Raise :func:`email_taken` when another account holds ``email``."""
        holder = self.repos.users.find_by_email(email)
        if holder is not None and holder["_id"] != user_id:
            raise email_taken(email)

    @staticmethod
    def changes_email(user: Mapping, fields: Mapping[str, object]) -> bool:
        """Whether ``fields`` ask for another e-mail address than the user's (a write that
        the "email" limit counts)."""
        email = fields.get("email")
        return isinstance(email, str) and email.strip().lower() != user["email"]

    def clean_profile(self, fields: Mapping[str, object],
                      user_id: ObjectId | None = None) -> dict:
        """Validated profile fields (and email, refused when another account holds it);
        raises InvalidValue or Conflict, writes nothing."""
        fields = dict(fields)
        email = fields.pop("email", None)
        clean = accounts.check_profile(fields)
        if email is not None:
            clean["email"] = accounts.check_email(email)
            self._refuse_taken_email(clean["email"], user_id)
        return clean

    def update_profile(self, user_id: ObjectId, fields: Mapping[str, object]) -> dict:
        """Change profile fields; anything else is refused. A new e-mail address waits
        (``pending_email``) and is mailed a link; it replaces the account's address only
        once that link is followed. The account's own address again cancels the change."""
        clean = self.clean_profile(fields, user_id)
        email = clean.pop("email", None)
        user = self.repos.users.update_profile(user_id, clean) if clean \
            else self.repos.users.get(user_id)
        if email is None or email == user.get("pending_email"):
            return user
        if email == user["email"]:
            return self.repos.users.set_pending_email(user_id, None) \
                if user.get("pending_email") else user
        user = self.repos.users.set_pending_email(user_id, email)
        if self.mail is not None:
            self.mail.send_confirmation(user)
        return user

    def remember_locale(self, user: Mapping, locale: str) -> None:
        """Write the account's mail in the language it last logged in with."""
        if user.get("locale") != locale:
            self.repos.users.set_locale(user["_id"], locale)

    def logout_everywhere(self, user_id: ObjectId) -> dict:
        """Revoke every session, remember cookie and API token of a user."""
        return self.repos.users.revoke_sessions(user_id)

    def create_admin(self, username: str, email: str, password: str) -> dict:
        """Create an admin, or make an existing user with that name an admin."""
        existing = self.repos.users.find(username)
        if existing is None:  # the operator vouches for the address
            return self.register(username, email, password, role="admin", confirmed=True)
        if existing["email"] != accounts.check_email(email):
            raise Conflict(M_("A user with this name exists with another email address."),
                           "username")
        self.set_password(existing["_id"], password)
        self.repos.users.mark_confirmed(existing["_id"])
        return self.repos.users.set_role(existing["_id"], "admin")

    def set_avatar(self, user_id: ObjectId, data: bytes) -> dict:
        """Re-encode and store a new avatar, then delete the old file; return the user.

        The old file goes only after the new one is stored and the user points at it, and
        a failure in between leaves no orphan file behind.
        """
        user = self.repos.users.get(user_id)
        image = process_image(data, max_side=AVATAR_SIDE)
        file_id = self.repos.avatars.put(image.data, f"{user['username']}.{image.extension}",
                                         image.content_type, user_id=user["_id"])
        try:
            old = self.repos.users.set_avatar(user["_id"], file_id)
        except BaseException:
            self.repos.avatars.delete(file_id)
            raise
        if old:
            self.repos.avatars.delete(old)
        return self.repos.users.get(user["_id"])

    def delete_account(self, user_id: ObjectId) -> dict:
        """Delete an account and its avatar file; its name stays reserved and its edits
        stay in history. Returns the account as it was."""
        removed = self.repos.users.delete(user_id)
        if removed.get("avatar"):
            self.repos.avatars.delete(removed["avatar"])
        return removed

    def revoke_token(self, jti: str, expires_at) -> None:
        """Refuse an API token from now on (kept until it would have expired anyway)."""
        self.repos.tokens.revoke(jti, expires_at)

    def remove_avatar(self, user_id: ObjectId) -> None:
        """Remove a user's avatar and its file."""
        old = self.repos.users.set_avatar(user_id, None)
        if old:
            self.repos.avatars.delete(old)
