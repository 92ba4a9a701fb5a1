"""Use cases shared by the pages and the API, over the repositories and the domain."""

from __future__ import annotations

from flask import current_app

from .accounts import Accounts
from .admin import Admin
from .categories import Categories
from .definitions import Definitions
from .names import Names
from .reads import Reads
from .wiki import AttributeInput, Wiki

__all__ = ["Accounts", "Admin", "AttributeInput", "Categories", "Definitions", "Names", "Reads",
           "Wiki", "wiki", "reads", "names", "accounts", "categories", "definitions", "admin",
           "mail_service"]


def wiki() -> Wiki:
    """The wiki of the current app."""
    return current_app.extensions["pkyx.wiki"]


def reads() -> Reads:
    """What the pages and the API of the current app may read."""
    return current_app.extensions["pkyx.reads"]


def names() -> Names:
    """Finding entries by typed names (the compare box, autocomplete) in the current app."""
    return current_app.extensions["pkyx.names"]


def accounts() -> Accounts:
    """The account service of the current app."""
    return current_app.extensions["pkyx.accounts"]


def categories() -> Categories:
    """The category service of the current app."""
    return current_app.extensions["pkyx.categories"]


def admin() -> Admin:
    """The administrators' service of the current app."""
    return current_app.extensions["pkyx.admin"]


def mail_service():
    """The account mail service of the current app (confirmation and reset links)."""
    return current_app.extensions["pkyx.account_mail"]


def definitions() -> Definitions:
    """The attribute definition service of the current app."""
    return current_app.extensions["pkyx.definitions"]
