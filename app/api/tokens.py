"""``/api/v1/tokens``: trade Basic credentials for a Bearer token; revoke it."""

from __future__ import annotations

from flask import request

from ..extensions import basic_auth, limiter, token_auth
from .auth import current_user, issue_token, revoke_token
from .common import config
from .http import Resource, json_response, no_query_args

__all__ = ["TokenView"]


class TokenView(Resource):
    """Issue (POST, Basic auth) and revoke (DELETE, the token itself) API tokens."""

    endpoint = "tokens"

    @limiter.limit(lambda: config("RATELIMIT_TOKENS"))
    @basic_auth.login_required
    def post(self):
        """A new token for the Basic-authenticated user, with its expiry: 201."""
        no_query_args()
        body = issue_token(current_user())
        return json_response(body, 201, {"Cache-Control": "no-store"})

    @token_auth.login_required
    def delete(self):
        """Revoke the Bearer token this request carries: 204."""
        revoke_token(request.authorization.token)
        return "", 204
