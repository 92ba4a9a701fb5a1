"""Use cases shared by the pages and the API, over the repositories and the domain."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app

from .account_mail import AccountMail
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


def _of_the_app(name: str, about: str, *, key: str = "") -> Callable[[], Any]:
    """The accessor ``name`` of a service of the current app, ``app.extensions["pkyx." +
    (key or name)]`` (built by ``create_app``)."""
    key = f"pkyx.{key or name}"

    def service():
        return current_app.extensions[key]

    service.__name__ = service.__qualname__ = name
    service.__doc__ = about
    return service


wiki: Callable[[], Wiki] = _of_the_app("wiki", "The wiki of the current app.")
reads: Callable[[], Reads] = _of_the_app(
    "reads", "What the pages and the API of the current app may read.")
names: Callable[[], Names] = _of_the_app(
    "names", "Finding entries by typed names (the compare box, autocomplete).")
accounts: Callable[[], Accounts] = _of_the_app("accounts", "The account service.")
categories: Callable[[], Categories] = _of_the_app("categories", "The category service.")
admin: Callable[[], Admin] = _of_the_app("admin", "The administrators' service.")
definitions: Callable[[], Definitions] = _of_the_app(
    "definitions", "The attribute definition service.")
mail_service: Callable[[], AccountMail] = _of_the_app(
    "mail_service", "The account mail service (confirmation and reset links).",
    key="account_mail")
