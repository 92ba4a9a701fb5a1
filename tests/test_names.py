"""Finding entries by the names people type (app/services/names.py): the compare box's use
case, called here without a page."""

from __future__ import annotations

import pytest

from app.services.names import SUGGEST_LIMIT, split_names


@pytest.fixture
def names(app, wiki, phones):
    for title in ("Google Pixel 8", "Google Pixel 8 Pro", "iPhone 15", "iPhone 15 Plus",
                  "Galaxy S24"):
        wiki.create_entry("tester", title=title, category="phones")
    return app.extensions["pkyx.names"]


def test_split_names_reads_every_separator():
    assert split_names("iPhone 15 vs. Pixel 8 PK Galaxy versus  Nokia vs ") == [
        "iPhone 15", "Pixel 8", "Galaxy", "Nokia"]
    assert split_names("Vsmart Joy vs Pkphone") == ["Vsmart Joy", "Pkphone"]


@pytest.mark.parametrize(("typed", "slug"), [
    ("iphone-15", "iphone-15"),            # a slug
    ("IPHONE 15", "iphone-15"),            # a title, any case (its slug)
    ("iPhone 15 Pl", "iphone-15-plus"),    # the one title starting so
    ("Pixel 8", "google-pixel-8"),         # keywords: the title adding the fewest words
    ("galaxy", "galaxy-s24"),              # the only title with that word
    ("iPhone", "iphone-15"),               # "iPhone 15" adds one word, "… Plus" two
])
def test_a_name_resolves_to_the_entry_a_person_meant(names, typed, slug):
    resolution = names.resolve(typed)
    assert resolution.name == typed
    assert resolution.entry is not None and resolution.entry["slug"] == slug
    assert resolution.suggestions == []


def test_a_name_that_is_no_entry_gets_look_alike_titles(names):
    resolution = names.resolve("Pixle 8")
    assert resolution.entry is None
    assert "google-pixel-8" in [doc["slug"] for doc in resolution.suggestions]
    assert names.resolve("zzqx").suggestions == []


def test_an_ambiguous_name_is_no_entry(names, wiki):
    """Two titles that add as many words to "galaxy": neither is chosen for the reader."""
    wiki.create_entry("tester", title="Galaxy A55", category="phones")
    resolution = names.resolve("galaxy")
    assert resolution.entry is None
    assert {"galaxy-s24", "galaxy-a55"} <= {doc["slug"] for doc in resolution.suggestions}


def test_slugs_of_an_address_resolve_in_order(names):
    first, second = names.resolve_slugs(["galaxy-s24", "pixle-8"])
    assert first.entry["slug"] == "galaxy-s24"
    assert second.entry is None
    assert "google-pixel-8" in [doc["slug"] for doc in second.suggestions]


def test_autocomplete_takes_prefixes_then_words_each_once(names, wiki):
    assert [doc["slug"] for doc in names.suggest("iph")] == ["iphone-15", "iphone-15-plus"]
    assert [doc["slug"] for doc in names.suggest("pro")] == ["google-pixel-8-pro"]
    for number in range(SUGGEST_LIMIT + 2):
        wiki.create_entry("tester", title=f"Pixel {number} XL", category="phones")
    assert len(names.suggest("pixel")) == SUGGEST_LIMIT
