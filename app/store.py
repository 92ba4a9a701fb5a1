"""The store: a real MongoDB through Flask-PyMongo, or the embedded mongomock store.

``MONGO_URI=mongodb://…`` (or ``mongodb+srv://…``) selects MongoDB; an unset URI or
``mongomock://…`` selects the embedded store, which lives in this process, is seeded
with demo data on first start, and survives restarts through a snapshot file in
``instance/`` written atomically (temporary file, fsync, rename) shortly after
writes and at exit.

Only one process may hold the embedded store: it takes an exclusive lock on
``<snapshot>.lock`` before reading the snapshot and keeps it until its last snapshot is
written. A second process waits for the lock, so a gunicorn worker started by a
graceful reload reads the snapshot only after the old worker has written its last
one (nothing acknowledged is lost), and a command run while a server holds the
store waits and then stops with a message instead of overwriting its data.

Example::

    store = open_store(app)
    store.db.entries.find_one({"slug": "iphone-15"})
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import logging
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import gridfs
import mongomock
import mongomock.gridfs
import pymongo
from flask import Flask
from pymongo import uri_parser
from pymongo.database import Database
from pymongo.errors import (
    AutoReconnect,
    ConnectionFailure,
    ExecutionTimeout,
    NetworkTimeout,
    ServerSelectionTimeoutError,
    WTimeoutError,
)

from .embedded import EmbeddedClient
from .extensions import mongo

__all__ = ["Store", "MongoStore", "EmbeddedStore", "open_store", "StoreError", "StoreReadOnly",
           "BUCKETS", "STORE_DOWN", "QUERY_TIMEOUTS", "store_down"]

log = logging.getLogger(__name__)

#: GridFS buckets: user avatars and uploaded entry images (re-encoded images only).
BUCKETS = ("avatars", "images")

EMBEDDED_SCHEMES = ("mongomock://",)
#: The database cannot be reached: the circuit breaker (app/health.py) opens on these.
STORE_DOWN = (ServerSelectionTimeoutError, AutoReconnect, ConnectionFailure)
#: One operation ran out of its time (``maxTimeMS``, the socket, a write concern): that
#: request fails; the database is up, so the breaker stays closed. (``NetworkTimeout`` is
#: an ``AutoReconnect`` too: this list is checked first.)
QUERY_TIMEOUTS = (ExecutionTimeout, NetworkTimeout, WTimeoutError)


def store_down(exc: BaseException) -> bool:
    """Whether ``exc`` says the database cannot be reached (not that a query was slow)."""
    return isinstance(exc, STORE_DOWN) and not isinstance(exc, QUERY_TIMEOUTS)
#: What a write to a read-only store answers (the log names the problem and the command).
READ_ONLY_REASON = ("The wiki is read-only for now: an operator has to repair its data. "
                    "Reading works; please try your change again later.")


class StoreError(RuntimeError):
    """The store cannot be opened; the message says why and what to do."""


class StoreReadOnly(RuntimeError):
    """A write to a store that serves reads only until an operator repairs its data."""


class Store:
    """What the repositories need from a database: a ``db``, buckets and a write lock."""

    embedded = False
    #: Why the store takes no writes (set when its data needs a repair), or None.
    read_only: str | None = None

    def __init__(self, client, db: Database):
        self.client = client
        self.db = db

    def bucket(self, name: str) -> gridfs.GridFSBucket:
        """The GridFS bucket ``name`` (one of :data:`BUCKETS`)."""
        if name not in BUCKETS:
            raise ValueError(f"unknown bucket {name!r}")
        return gridfs.GridFSBucket(self.db, bucket_name=name)

    #: A write's time budget (s): longer than a query's (``MONGO_WRITE_TIMEOUT_MS``).
    write_seconds = 10.0

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Wrap a write; MongoDB makes single-document writes atomic by itself.

        The client's ``timeoutMS`` is the query budget; a write gets the longer one.
        """
        with pymongo.timeout(self.write_seconds):
            yield

    @contextlib.contextmanager
    def repairing(self) -> Iterator[None]:
        """Wrap a write of ``manage.py check --repair`` (a read-only store lets it through)."""
        yield

    def repaired(self) -> None:
        """Called after a repair; only the embedded store cares (it takes writes again)."""

    def changed(self, lazy: bool = False) -> None:
        """Called after every write; only the embedded store cares (snapshots)."""

    def ping(self) -> None:
        """Raise pymongo's error when the server cannot be reached."""
        self.client.admin.command("ping")

    #: The thread creating the indexes at start (MongoDB), stopped on close.
    index_builder = None
    _builder_lock = threading.Lock()

    def build_indexes(self) -> None:
        """Start creating the indexes in the background, once per process.

        Called before each request (so building the app contacts no server, and a
        gunicorn worker starts it after the fork); only the first call does anything.
        """
        if self.index_builder is None:
            from .repositories.indexes import build_in_background

            with self._builder_lock:
                if self.index_builder is None:
                    self.index_builder = build_in_background(self.db)

    def close(self) -> None:
        """Release the client (and stop trying to create indexes)."""
        if self.index_builder is not None:
            self.index_builder.done.set()
        self.client.close()

    @property
    def description(self) -> str:
        """A short human description for logs and the page footer."""
        return "MongoDB"


class MongoStore(Store):
    """A MongoDB server or replica set, through Flask-PyMongo."""

    @property
    def description(self) -> str:
        """Name the database, never the credentials."""
        return f"MongoDB database {self.db.name!r}"


class StoreLock:
    """An exclusive ``flock`` on a file beside the snapshot, held for the store's life.

    The kernel releases it when the holder dies, even by SIGKILL. The file names the
    holder's pid, for the messages of whoever waits.
    """

    POLL_SECONDS = 0.05

    def __init__(self, path: Path):
        self.path = path
        self._fd: int | None = None

    def holder(self) -> int | None:
        """The pid written by the last holder, if any."""
        try:
            return int(self.path.read_text().strip() or 0) or None
        except (OSError, ValueError):
            return None

    def acquire(self, wait_seconds: float) -> bool:
        """Take the lock, waiting up to ``wait_seconds``; False if it stayed taken.

        A werkzeug reloader runs the server in a child of the process that loaded the
        app first; that parent never serves, so its child goes ahead without the lock.
        """
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + wait_seconds
        logged = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = self.holder()
                if holder is not None and holder == os.getppid():
                    os.close(fd)
                    log.info("embedded store: held by our parent %s (a reloader); going on",
                             holder)
                    return True
                if time.monotonic() >= deadline:
                    os.close(fd)
                    return False
                if not logged:
                    log.warning("embedded store: waiting for process %s to hand it over",
                                holder or "?")
                    logged = True
                time.sleep(self.POLL_SECONDS)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd
        return True

    def release(self) -> None:
        """Let the next process in (closing the descriptor drops the lock)."""
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)


class EmbeddedStore(Store):
    """mongomock in this process, kept across restarts by a snapshot file.

    mongomock locks single documents but its compound operations (a conditional
    update is a find then a write) are not atomic across threads, so every write
    and every snapshot runs under one re-entrant lock.
    """

    embedded = True
    #: The longest a lazy change (a view counter) waits for a snapshot (s).
    LAZY_SECONDS = 60.0

    def __init__(self, client, db, snapshot_path: Path | None, debounce: float):
        super().__init__(client, db)
        self._lazy_pending = False
        self.snapshot_path = snapshot_path
        self.debounce = debounce
        self.lock = StoreLock(snapshot_path.with_name(snapshot_path.name + ".lock")) \
            if snapshot_path is not None else None
        self._lock = threading.RLock()
        #: One snapshot at a time, so an older export is never written over a newer one.
        self._save_lock = threading.Lock()
        self._dirty = threading.Event()
        self._closed = threading.Event()
        self._thread: threading.Thread | None = None
        self._thread_pid: int | None = None

    @property
    def description(self) -> str:
        """The footer and the log say plainly that this is the demo store."""
        return "the embedded demo store (mongomock, one process)"

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Serialise writes so conditional updates stay atomic under threads.

        A read-only store (see :meth:`load_snapshot`) refuses with :class:`StoreReadOnly`.
        """
        if self.read_only:
            raise StoreReadOnly(self.read_only)
        with self._lock:
            yield

    @contextlib.contextmanager
    def repairing(self) -> Iterator[None]:
        """Writes of ``manage.py check --repair``, which a read-only store lets through."""
        with self._lock:
            yield

    def ping(self) -> None:
        """The embedded store is always reachable."""

    def changed(self, lazy: bool = False) -> None:
        """Schedule a snapshot ``debounce`` seconds from now (coalescing bursts).

        A ``lazy`` change (a view counter) waits for the next snapshot, at most
        :attr:`LAZY_SECONDS` away: counting a page view must not cost a full snapshot.
        """
        if self.snapshot_path is None or self._closed.is_set():
            return
        if lazy:
            self._lazy_pending = True
        else:
            self._dirty.set()
        self._ensure_thread()

    def _ensure_thread(self) -> None:
        """Start the snapshot thread in this process (again after a fork)."""
        if self._thread is not None and self._thread_pid == os.getpid():
            return
        with self._lock:
            if self._thread is not None and self._thread_pid == os.getpid():
                return
            self._thread_pid = os.getpid()
            self._thread = threading.Thread(
                target=self._snapshot_loop, name="pkyx-snapshot", daemon=True
            )
            self._thread.start()

    def _snapshot_loop(self) -> None:
        """Wait for writes, let a burst settle, write one snapshot."""
        while not self._closed.is_set():
            if not self._dirty.wait(self.LAZY_SECONDS) and not self._lazy_pending:
                continue
            if self._closed.wait(self.debounce):
                return  # flush() at close writes the last snapshot
            try:
                self.save_snapshot()
            except Exception:  # keep the thread alive; the next write retries
                log.exception("embedded store: snapshot failed")

    def save_snapshot(self) -> None:
        """Write the whole store to the snapshot file, atomically.

        The store is copied under the write lock (one consistent moment); the copy is
        encoded and written after the lock is released, so writes wait only for the copy.
        """
        from .repositories import dump  # the dump format is the repositories' business

        if self.snapshot_path is None or self.read_only:
            return  # a read-only store's file is the operator's to repair
        with self._save_lock:
            with self._lock:
                self._dirty.clear()
                self._lazy_pending = False
                data = dump.export_data(self)
            dump.write_file(self.snapshot_path, data)

    def load_snapshot(self) -> bool:
        """Load the snapshot if there is one; True when data was loaded.

        A snapshot whose only fault is documents that repeat a unique key (two accounts
        with one e-mail address) is loaded read-only: pages and the API keep answering,
        writes answer 503, and ``manage.py check --repair`` resolves the duplicates.
        """
        from .repositories import dump

        if self.snapshot_path is None:
            return False
        dump.remove_stale_temp_files(self.snapshot_path)
        if not self.snapshot_path.exists():
            return False
        try:
            data = dump.read_file(self.snapshot_path)
        except dump.DuplicateKeys as exc:
            data = exc.data
            self.read_only = READ_ONLY_REASON
            log.error("embedded store: the snapshot %s holds documents that repeat a unique "
                      "key: %s. pkyx serves it read-only. Stop the server and run "
                      "`manage.py check --repair` to resolve them.", self.snapshot_path,
                      "; ".join(str(dup) for dup in exc.duplicates))
        except dump.DumpError as exc:
            raise StoreError(
                f"The embedded store's snapshot {self.snapshot_path} cannot be read: {exc}. "
                "Move it away to start with fresh demo data, or fix it."
            ) from exc
        with self._lock:
            dump.import_data(self, data, replace=True, notify=False,
                             allow_duplicates=bool(self.read_only))
        return True

    def repaired(self) -> None:
        """The data is sound again: take writes, and save it."""
        self.read_only = None
        self.save_snapshot()

    def flush(self) -> None:
        """Write a pending snapshot now (at exit, or before handing the file on).

        Waits for a snapshot the thread is writing, so the last write is never lost.
        """
        with self._save_lock:
            pending = self._dirty.is_set() or self._lazy_pending
        if pending:
            self.save_snapshot()

    def abandon(self) -> None:
        """Start-up failed: write nothing (a half-seeded store is no snapshot), hand on."""
        self.snapshot_path = None  # save_snapshot and changed() do nothing from now on
        self._stop()

    def _stop(self) -> None:
        """Stop the snapshot thread and let the next process have the store."""
        self._closed.set()
        self._dirty.set()  # wake the thread so it sees _closed
        if self.lock is not None:
            self.lock.release()

    def close(self) -> None:
        """Write what is pending, stop the snapshot thread, hand the store on.

        Only the first call does anything: gunicorn's ``worker_exit`` closes the store and
        then the exit handler would, and a snapshot written after the lock is handed on
        could overwrite the next process's newer one.
        """
        if self._closed.is_set():
            return
        try:
            self.flush()
        finally:
            self._stop()


def _close_at_exit(store: EmbeddedStore) -> None:
    """Write the last snapshot as the process ends; a failure is logged, not raised."""
    try:
        store.close()
    except Exception:
        log.exception("embedded store: the snapshot at exit failed")


def _database_name(uri: str, default: str) -> str:
    """The database named in a MongoDB URI, or ``default``."""
    return uri_parser.parse_uri(uri, validate=False, warn=True)["database"] or default


def open_store(app: Flask) -> Store:
    """Open the store the configuration asks for and attach it to ``app``."""
    uri = app.config.get("MONGO_URI")
    if uri and not uri.startswith(EMBEDDED_SCHEMES):
        store = _open_mongo(app, uri)
    else:
        store = _open_embedded(app)
    app.extensions["pkyx.store"] = store
    log.info("pkyx store: %s", store.description)
    return store


def _open_mongo(app: Flask, uri: str) -> MongoStore:
    """A lazily connecting pymongo client with bounded timeouts and majority writes."""
    if not uri.startswith(("mongodb://", "mongodb+srv://")):
        raise StoreError("MONGO_URI must start with mongodb://, mongodb+srv:// or mongomock://.")
    name = _database_name(uri, app.config["MONGO_DBNAME"])
    mongo.init_app(
        app,
        uri,
        connect=False,  # pymongo is not fork-safe: connect in each gunicorn worker
        serverSelectionTimeoutMS=app.config["MONGO_SERVER_SELECTION_TIMEOUT_MS"],
        connectTimeoutMS=app.config["MONGO_CONNECT_TIMEOUT_MS"],
        socketTimeoutMS=app.config["MONGO_SOCKET_TIMEOUT_MS"],
        timeoutMS=app.config["MONGO_QUERY_TIMEOUT_MS"],  # maxTimeMS on every operation
        retryWrites=True,
        retryReads=True,
        w="majority",
        tz_aware=True,
        appname="pkyx",
    )
    store = MongoStore(mongo.cx, mongo.cx[name])
    store.write_seconds = app.config["MONGO_WRITE_TIMEOUT_MS"] / 1000
    return store


def _open_embedded(app: Flask) -> EmbeddedStore:
    """The embedded store: load the snapshot, or seed demo data on first start."""
    mongomock.gridfs.enable_gridfs_integration()
    client = EmbeddedClient(tz_aware=True, any_order=app.config["EMBEDDED_ANY_ORDER"],
                            timeout_ms=app.config["MONGO_QUERY_TIMEOUT_MS"])
    uri = app.config.get("MONGO_URI")
    db = client[_database_name(uri.replace("mongomock://", "mongodb://", 1),
                               app.config["MONGO_DBNAME"]) if uri else app.config["MONGO_DBNAME"]]
    mongo.cx, mongo.db = client, db
    filename = app.config.get("SNAPSHOT_FILENAME")
    path = Path(app.instance_path) / filename if filename else None
    store = EmbeddedStore(client, db, path, app.config["SNAPSHOT_DEBOUNCE_SECONDS"])
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        wait = app.config["EMBEDDED_STORE_WAIT_SECONDS"]
        if not store.lock.acquire(wait):
            raise StoreError(
                f"The embedded store in {path.parent} is in use by process "
                f"{store.lock.holder() or '?'} (a running server?); waited {wait:g} s. Stop "
                "it first, or set MONGO_URI to share a MongoDB server between processes."
            )
        atexit.register(_close_at_exit, store)
    return store
