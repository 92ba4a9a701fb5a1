"""API authentication: Basic or Bearer, tokens, roles, and limits on password guessing.

A token is an itsdangerous signature (its own salt) over the user id, a digest of the
user's auth stamp and a token id. It stops working when it expires, when it is revoked
(``DELETE /api/v1/tokens`` records its id until it would have expired), and when the
user changes their password or logs out everywhere, or an administrator blocks the account
(the stamp changes; a blocked account's Basic credentials and tokens answer 403 naming
the reason). A browser
session cookie is never looked at here, so it can never authorise an API write.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

from flask import current_app
from flask.globals import request_ctx
from flask_limiter import Limiter
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..domain.errors import AccountBlocked
from ..extensions import api_auth, basic_auth, limiter, token_auth
from ..flask_app import replace_hook
from ..services import accounts, reads
from ..throttle import authenticate
from .errors import problem
from .ratelimit_storage import SCHEME

__all__ = ["issue_token", "read_token", "revoke_token", "current_user", "init_auth",
           "TOKEN_SALT"]

TOKEN_SALT = "pkyx.api-token.v1"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=TOKEN_SALT)


def _stamp_digest(stamp: str) -> str:
    """A digest of the auth stamp (the stamp itself never leaves the server)."""
    return hashlib.sha256(stamp.encode()).hexdigest()[:24]


def issue_token(user: dict) -> dict:
    """A new token for ``user``, with when it expires."""
    lifetime = current_app.config["API_TOKEN_SECONDS"]
    claims = {"uid": str(user["_id"]), "stamp": _stamp_digest(user["auth_stamp"]),
              "jti": secrets.token_urlsafe(12)}
    expires_at = datetime.now(UTC) + timedelta(seconds=lifetime)
    return {"token": _serializer().dumps(claims), "token_type": "Bearer",
            "expires_in": lifetime, "expires_at": expires_at}


def read_token(token: str) -> tuple[dict, dict] | None:
    """The user and claims of a valid token, or ``None`` (bad, expired, revoked, stale)."""
    try:
        claims = _serializer().loads(token, max_age=current_app.config["API_TOKEN_SECONDS"])
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(claims, dict) or not all(
        isinstance(claims.get(name), str) for name in ("uid", "stamp", "jti")
    ):
        return None
    read = reads()
    user = read.find_user(claims["uid"])
    if user is None or not hmac.compare_digest(claims["stamp"],
                                               _stamp_digest(user["auth_stamp"])):
        return None
    if read.token_revoked(claims["jti"]):
        return None
    return user, claims


def revoke_token(token: str) -> bool:
    """Revoke the token presented; False when it was not valid."""
    found = read_token(token)
    if found is None:
        return False
    _, claims = found
    signed_at = _serializer().loads(token, return_timestamp=True)[1]
    expires_at = signed_at + timedelta(seconds=current_app.config["API_TOKEN_SECONDS"])
    accounts().revoke_token(claims["jti"], expires_at)
    return True


def current_user() -> dict | None:
    """The user this API request authenticated as, if any."""
    return api_auth.current_user()


def _refuse_blocked(user: dict | None) -> dict | None:
    """``user``, unless an administrator blocked it: then a 403 naming the reason."""
    if user is not None and user.get("blocked"):
        raise AccountBlocked(user["blocked"].get("reason", ""))
    return user


def _blocked_owner(token: str) -> dict | None:
    """The blocked account a validly signed, unexpired token belongs to, if it is one
    (blocking changed its stamp, so :func:`read_token` no longer accepts it)."""
    try:
        claims = _serializer().loads(token, max_age=current_app.config["API_TOKEN_SECONDS"])
    except (SignatureExpired, BadSignature):
        return None
    uid = claims.get("uid") if isinstance(claims, dict) else None
    user = reads().find_user(uid) if isinstance(uid, str) else None
    return user if user is not None and user.get("blocked") else None


@basic_auth.verify_password
def _verify_password(login: str, password: str):
    """Basic auth: username or email + password, limited per account and address; a
    blocked account (right password) is a 403 naming the reason."""
    if not login or not password:
        return None
    return _refuse_blocked(authenticate(login, password))


@token_auth.verify_token
def _verify_token(token: str):
    """Bearer auth: a valid, unexpired, unrevoked token of a current session; a blocked
    account's token is a 403 naming the reason."""
    found = read_token(token) if token else None
    if found is None:
        return _refuse_blocked(_blocked_owner(token)) if token else None
    return _refuse_blocked(found[0])


@basic_auth.get_user_roles
def _basic_roles(user: dict) -> str:
    return user["role"]


@token_auth.get_user_roles
def _token_roles(user: dict) -> str:
    return user["role"]


def _auth_error(status: int):
    """401: the same body whatever was wrong (unknown user or wrong password); 403: role."""
    if status == 403:
        return problem(403, "Your account may not do this.")
    return problem(401, "Log in with Basic auth (username or email and password) or a "
                        "Bearer token from POST /api/v1/tokens.",
                   headers={"WWW-Authenticate": 'Bearer realm="pkyx", charset="UTF-8"'})


basic_auth.error_handler(_auth_error)
token_auth.error_handler(_auth_error)


def init_auth(app) -> None:
    """Configure the rate limiter's storage: memory for the embedded store, else MongoDB.

    With MongoDB the counters live in the app's database, through the app's own client
    (:mod:`app.api.ratelimit_storage`), so every gunicorn worker and host shares them.
    """
    store = app.extensions["pkyx.store"]
    if not app.config.get("RATELIMIT_STORAGE_URI"):
        if store.embedded:
            app.config["RATELIMIT_STORAGE_URI"] = "memory://"
            app.config["RATELIMIT_STORAGE_OPTIONS"] = {}
        else:
            app.config["RATELIMIT_STORAGE_URI"] = f"{SCHEME}://"
            app.config["RATELIMIT_STORAGE_OPTIONS"] = {"client": store.client,
                                                       "database_name": store.db.name}
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    # The limiter is one object for the process; forget options of an earlier app.
    limiter._storage_options = {}
    limiter.init_app(app)
    _lean_limiter_hooks(app)


def _lean_limiter_hooks(app) -> None:
    """Run Flask-Limiter's per-request hooks only where they can do something.

    Its ``before_request`` looks for limits that cover every request (application,
    default, meta and blueprint limits); pkyx sets none, and limits one route with a
    decorator, which checks inside the view. So that hook is skipped while no such limit
    exists (asked at each request, so one added later counts). Its ``after_request``
    (rate-limit headers, conditional deductions) and ``teardown_request`` only read the
    state a check left in the request's context: with no check made, there is none to
    read. The limiter's hooks cost ~60 µs a request, a quarter of ``/healthz``. A limiter
    turned off (``RATELIMIT_ENABLED = False``) registers no hooks: nothing to make lean.
    """
    if not limiter.enabled:
        return
    manager = limiter.limit_manager

    def app_wide_limits() -> bool:
        return bool(manager._application_limits or manager._default_limits
                    or limiter._meta_limits or manager._blueprint_limits)

    def checked() -> bool:
        ctx = request_ctx._get_current_object()
        return hasattr(ctx, "_limiter_request_context")

    def before(check):
        def limiter_check() -> None:
            if app_wide_limits():
                check()
        return limiter_check

    def after(inject):
        def limiter_headers(response):
            return inject(response) if checked() else response
        return limiter_headers

    def teardown(release):
        def limiter_release(exc: BaseException | None = None) -> None:
            if checked():
                release(exc)
        return limiter_release

    replace_hook(app.before_request_funcs, lambda f: f == limiter._check_request_limit, before)
    replace_hook(app.after_request_funcs,
                 lambda f: getattr(f, "func", None) is Limiter._Limiter__inject_headers
                 and f.args == (limiter,), after)
    replace_hook(app.teardown_request_funcs,
                 lambda f: f == limiter._Limiter__release_context, teardown)
