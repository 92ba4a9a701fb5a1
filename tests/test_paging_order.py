"""Paging: through ties every entry shows up once, and no listing pages deeper than 10,000.

MongoDB returns documents that tie on every sort key in any order, and the order may
change between the query for page 1 and the query for page 2; mongomock's sort is
stable, so a missing tie-break never showed. The test suite's embedded store shuffles
ties (``EMBEDDED_ANY_ORDER``), and here 60 entries share a title, a category and their
timestamps, so every listing is all ties.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from app.repositories.base import total_order

N = 60
ENTRY_LINK = re.compile(r'class="stretched-link" href="/entries/([^"]+)"')
ROW_ENTRY = re.compile(r'<tr>.*?href="/entries/([^"/]+)"', re.S)


@pytest.fixture
def twins(phones, wiki, repos):
    """60 phones titled "Same Phone", created, updated and revised at one moment."""
    for n in range(N):
        wiki.create_entry("tester", title="Same Phone", slug=f"same-{n:02d}",
                          category="phones", summary="twin")
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    db = repos.store.db
    db.entries.update_many({}, {"$set": {"updated_at": moment, "created_at": moment}})
    db.revisions.update_many({}, {"$set": {"at": moment}})
    return [f"same-{n:02d}" for n in range(N)]


def _pages(client, path: str, find) -> list[str]:
    seen: list[str] = []
    joiner = "&" if "?" in path else "?"
    for page in range(1, 20):
        found = find(client.get(f"{path}{joiner}page={page}").get_data(as_text=True))
        if not found:
            break
        seen += found
    return seen


@pytest.mark.parametrize("path", ["/explore", "/explore?sort=-title", "/explore?sort=updated",
                                  "/categories/phones", "/categories/phones?sort=updated",
                                  "/search?q=same", "/search?q=same&sort=-title"])
def test_listing_pages_show_each_tied_entry_once(client, twins, path):
    assert sorted(_pages(client, path, ENTRY_LINK.findall)) == twins


def test_recent_changes_show_each_tied_revision_once(client, twins):
    seen = _pages(client, "/recent",
                  lambda html: ROW_ENTRY.findall(html.split("<tbody>")[1]) if "<tbody>" in html
                  else [])
    assert sorted(seen) == twins


@pytest.mark.parametrize("sort", [None, "title", "-title", "category", "-updated_at",
                                  "created_by,-title"])
def test_api_pages_show_each_tied_entry_once(client, twins, sort):
    seen = []
    for page in range(1, 20):
        query = {"per_page": 7, "page": page, "fields": "slug"}
        if sort:
            query["sort"] = sort
        items = client.get("/api/v1/entries", query_string=query).get_json()["_items"]
        if not items:
            break
        seen += [item["slug"] for item in items]
    assert sorted(seen) == twins


@pytest.mark.parametrize("sort, total", [
    ([("title_key", 1)], [("title_key", 1), ("_id", 1)]),
    ([("updated_at", -1)], [("updated_at", -1), ("_id", -1)]),
    ([("a", 1), ("_id", -1)], [("a", 1), ("_id", -1)]),
])
def test_total_order_ends_with_id_in_the_last_keys_direction(sort, total):
    """The direction follows the last key, so one index ({updated_at: -1, _id: -1}) serves it."""
    assert total_order(sort) == total


@pytest.fixture
def deep(monkeypatch, twins):
    """The 60 twins with the paging limit at 20 items, so that 40 lie past it."""
    from app.domain import paging

    monkeypatch.setattr(paging, "MAX_OFFSET", 20)
    return twins


def test_the_api_refuses_a_page_past_the_limit_and_names_it(client, deep):
    first = client.get("/api/v1/entries", query_string={"per_page": 5, "page": 4})
    assert first.status_code == 200
    assert first.headers["X-Total-Count"] == "60"  # the total stays true
    links = first.get_json()["_links"]
    assert "page=4" in links["last"]["href"] and "next" not in links
    refused = client.get("/api/v1/entries", query_string={"per_page": 5, "page": 5})
    assert refused.status_code == 400
    problem = refused.get_json()
    assert "first 20 items" in problem["detail"] and "page" in problem["errors"]
    users = client.get("/api/v1/users", query_string={"per_page": 10, "page": 3})
    assert users.status_code == 400 and "first 20 items" in users.get_json()["detail"]


def test_pages_stop_at_the_limit_and_say_so(client, deep, monkeypatch):
    from app.domain import paging

    monkeypatch.setattr(paging, "MAX_OFFSET", 48)  # 24 a page: 2 of the 3 pages
    html = client.get("/explore?page=2").get_data(as_text=True)
    assert 'href="/explore?page=3"' not in html and 'rel="next"' not in html
    assert "Only the first 48 are paged" in html
    deepest = client.get("/explore?page=99").get_data(as_text=True)
    assert len(ENTRY_LINK.findall(deepest)) == 24  # the deepest page there is, not none
    assert 'aria-current="page"><span class="page-link">2<' in deepest


def test_one_page_rule_for_every_list(client):
    """The entry list (filter language) and the other lists read pages by one rule
    (``paging.read_paging``); each words its refusal as it always has."""
    from app.domain.paging import read_paging

    assert read_paging(None, None) == (1, 25, {})
    assert read_paging("3", "10") == (3, 10, {})
    assert read_paging("abc", "0") == (None, None, {
        "per_page": "per_page must be a whole number from 1 to 100",
        "page": "page must be a whole number from 1 to 400 at this per_page: a listing pages "
                "through its first 10,000 items (narrow it with a filter, or sort it the other "
                "way)"})
    users = client.get("/api/v1/users?per_page=0&page=x").get_json()
    assert users["errors"] == {
        "per_page": "per_page must be a whole number from 1 to 100.",
        "page": "page must be a whole number from 1 to 400 at this per_page: a listing pages "
                "through its first 10,000 items (narrow it with a filter, or sort it the other "
                "way)."}
    twice = client.get("/api/v1/users?per_page=5&per_page=6").get_json()
    assert twice["errors"] == {"per_page": "per_page must be a whole number from 1 to 100."}
    entries = client.get("/api/v1/entries?per_page=0").get_json()
    assert entries["errors"] == {
        "per_page": 'per_page must be a whole number from 1 to 100; "0" is not.'}
