"""Rate-limit counters in MongoDB over the app's own pymongo client.

limits' stock MongoDB storage builds a client of its own (30 s timeouts, created at
first use and even from ``__del__``) and closes it when garbage-collected. This one
borrows the app's client instead: lazy (``connect=False``, fork-safe under gunicorn),
with the app's bounded timeouts and majority writes, and never closed here.
"""

from __future__ import annotations

from limits.storage import MongoDBStorage

__all__ = ["SharedClientMongoStorage", "SCHEME"]

SCHEME = "pkyx-mongodb"


class SharedClientMongoStorage(MongoDBStorage):
    """Fixed-window counters in ``ratelimit_*`` collections of the app's database."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, *, client=None, database_name: str = "pkyx",
                 **options):
        if client is None:
            raise ValueError("SharedClientMongoStorage needs the app's client (client=…)")
        self._shared_client = client
        super().__init__(uri or f"{SCHEME}://", database_name=database_name,
                         counter_collection_name="ratelimit_counters",
                         window_collection_name="ratelimit_windows", **options)

    def _init_mongo_client(self, uri, **options):
        """The app's client, not a new one."""
        return self._shared_client

    def __del__(self) -> None:
        """The client belongs to the app: nothing to close."""
