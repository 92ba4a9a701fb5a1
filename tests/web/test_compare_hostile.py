"""Hostile comparison addresses and compare-box queries against a 3,000-entry store.

Issue 17 (item 2): six made-up slugs of ~600 characters held a worker for ~28 s at 1,000
entries, because every missing name was compared with every run of words of up to 2,000
titles. These tests count the work instead of timing it: every string comparison made
to find suggestions (difflib's ``SequenceMatcher.ratio`` and rapidfuzz's scorers, the
two ways the code has compared names) goes through a counter, and a missing name may
cost at most :data:`PER_NAME` of them, whatever the store's size or the name's length.
"""

from __future__ import annotations

import difflib
import json
import random
import string
from pathlib import Path

import pytest
import rapidfuzz.fuzz

from app import create_app
from app.domain.entries import keywords, slug_from_title, title_key
from app.repositories.entries import EntryRepository

ENTRIES = 3000
#: String comparisons one missing name may cost (six names: six times this).
PER_NAME = 400
CATALOG = Path(__file__).parents[2] / "app" / "seed" / "catalog.json"
SUFFIXES = ("Lite", "Plus", "Pro", "Max", "Mini", "Ultra", "Neo", "Air", "SE", "Edge")


def _titles(count: int) -> list[tuple[str, str]]:
    """``count`` distinct (title, category) pairs: the catalogue, then its variants."""
    catalog = json.loads(CATALOG.read_text())["entries"]
    found: dict[str, tuple[str, str]] = {}
    index = 0
    while len(found) < count:
        base = catalog[index % len(catalog)]
        rounds = index // len(catalog)
        title = base["title"] if not rounds else \
            f"{base['title']} {SUFFIXES[rounds % len(SUFFIXES)]} {rounds // len(SUFFIXES) + 2}"
        found.setdefault(slug_from_title(title), (title, base["category"]))
        index += 1
    return [(slug, *pair) for slug, pair in found.items()]


@pytest.fixture(scope="module")
def crowded(tmp_path_factory):
    """A test client of an app whose store holds 3,000 entries (read only)."""
    app = create_app("testing", {"PKYX_TEST_TMP": str(tmp_path_factory.mktemp("crowded"))})
    repos = app.extensions["pkyx.repos"]
    docs = [{"slug": slug, "title": title, "title_key": title_key(title),
             "keywords": keywords(title), "category": category, "summary": "",
             "attributes": {}, "version": 1, "views": 0, "random": random.random()}
            for slug, title, category in _titles(ENTRIES)]
    with app.app_context():
        repos.entries.col.insert_many(docs)
        assert repos.entries.count() == ENTRIES
    yield app.test_client()
    app.extensions["pkyx.store"].close()


@pytest.fixture
def comparisons(monkeypatch):
    """A list that grows by one for every string comparison made while a test runs."""
    made: list[int] = []
    original_ratio = difflib.SequenceMatcher.ratio

    def counted_ratio(self):
        made.append(1)
        return original_ratio(self)

    monkeypatch.setattr(difflib.SequenceMatcher, "ratio", counted_ratio)
    for name in ("ratio", "partial_ratio", "token_sort_ratio", "token_set_ratio", "token_ratio",
                 "partial_token_sort_ratio", "partial_token_set_ratio", "partial_token_ratio",
                 "WRatio", "QRatio"):
        scorer = getattr(rapidfuzz.fuzz, name)

        def counted(*args, _scorer=scorer, **kwargs):
            made.append(1)
            return _scorer(*args, **kwargs)

        monkeypatch.setattr(rapidfuzz.fuzz, name, counted)
    return made


def made_up(rng: random.Random, length: int) -> str:
    """A slug of random lowercase words, ``length`` characters long."""
    words: list[str] = []
    while len("-".join(words)) < length:
        words.append("".join(rng.choice(string.ascii_lowercase)
                             for _ in range(rng.randint(3, 9))))
    return "-".join(words)[:length].strip("-")


def spec_of(length: int, seed: int = 17) -> str:
    """Six made-up slugs of ``length`` characters, in canonical order, joined by -vs-."""
    rng = random.Random(seed)
    return "-vs-".join(sorted(made_up(rng, length) for _ in range(6)))


@pytest.mark.parametrize("suffix", ["", ".csv", ".json"])
def test_six_long_made_up_slugs_cost_almost_nothing(crowded, comparisons, suffix):
    """The probe's address (6 × 600 characters, 3.6 KB): a clear page, no search."""
    response = crowded.get(f"/compare/{spec_of(600)}{suffix}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "at most 500 characters" in html and 'name="q"' in html
    assert len(comparisons) <= 6 * PER_NAME, f"{len(comparisons):,} string comparisons"


def test_six_made_up_slugs_at_the_length_limit(crowded, comparisons):
    """Six 80-character slugs (the longest an address may be): a 404 page with
    suggestions, for at most PER_NAME comparisons a name among 3,000 titles."""
    spec = spec_of(80)
    assert len(spec) <= 500
    response = crowded.get(f"/compare/{spec}")
    assert response.status_code == 404
    assert "Some of these entries do not exist." in response.get_data(as_text=True)
    assert len(comparisons) <= 6 * PER_NAME, f"{len(comparisons):,} string comparisons"


def test_a_300_character_compare_query(crowded, comparisons):
    """Six made-up names filling the compare box (300 characters): a page of suggestions."""
    rng = random.Random(3)
    q = " vs ".join(made_up(rng, 50).replace("-", " ") for _ in range(6))[:300]
    assert len(q) == 300
    response = crowded.get("/compare", query_string={"q": q})
    assert response.status_code == 200
    assert "We could not find everything you asked for." in response.get_data(as_text=True)
    assert len(comparisons) <= 6 * PER_NAME, f"{len(comparisons):,} string comparisons"


def test_made_up_names_cost_the_store_no_scan(crowded, monkeypatch):
    """A title prefix or keyword no entry has is not looked up in the store (on the
    embedded store each look-up tests every entry); real ones still are."""
    looked_up = []
    for method in ("title_prefix", "search"):
        original = getattr(EntryRepository, method)
        monkeypatch.setattr(EntryRepository, method, lambda self, *args, _m=method,
                            _original=original, **kw: looked_up.append(_m) or
                            _original(self, *args, **kw))
    rng = random.Random(5)
    q = " vs ".join(made_up(rng, 40).replace("-", " ") for _ in range(6))
    assert crowded.get("/compare", query_string={"q": q}).status_code == 200
    assert looked_up == []
    response = crowded.get("/compare", query_string={"q": "Pixel 8 vs iphone 15 pro ma"})
    assert response.headers["Location"] == "/compare/google-pixel-8-vs-iphone-15-pro-max"
    assert looked_up == ["search", "title_prefix", "search"]  # no title starts "pixel 8"


def test_typos_still_find_their_titles_among_3000(crowded, comparisons):
    """The bounded search suggests what the old one did for ordinary typos."""
    html = crowded.get("/compare", query_string={"q": "Googel Pixle 8 vs iPhnoe 15"}) \
        .get_data(as_text=True)
    assert 'href="/entries/google-pixel-8"' in html and 'href="/entries/iphone-15"' in html
    assert 'href="/compare/google-pixel-8-vs-iphone-15"' in html
    response = crowded.get("/compare/google-pixel-8-vs-samsung-galaxy-s24-ulta")
    assert response.status_code == 404
    assert 'href="/compare/google-pixel-8-vs-samsung-galaxy-s24-ultra"' in \
        response.get_data(as_text=True)
    assert len(comparisons) <= 4 * PER_NAME


def test_the_api_comparison_of_long_made_up_slugs(crowded, comparisons):
    """The API's comparison names the first missing slug at once, without suggestions."""
    response = crowded.get("/api/v1/compare", query_string={
        "entries": ",".join(spec_of(600).split("-vs-"))})
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert comparisons == []
