"""The "known device" cookie: a browser that logged in before is not locked out with strangers.

A successful page login leaves a signed cookie (itsdangerous, its own salt) holding a
random device id and the ids of the accounts that logged in on this browser (the last
:data:`MAX_ACCOUNTS`). :func:`app.throttle.authenticate` lets such a browser log in to
those accounts while their address is limited because of someone else's guesses; the
device's own failures are still limited. The cookie authorises nothing by itself: the
password is checked as always, and the API never reads it.
"""

from __future__ import annotations

import secrets

from flask import Response, current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from ..throttle import KnownDevice

__all__ = ["COOKIE", "known_device", "remember_device", "LIFETIME_SECONDS"]

COOKIE = "pkyx_device"
SALT = "pkyx.known-device.v1"
#: How long a browser stays known after its last login (OWASP suggests months).
LIFETIME_SECONDS = 180 * 24 * 3600
MAX_ACCOUNTS = 5


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=SALT)


def known_device() -> KnownDevice | None:
    """The device this request's cookie proves, or ``None`` (absent, forged, expired)."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        data = _serializer().loads(raw, max_age=LIFETIME_SECONDS)
    except BadSignature:  # SignatureExpired is one too
        return None
    if not isinstance(data, dict) or not isinstance(data.get("d"), str) \
            or not isinstance(data.get("u"), list) \
            or not all(isinstance(uid, str) for uid in data["u"]):
        return None
    return KnownDevice(data["d"], tuple(data["u"]))


def remember_device(response: Response, user: dict) -> Response:
    """Set (or refresh) the cookie so this browser is known for ``user`` from now on."""
    device = known_device()
    device_id = device.id if device else secrets.token_urlsafe(16)
    uid = str(user["_id"])
    accounts = [uid] + [other for other in (device.accounts if device else ()) if other != uid]
    value = _serializer().dumps({"d": device_id, "u": accounts[:MAX_ACCOUNTS]})
    response.set_cookie(COOKIE, value, max_age=LIFETIME_SECONDS, httponly=True, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response
