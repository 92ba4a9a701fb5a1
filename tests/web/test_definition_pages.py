"""The attribute pages: every attribute by section, and editing one's labels, descriptions
(English and Chinese) and section with an edit summary, refused writes keeping what was
typed; the entry page and the category form link to them."""

from __future__ import annotations

import pytest

from app.services import AttributeInput

from .test_growing_pages import PASSWORD, log_in, main_of, text


@pytest.fixture
def people(accounts, phones):
    accounts.register("alice", "alice@example.org", PASSWORD)
    accounts.register("bob", "bob@example.org", PASSWORD)
    return phones


@pytest.fixture
def editor(client, people):
    return log_in(client, "alice")


@pytest.fixture
def pixel(wiki, people):
    return wiki.create_entry("alice", title="Pixel 8", category="phones",
                             attributes=[AttributeInput("weight", "187 g")])


def _form(token: str, version: int, **fields) -> dict:
    data = {"csrf_token": token, "version": str(version), "label": "Weight", "label_zh": "",
            "description": "", "description_zh": "", "group": "Body", "group_zh": "",
            "comment": ""}
    return data | fields


def test_the_index_lists_attributes_by_section_in_the_readers_language(client, people,
                                                                       definitions):
    """/attributes: each section with its attributes; Chinese labels, sections and
    descriptions on the Chinese page, English where no Chinese form is given."""
    definitions.update("alice", "weight", 1, {"label_zh": "重量", "group_zh": "机身",
                                              "description": "Without a case.",
                                              "description_zh": "不含保护壳。"})
    html = main_of(client.get("/attributes"))
    assert "Weight" in html and "Without a case." in html and "Screen size" in html
    assert 'href="/attributes/weight/edit"' not in html  # anonymous: a login hint instead
    zh = main_of(client.get("/attributes", headers={"Accept-Language": "zh-CN"}))
    assert "重量" in zh and "机身" in zh and "不含保护壳。" in zh
    assert "Without a case." not in zh
    assert "Screen size" in zh  # no Chinese label: the English one


def test_an_editor_changes_labels_descriptions_and_section_with_a_summary(
        client, editor, repos):
    """The form saves every field in one new version, with the summary and the editor;
    the section typed in Chinese joins the existing section of that name."""
    repos.definitions.replace(repos.definitions.get("colors").__class__(
        **{**repos.definitions.get("colors").to_doc(), "group_zh": "机身"}), "tester", 1)
    page = client.get("/attributes/screen/edit")
    assert page.status_code == 200
    assert 'value="Screen size"' in text(page) and 'name="version" type="hidden" value="1"' \
        in text(page)
    response = client.post("/attributes/screen/edit", data=_form(
        editor, 1, label="Screen", label_zh="屏幕尺寸", description="Diagonal.",
        description_zh="对角线长度。", group="机身", comment="Chinese forms"))
    assert response.status_code == 302, text(response)
    assert response.headers["Location"].endswith("/attributes#def-screen")
    record = repos.definitions.get_record("screen")
    definition = record["definition"]
    assert (definition.label, definition.label_zh, definition.description,
            definition.description_zh, definition.group, definition.group_zh) == (
        "Screen", "屏幕尺寸", "Diagonal.", "对角线长度。", "Body", "机身")
    assert (record["version"], record["updated_by"], record["comment"]) == (
        2, "alice", "Chinese forms")
    again = text(client.get("/attributes/screen/edit"))
    assert "Last changed by alice" in again and "Chinese forms" in again


def test_a_stale_version_keeps_what_was_typed_and_shows_what_was_saved(
        client, editor, definitions):
    """bob saved version 2 meanwhile: alice's form comes back (409) with her text, bob's
    values beside it and the version to save against; nothing of hers is stored."""
    definitions.update("bob", "weight", 1, {"description": "Bob's words."},
                       comment="bob was here")
    response = client.post("/attributes/weight/edit", data=_form(
        editor, 1, description="Alice's words.", label_zh="重量"))
    assert response.status_code == 409
    html = text(response)
    assert "Someone else changed this attribute" in html
    assert "Alice's words." in html and 'value="重量"' in html  # hers, kept
    assert "Bob's words." in html and "bob was here" in html    # his, shown
    assert 'name="version" type="hidden" value="2"' in html
    assert definitions.get("weight")[0].description == "Bob's words."
    saved = client.post("/attributes/weight/edit", data=_form(
        editor, 2, description="Alice's words.", label_zh="重量"))
    assert saved.status_code == 302
    assert definitions.get("weight")[0].description == "Alice's words."


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"label": ""}, "label", "Label must be 1 to 60 characters"),
    ({"description_zh": "长" * 501}, "description_zh", "Chinese description must be at most"),
    ({"group": "x" * 41}, "group", "Group must be 1 to 40 characters"),
])
def test_a_refused_value_says_why_beside_its_field_and_keeps_the_input(
        client, editor, definitions, fields, field, message):
    """400, the message beside the field, every typed value still in the form."""
    response = client.post("/attributes/weight/edit",
                           data=_form(editor, 1, label_zh="重量", **fields))
    assert response.status_code == 400
    html = text(response)
    assert message in html and 'value="重量"' in html
    assert f'id="{field}-errors"' in html
    assert definitions.get("weight")[1] == 1


def test_editing_needs_an_account(client, people):
    """Anonymous readers are sent to log in."""
    response = client.get("/attributes/weight/edit")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_entry_page_and_the_category_form_link_to_it(client, editor, pixel):
    """Each attribute row links to its definition's page (back to the entry after saving);
    the category form's list of attributes and the categories index link there too."""
    html = text(client.get("/entries/pixel-8"))
    assert html.count('href="/attributes/weight/edit?next=/entries/pixel-8"') == 2  # tag, panel
    back = client.post("/attributes/weight/edit?next=/entries/pixel-8",
                       data=_form(editor, 1, label_zh="重量"))
    assert back.headers["Location"] == "/entries/pixel-8"
    outside = client.post("/attributes/weight/edit?next=//evil.example",
                          data=_form(editor, 2, label_zh="重量!"))
    assert outside.headers["Location"].endswith("/attributes#def-weight")
    assert 'href="/attributes/weight/edit"' in text(client.get("/categories/new"))
    assert 'href="/attributes"' in text(client.get("/categories"))


def test_the_entry_page_shows_the_chinese_description_on_chinese_pages(
        client, pixel, definitions):
    """The row's description (its title) is the Chinese one on Chinese pages, the English
    one where none is given."""
    definitions.update("alice", "weight", 1, {"description": "Without a case."})
    assert 'title="Without a case."' in text(client.get("/entries/pixel-8"))
    zh = {"Accept-Language": "zh-CN"}
    assert 'title="Without a case."' in text(client.get("/entries/pixel-8", headers=zh))
    definitions.update("alice", "weight", 2, {"description_zh": "不含保护壳。"})
    assert 'title="不含保护壳。"' in text(client.get("/entries/pixel-8", headers=zh))
