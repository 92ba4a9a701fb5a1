"""Small helpers the resource modules share: who is calling, attribute inputs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from flask import current_app

from ..domain.errors import Forbidden, InvalidValue
from ..services import AttributeInput, reads
from ..write_limits import spending
from .auth import current_user
from .bodies import json_body

__all__ = ["editor", "attribute_inputs", "definitions_for", "require_admin_or_self", "comment_of",
           "create_from_body"]

T = TypeVar("T")


def editor() -> dict:
    """The authenticated caller's user document (views are wrapped in login_required):
    the wiki records its name and its account id."""
    return current_user()


def create_from_body(create: Callable[[dict, dict], T]) -> T:
    """``create(editor, body)``: a service's create method given the request's JSON body,
    counted as an edit against the caller's write limit (a category, a definition)."""
    data = json_body()
    with spending("edit", editor()):
        return create(editor(), data)


def attribute_inputs(data: object) -> tuple[list[AttributeInput], list[str]]:
    """Attribute values from a JSON object ``{key: value | {value, type…} | null}``.

    Returns the values to set and the keys to remove (``null``).
    """
    if not isinstance(data, Mapping):
        raise InvalidValue("'attributes' must be an object of key: value.", "attributes")
    items, unset = [], []
    for key, value in data.items():
        if value is None:
            unset.append(key)
        elif isinstance(value, Mapping):
            items.append(AttributeInput.from_mapping({**value, "key": key}))
        else:
            items.append(AttributeInput(key, value))
    return items, unset


def definitions_for(*docs: Mapping) -> dict:
    """The definitions of every attribute the documents use."""
    keys = {key for doc in docs for key in doc.get("attributes", {})}
    return reads().definitions_many(keys) if keys else {}


def require_admin_or_self(user_id) -> dict:
    """The caller, if they are the user ``user_id`` or an admin; else Forbidden."""
    caller = current_user()
    if caller["role"] != "admin" and caller["_id"] != user_id:
        raise Forbidden("You may only change your own account.")
    return caller


def comment_of(data: Mapping) -> str:
    """The edit comment of a write (optional text, at most 500 characters)."""
    comment = data.get("comment", "")
    if not isinstance(comment, str) or len(comment) > 500:
        raise InvalidValue("'comment' must be text of at most 500 characters.", "comment")
    return comment


def config(name: str):
    """A setting of the current app."""
    return current_app.config[name]
