"""The OpenAPI 3.1 description of ``/api/v1``, served at ``/api/v1/openapi.json``.

Built from small helpers (``json_body``, ``paged``, ``problem_responses``…) so each
operation reads as a few lines; the schemas live in :mod:`.openapi_schemas`. Every
operation lists exactly the statuses its view can answer, and ``tests/api`` checks the
document against the URL map and fuzzes the API against it with schemathesis.
"""

from __future__ import annotations

from typing import Any

from ..domain.compare import SYSTEMS
from .openapi_schemas import SCHEMAS, ref
from .query import (
    FIELDS,
    MAX_FILTERS,
    MAX_LIST_ITEMS,
    MAX_Q,
    MAX_SORT_KEYS,
    OPERATORS,
    REPRESENTATION_FIELDS,
)

__all__ = ["build_document", "problem_responses", "paged", "json_body"]

Spec = dict[str, Any]

PROBLEM_JSON = "application/problem+json"
AUTH = [{"basicAuth": []}, {"bearerAuth": []}]
#: Every operation may meet a bug (500) or an unreachable database (503).
ALWAYS = (500, 503)
#: What any JSON write can add: a bad body, too large a body, not JSON.
BODY_ERRORS = (400, 413, 415)
#: What an authenticated operation can add: no or bad credentials, a blocked account,
#: too many wrong passwords.
AUTH_ERRORS = (401, 403, 429)
#: What an edit can add: 403 there also covers an account whose e-mail address is not
#: confirmed, where the site asks for one.
EDIT_ERRORS = AUTH_ERRORS
#: A write guarded by If-Match: the header missing (428) or stale (412).
IF_MATCH_ERRORS = (412, 428)

PROBLEM_TEXT = {
    400: "The request is not valid: `errors` names each field or parameter and what is wrong.",
    401: "No or wrong credentials (Basic or Bearer), or an expired or revoked token.",
    403: "Your account may not do this (an admin's operation; a protected entry; where the "
         "site asks for it, an edit by an account whose e-mail address is not confirmed yet: "
         "`email_confirmed`), or an administrator blocked it: `detail` names the reason.",
    404: "Not found.",
    409: "It conflicts with what exists (a taken slug, key, username or email; in use).",
    412: "If-Match does not match the current ETag: someone changed it since you read it.",
    413: "The body is larger than 2 MiB.",
    415: "The body is not of a media type this operation reads.",
    428: "This write needs an If-Match header with the ETag you read.",
    429: "Too many requests (or failed password checks); wait for Retry-After seconds.",
    500: "A bug on our side; it has been logged.",
    503: "The database cannot be reached; try again after Retry-After seconds.",
}
RETRY_HEADERS = (429, 503)


# ----------------------------------------------------------------------------- helpers


def header(description: str, schema: Spec | None = None) -> Spec:
    """A response header."""
    return {"description": description, "schema": schema or {"type": "string"}}


HEADERS: dict[str, Spec] = {
    "ETag": header("A strong entity tag of this representation; send it back in If-Match "
                   "(writes) or If-None-Match (reads)."),
    "Location": header("The path of the created resource."),
    "X-Total-Count": header("How many items match, on all pages.",
                            {"type": "integer", "minimum": 0}),
    "Link": header('RFC 8288 links to the first, prev, next and last pages: '
                   '`</api/v1/entries?page=2&per_page=25>; rel="next"`.'),
    "Retry-After": header("Seconds to wait before trying again.",
                          {"type": "integer", "minimum": 0}),
    "WWW-Authenticate": header("The accepted authentication scheme."),
    "Cache-Control": header("How long and by whom the response may be cached."),
    "X-Content-Type-Options": header("`nosniff`: the declared type is the only one."),
}


def header_refs(*names: str) -> Spec:
    """References to reusable response headers."""
    return {name: {"$ref": f"#/components/headers/{name}"} for name in names}


def problem_responses(*statuses: int) -> dict[str, Spec]:
    """Problem+json responses for ``statuses`` (and the 500/503 every operation can meet)."""
    return {str(status): {"$ref": f"#/components/responses/Problem{status}"}
            for status in sorted({*statuses, *ALWAYS})}


def problem_component(status: int) -> Spec:
    """The reusable response of one problem status."""
    response: Spec = {"description": PROBLEM_TEXT[status],
                      "content": {PROBLEM_JSON: {"schema": ref("Problem")}}}
    if status in RETRY_HEADERS:
        response["headers"] = header_refs("Retry-After")
    if status == 401:
        response["headers"] = header_refs("WWW-Authenticate")
    return response


def json_body(schema_name: str, *, required: bool = True, description: str = "",
              merge_patch: bool = False) -> Spec:
    """A JSON request body of a named schema (also as merge-patch+json for PATCH)."""
    media = ("application/json", "application/merge-patch+json")[: 2 if merge_patch else 1]
    body: Spec = {"required": required,
                  "content": {name: {"schema": ref(schema_name)} for name in media}}
    if description:
        body["description"] = description
    return body


def ok(description: str, schema_name: str, *, status: int = 200, headers: tuple = (),
       links: dict | None = None) -> dict[str, Spec]:
    """A JSON success response of a named schema."""
    response: Spec = {"description": description,
                      "content": {"application/json": {"schema": ref(schema_name)}}}
    if headers:
        response["headers"] = header_refs(*headers)
    if links:
        response["links"] = links
    return {str(status): response}


def paged(schema_name: str, description: str, *, etag: bool = False) -> dict[str, Spec]:
    """A 200 page: ``{_items, _meta, _links}`` with X-Total-Count and Link headers."""
    schema = {
        "type": "object",
        "additionalProperties": False,
        "required": ["_items", "_meta", "_links"],
        "properties": {
            "_items": {"type": "array", "items": ref(schema_name)},
            "_meta": ref("PageMeta"),
            "_links": ref("PageLinks"),
        },
    }
    headers = ("X-Total-Count", "Link", *(("ETag",) if etag else ()))
    return {"200": {"description": description, "headers": header_refs(*headers),
                    "content": {"application/json": {"schema": schema}}}}


def no_content(description: str) -> dict[str, Spec]:
    """A 204 response."""
    return {"204": {"description": description}}


NOT_MODIFIED = {"304": {"description": "Not modified: If-None-Match has the current ETag.",
                        "headers": header_refs("ETag")}}


def param(name: str) -> Spec:
    """A reference to a reusable parameter."""
    return {"$ref": f"#/components/parameters/{name}"}


def operation(op_id: str, summary: str, tag: str, responses: dict, *,
              parameters: list | None = None, body: Spec | None = None,
              secured: bool | list = False, description: str = "") -> Spec:
    """One operation; ``secured`` adds the Basic/Bearer requirement (or the list given)."""
    spec: Spec = {"operationId": op_id, "summary": summary, "tags": [tag],
                  "responses": dict(sorted(responses.items()))}
    if description:
        spec["description"] = description
    if parameters:
        spec["parameters"] = parameters
    if body:
        spec["requestBody"] = body
    if secured:
        spec["security"] = AUTH if secured is True else secured
    return spec


def create(op_id: str, summary: str, tag: str, answer: str, schema_name: str,
           links: dict, **options: Any) -> Spec:
    """A POST that makes a new ``schema_name`` from a ``{schema_name}Create`` body: 201 with
    its Location and ETag (``answer`` describes it), or a refused body, a write refused, a
    taken name (409)."""
    return operation(op_id, summary, tag,
                     {**ok(answer, schema_name, status=201, headers=("Location", "ETag"),
                           links=links),
                      **problem_responses(*BODY_ERRORS, *EDIT_ERRORS, 409)},
                     body=json_body(f"{schema_name}Create"), secured=True, **options)


def conditional_get(op_id: str, summary: str, tag: str, success: dict, *errors: int,
                    parameters: tuple = (), **options: Any) -> Spec:
    """A GET answered with a strong ETag, and a 304 when ``If-None-Match`` holds it
    (:func:`app.api.http.conditional`): ``success`` and the problems of ``errors``."""
    return operation(op_id, summary, tag,
                     {**success, **NOT_MODIFIED, **problem_responses(*errors)},
                     parameters=[*parameters, IF_NONE_MATCH], **options)


#: Keyword names of :func:`link` that stand for conditional request headers.
LINK_HEADERS = {"if_match": "header.If-Match", "if_none_match": "header.If-None-Match"}


def link(op_id: str, description: str, **parameters: str) -> Spec:
    """An OpenAPI link to ``op_id``; ``if_match`` / ``if_none_match`` are sent as the
    If-Match / If-None-Match headers, other names are path parameters."""
    named = {LINK_HEADERS.get(name, name): value for name, value in parameters.items()}
    return {"operationId": op_id, "parameters": named, "description": description}


def read_link(op_id: str, kind: str, ident: dict[str, str]) -> Spec:
    """A link to reading ``kind`` again with its ETag as If-None-Match: 304 while unchanged."""
    return link(op_id, f"Read this {kind} (304 while its ETag is still current).", **ident,
                if_none_match="$response.header.ETag")


def crud_links(prefix: str, kind: str, ident: dict[str, str], *, get: str,
               writes: tuple[str, ...]) -> dict[str, Spec]:
    """Links from a response carrying ``kind`` to reading it and to its guarded writes."""
    found = {f"Get{prefix}": read_link(get, kind, ident)}
    for op_id in writes:
        name = op_id[0].upper() + op_id[1:]
        found[name] = link(op_id, f"{name} with this {kind}'s ETag as If-Match.",
                           **ident, if_match="$response.header.ETag")
    return found


# ----------------------------------------------------------------------------- parameters

OPERATOR_TEXT = ", ".join(f"`{name}`" for name in OPERATORS)

FILTER_DESCRIPTION = f"""\
Filters with PostgREST's operators: `FIELD=OPERATOR.VALUE`, or `FIELD=VALUE` for equality (no
`not.` prefix, no `or=` groups: use `neq`/`nin`); every
filter must hold (repeat a field to give it several; at most {MAX_FILTERS} filters in one
query). Fields: {", ".join(FIELDS)} and
`attr.<key>` for any defined attribute. Operators: {OPERATOR_TEXT}.

* `eq neq gt gte lt lte` compare with one value, converted by the field's type: numbers
  in the definition's canonical unit or with a unit (`attr.weight=lt.0.2kg`), dates and
  `updated_at` as ISO 8601, booleans as true/false.
* `in.(a,b)` / `nin.(a,b)`: one of (none of) a list of at most {MAX_LIST_ITEMS} items; put
  items holding commas, parentheses or quotes in double quotes: `in.("a,b",c)`.
* `is.null` (the value is absent); booleans also take `is.true` / `is.false`.
* `like` / `ilike` (case-insensitive) match the whole value, `*` standing for any text:
  `title=ilike.*pro*`.
* `cs.(a,b)` a list attribute contains all of the items; `ov.(a,b)` it has any of them.

Which operators fit a field depends on its type (text, ordered, boolean, list). An
unknown field, an operator that does not fit, a value that does not fit the type, or
more than {MAX_FILTERS} filters is a 400 whose `errors` names the parameter."""


def query_param(name: str, description: str, schema: Spec, **extra: Any) -> Spec:
    """A query parameter (``example=None`` leaves the example out)."""
    extra = {key: value for key, value in extra.items() if value is not None}
    return {"name": name, "in": "query", "description": description, "schema": schema, **extra}


FILTER_EXAMPLES = {"title": "ilike.*pro*", "slug": "in.(pixel-8,iphone-15)",
                   "category": "phones", "created_by": "alice", "updated_at": "gte.2024-01-01"}


FILTER_PARAMETERS = [
    query_param("q", f"Words searched in the title and summary (word prefixes; at most "
                     f"{MAX_Q} characters).", {"type": "string", "maxLength": MAX_Q}),
    query_param("sort", f"Up to {MAX_SORT_KEYS} comma-separated fields, `-` for descending: "
                        "title, slug, category, created_by, updated_at or attr.<key>, like "
                        "`-attr.price,title`. Default: title.", {"type": "string"}),
    query_param("fields", "Comma-separated representation fields to return (id and _links "
                          f"always): {', '.join(REPRESENTATION_FIELDS)}.",
                {"type": "string"}, example="title,attributes"),
    *(query_param(name, f"Filter on {name} ({kind}); see the operation's description.",
                  {"type": "string"}, example=FILTER_EXAMPLES.get(name))
      for name, kind in FIELDS.items()),
    query_param("attributes", "Filters on attributes, one query parameter per filter: "
                              "`attr.<key>=OPERATOR.VALUE`.",
                {"type": "object", "additionalProperties": False, "maxProperties": MAX_FILTERS,
                 "patternProperties": {r"^attr\.[a-z0-9_]{1,40}$": {"type": "string"}}},
                style="form", explode=True, example={"attr.weight": "lt.200"}),
]

PARAMETERS: dict[str, Spec] = {
    "ident": {"name": "ident", "in": "path", "required": True,
              "description": "The entry's id (24 hex digits) or slug.",
              "schema": {"type": "string", "minLength": 1}, "example": "pixel-8"},
    "key": {"name": "key", "in": "path", "required": True, "description": "An attribute key.",
            "schema": {"type": "string", "pattern": "^[a-z0-9_]{1,40}$"}, "example": "weight"},
    "version": {"name": "version", "in": "path", "required": True,
                "description": "A version number of the entry.",
                "schema": {"type": "integer", "minimum": 1, "maximum": 1000000000},
                "example": 1},
    "slug": {"name": "slug", "in": "path", "required": True,
             "description": "The category's slug.",
             "schema": {"type": "string", "minLength": 1}, "example": "phones"},
    "user": {"name": "ident", "in": "path", "required": True,
             "description": "The user's id (24 hex digits) or username (any case).",
             "schema": {"type": "string", "minLength": 1}, "example": "alice"},
    "page": query_param("page", "The page, from 1.",
                        {"type": "integer", "minimum": 1, "maximum": 1_000_000, "default": 1}),
    "per_page": query_param("per_page", "Items per page.",
                            {"type": "integer", "minimum": 1, "maximum": 100, "default": 25}),
    "If-Match": {"name": "If-Match", "in": "header", "required": True,
                 "description": "The ETag you read: missing (or `*`) → 428, stale → 412.",
                 "schema": {"type": "string"}},
    "If-None-Match": {"name": "If-None-Match", "in": "header", "required": False,
                      "description": "The ETag you have: 304 when it is still current.",
                      "schema": {"type": "string"}},
}

PAGE = [param("page"), param("per_page")]
IDENT, KEY, USER = param("ident"), param("key"), param("user")
IF_MATCH, IF_NONE_MATCH = param("If-Match"), param("If-None-Match")


# ----------------------------------------------------------------------------- paths


def entry_paths() -> dict[str, Spec]:
    """``/entries`` and ``/entries/{ident}``."""
    entry_links = crud_links("Entry", "entry", {"ident": "$response.body#/slug"},
                             get="getEntry", writes=("updateEntry", "replaceEntry",
                                                     "deleteEntry"))
    entry_links["ListEntryAttributes"] = link("listEntryAttributes", "This entry's attributes.",
                                              ident="$response.body#/slug")
    entry_links["AddEntryAttribute"] = link(
        "addEntryAttribute", "Add an attribute to this entry, with its ETag as If-Match.",
        ident="$response.body#/slug", if_match="$response.header.ETag")
    entry_links["ListRevisions"] = link("listRevisions", "This entry's history.",
                                        ident="$response.body#/slug")
    written = ok("The entry after the change.", "Entry", headers=("ETag",), links=entry_links)
    write_errors = (*BODY_ERRORS, *EDIT_ERRORS, 404, *IF_MATCH_ERRORS)
    return {
        "/entries": {
            "get": operation(
                "listEntries", "Filter, sort and page entries", "entries",
                {**paged("EntryFields", "A page of entries."), **problem_responses(400)},
                parameters=[*PAGE, *FILTER_PARAMETERS], description=FILTER_DESCRIPTION),
            "post": create(
                "createEntry", "Create an entry with its first attributes", "entries",
                "The new entry.", "Entry", entry_links,
                description="A new attribute key is defined on first use: give its type "
                            "(and label, unit…) with the value."),
        },
        "/entries/{ident}": {
            "parameters": [IDENT],
            "get": conditional_get(
                "getEntry", "Read an entry", "entries",
                ok("The entry.", "Entry", headers=("ETag",), links=entry_links), 404),
            "patch": operation(
                "updateEntry", "Change some fields and attributes", "entries",
                {**written, **problem_responses(*write_errors)},
                parameters=[IF_MATCH], body=json_body("EntryPatch", merge_patch=True),
                secured=True,
                description="An attribute set to null is removed (404 if the entry has "
                            "none by that key)."),
            "put": operation(
                "replaceEntry", "Replace an entry's fields and attributes", "entries",
                {**written, **problem_responses(*write_errors)},
                parameters=[IF_MATCH], body=json_body("EntryReplace"), secured=True),
            "delete": operation(
                "deleteEntry", "Delete an entry (admins; its history is kept)", "entries",
                {**no_content("Deleted."),
                 **problem_responses(*AUTH_ERRORS, 403, 404, *IF_MATCH_ERRORS)},
                parameters=[IF_MATCH], secured=True),
        },
        "/entries/{ident}/restore": {
            "parameters": [{**IDENT, "description": "The deleted entry's id, or the slug it "
                                                    "had when it was deleted."}],
            "post": operation(
                "restoreEntry", "Restore a deleted entry (admins)", "entries",
                {**ok("The entry as it was before its deletion, one revision more.", "Entry",
                      status=201, headers=("Location", "ETag"), links=entry_links),
                 **problem_responses(*BODY_ERRORS, *AUTH_ERRORS, 403, 404, 409)},
                body=json_body("RestoreRequest", required=False,
                               description="An optional comment (the revision's)."),
                secured=True,
                description="It keeps its id and history and gets its old slug back, or the "
                            "next free one if another entry took it (see `Location`). No "
                            "If-Match: a deleted entry has no ETag. 404: no deleted entry "
                            "had this address; 409: the entry is not deleted (a live entry "
                            "has the address), or its category is gone."),
        },
    }


def attribute_paths() -> dict[str, Spec]:
    """``/entries/{ident}/attributes[/{key}]``: an entry's values."""
    ident = {"ident": "$request.path.ident", "key": "$response.body#/key"}
    value_links = crud_links("EntryAttribute", "attribute", ident, get="getEntryAttribute",
                             writes=("setEntryAttribute", "deleteEntryAttribute"))
    created = ok("The attribute was added.", "Attribute", status=201,
                 headers=("Location", "ETag"), links=value_links)
    write_errors = (*BODY_ERRORS, *EDIT_ERRORS, 404)
    return {
        "/entries/{ident}/attributes": {
            "parameters": [IDENT],
            "get": conditional_get(
                "listEntryAttributes", "An entry's attributes in page order", "attributes",
                paged("Attribute", "A page of the entry's attributes (ETag: the entry's).",
                      etag=True), 400, 404, parameters=PAGE),
            "post": operation(
                "addEntryAttribute", "Add an attribute the entry does not have", "attributes",
                {**created, **problem_responses(*write_errors, 409, *IF_MATCH_ERRORS)},
                parameters=[{**PARAMETERS["If-Match"], "required": False,
                             "description": "Optional here: when sent it must be the entry's "
                                            "current ETag (stale → 412, `*` → 428)."}],
                body=json_body("AttributeCreate"), secured=True,
                description="An attribute the entry has already is a 409 (use PUT)."),
        },
        "/entries/{ident}/attributes/{key}": {
            "parameters": [IDENT, KEY],
            "get": conditional_get(
                "getEntryAttribute", "One attribute of an entry", "attributes",
                ok("The value with its label, type and text (ETag: the entry's).",
                   "Attribute", headers=("ETag",), links=value_links), 404),
            "put": operation(
                "setEntryAttribute", "Set an attribute's value", "attributes",
                {**ok("The value was changed.", "Attribute", headers=("ETag",),
                      links=value_links),
                 **ok("The attribute was added.", "Attribute", status=201,
                      headers=("Location", "ETag"), links=value_links),
                 **problem_responses(*write_errors, *IF_MATCH_ERRORS)},
                parameters=[IF_MATCH], body=json_body("AttributeSet"), secured=True,
                description="If-Match takes the entry's ETag."),
            "delete": operation(
                "deleteEntryAttribute", "Remove an attribute from an entry", "attributes",
                {**no_content("Removed."),
                 **problem_responses(*EDIT_ERRORS, 404, *IF_MATCH_ERRORS)},
                parameters=[IF_MATCH], secured=True, description="If-Match takes the "
                                                                 "entry's ETag."),
        },
    }


def revision_paths() -> dict[str, Spec]:
    """``/entries/{ident}/revisions``: history, one version, diff, revert."""
    versions = [query_param(name, f"The version to diff {name}.",
                            {"type": "integer", "minimum": 1}, required=True)
                for name in ("from", "to")]
    return {
        "/entries/{ident}/revisions": {
            "parameters": [IDENT],
            "get": operation(
                "listRevisions", "An entry's history, newest first", "revisions",
                {**paged("Revision", "A page of revisions."), **problem_responses(400, 404)},
                parameters=PAGE),
        },
        "/entries/{ident}/revisions/{version}": {
            "parameters": [IDENT, param("version")],
            "get": conditional_get(
                "getRevision", "One revision with its changes", "revisions",
                ok("The revision.", "Revision", headers=("ETag",)), 404),
        },
        "/entries/{ident}/revisions/diff": {
            "parameters": [IDENT],
            "get": operation(
                "diffRevisions", "The changes between two versions", "revisions",
                {**ok("The changes that turn version `from` into version `to`.", "Diff"),
                 **problem_responses(400, 404)},
                parameters=versions),
        },
        "/entries/{ident}/revisions/{version}/revert": {
            "parameters": [IDENT, param("version")],
            "post": operation(
                "revertEntry", "Bring an entry back to a version, as a new revision",
                "revisions",
                {**ok("The entry after the revert.", "Entry", headers=("ETag",)),
                 **problem_responses(*BODY_ERRORS, *EDIT_ERRORS, 404, *IF_MATCH_ERRORS)},
                parameters=[IF_MATCH], secured=True,
                body=json_body("RevertRequest", required=False,
                               description="An optional comment.")),
        },
    }


def definition_paths() -> dict[str, Spec]:
    """``/attributes[/{key}]``: the typed attribute definitions."""
    key_links = crud_links("Definition", "definition", {"key": "$response.body#/key"},
                           get="getDefinition", writes=("updateDefinition",
                                                        "deleteDefinition"))
    return {
        "/attributes": {
            "get": operation(
                "listDefinitions", "Every attribute definition (group, then order)",
                "definitions",
                {**paged("Definition", "A page of definitions."), **problem_responses(400)},
                parameters=PAGE),
            "post": create("createDefinition", "Define an attribute before first use",
                           "definitions", "The new definition.", "Definition", key_links),
        },
        "/attributes/{key}": {
            "parameters": [KEY],
            "get": conditional_get(
                "getDefinition", "One definition", "definitions",
                ok("The definition.", "Definition", headers=("ETag",), links=key_links), 404),
            "patch": operation(
                "updateDefinition", "Change a definition's labels, descriptions, section, "
                                    "order or better", "definitions",
                {**ok("The definition after the change.", "Definition", headers=("ETag",),
                      links=key_links),
                 **problem_responses(*BODY_ERRORS, *EDIT_ERRORS, 404, *IF_MATCH_ERRORS)},
                parameters=[IF_MATCH], body=json_body("DefinitionPatch", merge_patch=True),
                secured=True,
                description="The key, type and unit decide how stored values were read: "
                            "they cannot change. A section named like an existing one (its "
                            "English or Chinese name, case and punctuation folded) joins it. "
                            "`comment` is the edit summary, kept with the change."),
            "delete": operation(
                "deleteDefinition", "Delete a definition no entry uses (admins)",
                "definitions",
                {**no_content("Deleted."),
                 **problem_responses(*AUTH_ERRORS, 403, 404, 409, *IF_MATCH_ERRORS)},
                parameters=[IF_MATCH], secured=True),
        },
    }


def category_paths() -> dict[str, Spec]:
    """``/categories[/{slug}]`` and ``/categories/{slug}/merge``."""
    slug = {"slug": "$response.body#/slug"}
    # A merge removes the category it is sent to, so it is linked from reads only: a
    # client (or a fuzzer) that just made a category reads it before it merges it away.
    created_links = crud_links("Category", "category", slug, get="getCategory",
                               writes=("updateCategory", "deleteCategory"))
    category_links = crud_links("Category", "category", slug, get="getCategory",
                                writes=("updateCategory", "deleteCategory", "mergeCategory"))
    category_ok = ok("The category.", "Category", headers=("ETag",), links=category_links)
    return {
        "/categories": {
            "get": operation(
                "listCategories", "Every category with its entry count", "categories",
                {**paged("Category", "A page of categories."), **problem_responses(400)},
                parameters=PAGE),
            "post": create(
                "createCategory", "Create a category (any editor)", "categories",
                "The new category.", "Category", created_links,
                description="The slug comes from the name when it is left out; a parent and "
                            "suggested attribute keys must exist."),
        },
        "/categories/{slug}": {
            "parameters": [param("slug")],
            "get": conditional_get("getCategory", "One category", "categories", category_ok,
                                   404),
            "patch": operation(
                "updateCategory", "Change a category's fields", "categories",
                {**category_ok,
                 **problem_responses(*BODY_ERRORS, *AUTH_ERRORS, 403, 404, *IF_MATCH_ERRORS)},
                parameters=[IF_MATCH], body=json_body("CategoryPatch", merge_patch=True),
                secured=True,
                description="Editors change the descriptions and suggested attributes; "
                            "renaming (name, name_zh) and moving (parent) are for admins "
                            "(403). The slug never changes: merge instead."),
            "delete": operation(
                "deleteCategory", "Delete an empty category (admins)", "categories",
                {**no_content("Deleted."),
                 **problem_responses(*AUTH_ERRORS, 403, 404, 409, *IF_MATCH_ERRORS)},
                parameters=[IF_MATCH], secured=True,
                description="A category that still holds entries or subcategories is a 409: "
                            "merge it into another instead."),
        },
        "/categories/{slug}/merge": {
            "parameters": [param("slug")],
            "post": operation(
                "mergeCategory", "Merge a category into another (admins)", "categories",
                {**ok("The category merged into, after the merge.", "Category",
                      headers=("ETag",)),
                 **problem_responses(*BODY_ERRORS, *AUTH_ERRORS, 403, 404, *IF_MATCH_ERRORS)},
                parameters=[IF_MATCH], body=json_body("CategoryMerge"), secured=True,
                description="Every entry moves into `into` as an edit of its own (its history "
                            "kept), subcategories and suggested attributes move too, then "
                            "this category is deleted. If-Match takes this category's ETag."),
        },
    }


def browse_paths() -> dict[str, Spec]:
    """``/compare`` and ``/openapi.json``."""
    flag = "^([Tt][Rr][Uu][Ee]|[Yy][Ee][Ss]|1|[Ff][Aa][Ll][Ss][Ee]|[Nn][Oo]|0)$"
    return {
        "/compare": {"get": conditional_get(
            "compareEntries", "Aligned rows of 2–6 entries", "compare",
            ok("Rows in the canonical order of the entries, grouped by section, with "
               "differences and winners.", "Comparison", headers=("ETag",)), 400, 404,
            parameters=(
                query_param("entries", "2 to 6 entry slugs (or ids), comma-separated.",
                            {"type": "string", "minLength": 1}, required=True,
                            example="iphone-15,pixel-8"),
                query_param("only_differences", "Only rows whose values differ "
                                                "(true/false, yes/no, 1/0).",
                            {"type": "string", "pattern": flag}),
                query_param("units", "The unit system numbers are shown in: default (each "
                                     "attribute's own unit), metric or imperial. Currencies "
                                     "are never converted.",
                            {"type": "string", "enum": list(SYSTEMS)}),
            ),
            description="Other query parameters are refused (400).")},
        "/openapi.json": {"get": operation(
            "getOpenApi", "This document", "meta",
            {"200": {"description": "The OpenAPI 3.1 description of the API.",
                     "content": {"application/json": {"schema": {"type": "object"}}}},
             **problem_responses()})},
    }


def user_paths() -> dict[str, Spec]:
    """``/users[/{ident}]`` and ``/users/{ident}/avatar``."""
    ident = {"ident": "$response.body#/username"}
    user_links = {
        "GetUser": read_link("getUser", "user", ident),
        "UpdateUser": link("updateUser", "Change this user.", **ident),
        "DeleteUser": link("deleteUser", "Delete this user.", **ident),
        "PutAvatar": link("putAvatar", "Upload this user's avatar.", **ident),
        "GetAvatar": link("getAvatar", "This user's avatar.", **ident),
        "DeleteAvatar": link("deleteAvatar", "Remove this user's avatar.", **ident),
    }
    image = {"schema": {"type": "string", "format": "binary"}}
    upload_types = ("image/png", "image/jpeg", "image/gif", "image/webp",
                    "application/octet-stream")
    upload = {"required": True, "description": "PNG, JPEG, GIF or WebP, decided by its bytes; "
                                                "at most 2 MiB. Stored re-encoded.",
              "content": {
                  "multipart/form-data": {"schema": {
                      "type": "object", "required": ["file"],
                      "properties": {"file": {"type": "string", "format": "binary"}}}},
                  **{media: image for media in upload_types}}}
    user_ok = ok("The profile (email, its confirmation and last seen for the user and "
                 "admins).", "User",
                 headers=("ETag",), links=user_links)
    return {
        "/users": {
            "get": operation("listUsers", "Public profiles by name", "users",
                             {**paged("User", "A page of users."), **problem_responses(400)},
                             parameters=PAGE),
            "post": operation(
                "registerUser", "Register an account", "users",
                {**ok("The new account (the password is never echoed).", "User", status=201,
                      headers=("Location", "ETag"), links=user_links),
                 **problem_responses(*BODY_ERRORS, 409, 429)},
                body=json_body("UserRegister")),
        },
        "/users/{ident}": {
            "parameters": [USER],
            "get": conditional_get(
                "getUser", "A user's profile", "users", user_ok, 404, 429,
                secured=[{}, *AUTH],
                description="Authenticated as the user or an admin, the email, whether it "
                            "is confirmed, a new address waiting for confirmation and the "
                            "last seen time are included."),
            "patch": operation(
                "updateUser", "Change your profile, email or password", "users",
                {**user_ok, **problem_responses(*BODY_ERRORS, *AUTH_ERRORS, 403, 404, 409)},
                body=json_body("UserPatch", merge_patch=True), secured=True,
                description="Users change their own account; admins also change `role`. "
                            "A new password needs `current_password` and revokes every "
                            "older session and token. A new `email` waits in "
                            "`pending_email` until the link mailed to it is followed."),
            "delete": operation(
                "deleteUser", "Delete an account (the user or an admin)", "users",
                {**no_content("Deleted; their edits stay in the history."),
                 **problem_responses(*AUTH_ERRORS, 403, 404, 409)},
                secured=True),
        },
        "/users/{ident}/avatar": {
            "parameters": [USER],
            "get": conditional_get(
                "getAvatar", "A user's avatar image", "users",
                {"200": {"description": "The image (cached, nosniff).",
                         "headers": header_refs("ETag", "Cache-Control",
                                                "X-Content-Type-Options"),
                         "content": {f"image/{kind}": image
                                     for kind in ("png", "jpeg", "gif", "webp")}}},
                404),
            "put": operation(
                "putAvatar", "Upload a new avatar", "users",
                {**ok("The profile with its new avatar.", "User", headers=("ETag",)),
                 **problem_responses(*BODY_ERRORS, *AUTH_ERRORS, 403, 404)},
                body=upload, secured=True,
                description="A multipart `file` field or the raw image as the body."),
            "delete": operation(
                "deleteAvatar", "Remove the avatar", "users",
                {**no_content("Removed."), **problem_responses(*AUTH_ERRORS, 403, 404)},
                secured=True),
        },
    }


def admin_paths() -> dict[str, Spec]:
    """``/admin/…``: accounts, entry protection, rollback and the audit log (admins)."""
    user_ok = ok("The account as administrators see it.", "AdminUser")
    write = {**user_ok, **problem_responses(*BODY_ERRORS, *AUTH_ERRORS, 404, 409)}
    admin_user = param("user")
    return {
        "/admin/users": {
            "get": operation(
                "adminListUsers", "Accounts, searched by name or e-mail prefix", "admin",
                {**paged("AdminUser", "A page of accounts by name."),
                 **problem_responses(400, *AUTH_ERRORS)},
                parameters=[query_param("q", "Name or e-mail address prefix (any case); "
                                             "empty: every account.",
                                        {"type": "string", "maxLength": 254}), *PAGE],
                secured=True),
        },
        "/admin/users/{ident}": {
            "parameters": [admin_user],
            "get": conditional_get(
                "adminGetUser", "An account as administrators see it", "admin",
                ok("The account.", "AdminUser", headers=("ETag",)), *AUTH_ERRORS, 404,
                secured=True),
        },
        "/admin/users/{ident}/block": {
            "parameters": [admin_user],
            "post": operation(
                "adminBlockUser", "Block an account", "admin", write,
                body=json_body("AdminBlock"), secured=True,
                description="It cannot log in or write; its sessions and tokens stop "
                            "working at their next request (Basic and Bearer answer 403 "
                            "naming the reason). 409: your own account, or the last "
                            "active admin."),
        },
        "/admin/users/{ident}/unblock": {
            "parameters": [admin_user],
            "post": operation(
                "adminUnblockUser", "Let a blocked account log in again", "admin", write,
                body=json_body("AdminReason", required=False), secured=True,
                description="409 when it is not blocked."),
        },
        "/admin/users/{ident}/role": {
            "parameters": [admin_user],
            "put": operation(
                "adminSetRole", "Grant or revoke the admin role", "admin", write,
                body=json_body("AdminRole"), secured=True,
                description="409 when it would leave no active admin."),
        },
        "/admin/users/{ident}/confirm": {
            "parameters": [admin_user],
            "post": operation(
                "adminConfirmUser", "Confirm an account's e-mail address by hand", "admin",
                {**user_ok, **problem_responses(*BODY_ERRORS, *AUTH_ERRORS, 404)},
                body=json_body("AdminReason", required=False), secured=True),
        },
        "/admin/users/{ident}/rollback": {
            "parameters": [admin_user],
            "post": operation(
                "adminRollbackUser", "Roll back every edit an account made since a time",
                "admin",
                {**ok("What changed, or with dry_run what would.", "RollbackReport"),
                 **problem_responses(*BODY_ERRORS, *AUTH_ERRORS, 404, 412)},
                body=json_body("AdminRollback"), secured=True,
                description="Each entry the account changed goes back to its earlier values "
                            "as one revert revision (keys others changed later stay); an "
                            "entry it created and nobody else changed is deleted. At most "
                            "500 entries (else 400: roll back from a later time first)."),
        },
        "/admin/entries/{ident}/protection": {
            "parameters": [IDENT],
            "put": operation(
                "adminSetProtection", "Protect an entry (only admins change it) or not",
                "admin",
                {**ok("The entry; `protected` says how it is now.", "Entry",
                      headers=("ETag",)),
                 **problem_responses(*BODY_ERRORS, *AUTH_ERRORS, 404)},
                body=json_body("AdminProtection"), secured=True),
        },
        "/admin/audit-log": {
            "get": operation(
                "adminAuditLog", "The audit log, newest first", "admin",
                {**paged("AuditRecord", "A page of audit records: who, what, when, why."),
                 **problem_responses(400, *AUTH_ERRORS)},
                parameters=PAGE, secured=True),
        },
    }


def token_paths() -> dict[str, Spec]:
    """``/tokens``: Basic credentials for a Bearer token; revoke it."""
    revoke = {"RevokeToken": {"operationId": "revokeToken",
                              "description": "Revoke it: DELETE /tokens with "
                                             "`Authorization: Bearer <token>`."}}
    return {"/tokens": {
        "post": operation(
            "createToken", "Trade Basic credentials for a Bearer token", "tokens",
            {**ok("A new token and when it expires (never cached).", "Token", status=201,
                  headers=("Cache-Control",), links=revoke),
             **problem_responses(400, *AUTH_ERRORS)},
            secured=[{"basicAuth": []}],
            description="Query parameters are refused (400). Limited per client address."),
        "delete": operation(
            "revokeToken", "Revoke the Bearer token this request carries", "tokens",
            {**no_content("Revoked."), **problem_responses(401, 403)},
            secured=[{"bearerAuth": []}]),
    }}


# ----------------------------------------------------------------------------- document

DESCRIPTION = """\
The REST API of pkyx, a comparison wiki. Reads are public; writes need
`Authorization: Basic` (username or email and password) or `Authorization: Bearer` with a
token from `POST /tokens`. Bodies are JSON objects: unknown or read-only fields are
refused with 400. Errors are RFC 9457 `application/problem+json`. Lists are pages
(`page`, `per_page` up to 100) with `X-Total-Count` and `Link` headers. Single resources
carry a strong `ETag`; writes to entries, their attributes and definitions need it back
in `If-Match` (missing → 428, stale → 412), so nobody overwrites a change unseen.

A human-readable view of this document is served at `/api/docs`."""


def build_document() -> dict:
    """The OpenAPI 3.1 document of every operation under ``/api/v1``."""
    paths: dict[str, Spec] = {}
    for part in (entry_paths, attribute_paths, revision_paths, definition_paths,
                 category_paths, browse_paths, user_paths, token_paths, admin_paths):
        paths.update(part())
    return {
        "openapi": "3.1.0",
        "info": {"title": "pkyx API", "version": "1", "description": DESCRIPTION},
        "servers": [{"url": "/api/v1"}],
        "tags": [{"name": name} for name in ("entries", "attributes", "revisions",
                                              "definitions", "categories", "compare",
                                              "users", "tokens", "admin", "meta")],
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "parameters": PARAMETERS,
            "headers": HEADERS,
            "responses": {f"Problem{status}": problem_component(status)
                          for status in PROBLEM_TEXT},
            "securitySchemes": {
                "basicAuth": {"type": "http", "scheme": "basic",
                              "description": "Username or email, and password."},
                "bearerAuth": {"type": "http", "scheme": "bearer",
                               "description": "A token from POST /tokens."},
            },
        },
    }
