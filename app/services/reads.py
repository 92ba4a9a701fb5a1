"""Reads: everything the pages and the API may read, and nothing they may change.

Views never hold a repository (import-linter's contracts in pyproject.toml forbid
``app.web`` and ``app.api`` to import ``app.repositories``): they read through
:class:`Reads`, whose methods name each read a page or an API resource needs, and
write through the other services (:class:`~app.services.wiki.Wiki`,
:class:`~app.services.accounts.Accounts`, :class:`~app.services.admin.Admin`, ...).

Each method answers what the repository answers (plain dicts, and
:class:`~app.domain.definitions.Definition`) and raises the domain's ``NotFound``
where the repository does.

Example::

    entry = reads().entry("iphone-15")
    definitions = reads().definitions_many(entry["attributes"])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..domain.definitions import Definition
from ..repositories import Repositories

__all__ = ["Reads"]


class Reads:
    """Read-only queries over one store's repositories, for pages and the API."""

    def __init__(self, repos: Repositories):
        self._repos = repos

    # -- entries -----------------------------------------------------------------------

    def entry(self, ident) -> dict:
        """The entry with this id or slug, or raise ``NotFound``."""
        return self._repos.entries.get(ident)

    def entry_ref(self, ident) -> tuple[Any, int, bool]:
        """The id, version and protection of the entry with this id or slug (what its
        representation and ETag depend on), or raise ``NotFound``."""
        return self._repos.entries.ref(ident)

    def entries_by_ids(self, ids: Iterable) -> dict[Any, dict]:
        """The entries with these ids, keyed by id (deleted ones left out)."""
        return self._repos.entries.by_ids(ids)

    def entries_by_slugs(self, slugs: Iterable[str]) -> dict[str, dict]:
        """The entries with these slugs, keyed by slug (missing ones left out)."""
        return self._repos.entries.by_slugs(slugs)

    def entries_created_by(self, user_id, limit: int = 50) -> list[dict]:
        """Entries a user's account created, newest first."""
        return self._repos.entries.by_creator(user_id, limit)

    def entry_count(self) -> int:
        """How many entries there are."""
        return self._repos.entries.count()

    def entry_listing(self, category: str | None, sort: str, page: int,
                      per_page: int) -> tuple[list[dict], int]:
        """One page of the entry listing (of a category, or of all) and the total."""
        return self._repos.entries.listing(category, sort, page, per_page)

    def entry_refs(self, query) -> tuple[list[tuple[Any, int, bool]], int]:
        """The page a parsed API query (:class:`~app.services.query.Query`) asks for, as
        entry refs (id, version, protection), and how many entries match."""
        return self._repos.entries.matching_refs(query.clauses, query.sort, query.skip,
                                                 query.per_page)

    def random_entry_slug(self) -> str | None:
        """The slug of an entry picked at random, or ``None`` when there is none."""
        return self._repos.entries.random_slug()

    def recent_entries(self, limit: int = 10, category: str | None = None,
                       fields: Iterable[str] | None = None) -> list[dict]:
        """The latest changed entries (of a category), with only ``fields`` if given."""
        return self._repos.entries.recent(limit, category, fields=fields)

    def search_entries(self, words: list[str], limit: int = 25, skip: int = 0,
                       sort: str = "title") -> tuple[list[dict], int]:
        """Entries whose keywords start with each of ``words``, one page, and the total."""
        return self._repos.entries.search(words, limit, skip, sort)

    # -- definitions -------------------------------------------------------------------

    def definition(self, key: str) -> Definition | None:
        """The definition of ``key``, or ``None``."""
        return self._repos.definitions.find(key)

    def definitions_many(self, keys: Iterable[str]) -> dict[str, Definition]:
        """The definitions of ``keys`` that exist, keyed by key."""
        return self._repos.definitions.many(keys)

    def definitions_all(self) -> list[Definition]:
        """Every definition in page order."""
        return self._repos.definitions.all()

    def definitions_snapshot(self) -> tuple[Sequence[Definition], Mapping[str, Definition]]:
        """Every definition in page order and by key, to read and never to change."""
        return self._repos.definitions.snapshot()

    # -- revisions ---------------------------------------------------------------------

    def revision(self, entry_id, version: int) -> dict:
        """One version of an entry's history, or raise ``NotFound``."""
        return self._repos.revisions.get(entry_id, version)

    def revision_page(self, entry_id, skip: int, limit: int) -> tuple[list[dict], int]:
        """One page of an entry's revisions, newest first, and how many there are."""
        return self._repos.revisions.page_for_entry(entry_id, skip, limit)

    def revisions_by(self, user_id, limit: int = 50) -> list[dict]:
        """A user's latest contributions, newest first."""
        return self._repos.revisions.by_user(user_id, limit)

    # -- users and sign-in -------------------------------------------------------------

    def user(self, ident) -> dict:
        """The user with this id or username (any case), or raise ``NotFound``."""
        return self._repos.users.get(ident)

    def find_user(self, ident) -> dict | None:
        """The user with this id or username (any case), or ``None``."""
        return self._repos.users.find(ident)

    def user_page(self, skip: int, limit: int) -> list[dict]:
        """Users by name, one page."""
        return self._repos.users.page(skip, limit)

    def user_count(self) -> int:
        """How many accounts there are."""
        return self._repos.users.count()

    def active_admin_count(self, *, besides=None) -> int:
        """How many admins are not blocked (leaving out the account ``besides``)."""
        return self._repos.users.count_active_admins(besides=besides)

    def token_revoked(self, jti: str) -> bool:
        """Whether the API token ``jti`` was revoked."""
        return self._repos.tokens.is_revoked(jti)

    # -- files, categories, comparisons ------------------------------------------------

    def image(self, file_id):
        """The stored image ``file_id``, or raise ``NotFound``."""
        return self._repos.images.get(file_id)

    def avatar(self, file_id):
        """The stored avatar ``file_id``, or raise ``NotFound``."""
        return self._repos.avatars.get(file_id)

    def categories(self) -> list[dict]:
        """Every category, by slug."""
        return self._repos.categories.all()

    def popular_comparisons(self, limit: int = 10) -> list[dict]:
        """The most viewed comparisons."""
        return self._repos.comparisons.popular(limit)
