"""Wiki history: an entry's flat state, the changes between two states, replay, diff, revert.

A *state* is a flat dict of everything a revision can change::

    {"title": "Pixel 8", "summary": "…", "category": "phone",
     "attr.weight": {"value": 187, "unit": "g", "n": 0.187}}

A state never holds ``None``: an absent field or attribute is simply not a key, and a
change whose ``before`` or ``after`` is ``None`` means "absent" on that side. Revisions
store lists of such changes, so replaying them in version order rebuilds any version.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from app.domain.errors import InvalidValue
from app.domain.messages import M_, N_

__all__ = [
    "ATTR_PREFIX",
    "ENTRY_FIELDS",
    "apply_changes",
    "aware",
    "changes_between",
    "replay_problem",
    "diff",
    "entry_fields",
    "entry_state",
    "revert_changes",
    "state_at",
    "system_comment",
    "unfinished",
    "MERGE_COMMENT",
    "ROLLBACK_COMMENT",
    "rollback_plan",
    "RollbackPlan",
    "REVERT_COMMENT",
    "SEED_COMMENT",
]

#: Comments pkyx itself writes. They are stored in English, as every comment is, and
#: pages show them translated (``system_comment`` finds the template and its values).
REVERT_COMMENT = N_("Revert to version %(v)s")
MERGE_COMMENT = N_("Category %(source)s merged into %(target)s")
SEED_COMMENT = N_("Created from the demo catalogue")
ROLLBACK_COMMENT = N_("Rollback of the edits of %(user)s since %(since)s")
_SYSTEM_COMMENTS = [
    (re.compile(r"Revert to version (?P<v>\d+)"), REVERT_COMMENT),
    (re.compile(r"Category (?P<source>.+) merged into (?P<target>.+)"), MERGE_COMMENT),
    (re.compile(re.escape(SEED_COMMENT)), SEED_COMMENT),
    (re.compile(r"Rollback of the edits of (?P<user>\S+) since (?P<since>.+)"),
     ROLLBACK_COMMENT),
]


def system_comment(comment: str) -> tuple[str, dict] | None:
    """The template and values of a comment pkyx wrote, or None for an editor's own."""
    for pattern, template in _SYSTEM_COMMENTS:
        match = pattern.fullmatch(comment or "")
        if match:
            return template, match.groupdict()
    return None

ENTRY_FIELDS = ("title", "summary", "category")
ATTR_PREFIX = "attr."


def entry_state(entry: dict) -> dict:
    """Flatten an entry document into the state revisions talk about (absent values dropped)."""
    state = {field: entry[field] for field in ENTRY_FIELDS if entry.get(field) is not None}
    for key, stored in (entry.get("attributes") or {}).items():
        if stored is not None:
            state[ATTR_PREFIX + key] = stored
    return state


def entry_fields(state: dict) -> dict:
    """Turn a flat state back into entry fields: title, summary, category and attributes."""
    fields: dict[str, Any] = {field: state.get(field) for field in ENTRY_FIELDS}
    fields["attributes"] = {
        key[len(ATTR_PREFIX) :]: value
        for key, value in state.items()
        if key.startswith(ATTR_PREFIX) and value is not None
    }
    return fields


def _change_order(key: str) -> tuple[int, int, str]:
    """Sort entry fields first in their fixed order, then every other key alphabetically."""
    if key in ENTRY_FIELDS:
        return (0, ENTRY_FIELDS.index(key), "")
    return (1, 0, key)


def changes_between(before: dict, after: dict) -> list[dict]:
    """List ``{key, before, after}`` for every key whose value differs (``None`` = absent)."""
    keys = sorted(set(before) | set(after), key=_change_order)
    return [
        {"key": key, "before": before.get(key), "after": after.get(key)}
        for key in keys
        if before.get(key) != after.get(key)
    ]


def apply_changes(state: dict, changes: Iterable[dict]) -> dict:
    """Return a new state with each change's ``after`` applied (``None`` removes the key)."""
    result = dict(state)
    for change in changes:
        if change["after"] is None:
            result.pop(change["key"], None)
        else:
            # A copy, so later edits of the new state never reach into the revision record.
            result[change["key"]] = copy.deepcopy(change["after"])
    return result


def _ordered_history(revisions: Iterable[dict], version: int) -> list[dict]:
    """Return revisions 1..version in order, refusing an unknown version, a gap or a clash."""
    by_version: dict[int, dict] = {}
    for revision in revisions:
        number = revision["version"]
        if number in by_version:
            raise InvalidValue(M_("The history holds version %(number)s twice.")
                               % {"number": number}, "version")
        by_version[number] = revision
    _check_one_entry(by_version.values())
    if not isinstance(version, int) or isinstance(version, bool) or version not in by_version:
        raise InvalidValue(M_("There is no version %(version)s in this history.")
                           % {"version": repr(version)}, "version")
    missing = [number for number in range(1, version) if number not in by_version]
    if missing:
        raise InvalidValue(M_("The history has a gap: version %(number)s is missing.")
                           % {"number": missing[0]}, "version")
    return [by_version[number] for number in range(1, version + 1)]


def _check_one_entry(revisions: Iterable[dict]) -> None:
    """Refuse a history that mixes the revisions of different entries."""
    entry_ids = {repr(revision.get("entry_id")) for revision in revisions}
    if len(entry_ids) > 1:
        raise InvalidValue(M_("The history mixes revisions of different entries."), "entry_id")


def state_at(revisions: Iterable[dict], version: int) -> dict:
    """Rebuild the entry's state at ``version`` by replaying revisions 1..version."""
    state: dict = {}
    for revision in _ordered_history(revisions, version):
        state = apply_changes(state, revision["changes"])
    return state


def unfinished(last: dict, entry: dict | None) -> bool:
    """Whether an entry's newest revision never reached the entry: the entry is at an
    older version, or it is missing although the revision did not delete it."""
    if entry is None:
        return last.get("action") != "delete"
    return entry.get("version", 0) < last["version"]


def replay_problem(history: list[dict], entry: dict | None) -> str | None:
    """What is wrong between an entry and the replay of its history, or None.

    An entry is the replay of its revisions: its version is the newest one's and its
    state what versions 1..N rebuild; a deleted entry's newest revision is its deletion.
    """
    if not history:
        return "it has no history" if entry is not None else None
    last = history[-1]
    if unfinished(last, entry):
        held = "none" if entry is None else f"version {entry.get('version')}"
        return f"version {last['version']} ({last.get('action')}) never reached it ({held})"
    if entry is None:
        return None
    if entry.get("version") != last["version"]:
        return (f"it is at version {entry.get('version')}, its history ends at "
                f"{last['version']}")
    try:
        replayed = state_at(history, last["version"])
    except InvalidValue as error:
        return str(error)
    differing = sorted(key for key in set(replayed) | set(entry_state(entry))
                       if replayed.get(key) != entry_state(entry).get(key))
    return f"it differs from its history in {', '.join(differing)}" if differing else None


def diff(revisions: Iterable[dict], from_version: int, to_version: int) -> list[dict]:
    """Changes that lead from one version to another (either direction)."""
    revisions = list(revisions)
    return changes_between(state_at(revisions, from_version), state_at(revisions, to_version))


def revert_changes(revisions: Iterable[dict], current: dict, to_version: int) -> list[dict]:
    """Changes that turn the ``current`` flat state back into the state at ``to_version``."""
    return changes_between(current, state_at(revisions, to_version))


@dataclass(frozen=True)
class RollbackPlan:
    """What rolling back one account's edits of one entry does.

    ``restore`` maps each key the account changed to the value it had before the account's
    first change since the chosen time (``None``: absent); ``kept`` names keys someone else
    changed after the account's last change, which stay as they are; ``created`` says the
    account created the entry in that time (rolling back then deletes it, unless someone
    else changed it since); ``revisions`` counts the account's revisions undone.
    """

    restore: dict[str, Any] = field(default_factory=dict)
    kept: tuple[str, ...] = ()
    created: bool = False
    revisions: int = 0


def rollback_plan(history: Iterable[dict], user_id: object, since: datetime) -> RollbackPlan:
    """How to undo every change ``user_id`` made to one entry at or after ``since``.

    Each key goes back to its value before the account's first change of it, unless
    another editor changed that key after the account's last change of it: later work
    by others is never thrown away (those keys are ``kept``).
    """
    ordered = sorted(history, key=lambda revision: revision["version"])
    first = next((i for i, revision in enumerate(ordered)
                  if revision.get("user_id") == user_id and aware(revision["at"]) >= since),
                 None)
    if first is None:
        return RollbackPlan()
    before: dict[str, Any] = {}
    mine_last: dict[str, bool] = {}
    count = 0
    for revision in ordered[first:]:
        mine = revision.get("user_id") == user_id
        count += mine
        for change in revision.get("changes", []):
            key = change["key"]
            if mine:
                before.setdefault(key, change["before"])
                mine_last[key] = True
            elif key in before:
                mine_last[key] = False
    return RollbackPlan(
        restore={key: value for key, value in before.items() if mine_last[key]},
        kept=tuple(key for key in before if not mine_last[key]),
        created=ordered[first]["action"] in ("create", "restore"),
        revisions=count,
    )


def aware(moment: datetime) -> datetime:
    """A stored time as an aware UTC datetime (the embedded store may hand back naive)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
