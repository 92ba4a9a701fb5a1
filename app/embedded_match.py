"""How the embedded engine compares, matches and sorts: by MongoDB's documented rules.

mongomock answers some queries the Python way where MongoDB does not: it finds ``True``
equal to ``1``, and it sorts a document whose field is an array by the whole array,
where MongoDB sorts by the array's smallest element ascending and its largest
descending. Code tested against mongomock could then pass and still be wrong on a
server. This module is the engine's own reading of a filter and a sort, following
MongoDB's documentation ("Comparison/Sort Order", "Query an Array", "Query for Null or
Missing Fields"):

* **Type brackets.** Every value has a rank — MinKey < null < numbers < strings <
  objects < arrays < binary data < ObjectId < booleans < dates < timestamps < regular
  expressions < MaxKey — and values of different ranks are never equal; a range
  operator (``$gt``…) only matches values of its operand's rank. ``True`` is not ``1``.
  Numbers compare by value whatever their type (``1 == 1.0``); strings by code point;
  objects field by field (type, then name, then value), arrays element by element;
  binary data by length, then subtype, then bytes. NaN equals NaN and is below every
  other number in a sort; a range never matches it.
* **Arrays.** A condition on a field that holds an array matches when the array itself
  or any one of its elements satisfies it; with several operators on one field
  (``{$gt: 1, $lt: 3}``) each may be satisfied by a different element. ``$ne`` and
  ``$nin`` match when the positive condition does not.
* **Null and missing.** ``{f: null}`` (and ``$in`` with null, ``$gte``/``$lte``
  null) matches a missing field, a null one and an array holding null.
* **Sorting.** A missing field sorts as null; an array sorts by its smallest element
  ascending and its largest descending; an empty array sorts below null.

The operators read here are the ones pkyx sends (``$eq $ne $gt $gte $lt $lte $in $nin
$exists $all $regex/$options $and`` and implicit equality); :func:`compile_filter`
returns ``None`` for anything else, which the engine leaves to mongomock.
``tests/test_embedded_engine.py`` holds the engine to an independent model of these
rules with Hypothesis, and names each case where mongomock differs.

Example::

    >>> compile_filter({"a": True})({"a": 1})
    False
    >>> sorted([{"a": [1, 9]}, {"a": 5}], key=lambda d: sort_key(d, "a", True))[0]
    {'a': 5}
"""

from __future__ import annotations

import functools
import math
import operator
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from bson import MaxKey, MinKey, ObjectId
from bson.binary import Binary
from bson.decimal128 import Decimal128
from bson.regex import Regex
from bson.timestamp import Timestamp

__all__ = ["bson_key", "compile_filter", "sort_key", "Unordered"]


class Unordered(TypeError):
    """A value of a type these rules do not place (the engine then asks mongomock)."""


#: The rank of each type bracket, in MongoDB's order. An empty array sorts below null.
MIN_KEY, EMPTY_ARRAY, NULL, NUMBER, STRING, OBJECT, ARRAY, BINARY, OBJECT_ID, BOOLEAN, \
    DATE, TIMESTAMP, REGEX, MAX_KEY = range(14)
NULL_KEY = (NULL,)
EMPTY_ARRAY_KEY = (EMPTY_ARRAY,)


def bson_key(value) -> tuple:
    """A key that orders and equates values as MongoDB does (see the module's rules).

    Equal keys mean equal values; keys of different brackets differ in their first item.
    """
    kind = type(value)
    if kind is str:
        return (STRING, value)
    if kind is int or kind is float:
        return _number_key(value)
    if value is None:
        return NULL_KEY
    if kind is bool:
        return (BOOLEAN, value)
    if kind is ObjectId:
        return (OBJECT_ID, value.binary)
    if kind is datetime:
        return (DATE, _utc_millis(value))
    if kind is list or kind is tuple:
        return (ARRAY, tuple(map(bson_key, value)))
    if isinstance(value, Mapping):
        return (OBJECT, tuple((bson_key(item)[0], name, bson_key(item))
                              for name, item in value.items()))
    if isinstance(value, bytes):
        return (BINARY, len(value), value.subtype if isinstance(value, Binary) else 0,
                bytes(value))
    if isinstance(value, bool):
        return (BOOLEAN, bool(value))
    if isinstance(value, int | float):  # Int64 and other int subclasses
        return _number_key(value)
    if isinstance(value, Decimal128):
        return _number_key(value.to_decimal())
    if isinstance(value, Timestamp):
        return (TIMESTAMP, value.time, value.inc)
    if isinstance(value, MinKey):
        return (MIN_KEY,)
    if isinstance(value, MaxKey):
        return (MAX_KEY,)
    raise Unordered(kind.__name__)


def _number_key(value) -> tuple:
    # NaN first among numbers, and equal to itself; 0 and -0.0 are equal anyway.
    return (NUMBER, 0, 0) if value != value else (NUMBER, 1, value)


def _utc_millis(value: datetime) -> int:
    """A date as BSON keeps it: milliseconds since the epoch, naive dates being UTC."""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return math.floor(aware.timestamp() * 1000)


# ----------------------------------------------------------------------------- paths


_MISSING = object()


def _reach(doc: Mapping, path: tuple[str, ...]) -> tuple[list, bool]:
    """The values at a dotted ``path`` (through arrays of sub-documents), and whether the
    path is missing on some branch (which makes it match null)."""
    value = doc
    for depth, part in enumerate(path):  # the common case: sub-documents only
        if type(value) is dict or isinstance(value, Mapping):  # a dict: no ABC check
            value = value.get(part, _MISSING)
            if value is _MISSING:
                return [], True
        elif isinstance(value, list):
            return _reach_through_arrays(value, path, depth)
        else:
            return [], True
    return [value], False


def _reach_through_arrays(start: list, path: tuple[str, ...], first: int) -> tuple[list, bool]:
    """:func:`_reach` from an array at ``path[first]`` on: into its sub-documents (and
    into an element by position when the part is a number)."""
    found: list = []
    missing = False
    stack = [(start, first)]
    while stack:
        value, depth = stack.pop()
        if depth == len(path):
            found.append(value)
            continue
        part = path[depth]
        if isinstance(value, Mapping):
            item = value.get(part, _MISSING)
            if item is _MISSING:
                missing = True
            else:
                stack.append((item, depth + 1))
        elif isinstance(value, list):
            documents = [item for item in value if isinstance(item, Mapping)]
            if part.isdigit() and int(part) < len(value):
                stack.append((value[int(part)], depth + 1))
            elif not documents:
                missing = True
            stack.extend((item, depth) for item in documents)
        else:
            missing = True
    return found, missing


def sort_key(doc: Mapping, path: str, descending: bool) -> tuple:
    """The key ``doc`` sorts by on ``path``: arrays by their least (ascending) or
    greatest (descending) element, missing as null, an empty array below null."""
    found, missing = _reach(doc, _parts(path))
    if not missing and len(found) == 1 and not isinstance(found[0], list):
        return bson_key(found[0])  # one value: it is its own least and greatest
    keys = [NULL_KEY] if missing or not found else []
    for value in found:
        if isinstance(value, list):
            keys.extend(map(bson_key, value) if value else (EMPTY_ARRAY_KEY,))
        else:
            keys.append(bson_key(value))
    return max(keys) if descending else min(keys)


@functools.lru_cache(maxsize=1024)
def _parts(path: str) -> tuple[str, ...]:
    """A dotted path's parts (sorts ask for the same few paths again and again)."""
    return tuple(path.split("."))


# ----------------------------------------------------------------------------- filters


Test = Callable[[list, bool], bool]


def compile_filter(filter: object) -> Callable[[Mapping], bool] | None:
    """A predicate for ``filter`` by MongoDB's rules, or ``None`` when it uses an operator
    (or a value) these rules do not cover."""
    if not isinstance(filter, Mapping):
        return None
    tests: list[Callable[[Mapping], bool]] = []
    try:
        for field, condition in filter.items():
            if field == "$and":
                if not isinstance(condition, list) or not condition:
                    return None
                inner = [compile_filter(clause) for clause in condition]
                if None in inner:
                    return None
                tests.extend(inner)
            elif not isinstance(field, str) or not field or field.startswith("$"):
                return None
            else:
                test = _condition(condition)
                if test is None:
                    return None
                tests.append(functools.partial(_on_path, tuple(field.split(".")), test))
    except Unordered:
        return None
    return _conjunction(tests)


def _conjunction(tests: list[Callable]) -> Callable:
    """A predicate true when every one of ``tests`` is (called without a generator for the
    one or two tests most filters have)."""
    if len(tests) == 1:
        return tests[0]
    if len(tests) == 2:
        first, second = tests
        return lambda *args: first(*args) and second(*args)
    return lambda *args: all(test(*args) for test in tests)


def _on_path(path: tuple[str, ...], test: Test, doc: Mapping) -> bool:
    found, missing = _reach(doc, path)
    return test(found, missing)


def _condition(condition) -> Test | None:
    """The test of one field's condition: operators, or equality with a value."""
    if isinstance(condition, Mapping) and condition and all(
            isinstance(name, str) and name.startswith("$") for name in condition):
        tests = []
        for name, operand in condition.items():
            if name == "$options":
                if "$regex" not in condition:
                    return None
                continue
            make = _OPERATORS.get(name)
            test = make(operand, condition) if make else None
            if test is None:
                return None
            tests.append(test)
        return _conjunction(tests)
    if isinstance(condition, Mapping) and any(
            isinstance(name, str) and name.startswith("$") for name in condition):
        return None  # operators mixed with fields: mongomock raises as MongoDB does
    if isinstance(condition, re.Pattern):
        return _regex_test(condition)
    if isinstance(condition, Regex):
        return None
    return _equals(condition)


def _candidates(found: list):
    """Each value at the path, and each element of those that are arrays."""
    for value in found:
        yield value
        if isinstance(value, list):
            yield from value


def _equals(operand) -> Test:
    wanted = bson_key(operand)
    null = operand is None
    text = type(operand) is str

    def test(found, missing):
        if null and missing:
            return True
        if text and len(found) == 1 and type(found[0]) is str:
            return found[0] == operand  # one string against a string: equal as text
        return any(bson_key(value) == wanted for value in _candidates(found))

    return test


def _among(operand, _condition) -> Test | None:
    if not isinstance(operand, list | tuple):
        return None
    if any(isinstance(item, re.Pattern | Regex) for item in operand):
        return None  # $in with regular expressions: left to mongomock
    wanted = {bson_key(item) for item in operand}
    null = NULL_KEY in wanted

    def test(found, missing):
        if null and missing:
            return True
        return any(bson_key(value) in wanted for value in _candidates(found))

    return test


def _negation(make) -> Callable:
    def build(operand, condition) -> Test | None:
        positive = make(operand, condition)
        if positive is None:
            return None
        return lambda found, missing: not positive(found, missing)

    return build


def _range(compare) -> Callable:
    def build(operand, _condition) -> Test | None:
        if isinstance(operand, re.Pattern | Regex):
            return None
        bound = bson_key(operand)
        if operand is None:  # only $gte/$lte null match, and they match null and missing
            if not compare(bound, bound):
                return lambda found, missing: False
            return _equals(None)
        if bound[:2] == (NUMBER, 0):  # NaN bounds nothing
            return lambda found, missing: False
        rank = bound[0]
        number = type(operand) in (int, float)  # not NaN (above), not a bool

        def test(found, missing):
            if number and len(found) == 1 and type(found[0]) in (int, float):
                value = found[0]  # one number against a number: compared by value
                return value == value and compare(value, operand)  # NaN matches no range
            for value in _candidates(found):
                key = bson_key(value)
                if key[0] == rank and key[:2] != (NUMBER, 0) and compare(key, bound):
                    return True
            return False

        return test

    return build


def _exists(operand, _condition) -> Test | None:
    if not isinstance(operand, bool | int):
        return None
    wanted = bool(operand)
    return lambda found, missing: bool(found) == wanted


def _all(operand, _condition) -> Test | None:
    if not isinstance(operand, list | tuple):
        return None
    if not operand:
        return lambda found, missing: False
    tests = [_equals(item) for item in operand]
    return lambda found, missing: all(test(found, missing) for test in tests)


_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}


def _regex(operand, condition) -> Test | None:
    options = condition.get("$options", "")
    if not isinstance(options, str) or set(options) - set(_FLAGS):
        return None
    if isinstance(operand, re.Pattern) and not options:
        return _regex_test(operand)
    if not isinstance(operand, str):
        return None
    flags = functools.reduce(operator.or_, (_FLAGS[o] for o in options), 0)
    try:
        return _regex_test(re.compile(operand, flags))
    except re.error:
        return None  # mongomock raises the error MongoDB would


def _regex_test(pattern: re.Pattern) -> Test:
    def test(found, missing):
        return any(isinstance(value, str) and pattern.search(value)
                   for value in _candidates(found))

    return test


_OPERATORS: dict[str, Callable] = {
    "$eq": lambda operand, _c: None if isinstance(operand, re.Pattern | Regex)
    else _equals(operand),
    "$ne": _negation(lambda operand, _c: None if isinstance(operand, re.Pattern | Regex)
                     else _equals(operand)),
    "$in": _among,
    "$nin": _negation(_among),
    "$gt": _range(operator.gt),
    "$gte": _range(operator.ge),
    "$lt": _range(operator.lt),
    "$lte": _range(operator.le),
    "$exists": _exists,
    "$all": _all,
    "$regex": _regex,
}
