"""The attribute pages in a real browser: editing an attribute's labels, descriptions and
section in English and Chinese from the entry page (with and without JavaScript), a save
against an older version, and screenshots of both pages at 1280 and 390 px in English and
Chinese (``tests/artifacts/i13-attribute*.png``)."""

from __future__ import annotations

import pytest

from .support import (
    DEMO_PASSWORD,
    PHONE,
    axe,
    format_violations,
    horizontal_overflow,
    login,
    screenshot,
)


@pytest.fixture
def services(live_server):
    """Run service calls on the live server: ``services("definitions").update(...)``."""
    with live_server.app_context():
        yield live_server.service


@pytest.fixture
def attribute(services):
    """A fresh attribute on a fresh entry (names of its own, so tests stay independent)."""

    def made(key: str) -> str:
        from app.services import AttributeInput

        services("wiki").create_entry(
            "alice", title=f"Def {key}", category="phones", slug=f"def-{key.replace('_', '-')}",
            attributes=[AttributeInput(key, "12 h", type="number", label=f"Endurance {key}",
                                       group="Battery")])
        return key

    return made


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_an_editor_gives_an_attribute_chinese_forms_from_the_entry_page(
        new_page, services, attribute, js):
    """The tag beside a row opens the attribute's page; the labels, descriptions and section
    in both languages are saved with a summary, and the entry page shows them (the Chinese
    description on the Chinese page)."""
    key = attribute(f"endurance_{'js' if js else 'nojs'}")
    slug = f"def-{key.replace('_', '-')}"
    page = new_page(js=js)
    login(page, "chen", DEMO_PASSWORD, next_path=f"/entries/{slug}")
    page.locator(f"tr[data-key='{key}'] a.attr-definition-link").click()
    page.wait_for_url(f"**/attributes/{key}/edit**")
    form = page.locator("main form.definition-form")
    form.get_by_label("Chinese label").fill("续航")
    form.get_by_label("Description", exact=True).fill("Video playback, screen at 200 nits.")
    form.get_by_label("Chinese description").fill("视频播放，屏幕亮度 200 尼特。")
    form.get_by_label("Section", exact=True).fill("Power")
    form.get_by_label("Chinese section name").fill("电源")
    form.get_by_label("Edit summary").fill("Chinese forms")
    form.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/entries/{slug}")
    assert "POWER" in page.locator("#entry-attributes").inner_text().upper()
    page.goto(f"/entries/{slug}?lang=zh_Hans")
    cell = page.locator(f"tr[data-key='{key}'] th.attr-label span[title]")
    assert cell.inner_text() == "续航"
    assert cell.get_attribute("title") == "视频播放，屏幕亮度 200 尼特。"
    assert "电源" in page.locator("#entry-attributes").inner_text()
    page.goto(f"/attributes/{key}/edit?lang=en")
    assert "Last changed by chen" in page.locator(".definition-last-change").inner_text()
    assert "Chinese forms" in page.locator(".definition-last-change").inner_text()


def test_a_save_against_an_older_version_keeps_the_text_and_saves_on_the_second_try(
        new_page, services, attribute):
    """dana saves while chen edits: chen's form comes back with his text, dana's values
    beside it and the version to save against; saving again stores what the form holds."""
    key = attribute("endurance_stale")
    page = new_page()
    login(page, "chen", DEMO_PASSWORD, next_path=f"/attributes/{key}/edit")
    form = page.locator("main form.definition-form")
    form.get_by_label("Chinese description").fill("陈写的说明。")
    version = services("definitions").get(key)[1]
    services("definitions").update("dana", key, version, {"description": "Dana's words."},
                                   comment="dana first")
    form.get_by_role("button", name="Save").click()
    page.locator(".definition-current").wait_for()
    assert "Someone else changed this attribute" in page.locator(".alert-danger").inner_text()
    assert form.get_by_label("Chinese description").input_value() == "陈写的说明。"
    assert "Dana's words." in page.locator(".definition-current").inner_text()
    screenshot(page, "i13-attribute-stale-1280-en")
    # The form saves what it holds: chen takes dana's description over, then saves.
    form.get_by_label("Description", exact=True).fill("Dana's words.")
    form.get_by_role("button", name="Save").click()
    page.wait_for_url("**/attributes#def-*")
    saved = services("definitions").get(key)[0]
    assert (saved.description, saved.description_zh) == ("Dana's words.", "陈写的说明。")


@pytest.mark.parametrize("width", [1280, PHONE["width"]])
@pytest.mark.parametrize(("name", "path"), [("attributes", "/attributes"),
                                             ("attribute-edit", "/attributes/weight/edit")])
def test_attribute_pages_at_both_widths_in_both_languages(new_page, name, path, width):
    """Screenshots of the attribute pages; none is wider than the window; nothing serious
    for axe-core."""
    page = new_page(width=width, mobile=width < 800)
    login(page, "alice", DEMO_PASSWORD)
    for lang in ("en", "zh_Hans"):
        response = page.goto(f"{path}?lang={lang}")
        assert response.status == 200, (path, response.status)
        screenshot(page, f"i13-{name}-{width}-{lang[:2]}")
        size = horizontal_overflow(page)
        assert size["overflow"] <= 0, (path, lang, size)
        violations = axe(page)
        assert not violations, format_violations(violations)


def test_on_a_phone_the_rows_edit_panel_links_the_attribute(new_page, attribute):
    """No tag beside a phone's labels (no room); the row's edit panel has the link."""
    key = attribute("endurance_phone")
    slug = f"def-{key.replace('_', '-')}"
    page = new_page(width=PHONE["width"], mobile=True)
    login(page, "chen", DEMO_PASSWORD, next_path=f"/entries/{slug}?edit={key}")
    row = page.locator(f"tr[data-key='{key}']")
    assert not row.locator("a.attr-definition-link").is_visible()
    # The row's number and unit stay readable, and the table fits the phone.
    sizes = row.evaluate("""r => [...r.querySelectorAll(
        '.attr-edit .input-group > input, .attr-edit .input-group > select')]
        .map(x => x.getBoundingClientRect().width)""")
    assert len(sizes) == 2 and sizes[0] >= 45 and sizes[1] >= 70, sizes
    table = page.locator("#entry-attributes table").first.bounding_box()
    assert table["x"] + table["width"] <= PHONE["width"], table
    link = row.get_by_role("link", name="Labels, description and section of this attribute")
    link.scroll_into_view_if_needed()
    screenshot(page, "i13-attribute-link-390-en", full_page=False)
    link.click()
    page.wait_for_url(f"**/attributes/{key}/edit**")
    assert horizontal_overflow(page)["overflow"] <= 0
