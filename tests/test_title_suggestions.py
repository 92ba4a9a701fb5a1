"""The suggestion service keeps one index of every title and knows when to read it again."""

from __future__ import annotations

import pytest

from app.services.suggestions import MAX_AGE, TitleSuggestions


class Clock:
    """A monotonic clock the test moves."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def suggestions(repos, wiki, phones, monkeypatch):
    """A TitleSuggestions on a fake clock, and the list of times it read the titles."""
    for title in ("Alpha Phone", "Beta Phone"):
        wiki.create_entry("tester", title=title, category="phones")
    service = TitleSuggestions(repos, clock=Clock())
    service.reads = []
    original = repos.entries.titles
    monkeypatch.setattr(repos.entries, "titles", lambda: service.reads.append(1) or original())
    return service


def slugs(found: list[dict]) -> list[str]:
    return [doc["slug"] for doc in found]


def test_the_index_is_read_once_and_kept(suggestions, repos):
    assert slugs(suggestions.closest("Betta Phnoe")) == ["beta-phone"]
    assert slugs(suggestions.closest("Alpah Phone")) == ["alpha-phone"]
    entry = repos.entries.find_slug("beta-phone")
    repos.entries.add_view(entry["_id"])  # a view is no change of title
    suggestions.closest("Gama Phone")
    assert suggestions.reads == [1]


def test_an_entry_written_here_is_suggested_at_once(suggestions, wiki):
    assert suggestions.closest("Quokka Camera") == []
    wiki.create_entry("tester", title="Quokka Camera", category="phones")
    assert slugs(suggestions.closest("Qukoka Camrea")) == ["quokka-camera"]
    entry = wiki.repos.entries.find_slug("quokka-camera")
    wiki.edit_entry("tester", "quokka-camera", entry["version"],
                    fields={"title": "Wombat Tablet"})
    assert suggestions.closest("Qukoka Camrea") == []
    assert slugs(suggestions.closest("Wombta Tablet")) == ["quokka-camera"]
    entry = wiki.repos.entries.find_slug("quokka-camera")
    wiki.delete_entry("tester", "quokka-camera", entry["version"])
    assert suggestions.closest("Wombta Tablet") == []
    assert len(suggestions.reads) == 4


def test_what_another_process_wrote_is_read_within_max_age(suggestions, repos):
    """An import or another worker writes past this process's repository."""
    suggestions.closest("anything")
    repos.entries.col.insert_one({"slug": "quokka-camera", "title": "Quokka Camera",
                                  "title_key": "quokka camera", "category": "phones"})
    assert suggestions.closest("Qukoka Camrea") == []
    suggestions._clock.now += MAX_AGE
    assert slugs(suggestions.closest("Qukoka Camrea")) == ["quokka-camera"]


def test_the_wiki_answers_from_its_suggestions(wiki, phones):
    wiki.create_entry("tester", title="Beta Phone", category="phones")
    assert slugs(wiki.closest_titles("betta phnoe")) == ["beta-phone"]
