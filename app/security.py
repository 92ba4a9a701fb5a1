"""Security headers the app sends itself (nginx adds the same; the app must not rely on it).

The Content Security Policy allows no inline script and no plugin, pins the base URL and
framing, and lets images come from elsewhere over http(s) because image attributes may
link to them.
"""

from __future__ import annotations

from flask import Flask

from .flask_app import add_headers, header_items

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


_ITEMS = header_items(SECURITY_HEADERS)


def init_security_headers(app: Flask) -> None:
    """Add the headers to every response (without overriding one a view set)."""

    @app.after_request
    def security_headers(response):
        # One look at the headers there are, then one extend: six setdefault calls scanned
        # the list twice each (~30 µs a request).
        add_headers(response, _ITEMS)
        return response
