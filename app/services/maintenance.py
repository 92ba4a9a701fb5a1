"""Housekeeping: files nothing points at; checking (and repairing) the store's rules."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..repositories import Repositories, integrity
from ..repositories.base import parse_id


@dataclass
class CheckReport:
    """What ``manage.py check`` found, and what ``--repair`` did about it."""

    problems: list[str] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)


def check_store(repos: Repositories, *, repair: bool = False) -> CheckReport:
    """Look for documents that repeat a unique key; with ``repair``, resolve them."""
    duplicates = integrity.find_duplicates(repos.store)
    report = CheckReport(problems=[str(duplicate) for duplicate in duplicates])
    if repair and duplicates:
        report.repairs = integrity.resolve_duplicates(repos.store, duplicates)
    return report


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
