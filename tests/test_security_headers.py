"""The app sends its own security headers on pages, API answers, errors and files."""

from __future__ import annotations

import pytest

from app.security import CSP


@pytest.mark.parametrize("path, status", [
    ("/", 200), ("/healthz", 200), ("/missing", 404), ("/api/v1/entries", 200),
    ("/api/v1/nope", 404), ("/login", 200),
])
def test_headers_on_every_kind_of_answer(client, path, status):
    """CSP without unsafe-inline, object-src none, base-uri none; nosniff; no framing."""
    response = client.get(path)
    assert response.status_code == status
    csp = response.headers["Content-Security-Policy"]
    assert csp == CSP
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "object-src 'none'" in csp and "base-uri 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
