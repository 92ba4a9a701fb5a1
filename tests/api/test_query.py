"""The query-string filter language (app.services.query, re-exported by app.api.query): the
neutral clauses it reads, the exact MongoDB filters the entry repository makes of them
(app.repositories.filters), what it refuses and why, and that no client text becomes an
operator, a path or a raw regex."""

from __future__ import annotations

import datetime
import re
from urllib.parse import parse_qsl

import pytest
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from app.api.query import (
    FIELDS,
    OPERATORS,
    REPRESENTATION_FIELDS,
    Query,
    QueryError,
    parse_query,
)
from app.domain.clauses import Clause
from app.domain.definitions import validate_definition
from app.repositories.filters import (
    MONGO_OPERATORS,
    filter_operators,
    filter_paths,
    like_pattern,
    mongo_filter,
    mongo_sort,
)

UTC = datetime.UTC

DEFINITIONS = {
    d.key: d
    for d in map(validate_definition, [
        {"key": "weight", "label": "Weight", "type": "number", "unit": "g"},
        {"key": "price", "label": "Price", "type": "number", "unit": "USD"},
        {"key": "cores", "label": "Cores", "type": "number"},
        {"key": "five_g", "label": "5G", "type": "boolean"},
        {"key": "stars", "label": "Stars", "type": "rating"},
        {"key": "released", "label": "Released", "type": "date"},
        {"key": "website", "label": "Website", "type": "url"},
        {"key": "photo", "label": "Photo", "type": "image"},
        {"key": "material", "label": "Material", "type": "text"},
        {"key": "colors", "label": "Colours", "type": "list"},
    ])
}

ALLOWED_PATHS = {"title", "slug", "category", "created_by", "updated_at", "keywords",
                 "attributes.weight.n", "attributes.price.n", "attributes.cores.n",
                 *(f"attributes.{key}.value" for key in
                   ("five_g", "stars", "released", "website", "photo", "material", "colors"))}


def parse(query_string: str) -> Query:
    """parse_query of a raw query string, decoded as Flask decodes request.args."""
    return parse_query(MultiDict(parse_qsl(query_string, keep_blank_values=True)), DEFINITIONS)


def mongo(query: Query) -> dict:
    """The MongoDB filter the entry repository makes of a query's clauses."""
    return mongo_filter(query.clauses)


def errors_of(query_string: str) -> dict[str, str]:
    """The per-parameter errors of a query string that must be refused."""
    with pytest.raises(QueryError) as caught:
        parse(query_string)
    return caught.value.errors


def at(year, month, day, hour=0, minute=0) -> datetime.datetime:
    """An aware UTC datetime."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=UTC)


# ----------------------------------------------------------------------------- operator × type

#: One field of every kind, with an operand that fits it.
SAMPLES = {
    "title": "Pixel 8",
    "slug": "pixel-8",
    "category": "phones",
    "created_by": "alice",
    "updated_at": "2024-05-01",
    "attr.material": "Aluminium",
    "attr.website": "https://example.com",
    "attr.photo": "https://example.com/a.jpg",
    "attr.weight": "171",
    "attr.cores": "8",
    "attr.stars": "4",
    "attr.released": "2023-09-22",
    "attr.five_g": "true",
    "attr.colors": "Blue",
}
ORDERED = {"eq", "neq", "gt", "gte", "lt", "lte", "in", "nin", "is"}
TEXT = {"eq", "neq", "in", "nin", "like", "ilike", "is"}
FITS = {
    **dict.fromkeys(("title", "slug", "category", "created_by", "attr.material", "attr.website",
                     "attr.photo"), TEXT),
    **dict.fromkeys(("updated_at", "attr.weight", "attr.cores", "attr.stars", "attr.released"),
                    ORDERED),
    "attr.five_g": {"eq", "neq", "is"},
    "attr.colors": {"eq", "neq", "in", "nin", "cs", "ov", "like", "ilike", "is"},
}


def operand_for(field: str, operator: str) -> str:
    """An operand of the right shape for the operator."""
    sample = SAMPLES[field]
    if operator in ("in", "nin", "cs", "ov"):
        return f"({sample})"
    if operator == "is":
        return "null"
    if operator in ("like", "ilike"):
        return "*a*"
    return sample


@pytest.mark.parametrize("operator", OPERATORS)
@pytest.mark.parametrize("field", SAMPLES)
def test_every_operator_on_every_kind_of_field(field, operator):
    """Each operator is accepted exactly where it fits the field's type, else refused by name."""
    query_string = f"{field}={operator}.{operand_for(field, operator)}"
    if operator in FITS[field]:
        query = parse(query_string.replace("+", "%2B"))
        assert len(query.clauses) == 1
        assert filter_paths(mongo(query)) <= ALLOWED_PATHS
        assert filter_operators(mongo(query)) <= MONGO_OPERATORS
    else:
        message = errors_of(query_string)[field]
        assert f'{field} (' in message and f'cannot be filtered with "{operator}"' in message


@pytest.mark.parametrize(("query_string", "expected"), [
    ("title=like.a*b", [Clause("title", "like", "a*b")]),
    ("title=ilike.*pro*", [Clause("title", "ilike", "*pro*")]),
    ("title=is.null", [Clause("title", "is", None)]),
    ("updated_at=gte.2024-05-01", [Clause("updated_at", "gte", at(2024, 5, 1))]),
    ("attr.weight=lt.0.2kg", [Clause(("attr", "weight", "n"), "lt", 200.0)]),
    ("attr.weight=neq.171 g", [Clause(("attr", "weight", "n"), "ne", 171.0)]),
    ("attr.weight=in.(100,0.2kg)", [Clause(("attr", "weight", "n"), "in", (100.0, 200.0))]),
    ("attr.weight=nin.(100)", [Clause(("attr", "weight", "n"), "nin", (100.0,))]),
    ("attr.stars=gte.★★★★☆", [Clause(("attr", "stars", "value"), "gte", 4)]),
    ("attr.five_g=is.true", [Clause(("attr", "five_g", "value"), "is", True)]),
    ("attr.five_g=yes", [Clause(("attr", "five_g", "value"), "eq", True)]),
    ("attr.colors=cs.(Red,Blue)", [Clause(("attr", "colors", "value"), "all", ("Red", "Blue"))]),
    ("attr.colors=ov.(Red,Blue)", [Clause(("attr", "colors", "value"), "in", ("Red", "Blue"))]),
    ('title={"$gt":""}', [Clause("title", "eq", '{"$gt":""}')]),
    ("q=Pixel Pro&category=phones", [Clause("category", "eq", "phones"),
                                     Clause("keywords", "search", "pixel"),
                                     Clause("keywords", "search", "pro")]),
    ("", []),
])
def test_the_parser_reads_neutral_clauses(query_string, expected):
    """A query string becomes clauses of a neutral field, an operator of the closed set and
    a value typed by the field's type (like patterns kept as given, for the repository to
    escape); no MongoDB path or operator."""
    assert list(parse(query_string.replace("+", "%2B")).clauses) == expected


@pytest.mark.parametrize(("value", "expected"), [
    (None, (("title", 1),)),
    ("-attr.price,title", ((("attr", "price", "n"), -1), ("title", 1))),
    ("attr.stars", ((("attr", "stars", "value"), 1),)),
])
def test_the_parser_reads_neutral_sort_keys(value, expected):
    """sort= becomes (field, direction) pairs; the _id tie-break is the repository's."""
    assert parse("" if value is None else f"sort={value}").sort == expected


@pytest.mark.parametrize(("query_string", "expected"), [
    # fixed text fields
    ("title=Pixel 8", {"title": {"$eq": "Pixel 8"}}),
    ("title=eq.Pixel 8", {"title": {"$eq": "Pixel 8"}}),
    ("title=eq. Pixel 8 ", {"title": {"$eq": "Pixel 8"}}),
    ("title=Mr. Smith", {"title": {"$eq": "Mr. Smith"}}),
    ("title=node.js", {"title": {"$eq": "node.js"}}),
    ("title=eq.in.(x)", {"title": {"$eq": "in.(x)"}}),
    ("title=neq.x", {"title": {"$ne": "x", "$exists": True}}),
    ("slug=in.(a,b)", {"slug": {"$in": ["a", "b"]}}),
    ("category=nin.(phones)", {"category": {"$nin": ["phones"], "$exists": True}}),
    ("created_by=like.al*", {"created_by": {"$regex": "^al.*$"}}),
    ("title=like.Pixel", {"title": {"$regex": "^Pixel$"}}),
    ("title=ilike.*pro*", {"title": {"$regex": "^(?>.*?pro).*$", "$options": "i"}}),
    ("title=like.a*b*c", {"title": {"$regex": "^a(?>.*?b).*c$"}}),
    ("title=like.a**b", {"title": {"$regex": "^a.*b$"}}),
    ("title=like.*", {"title": {"$regex": "^.*$"}}),
    ("title=like.x.y", {"title": {"$regex": r"^x\.y$"}}),
    ("title=is.null", {"title": {"$exists": False}}),
    # updated_at
    ("updated_at=gte.2024-05-01", {"updated_at": {"$gte": at(2024, 5, 1)}}),
    ("updated_at=lt.2024-05-01T12:00:00%2B02:00", {"updated_at": {"$lt": at(2024, 5, 1, 10)}}),
    ("updated_at=lt.2024-05-01T12:00:00Z", {"updated_at": {"$lt": at(2024, 5, 1, 12)}}),
    ("updated_at=2024-05-01T12:30", {"updated_at": {"$eq": at(2024, 5, 1, 12, 30)}}),
    ("updated_at=in.(2024-01-01,2024-02-01)",
     {"updated_at": {"$in": [at(2024, 1, 1), at(2024, 2, 1)]}}),
    ("updated_at=is.null", {"updated_at": {"$exists": False}}),
    # numbers: canonical unit or any compatible one
    ("attr.weight=lt.0.2kg", {"attributes.weight.n": {"$lt": 200.0}}),
    ("attr.weight=lt.200", {"attributes.weight.n": {"$lt": 200.0}}),
    ("attr.weight=171", {"attributes.weight.n": {"$eq": 171.0}}),
    ("attr.weight=gte.1 lb", {"attributes.weight.n": {"$gte": 453.59237}}),
    ("attr.weight=neq.171 g", {"attributes.weight.n": {"$ne": 171.0, "$exists": True}}),
    ("attr.weight=in.(100,0.2kg)", {"attributes.weight.n": {"$in": [100.0, 200.0]}}),
    ("attr.weight=nin.(100)", {"attributes.weight.n": {"$nin": [100.0], "$exists": True}}),
    ("attr.weight=is.null", {"attributes.weight.n": {"$exists": False}}),
    ("attr.cores=gt.4", {"attributes.cores.n": {"$gt": 4.0}}),
    ("attr.price=lte.$799.50", {"attributes.price.n": {"$lte": 799.5}}),
    ("attr.price=$799.50", {"attributes.price.n": {"$eq": 799.5}}),
    ("attr.price=lt.1,500", {"attributes.price.n": {"$lt": 1500.0}}),
    # ratings and dates
    ("attr.stars=gte.4", {"attributes.stars.value": {"$gte": 4}}),
    ("attr.stars=gte.★★★★☆", {"attributes.stars.value": {"$gte": 4}}),
    ("attr.stars=in.(4,5)", {"attributes.stars.value": {"$in": [4, 5]}}),
    ("attr.released=lt.2024", {"attributes.released.value": {"$lt": "2024"}}),
    ("attr.released=gte.2023-09", {"attributes.released.value": {"$gte": "2023-09"}}),
    # booleans
    ("attr.five_g=is.true", {"attributes.five_g.value": {"$eq": True}}),
    ("attr.five_g=is.false", {"attributes.five_g.value": {"$eq": False}}),
    ("attr.five_g=is.null", {"attributes.five_g.value": {"$exists": False}}),
    ("attr.five_g=yes", {"attributes.five_g.value": {"$eq": True}}),
    ("attr.five_g=neq.false", {"attributes.five_g.value": {"$ne": False, "$exists": True}}),
    # text-like attributes
    ("attr.material=Aluminium", {"attributes.material.value": {"$eq": "Aluminium"}}),
    ("attr.website=eq.https://example.com",
     {"attributes.website.value": {"$eq": "https://example.com"}}),
    ("attr.website=like.*example*", {"attributes.website.value": {"$regex": "^(?>.*?example).*$"}}),
    ("attr.photo=ilike.*.JPG", {"attributes.photo.value": {"$regex": r"^.*\.JPG$",
                                                           "$options": "i"}}),
    # lists
    ("attr.colors=Red", {"attributes.colors.value": {"$eq": "Red"}}),
    ("attr.colors=cs.(Red,Blue)", {"attributes.colors.value": {"$all": ["Red", "Blue"]}}),
    ("attr.colors=ov.(Red,Blue)", {"attributes.colors.value": {"$in": ["Red", "Blue"]}}),
    ("attr.colors=in.(Red)", {"attributes.colors.value": {"$in": ["Red"]}}),
    ("attr.colors=nin.(Red)", {"attributes.colors.value": {"$nin": ["Red"], "$exists": True}}),
    ("attr.colors=like.Bl*", {"attributes.colors.value": {"$regex": "^Bl.*$"}}),
    ("attr.colors=Bluetooth.5", {"attributes.colors.value": {"$eq": "Bluetooth.5"}}),
    ("attr.colors=is.null", {"attributes.colors.value": {"$exists": False}}),
    # quoted list items
    ('title=in.("a,b",c)', {"title": {"$in": ["a,b", "c"]}}),
    ('title=in.("say \\"hi\\"",x)', {"title": {"$in": ['say "hi"', "x"]}}),
    # stored text is stripped, so operands are too (quoted or not)
    ('title=in.("(x)", " y ")', {"title": {"$in": ["(x)", "y"]}}),
    ("title=in.( a , b )", {"title": {"$in": ["a", "b"]}}),
    ('title=in.("")', {"title": {"$in": [""]}}),
    # several filters
    ("category=phones&attr.weight=lt.200",
     {"$and": [{"category": {"$eq": "phones"}}, {"attributes.weight.n": {"$lt": 200.0}}]}),
    ("attr.weight=gt.100&attr.weight=lt.200",
     {"$and": [{"attributes.weight.n": {"$gt": 100.0}}, {"attributes.weight.n": {"$lt": 200.0}}]}),
    ("", {}),
])
def test_accepted_filters(query_string, expected):
    """Each accepted filter's clauses become exactly this MongoDB filter."""
    assert mongo(parse(query_string.replace("+", "%2B"))) == expected


@pytest.mark.parametrize(("query_string", "parameter", "fragment"), [
    # values that do not fit the type
    ("attr.weight=lt.3cm", "attr.weight", 'Weight must be a mass, like "171 g"; "3cm" is a length'),
    ("attr.weight=lt.abc", "attr.weight", "must be a number"),
    ("attr.weight=abc", "attr.weight", "must be a number"),
    ("attr.weight=in.(100,abc)", "attr.weight", "must be a number"),
    ("attr.price=lt.10 EUR", "attr.price", "does not convert between currencies"),
    ("attr.cores=gt.4 g", "attr.cores", "plain number without a unit"),
    ("attr.stars=gt.6", "attr.stars", "from 1 to 5"),
    ("attr.released=gt.2024-13", "attr.released", "real date"),
    ("attr.released=gt.May", "attr.released", "YYYY-MM-DD"),
    ("attr.five_g=maybe", "attr.five_g", "yes or no"),
    ("attr.five_g=is.maybe", "attr.five_g", '"is" takes null, true or false'),
    ("attr.weight=is.true", "attr.weight", '"is" takes null;'),
    ("title=is.false", "title", '"is" takes null;'),
    ("attr.website=eq.javascript:alert(1)", "attr.website", "http:// or https://"),
    ("updated_at=gt.yesterday", "updated_at", "ISO 8601"),
    ("updated_at=yesterday", "updated_at", "ISO 8601"),
    ("updated_at=gt.0001-01-01T00:00:00%2B01:00", "updated_at", "ISO 8601"),
    # operators
    ("title=regex.x", "title", 'Unknown operator "regex"'),
    ("title=not.eq.x", "title", 'Unknown operator "not"'),
    ("title=$ne.x", "title", 'Unknown operator "$ne"'),
    ("attr.weight=foo.1", "attr.weight", 'Unknown operator "foo"'),
    ("attr.weight=EQ.1", "attr.weight", 'Unknown operator "EQ"'),
    ("attr.five_g=ne.true", "attr.five_g", 'Unknown operator "ne"'),
    # operands
    ("title=", "title", 'needs a value after "eq"'),
    ("title=eq.", "title", 'needs a value after "eq"'),
    ("title=like.%20", "title", 'needs a value after "like"'),
    ("title=eq.a%00b", "title", "control characters"),
    ("title=eq." + "x" * 5000, "title", "at most 4,096 characters"),
    ("title=in.a,b", "title", "in parentheses"),
    ("title=in.(a", "title", "in parentheses"),
    ("title=in.()", "title", "item is empty"),
    ("title=in.(a,,b)", "title", "item is empty"),
    ("title=in.(a,)", "title", "item is empty"),
    ("title=in.(a(b))", "title", "double quotes"),
    ('title=in.("a)', "title", "double quotes"),
    ('title=in.("a"b)', "title", "double quotes"),
    ("title=in.(" + ",".join(["x"] * 101) + ")", "title", "at most 100 items; this has 101"),
    # fields
    ("foo=1", "foo", 'Unknown field "foo"; filterable fields are title, slug, category, '
                     "created_by, updated_at and attr.<key>."),
    ("attr.nope=1", "attr.nope", 'No attribute "nope" is defined'),
    ("attr.weihgt=1", "attr.weihgt", 'Did you mean "attr.weight"?'),
    ("titel=1", "titel", 'Did you mean "title"?'),
    ("attr.=1", "attr.", 'No attribute "" is defined'),
    # sort
    ("sort=x", "sort", 'Unknown field "x"; sortable fields are'),
    ("sort=title,-title", "sort", 'names "title" twice'),
    ("sort=attr.weight,-attr.weight", "sort", 'names "attr.weight" twice'),
    ("sort=title,slug,category,created_by,updated_at,attr.weight", "sort", "at most 5 fields"),
    ("sort=-", "sort", "empty field"),
    ("sort=", "sort", "empty field"),
    ("sort=title,", "sort", "empty field"),
    ("sort=$natural", "sort", 'Unknown field "$natural"'),
    ("sort=attr.weight.n", "sort", 'No attribute "weight.n"'),
    ("sort=title_key", "sort", 'Unknown field "title_key"'),
    ("sort=_id", "sort", 'Unknown field "_id"'),
    # fields=
    ("fields=password_hash", "fields", 'fields cannot show "password_hash"; pick from id, slug'),
    ("fields=title,_id", "fields", 'cannot show "_id"'),
    ("fields=", "fields", 'cannot show ""'),
    # paging and repeats
    ("page=0", "page", "page must be a whole number from 1 to 400 at this per_page"),
    ("page=401", "page", "pages through its first 10,000 items"),
    ("page=101&per_page=100", "page", "from 1 to 100 at this per_page"),
    ("page=-1", "page", "whole number"),
    ("page=1.5", "page", "whole number"),
    ("page=abc", "page", "whole number"),
    ("page=", "page", "whole number"),
    ("page=99999999", "page", "whole number"),
    ("page=1000001", "page", "whole number"),
    ("page=١", "page", "whole number"),
    ("page=²", "page", "whole number"),
    ("per_page=0", "per_page", "per_page must be a whole number from 1 to 100"),
    ("per_page=101", "per_page", "from 1 to 100"),
    ("page=1&page=2", "page", "Give page once; it was given 2 times."),
    ("sort=title&sort=slug", "sort", "Give sort once"),
    ("q=a&q=b", "q", "Give q once"),
    ("q=" + "x" * 201, "q", "at most 200 characters"),
])
def test_refused(query_string, parameter, fragment):
    """Each refused parameter gets a sentence naming the problem, and only it is named."""
    errors = errors_of(query_string.replace("+", "%2B"))
    assert fragment in errors[parameter]
    assert set(errors) == {parameter}


def test_every_problem_is_reported_at_once():
    """All bad parameters are reported together, not only the first."""
    errors = errors_of("attr.weight=lt.3cm&foo=1&page=0&per_page=500&sort=x,x"
                       "&fields=password_hash&attr.five_g=gt.1&q=" + "x" * 300)
    assert set(errors) == {"attr.weight", "foo", "page", "per_page", "sort", "fields",
                           "attr.five_g", "q"}
    assert errors["sort"].count('Unknown field "x"') == 2


def test_several_problems_with_one_parameter_are_joined():
    """Two bad values of one parameter give one message with both sentences."""
    errors = errors_of("attr.weight=lt.abc&attr.weight=gt.3cm")
    assert "must be a number" in errors["attr.weight"]
    assert "is a length" in errors["attr.weight"]


def test_a_query_carries_at_most_ten_filters():
    """The probe's ~330 ``title=like.*`` (4 KB, 1.6 s at 1,000 entries) are refused at
    once, naming the limit against the first filter past it; ten are fine."""
    errors = errors_of("&".join(["title=like.*"] * 330))
    assert errors == {"title": "A query may have at most 10 filters; this one has 330."}
    errors = errors_of("&".join(["title=like.a*"] * 10 + ["attr.weight=lt.200", "q=pixel"]))
    assert errors == {"attr.weight": "A query may have at most 10 filters; this one has 11."}
    query = parse("&".join(["title=like.a*"] * 9 + ["attr.weight=lt.200", "q=pixel", "sort=slug"]))
    assert len(query.clauses) == 11  # ten filters and the one word of q


def test_filters_past_the_limit_are_not_parsed(monkeypatch):
    """Refusing an overlong query costs no conversion of its values."""
    import app.services.query as query_module

    parsed = []
    original = query_module._filter_clause
    monkeypatch.setattr(query_module, "_filter_clause",
                        lambda *args: parsed.append(args) or original(*args))
    errors_of("&".join(["attr.weight=lt.1kg"] * 300))
    assert parsed == []


def test_query_error_message_has_every_sentence():
    """str(QueryError) holds every sentence (for logs)."""
    with pytest.raises(QueryError) as caught:
        parse("foo=1&page=0")
    assert "foo" in str(caught.value) and "page must be" in str(caught.value)


# ----------------------------------------------------------------------------- sort, fields, q

@pytest.mark.parametrize(("value", "expected"), [
    (None, [("title_key", 1), ("_id", 1)]),
    ("title", [("title_key", 1), ("_id", 1)]),
    ("-title", [("title_key", -1), ("_id", -1)]),
    ("-attr.price,title", [("attributes.price.n", -1), ("title_key", 1), ("_id", 1)]),
    ("attr.stars", [("attributes.stars.value", 1), ("_id", 1)]),
    ("-updated_at", [("updated_at", -1), ("_id", -1)]),
    ("slug, -category", [("slug", 1), ("category", -1), ("_id", -1)]),
    ("title,slug,category,created_by,-updated_at",
     [("title_key", 1), ("slug", 1), ("category", 1), ("created_by", 1), ("updated_at", -1),
      ("_id", -1)]),
])
def test_sort(value, expected):
    """sort= becomes neutral sort keys; the repository's MongoDB sort ends with _id (the
    last key's way) and sorts title by title_key."""
    assert mongo_sort(parse("" if value is None else f"sort={value}").sort) == expected


@pytest.mark.parametrize(("value", "expected"), [
    (None, None),
    ("slug,title,attributes", ("id", "slug", "title", "attributes")),
    ("id", ("id",)),
    ("title,id,title", ("id", "title")),
    (" slug , version ", ("id", "slug", "version")),
    (",".join(REPRESENTATION_FIELDS), REPRESENTATION_FIELDS),
])
def test_fields(value, expected):
    """fields= picks representation fields, id always first, duplicates once."""
    assert parse("" if value is None else f"fields={value}").fields == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("Pixel", {"keywords": {"$regex": "^pixel"}}),
    ("Pixel Pro", {"$and": [{"keywords": {"$regex": "^pixel"}},
                            {"keywords": {"$regex": "^pro"}}]}),
    ("", {}),
    ("  ", {}),
    ("!!! ***", {}),
    ("a.b*", {"$and": [{"keywords": {"$regex": "^a"}}, {"keywords": {"$regex": "^b"}}]}),
    ("小米", {"keywords": {"$regex": "^小米"}}),
    ("x" * 200, {"keywords": {"$regex": "^" + "x" * 200}}),
])
def test_q(value, expected):
    """q= becomes word-prefix matches on the keywords; empty or wordless q is ignored."""
    assert mongo(parse(f"q={value}")) == expected


def test_q_is_combined_with_the_filters():
    """q= becomes word-prefix matches on the keywords; empty or wordless q is ignored."""
    assert mongo(parse("q=pixel&category=phones")) == {"$and": [
        {"category": {"$eq": "phones"}}, {"keywords": {"$regex": "^pixel"}}]}


@pytest.mark.parametrize(("query_string", "page", "per_page", "skip"), [
    ("", 1, 25, 0),
    ("page=3", 3, 25, 50),
    ("per_page=100", 1, 100, 0),
    ("page=2&per_page=1", 2, 1, 1),
    ("page=100&per_page=100", 100, 100, 9_900),
    ("page=10000&per_page=1", 10_000, 1, 9_999),
    ("page=007", 7, 25, 150),
])
def test_paging(query_string, page, per_page, skip):
    """page and per_page, their defaults, and skip."""
    query = parse(query_string)
    assert (query.page, query.per_page, query.skip) == (page, per_page, skip)


def test_a_plain_mapping_is_accepted_too():
    """A dict works as well as a MultiDict."""
    query = parse_query({"attr.weight": "lt.200", "page": "2"}, DEFINITIONS)
    assert query.clauses == (Clause(("attr", "weight", "n"), "lt", 200.0),) and query.page == 2


def test_fixed_fields_and_their_kinds():
    """The fixed filterable fields and their kinds."""
    assert FIELDS == {"title": "text", "slug": "text", "category": "text", "created_by": "text",
                      "updated_at": "datetime"}


# ----------------------------------------------------------------------------- injection

@pytest.mark.parametrize("name", [
    "where", "$where", "$regex", "$expr", "$or", "$and", "attr.$ne", "attr.$gt", "attr.weight.n",
    "attr.weight.$gt", "attributes.weight", "attributes.weight.n", "title[$ne]", "title.$ne",
    "title[]", "_id", "keywords", "title_key", "password_hash", "__proto__", "attr.weight ",
    " title", "Title", "ATTR.weight", "attr.Weight", "attr", "attr.__class__", "",
])
def test_parameter_names_are_matched_exactly(name):
    """Names outside the allowlist are refused by name, never used as paths."""
    errors = errors_of(f"{name}=1".replace("$", "%24").replace(" ", "%20"))
    assert "Unknown field" in errors[name] or "No attribute" in errors[name]


def test_a_hostile_definitions_key_never_becomes_a_path():
    """Even a bad key in the definitions never reaches a path."""
    hostile = validate_definition({"key": "weight", "label": "W", "type": "number"})
    definitions = {"$where": hostile, "weight.n": hostile, "weight": hostile}
    for name in ("attr.$where", "attr.weight.n"):
        with pytest.raises(QueryError):
            parse_query(MultiDict([(name, "1")]), definitions)


@pytest.mark.parametrize(("query_string", "expected"), [
    ('title=eq.{"$ne":""}', {"title": {"$eq": '{"$ne":""}'}}),
    ('title={"$gt":""}', {"title": {"$eq": '{"$gt":""}'}}),
    ("title=$where", {"title": {"$eq": "$where"}}),
    ("attr.material=eq.$where", {"attributes.material.value": {"$eq": "$where"}}),
    ("title=in.($ne,$where)", {"title": {"$in": ["$ne", "$where"]}}),
    ('title=in.("{\\"$gt\\":1}")', {"title": {"$in": ['{"$gt":1}']}}),
    ('title=like.{"$ne":1}*', {"title": {"$regex": r'^\{"\$ne":1\}.*$'}}),
    ("title=like.^(a+)+$", {"title": {"$regex": r"^\^\(a\+\)\+\$$"}}),
    ("title=ilike.*.*[a-z]|(?i)", {"title": {"$regex": r"^(?>.*?\.).*\[a\-z\]\|\(\?i\)$",
                                             "$options": "i"}}),
    ("title=like.\\*", {"title": {"$regex": r"^\\.*$"}}),
])
def test_values_stay_values(query_string, expected):
    """Operator-looking values stay plain strings or escaped regexes."""
    query = parse(query_string.replace("+", "%2B"))
    assert mongo(query) == expected
    assert filter_operators(mongo(query)) <= MONGO_OPERATORS


@pytest.mark.parametrize(("pattern", "matches", "misses"), [
    ("pro", ["pro"], ["Pro", "pros", "a pro"]),
    ("*pro*", ["pro", "Pixel pro max", "pros"], ["pr o", "p"]),
    ("a*b*c", ["abc", "a-b-c", "abbc", "a c b c"], ["ab", "acb", "xabc"]),
    ("*.jpg", ["x.jpg", ".jpg"], ["xjpg", "x.jpgx"]),
    ("a.b", ["a.b"], ["axb"]),
    ("(*)", ["()", "(x)"], ["x"]),
])
def test_like_patterns_match_whole_values(pattern, matches, misses):
    """like patterns match the whole value, * as a wildcard only."""
    regex = re.compile(like_pattern(pattern))
    assert all(regex.search(text) for text in matches)
    assert not any(regex.search(text) for text in misses)


def test_audit_helpers_walk_nested_filters():
    """filter_paths and filter_operators see into nested $and and values."""
    nested = {"$and": [{"a": {"$eq": 1}}, {"$and": [{"b.c": {"$in": [{"$x": 1}]}}]}]}
    assert filter_paths(nested) == {"a", "b.c"}
    assert filter_operators(nested) == {"$and", "$eq", "$in", "$x"}
    assert filter_paths({}) == set() and filter_operators({}) == set()


# ----------------------------------------------------------------------------- property

HOSTILE_NAMES = ["where", "$where", "$regex", "$expr", "attr.$ne", "attr.weight.n", "title[$ne]",
                 "attributes.weight", "_id", "keywords", "attr.", "attr.nope", "x"]
NAMES = st.sampled_from([*FIELDS, *(f"attr.{key}" for key in DEFINITIONS), *HOSTILE_NAMES,
                         "page", "per_page", "sort", "fields", "q"]) | st.text(max_size=12)
WORDS = st.sampled_from([*OPERATORS, "not", "regex", "$ne", "$where", "EQ", "foo", ""])
TEXT = st.text(alphabet=st.sampled_from('ab1.5 kg*()",$\\-:{}[]^|?+é★小\x00\n')
               | st.characters(), max_size=20)
ITEMS = st.lists(TEXT, max_size=4).map(lambda items: "(" + ",".join(items) + ")")
VALUES = st.one_of(
    TEXT,
    st.tuples(WORDS, TEXT | ITEMS).map(lambda pair: ".".join(pair)),
    st.sampled_from(["-attr.weight,title", "slug,title", "1", "0", "101", "null", "true"]),
)


def leaves(filter):
    """Every value in a filter that is not a dict or list."""
    if isinstance(filter, dict):
        return [leaf for value in filter.values() for leaf in leaves(value)]
    if isinstance(filter, list):
        return [leaf for item in filter for leaf in leaves(item)]
    return [filter]


def regexes(filter):
    """Every $regex pattern in a filter."""
    if isinstance(filter, dict):
        own = [filter["$regex"]] if "$regex" in filter else []
        return own + [p for value in filter.values() for p in regexes(value)]
    if isinstance(filter, list):
        return [p for item in filter for p in regexes(item)]
    return []


@given(st.lists(st.tuples(NAMES, VALUES), max_size=6))
def test_random_query_strings_are_safe_or_refused(pairs):
    """Any query string gives a safe Query or a QueryError, never another error."""
    args = MultiDict(pairs)
    try:
        query = parse_query(args, DEFINITIONS)
    except QueryError as exc:
        assert exc.errors and set(exc.errors) <= set(args.keys())
        assert all(isinstance(message, str) and message for message in exc.errors.values())
        return
    filter, sort = mongo(query), mongo_sort(query.sort)
    assert all(isinstance(clause, Clause) for clause in query.clauses)
    assert filter_paths(filter) <= ALLOWED_PATHS
    assert filter_operators(filter) <= MONGO_OPERATORS
    for pattern in regexes(filter):
        re.compile(pattern)
    scalar = (str, int, float, bool, datetime.datetime, type(None))
    assert all(isinstance(leaf, scalar) for leaf in leaves(filter))
    assert sort[-1] == ("_id", 1) and len(sort) <= 6
    assert all(path in ALLOWED_PATHS | {"title_key", "_id"} for path, _ in sort)
    assert query.fields is None or set(query.fields) <= set(REPRESENTATION_FIELDS)
    assert 1 <= query.per_page <= 100 and query.page >= 1
