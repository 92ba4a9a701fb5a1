"""Issue 13's pages through the test client: categories, creating, editing the entry,
deleting and restoring it, the replace question, recent changes — refusals included,
each keeping what was typed."""

from __future__ import annotations

import io
import re
from html import unescape

import pytest
from PIL import Image

from app.services import AttributeInput

JSON = {"Accept": "application/json"}
PASSWORD = "correct horse battery"


def csrf_of(html: str) -> str:
    return re.search(r'(?:name="csrf-token" content|name="csrf_token"[^>]*value)="([^"]+)"',
                     html).group(1)


def log_in(client, name: str) -> str:
    """Log ``name`` in through the form; returns a CSRF token of the session."""
    token = csrf_of(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"csrf_token": token, "login": name,
                                           "password": PASSWORD})
    assert response.status_code == 302
    return csrf_of(client.get("/").get_data(as_text=True))


@pytest.fixture
def people(accounts, phones):
    accounts.register("alice", "alice@example.org", PASSWORD)
    accounts.create_admin("boss", "boss@example.org", PASSWORD)
    return phones


@pytest.fixture
def editor(client, people):
    return log_in(client, "alice")


@pytest.fixture
def admin(client, people):
    return log_in(client, "boss")


@pytest.fixture
def pixel(wiki, people, repos):
    repos.categories.upsert("phones", "Phones", "Smartphones", name_zh="手机",
                            attributes=[{"key": "weight"}, {"key": "screen"}])
    return wiki.create_entry("alice", title="Pixel 8", category="phones",
                             attributes=[AttributeInput("weight", "187 g")])


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def main_of(response) -> str:
    """The page's <main>, without the header's examples ("iPhone 15 vs Pixel 8")."""
    return text(response).split("<main", 1)[1].split("</main>", 1)[0]


# -- categories ------------------------------------------------------------------------------


def test_categories_index_is_a_tree(client, categories_made):
    html = main_of(client.get("/categories"))
    assert html.index("Laptops") < html.index("Phones") < html.index("Foldables")
    assert html.index("Foldables") > html.index('<ul class="category-tree list-unstyled ms-3')
    assert 'href="/categories/new"' not in html  # anonymous: a login hint instead


@pytest.fixture
def categories_made(people, categories):
    categories.create("alice", {"name": "Foldables", "parent": "phones"})
    return categories


@pytest.fixture
def categories(app):
    return app.extensions["pkyx.categories"]


def test_create_a_category_from_the_form(client, editor, repos):
    response = client.post("/categories/new", data={
        "csrf_token": editor, "name": "Foldables", "name_zh": "折叠屏", "parent": "phones",
        "description": "Fold.", "attributes": "weight\nScreen size: Inside"})
    assert response.status_code == 302 and response.location.endswith("/categories/foldables")
    doc = repos.categories.get("foldables")
    assert doc["attributes"] == [{"key": "weight"}, {"key": "screen", "group": "Inside"}]
    assert (doc["parent"], doc["name_zh"], doc["created_by"]) == ("phones", "折叠屏", "alice")


@pytest.mark.parametrize(("data", "status", "message"), [
    ({"name": "", "description": "Kept text"}, 400, "Name must not be empty."),
    ({"name": "Tablets", "description": "Kept text", "attributes": "weight\nsparkle"}, 400,
     "“sparkle” is not an attribute yet"),
    ({"name": "Phones", "description": "Kept text"}, 409, "already exists"),
    ({"name": "Tablets", "description": "Kept text", "parent": "nowhere"}, 400,
     "no category 'nowhere'"),
])
def test_a_refused_category_keeps_what_was_typed(client, editor, data, status, message):
    response = client.post("/categories/new", data={"csrf_token": editor, **data})
    assert response.status_code == status
    html = text(response)
    assert message in html and "Kept text" in html


def test_editors_change_descriptions_admins_rename(client, people, categories):
    token = log_in(client, "alice")
    page = text(client.get("/categories/phones/edit"))
    assert "Only administrators rename or move a category." in page and "<fieldset disabled" in page
    response = client.post("/categories/phones/edit", data={
        "csrf_token": token, "version": 1, "name": "Mobiles", "description": "New words.",
        "attributes": "weight"})
    assert response.status_code == 302
    doc = categories.get("phones")
    assert (doc["name"], doc["description"], doc["version"]) == ("Phones", "New words.", 2)
    stale = client.post("/categories/phones/edit", data={
        "csrf_token": token, "version": 1, "description": "Mine.", "attributes": ""})
    assert stale.status_code == 409 and "Someone else changed this category" in text(stale)
    assert "Mine." in text(stale)
    assert re.search(r'<input[^>]*name="version"[^>]*value="2"', text(stale))  # save again
    client.post("/logout", data={"csrf_token": token})
    token = log_in(client, "boss")
    response = client.post("/categories/phones/edit", data={
        "csrf_token": token, "version": 2, "name": "Mobiles", "name_zh": "手机",
        "description": "New words.", "attributes": "weight", "parent": ""})
    assert response.status_code == 302 and categories.get("phones")["name"] == "Mobiles"
    unreadable = client.post("/categories/phones/edit", data={"csrf_token": token})
    assert unreadable.status_code == 400


def test_admins_merge_and_delete_from_the_pages(client, people, categories, wiki, repos):
    categories.create("alice", {"name": "Old phones"})
    wiki.create_entry("alice", title="Nokia", category="old-phones")
    token = log_in(client, "alice")
    refused = client.post("/categories/old-phones/merge", data={
        "csrf_token": token, "version": 1, "into": "phones"})
    assert refused.status_code == 302
    assert repos.entries.get("nokia")["category"] == "old-phones"
    assert client.get("/categories/old-phones/delete").status_code == 403
    client.post("/logout", data={"csrf_token": token})
    token = log_in(client, "boss")
    page = text(client.get("/categories/old-phones/edit"))
    assert "Merge into another category" in page
    merged = client.post("/categories/old-phones/merge", data={
        "csrf_token": token, "version": 1, "into": "phones"})
    assert merged.location.endswith("/categories/phones")
    assert repos.entries.get("nokia")["category"] == "phones"
    bad = client.post("/categories/phones/merge", data={"csrf_token": token, "into": "x"})
    assert bad.status_code == 302  # back to the edit page, the reason flashed
    assert "could not be read" in text(client.get("/categories/phones/edit"))
    asked = client.get("/categories/laptops/delete")
    assert asked.status_code == 200 and "Delete Laptops?" in text(asked)
    busy = client.post("/categories/phones/delete", data={"csrf_token": token, "version": 1})
    assert busy.status_code == 302
    assert "merge it into another" in text(client.get("/categories/phones/edit"))
    gone = client.post("/categories/laptops/delete", data={"csrf_token": token, "version": 1})
    assert gone.location.endswith("/categories") and not repos.categories.exists("laptops")
    unread = client.post("/categories/phones/delete", data={"csrf_token": token})
    assert unread.status_code == 302


def test_spec_table_sorts_filters_and_ticks(client, pixel, wiki):
    wiki.create_entry("alice", title="iPhone 15", category="phones",
                      attributes=[AttributeInput("weight", "171 g"),
                                  AttributeInput("screen", "6.1 in")])
    html = main_of(client.get("/categories/phones?sort=-attr.weight"))
    assert "Spec table" in html and 'aria-sort="descending"' in html
    assert html.index("Pixel 8") < html.index("iPhone 15")
    added = client.get("/categories/phones?sort=-attr.weight&fk=weight&fo=lt&fv=180 g")
    assert added.status_code == 302
    assert added.location == "/categories/phones?sort=-attr.weight&attr.weight=lt.180+g"
    filtered = main_of(client.get(added.location))
    assert "iPhone 15" in filtered and "Pixel 8" not in filtered
    assert "<strong><</strong> 180 g" in filtered.replace("&lt;", "<")
    contains = client.get("/categories/phones?fk=weight&fo=ilike&fv=17")
    assert contains.location.endswith("attr.weight=ilike.%2A17%2A")
    refused = main_of(client.get(contains.location))
    assert "This filter cannot be used" in refused and "Pixel 8" in refused
    assert client.get("/categories/phones?fk=weight&fo=lt&fv=").location == \
        "/categories/phones"
    one = client.get("/categories/phones/compare?e=pixel-8&sort=title")
    assert one.status_code == 302 and one.location == "/categories/phones?sort=title"
    two = client.get("/categories/phones/compare?e=pixel-8&e=iphone-15")
    assert two.location == "/compare/iphone-15-vs-pixel-8"
    cards = text(client.get("/categories/phones?view=cards"))
    assert "stretched-link" in cards


# -- creating -----------------------------------------------------------------------------


def test_a_near_duplicate_title_needs_create_anyway(client, editor, pixel, repos):
    asked = client.post("/entries/new", data={"csrf_token": editor, "title": "PIXEL-8",
                                              "category": "phones", "summary": "Mine."})
    assert asked.status_code == 409
    html = text(asked)
    assert "An entry with this name exists already" in html and 'value="PIXEL-8"' in html
    assert "Mine." in html and repos.entries.count() == 1
    made = client.post("/entries/new", data={"csrf_token": editor, "title": "PIXEL-8",
                                             "category": "phones", "create_anyway": "y",
                                             "comment": "a different one"})
    assert made.location.endswith("/entries/pixel-8-2")


def test_the_header_offers_new_entry_to_editors_only(client, people, editor):
    assert 'id="new-entry"' in text(client.get("/"))
    client.post("/logout", data={"csrf_token": editor})
    assert 'id="new-entry"' not in text(client.get("/"))


# -- editing the entry --------------------------------------------------------------------------


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (30, 20), (1, 2, 3)).save(out, format="PNG")
    return out.getvalue()


def test_edit_the_entry_itself(client, editor, pixel, repos):
    page = text(client.get("/entries/pixel-8/edit"))
    assert 'value="Pixel 8"' in page and "Main picture" in page
    response = client.post("/entries/pixel-8/edit", data={
        "csrf_token": editor, "version": 1, "title": "Pixel Eight", "summary": "Small.",
        "category": "laptops", "comment": "moved", "picture": (io.BytesIO(png()), "p.png")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    entry = repos.entries.get("pixel-8")
    assert (entry["title"], entry["category"]) == ("Pixel Eight", "laptops")
    assert entry["attributes"]["image"]["value"].startswith("/media/images/")
    history = repos.revisions.for_entry(entry["_id"])
    assert history[-1]["comment"] == "moved"
    bad = client.post("/entries/pixel-8/edit", data={
        "csrf_token": editor, "version": 2, "title": "Kept title", "category": "phones",
        "picture_url": "javascript:alert(1)"})
    assert bad.status_code == 400 and 'value="Kept title"' in text(bad)
    stale = client.post("/entries/pixel-8/edit", data={
        "csrf_token": editor, "version": 1, "title": "Old view", "category": "phones"})
    assert stale.status_code == 409 and "Someone else changed this entry" in text(stale)
    assert 'value="Old view"' in text(stale)
    assert re.search(r'<input[^>]*name="version"[^>]*value="2"', text(stale))  # save again
    removed = client.post("/entries/pixel-8/edit", data={
        "csrf_token": editor, "version": 2, "title": "Pixel Eight", "category": "laptops",
        "summary": "Small.", "remove_picture": "y"})
    assert removed.status_code == 302
    assert "image" not in repos.entries.get("pixel-8")["attributes"]
    unread = client.post("/entries/pixel-8/edit", data={"csrf_token": editor})
    assert unread.status_code == 400


def test_admins_delete_and_restore_an_entry(client, people, pixel, repos):
    token = log_in(client, "alice")
    assert client.get("/entries/pixel-8/delete").status_code == 403
    assert client.post(f"/entries/restore/{pixel['_id']}",
                       data={"csrf_token": token}).status_code == 403
    client.post("/logout", data={"csrf_token": token})
    token = log_in(client, "boss")
    asked = client.get("/entries/pixel-8/delete")
    assert asked.status_code == 200 and "Delete Pixel 8?" in text(asked)
    stale = client.post("/entries/pixel-8/delete", data={"csrf_token": token, "version": 9})
    assert stale.status_code == 302 and repos.entries.find_slug("pixel-8") is not None
    done = client.post("/entries/pixel-8/delete", data={"csrf_token": token, "version": 1,
                                                       "comment": "test"})
    assert done.location.endswith("/entries/pixel-8")
    page = client.get("/entries/pixel-8")
    assert page.status_code == 404
    assert "Pixel 8 was deleted" in text(page) and "Restore it" in text(page)
    back = client.post(f"/entries/restore/{pixel['_id']}",
                       data={"csrf_token": token, "comment": "back"})
    assert back.location.endswith("/entries/pixel-8")
    assert repos.entries.get("pixel-8")["version"] == 3
    again = client.post(f"/entries/restore/{pixel['_id']}", data={"csrf_token": token})
    assert again.status_code == 404


def test_a_reader_sees_a_deleted_entry_without_a_restore_button(client, people, pixel, wiki):
    wiki.delete_entry("boss", "pixel-8", 1)
    page = client.get("/entries/pixel-8")
    assert page.status_code == 404 and "Restore it" not in text(page)
    assert client.get("/entries/never-was").status_code == 404


# -- the replace question, suggested rows, deleting with and without JavaScript ----------------


def test_the_replace_question_as_json_and_its_confirmation(client, editor, pixel, repos):
    data = {"csrf_token": editor, "version": 1, "label": "Weight", "type": "number",
            "value": "0.2", "unit": "kg", "form_id": "add-number"}
    asked = client.post("/entries/pixel-8/attributes", data=data, headers=JSON)
    assert asked.status_code == 409
    body = asked.get_json()
    assert body["ok"] is False and "replace it with 0.2 kg?" in body["message"]
    assert 'name="replace" value="1"' in body["confirm"]
    done = client.post("/entries/pixel-8/attributes", data={**data, "replace": "1"},
                       headers=JSON)
    assert done.get_json()["ok"] is True and done.get_json()["key"] == "weight"
    assert repos.entries.get("pixel-8")["attributes"]["weight"]["unit"] == "kg"
    bad = client.post("/entries/pixel-8/attributes", data={**data, "value": "heavy",
                                                           "version": 2})
    assert bad.status_code == 400  # a value that cannot be used is said before any question


def test_editors_see_suggested_rows_readers_do_not(client, people, pixel):
    assert "data-suggested" not in text(client.get("/entries/pixel-8"))
    log_in(client, "alice")
    html = text(client.get("/entries/pixel-8"))
    assert 'id="attr-screen" data-key="screen" data-type="number" class="attr-empty"' in html
    assert "suggested for this category" in html


def test_json_delete_needs_no_confirmation_page(client, editor, pixel, repos):
    response = client.post("/entries/pixel-8/attributes/weight/delete", headers=JSON,
                           data={"csrf_token": editor, "version": 1, "confirmed": "1"})
    assert response.get_json()["ok"] is True
    assert "weight" not in repos.entries.get("pixel-8")["attributes"]
    missing = client.post("/entries/pixel-8/attributes/colors/delete",
                          data={"csrf_token": editor, "version": 2})
    assert missing.status_code == 404


def test_a_too_long_edit_summary_is_refused_keeping_the_value(client, editor, pixel):
    response = client.post("/entries/pixel-8/attributes", data={
        "csrf_token": editor, "version": 1, "key": "weight", "type": "number",
        "value": "190", "unit": "g", "form_id": "edit-weight", "comment": "x" * 501})
    assert response.status_code == 400
    assert "at most 500 characters" in text(response) and 'value="190"' in text(response)


# -- recent changes -----------------------------------------------------------------------------


def test_recent_changes_filters(client, editor, pixel, wiki):
    wiki.create_entry("boss", title="ThinkPad", category="laptops")
    wiki.set_attribute("boss", "pixel-8", 1, AttributeInput("weight", "190 g"))
    html = main_of(client.get("/recent?category=laptops"))
    assert "ThinkPad" in html and "Pixel 8" not in html
    html = text(client.get("/recent?new=1"))
    assert "edited" not in html.split("<tbody>")[1]
    html = main_of(client.get("/recent?user=boss"))
    assert "ThinkPad" in html and 'href="/users/alice"' not in html
    html = text(client.get("/recent?hide_mine=1"))
    assert 'href="/users/alice"' not in html.split("<tbody>")[1]
    assert 'data-diff-link' in html
    empty = text(client.get("/recent?user=nobody"))
    assert "No changes match these filters." in empty


def test_a_revert_from_the_diff_page_keeps_its_edit_summary(client, editor, pixel, wiki, repos):
    wiki.set_attribute("bob", "pixel-8", 1, AttributeInput("weight", "190 g"))
    page = text(client.get("/entries/pixel-8/diff?from=1&to=2"))
    assert 'id="revert-comment"' in page
    response = client.post("/entries/pixel-8/revert/1", data={
        "csrf_token": editor, "version": 2, "comment": "the scale was wrong"})
    assert response.status_code == 302
    last = repos.revisions.for_entry(pixel["_id"])[-1]
    assert (last["action"], last["comment"], last["reverted_to"]) == (
        "revert", "the scale was wrong", 1)
