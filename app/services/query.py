"""The query-string filter language of ``GET /api/v1/entries`` (``../shared/SPEC.md``, §3
"REST API"): PostgREST's ``field=op.value`` operators, pkyx's own ``sort``, ``fields``
and ``q`` (README.md, "How the filters differ from PostgREST").

It lives among the services, below the API, because pages use it too (a category's spec
table filters in the same language); :mod:`app.api.query` re-exports it.

``parse_query(request.args, definitions)`` turns ``?attr.weight=lt.0.2kg&sort=-attr.price``
into a :class:`Query` of neutral clauses (:mod:`app.domain.clauses`): a field, an
operator and a value typed by the field's type, which the entry repository turns into
a MongoDB filter (:func:`app.repositories.filters.mongo_query`). Fields and operators
come only from the tables below; client text only ever becomes a *value* (converted by
the field's type) or a ``like`` pattern the repository escapes and anchors. Every
problem is collected and reported per parameter in one :class:`QueryError`.

Example::

    >>> parse_query(MultiDict([("attr.weight", "lt.0.2kg")]), {"weight": weight}).clauses
    (Clause(field=('attr', 'weight', 'n'), operator='lt', value=200.0),)
"""

from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from werkzeug.datastructures import MultiDict

from ..domain.clauses import KEYWORDS, Clause, Field, attribute_field
from ..domain.definitions import KEY_PATTERN, Definition
from ..domain.entries import search_words
from ..domain.errors import InvalidValue
from ..domain.messages import M_, Message, text
from ..domain.paging import read_paging
from ..domain.text import forbidden, quote
from ..domain.types import TYPES, mongo_path, parse_filter_value

__all__ = ["FIELDS", "MAX_FILTERS", "MAX_LIST_ITEMS", "MAX_Q", "MAX_SORT_KEYS", "MAX_VALUE",
           "OPERATORS", "REPRESENTATION_FIELDS", "RESERVED", "Query", "QueryError",
           "parse_query"]

RESERVED = ("page", "per_page", "sort", "fields", "q")
FIELDS: dict[str, str] = {"title": "text", "slug": "text", "category": "text",
                          "created_by": "text", "updated_at": "datetime"}
ATTR = "attr."
OPERATORS = ("eq", "neq", "gt", "gte", "lt", "lte", "in", "nin", "is", "like", "ilike", "cs",
             "ov")
REPRESENTATION_FIELDS = ("id", "slug", "title", "category", "summary", "attributes", "version",
                         "protected", "created_at", "created_by", "created_by_id", "updated_at",
                         "updated_by", "updated_by_id")

#: Each field kind (a type name, or "datetime") belongs to a family of operators.
FAMILIES = {**{name: kind.family for name, kind in TYPES.items()}, "datetime": "ordered"}
FAMILY_OPERATORS = {
    "ordered": ("eq", "neq", "gt", "gte", "lt", "lte", "in", "nin", "is"),
    "boolean": ("eq", "neq", "is"),
    "text": ("eq", "neq", "in", "nin", "like", "ilike", "is"),
    "list": ("eq", "neq", "in", "nin", "cs", "ov", "like", "ilike", "is"),
}
IS_VALUES = {"boolean": {"null": None, "true": True, "false": False}}
#: Operator words of PostgREST and MongoDB that pkyx does not take: refused by name
#: rather than read as part of an ``eq`` value.
FOREIGN_OPERATORS = frozenset({"not", "match", "imatch", "fts", "plfts", "phfts", "wfts", "cd",
                               "sl", "sr", "nxl", "nxr", "adj", "isdistinct", "ne", "regex",
                               "exists", "where", "expr"})
OPERATOR_WORD = re.compile(r"\$?[A-Za-z_][A-Za-z0-9_]*")

MAX_SORT_KEYS, MAX_LIST_ITEMS, MAX_Q, MAX_VALUE = 5, 100, 200, 4096
#: Filter parameters one query may carry: each is a test of every candidate entry, so a
#: query of hundreds (4 KB of ``title=like.*``) held a worker for seconds (issue 17).
MAX_FILTERS = 10
LIST_ITEM = re.compile(
    r'\s*(?:"(?P<quoted>(?:[^"\\]|\\.)*)"|(?P<plain>[^,"()]*))\s*(?P<end>,|\Z)', re.S
)


class QueryError(Exception):
    """A query string that cannot be used; .errors maps the parameter to a sentence."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(" ".join(errors.values()))
        self.errors = errors


class _Problem(Exception):
    """One thing wrong with one parameter (collected into a QueryError): ``message`` is
    its ``Message`` read in the request's language (the query is parsed in the request)."""

    def __init__(self, message: Message | str):
        self.message = text(message)
        super().__init__(self.message)


@dataclass(frozen=True)
class Query:
    """A parsed query string: neutral clauses (all must hold) and sort keys, the fields to
    show, a page. The repository adds the ``_id`` tie-break to the sort."""

    clauses: tuple[Clause, ...]
    sort: tuple[tuple[Field, int], ...]
    fields: tuple[str, ...] | None
    page: int
    per_page: int

    @property
    def skip(self) -> int:
        """How many matching entries come before this page."""
        return (self.page - 1) * self.per_page


@dataclass(frozen=True)
class _Field:
    """A filterable field: the name the client used, its neutral field, kind and converter."""

    name: str
    field: Field
    kind: str
    convert: Callable[[str], Any]

    @property
    def family(self) -> str:
        """Which operators fit: "ordered", "boolean", "text" or "list"."""
        return FAMILIES[self.kind]


# ----------------------------------------------------------------------------- entry point


def parse_query(args: Any, definitions: Mapping[str, Definition]) -> Query:
    """The Query of a request's arguments; raises QueryError naming every bad parameter."""
    args = args if hasattr(args, "getlist") else MultiDict(args)
    errors: dict[str, str] = {}
    reserved = _reserved(args, errors)
    clauses = _filter_clauses(args, definitions, errors)
    clauses += _attempt(errors, "q", _search_clauses, reserved.get("q", "")) or []
    sort = _attempt(errors, "sort", _parse_sort, reserved.get("sort"), definitions)
    fields = _attempt(errors, "fields", _parse_fields, reserved.get("fields"))
    page, per_page, problems = read_paging(reserved.get("page"), reserved.get("per_page"))
    for name, rule in problems.items():
        _note(errors, name, f"{rule}; {quote(reserved[name])} is not.")
    if errors:
        raise QueryError(errors)
    return Query(tuple(clauses), sort, fields, page, per_page)


def _reserved(args: MultiDict, errors: dict[str, str]) -> dict[str, str]:
    """The reserved parameters given (page, sort…), each at most once."""
    reserved = {}
    for name in RESERVED:
        values = args.getlist(name)
        if len(values) > 1:
            _note(errors, name, f"Give {name} once; it was given {len(values)} times.")
        elif values:
            reserved[name] = values[0]
    return reserved


def _filter_clauses(args: MultiDict, definitions: Mapping[str, Definition],
                    errors: dict[str, str]) -> list[Clause]:
    """One clause per filter parameter, in the order given; problems go to ``errors``.

    More than :data:`MAX_FILTERS` filters are refused before any is read, the problem
    noted against the first parameter past the limit.
    """
    given = [name for name in args.keys() if name not in RESERVED for _ in args.getlist(name)]
    if len(given) > MAX_FILTERS:
        _note(errors, given[MAX_FILTERS], f"A query may have at most {MAX_FILTERS} filters; "
                                          f"this one has {len(given)}.")
        return []
    clauses = []
    for name in args.keys():
        if name in RESERVED:
            continue
        for value in args.getlist(name):
            clause = _attempt(errors, name, _filter_clause, name, value, definitions)
            if clause is not None:
                clauses.append(clause)
    return clauses


def _attempt(errors: dict[str, str], name: str, parse: Callable, *args: Any) -> Any:
    """``parse(*args)``, or None with its problem noted against the parameter ``name``."""
    try:
        return parse(*args)
    except _Problem as problem:
        _note(errors, name, problem.message)
        return None


def _note(errors: dict[str, str], name: str, message: str) -> None:
    """Add a sentence to the parameter's error (a parameter may have several problems)."""
    errors[name] = f"{errors[name]} {message}" if name in errors else message


# ----------------------------------------------------------------------------- fields


def _field(name: str, definitions: Mapping[str, Definition], role: str = "filterable") -> _Field:
    """The allowlisted field a parameter name means (matched exactly), or a problem."""
    if name in FIELDS:
        convert = _timestamp if FIELDS[name] == "datetime" else _plain_text
        return _Field(name, name, FIELDS[name], convert)
    if name.startswith(ATTR):
        definition = _definition(name.removeprefix(ATTR), definitions)
        field = attribute_field(definition.key, mongo_path(definition))
        return _Field(name, field, definition.type, _attribute_converter(definition))
    raise _Problem(
        M_("Unknown field %(name)s; %(role)s fields are %(fields)s and attr.<key>.%(suggestion)s")
        % {"name": quote(name), "fields": ", ".join(FIELDS),
           "role": M_("sortable") if role == "sortable" else M_("filterable"),
           "suggestion": _suggest(name, list(FIELDS), definitions)}
    )


def _definition(key: str, definitions: Mapping[str, Definition]) -> Definition:
    """The definition of an attribute key, or a problem naming the key."""
    definition = definitions.get(key) if KEY_PATTERN.fullmatch(key) else None
    if definition is None or definition.key != key:
        raise _Problem(
            M_("No attribute %(key)s is defined; GET /api/v1/attributes lists them.%(suggestion)s")
            % {"key": quote(key), "suggestion": _suggest(ATTR + key, [], definitions)}
        )
    return definition


def _suggest(name: str, fixed: list[str],
             definitions: Mapping[str, Definition]) -> Message | str:
    """ ' Did you mean "attr.weight"?' when a known name is close, else ""."""
    known = fixed + [ATTR + key for key in definitions]
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.75)
    return M_(' Did you mean "%(name)s"?') % {"name": close[0]} if close else ""


def _attribute_converter(definition: Definition) -> Callable[[str], Any]:
    """Convert an operand by the definition's type, turning a refusal into a problem."""

    def convert(raw: str) -> Any:
        try:
            return parse_filter_value(definition, raw)
        except InvalidValue as exc:
            raise _Problem(exc.said) from None

    return convert


def _plain_text(raw: str) -> str:
    """A text operand as given, without surrounding spaces."""
    return raw.strip()


def _timestamp(raw: str) -> datetime.datetime:
    """An ISO 8601 date or date-time as an aware UTC datetime (naive means UTC)."""
    text = raw.strip()
    try:
        moment = datetime.datetime.fromisoformat(text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=datetime.UTC)
        return moment.astimezone(datetime.UTC)
    except (ValueError, OverflowError):
        raise _Problem(
            M_('updated_at must be an ISO 8601 date or time, like "2024-05-01" or '
               '"2024-05-01T12:00:00Z"; %(given)s is not.') % {"given": quote(text)}
        ) from None


# ----------------------------------------------------------------------------- filters


def _filter_clause(name: str, raw: str, definitions: Mapping[str, Definition]) -> Clause:
    """The clause of one ``FIELD=OP.VALUE`` parameter."""
    field = _field(name, definitions)
    operator, operand = _split_operator(raw, field)
    if operator not in FAMILY_OPERATORS[field.family]:
        raise _Problem(
            M_('%(name)s (%(kind)s) cannot be filtered with "%(operator)s"; use %(operators)s.')
            % {"name": name, "kind": field.kind, "operator": operator,
               "operators": _words(FAMILY_OPERATORS[field.family])}
        )
    _check_operand(name, operator, operand)
    return BUILDERS[operator](field, operand)


def _split_operator(raw: str, field: _Field) -> tuple[str, str]:
    """``("gt", "100")`` from ``"gt.100"``; a value without an operator means ``eq``."""
    word, dot, rest = raw.partition(".")
    if dot and word in OPERATORS:
        return word, rest
    wordy = OPERATOR_WORD.fullmatch(word) is not None
    foreign = word in FOREIGN_OPERATORS or (wordy and word.startswith("$"))
    if dot and (foreign or (wordy and field.family in ("ordered", "boolean"))):
        raise _Problem(M_("Unknown operator %(word)s; use one of %(operators)s.")
                       % {"word": quote(word), "operators": _words(OPERATORS)})
    return "eq", raw


def _check_operand(name: str, operator: str, operand: str) -> None:
    """Refuse empty, overlong and control-character operands before any conversion."""
    if not operand.strip():
        raise _Problem(M_('%(name)s needs a value after "%(operator)s", like '
                          '%(name)s=%(operator)s.…') % {"name": name, "operator": operator})
    if len(operand) > MAX_VALUE:
        raise _Problem(M_("%(name)s: a value may be at most %(limit)s characters long.")
                       % {"name": name, "limit": f"{MAX_VALUE:,}"})
    if forbidden(operand):
        raise _Problem(M_("%(name)s: a value must not contain control characters.")
                       % {"name": name})


def _words(words: tuple[str, ...]) -> Message | str:
    """ "a, b or c" (or just "a")."""
    if len(words) == 1:
        return words[0]
    return M_("%(first)s or %(last)s") % {"first": ", ".join(words[:-1]), "last": words[-1]}


def _compare(operator: str) -> Callable[[_Field, str], Clause]:
    """A builder comparing the field with one converted value."""
    return lambda field, operand: Clause(field.field, operator, field.convert(operand))


def _listed(operator: str) -> Callable[[_Field, str], Clause]:
    """A builder comparing the field with a list of converted values."""
    return lambda field, operand: Clause(field.field, operator, tuple(_items(field, operand)))


def _is(field: _Field, operand: str) -> Clause:
    """``is.null`` (the value is absent), or ``is.true``/``is.false`` for booleans."""
    allowed = IS_VALUES.get(field.family, {"null": None})
    if operand not in allowed:
        raise _Problem(M_('%(name)s: "is" takes %(values)s; %(given)s is not one of them.')
                       % {"name": field.name, "values": _words(tuple(allowed)),
                          "given": quote(operand)})
    return Clause(field.field, "is", allowed[operand])


def _like(operator: str) -> Callable[[_Field, str], Clause]:
    """A builder matching the whole value against a ``*`` pattern (kept as given: the
    repository escapes and anchors it)."""
    return lambda field, operand: Clause(field.field, operator, operand)


def _items(field: _Field, operand: str) -> list:
    """The converted items of a ``(a,"b,c")`` list operand."""
    return [field.convert(item) for item in _split_list(operand)]


def _split_list(operand: str) -> list[str]:
    """The items of ``(a, "b,c", "d\\"e")``: comma-separated, double quotes protect."""
    if not (operand.startswith("(") and operand.endswith(")")) or len(operand) < 2:
        raise _Problem(M_('A list must be in parentheses, like "(a,b)".'))
    body, items, position = operand[1:-1], [], 0
    while True:
        match = LIST_ITEM.match(body, position)
        if match is None:
            raise _Problem(M_('Put list items that hold commas, parentheses or quotes in '
                              'double quotes, like ("a,b",c).'))
        items.append(_list_item(match))
        if not match["end"]:
            break
        position = match.end()
    if len(items) > MAX_LIST_ITEMS:
        raise _Problem(M_("A list may have at most %(limit)s items; this has %(count)s.")
                       % {"limit": MAX_LIST_ITEMS, "count": len(items)})
    return items


def _list_item(match: re.Match) -> str:
    """One list item: quoted (with ``\\"`` and ``\\\\`` escapes) or plain and non-empty."""
    if match["quoted"] is not None:
        return re.sub(r"\\(.)", r"\1", match["quoted"], flags=re.S)
    item = match["plain"].strip()
    if not item:
        raise _Problem(M_('A list item is empty; write items like "(a,b)".'))
    return item


#: Each operator of the language as a neutral clause builder (``neq`` holds only where
#: there is a value, as SQL leaves NULL out; ``ov`` is ``in`` of a list field).
BUILDERS: dict[str, Callable[[_Field, str], Clause]] = {
    "eq": _compare("eq"),
    "neq": _compare("ne"),
    "gt": _compare("gt"),
    "gte": _compare("gte"),
    "lt": _compare("lt"),
    "lte": _compare("lte"),
    "in": _listed("in"),
    "nin": _listed("nin"),
    "is": _is,
    "like": _like("like"),
    "ilike": _like("ilike"),
    "cs": _listed("all"),
    "ov": _listed("in"),
}


# ----------------------------------------------------------------------------- q, sort, fields


def _search_clauses(text: str) -> list[Clause]:
    """The keyword clauses of ``q=`` (word-prefix matches on the indexed keywords)."""
    if len(text) > MAX_Q:
        raise _Problem(M_("q may be at most %(limit)s characters long; this is %(length)s.")
                       % {"limit": MAX_Q, "length": len(text)})
    return [Clause(KEYWORDS, "search", word) for word in search_words(text) if word]


def _parse_sort(text: str | None,
                definitions: Mapping[str, Definition]) -> tuple[tuple[Field, int], ...]:
    """Sort keys from ``-attr.price,title`` (by title when not given)."""
    if text is None:
        return (("title", 1),)
    names = [name.strip() for name in text.split(",")]
    if len(names) > MAX_SORT_KEYS:
        raise _Problem(M_("sort takes at most %(limit)s fields; this has %(count)s.")
                       % {"limit": MAX_SORT_KEYS, "count": len(names)})
    keys: list[tuple[Field, int]] = []
    problems: list[str] = []
    for name in names:
        try:
            keys.append(_sort_key(name, definitions, {field for field, _ in keys}))
        except _Problem as problem:
            problems.append(problem.message)
    if problems:
        raise _Problem(" ".join(problems))
    return tuple(keys)


def _sort_key(name: str, definitions: Mapping[str, Definition], taken: set[Field]) -> tuple:
    """``(("attr", "price", "n"), -1)`` from ``-attr.price``."""
    field_name = name.removeprefix("-")
    if not field_name:
        raise _Problem(M_("sort has an empty field; write fields like sort=-attr.price,title."))
    field = field_name if field_name in FIELDS else \
        _field(field_name, definitions, "sortable").field
    if field in taken:
        raise _Problem(M_("sort names %(name)s twice.") % {"name": quote(field_name)})
    return field, -1 if name.startswith("-") else 1


def _parse_fields(text: str | None) -> tuple[str, ...] | None:
    """The representation fields ``fields=`` picks (``id`` always), or None for all."""
    if text is None:
        return None
    names = [name.strip() for name in text.split(",")]
    unknown = [name for name in names if name not in REPRESENTATION_FIELDS]
    if unknown:
        shown = ", ".join(quote(name) for name in unknown)
        raise _Problem(M_("fields cannot show %(names)s; pick from %(fields)s.")
                       % {"names": shown, "fields": ", ".join(REPRESENTATION_FIELDS)})
    return tuple(dict.fromkeys(["id", *names]))
