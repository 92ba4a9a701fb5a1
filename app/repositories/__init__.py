"""Repositories: the only code that talks to pymongo and GridFS.

They take and return plain dicts (and :class:`~app.domain.definitions.Definition`),
and raise the domain's ``NotFound`` / ``Conflict`` / ``StaleVersion``; they never
know about HTTP.

Example::

    repos = Repositories(store)
    entry = repos.entries.get("iphone-15")
"""

from __future__ import annotations

from flask import current_app

from .audit import AuditLogRepository
from .categories import CategoryRepository
from .comparisons import ComparisonRepository
from .definitions import DefinitionRepository
from .entries import EntryRepository
from .files import FileRepository
from .revisions import RevisionRepository
from .tokens import TokenRepository
from .users import UserRepository

__all__ = ["Repositories", "repositories"]


class Repositories:
    """Every repository over one store."""

    def __init__(self, store):
        self.store = store
        self.entries = EntryRepository(store)
        self.definitions = DefinitionRepository(store)
        self.revisions = RevisionRepository(store)
        self.users = UserRepository(store)
        self.categories = CategoryRepository(store)
        self.comparisons = ComparisonRepository(store)
        self.avatars = FileRepository(store, "avatars")
        self.images = FileRepository(store, "images")
        self.tokens = TokenRepository(store)
        self.audit = AuditLogRepository(store)


def repositories() -> Repositories:
    """The repositories of the current app."""
    return current_app.extensions["pkyx.repos"]
