"""Writing the audit log: one record per administrator's action, from every service."""

from __future__ import annotations

from bson import ObjectId

from ..repositories import Repositories

__all__ = ["record", "MAX_REASON"]

#: A reason (why) is free text of at most this many characters.
MAX_REASON = 500


def record(repos: Repositories, editor, action: str, target_type: str, target: str,
           target_id: ObjectId | None = None, reason: str = "", **details) -> dict:
    """Store who (``editor``: an :class:`~app.services.wiki.Editor`) did ``action`` to
    which ``target``, why, and any details; return the record."""
    return repos.audit.add({
        "actor": editor.name, "actor_id": editor.id, "action": action,
        "target_type": target_type, "target": target, "target_id": target_id,
        "reason": (reason or "").strip()[:MAX_REASON], "details": details,
    })
