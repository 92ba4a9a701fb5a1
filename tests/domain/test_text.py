"""The one text-hygiene rule: which characters every checker refuses, and that they all ask it."""

from __future__ import annotations

import pytest

from app.domain import accounts, categories, entries
from app.domain.definitions import Definition, validate_definition
from app.domain.errors import InvalidValue
from app.domain.text import forbidden, quote
from app.domain.types import parse_value
from app.services.query import QueryError, parse_query

#: Every character no stored text may hold, by name.
REFUSED = {
    "NUL": "\x00",
    "BEL": "\x07",
    "BACKSPACE": "\x08",
    "CARRIAGE RETURN": "\r",
    "VERTICAL TAB": "\x0b",
    "FORM FEED": "\x0c",
    "ESCAPE": "\x1b",
    "UNIT SEPARATOR": "\x1f",
    "DELETE": "\x7f",
    "C1 PADDING CHARACTER": "\x80",
    "NEXT LINE (NEL)": "\x85",
    "APPLICATION PROGRAM COMMAND": "\x9f",
    "LINE SEPARATOR": "\u2028",
    "PARAGRAPH SEPARATOR": "\u2029",
    "LONE HIGH SURROGATE": "\ud800",
    "LONE LOW SURROGATE": "\udfff",
}
#: Refused on one line, allowed in text of several lines.
LINE_CHARACTERS = {"LINE FEED": "\n", "TAB": "\t"}
#: Look odd but stay allowed: spaces, format characters of real scripts and emoji.
ALLOWED = {
    "NO-BREAK SPACE": "\xa0",
    "IDEOGRAPHIC SPACE": "\u3000",
    "ZERO WIDTH NON-JOINER (Persian)": "\u200c",
    "ZERO WIDTH JOINER (emoji)": "\u200d",
    "SOFT HYPHEN": "\xad",
    "CJK": "小",
    "EMOJI": "👩‍💻",
}


@pytest.mark.parametrize("char", REFUSED.values(), ids=REFUSED.keys())
def test_the_refused_characters(char):
    assert forbidden(f"a{char}b")
    assert forbidden(f"a{char}b", lines=True)


@pytest.mark.parametrize("char", LINE_CHARACTERS.values(), ids=LINE_CHARACTERS.keys())
def test_line_feed_and_tab_only_in_text_of_several_lines(char):
    assert forbidden(f"a{char}b")
    assert not forbidden(f"a{char}b", lines=True)


@pytest.mark.parametrize("char", ALLOWED.values(), ids=ALLOWED.keys())
def test_allowed_characters(char):
    assert not forbidden(f"a{char}b")


TEXT = Definition(key="material", label="Material", type="text")
FEATURES = Definition(key="features", label="Features", type="list")
DEFINITION = {"key": "notes", "label": "Notes", "type": "text"}

#: Every checker of client text, as (name, check, several lines?).
CHECKERS = [
    ("entry title", lambda text: entries.check_title(text), False),
    ("entry summary", lambda text: entries.check_summary(text), True),
    ("category name", lambda text: categories.check_category({"name": text}), False),
    ("category description",
     lambda text: categories.check_category({"name": "Ok", "description": text}), True),
    ("definition label",
     lambda text: validate_definition({**DEFINITION, "label": text}), False),
    ("definition description",
     lambda text: validate_definition({**DEFINITION, "description": text}), True),
    ("profile bio", lambda text: accounts.check_profile({"bio": text}), True),
    ("text value", lambda text: parse_value(TEXT, text), False),
    ("list item", lambda text: parse_value(FEATURES, [text]), False),
]


@pytest.mark.parametrize(("check", "lines"), [(c, lines) for _, c, lines in CHECKERS],
                         ids=[name for name, _, _ in CHECKERS])
@pytest.mark.parametrize("char", [*REFUSED.values(), *LINE_CHARACTERS.values()],
                         ids=[*REFUSED.keys(), *LINE_CHARACTERS.keys()])
def test_every_checker_follows_the_rule(check, lines, char):
    if lines and char in LINE_CHARACTERS.values():
        check(f"a{char}b")
        return
    with pytest.raises(InvalidValue):
        check(f"a{char}b")


@pytest.mark.parametrize("char", REFUSED.values(), ids=REFUSED.keys())
def test_filter_values_follow_the_rule(char):
    with pytest.raises(QueryError) as caught:
        parse_query({"title": f"eq.a{char}b"}, {})
    assert "control characters" in caught.value.errors["title"]


def test_quote_shortens_and_shows_what_does_not_print():
    assert quote("a\x00b") == '"a\ufffdb"'
    assert quote("x" * 50, limit=10) == '"' + "x" * 9 + '…"'
    assert quote("x" * 10, limit=10) == '"' + "x" * 10 + '"'
