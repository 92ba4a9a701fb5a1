"""Housekeeping: files nothing points at; checking (and repairing) the store's rules."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..domain import entries as entry_rules
from ..domain import revisions
from ..repositories import Repositories, integrity
from ..repositories.base import parse_id


@dataclass
class CheckReport:
    """What ``manage.py check`` found, and what ``--repair`` did about it."""

    problems: list[str] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)


def check_store(repos: Repositories, *, repair: bool = False, wiki=None) -> CheckReport:
    """Check the store's rules; with ``repair``, put right what breaks them.

    * no two documents share a unique key (the oldest keeps it);
    * every entry is the replay of its revisions (a revision a dead process left ahead of
      its entry is taken back, once older than ``Wiki.UNFINISHED_AFTER``; an entry that
      differs from its history is put back to what the history rebuilds);
    * the counters are right: each category's entries, each account's creations and edits.

    ``wiki`` is the wiki service (it settles unfinished writes); the check alone needs
    only the repositories.
    """
    report = check_unique_keys(repos, repair=repair)
    histories = repos.revisions.by_entry()
    found = {entry["_id"]: entry for entry in repos.entries.all()}
    _check_histories(repos, histories, found, report, repair, wiki)
    _check_counters(repos, histories, found, report, repair)
    return report


def check_unique_keys(repos: Repositories, *, repair: bool = False) -> CheckReport:
    """Look for documents that repeat a unique key; with ``repair``, resolve them."""
    duplicates = integrity.find_duplicates(repos.store)
    report = CheckReport(problems=[str(duplicate) for duplicate in duplicates])
    if repair and duplicates:
        report.repairs = integrity.resolve_duplicates(repos.store, duplicates)
    return report


def _check_histories(repos: Repositories, histories: dict, found: dict, report: CheckReport,
                     repair: bool, wiki) -> None:
    """Every entry against the replay of its revisions."""
    for entry_id in sorted(set(histories) | set(found), key=str):
        history, entry = histories.get(entry_id, []), found.get(entry_id)
        problem = revisions.replay_problem(history, entry)
        if problem is None:
            continue
        name = entry["slug"] if entry else str(entry_id)
        report.problems.append(f"entry {name}: {problem}")
        if not repair or not history:
            continue
        if revisions.unfinished(history[-1], entry):
            if wiki is not None and wiki.settle(entry_id):
                report.repairs.append(f"entry {name}: took back version "
                                      f"{history[-1]['version']}, a write that never finished")
            continue
        replayed = revisions.state_at(history, history[-1]["version"])
        fields = revisions.entry_fields(replayed)
        fields["title_key"] = entry_rules.title_key(fields.get("title") or "")
        fields["keywords"] = entry_rules.keywords(fields.get("title") or "",
                                                  fields.get("summary") or "")
        repos.entries.reset_state(entry_id, history[-1]["version"], fields)
        report.repairs.append(f"entry {name}: put back to version {history[-1]['version']} "
                              "as its history rebuilds it")


def _check_counters(repos: Repositories, histories: dict, found: dict, report: CheckReport,
                    repair: bool) -> None:
    """Each category's entry count and each account's creations and edits (a write that
    never finished counts for nobody)."""
    live = Counter(entry.get("category") for entry in found.values())
    wrong = {category["slug"]: category.get("entry_count", 0)
             for category in repos.categories.all()
             if category.get("entry_count", 0) != live.get(category["slug"], 0)}
    for slug, held in sorted(wrong.items()):
        report.problems.append(f"category {slug}: counts {held} entries, holds "
                               f"{live.get(slug, 0)}")
    if repair and wrong:
        repos.categories.set_counts(dict(live))
        report.repairs.append(f"counted the entries of {len(wrong)} categories again")
    created, edited = Counter(), Counter()
    for entry_id, history in histories.items():
        if revisions.unfinished(history[-1], found.get(entry_id)):
            history = history[:-1]
        for revision in history:
            user_id = revision.get("user_id")
            if user_id is None or revision.get("action") == "delete":
                continue
            (created if revision.get("action") == "create" else edited)[user_id] += 1
    for user_id, held in repos.users.contribution_counts().items():
        counted = (created.get(user_id, 0), edited.get(user_id, 0))
        if held == counted:
            continue
        report.problems.append(f"account {user_id}: counts {held[0]} creations and "
                               f"{held[1]} edits, made {counted[0]} and {counted[1]}")
        if repair:
            repos.users.set_contributions(user_id, *counted)
            report.repairs.append(f"account {user_id}: counted its contributions again")


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
