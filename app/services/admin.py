"""Administrators' use cases, shared by the admin pages, the API and ``manage.py``.

Block and unblock accounts, grant and revoke the admin role, confirm an address by hand,
protect entries, roll back every edit an account made since a time, and read the audit
log. Every action writes one audit record (who, what, when, why). The last active admin
keeps the role and cannot be blocked, and nobody blocks or demotes themselves, so the
wiki always has an administrator.

Example::

    admin = Admin(repos, wiki)
    admin.block(carol, "vandal", "Replaced every weight with 0 g")
    report = admin.rollback(carol, "vandal", since, dry_run=True)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bson import ObjectId

from ..domain import revisions
from ..domain.accounts import ROLES, is_confirmed
from ..domain.errors import Conflict, Forbidden, InvalidValue
from ..domain.messages import M_, _
from ..repositories.base import utcnow
from . import audit
from .audit import MAX_REASON
from .wiki import Editor, WikiUseCases

__all__ = ["Admin", "RollbackReport", "RollbackItem", "MAX_ROLLBACK_ENTRIES",
           "OPERATOR", "ACTIONS"]

#: A rollback touches at most this many entries; an older time must be split.
MAX_ROLLBACK_ENTRIES = 500
#: The editor of ``manage.py``'s actions (a space: no account can have this name).
OPERATOR = Editor("manage.py (operator)")
#: Every action the audit log records.
ACTIONS = ("user.block", "user.unblock", "user.role", "user.confirm", "user.rollback",
           "user.delete",
           "entry.protect", "entry.unprotect", "entry.delete", "entry.restore",
           "category.delete", "category.merge")


@dataclass(frozen=True)
class RollbackItem:
    """One entry of a rollback: what happens to it and why.

    ``outcome`` is ``revert`` (its keys go back: one revision), ``delete`` (the account
    created it and nobody else changed it), ``unchanged`` (it already holds the earlier
    values), or ``skipped`` (``note`` says why: deleted meanwhile, or created by the
    account and changed by others since). ``changes`` are ``{key, before, after}`` from
    its current state; ``kept`` the keys others changed later, which stay.
    """

    entry_id: ObjectId
    slug: str
    title: str
    outcome: str
    changes: list[dict] = field(default_factory=list)
    kept: tuple[str, ...] = ()
    revisions: int = 0
    note: str = ""
    version: int | None = None


@dataclass(frozen=True)
class RollbackReport:
    """What a rollback did (or, with ``dry_run``, would do)."""

    user: dict
    since: datetime
    dry_run: bool
    items: list[RollbackItem]

    @property
    def reverted(self) -> list[RollbackItem]:
        """The entries that get (or got) a revision or a deletion."""
        return [item for item in self.items if item.outcome in ("revert", "delete")]


class Admin(WikiUseCases):
    """The administrators' operations over one set of repositories and the wiki."""

    # -- who ---------------------------------------------------------------------------

    def actor(self, user: object) -> Editor:
        """The administrator doing an action: an admin's user document, or an
        :class:`Editor` (``manage.py`` acts as :data:`OPERATOR`). Anyone else: Forbidden."""
        if isinstance(user, Editor):
            return user
        if isinstance(user, Mapping) and user.get("role") == "admin" and \
                not user.get("blocked"):
            return Editor(user["username"], user["_id"], admin=True)
        raise Forbidden(M_("Only administrators may do this."))

    @staticmethod
    def reason(text: object, *, required: bool = False) -> str:
        """A reason: text of at most 500 characters (required for some actions)."""
        if text is None:
            text = ""
        if not isinstance(text, str):
            raise InvalidValue(M_("The reason must be text."), "reason")
        text = text.strip()
        if required and not text:
            raise InvalidValue(M_("Give a reason: the account's owner is shown it."), "reason")
        if len(text) > MAX_REASON:
            raise InvalidValue(M_("The reason must be at most %(limit)s characters.")
                               % {"limit": MAX_REASON}, "reason")
        return text

    # -- users -------------------------------------------------------------------------

    def find_users(self, text: str = "", page: int = 1, per_page: int = 25
                   ) -> tuple[list[dict], int]:
        """Users whose name or e-mail address starts with ``text``, by name, and the total."""
        return self.repos.users.search(text or "", (page - 1) * per_page, per_page)

    def block(self, user: object, ident: str | ObjectId, reason: object) -> dict:
        """Block an account: it cannot log in or write, and every session and API token
        it has stops working at its next request."""
        actor = self.actor(user)
        reason = self.reason(reason, required=True)
        target = self.repos.users.get(ident)
        if target["_id"] == actor.id:
            raise Conflict(M_("You cannot block your own account."), "username")
        if target["role"] == "admin" and \
                not self.repos.users.count_active_admins(besides=target["_id"]):
            raise Conflict(M_("%(name)s is the last administrator and cannot be blocked.")
                           % {"name": target["username"]}, "username")
        blocked = self.repos.users.block(target["_id"], {
            "reason": reason, "by": actor.name, "by_id": actor.id, "at": utcnow()})
        audit.record(self.repos, actor, "user.block", "user", target["username"],
                     target["_id"], reason)
        return blocked

    def unblock(self, user: object, ident: str | ObjectId, reason: object = "") -> dict:
        """Let a blocked account log in again."""
        actor = self.actor(user)
        reason = self.reason(reason)
        target = self.repos.users.get(ident)
        if not target.get("blocked"):
            raise Conflict(M_("%(name)s is not blocked.") % {"name": target["username"]},
                           "username")
        done = self.repos.users.unblock(target["_id"])
        audit.record(self.repos, actor, "user.unblock", "user", target["username"],
                     target["_id"], reason, was=target["blocked"].get("reason", ""))
        return done

    def set_role(self, user: object, ident: str | ObjectId, role: object,
                 reason: object = "") -> dict:
        """Grant (``admin``) or revoke (``user``) the admin role; the last active admin
        keeps it. Setting the role an account has already changes and records nothing."""
        actor = self.actor(user)
        reason = self.reason(reason)
        if role not in ROLES:
            raise InvalidValue(M_("The role must be user or admin."), "role")
        target = self.repos.users.get(ident)
        if target["role"] == role:
            return target
        if role != "admin" and not self.repos.users.count_active_admins(
                besides=target["_id"]):
            raise Conflict(M_("%(name)s is the last administrator and keeps the role.")
                           % {"name": target["username"]}, "role")
        changed = self.repos.users.set_role(target["_id"], role)
        audit.record(self.repos, actor, "user.role", "user", target["username"],
                     target["_id"], reason, before=target["role"], after=role)
        return changed

    def confirm(self, user: object, ident: str | ObjectId, reason: object = "") -> dict:
        """Confirm an account's e-mail address by hand."""
        actor = self.actor(user)
        reason = self.reason(reason)
        target = self.repos.users.get(ident)
        if is_confirmed(target):
            return target
        done = self.repos.users.mark_confirmed(target["_id"])
        audit.record(self.repos, actor, "user.confirm", "user", target["username"],
                     target["_id"], reason, email=target["email"])
        return done

    def delete_user(self, user: object, ident: str | ObjectId, reason: object = "") -> dict:
        """Delete another account (its edits stay in history, its name stays reserved);
        the last active admin stays."""
        actor = self.actor(user)
        reason = self.reason(reason)
        target = self.repos.users.get(ident)
        self.check_not_last_admin(target)
        removed = self.repos.users.delete(target["_id"])
        if removed.get("avatar"):
            self.repos.avatars.delete(removed["avatar"])
        audit.record(self.repos, actor, "user.delete", "user", target["username"],
                     target["_id"], reason, email=target["email"])
        return removed

    def check_not_last_admin(self, target: Mapping) -> None:
        """Refuse to remove the last active admin (by deleting the account)."""
        if target["role"] == "admin" and not target.get("blocked") and \
                not self.repos.users.count_active_admins(besides=target["_id"]):
            raise Conflict(M_("%(name)s is the last administrator and keeps the role.")
                           % {"name": target["username"]}, "role")

    # -- entries -----------------------------------------------------------------------

    def protect(self, user: object, ident: str, reason: object = "") -> dict:
        """Protect an entry: only administrators may change it (pages and API alike)."""
        actor = self.actor(user)
        reason = self.reason(reason)
        entry = self.repos.entries.get(ident)
        done = self.repos.entries.set_protection(entry["_id"], {
            "by": actor.name, "by_id": actor.id, "at": utcnow(), "reason": reason})
        audit.record(self.repos, actor, "entry.protect", "entry", entry["slug"], entry["_id"],
                     reason, title=entry["title"])
        return done

    def unprotect(self, user: object, ident: str, reason: object = "") -> dict:
        """Let every editor change an entry again."""
        actor = self.actor(user)
        reason = self.reason(reason)
        entry = self.repos.entries.get(ident)
        if not entry.get("protected"):
            return entry
        done = self.repos.entries.set_protection(entry["_id"], None)
        audit.record(self.repos, actor, "entry.unprotect", "entry", entry["slug"],
                     entry["_id"], reason, title=entry["title"])
        return done

    def protected_entries(self, page: int = 1, per_page: int = 50) -> tuple[list[dict], int]:
        """Protected entries by title, one page, and how many there are."""
        return self.repos.entries.protected((page - 1) * per_page, per_page)

    def recent_deletions(self, limit: int = 20) -> list[dict]:
        """The latest deletions of entries that are still gone, newest first (restorable):
        their revisions, with the title they had."""
        found = []
        deletions = self.repos.revisions.recent(limit * 2, action="delete")
        alive = self.repos.entries.by_ids(row["entry_id"] for row in deletions)
        seen = set()
        for row in deletions:
            if row["entry_id"] in alive or row["entry_id"] in seen:
                continue
            seen.add(row["entry_id"])
            title = next((c["before"] for c in row["changes"] if c["key"] == "title"),
                         row.get("slug"))
            found.append({**row, "title": title})
        return found[:limit]

    # -- rollback ----------------------------------------------------------------------

    def rollback(self, user: object, ident: str | ObjectId, since: object, *,
                 dry_run: bool = True, reason: object = "") -> RollbackReport:
        """Undo every edit the account ``ident`` made at or after ``since``.

        Each entry it changed gets one normal revision that puts the keys it changed back
        to their earlier values (keys another editor changed after it stay as they are);
        an entry it created and nobody else touched is deleted. ``dry_run`` only reports
        what would happen. At most :data:`MAX_ROLLBACK_ENTRIES` entries at once.
        """
        actor = self.actor(user)
        reason = self.reason(reason)
        since = self._since(since)
        target = self.repos.users.get(ident)
        entry_ids = self.repos.revisions.entries_changed_by(target["_id"], since,
                                                            MAX_ROLLBACK_ENTRIES + 1)
        if len(entry_ids) > MAX_ROLLBACK_ENTRIES:
            raise InvalidValue(
                M_("%(name)s changed more than %(limit)s entries since then; roll back from a "
                  "later time first, then from the earlier one.")
                % {"name": target["username"], "limit": MAX_ROLLBACK_ENTRIES}, "since")
        items = [self._plan(entry_id, target, since) for entry_id in entry_ids]
        if dry_run:
            return RollbackReport(target, since, True, items)
        comment = reason or revisions.ROLLBACK_COMMENT % {
            "user": target["username"], "since": since.strftime("%Y-%m-%d %H:%M UTC")}
        done = [self._apply(actor, item, comment) for item in items]
        report = RollbackReport(target, since, False, done)
        audit.record(self.repos, actor, "user.rollback", "user", target["username"],
                     target["_id"], reason, since=since,
                     entries=[item.slug for item in report.reverted],
                     skipped=[item.slug for item in done if item.outcome == "skipped"])
        return report

    @staticmethod
    def _since(value: object) -> datetime:
        """The time a rollback starts from: an aware datetime or ISO 8601 text (UTC when
        it names no zone), not in the future."""
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            except ValueError:
                raise InvalidValue(M_("Give the time as YYYY-MM-DDTHH:MM (UTC)."),
                                   "since") from None
        if not isinstance(value, datetime):
            raise InvalidValue(M_("Give the time as YYYY-MM-DDTHH:MM (UTC)."), "since")
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        if value > datetime.now(UTC):
            raise InvalidValue(M_("The time must not be in the future."), "since")
        return value.astimezone(UTC)

    def _plan(self, entry_id: ObjectId, target: dict, since: datetime) -> RollbackItem:
        """What rolling back ``target``'s edits of one entry does, from its history."""
        history = self.repos.revisions.for_entry(entry_id)
        plan = revisions.rollback_plan(history, target["_id"], since)
        entry = self.repos.entries.by_ids([entry_id]).get(entry_id)
        last = history[-1] if history else {}
        if entry is None:
            title = next((c["before"] for c in last.get("changes", [])
                          if c["key"] == "title"), last.get("slug", ""))
            return RollbackItem(entry_id, last.get("slug", ""), title or "", "skipped",
                                revisions=plan.revisions,
                                note=_("It was deleted since; restore it first if needed."))
        state = revisions.entry_state(entry)
        common = {"entry_id": entry_id, "slug": entry["slug"], "title": entry["title"],
                  "kept": plan.kept, "revisions": plan.revisions, "version": entry["version"]}
        if plan.created:
            if plan.kept:
                return RollbackItem(**common, outcome="skipped",
                                    note=_("Created by this account, but others changed it "
                                           "since; it stays."))
            return RollbackItem(**common, outcome="delete",
                                changes=revisions.changes_between(state, {}))
        wanted = dict(state)
        for key, value in plan.restore.items():
            if value is None:
                wanted.pop(key, None)
            else:
                wanted[key] = value
        changes = revisions.changes_between(state, wanted)
        return RollbackItem(**common, outcome="revert" if changes else "unchanged",
                            changes=changes)

    def _apply(self, actor: Editor, item: RollbackItem, comment: str) -> RollbackItem:
        """Carry out one entry's rollback through the wiki, as a normal revision."""
        if item.outcome == "delete":
            self.wiki.delete_entry(actor, item.slug, item.version, comment)
        elif item.outcome == "revert":
            self.wiki.rollback_entry(actor, item.slug, item.version, item.changes, comment)
        return item

    # -- audit log ---------------------------------------------------------------------

    def audit_log(self, page: int = 1, per_page: int = 50) -> tuple[list[dict], int]:
        """One page of the audit log, newest first, and how many records there are."""
        return self.repos.audit.page((page - 1) * per_page, per_page)
