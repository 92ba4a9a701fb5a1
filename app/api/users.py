"""``/api/v1/users[/<id-or-username>]``: register, profiles, account changes."""

from __future__ import annotations

from contextlib import nullcontext

from flask_babel import get_locale

from ..domain.errors import Conflict, Forbidden, InvalidValue
from ..extensions import api_auth
from ..services import accounts, admin, reads
from ..throttle import change_password
from ..write_limits import spending
from .auth import current_user
from .bodies import json_body
from .common import require_admin_or_self
from .http import Resource, conditional, etag_for, json_response, location, page_args, page_body
from .representations import user_json

__all__ = ["UserList", "UserItem", "user_response"]


def _can_see_private(user: dict) -> bool:
    caller = current_user()
    return caller is not None and (caller["role"] == "admin" or caller["_id"] == user["_id"])


def user_response(user: dict, status: int = 200, headers: dict | None = None):
    """A user (private fields for the user and admins), tagged with an ETag of the body."""
    response = json_response(user_json(user, private=_can_see_private(user)), status, headers)
    return conditional(response, etag_for("user", response.get_data()))


class UserList(Resource):
    """Public profiles; registration."""

    endpoint = "users"
    decorators = []

    def get(self):
        """One page of users by name."""
        page, per_page = page_args()
        read = reads()
        users = read.user_page((page - 1) * per_page, per_page)
        body, headers = page_body([user_json(u) for u in users], read.user_count(), page,
                                  per_page, "api.users")
        return json_response(body, headers=headers)

    def post(self):
        """Register: 201 with Location; the password is never echoed. Limited per address
        (accounts created and refusals as taken). A link to confirm the address is mailed
        (in the Accept-Language's language)."""
        data = json_body()
        profile = {name: data[name] for name in ("location", "website", "bio") if name in data}
        with spending("register"):
            user = accounts().register(data["username"], data["email"], data["password"],
                                       locale=str(get_locale()), **profile)
        response = json_response(user_json(user, private=True), 201,
                                 location("api.user", ident=user["username"]))
        return conditional(response, etag_for("user", response.get_data()))


class UserItem(Resource):
    """One user, by id or username."""

    endpoint = "user"
    path = "/<ident>"

    @api_auth.login_required(optional=True)
    def get(self, ident: str):
        """The profile; email and last seen too for the user themselves and admins."""
        return user_response(reads().user(ident))

    @api_auth.login_required
    def patch(self, ident: str):
        """Change your profile, email or password (with ``current_password``); admins may
        also change ``role``. A password change revokes every older session and token."""
        read = reads()
        user = read.user(ident)
        caller = require_admin_or_self(user["_id"])
        data = json_body()
        # Every refusal comes before the first write: a refused PATCH changes nothing.
        if "role" in data:
            if caller["role"] != "admin":
                raise Forbidden("Only admins change roles.")
            if data["role"] not in ("user", "admin"):
                raise InvalidValue("Role must be user or admin.", "role")
            if data["role"] != user["role"] and data["role"] != "admin" and \
                    not read.active_admin_count(besides=user["_id"]):
                raise Conflict(f"{user['username']} is the last administrator and keeps "
                               "the role.", "role")
        if "password" in data:
            if caller["_id"] != user["_id"]:
                raise Forbidden("Only the account's owner changes its password.")
        elif "current_password" in data:
            raise InvalidValue("current_password only goes with a new password.",
                               "current_password")
        profile = {name: data[name] for name in ("email", "location", "website", "bio")
                   if name in data}
        # A new e-mail address is limited (a taken one answers "taken"); then every
        # refusal comes before the first write.
        limit = spending("email", caller) if accounts().changes_email(user, profile) \
            else nullcontext()
        with limit:
            if profile:
                accounts().clean_profile(profile, user["_id"])  # refused before any write
            # The password first: a wrong current password or a weak new one stops here.
            if "password" in data:
                change_password(user["_id"], data.get("current_password"), data["password"])
            if profile:
                accounts().update_profile(user["_id"], profile)
        if "role" in data:  # recorded in the audit log
            admin().set_role(caller, user["_id"], data["role"])
        return user_response(read.user(user["_id"]))

    @api_auth.login_required
    def delete(self, ident: str):
        """Delete an account (the user themselves or an admin); edits stay in history."""
        user = reads().user(ident)
        caller = require_admin_or_self(user["_id"])
        if caller["_id"] != user["_id"]:  # an admin's action: in the audit log
            admin().delete_user(caller, user["_id"])
        else:
            admin().check_not_last_admin(user)
            accounts().delete_account(user["_id"])
        return "", 204
