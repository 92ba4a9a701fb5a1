"""The minimal pages: home, health, images from GridFS, error pages."""

from __future__ import annotations

import pytest


@pytest.fixture
def seeded_client(seeded_app):
    return seeded_app.test_client()


def test_home_shows_the_demo(seeded_client):
    """The home page lists categories and recent entries and names the embedded store."""
    response = seeded_client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for text in ("Phones", "Laptops", "CPUs", "embedded demo store"):
        assert text in html
    assert "48 entries · 4 categories" in html


def test_healthz(client):
    """/healthz answers JSON saying the process is alive and which store it uses."""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "store": "embedded"}


def test_images_are_served_with_validators(seeded_app, seeded_client):
    """A seeded entry image comes from GridFS with type, ETag, caching and nosniff; 304 works."""
    entry = seeded_app.extensions["pkyx.repos"].entries.get("pixel-8")
    url = entry["attributes"]["image"]["value"]
    response = seeded_client.get(url)
    assert response.status_code == 200 and response.mimetype in ("image/webp", "image/png")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "immutable" in response.headers["Cache-Control"]
    again = seeded_client.get(url, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


@pytest.mark.parametrize("path", ["/media/images/nope", "/media/images/" + "0" * 24, "/missing"])
def test_missing_things_get_the_404_page(client, path):
    """Unknown ids and paths answer a 404 page in the layout, not a traceback."""
    response = client.get(path)
    assert response.status_code == 404
    assert "404" in response.get_data(as_text=True) and "pkyx" in response.get_data(as_text=True)


def test_domain_not_found_becomes_404(app, client):
    """A NotFound raised by a service in a view renders the 404 page with its message."""
    from app.domain.errors import NotFound

    @app.get("/boom")
    def boom():
        raise NotFound("Entry", "zzz")

    response = client.get("/boom")
    assert response.status_code == 404 and "zzz" in response.get_data(as_text=True)


def test_home_counts_use_plural_forms(client, wiki, phones):
    """One entry is "1 entry", not "1 entries" (ngettext), with two categories counted."""
    wiki.create_entry("alice", title="Solo Phone", category="phones")
    html = client.get("/").get_data(as_text=True)
    assert "1 entry · 2 categories" in html
