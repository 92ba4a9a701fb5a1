"""JSON request bodies, validated against the schemas the OpenAPI document publishes.

:func:`json_body` finds the request's operation in :func:`~.openapi_doc.build_document`
(its URL rule and method) and validates the body against that operation's
``requestBody`` schema — the very ``SCHEMAS`` of :mod:`.openapi_schemas` a client reads —
so a view cannot accept a field, or a JSON type, the document does not describe. One
validator per operation is compiled on first use and kept.

The schema judges the body's *shape*: which fields exist (an unknown or read-only one is
refused, never ignored), which are required, and the JSON type of each (text, a number,
an object of…), nested objects and arrays included. The *values* — lengths, patterns,
enumerations, ranges — are published too (from the domain's constants) but judged by
the domain, which parses them and says what is wrong in its own words: those keywords
(:data:`VALUE_KEYWORDS`) are not enforced here.

Every refusal is a 400 problem whose ``errors`` names the field, in the order the views
always checked: unknown fields first, then top-level fields that must be text, then
missing fields, then any other shape (``"order: expected an integer or a string, got
true"``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import Any

import orjson
from flask import request
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from jsonschema.validators import create

from .errors import ApiError
from .openapi_doc import build_document
from .openapi_schemas import SCHEMAS

__all__ = ["json_body", "JSON_TYPES", "SHAPE_KEYWORDS", "VALUE_KEYWORDS", "ANNOTATIONS",
           "openapi_path", "body_schema", "validator_for"]

JSON_TYPES = ("application/json", "application/merge-patch+json")
API_PREFIX = "/api/v1"

#: The keywords enforced here: what a body looks like.
SHAPE_KEYWORDS = ("$ref", "type", "properties", "additionalProperties", "required", "items",
                  "anyOf")
#: Published, but the domain's to judge (with its own messages).
VALUE_KEYWORDS = ("enum", "const", "pattern", "minLength", "maxLength", "minimum", "maximum",
                  "minItems", "maxItems", "format")
#: Words for readers, no constraint.
ANNOTATIONS = ("description", "examples", "default", "title")

#: A JSON Schema 2020-12 validator that checks shape keywords only.
ShapeValidator = create(
    meta_schema=Draft202012Validator.META_SCHEMA,
    validators={name: check for name, check in Draft202012Validator.VALIDATORS.items()
                if name in SHAPE_KEYWORDS},
    type_checker=Draft202012Validator.TYPE_CHECKER,
)

#: JSON types in words, as a refusal names them.
TYPE_WORDS = {"string": "a string", "number": "a number", "integer": "an integer",
              "boolean": "a boolean", "array": "an array", "object": "an object",
              "null": "null"}
UNKNOWN = "This field is unknown or cannot be set."
NOT_TEXT = "This field must be text; leave it out for its default."
REQUIRED = "This field is required."


def openapi_path(rule: str) -> str:
    """``/api/v1/entries/<ident>/revisions/<int(min=1):version>`` →
    ``/entries/{ident}/revisions/{version}``."""
    return re.sub(r"<(?:[a-z]+(?:\([^)]*\))?:)?([a-z_]+)>", r"{\1}",
                  rule.removeprefix(API_PREFIX))


@cache
def _document() -> dict:
    return build_document()


def body_schema(path: str, method: str) -> dict | None:
    """The JSON ``requestBody`` schema the document publishes for an operation (None:
    the operation takes no JSON body)."""
    operation = _document()["paths"].get(path, {}).get(method.lower(), {})
    content = operation.get("requestBody", {}).get("content", {})
    found = content.get("application/json")
    return found["schema"] if found else None


@cache
def validator_for(path: str, method: str) -> Any:
    """The compiled validator of an operation's body (kept: compiled once)."""
    schema = body_schema(path, method)
    if schema is None:
        raise LookupError(f"{method.upper()} {path} publishes no JSON request body.")
    # The operation's schema refers to #/components/schemas/…: resolved in the document.
    root = {**schema, "components": {"schemas": _document()["components"]["schemas"]}}
    Draft202012Validator.check_schema(root)
    return ShapeValidator(root)


def json_body() -> dict:
    """The request's JSON object, validated against its operation's published schema.

    Other media types are a 415; bad JSON, a value that is not an object, and a body the
    schema refuses are 400 problems naming the fields.
    """
    if request.mimetype not in JSON_TYPES:
        raise ApiError(415, "Send a JSON body with Content-Type: application/json.")
    try:
        data = orjson.loads(request.get_data(cache=True))
    except orjson.JSONDecodeError as exc:
        raise ApiError(400, f"The body is not valid JSON: {exc}.") from None
    if not isinstance(data, dict):
        raise ApiError(400, "The body must be a JSON object.")
    validator = validator_for(openapi_path(request.url_rule.rule), request.method)
    errors = list(validator.iter_errors(data))
    if errors:
        raise refusal(data, errors)
    return data


# ----------------------------------------------------------------------------- refusals


def refusal(data: dict, errors: list[ValidationError]) -> ApiError:
    """The 400 of a refused body: the first of the views' old tiers that has errors."""
    unknown: list[str] = []
    not_text: list[str] = []
    missing: list[str] = []
    other: dict[str, list[str]] = {}
    for error in _leaves(errors):
        path = list(error.absolute_path)
        if error.validator == "additionalProperties" and not path:
            unknown += _extra(error)
        elif error.validator == "required" and not path:
            missing += [name for name in error.validator_value if name not in data]
        elif error.validator == "type" and len(path) == 1 and error.validator_value == "string":
            not_text.append(path[0])
        else:
            field = str(path[0]) if path else "body"
            other.setdefault(field, []).append(_message(error, path))
    if unknown:
        unknown = sorted(set(unknown))
        return ApiError(400, f"Unknown or read-only fields: {', '.join(unknown)}.",
                        errors=dict.fromkeys(unknown, UNKNOWN))
    if not_text:
        return ApiError(400, f"These fields must be text: {', '.join(not_text)}.",
                        errors=dict.fromkeys(not_text, NOT_TEXT))
    if missing:
        missing = list(dict.fromkeys(missing))
        return ApiError(400, f"Missing fields: {', '.join(missing)}.",
                        errors=dict.fromkeys(missing, REQUIRED))
    messages = {field: " ".join(dict.fromkeys(found)) for field, found in other.items()}
    return ApiError(400, " ".join(messages.values()), errors=messages)


def _leaves(errors: list[ValidationError]) -> Iterator[ValidationError]:
    """The errors to name: inside an ``anyOf`` whose alternatives only one fits the JSON
    type of, that alternative's own errors (an attribute given as an object says what is
    wrong inside it); otherwise the ``anyOf`` as a whole."""
    for error in errors:
        if error.validator == "anyOf" and error.context:
            fitting = [index for index, choice in enumerate(error.validator_value)
                       if _fits(choice, error.instance)]
            if len(fitting) == 1:
                yield from _leaves([inner for inner in error.context
                                    if inner.relative_schema_path[0] == fitting[0]])
                continue
        yield error


def _resolve(schema: dict) -> dict:
    """``schema``, or the component its ``$ref`` names."""
    while "$ref" in schema:
        schema = SCHEMAS[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _types(schema: dict) -> list[str]:
    """The JSON types a schema takes (every type when it names none)."""
    schema = _resolve(schema)
    if "anyOf" in schema:
        return [kind for choice in schema["anyOf"] for kind in _types(choice)]
    kind = schema.get("type", list(TYPE_WORDS))
    return [kind] if isinstance(kind, str) else list(kind)


def _fits(schema: dict, instance: object) -> bool:
    """Whether ``instance`` has one of the JSON types ``schema`` takes."""
    checker = Draft202012Validator.TYPE_CHECKER
    return any(checker.is_type(instance, kind) for kind in _types(schema))


def _expected(schema: dict) -> str:
    """What a schema takes, in words: ``a string, a number or an array of strings``."""
    schema = _resolve(schema)
    words = []
    choices = schema["anyOf"] if "anyOf" in schema else [schema]
    for choice in choices:
        choice = _resolve(choice)
        for kind in _types(choice):
            word = TYPE_WORDS[kind]
            if kind == "array" and "items" in choice:
                word += " of " + _plural(_expected(choice["items"]))
            if kind == "integer" and "number" in _types(choice):
                continue
            words.append(word)
    words = list(dict.fromkeys(words))
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def _plural(words: str) -> str:
    """``a string`` → ``strings`` (the items of an array)."""
    return re.sub(r"\b(?:an?) (\w+)", r"\1s", words)


def _got(instance: object) -> str:
    """The JSON type of a value, in words."""
    checker = Draft202012Validator.TYPE_CHECKER
    for kind in ("null", "boolean", "number", "string", "array", "object"):
        if checker.is_type(instance, kind):
            return TYPE_WORDS[kind] if kind != "boolean" else str(instance).lower()
    return type(instance).__name__  # pragma: no cover - JSON has no other types


def _where(path: list) -> str:
    """``["attributes", "colors", 0]`` → ``attributes.colors[0]``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "The body"


def _extra(error: ValidationError) -> list[str]:
    """The properties an ``additionalProperties: false`` refused."""
    known = set(error.schema.get("properties", {}))
    return sorted(name for name in error.instance if name not in known)


def _message(error: ValidationError, path: list) -> str:
    """One refusal in words, naming where it is and what was expected."""
    where = _where(path)
    if error.validator == "additionalProperties":
        names = _extra(error)
        return f"{where}: unknown field{'s' if len(names) > 1 else ''} {', '.join(names)}."
    if error.validator == "required":
        names = ", ".join(name for name in error.validator_value if name not in error.instance)
        return f"{where}: missing {names}."
    if error.validator in ("type", "anyOf"):
        return f"{where}: expected {_expected(error.schema)}, got {_got(error.instance)}."
    return f"{where}: {error.message}."  # pragma: no cover - no other shape keyword
