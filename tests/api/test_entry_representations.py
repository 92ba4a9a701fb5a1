"""Entry representations made once per version (app/api/representations.py, issue 15):
every answer is what rendering the entry afresh gives, whatever changed in between."""

from __future__ import annotations

from app.api.representations import EntryRepresentations, entry_etag, entry_json

API = "/api/v1"


def fresh(app, slug: str) -> dict:
    """The entry's representation rendered now, without anything kept."""
    repos = app.extensions["pkyx.repos"]
    with app.test_request_context():
        doc = repos.entries.get(slug)
        return entry_json(doc, repos.definitions.snapshot()[1]) | {"etag": entry_etag(doc)}


def test_list_and_item_answer_what_a_fresh_rendering_gives(app, client, make_entry):
    for n in range(7):
        make_entry(f"Phone {n}", attributes={"weight": f"{150 + n} g", "five_g": n % 2 == 0,
                                             "stars": 1 + n % 5})
    for _ in range(2):  # made, then kept
        page = client.get(f"{API}/entries?category=phones&sort=-attr.weight&per_page=5")
        items = page.get_json()["_items"]
        assert [item["slug"] for item in items] == [f"phone-{n}" for n in (6, 5, 4, 3, 2)]
        for item in items:
            expected = fresh(app, item["slug"])
            expected.pop("etag")
            assert item == expected
        one = client.get(f"{API}/entries/phone-3")
        assert one.get_json() | {"etag": one.headers["ETag"].strip('"')} == fresh(app, "phone-3")


def test_fields_pick_from_the_kept_representation(client, entry):
    client.get(f"{API}/entries?category=phones")  # made and kept
    items = client.get(f"{API}/entries?category=phones&fields=title,version").get_json()["_items"]
    assert items == [{"id": entry["id"], "title": "Pixel 8", "version": 1,
                      "_links": entry["_links"]}]


def test_an_edit_is_seen_at_once(client, entry, user):
    client.get(f"{API}/entries/pixel-8")
    client.get(f"{API}/entries?category=phones")
    changed = client.patch(f"{API}/entries/pixel-8", json={"attributes": {"weight": "190 g"}},
                           headers={**user.bearer, "If-Match": entry["etag"]})
    assert changed.status_code == 200
    item = client.get(f"{API}/entries/pixel-8")
    assert item.get_json()["attributes"]["weight"]["text"] == "190 g"
    assert item.headers["ETag"] == changed.headers["ETag"] != entry["etag"]
    listed = client.get(f"{API}/entries?category=phones").get_json()["_items"][0]
    assert listed["version"] == 2 and listed["attributes"]["weight"]["text"] == "190 g"


def test_protection_changes_the_answer_though_not_the_version(app, client, entry):
    before = client.get(f"{API}/entries/pixel-8")
    client.get(f"{API}/entries?category=phones")
    repos = app.extensions["pkyx.repos"]
    repos.entries.set_protection(repos.entries.get("pixel-8")["_id"],
                                 {"by": "boss", "at": None, "reason": "vandals"})
    after = client.get(f"{API}/entries/pixel-8")
    assert after.get_json()["protected"] is True and after.get_json()["version"] == 1
    assert after.headers["ETag"] != before.headers["ETag"]
    assert client.get(f"{API}/entries/pixel-8",
                      headers={"If-None-Match": before.headers["ETag"]}).status_code == 200
    assert client.get(f"{API}/entries?category=phones").get_json()["_items"][0]["protected"]


def test_links_follow_the_path_the_app_is_mounted_at(client, entry):
    plain = client.get(f"{API}/entries/pixel-8").get_json()["_links"]["self"]["href"]
    mounted = client.get(f"{API}/entries/pixel-8", environ_overrides={"SCRIPT_NAME": "/wiki"})
    assert plain == "/api/v1/entries/pixel-8"
    assert mounted.get_json()["_links"]["self"]["href"] == "/wiki/api/v1/entries/pixel-8"
    listed = client.get(f"{API}/entries", environ_overrides={"SCRIPT_NAME": "/wiki"})
    assert listed.get_json()["_items"][0]["_links"]["self"]["href"].startswith("/wiki/")
    assert client.get(f"{API}/entries/pixel-8").get_json()["_links"]["self"]["href"] == plain


def test_a_change_of_definitions_starts_afresh(app):
    kept = EntryRepresentations()
    doc = {"_id": 1, "version": 1, "slug": "x", "title": "X", "category": "c",
           "attributes": {"n": {"value": 1}}}
    with app.test_request_context():
        definitions = app.extensions["pkyx.repos"].definitions.snapshot()[0]
        first = kept.basis(definitions)
        assert kept.basis(definitions) is first
        assert kept.basis(tuple(definitions)) is first  # an equal reading shares the token
        made = kept.render(first, doc, {})
        assert kept.get(first, (1, 1, False)) is made
        other = kept.basis(("something else",))
        assert other is not first
        assert kept.get(other, (1, 1, False)) is None
        assert kept.get(first, (1, 1, False)) is None  # nothing made before is handed out


def test_a_page_leaves_out_what_was_deleted_meanwhile_and_shows_changes(app):
    kept = EntryRepresentations()
    docs = {n: {"_id": n, "version": 2, "slug": f"e{n}", "title": f"E{n}", "category": "c"}
            for n in (1, 3)}
    with app.test_request_context():
        basis = kept.basis(())
        shown = kept.page(basis, [(1, 1, False), (2, 1, False), (3, 2, False)],
                          lambda ids: {n: docs[n] for n in ids if n in docs}, {})
    assert [item.data["slug"] for item in shown] == ["e1", "e3"]
    assert [item.data["version"] for item in shown] == [2, 2]  # e1 as it is now
