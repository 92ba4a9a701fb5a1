"""JSON Schemas of the API's bodies, for the OpenAPI document (:mod:`.openapi_doc`).

Response schemas mirror :mod:`.representations` exactly (``additionalProperties: false``),
so a field that leaks or goes missing fails the schemathesis run. Request schemas are
what the views accept, never stricter — and what they accept is these schemas: every
JSON body is validated against its operation's schema (:mod:`.bodies`; shapes there,
values by the domain). Limits the server applies after trimming or
normalising text are given in words, not as ``maxLength``, because a string that breaks
a keyword yet passes once trimmed would be accepted. Limits come from the domain's own
constants, so the document cannot drift from the checks.
"""

from __future__ import annotations

from typing import Any

from ..domain.accounts import PROFILE_LIMITS, ROLES
from ..domain.categories import MAX_SUGGESTED
from ..domain.compare import ADVANTAGES, SYSTEMS
from ..domain.definitions import BETTER, MAX_KEY, ORDER_RANGE, TYPE_NAMES
from ..domain.entries import SLUG_MAX
from ..services.admin import ACTIONS as AUDIT_ACTIONS

__all__ = ["SCHEMAS", "ref", "nullable", "obj", "TYPE_NAMES"]

Schema = dict[str, Any]

ID: Schema = {"type": "string", "pattern": "^[0-9a-f]{24}$", "description": "24 hex digits."}
TIME: Schema = {"type": "string", "format": "date-time",
                "description": "ISO 8601 UTC with milliseconds, like 2024-05-01T12:00:00.000Z."}
TEXT: Schema = {"type": "string"}
COUNT: Schema = {"type": "integer", "minimum": 0}
ACTIONS = ("create", "edit", "revert", "delete")
KEY_PATTERN = f"^[a-z0-9_]{{1,{MAX_KEY}}}$"
REASON: Schema = {"type": "string", "description": "Why (at most 500 characters once trimmed; "
                                                   "kept in the audit log)."}


def ref(name: str) -> Schema:
    """A reference to ``#/components/schemas/<name>``."""
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: Schema) -> Schema:
    """``schema`` that may also be ``null`` (``type: [<type>, "null"]``)."""
    kind = schema["type"]
    return {**schema, "type": [*kind, "null"] if isinstance(kind, list) else [kind, "null"]}


def obj(properties: dict[str, Schema], required: tuple[str, ...] | str = "all", *,
        extra: bool | Schema = False, description: str | None = None,
        example: dict | None = None) -> Schema:
    """An object schema; ``required="all"`` requires every property."""
    names = list(properties) if required == "all" else list(required)
    schema: Schema = {"type": "object", "properties": properties,
                      "additionalProperties": extra}
    if names:
        schema["required"] = names
    if description:
        schema["description"] = description
    if example is not None:
        schema["examples"] = [example]
    return schema


def links(*names: str, optional: tuple[str, ...] = ()) -> Schema:
    """A ``_links`` object: each name a ``{"href": …}`` link."""
    props = {name: ref("Link") for name in (*names, *optional)}
    return obj(props, names)


# ----------------------------------------------------------------------------- values

#: A value as stored: text, number, yes/no, stars, or a list of short texts.
VALUE: Schema = {"type": ["string", "number", "boolean", "array"], "items": TEXT}

STORED_FIELDS: dict[str, Schema] = {
    "value": VALUE,
    "unit": {**TEXT, "description": "The unit the editor wrote (numbers)."},
    "n": {"type": "number", "description": "The value in the definition's canonical unit."},
    "file": {**TEXT, "description": "The stored file of an uploaded image."},
}
SHOWN_FIELDS: dict[str, Schema] = {
    **STORED_FIELDS,
    "text": {**TEXT, "description": 'Display text, like "187 g", "Yes" or "★★★★☆".'},
}

INPUT_VALUE: Schema = {
    "description": "Text (units allowed: \"187 g\"), a number, true/false, 1–5 stars, a "
                   "URL, a date, or an array of short texts — as the attribute's type reads it.",
    "type": ["string", "number", "boolean", "array"],
    "items": TEXT,
}
def definition_fields(*, nulls: bool) -> dict[str, Schema]:
    """The fields that define an attribute on first use (``nulls``: null means absent)."""
    text = nullable(TEXT) if nulls else TEXT
    absent = "Empty or null" if nulls else "Empty"
    return {
        "type": {"type": text["type"], "enum": [*TYPE_NAMES, "", *([None] if nulls else [])],
                 "description": "The type of a new attribute; for a defined one it must be "
                                f"its type ({absent.lower()}: the defined type)."},
        "label": {**text, "description": f"Label of a new attribute ({absent.lower()}: from "
                                         "the key)."},
        "unit": {**text, "description": "Canonical unit of a new number attribute."},
        "better": {**text, "description": "higher, lower or none (new attributes)."},
        "group": {**text, "description": "Section of a new attribute."},
    }


ATTRIBUTE_INPUT: Schema = obj(
    {"value": INPUT_VALUE, **definition_fields(nulls=True)}, ("value",), extra=True,
    description="A value with the definition to create on first use; other fields are "
                "ignored.",
)

COMMENT: Schema = {"type": "string", "maxLength": 500, "description": "The edit comment."}


def attribute_map(*, removable: bool) -> Schema:
    """The ``attributes`` object of an entry write (``null`` removes a key when allowed)."""
    choices = [INPUT_VALUE, ref("AttributeInput")]
    if removable:
        choices.append({"type": "null"})
    note = " null removes the attribute." if removable else ""
    return {"type": "object", "additionalProperties": {"anyOf": choices},
            "description": f"Attribute key ({KEY_PATTERN}) → value, or value with the "
                           f"definition to create for a new key.{note}"}


# ----------------------------------------------------------------------------- responses

ENTRY_PROPERTIES: dict[str, Schema] = {
    "id": ID,
    "slug": TEXT,
    "title": TEXT,
    "category": {**TEXT, "description": "The category's slug."},
    "summary": TEXT,
    "attributes": {"type": "object", "additionalProperties": ref("AttributeValue")},
    "version": {"type": "integer", "minimum": 1},
    "protected": {"type": "boolean",
                  "description": "Protected by an administrator: only admins change it."},
    "created_at": nullable(TIME),
    "created_by": nullable({**TEXT, "description": "The author's username."}),
    "created_by_id": nullable({**ID, "description": "The author's account id (null when "
                                                    "the account is not known)."}),
    "updated_at": nullable(TIME),
    "updated_by": nullable({**TEXT, "description": "The last editor's username."}),
    "updated_by_id": nullable({**ID, "description": "The last editor's account id."}),
    "_links": links("self", "html", "attributes", "revisions"),
}

USER_PROPERTIES: dict[str, Schema] = {
    "id": ID,
    "username": TEXT,
    "role": {"type": "string", "enum": list(ROLES)},
    "created_at": nullable(TIME),
    "location": TEXT,
    "website": TEXT,
    "bio": TEXT,
    "edit_count": COUNT,
    "create_count": COUNT,
    "avatar": {**nullable(TEXT), "description": "Path of the avatar image, if any."},
    "_links": links("self", "html", "avatar"),
    "email": {**TEXT, "description": "Only for the user themselves and admins."},
    "email_confirmed": {"type": "boolean", "description": "Whether the owner followed the "
                        "link mailed to `email` (in production an account edits only once "
                        "it has). Only for the user themselves and admins."},
    "pending_email": {**nullable(TEXT), "description": "A new address waiting for its "
                      "mailed link; it replaces `email` once followed. Only for the user "
                      "themselves and admins."},
    "last_seen": {**nullable(TIME), "description": "Only for the user themselves and admins."},
}
#: The fields only the user themselves and admins see.
PRIVATE_USER_FIELDS = ("email", "email_confirmed", "pending_email", "last_seen")

CHANGE: Schema = obj({
    "key": {**TEXT, "description": "title, summary, category or attr.<key>."},
    "before": {"description": "The old value (null: absent).",
               "anyOf": [TEXT, ref("StoredValue"), {"type": "null"}]},
    "after": {"description": "The new value (null: absent).",
              "anyOf": [TEXT, ref("StoredValue"), {"type": "null"}]},
})

ROW: Schema = obj({
    "key": TEXT,
    "label": TEXT,
    "type": {"type": "string", "enum": list(TYPE_NAMES)},
    "unit": {**nullable(TEXT), "description": "The definition's canonical unit."},
    "display_unit": {**nullable(TEXT),
                     "description": "The one unit every number of the row is shown in "
                                    "(numbers with a unit; null otherwise)."},
    "better": {"type": "string", "enum": list(BETTER)},
    "differs": {"type": "boolean"},
    "best": {"type": "array", "items": COUNT,
             "description": "Positions of the winning entries."},
    "cells": {"type": "array", "items": obj({
        "value": {"anyOf": [VALUE, {"type": "null"}], "description": "The value as stored."},
        "text": {**TEXT, "description": 'What the page shows: numbers in the row\'s display '
                                         'unit ("1.19 kg"), "—" when missing.'},
        "missing": {"type": "boolean"},
        "best": {"type": "boolean"},
        "number": {**nullable({"type": "number"}),
                   "description": "A number in the row's display unit, rounded as shown."},
        "unit": {**nullable(TEXT), "description": "The unit of number (its display unit)."},
        "entered": {**nullable(TEXT),
                    "description": 'The value as its editor wrote it ("2.62 lb"); null when '
                                   "missing."},
        "bar": {**nullable({"type": "number", "minimum": 0, "maximum": 1}),
                "description": "Length of the value's bar, the row's best value being 1 "
                               "(rows with a better direction and two values or more)."},
    })},
})

ADVANTAGE: Schema = obj({
    "key": TEXT,
    "label": TEXT,
    "text": {**TEXT, "description": 'In words: "Battery capacity: 14% higher".'},
    "percent": {**nullable({"type": "number", "minimum": 0}),
                "description": "How much better than the best other value (0.14 is 14 %); "
                               "null where no percentage says it (yes/no, dates)."},
})

# ----------------------------------------------------------------------------- requests

DEFINITION_WRITE: dict[str, Schema] = {
    "label": {**TEXT, "description": "1–60 characters on one line (trimmed)."},
    "better": {"type": "string", "enum": list(BETTER),
               "description": "Which value wins; only orderable types take higher/lower."},
    "group": {**TEXT, "description": "Section, up to 40 characters (empty: General)."},
    "order": {"description": f"Position, a whole number from {ORDER_RANGE[0]} to "
                             f"{ORDER_RANGE[1]} (as a number, or as text from forms).",
              "anyOf": [{"type": "integer", "minimum": ORDER_RANGE[0],
                         "maximum": ORDER_RANGE[1]}, TEXT]},
    "description": {**TEXT, "description": "Up to 500 characters."},
    "label_zh": {**TEXT, "description": "Simplified Chinese label, up to 60 characters "
                                        "(empty: the English one is shown)."},
    "group_zh": {**TEXT, "description": "Simplified Chinese section name, up to 40 "
                                        "characters (empty: the English one)."},
    "description_zh": {**TEXT, "description": "Simplified Chinese description, up to 500 "
                                              "characters (empty: the English one is shown)."},
}

SUGGESTED: Schema = obj({"key": {"type": "string", "pattern": KEY_PATTERN},
                         "group": {**TEXT, "description": "Section (empty: the "
                                                          "definition's)."}})
SUGGESTED_INPUT: Schema = {
    "type": "array", "maxItems": MAX_SUGGESTED,
    "description": "Suggested attributes in order: defined keys, or {key, group} objects.",
    "items": {"anyOf": [TEXT, obj({"key": TEXT, "group": TEXT}, ("key",))]},
}
CATEGORY_WRITE: dict[str, Schema] = {
    "name": {**TEXT, "description": "1–60 characters on one line (trimmed)."},
    "name_zh": {**TEXT, "description": "Simplified Chinese name, up to 60 characters."},
    "description": {**TEXT, "description": "Up to 500 characters."},
    "description_zh": {**TEXT, "description": "Chinese description, up to 500 characters."},
    "parent": {**nullable(TEXT), "description": "The parent category's slug (null or empty: "
                                                "top level); at most three levels deep."},
    "attributes": SUGGESTED_INPUT,
}

PROFILE: dict[str, Schema] = {
    name: {**TEXT, "description": f"Up to {limit} characters (trimmed)."
           + (" An http(s) address or empty." if name == "website" else "")}
    for name, limit in PROFILE_LIMITS.items()
}

SCHEMAS: dict[str, Schema] = {
    "Problem": obj({
        "type": {**TEXT, "description": "about:blank"},
        "title": TEXT,
        "status": {"type": "integer", "minimum": 100, "maximum": 599},
        "detail": TEXT,
        "errors": {"type": "object", "additionalProperties": TEXT,
                   "description": "Field or parameter → what is wrong with it."},
        "request_id": {**TEXT, "description": "On a 5xx: the X-Request-ID of this request, "
                                              "to quote when reporting the problem."},
        "current": {**ref("AttributeValue"),
                    "description": "On a 409 for an attribute the entry has: its current "
                                   "value (replace it with PUT)."},
    }, ("type", "title", "status", "detail"), description="RFC 9457 problem details."),
    "Link": obj({"href": {**TEXT, "description": "A site-relative path."}}),
    "PageMeta": obj({"page": {"type": "integer", "minimum": 1},
                     "per_page": {"type": "integer", "minimum": 1}, "total": COUNT}),
    "PageLinks": links("self", "first", "last", optional=("prev", "next")),
    "StoredValue": obj(STORED_FIELDS, ("value",), description="A value as stored."),
    "AttributeValue": obj(SHOWN_FIELDS, ("value", "text")),
    "Entry": obj(ENTRY_PROPERTIES, description="An entry with its attribute values."),
    "EntryFields": obj(ENTRY_PROPERTIES, ("id", "_links"),
                       description="An entry in a list: the fields= picked (all by default)."),
    "Attribute": obj({
        "key": TEXT,
        "label": TEXT,
        "type": {"type": "string", "enum": list(TYPE_NAMES)},
        "group": TEXT,
        **SHOWN_FIELDS,
        "_links": links("self", "entry", "definition"),
    }, ("key", "label", "type", "group", "value", "text", "_links")),
    "Definition": obj({
        "key": {"type": "string", "pattern": KEY_PATTERN},
        "label": TEXT,
        "type": {"type": "string", "enum": list(TYPE_NAMES)},
        "unit": nullable(TEXT),
        "better": {"type": "string", "enum": list(BETTER)},
        "group": TEXT,
        "order": {"type": "integer"},
        "description": TEXT,
        "label_zh": {**TEXT, "description": "The Simplified Chinese label (empty: none)."},
        "group_zh": {**TEXT, "description": "The Chinese section name (empty: none)."},
        "description_zh": {**TEXT, "description": "The Chinese description (empty: none)."},
        "version": {"type": "integer", "minimum": 1},
        "updated_by": {**nullable(TEXT), "description": "Who changed it last (or made it)."},
        "updated_at": {**nullable(TIME), "description": "When it was changed last."},
        "comment": {**TEXT, "description": "The last change's edit summary (empty: none)."},
        "_links": links("self", "html"),
    }),
    "Change": CHANGE,
    "Revision": obj({
        "id": ID,
        "entry_id": ID,
        "version": {"type": "integer", "minimum": 1},
        "at": TIME,
        "user": nullable({**TEXT, "description": "The editor's username."}),
        "user_id": nullable({**ID, "description": "The editor's account id (null when the "
                                                  "account is not known)."}),
        "action": {"type": "string", "enum": list(ACTIONS)},
        "comment": TEXT,
        "changes": {"type": "array", "items": ref("Change")},
        "_links": links("self", "entry"),
    }),
    "Diff": obj({"from": {"type": "integer", "minimum": 1},
                 "to": {"type": "integer", "minimum": 1},
                 "changes": {"type": "array", "items": ref("Change")}}),
    "Category": obj({
        "slug": TEXT, "name": TEXT, "description": TEXT, "entry_count": COUNT,
        "name_zh": {**TEXT, "description": "The Simplified Chinese name (empty: none)."},
        "description_zh": {**TEXT, "description": "The Chinese description (empty: none)."},
        "parent": {**nullable(TEXT), "description": "The parent category's slug, or null."},
        "attributes": {"type": "array", "items": SUGGESTED,
                       "description": "Suggested attributes, in order: a new entry starts "
                                      "with them to fill in."},
        "version": {"type": "integer", "minimum": 1},
        "_links": links("self", "entries", "html"),
    }),
    "ComparisonRow": ROW,
    "Comparison": obj({
        "entries": {"type": "array", "items": obj({"slug": TEXT, "title": TEXT,
                                                    "_links": links("self")})},
        "units": {"type": "string", "enum": list(SYSTEMS),
                  "description": "The unit system numbers are shown in."},
        "decided": {**COUNT, "description": "Rows that have a winner."},
        "summary": {"type": "array", "description": "Per entry, in the entries' order: the "
                    "rows it wins and its (up to three) strongest advantages.",
                    "items": obj({"slug": TEXT, "wins": COUNT,
                                  "advantages": {"type": "array", "items": ADVANTAGE,
                                                 "maxItems": ADVANTAGES}})},
        "groups": {"type": "array", "items": obj({
            "name": TEXT, "rows": {"type": "array", "items": ref("ComparisonRow")}})},
        "_links": links("self", "html"),
    }),
    "User": obj(USER_PROPERTIES, tuple(n for n in USER_PROPERTIES
                                       if n not in PRIVATE_USER_FIELDS)),
    "AdminUser": obj({
        **USER_PROPERTIES,
        "blocked": {**nullable({"type": "object"}), **obj({
            "reason": TEXT, "by": nullable(TEXT), "at": nullable(TIME)}),
            "type": ["object", "null"],
            "description": "Why, by whom and when the account was blocked; null when not."},
        "email_confirmed": {"type": "boolean"},
        "confirmed_at": nullable(TIME),
    }, description="An account as administrators see it."),
    "AuditRecord": obj({
        "id": ID,
        "at": TIME,
        "actor": {**nullable(TEXT), "description": "Who: the admin's name (or the operator)."},
        "actor_id": {**nullable(ID), "description": "The admin's account id (null: manage.py)."},
        "action": {"type": "string", "enum": list(AUDIT_ACTIONS)},
        "target_type": {"type": ["string", "null"], "enum": ["user", "entry", "category", None]},
        "target": {**nullable(TEXT), "description": "A username or a slug."},
        "target_id": nullable(ID),
        "reason": {**TEXT, "description": "Why, as the admin gave it (may be empty)."},
        "details": {"type": "object", "description": "What else the action recorded."},
    }),
    "RollbackReport": obj({
        "user": TEXT,
        "since": TIME,
        "dry_run": {"type": "boolean"},
        "reverted": {**COUNT, "description": "Entries that get (or got) a revert or a "
                                             "deletion."},
        "items": {"type": "array", "items": obj({
            "entry_id": ID, "slug": TEXT, "title": TEXT,
            "outcome": {"type": "string",
                        "enum": ["revert", "delete", "unchanged", "skipped"]},
            "changes": {"type": "array", "items": ref("Change")},
            "kept": {"type": "array", "items": TEXT,
                     "description": "Keys others changed later: they stay."},
            "revisions": COUNT,
            "note": TEXT,
        })},
    }),
    "Token": obj({
        "token": TEXT,
        "token_type": {"type": "string", "const": "Bearer"},
        "expires_in": {"type": "integer", "minimum": 1, "description": "Seconds."},
        "expires_at": TIME,
    }),
    # -- request bodies
    "AttributeInput": ATTRIBUTE_INPUT,
    "EntryCreate": obj({
        "title": {**TEXT, "description": "1–120 characters on one line (trimmed)."},
        "category": {**TEXT, "description": "The slug of an existing category."},
        "summary": {**TEXT, "description": "Up to 2000 characters."},
        "slug": {**TEXT, "maxLength": SLUG_MAX, "pattern": "^([a-z0-9]+(-[a-z0-9]+)*)?$",
                 "description": "Lowercase words joined by '-', never the word 'vs' "
                                "(empty: made from the title)."},
        "attributes": attribute_map(removable=False),
        "comment": COMMENT,
    }, ("title", "category"), example={
        "title": "Pixel 8 Pro", "category": "phones", "summary": "Google's larger phone.",
        "attributes": {"weight": "213 g", "five_g": True, "colors": ["Obsidian", "Bay"],
                       "battery": {"value": "5050 mAh", "type": "number", "group": "Power"}},
        "comment": "New entry"}),
    "EntryPatch": obj({
        "title": TEXT, "category": TEXT, "summary": TEXT,
        "attributes": attribute_map(removable=True), "comment": COMMENT,
    }, (), description="Only the fields given change.", example={
        "summary": "Google's phone of 2023.", "attributes": {"weight": "0.19 kg"},
        "comment": "Weighed it"}),
    "EntryReplace": obj({
        "title": TEXT, "category": TEXT, "summary": TEXT,
        "attributes": attribute_map(removable=True), "comment": COMMENT,
    }, ("title", "category"),
        description="The whole entry: attributes not given are removed, summary defaults "
                    "to empty.",
        example={"title": "Pixel 8", "category": "phones", "summary": "Google's phone.",
                 "attributes": {"weight": "187 g", "screen": "6.2 in"}}),
    "AttributeCreate": obj({
        "key": {**TEXT, "pattern": f"^([a-z0-9_]{{1,{MAX_KEY}}})?$",
                "description": "The key (empty: made from the label)."},
        "value": INPUT_VALUE, **definition_fields(nulls=False), "comment": COMMENT,
    }, ("value",), example={"key": "battery", "value": "4575 mAh", "type": "number",
                            "label": "Battery", "group": "Power", "comment": "From the box"}),
    "AttributeSet": obj({"value": INPUT_VALUE, **definition_fields(nulls=False),
                         "comment": COMMENT},
                        ("value",), example={"value": "190 g", "comment": "Weighed it"}),
    "DefinitionCreate": obj({
        "key": {**TEXT, "pattern": f"^([a-z0-9_]{{1,{MAX_KEY}}})?$",
                "description": "The key (empty: made from the label)."},
        "type": {"type": "string", "enum": list(TYPE_NAMES)},
        "unit": {**TEXT, "description": "Canonical unit, numbers only (empty: none)."},
        **DEFINITION_WRITE,
    }, ("label", "type"), example={
        "key": "battery", "label": "Battery", "type": "number", "unit": "mAh",
        "better": "higher", "group": "Power", "order": 400,
        "description": "Rated capacity."}),
    "DefinitionPatch": obj({
        **DEFINITION_WRITE,
        "comment": {**COMMENT, "description": "The edit summary, kept with this change."},
        "key": {**TEXT, "description": "May be sent, but only unchanged."},
        "type": {"type": "string", "enum": list(TYPE_NAMES),
                 "description": "May be sent, but only unchanged."},
        "unit": {**TEXT, "description": "May be sent, but only unchanged."},
    }, (), example={"label": "Weight", "group": "Body", "order": 300,
                    "description": "Without a case."}),
    "UserRegister": obj({
        "username": {**TEXT, "description": "2–30 letters, digits, '_', '.' or '-' "
                                            "(trimmed), starting with a letter or digit."},
        "email": {**TEXT, "description": "An email address (stored lowercased); a link to "
                                         "confirm it is mailed."},
        "password": {**TEXT, "description": "8–256 characters, not the username or email."},
        **PROFILE,
    }, ("username", "email", "password"), example={
        "username": "bob", "email": "bob@example.org",
        "password": "correct horse battery staple", "location": "Berlin",
        "website": "https://example.org/bob", "bio": "Compares phones."}),
    "UserPatch": obj({
        "email": {**TEXT, "description": "A new address waits in `pending_email` and is "
                                         "mailed a link; it becomes `email` once followed."},
        **PROFILE,
        "password": {**TEXT, "description": "A new password (with current_password)."},
        "current_password": TEXT,
        "role": {"type": "string", "enum": list(ROLES), "description": "Admins only."},
    }, (), example={"location": "Paris", "bio": "Compares laptops too."}),
    "AdminReason": obj({"reason": REASON}, (), example={"reason": "Asked by e-mail"}),
    "AdminBlock": obj({"reason": REASON}, example={"reason": "Replaced weights with 0 g"}),
    "AdminRole": obj({"role": {"type": "string", "enum": list(ROLES)}, "reason": REASON},
                     ("role",), example={"role": "admin", "reason": "Trusted editor"}),
    "AdminRollback": obj({
        "since": {**TEXT, "description": "ISO 8601; UTC when it names no zone; not in the "
                                         "future.", "examples": ["2024-05-01T12:00Z"]},
        "dry_run": {"type": "boolean", "default": True,
                    "description": "true (the default): only report what would change."},
        "reason": {**REASON, "description": "The edit summary of every revert (default: "
                                            "one naming the account and the time)."},
    }, ("since",), example={"since": "2024-05-01T12:00Z", "dry_run": True}),
    "AdminProtection": obj({"protected": {"type": "boolean"}, "reason": REASON},
                           ("protected",), example={"protected": True, "reason": "Edit war"}),
    "RevertRequest": obj({"comment": COMMENT}, (), example={"comment": "Undo vandalism"}),
    "RestoreRequest": obj({"comment": COMMENT}, (), example={"comment": "Deleted by mistake"}),
    "CategoryCreate": obj({
        "slug": {**TEXT, "description": "Lowercase words joined by '-', at most 40 "
                                        "characters (empty: made from the name)."},
        **CATEGORY_WRITE,
    }, ("name",), example={"name": "Foldables", "name_zh": "折叠屏手机", "parent": "phones",
                           "description": "Phones that fold.",
                           "attributes": ["weight", {"key": "screen", "group": "Display"}]}),
    "CategoryPatch": obj(CATEGORY_WRITE, (), description="Only the fields given change.",
                         example={"description_zh": "可以折叠的手机。"}),
    "CategoryMerge": obj({"into": {**TEXT, "description": "The slug of the category that "
                                                         "takes the entries."}},
                         example={"into": "phones"}),
}
