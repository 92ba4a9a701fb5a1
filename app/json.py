"""One JSON encoder for the whole app: orjson, ids as strings, UTC times with milliseconds.

Every datetime leaves the app as ISO 8601 UTC with milliseconds and ``Z``
(``2026-11-21T04:48:59.786Z``); every ObjectId as its 24 hex digits. Nothing is ever
written as MongoDB Extended JSON.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import orjson
from bson import ObjectId
from flask.json.provider import JSONProvider

__all__ = ["OrjsonProvider", "iso", "dumps"]

OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS


def iso(moment: datetime) -> str:
    """``moment`` as ISO 8601 UTC with milliseconds and ``Z`` (naive means UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _default(value: Any) -> Any:
    """Encode what orjson does not know: ids, datetimes, sets, tuples of ids."""
    if isinstance(value, ObjectId):
        return str(value)
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dumps(value: Any, *, indent: bool = False) -> bytes:
    """Encode ``value`` to JSON bytes."""
    return orjson.dumps(value, default=_default,
                        option=OPTIONS | (orjson.OPT_INDENT_2 if indent else 0))


class OrjsonProvider(JSONProvider):
    """Flask's JSON provider, backed by orjson (``jsonify`` and ``request.json`` use it)."""

    mimetype = "application/json"

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        """Encode to a str."""
        return dumps(obj).decode()

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """Decode JSON text (orjson refuses NaN, Infinity and invalid UTF-8)."""
        return orjson.loads(s)

    def response(self, *args: Any, **kwargs: Any):
        """A JSON response of ``args``/``kwargs`` as ``jsonify`` builds it."""
        obj = self._prepare_response_obj(args, kwargs)
        return self._app.response_class(dumps(obj), mimetype=self.mimetype)
