"""``/api/v1/users/<id>/avatar``: a user's picture, stored re-encoded in GridFS."""

from __future__ import annotations

from flask import request

from ..domain.errors import NotFound
from ..extensions import api_auth
from ..files import file_response
from ..services import accounts, reads
from ..write_limits import spending
from .common import require_admin_or_self
from .errors import ApiError
from .http import Resource
from .users import user_response

__all__ = ["AvatarView"]


def _upload_bytes() -> bytes:
    """The image: a multipart ``file`` field, or the raw request body."""
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise ApiError(400, "Send the image in a multipart field named 'file'.",
                           errors={"file": "This field is required."})
        return upload.read()
    if not request.mimetype.startswith("image/") and request.mimetype != \
            "application/octet-stream":
        raise ApiError(415, "Send an image (PNG, JPEG, GIF or WebP) as the body, or as "
                            "multipart/form-data with a 'file' field.")
    return request.get_data()


class AvatarView(Resource):
    """Read, replace or remove a user's avatar."""

    endpoint = "avatar"

    def get(self, ident: str):
        """The image with its type, a strong ETag, caching and nosniff; 304 when unchanged."""
        read = reads()
        user = read.user(ident)
        if not user.get("avatar"):
            raise NotFound("Avatar of", user["username"])
        return file_response(read.avatar(user["avatar"]), max_age=300)

    @api_auth.login_required
    def put(self, ident: str):
        """Store a new avatar (re-encoded), then delete the old file: 200 with the profile."""
        user = reads().user(ident)
        caller = require_admin_or_self(user["_id"])
        with spending("upload", caller):
            updated = accounts().set_avatar(user["_id"], _upload_bytes())
        return user_response(updated)

    @api_auth.login_required
    def delete(self, ident: str):
        """Remove the avatar: 204."""
        user = reads().user(ident)
        require_admin_or_self(user["_id"])
        accounts().remove_avatar(user["_id"])
        return "", 204
