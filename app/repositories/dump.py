"""The dump format: the whole wiki in one file, for ``export``/``import`` and snapshots.

A dump is MongoDB Extended JSON (relaxed), so ids, dates and file bytes survive::

    {"format": "pkyx-dump", "version": 3, "exported_at": {"$date": "…"},
     "collections": {"entries": [...], "users": [...], ...},
     "buckets": {"avatars": {"files": [...], "chunks": [...]}, "images": {...}}}

Version 2 added the account ids of contributions (entries' ``created_by_id`` and
``updated_by_id``, revisions' ``user_id``) and the reserved names of deleted accounts
(``deleted_users``). A version 1 dump is still read: after loading it, its contributions
are linked to their accounts (:func:`~app.repositories.migrations.link_contributions`).
Revisions written before they named their entry's category get it on every import
(:func:`~app.repositories.migrations.backfill_revision_categories`; idempotent).
Version 3 added the administrators' ``audit_log`` (and users' ``blocked``, entries'
``protected``, which older dumps simply lack); a version 2 dump loads with an empty log.
Accounts of a dump written before e-mail confirmation existed are marked confirmed
(:func:`~app.repositories.migrations.confirm_existing_accounts`) whatever its version.

GridFS buckets are dumped as their raw ``files`` and ``chunks`` documents, so an
import reproduces every file exactly (ids, upload dates, metadata). A file whose name
ends in ``.gz`` is gzip-compressed. An import validates the whole file first and
changes nothing when anything is wrong.
"""

from __future__ import annotations

import gzip
import json
import os
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from bson import ObjectId, json_util
from bson.errors import BSONError
from bson.json_util import JSONMode, JSONOptions

from ..store import BUCKETS
from .base import utcnow
from .indexes import INDEXES, create_indexes
from .migrations import (
    backfill_revision_categories,
    confirm_existing_accounts,
    link_contributions,
)

__all__ = ["DumpError", "DuplicateKeys", "Duplicate", "duplicates_in", "empty", "export_data",
           "import_data", "write_file", "read_file", "iter_json", "remove_stale_temp_files",
           "COLLECTIONS"]

FORMAT = "pkyx-dump"
VERSION = 3
#: Versions an import reads; older ones are brought up to date after loading.
READABLE_VERSIONS = (1, 2, 3)
COLLECTIONS = ("users", "categories", "attributes", "entries", "revisions", "comparisons",
               "revoked_tokens", "deleted_users", "audit_log")
JSON_OPTIONS = JSONOptions(json_mode=JSONMode.RELAXED, tz_aware=True, tzinfo=UTC)
INDENT = 1
#: Bytes gathered before each write to the file (or the gzip stream).
WRITE_CHUNK = 64 * 1024


class DumpError(ValueError):
    """A dump file that cannot be imported; the message points at the problem."""


@dataclass(frozen=True)
class Duplicate:
    """Documents of one collection that share the keys of a unique index."""

    collection: str
    fields: tuple[str, ...]
    value: tuple
    ids: tuple  # the documents' ``_id``s in ascending order: the first is the oldest

    def __str__(self) -> str:
        shown = ", ".join(repr(v) for v in self.value)
        return (f"{len(self.ids)} {self.collection} share {', '.join(self.fields)} {shown} "
                f"(ids {', '.join(str(i) for i in self.ids)})")


class DuplicateKeys(DumpError):
    """A dump that is sound except that some documents repeat a unique key.

    It carries the decoded ``data``, so a store can still be opened from it (read-only)
    and ``manage.py check --repair`` can resolve the ``duplicates``.
    """

    def __init__(self, duplicates: list[Duplicate], data: dict):
        first = duplicates[0]
        more = f" (and {len(duplicates) - 1} more)" if len(duplicates) > 1 else ""
        super().__init__(f"collections.{first.collection}: {first}{more}")
        self.duplicates = duplicates
        self.data = data


def _is_str(value) -> bool:
    return isinstance(value, str) and value != ""


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


#: What each collection's documents must hold: field → check.
REQUIRED: dict[str, dict[str, Callable[[object], bool]]] = {
    "users": {"username": _is_str, "username_key": _is_str, "email": _is_str,
              "password_hash": _is_str, "role": lambda v: v in ("user", "admin"),
              "auth_stamp": _is_str},
    "categories": {"slug": _is_str, "name": _is_str},
    "attributes": {"key": _is_str, "label": _is_str, "type": _is_str},
    "entries": {"slug": _is_str, "title": _is_str, "category": _is_str,
                "attributes": lambda v: isinstance(v, dict),
                "version": lambda v: _is_int(v) and v >= 1},
    "revisions": {"entry_id": lambda v: isinstance(v, ObjectId),
                  "version": lambda v: _is_int(v) and v >= 1,
                  "action": _is_str, "changes": lambda v: isinstance(v, list)},
    "comparisons": {"key": _is_str},
    "revoked_tokens": {"jti": _is_str, "expires_at": lambda v: isinstance(v, datetime)},
    "deleted_users": {"username": _is_str, "username_key": _is_str},
    "audit_log": {"action": _is_str, "at": lambda v: isinstance(v, datetime)},
}
FILE_FIELDS = {"length": _is_int, "chunkSize": lambda v: _is_int(v) and v > 0}
CHUNK_FIELDS = {"files_id": lambda v: v is not None, "n": _is_int,
                "data": lambda v: isinstance(v, bytes)}


def export_data(store) -> dict:
    """Everything in the store as one plain structure (documents sorted by ``_id``)."""
    db = store.db
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": utcnow(),
        "collections": {name: list(db[name].find({}).sort("_id", 1)) for name in COLLECTIONS},
        "buckets": {
            bucket: {
                "files": list(db[f"{bucket}.files"].find({}).sort("_id", 1)),
                "chunks": list(db[f"{bucket}.chunks"].find({}).sort([("files_id", 1), ("n", 1)])),
            }
            for bucket in BUCKETS
        },
    }


def empty() -> dict:
    """A dump with nothing in it (importing it with ``replace`` clears the store)."""
    return {"format": FORMAT, "version": VERSION, "exported_at": utcnow(),
            "collections": {}, "buckets": {}}


def import_data(store, data: dict, *, replace: bool = False, notify: bool = True,
                allow_duplicates: bool = False) -> dict[str, int]:
    """Validate ``data`` completely, then make the store hold exactly it.

    Refuses (:class:`DumpError`, nothing changed) a malformed dump, and a store that
    already holds data unless ``replace`` is true. Returns counts per collection.
    ``notify=False`` (loading the snapshot itself) schedules no snapshot of what was read.
    ``allow_duplicates`` loads a dump whose only fault is :class:`DuplicateKeys`, without
    the unique indexes (the embedded store then serves it read-only until a repair).
    """
    duplicated = False
    try:
        validate(data)
    except DuplicateKeys:
        if not allow_duplicates:
            raise
        duplicated = True
    db = store.db
    names = [*COLLECTIONS, *(f"{b}.{part}" for b in BUCKETS for part in ("files", "chunks"))]
    if not replace and any(db[name].count_documents({}, limit=1) for name in names):
        raise DumpError("The store already holds data; pass --replace to overwrite it.")
    counts = {}
    with store.repairing():  # an operator's import may replace a read-only store's data
        for name, docs in _documents(data):
            db[name].delete_many({})
            if docs:
                db[name].insert_many(docs)
            counts[name] = len(docs)
        create_indexes(db, unique=not duplicated)
        if data["version"] < 2:
            link_contributions(db)
        # Written before revisions named their category (the format did not change).
        backfill_revision_categories(db)
        confirm_existing_accounts(db)
    if store.read_only and not duplicated:
        store.repaired()
    elif notify:
        store.changed()
    return counts


def _documents(data: dict):
    """(collection name, documents) for every collection and bucket part in a dump."""
    for name in COLLECTIONS:
        yield name, data["collections"].get(name, [])
    for bucket in BUCKETS:
        parts = data["buckets"].get(bucket, {})
        yield f"{bucket}.files", parts.get("files", [])
        yield f"{bucket}.chunks", parts.get("chunks", [])


def validate(data: object) -> None:
    """Raise :class:`DumpError` naming the first problem in a dump."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise DumpError(f"not a pkyx dump (expected \"format\": \"{FORMAT}\")")
    if data.get("version") not in READABLE_VERSIONS:
        raise DumpError(f"unsupported dump version {data.get('version')!r} (expected one of "
                        f"{', '.join(map(str, READABLE_VERSIONS))})")
    collections = data.get("collections")
    buckets = data.get("buckets", {})
    if not isinstance(collections, dict) or not isinstance(buckets, dict):
        raise DumpError('"collections" and "buckets" must be objects')
    for name in set(collections) - set(COLLECTIONS):
        raise DumpError(f"unknown collection {name!r}")
    for name in set(buckets) - set(BUCKETS):
        raise DumpError(f"unknown bucket {name!r}")
    for name in COLLECTIONS:
        _check_documents(f"collections.{name}", collections.get(name, []), REQUIRED[name])
    for bucket in BUCKETS:
        _check_bucket(bucket, buckets.get(bucket, {}))
    duplicates = [dup for name in COLLECTIONS
                  for dup in duplicates_in(name, collections.get(name, []))]
    if duplicates:  # last: everything else is sound, so the data can still be opened
        raise DuplicateKeys(duplicates, data)


def _check_documents(where: str, docs: object, required: dict) -> None:
    """Every document is an object with an ``_id`` and the required fields."""
    if not isinstance(docs, list):
        raise DumpError(f"{where} must be a list")
    ids = set()
    for i, doc in enumerate(docs):
        if not isinstance(doc, dict) or "_id" not in doc:
            raise DumpError(f"{where}[{i}] must be an object with an _id")
        if any(key.startswith("$") for key in doc):
            raise DumpError(f"{where}[{i}] has a field name starting with $")
        for field, ok in required.items():
            if not ok(doc.get(field)):
                raise DumpError(f"{where}[{i}] has a missing or invalid {field!r}")
        key = repr(doc["_id"])
        if key in ids:
            raise DumpError(f"{where}[{i}] repeats _id {doc['_id']}")
        ids.add(key)


def duplicates_in(name: str, docs: Iterable[dict]) -> list[Duplicate]:
    """The groups of ``docs`` (of collection ``name``) that share a unique index's keys.

    A missing field counts as null, as in a MongoDB unique index that is not sparse.
    """
    docs = list(docs)
    found = []
    for index in INDEXES:
        if index.collection != name or not index.unique:
            continue
        fields = tuple(key for key, _ in index.keys)
        groups: dict[str, list[dict]] = {}
        for doc in docs:
            groups.setdefault(repr([doc.get(field) for field in fields]), []).append(doc)
        for group in groups.values():
            if len(group) > 1:
                ids = tuple(sorted((doc["_id"] for doc in group), key=_id_order))
                found.append(Duplicate(name, fields, tuple(group[0].get(f) for f in fields),
                                       ids))
    return found


def _id_order(value) -> tuple:
    """``_id``s in MongoDB's order: numbers, strings, then ObjectIds (by creation time)."""
    if isinstance(value, int | float):
        return (0, value)
    return (1 if isinstance(value, str) else 2, str(value))


def _check_bucket(bucket: str, parts: object) -> None:
    """Files and chunks are well formed and every file's chunks are all there."""
    if not isinstance(parts, dict):
        raise DumpError(f"buckets.{bucket} must be an object")
    files, chunks = parts.get("files", []), parts.get("chunks", [])
    _check_documents(f"buckets.{bucket}.files", files, FILE_FIELDS)
    _check_documents(f"buckets.{bucket}.chunks", chunks, CHUNK_FIELDS)
    by_file: dict[str, list[dict]] = {}
    for chunk in chunks:
        by_file.setdefault(repr(chunk["files_id"]), []).append(chunk)
    for f in files:
        got = sorted(by_file.pop(repr(f["_id"]), []), key=lambda c: c["n"])
        if [c["n"] for c in got] != list(range(len(got))) or sum(
            len(c["data"]) for c in got
        ) != f["length"]:
            raise DumpError(f"buckets.{bucket}: the chunks of file {f['_id']} are incomplete")
    if by_file:
        raise DumpError(f"buckets.{bucket}: chunks point at a file that is not in the dump")


def iter_json(value, depth: int = 0) -> Iterator[str]:
    """``value`` as the text ``json_util.dumps(value, indent=INDENT)`` gives, in pieces.

    The dump's own dicts are walked and every list item (a document) is encoded on its
    own, so neither the whole text nor an Extended JSON copy of the store exists at
    once: encoding the store in one go took several times its size, a peak that grew
    with every write and that the process kept. JSON escapes newlines inside strings,
    so indenting a document's text at its newlines is safe.
    """
    inner = "\n" + " " * (INDENT * (depth + 1))
    outer = "\n" + " " * (INDENT * depth)
    if isinstance(value, dict) and value:
        opening = "{"
        for key, item in value.items():
            yield f"{opening}{inner}{json.dumps(key)}: "
            yield from iter_json(item, depth + 1)
            opening = ","
        yield outer + "}"
    elif isinstance(value, list) and value:
        opening = "["
        for item in value:
            yield opening + inner + _encode(item).replace("\n", inner)
            opening = ","
        yield outer + "]"
    else:
        yield _encode(value).replace("\n", outer)


def _encode(value) -> str:
    """One value (a document, a date) as indented relaxed Extended JSON."""
    return json_util.dumps(value, json_options=JSON_OPTIONS, indent=INDENT)


def dumps(data: dict) -> bytes:
    """Encode a dump as Extended JSON bytes (all at once: for small dumps and tests)."""
    return "".join(iter_json(data)).encode()


def loads(raw: bytes) -> dict:
    """Decode Extended JSON bytes, refusing anything that is not a dump object.

    A dump whose only fault is a repeated unique key raises :class:`DuplicateKeys`,
    which carries the decoded data.
    """
    try:
        data = json_util.loads(raw.decode("utf-8"), json_options=JSON_OPTIONS)
    except (ValueError, TypeError, BSONError) as exc:
        raise DumpError(f"not valid JSON: {exc}") from None
    validate(data)
    return data


def write_file(path: str | os.PathLike[str], data: dict) -> None:
    """Write a dump so that a crash at any moment leaves the old file or the new one.

    The bytes go to a temporary file in the same directory, are flushed to disk, and
    the temporary file is renamed over the target (atomic on POSIX); the directory is
    synced so the rename itself survives a power cut. Only the owner may read it. The
    text is written as it is encoded (:func:`iter_json`), one document at a time.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        # Owner-only: a dump holds password hashes and email addresses.
        with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as fh:
            if path.suffix == ".gz":
                # No file name in the header: it would be the temporary one.
                with gzip.GzipFile(filename="", mode="wb", compresslevel=6, fileobj=fh,
                                   mtime=0) as gz:
                    _write_json(gz, data)
            else:
                _write_json(fh, data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _write_json(out: BinaryIO, data: dict) -> None:
    """Stream ``data``'s text into ``out`` in pieces of about :data:`WRITE_CHUNK` bytes."""
    pieces: list[str] = []
    size = 0
    for piece in iter_json(data):
        pieces.append(piece)
        size += len(piece)
        if size >= WRITE_CHUNK:
            out.write("".join(pieces).encode())
            pieces, size = [], 0
    out.write("".join(pieces).encode())


def read_file(path: str | os.PathLike[str]) -> dict:
    """Read and validate a dump file (gzip when the name ends in ``.gz``)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DumpError(f"cannot read {path}: {exc.strerror}") from None
    if path.suffix == ".gz":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise DumpError(f"not a gzip file: {exc}") from None
    return loads(raw)


def remove_stale_temp_files(path: Path) -> int:
    """Delete temporary files a killed writer left beside ``path``; return how many."""
    stale = list(path.parent.glob(f".{path.name}.*.tmp"))
    for tmp in stale:
        tmp.unlink(missing_ok=True)
    return len(stale)
