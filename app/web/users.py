"""Pages of the users area (being built)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("users", __name__)
