"""Every index the app needs, written down in one place.

Each repository query is served by one of these; the comment beside each index names the
queries it serves. GridFS creates its own indexes on ``<bucket>.files`` and
``<bucket>.chunks``.

The app creates them itself: on MongoDB each process starts :func:`build_in_background`
at its first request (``Store.build_indexes``),
which creates every index (``createIndexes`` is idempotent: indexes that exist cost
nothing) and tries again every few seconds while the server cannot be reached, without
holding up start-up or any request (a new index on a big collection can take minutes to
build). ``/readyz`` answers 503 naming the indexes that are still missing
(:func:`missing_indexes`), so a load balancer sends no traffic to a server whose unique
indexes are not there yet. ``manage.py create-indexes`` does the same by hand.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.errors import PyMongoError

__all__ = ["Index", "INDEXES", "create_indexes", "missing_indexes", "build_in_background"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Index:
    """One index: its collection, its keys, and what it is for."""

    collection: str
    keys: tuple[tuple[str, int], ...]
    unique: bool = False
    serves: str = ""
    options: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        """A stable name derived from the keys, as MongoDB names them."""
        return "_".join(f"{k}_{d}" for k, d in self.keys)

    def model(self) -> IndexModel:
        """The pymongo ``IndexModel`` that creates this index."""
        return IndexModel(list(self.keys), name=self.name, unique=self.unique, **self.options)


#: Every sort the repositories send ends with ``_id`` (``base.total_order``), in the last
#: key's direction, so the indexes that serve a sort end with ``_id`` too: MongoDB can then
#: walk the index in order instead of sorting in memory.
INDEXES: tuple[Index, ...] = (
    Index("entries", (("slug", ASCENDING),), unique=True, serves="entry by slug, compare"),
    Index("entries", (("category", ASCENDING), ("title_key", ASCENDING), ("_id", ASCENDING)),
          serves="category listing sorted by title; entries per category"),
    Index("entries", (("title_key", ASCENDING), ("_id", ASCENDING)),
          serves="autocomplete by title prefix, A–Z listings"),
    Index("entries", (("updated_at", DESCENDING), ("_id", DESCENDING)),
          serves="recent entries, sort by update"),
    Index("entries", (("category", ASCENDING), ("updated_at", DESCENDING), ("_id", DESCENDING)),
          serves="an entry page's same-category list; a category by recent update"),
    Index("entries", (("keywords", ASCENDING),), serves="q= search (word prefixes)"),
    Index("entries", (("created_by", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)),
          serves="created_by= filters of the API (the author's name)"),
    Index("entries", (("created_by_id", ASCENDING), ("created_at", DESCENDING),
                      ("_id", DESCENDING)),
          serves="a user's creations (by account id)"),
    Index("entries", (("random", ASCENDING), ("_id", ASCENDING)), serves="random entry"),
    Index("entries", (("protected", ASCENDING), ("title_key", ASCENDING), ("_id", ASCENDING)),
          serves="the admin area's protected entries, by title"),
    Index("entries", (("attributes.$**", ASCENDING),),
          serves="attr.<key> filters and sorts; whether a definition is in use (wildcard)"),
    Index("attributes", (("key", ASCENDING),), unique=True, serves="definition by key"),
    Index("attributes", (("group", ASCENDING), ("order", ASCENDING), ("key", ASCENDING)),
          serves="definitions in page order"),
    Index("revisions", (("entry_id", ASCENDING), ("version", ASCENDING)), unique=True,
          serves="history of an entry, one version; makes each version unique"),
    Index("revisions", (("at", DESCENDING), ("_id", DESCENDING)),
          serves="recent changes (also without one user)"),
    Index("revisions", (("action", ASCENDING), ("at", DESCENDING), ("_id", DESCENDING)),
          serves="recent changes: new entries only"),
    Index("revisions", (("category", ASCENDING), ("at", DESCENDING), ("_id", DESCENDING)),
          serves="recent changes in one category (the entry's category when changed)"),
    Index("revisions", (("user_id", ASCENDING), ("at", DESCENDING), ("_id", DESCENDING)),
          serves="a user's contributions (by account id); recent changes by one user"),
    Index("revisions", (("slug", ASCENDING), ("at", DESCENDING), ("_id", DESCENDING)),
          serves="the last deletion of an entry by its slug (only deletions carry one)"),
    Index("categories", (("slug", ASCENDING),), unique=True, serves="category by slug"),
    Index("categories", (("parent", ASCENDING), ("slug", ASCENDING), ("_id", ASCENDING)),
          serves="a category's subcategories, by slug"),
    Index("users", (("username_key", ASCENDING),), unique=True,
          serves="user by name, case-insensitive uniqueness"),
    Index("users", (("email", ASCENDING),), unique=True,
          serves="user by email, login; the admin area's search by address prefix"),
    Index("users", (("role", ASCENDING), ("username_key", ASCENDING), ("_id", ASCENDING)),
          serves="admins (the last admin keeps the role)"),
    Index("audit_log", (("at", DESCENDING), ("_id", DESCENDING)),
          serves="the audit log, newest first"),
    Index("deleted_users", (("username_key", ASCENDING),), unique=True,
          serves="a deleted account's name stays reserved"),
    Index("comparisons", (("key", ASCENDING),), unique=True, serves="record a view"),
    Index("revoked_tokens", (("jti", ASCENDING),), unique=True, serves="is a token revoked"),
    Index("revoked_tokens", (("expires_at", ASCENDING),), serves="forget expired revocations",
          options={"expireAfterSeconds": 0}),
    Index("comparisons", (("views", DESCENDING), ("_id", DESCENDING)),
          serves="popular comparisons"),
    Index("comparisons", (("slugs", ASCENDING),),
          serves="forget the comparisons of a deleted entry"),
)


def create_indexes(db, *, unique: bool = True) -> list[str]:
    """Create every index of :data:`INDEXES` in ``db``; return their names.

    ``unique=False`` leaves out the unique ones (data that repeats a key cannot have them).
    """
    created = []
    by_collection: dict[str, list[Index]] = {}
    for index in INDEXES:
        if index.unique and not unique:
            continue
        by_collection.setdefault(index.collection, []).append(index)
    for name, indexes in by_collection.items():
        db[name].create_indexes([index.model() for index in indexes])
        created += [f"{name}.{index.name}" for index in indexes]
    return created


def missing_indexes(db) -> list[str]:
    """``collection.index`` names of :data:`INDEXES` that ``db`` does not have (yet)."""
    missing = []
    by_collection: dict[str, set[str]] = {}
    for index in INDEXES:
        if index.collection not in by_collection:
            by_collection[index.collection] = set(db[index.collection].index_information())
        if index.name not in by_collection[index.collection]:
            missing.append(f"{index.collection}.{index.name}")
    return missing


def build_in_background(db, retry_seconds: float = 5.0) -> threading.Thread:
    """Create every index in a daemon thread, trying again while the server is away."""
    done = threading.Event()

    def build() -> None:
        while not done.is_set():
            try:
                created = create_indexes(db)
            except PyMongoError as exc:
                log.warning("indexes: not created yet (%s); trying again in %g s", exc,
                            retry_seconds)
                done.wait(retry_seconds)
                continue
            log.info("indexes: all %d in place", len(created))
            done.set()

    thread = threading.Thread(target=build, name="pkyx-indexes", daemon=True)
    thread.done = done  # for tests and shutdown: set it to stop retrying
    thread.start()
    return thread
