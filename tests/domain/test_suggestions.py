"""Suggestions for names that are no entry (app.domain.suggestions): what they find, and
that one look-up costs a bounded amount of work whatever the name and the index."""

from __future__ import annotations

import pytest
import rapidfuzz.fuzz
from hypothesis import given
from hypothesis import strategies as st

from app.domain.suggestions import (
    CANDIDATES,
    MAX_NAME,
    SUGGESTIONS,
    TitleIndex,
    normalise,
    trigrams,
)


def index_of(*titles: str) -> TitleIndex:
    return TitleIndex({"slug": f"e{n}", "title": title, "category": "c"}
                      for n, title in enumerate(titles))


def titles(found: list[dict]) -> list[str]:
    return [doc["title"] for doc in found]


@pytest.fixture
def phones() -> TitleIndex:
    return index_of("Alpha Phone", "Beta Phone", "Gamma Phone", "Google Pixel 8",
                    "Google Pixel 8 Pro", "Apple iPhone 15", "Samsung Galaxy S24 Ultra")


@pytest.mark.parametrize(("name", "first"), [
    ("Betta Phnoe", "Beta Phone"),
    ("beta phnoe", "Beta Phone"),
    ("iPhnoe 15", "Apple iPhone 15"),
    ("Googel Pixle 8", "Google Pixel 8"),
    ("pixel 8", "Google Pixel 8"),  # a run of the title's words, shorter title first
    ("samsung galaxy s24 ulta", "Samsung Galaxy S24 Ultra"),
    ("  ALPHA   phone ", "Alpha Phone"),
])
def test_typos_find_the_title(phones, name, first):
    assert titles(phones.closest(name))[0] == first


def test_suggestions_are_alike_and_close_to_the_best(phones):
    """"Betta Phone" is very like "Beta Phone" and less like the other phones: only
    titles within the spread of the best one are suggested."""
    assert titles(phones.closest("Betta Phone")) == ["Beta Phone"]
    assert set(titles(phones.closest("phone"))) == {"Alpha Phone", "Beta Phone", "Gamma Phone",
                                                    "Apple iPhone 15"}


@pytest.mark.parametrize("name", ["zzzzqqq", "", "   ", "-", "x" * 10_000])
def test_nothing_alike_gives_nothing(phones, name):
    assert phones.closest(name) == []


def test_a_suggestion_is_a_plain_copy(phones):
    found = phones.closest("Alpha Phone")
    assert found[0] == {"slug": "e0", "title": "Alpha Phone", "category": "c"}
    found[0]["title"] = "changed"
    assert titles(phones.closest("Alpha Phone"))[0] == "Alpha Phone"


def test_at_most_five_suggestions():
    index = index_of(*(f"Model {n}" for n in range(20)))
    assert len(index.closest("Model")) == SUGGESTIONS


def test_what_the_store_would_find_by_prefix_and_keyword():
    """Negative answers are exact: no title key starts so, no keyword starts so."""
    index = TitleIndex([
        {"slug": "pixel-8", "title": "Pixel 8", "title_key": "pixel 8",
         "keywords": ["pixel", "8", "tensor"]},
        {"slug": "c", "title": "C++", "keywords": ["c"]},
    ])
    assert index.has_title_starting("  PIXEL ") and index.has_title_starting("c+")
    assert not index.has_title_starting("pixel 9") and not index.has_title_starting("zz")
    assert index.has_keywords_starting(["pix", "tens", "8"])
    assert not index.has_keywords_starting(["pix", "qqq"])
    assert index.has_keywords_starting([])
    assert not TitleIndex([]).has_title_starting("a")


def test_names_are_cut_and_single_spaced():
    assert normalise("  A \t b\n C ") == "a b c"
    assert len(normalise("word " * 100)) <= MAX_NAME
    assert trigrams("ab") == {" ab", "ab "}


@given(st.lists(st.text(alphabet="abcde fgh12", min_size=1, max_size=30), min_size=1,
                max_size=30))
def test_every_title_is_its_own_first_suggestion(names):
    """A title typed exactly is suggested first (its normalised form is unique here)."""
    kept = list({normalise(name): name for name in names if normalise(name)}.values())
    if not kept:
        return
    index = index_of(*kept)
    for title in kept:
        assert normalise(titles(index.closest(title))[0]) == normalise(title)


# -- bounded work ----------------------------------------------------------------------


@pytest.fixture
def compared(monkeypatch):
    """The (name, title) pairs rapidfuzz compares while a test runs."""
    pairs: list[tuple[str, str]] = []
    original = rapidfuzz.fuzz.ratio

    def counted(a, b, **kwargs):
        pairs.append((a, b))
        return original(a, b, **kwargs)

    monkeypatch.setattr(rapidfuzz.fuzz, "ratio", counted)
    return pairs


@pytest.fixture(scope="module")
def crowded() -> TitleIndex:
    """3,000 titles that all share the trigrams of "phone" and of "pro max"."""
    return index_of(*(f"Phone {n} Pro Max {n % 7}" for n in range(3000)))


@pytest.mark.parametrize("name", [
    "phone pro max",                                  # every trigram in every title
    "phone pro max " * 20,                            # ~120 characters of them
    "qzx" * 1000,                                     # 3,000 characters of nothing
    "phone 1 pro max 2 " * 7,
])
def test_a_look_up_counts_a_bounded_number_of_postings(crowded, compared, name):
    """At most ``budget`` postings (4 a title) are counted and CANDIDATES titles scored,
    each against its whole title and its runs of words, with names of ≤ MAX_NAME."""
    numbers, counted = crowded.candidates(name)
    assert counted <= crowded.budget == 4 * 3000 + 256
    assert len(numbers) <= CANDIDATES
    crowded.closest(name)
    most_words = 6
    assert len(compared) <= CANDIDATES * (most_words + 1)
    assert all(len(wanted) <= MAX_NAME for wanted, _ in compared)


def test_the_rarest_trigrams_are_counted_first(crowded):
    """A name whose trigrams are mostly common still finds the title with its rare ones."""
    found = crowded.closest("Phone 2345 Pro Max 0")
    assert titles(found)[0] == "Phone 2345 Pro Max 0"
