"""Files in GridFS: avatars and entry images (only re-encoded images get here)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

import gridfs
from bson import ObjectId

from ..domain.errors import NotFound
from .base import Repository, parse_id

__all__ = ["FileRepository", "StoredFile"]


@dataclass(frozen=True)
class StoredFile:
    """One file read back from GridFS."""

    id: ObjectId
    data: bytes
    content_type: str
    filename: str
    uploaded_at: datetime
    md5: str | None = None

    @property
    def etag(self) -> str:
        """A strong validator: the file id (files are never changed in place)."""
        return str(self.id)


class FileRepository(Repository):
    """put / get / delete / exists for one GridFS bucket, in Eve's media-storage shape."""

    def __init__(self, store, bucket: str):
        self.bucket_name = bucket
        self.collection_name = f"{bucket}.files"
        super().__init__(store)
        self.bucket = store.bucket(bucket)
        self.chunks = store.db[f"{bucket}.chunks"]

    def put(self, data: bytes, filename: str, content_type: str, **metadata) -> ObjectId:
        """Store ``data``; a failure half way leaves no file or chunk behind."""
        file_id = ObjectId()
        meta = {"contentType": content_type, **metadata}
        with self.writing():
            try:
                self.bucket.upload_from_stream_with_id(
                    file_id, filename, io.BytesIO(data), metadata=meta
                )
            except BaseException:
                self._purge(file_id)
                raise
        return file_id

    def get(self, file_id: str | ObjectId) -> StoredFile:
        """The file ``file_id``, or raise :class:`NotFound`."""
        oid = parse_id(file_id)
        if oid is None:
            raise NotFound("File", str(file_id))
        try:
            with self.bucket.open_download_stream(oid) as stream:
                data = stream.read()
                meta = stream.metadata or {}
                return StoredFile(oid, data, meta.get("contentType", "application/octet-stream"),
                                  stream.filename, stream.upload_date)
        except gridfs.errors.NoFile:
            raise NotFound("File", str(file_id)) from None

    def exists(self, file_id: ObjectId) -> bool:
        """Whether the file is stored."""
        return self.col.count_documents({"_id": file_id}, limit=1) > 0

    def delete(self, file_id: ObjectId) -> None:
        """Remove a file and its chunks (a missing file is not an error)."""
        with self.writing():
            self._purge(file_id)

    def ids(self) -> set[ObjectId]:
        """Every file id in the bucket."""
        return {doc["_id"] for doc in self.col.find({}, {"_id": 1})}

    def orphan_chunk_ids(self) -> set[ObjectId]:
        """Ids that chunks point at with no file document (a half-written upload)."""
        return set(self.chunks.distinct("files_id")) - self.ids()

    def _purge(self, file_id: ObjectId) -> None:
        """Delete a file document and its chunks, whichever exist."""
        self.col.delete_one({"_id": file_id})
        self.chunks.delete_many({"files_id": file_id})
