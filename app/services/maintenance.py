"""Housekeeping: files nothing points at."""

from __future__ import annotations

from ..repositories import Repositories
from ..repositories.base import parse_id


def image_file_ids(repos: Repositories) -> set:
    """Ids of the uploaded images that some entry's attribute points at."""
    ids = set()
    for entry in repos.entries.find({}, limit=0, projection={"attributes": 1}):
        for stored in entry.get("attributes", {}).values():
            file_id = parse_id(stored.get("file")) if isinstance(stored, dict) else None
            if file_id:
                ids.add(file_id)
    return ids


def collect_garbage_files(repos: Repositories) -> dict[str, int]:
    """Delete orphan files (no user or entry points at them) and orphan chunks."""
    removed = {"files": 0, "chunks": 0}
    for files, used in ((repos.avatars, repos.users.file_ids()),
                        (repos.images, image_file_ids(repos))):
        for file_id in files.ids() - used:
            files.delete(file_id)
            removed["files"] += 1
        for file_id in files.orphan_chunk_ids():
            files.delete(file_id)
            removed["chunks"] += 1
    return removed
