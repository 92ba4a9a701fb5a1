"""Entry pages through the test client: reading, editing with and without JS, history."""

from __future__ import annotations

import re
from html import unescape

import pytest

from app.services import AttributeInput

XSS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']
JSON = {"Accept": "application/json"}


# ----------------------------------------------------------------------------- helpers


def csrf_of(html: str) -> str:
    """The CSRF token a page carries: its <meta> (logged in) or its form's hidden field."""
    return re.search(r'(?:name="csrf-token" content|name="csrf_token"[^>]*value)="([^"]+)"',
                     html).group(1)


def token(client, path: str = "/login") -> str:
    """A CSRF token of the client's session."""
    return csrf_of(client.get(path).get_data(as_text=True))


@pytest.fixture
def login(client, alice):
    """Log alice in through the login form; returns her CSRF token."""
    response = client.post("/login", data={"csrf_token": token(client), "login": "alice",
                                           "password": "correct horse battery"})
    assert response.status_code == 302
    return token(client, "/")


@pytest.fixture
def pixel(wiki, phones):
    """An entry with a few attributes (version 1)."""
    return wiki.create_entry("tester", title="Pixel 8", category="phones",
                             summary="A phone.", attributes=[
                                 AttributeInput("weight", "187 g"),
                                 AttributeInput("five_g", "yes"),
                                 AttributeInput("colors", "Obsidian, Hazel"),
                             ])


def page(client, slug: str = "pixel-8") -> str:
    response = client.get(f"/entries/{slug}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def post_attr(client, csrf, version, headers=None, slug="pixel-8", **fields):
    """POST the attribute form."""
    return client.post(f"/entries/{slug}/attributes", headers=headers,
                       data={"csrf_token": csrf, "version": version, **fields})


# ----------------------------------------------------------------------------- reading


def test_every_type_is_rendered_properly(client, wiki, phones):
    """Units, ✓/✗, stars, safe links, images, list items and dates each get their markup."""
    wiki.create_entry("tester", title="Pixel 8", category="phones", attributes=[
        AttributeInput("weight", "187 g"),
        AttributeInput("five_g", "yes"),
        AttributeInput("nfc", "no", type="boolean"),
        AttributeInput("rating", "4", type="rating", group="Aaa"),
        AttributeInput("site", "https://store.google.com/pixel", type="url", label="Site"),
        AttributeInput("image", "https://example.com/p8.jpg", type="image"),
        AttributeInput("released", "2023-10", type="date"),
        AttributeInput("colors", "Obsidian, Hazel"),
        AttributeInput("chip", "Tensor G3", type="text"),
    ])
    html = page(client)
    assert "187 g" in html
    assert html.count("value-yes") >= 1 and "value-no" in html
    rating = re.search(r'<span class="value-rating".*?</span>', html, re.S).group(0)
    assert rating.count("bi-star-fill") == 4 and rating.count('"bi bi-star"') == 1
    link = re.search(r'<a href="https://store.google.com/pixel"[^>]*>', html).group(0)
    assert 'rel="nofollow noopener' in link
    assert html.count('src="https://example.com/p8.jpg"') == 2  # at the top and in the table
    assert '<li class="list-inline-item badge text-bg-light border">Hazel</li>' in html
    assert '<time datetime="2023-10">2023-10</time>' in html
    assert "Tensor G3" in html
    # sections come in the definitions' order (Body: 310, Aaa: 1000), not alphabetically
    assert html.index(">Body<") < html.index(">Connectivity<") < html.index(">Aaa<")


def test_id_redirects_to_slug_and_views_are_counted(client, repos, pixel):
    """An id answers with a redirect to the slug address; each view is counted."""
    response = client.get(f"/entries/{pixel['_id']}")
    assert response.status_code == 301 and response.location.endswith("/entries/pixel-8")
    page(client)
    page(client)
    assert repos.entries.get("pixel-8")["views"] == 2


def test_unknown_entry_is_the_404_page(client):
    response = client.get("/entries/no-such-thing")
    assert response.status_code == 404 and "no-such-thing" in response.get_data(as_text=True)


def test_compare_picker_and_history_link(client, wiki, pixel):
    """The compare-with form goes to /compare with "<title> vs "; same-category links."""
    wiki.create_entry("tester", title="Galaxy S23", category="phones")
    html = page(client)
    assert 'action="/compare"' in html and 'name="q" value="Pixel 8 vs "' in html
    assert 'href="/compare/galaxy-s23-vs-pixel-8"' in html
    assert 'href="/entries/pixel-8/history"' in html


def test_anonymous_sees_a_login_hint_and_no_edit_forms(client, pixel):
    html = page(client)
    assert "Log in to edit" in html
    assert "/attributes" not in html and "Add an attribute" not in html


def test_editor_sees_row_actions_and_a_tab_per_type(client, login, pixel):
    """Each row has Edit and Delete; the add panel has a tab per type with a unit picker."""
    html = page(client)
    assert 'action="/entries/pixel-8/attributes/weight/delete"' in html
    assert 'href="/entries/pixel-8?edit=weight#attr-weight"' in html
    for type_name in ("text", "number", "boolean", "rating", "url", "image", "date", "list"):
        assert f'id="add-pane-{type_name}"' in html
    # the weight row's picker offers masses only
    picker = re.search(r'<select[^>]*id="edit-weight-unit".*?</select>', html, re.S).group(0)
    offered = re.findall(r'<option value="([^"]+)"', picker)
    assert offered[0] == "g" and {"kg", "lb", "oz"} <= set(offered) and "in" not in offered
    assert 'value="187"' in html  # the number apart from its unit
    # boolean and rating inputs are radios
    assert 'id="add-boolean-value-yes"' in html and 'id="add-rating-value-5"' in html
    assert html.count('name="version" value="1"') > 10


def test_edit_form_opens_without_javascript(client, login, pixel):
    """?edit=<key> renders that row's form open (the other rows' forms stay hidden)."""
    html = client.get("/entries/pixel-8?edit=weight").get_data(as_text=True)
    assert re.search(r'<div class="attr-edit" id="attr-edit-weight" >', html)
    assert re.search(r'<div class="attr-edit" id="attr-edit-colors" hidden>', html)


def test_add_tab_chosen_without_javascript(client, login, pixel):
    html = client.get("/entries/pixel-8?add=rating").get_data(as_text=True)
    assert 'class="tab-pane fade show active" id="add-pane-rating"' in html


# ----------------------------------------------------------------------------- editing (forms)


def test_add_a_number_with_the_unit_picker(client, repos, login, pixel):
    """A new number attribute takes the picked unit as its canonical unit."""
    response = post_attr(client, login, 1, type="number", label="Battery", group="Power",
                         value="4575", unit="mAh", form_id="add-number")
    assert response.status_code == 302
    assert response.location.endswith("/entries/pixel-8?saved=battery#attr-battery")
    entry = repos.entries.get("pixel-8")
    assert entry["version"] == 2
    assert entry["attributes"]["battery"] == {"value": 4575, "unit": "mAh", "n": 4575.0}
    definition = repos.definitions.get("battery")
    assert (definition.unit, definition.group, definition.label) == ("mAh", "Power", "Battery")
    assert "Saved." in page(client)


def test_change_a_value_in_another_unit(client, repos, login, pixel):
    response = post_attr(client, login, 1, key="weight", type="number", value="0.2", unit="kg",
                         form_id="edit-weight")
    assert response.status_code == 302
    assert repos.entries.get("pixel-8")["attributes"]["weight"] == {
        "value": 0.2, "unit": "kg", "n": 200.0}
    assert "0.2 kg" in page(client)


@pytest.mark.parametrize(("type_name", "value", "stored"), [
    ("text", "Aluminium", "Aluminium"),
    ("boolean", "no", False),
    ("rating", "5", 5),
    ("url", "https://example.org/x", "https://example.org/x"),
    ("image", "https://example.org/x.png", "https://example.org/x.png"),
    ("date", "2023", "2023"),
    ("list", "a, b, a", ["a", "b"]),
])
def test_add_each_type(client, repos, login, pixel, type_name, value, stored):
    response = post_attr(client, login, 1, type=type_name, key=f"new_{type_name}",
                         value=value, form_id=f"add-{type_name}")
    assert response.status_code == 302
    assert repos.entries.get("pixel-8")["attributes"][f"new_{type_name}"]["value"] == stored


def test_delete_an_attribute(client, repos, login, pixel):
    """Without JavaScript a delete first asks on a page of its own; confirmed, it goes."""
    asked = client.post("/entries/pixel-8/attributes/colors/delete",
                        data={"csrf_token": login, "version": 1, "comment": "wrong colours"})
    assert asked.status_code == 200
    html = unescape(asked.get_data(as_text=True))
    assert "Remove Colours from Pixel 8?" in html and "Obsidian, Hazel" in html
    assert 'name="confirmed" value="1"' in html and 'value="wrong colours"' in html
    assert "colors" in repos.entries.get("pixel-8")["attributes"]
    response = client.post("/entries/pixel-8/attributes/colors/delete",
                           data={"csrf_token": login, "version": 1, "confirmed": "1",
                                 "comment": "wrong colours"})
    assert response.status_code == 302
    assert repos.revisions.for_entry(repos.entries.get("pixel-8")["_id"])[-1]["comment"] \
        == "wrong colours"
    assert "colors" not in repos.entries.get("pixel-8")["attributes"]
    assert "Attribute removed." in page(client)


def test_invalid_value_is_shown_beside_the_field(client, repos, login, pixel):
    """A refused value → 400, the page again with the message and the editor's input."""
    response = post_attr(client, login, 1, key="weight", type="number", value="heavy",
                         unit="g", form_id="edit-weight")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    error = re.search(r'id="edit-weight-value-error" data-error-for="value">([^<]+)<', html)
    assert "must be a number" in unescape(error.group(1))
    assert 'value="heavy"' in html
    assert re.search(r'id="attr-edit-weight" >', html)  # that row's form is open
    assert repos.entries.get("pixel-8")["version"] == 1


def test_invalid_new_attribute_reopens_its_tab(client, login, pixel):
    response = post_attr(client, login, 1, type="date", label="Launch", value="2023-02-30",
                         form_id="add-date")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'class="tab-pane fade show active" id="add-pane-date"' in html
    assert "does not exist" in html and 'value="2023-02-30"' in html


def test_stale_version_is_refused_and_nothing_is_lost(client, wiki, repos, login, pixel):
    """Someone saved first: the edit is refused, the page shows their value and mine."""
    wiki.set_attribute("bob", "pixel-8", 1, AttributeInput("weight", "190 g"))
    response = post_attr(client, login, 1, key="weight", type="number", value="185",
                         unit="g", form_id="edit-weight")
    assert response.status_code == 409
    html = unescape(response.get_data(as_text=True))
    assert "Someone else changed this entry" in html
    assert "190 g" in html and 'value="185"' in html  # their value shown, mine kept
    assert 'name="version" value="2"' in html  # re-applying names the current version
    assert repos.entries.get("pixel-8")["attributes"]["weight"]["value"] == 190


def test_stale_delete_is_refused(client, wiki, repos, login, pixel):
    wiki.set_attribute("bob", "pixel-8", 1, AttributeInput("weight", "190 g"))
    response = client.post("/entries/pixel-8/attributes/colors/delete",
                           data={"csrf_token": login, "version": 1, "confirmed": "1"})
    assert response.status_code == 409 and "Someone else changed" in unescape(
        response.get_data(as_text=True))
    assert "colors" in repos.entries.get("pixel-8")["attributes"]


def test_post_without_csrf_token_is_refused(client, repos, login, pixel):
    response = client.post("/entries/pixel-8/attributes",
                           data={"version": 1, "key": "weight", "value": "1 g"})
    assert response.status_code == 400
    response = client.post("/entries/pixel-8/attributes/weight/delete", data={"version": 1})
    assert response.status_code == 400
    response = client.post("/entries/pixel-8/revert/1", data={"version": 1})
    assert response.status_code == 400
    assert repos.entries.get("pixel-8")["version"] == 1


@pytest.mark.parametrize("path", ["/entries/pixel-8/attributes",
                                  "/entries/pixel-8/attributes/weight/delete",
                                  "/entries/pixel-8/revert/1", "/entries/new"])
def test_anonymous_post_goes_to_login(client, repos, pixel, path):
    response = client.post(path, data={"csrf_token": token(client), "version": 1,
                                       "key": "weight", "value": "1 g"})
    assert response.status_code == 302 and "/login" in response.location
    assert repos.entries.get("pixel-8")["version"] == 1


# ----------------------------------------------------------------------------- editing (JSON)


def test_json_add_edit_delete(client, repos, login, pixel):
    """With JavaScript: the same views answer JSON with the re-rendered table."""
    headers = {**JSON, "X-CSRFToken": login}
    response = client.post("/entries/pixel-8/attributes", headers=headers, data={
        "version": 1, "type": "rating", "label": "Camera", "value": "4", "form_id": "add-rating"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["ok"] is True and body["version"] == 2 and body["errors"] == {}
    assert 'id="attr-camera"' in body["html"] and "bi-star-fill" in body["html"]
    assert 'name="version" value="2"' in body["html"]

    response = client.post("/entries/pixel-8/attributes", headers=headers, data={
        "version": 2, "key": "camera", "type": "rating", "value": "5", "form_id": "edit-camera"})
    assert response.get_json()["version"] == 3
    assert repos.entries.get("pixel-8")["attributes"]["camera"]["value"] == 5

    response = client.post("/entries/pixel-8/attributes/camera/delete", headers=headers,
                           data={"version": 3})
    body = response.get_json()
    assert body["ok"] is True and body["version"] == 4 and 'id="attr-camera"' not in body["html"]


def test_json_invalid_and_stale(client, wiki, login, pixel):
    headers = {**JSON, "X-CSRFToken": login}
    response = client.post("/entries/pixel-8/attributes", headers=headers, data={
        "version": 1, "key": "five_g", "type": "boolean", "value": "maybe",
        "form_id": "edit-five_g"})
    assert response.status_code == 400
    body = response.get_json()
    assert body["ok"] is False and "yes or no" in body["errors"]["value"]

    wiki.set_attribute("bob", "pixel-8", 1, AttributeInput("weight", "190 g"))
    response = client.post("/entries/pixel-8/attributes", headers=headers, data={
        "version": 1, "key": "weight", "type": "number", "value": "185", "unit": "g",
        "form_id": "edit-weight"})
    assert response.status_code == 409
    body = response.get_json()
    assert body["ok"] is False and body["version"] == 2
    assert "Someone else changed" in body["errors"]["version"]
    assert 'value="185"' in body["html"] and "190 g" in body["html"]


def test_json_without_csrf_is_refused(client, login, pixel):
    response = client.post("/entries/pixel-8/attributes", headers=JSON,
                           data={"version": 1, "key": "weight", "value": "1 g"})
    assert response.status_code == 400


# ----------------------------------------------------------------------------- creating


def test_create_an_entry(client, repos, login, phones):
    html = client.get("/entries/new?title=Pixel%209").get_data(as_text=True)
    assert 'value="Pixel 9"' in html and '<option value="laptops">' in html
    response = client.post("/entries/new", data={
        "csrf_token": login, "title": "Pixel 9", "category": "phones",
        "summary": "Line one\r\nline two"})
    assert response.status_code == 302 and response.location.endswith("/entries/pixel-9")
    entry = repos.entries.get("pixel-9")
    assert entry["created_by"] == "alice" and entry["summary"] == "Line one\nline two"
    assert "Entry created" in page(client, "pixel-9")


def test_create_entry_refusals(client, login, phones):
    response = client.post("/entries/new", data={"csrf_token": login, "title": "",
                                                 "category": "phones"})
    assert response.status_code == 400
    response = client.post("/entries/new", data={"csrf_token": login, "title": "X" * 121,
                                                 "category": "phones"})
    assert response.status_code == 400 and "at most 120" in response.get_data(as_text=True)


def test_create_entry_needs_login(client, phones):
    response = client.get("/entries/new")
    assert response.status_code == 302 and "/login" in response.location


# ----------------------------------------------------------------------------- history


def test_history_diff_and_revert(client, wiki, repos, login, pixel):
    wiki.set_attribute("bob", "pixel-8", 1, AttributeInput("weight", "190 g"))
    wiki.delete_attribute("bob", "pixel-8", 2, "five_g")
    html = client.get("/entries/pixel-8/history").get_data(as_text=True)
    versions = re.findall(r'<tr id="v(\d+)">', html)
    assert versions == ["3", "2", "1"]
    assert '<a href="/users/bob">bob</a>' in html and '<a href="/users/tester">tester</a>' in html
    assert 'action="/entries/pixel-8/revert/1"' in html
    assert 'action="/entries/pixel-8/revert/3"' not in html  # the current one

    diff = client.get("/entries/pixel-8/diff?from=1&to=3").get_data(as_text=True)
    assert "187 g" in diff and "190 g" in diff and "5G" in diff and "value-missing" in diff

    response = client.post("/entries/pixel-8/revert/1", data={"csrf_token": login,
                                                              "version": 3})
    assert response.status_code == 302 and response.location.endswith("/entries/pixel-8")
    entry = repos.entries.get("pixel-8")
    assert entry["version"] == 4 and entry["attributes"]["weight"]["value"] == 187
    assert entry["attributes"]["five_g"]["value"] is True
    assert "Reverted to version 1." in page(client)


def test_stale_revert_is_refused(client, wiki, repos, login, pixel):
    wiki.set_attribute("bob", "pixel-8", 1, AttributeInput("weight", "190 g"))
    response = client.post("/entries/pixel-8/revert/1", data={"csrf_token": login,
                                                              "version": 1})
    assert response.status_code == 302 and response.location.endswith("/history")
    assert repos.entries.get("pixel-8")["version"] == 2
    said = client.get("/entries/pixel-8/history").get_data(as_text=True)
    assert re.search(r'alert-warning[^>]*>\s*Someone else changed this entry meanwhile; look at '
                     r'the history again before reverting\.', said)
    long = client.post("/entries/pixel-8/revert/1", data={"csrf_token": login, "version": 2,
                                                          "comment": "x" * 501})
    assert long.status_code == 302 and long.location.endswith("/history")
    said = client.get("/entries/pixel-8/history").get_data(as_text=True)
    assert re.search(r'alert-danger[^>]*>\s*The edit summary may be at most 500', said)
    assert repos.entries.get("pixel-8")["version"] == 2


def test_diff_of_unknown_version_is_400(client, pixel):
    assert client.get("/entries/pixel-8/diff?from=1&to=9").status_code == 400


def test_history_is_public_without_revert_buttons(client, pixel):
    html = client.get("/entries/pixel-8/history").get_data(as_text=True)
    assert "Revert to this" not in html and "Compare the chosen versions" in html


@pytest.mark.parametrize("path", ["/entries/pixel-8/history", "/explore", "/recent",
                                  "/categories/phones", "/search?q=pixel"])
@pytest.mark.parametrize("page", ["1" * 21, "10^20", "-3", "²", "1" * 5000])
def test_any_page_number_gives_a_page_never_a_500(client, pixel, path, page):
    """page=10^20 on the history was a 500 (islice); every listing reads pages one way."""
    joiner = "&" if "?" in path else "?"
    response = client.get(f"{path}{joiner}page={page}")
    assert response.status_code == 200
    assert "Pixel 8" in response.get_data(as_text=True)  # page 1


# ----------------------------------------------------------------------------- XSS


@pytest.mark.parametrize("payload", XSS)
def test_user_text_is_escaped_everywhere(client, wiki, repos, login, phones, payload):
    """Titles, summaries, text and list values never reach the page as markup."""
    entry = wiki.create_entry("tester", title=f"Phone {payload}", category="phones",
                              summary=payload)
    slug = entry["slug"]
    post_attr(client, login, 1, slug=slug, type="text", key="note", value=payload,
              form_id="add-text")
    post_attr(client, login, 2, slug=slug, type="list", key="tags", value=f"a, {payload}",
              form_id="add-list")
    post_attr(client, login, 3, slug=slug, type="text", key="note", value="plain",
              form_id="edit-note")
    assert repos.entries.get(slug)["version"] == 4
    for path in (f"/entries/{slug}", f"/entries/{slug}/history",
                 f"/entries/{slug}/diff?from=1&to=4"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html, path
        assert "&lt;script&gt;" in html or "&lt;img src=x" in html, path


def test_javascript_url_is_refused(client, repos, login, pixel):
    response = post_attr(client, login, 1, type="url", key="site", value="javascript:alert(1)",
                         form_id="add-url")
    assert response.status_code == 400
    assert "http:// or https://" in unescape(response.get_data(as_text=True))
    assert "site" not in repos.entries.get("pixel-8")["attributes"]
    response = post_attr(client, login, 1, type="image", key="image", value="javascript:x",
                         form_id="add-image")
    assert response.status_code == 400


def test_label_of_a_known_attribute_reuses_its_definition(client, repos, login, pixel):
    """A label ("Weight") finds the existing attribute; the entry has it, so the page asks
    before replacing, keeping what was typed; confirmed, the value is replaced."""
    asked = post_attr(client, login, 1, type="number", label="Weight", value="7",
                      unit="oz", form_id="add-number", comment="weighed it")
    assert asked.status_code == 409
    html = unescape(asked.get_data(as_text=True))
    assert "Weight is already 187 g — replace it with 7 oz?" in html
    assert 'name="replace" value="1"' in html and 'value="weighed it"' in html
    assert repos.entries.get("pixel-8")["attributes"]["weight"]["value"] == 187
    response = post_attr(client, login, 1, type="number", label="Weight", value="7",
                         unit="oz", form_id="add-number", replace="1")
    assert response.status_code == 302
    stored = repos.entries.get("pixel-8")["attributes"]["weight"]
    assert stored["unit"] == "oz" and round(stored["n"]) == 198


def test_wrong_type_for_a_known_key_is_explained(client, login, pixel):
    response = post_attr(client, login, 1, type="text", key="weight", value="heavy",
                         form_id="add-text")
    assert response.status_code == 400
    assert "is a number attribute, not text" in unescape(response.get_data(as_text=True))


def test_saving_the_same_value_changes_nothing(client, repos, login, pixel):
    response = post_attr(client, login, 1, key="weight", type="number", value="187", unit="g",
                         form_id="edit-weight")
    assert response.status_code == 302
    assert repos.entries.get("pixel-8")["version"] == 1
    assert "Nothing changed" in page(client)
