"""The entry repository's one translation of neutral clauses and sort keys into a MongoDB
filter and sort (app.repositories.filters): every operator, the ``_id`` tie-break, the
allowlisted paths, and that a clause it has no table entry for is refused, not guessed."""

from __future__ import annotations

import ast
import datetime
import re
from pathlib import Path

import pytest

import app.services.query as query_module
from app.domain.clauses import Clause
from app.repositories.filters import (
    MONGO_OPERATORS,
    filter_operators,
    mongo_filter,
    mongo_query,
    mongo_sort,
)

WEIGHT = ("attr", "weight", "n")
COLORS = ("attr", "colors", "value")
MAY = datetime.datetime(2024, 5, 1, tzinfo=datetime.UTC)


@pytest.mark.parametrize(("clause", "expected"), [
    (Clause("title", "eq", "Pixel"), {"title": {"$eq": "Pixel"}}),
    (Clause(WEIGHT, "ne", 171.0), {"attributes.weight.n": {"$ne": 171.0, "$exists": True}}),
    (Clause(WEIGHT, "lt", 200.0), {"attributes.weight.n": {"$lt": 200.0}}),
    (Clause(WEIGHT, "lte", 200.0), {"attributes.weight.n": {"$lte": 200.0}}),
    (Clause(WEIGHT, "gt", 200.0), {"attributes.weight.n": {"$gt": 200.0}}),
    (Clause("updated_at", "gte", MAY), {"updated_at": {"$gte": MAY}}),
    (Clause(WEIGHT, "in", (100.0, 200.0)), {"attributes.weight.n": {"$in": [100.0, 200.0]}}),
    (Clause(COLORS, "nin", ("Red",)),
     {"attributes.colors.value": {"$nin": ["Red"], "$exists": True}}),
    (Clause(COLORS, "all", ("Red", "Blue")),
     {"attributes.colors.value": {"$all": ["Red", "Blue"]}}),
    (Clause("slug", "is", None), {"slug": {"$exists": False}}),
    (Clause(("attr", "five_g", "value"), "is", False), {"attributes.five_g.value": {"$eq": False}}),
    (Clause("created_by", "like", "al*"), {"created_by": {"$regex": "^al.*$"}}),
    (Clause("title", "ilike", "*pro*"), {"title": {"$regex": "^(?>.*?pro).*$", "$options": "i"}}),
    (Clause("title", "like", '^(a+)+${"$ne":1}'),
     {"title": {"$regex": r'^\^\(a\+\)\+\$\{"\$ne":1\}$'}}),
    (Clause("keywords", "search", "pixel"), {"keywords": {"$regex": "^pixel"}}),
    (Clause("keywords", "search", "a.b"), {"keywords": {"$regex": r"^a\.b"}}),
])
def test_each_clause_becomes_one_mongodb_condition(clause, expected):
    """Each operator of the closed set has one MongoDB form; values stay values."""
    assert mongo_filter([clause]) == expected
    assert filter_operators(expected) <= MONGO_OPERATORS


def test_clauses_are_combined_with_and():
    """No clause: {}; one: itself; more: their $and, in order."""
    assert mongo_filter([]) == {}
    assert mongo_filter([Clause("category", "eq", "phones"), Clause(WEIGHT, "lt", 200.0)]) == {
        "$and": [{"category": {"$eq": "phones"}}, {"attributes.weight.n": {"$lt": 200.0}}]}


@pytest.mark.parametrize(("sort", "expected"), [
    ([], [("_id", 1)]),
    ([("title", 1)], [("title_key", 1), ("_id", 1)]),
    ([("title", -1)], [("title_key", -1), ("_id", -1)]),
    ([(("attr", "price", "n"), -1), ("title", 1)],
     [("attributes.price.n", -1), ("title_key", 1), ("_id", 1)]),
    ([("slug", 1), ("updated_at", -1)], [("slug", 1), ("updated_at", -1), ("_id", -1)]),
])
def test_every_sort_ends_with_id(sort, expected):
    """Title sorts by its folded key; the last key's direction breaks ties on _id."""
    assert mongo_sort(sort) == expected


def test_mongo_query_gives_both():
    """The filter and the sort of one query."""
    assert mongo_query([Clause(WEIGHT, "lt", 200.0)], [("title", 1)]) == (
        {"attributes.weight.n": {"$lt": 200.0}}, [("title_key", 1), ("_id", 1)])


@pytest.mark.parametrize("field", [
    "title_key", "_id", "password_hash", "$where", "attributes.weight.n", "keywords",
    ("attr", "$where", "n"), ("attr", "weight.n", "n"), ("attr", "weight", "$gt"),
    ("attr", "weight", "unit"), ("attributes", "weight", "n"), ("attr", "weight"),
])
def test_a_field_outside_the_tables_is_refused(field):
    """Paths come from the tables only; a field with no entry never becomes a path."""
    with pytest.raises(ValueError):
        mongo_filter([Clause(field, "eq", 1)])
    with pytest.raises(ValueError):
        mongo_sort([(field, 1)])


def test_operators_and_directions_outside_the_closed_sets_are_refused():
    """A clause takes only the closed set of operators; keywords only ``search``."""
    for operator in ("$where", "regex", "neq", "exists"):
        with pytest.raises(ValueError):
            Clause("title", operator, "x")
    with pytest.raises(ValueError):
        mongo_filter([Clause("title", "search", "x")])
    with pytest.raises(ValueError):
        mongo_sort([("title", 0)])


def test_the_repository_answers_clauses(phones):
    """EntryRepository.matching: the entries meeting every clause, in the neutral sort,
    as the same MongoDB filter and sort give them."""
    entries = phones.entries
    for slug, weight, colors in (("b", 150.0, ["Red"]), ("a", 210.0, ["Blue"]),
                                 ("c", 180.0, ["Red", "Blue"]), ("d", None, [])):
        attributes = {} if weight is None else {"weight": {"value": weight, "unit": "g",
                                                           "n": weight}}
        if colors:
            attributes["colors"] = {"value": colors}
        entries.insert({"slug": slug, "title": slug.upper(), "title_key": slug,
                        "category": "phones", "attributes": attributes, "keywords": [slug]})
    clauses = [Clause("category", "eq", "phones"), Clause(WEIGHT, "lt", 200.0)]
    sort = [(WEIGHT, -1)]
    docs, total = entries.matching(clauses, sort, 0, 10)
    assert [doc["slug"] for doc in docs] == ["c", "b"] and total == 2
    assert entries.page(*mongo_query(clauses, sort), 0, 10) == (docs, total)
    refs, total = entries.matching_refs([Clause(COLORS, "in", ("Red",))], [("title", 1)], 0, 10)
    assert [entries.get(ref[0])["slug"] for ref in refs] == ["b", "c"] and total == 2
    docs, total = entries.matching([Clause(WEIGHT, "is", None)], [("title", 1)], 0, 10)
    assert [doc["slug"] for doc in docs] == ["d"] and total == 1


def test_the_parser_holds_no_mongodb():
    """app/services/query.py imports nothing from the repositories or the driver and holds
    no MongoDB operator or document path: every one of those is in filters.py's tables."""
    source = Path(query_module.__file__).read_text(encoding="utf-8")
    tree = ast.parse(source)
    imported = {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                 for alias in node.names}
    assert not any("repositories" in name or name.split(".")[0] in ("pymongo", "bson")
                   for name in imported), imported
    texts = [node.value for node in ast.walk(tree)
             if isinstance(node, ast.Constant) and isinstance(node.value, str)]
    assert not [text for text in texts if text in MONGO_OPERATORS or "attributes." in text
                or text in ("title_key", "_id")]
    assert not re.search(r"\$(?:eq|ne|gt|gte|lt|lte|in|nin|exists|regex|options|all|and)\b",
                         source)
