"""Template filters: URLs that are safe to put in href/src."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask

__all__ = ["safe_url", "register_filters"]


def safe_url(value: object) -> str:
    """``value`` if it is an http(s) URL or a path on this site, else ``"#"``."""
    if not isinstance(value, str) or not value or any(ch.isspace() for ch in value[:1]):
        return "#"
    if value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    parts = urlsplit(value)
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return value
    return "#"


def host_of(value: object) -> str:
    """The host of a URL, for link text."""
    return urlsplit(value).hostname or "" if isinstance(value, str) else ""


def register_filters(app: Flask) -> None:
    """Make the filters available in every template."""
    app.add_template_filter(safe_url, "safe_url")
    app.add_template_filter(host_of, "host_of")
