"""Home, explore, category, search, random entry, recent changes and the error pages."""

from __future__ import annotations

import re
import time

import pytest

ENTRY_LINK = re.compile(r'class="stretched-link" href="/entries/([^"]+)"')
XSS = '"><img src=x onerror=alert(1)><script>alert(1)</script>'


def slugs_on(response) -> list[str]:
    """The entry slugs a listing shows, in order."""
    return ENTRY_LINK.findall(response.get_data(as_text=True))


@pytest.fixture
def many(phones, wiki):
    """30 phones ("Phone 00" … "Phone 29") and 2 laptops, each created by alice."""
    for n in range(30):
        wiki.create_entry("alice", title=f"Phone {n:02d}", category="phones",
                          summary=f"Phone number {n}")
    for name in ("Laptop One", "Laptop Two"):
        wiki.create_entry("bob", title=name, category="laptops", comment="first draft")
    return phones


def test_home_has_the_compare_box_and_the_sections(client, many, repos):
    """The compare box posts ``q`` to /compare with autocomplete; sections link onwards."""
    repos.comparisons.record_view("laptop-one-vs-laptop-two", ["laptop-one", "laptop-two"])
    html = client.get("/").get_data(as_text=True)
    form = re.search(r'<form class="home-compare[^>]*>.*?</form>', html, re.S).group(0)
    assert 'action="/compare"' in form and 'method="get"' in form
    assert 'name="q"' in form and 'data-autocomplete="compare"' in form
    assert "iPhone 15 vs Pixel 8" in form
    assert 'href="/compare/laptop-one-vs-laptop-two"' in html
    assert "Laptop One" in html and "Laptop Two" in html  # titles, not slugs
    assert 'href="/categories/phones"' in html and "30 entries" in html
    assert 'href="/categories/laptops"' in html and "2 entries" in html
    assert 'href="/random"' in html
    assert len(slugs_on(client.get("/"))) == 12


def test_home_on_an_empty_wiki(client):
    """A new wiki says there is nothing yet instead of failing."""
    response = client.get("/")
    assert response.status_code == 200
    assert "No entries yet." in response.get_data(as_text=True)


def test_entry_cards_show_the_image_attribute(seeded_app):
    """Cards show an entry's image (its ``image`` attribute) above its linked title."""
    entry = seeded_app.extensions["pkyx.repos"].entries.get("pixel-8")
    html = seeded_app.test_client().get("/categories/phones?view=cards").get_data(as_text=True)
    card = re.search(r'<article class="card entry-card[^"]*">(?:(?!</article>).)*'
                     r'href="/entries/pixel-8".*?</article>', html, re.S).group(0)
    assert f'src="{entry["attributes"]["image"]["value"]}"' in card


@pytest.mark.parametrize("sort, first", [("title", "phone-00"), ("-title", "phone-29"),
                                         (None, "phone-00"), ("bogus", "phone-00")])
def test_explore_sorts_by_title(client, many, sort, first):
    """Explore sorts A–Z by default, Z–A on request; unknown sorts fall back to A–Z."""
    response = client.get("/explore", query_string={"sort": sort} if sort else {})
    assert response.status_code == 200
    slugs = slugs_on(response)
    assert len(slugs) == 24
    if sort == "-title":
        assert slugs[0] == "phone-29" and slugs == sorted(slugs, reverse=True)
    else:
        assert slugs[:2] == ["laptop-one", "laptop-two"] and slugs[2] == first


def test_explore_sorts_by_last_update(client, many, wiki):
    """"Recently updated" puts the entry edited last first."""
    # Times are kept to the millisecond (as MongoDB keeps them): let one pass since the
    # last creation, or the edit ties with it and the tie-break (_id) decides.
    time.sleep(0.002)
    wiki.edit_entry("alice", "phone-07", 1, fields={"summary": "Edited just now"})
    slugs = slugs_on(client.get("/explore?sort=updated"))
    assert slugs[0] == "phone-07"
    html = client.get("/explore?sort=updated").get_data(as_text=True)
    assert re.search(r'class="btn btn-outline-secondary active"\s+href="[^"]*sort=updated', html)


def test_explore_pages_by_24(client, many):
    """32 entries make two pages: 24, then 8; the pagination links keep the sort."""
    first = client.get("/explore?sort=-title")
    html = first.get_data(as_text=True)
    assert "1–24 of 32 entries" in html
    assert 'href="/explore?sort=-title&amp;page=2"' in html
    second = client.get("/explore?sort=-title&page=2")
    assert len(slugs_on(second)) == 8
    assert set(slugs_on(first)).isdisjoint(slugs_on(second))
    assert "25–32 of 32 entries" in second.get_data(as_text=True)


@pytest.mark.parametrize("page", ["0", "-3", "abc", "1e9"])
def test_odd_page_numbers_show_the_first_page(client, many, page):
    """Unreadable or too small page numbers fall back to the first page."""
    response = client.get("/explore", query_string={"page": page})
    assert response.status_code == 200 and len(slugs_on(response)) == 24


def test_a_page_past_the_end_says_so(client, many):
    """A page beyond the last shows a message and a link back, not an error."""
    response = client.get("/explore?page=9")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and slugs_on(response) == []
    assert "empty-listing" in html and 'href="/explore"' in html


def test_category_lists_only_its_entries(client, many):
    """A category page shows its own entries, sorted and paged like explore."""
    response = client.get("/categories/laptops?sort=-title")
    assert response.status_code == 200
    assert slugs_on(response) == ["laptop-two", "laptop-one"]
    assert len(slugs_on(client.get("/categories/phones?page=2"))) == 6


def test_empty_and_unknown_categories(client, phones):
    """An empty category says so; an unknown one is a 404 page."""
    response = client.get("/categories/laptops")
    assert "There are no entries in this category yet." in response.get_data(as_text=True)
    assert client.get("/categories/nope").status_code == 404


def test_search_finds_by_word_prefix_and_sorts(client, many):
    """Every word must start a word of the title or summary; sorting applies."""
    response = client.get("/search?q=lapt")
    assert slugs_on(response) == ["laptop-one", "laptop-two"]
    assert slugs_on(client.get("/search?q=lapt&sort=-title")) == ["laptop-two", "laptop-one"]
    assert slugs_on(client.get("/search?q=laptop+two")) == ["laptop-two"]
    assert len(slugs_on(client.get("/search?q=phone"))) == 24
    assert len(slugs_on(client.get("/search?q=phone&page=2"))) == 6


def test_search_without_results_says_so(client, many):
    """No match is a friendly message with the query escaped, status 200."""
    response = client.get("/search", query_string={"q": "zzz " + XSS})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and slugs_on(response) == []
    assert "Nothing matches" in html
    assert "<script>alert(1)</script>" not in html and "onerror=alert(1)>" not in html
    assert "&lt;script&gt;" in html


def test_search_without_a_query_asks_for_one(client, many):
    """An empty query lists nothing and explains what to type."""
    response = client.get("/search?q=")
    assert response.status_code == 200 and slugs_on(response) == []
    assert "Type a few words" in response.get_data(as_text=True)


def test_random_goes_to_an_entry(client, many):
    """/random redirects to an existing entry's page."""
    response = client.get("/random")
    assert response.status_code == 302
    slug = response.headers["Location"].removeprefix("/entries/")
    assert re.fullmatch(r"(phone-\d\d|laptop-(one|two))", slug)


def test_random_on_an_empty_wiki_goes_home(client):
    """Without entries /random goes home and says why."""
    response = client.get("/random", follow_redirects=True)
    assert response.request.path == "/"
    assert "There are no entries yet." in response.get_data(as_text=True)


def test_recent_changes_list_who_did_what(client, many, wiki):
    """Recent changes: time, entry link, user link, action and comment, newest first."""
    wiki.edit_entry("carol", "laptop-one", 1, fields={"summary": XSS}, comment=XSS)
    html = client.get("/recent").get_data(as_text=True)
    rows = re.findall(r"<tr>.*?</tr>", html.split("<tbody>")[1], re.S)
    assert len(rows) == 24
    newest = rows[0]
    assert 'href="/entries/laptop-one"' in newest and 'href="/users/carol"' in newest
    assert "edited" in newest and "<time datetime=" in newest
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in newest
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "created" in rows[1] and "first draft" in rows[1]


def test_recent_changes_are_paged(client, many):
    """33 revisions: 24 on page one with a next link, 9 on page two without one."""
    html = client.get("/recent").get_data(as_text=True)
    assert 'href="/recent?page=2" rel="next"' in html
    second = client.get("/recent?page=2").get_data(as_text=True)
    assert len(re.findall(r"<tr>", second.split("<tbody>")[1])) == 32 - 24
    assert 'rel="next"' not in second and 'href="/recent?page=1" rel="prev"' in second


def test_recent_changes_on_an_empty_wiki(client):
    """No revisions yet: a message."""
    assert "No changes yet." in client.get("/recent").get_data(as_text=True)


def test_pages_are_translated(client, many):
    """The listing chrome follows the chosen language."""
    html = client.get("/explore?lang=zh_Hans").get_data(as_text=True)
    assert 'lang="zh-Hans"' in html


# -- error pages ---------------------------------------------------------------------------


def in_layout(html: str) -> bool:
    """Whether a page has the site's header, footer and main landmark."""
    return all(part in html for part in ('<header class="navbar', '<main id="content"',
                                         "<footer", 'action="/search"'))


def test_404_page_is_in_the_layout(client):
    """An unknown path: 404, friendly text, links home and a search box."""
    response = client.get("/no/such/page")
    html = response.get_data(as_text=True)
    assert response.status_code == 404 and in_layout(html)
    assert "Page not found" in html and 'href="/"' in html and 'id="error-search"' in html


def test_500_page_hides_the_details(app, client):
    """A bug answers a 500 page in the layout without the exception's text."""

    @app.get("/explode")
    def explode():
        raise RuntimeError("secret internals")

    response = client.get("/explode")
    html = response.get_data(as_text=True)
    assert response.status_code == 500 and in_layout(html)
    assert "Something went wrong" in html and "secret internals" not in html


@pytest.mark.parametrize("code, text", [(400, "could not be understood"), (403, "cannot do that"),
                                        (413, "too large"), (429, "Slow down"),
                                        (503, "Back in a moment")])
def test_other_error_pages(app, client, code, text):
    """Each status has its own friendly title, in the layout."""
    from flask import abort

    @app.get("/fail")
    def fail():
        abort(code)

    response = client.get("/fail")
    html = response.get_data(as_text=True)
    assert response.status_code == code and in_layout(html) and text in html


def test_json_clients_still_get_problems(client):
    """Asking for JSON gives problem+json, not the page."""
    response = client.get("/no/such/page", headers={"Accept": "application/json"})
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
