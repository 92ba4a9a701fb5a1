"""The comparison pages: the compare box, comparisons, exports and autocomplete."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace as replace_fields

import pytest

from app.services import AttributeInput

XSS_TITLE = "<script>alert(1)</script>"
XSS_VALUE = '"><img src=x onerror=alert(1)>'


@pytest.fixture
def three(wiki, phones):
    """Three phones with overlapping attributes (screen in inches and centimetres)."""
    wiki.create_entry("tester", title="Alpha Phone", category="phones", attributes=[
        AttributeInput("screen", "6.1 in"), AttributeInput("weight", "170 g"),
        AttributeInput("five_g", True), AttributeInput("colors", ["black", "blue"])])
    wiki.create_entry("tester", title="Beta Phone", category="phones", attributes=[
        AttributeInput("screen", "15.5 cm"), AttributeInput("weight", "0.2 kg"),
        AttributeInput("five_g", True)])
    wiki.create_entry("tester", title="Gamma Phone", category="phones", attributes=[
        AttributeInput("weight", "150 g"), AttributeInput("five_g", True)])
    return ["alpha-phone", "beta-phone", "gamma-phone"]


@pytest.fixture
def many(wiki, phones):
    """Seven entries, for the 2–6 bounds."""
    for name in "abcdefg":
        wiki.create_entry("tester", title=f"Phone {name.upper()}", category="phones",
                          attributes=[AttributeInput("weight", f"{100 + ord(name)} g")])
    return [f"phone-{name}" for name in "abcdefg"]


def html_of(response) -> str:
    return response.get_data(as_text=True)


def row_html(html: str, key: str) -> str:
    """The <tr> of one attribute on the comparison page."""
    match = re.search(rf'<tr class="compare-row[^"]*" data-key="{key}">.*?</tr>', html, re.S)
    assert match, f"no row {key}"
    return match.group(0)


# -- the compare box -------------------------------------------------------------------


@pytest.mark.parametrize("q, target", [
    ("Alpha Phone vs Beta Phone", "alpha-phone-vs-beta-phone"),
    ("beta phone VS alpha phone", "beta-phone-vs-alpha-phone"),
    ("Alpha Phone pk Beta Phone", "alpha-phone-vs-beta-phone"),
    ("alpha-phone versus beta-phone", "alpha-phone-vs-beta-phone"),
    ("alpha phone  VS  beta phone", "alpha-phone-vs-beta-phone"),
    ("  Beta   vs.  Alpha  ", "beta-phone-vs-alpha-phone"),
])
def test_two_names_redirect_to_the_comparison_in_the_order_typed(client, three, q, target):
    """Titles, slugs, prefixes, any case, vs/pk/versus: a 302 keeping the order typed."""
    response = client.get("/compare", query_string={"q": q})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/compare/{target}"


def test_three_names_redirect_in_the_order_typed(client, three):
    response = client.get("/compare", query_string={"q": "Gamma Phone vs Alpha vs beta-phone"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/compare/gamma-phone-vs-alpha-phone-vs-beta-phone"


def test_a_keyword_picks_the_title_with_fewest_extra_words(client, wiki, phones):
    """"Pixel 8" means "Google Pixel 8", not "Google Pixel 8 Pro"."""
    for title in ("Google Pixel 8", "Google Pixel 8 Pro", "Apple iPhone 15"):
        wiki.create_entry("tester", title=title, category="phones")
    response = client.get("/compare", query_string={"q": "Pixel 8 vs iphone 15"})
    assert response.headers["Location"] == "/compare/google-pixel-8-vs-apple-iphone-15"


def test_a_word_of_the_summary_finds_the_entry(client, wiki, phones):
    """Keywords come from the summary too: the index that spares made-up names a look-up
    knows them, also for an entry created a moment ago."""
    client.get("/compare", query_string={"q": "tensor vs iphone"})
    for title, summary in (("Google Pixel 8", "Tensor G3 chip"), ("Apple iPhone 15", "")):
        wiki.create_entry("tester", title=title, category="phones", summary=summary)
    response = client.get("/compare", query_string={"q": "tensor vs iphone"})
    # the columns keep the reader's order (issue 12)
    assert response.headers["Location"] == "/compare/google-pixel-8-vs-apple-iphone-15"


def test_unknown_names_get_suggestions_not_an_error(client, three):
    """A typo is a 200 page naming it, suggesting close titles and comparisons with them."""
    response = client.get("/compare", query_string={"q": "Alpha Phone vs Betta Phnoe"})
    assert response.status_code == 200
    html = html_of(response)
    assert "Betta Phnoe" in html and "was found" in html
    assert 'href="/entries/beta-phone"' in html
    assert 'href="/compare/alpha-phone-vs-beta-phone"' in html
    assert 'value="Alpha Phone vs Betta Phnoe"' in html  # the box keeps what was typed


def test_unknown_names_with_nothing_similar(client, three):
    html = html_of(client.get("/compare", query_string={"q": "Alpha Phone vs zzzzqqq"}))
    assert "zzzzqqq" in html and "No similar titles" in html


@pytest.mark.parametrize("q", ["", "Alpha Phone", "Alpha Phone vs", "vs vs"])
def test_fewer_than_two_names_get_the_compare_form(client, three, q):
    response = client.get("/compare", query_string={"q": q})
    assert response.status_code == 200
    html = html_of(response)
    assert 'data-autocomplete="compare"' in html and 'name="q"' in html


def test_the_compare_form_lists_popular_comparisons(client, three):
    client.get("/compare/alpha-phone-vs-beta-phone")
    html = html_of(client.get("/compare"))
    assert "Popular comparisons" in html
    assert '<a href="/compare/alpha-phone-vs-beta-phone">Alpha Phone vs Beta Phone</a>' in html


def test_more_than_six_names_are_refused_kindly(client, many):
    response = client.get("/compare", query_string={"q": " vs ".join(many)})
    assert response.status_code == 200 and "at most 6" in html_of(response)


def test_the_same_entry_twice(client, three):
    response = client.get("/compare", query_string={"q": "alpha-phone vs Alpha Phone"})
    assert response.status_code == 200 and "two different" in html_of(response)


# -- the comparison page ---------------------------------------------------------------


CANONICAL = '<link rel="canonical" href="http://localhost/compare/{}">'


@pytest.mark.parametrize("spec, titles", [
    ("alpha-phone-vs-beta-phone", ["Alpha Phone", "Beta Phone"]),
    ("beta-phone-vs-alpha-phone", ["Beta Phone", "Alpha Phone"]),
    ("gamma-phone-vs-alpha-phone-vs-beta-phone", ["Gamma Phone", "Alpha Phone", "Beta Phone"]),
])
def test_columns_keep_the_readers_order_and_name_one_canonical_address(client, three, spec,
                                                                       titles):
    """Any order is served as asked (no redirect); rel=canonical names the sorted one."""
    response = client.get("/compare/" + spec)
    assert response.status_code == 200
    html = html_of(response)
    heads = re.findall(r'<th scope="col" class="compare-entry">(.*?)</th>', html)
    assert heads == titles
    links = re.findall(r'class="compare-entry-title" href="/entries/[^"]+">(.*?)</a>', html)
    assert links == titles
    canonical = "-vs-".join(sorted(spec.split("-vs-")))
    assert html.count('rel="canonical"') == 1 and CANONICAL.format(canonical) in html


@pytest.mark.parametrize("path, target", [
    ("/compare/beta-phone-vs-alpha-phone-vs-beta-phone", "/compare/beta-phone-vs-alpha-phone"),
    ("/compare/alpha-phone-vs-alpha-phone-vs-beta-phone?only=differences&units=metric",
     "/compare/alpha-phone-vs-beta-phone?only=differences&units=metric"),
])
def test_a_repeated_entry_redirects_permanently_keeping_the_order(client, three, path, target):
    response = client.get(path)
    assert response.status_code == 301 and response.headers["Location"] == target


def test_every_order_counts_toward_one_popular_comparison(client, repos, three):
    client.get("/compare/alpha-phone-vs-beta-phone")
    client.get("/compare/beta-phone-vs-alpha-phone")
    [popular] = repos.comparisons.popular(5)
    assert popular["key"] == "alpha-phone-vs-beta-phone" and popular["views"] == 2


@pytest.mark.parametrize("count, status", [(2, 200), (6, 200), (7, 400)])
def test_two_to_six_entries(client, many, count, status):
    response = client.get("/compare/" + "-vs-".join(many[:count]))
    assert response.status_code == status


@pytest.mark.parametrize("spec", ["phone-a", "phone-a-vs-", "-vs-phone-a", "phone-a-vs-phone-a"])
def test_addresses_that_are_not_comparisons_are_400_pages(client, many, spec):
    response = client.get("/compare/" + spec)
    assert response.status_code == 400
    assert "2 to 6" in html_of(response) and 'name="q"' in html_of(response)


def test_unknown_slug_is_a_404_page_with_suggestions(client, three):
    response = client.get("/compare/alpha-phone-vs-beta-phnoe")
    assert response.status_code == 404
    html = html_of(response)
    assert "beta-phnoe" in html and 'href="/compare/alpha-phone-vs-beta-phone"' in html


def test_columns_have_titles_links_images_and_remove_links(client, three):
    html = html_of(client.get("/compare/alpha-phone-vs-beta-phone-vs-gamma-phone"))
    assert html.count('class="compare-entry"') == 3
    assert '<a class="compare-entry-title" href="/entries/alpha-phone">Alpha Phone</a>' in html
    assert 'href="/compare/beta-phone-vs-gamma-phone"' in html  # without Alpha
    assert html.count('class="compare-remove small"') == 3
    two = html_of(client.get("/compare/alpha-phone-vs-beta-phone"))
    assert 'class="compare-remove' not in two  # never fewer than two


def test_remove_links_keep_the_order_of_the_others(client, three):
    html = html_of(client.get("/compare/gamma-phone-vs-alpha-phone-vs-beta-phone"))
    assert re.findall(r'class="compare-remove small" href="([^"]+)"', html) == [
        "/compare/alpha-phone-vs-beta-phone", "/compare/gamma-phone-vs-beta-phone",
        "/compare/gamma-phone-vs-alpha-phone"]


def test_header_shows_the_image_attribute(client, wiki, phones):
    wiki.create_entry("tester", title="Pic One", category="phones",
                      attributes=[AttributeInput("image", "https://example.org/one.png",
                                                 type="image")])
    wiki.create_entry("tester", title="Pic Two", category="phones")
    html = html_of(client.get("/compare/pic-one-vs-pic-two"))
    assert 'class="cmp-entry-image" src="https://example.org/one.png"' in html
    assert 'data-key="image"' not in html  # shown in the header, not as a row


def test_rows_are_aligned_grouped_and_missing_is_a_dash(client, three):
    html = html_of(client.get("/compare/alpha-phone-vs-beta-phone-vs-gamma-phone"))
    for group in ("Display", "Body", "Connectivity"):
        assert f'<span class="compare-group-name">{group}</span>' in html
    assert html.index(">Display<") < html.index(">Body<") < html.index(">Connectivity<")
    screen = row_html(html, "screen")
    assert screen.count("<td") == 3 and "—" in screen and "6.1 in" in screen
    assert ">15.5 cm<" not in screen and 'title="15.5 cm">6.1 in<' in screen  # one unit a row
    colors = row_html(html, "colors")
    assert colors.count("—") == 2


def test_differing_rows_are_marked(client, three):
    html = html_of(client.get("/compare/alpha-phone-vs-beta-phone-vs-gamma-phone"))
    weight = row_html(html, "weight")
    assert "row-differs" in weight and "(differs)" in weight
    five_g = row_html(html, "five_g")
    assert "row-same" in five_g and "differs" not in five_g.replace("row-same", "")


def test_best_value_is_marked_after_unit_conversion(client, three):
    """15.5 cm is larger than 6.1 in; the lightest phone wins on weight."""
    html = html_of(client.get("/compare/alpha-phone-vs-beta-phone"))
    cells = re.findall(r"<td.*?</td>", row_html(html, "screen"), re.S)
    assert "cell-best" not in cells[0] and "bi-trophy-fill" not in cells[0]
    assert "cell-best" in cells[1] and "bi-trophy-fill" in cells[1] and "best" in cells[1]
    weights = re.findall(r"<td.*?</td>", row_html(html, "weight"), re.S)
    assert "cell-best" in weights[0] and "cell-best" not in weights[1]


def test_only_differences_server_side(client, three):
    url = "/compare/alpha-phone-vs-beta-phone-vs-gamma-phone"
    full = html_of(client.get(url))
    assert 'data-key="five_g"' in full and 'id="only-differences"' in full
    assert f'href="{url}?only=differences"' in full  # the no-JavaScript link
    html = html_of(client.get(url + "?only=differences"))
    assert 'data-key="five_g"' not in html and ">Connectivity<" not in html
    assert 'data-key="weight"' in html and 'data-key="screen"' in html
    assert re.search(r'id="only-differences"[^>]*checked', html)
    assert f'href="{url}"' in html  # back to all rows


def test_only_differences_with_no_difference(client, wiki, phones):
    for title in ("Same One", "Same Two"):
        wiki.create_entry("tester", title=title, category="phones",
                          attributes=[AttributeInput("weight", "100 g")])
    html = html_of(client.get("/compare/same-one-vs-same-two?only=differences"))
    assert "do not differ" in html


def test_add_entry_form_prefills_the_current_titles(client, three):
    html = html_of(client.get("/compare/alpha-phone-vs-beta-phone"))
    assert 'value="Alpha Phone vs Beta Phone vs "' in html
    assert 'id="compare-add-q"' in html and 'action="/compare"' in html


def test_add_entry_is_closed_at_six(client, many):
    html = html_of(client.get("/compare/" + "-vs-".join(many[:6])))
    assert 'id="compare-add-q"' not in html and "at most 6" in html


def test_viewing_counts_toward_popular(client, repos, three):
    client.get("/compare/alpha-phone-vs-beta-phone")
    client.get("/compare/alpha-phone-vs-beta-phone")
    popular = repos.comparisons.popular(1)[0]
    assert popular["key"] == "alpha-phone-vs-beta-phone" and popular["views"] == 2


def test_page_loads_its_script_and_styles_without_inline_code(client, three):
    html = html_of(client.get("/compare/alpha-phone-vs-beta-phone"))
    assert "/static/js/compare.js" in html and "/static/css/compare.css" in html
    assert "<script>" not in html and " style=" not in html and "onclick" not in html
    assert 'class="cmp-body"' in html and 'class="cmp-head"' in html


# -- units -----------------------------------------------------------------------------


@pytest.fixture
def laptops(wiki, phones):
    """Three laptops whose weights were entered in pounds, kilograms and grams."""
    for title, weight in (("Dell XPS", "2.62 lb"), ("MacBook Air", "1.24 kg"),
                          ("ThinkPad X1", "1090 g")):
        wiki.create_entry("tester", title=title, category="phones", attributes=[
            AttributeInput("weight", weight),
            AttributeInput("price", "$999", type="number", better="lower")])
    return "/compare/dell-xps-vs-macbook-air-vs-thinkpad-x1"


def cell_texts(html: str, key: str) -> list[str]:
    """The texts of a row's number cells."""
    return re.findall(r'<span class="value-number"[^>]*>([^<]*)</span>', row_html(html, key))


@pytest.mark.parametrize("units, texts", [
    (None, ["1.19 kg", "1.24 kg", "1.09 kg"]),
    ("default", ["1.19 kg", "1.24 kg", "1.09 kg"]),
    ("metric", ["1.19 kg", "1.24 kg", "1.09 kg"]),
    ("imperial", ["2.62 lb", "2.73 lb", "2.4 lb"]),
])
def test_a_row_shows_one_unit_in_the_readers_system(client, laptops, units, texts):
    """"2.62 lb | 1.24 kg | 1090 g" reads in one unit; the value as entered is the title."""
    html = html_of(client.get(laptops, query_string={"units": units} if units else {}))
    assert cell_texts(html, "weight") == texts
    weight = row_html(html, "weight")
    entered = dict(re.findall(r'title="([^"]+)">([^<]+)</span>', weight))
    assert set(entered) <= {"2.62 lb", "1.24 kg", "1090 g"}
    assert len(entered) == 3 - texts.count("1.24 kg") - texts.count("2.62 lb")
    assert ["$999"] * 3 == cell_texts(html, "price")  # currencies are never converted


def test_the_unit_choice_is_remembered_in_a_cookie(client, laptops):
    """?units= sets the cookie; later visits (any comparison) use it; default clears it."""
    response = client.get(laptops + "?units=imperial")
    cookie = client.get_cookie("pkyx_units")
    assert cookie is not None and cookie.value == "imperial"
    assert "httponly" in response.headers["Set-Cookie"].lower()
    html = html_of(client.get(laptops))
    assert cell_texts(html, "weight")[0] == "2.62 lb"
    assert re.search(r'aria-current="true">Imperial<', html)
    client.get(laptops + "?units=metric")
    assert cell_texts(html_of(client.get(laptops)), "weight")[0] == "1.19 kg"
    client.get(laptops + "?units=default")
    assert client.get_cookie("pkyx_units") is None


def test_the_unit_switch_is_plain_links(client, laptops):
    """Without JavaScript the switch is three links; only=differences is kept."""
    html = html_of(client.get(laptops + "?only=differences"))
    links = re.findall(r'<a class="btn [^"]+" href="([^"]+)"\s+rel="nofollow" data-units="(\w+)"',
                       html)
    assert [system for _, system in links] == ["default", "metric", "imperial"]
    assert all("only=differences" in url and f"units={system}" in url for url, system in links)


@pytest.mark.parametrize("units", ["furlongs", "", "METRIC"])
def test_an_unknown_unit_system_is_the_default_and_sets_nothing(client, laptops, units):
    response = client.get(laptops, query_string={"units": units})
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    assert cell_texts(html_of(response), "weight") == ["1.19 kg", "1.24 kg", "1.09 kg"]


# -- summary and bars --------------------------------------------------------------------


def test_summary_counts_the_rows_each_entry_wins(client, wiki, three):
    """The counts on the page are the domain's winners, row by row."""
    url = "/compare/gamma-phone-vs-alpha-phone-vs-beta-phone"
    html = html_of(client.get(url))
    comparison = wiki.compare(["gamma-phone", "alpha-phone", "beta-phone"])
    shown = [int(n) for n in re.findall(r'data-wins="(\d+)"', html)]
    assert shown == [sum(i in row.best for row in comparison.rows) for i in range(3)]
    assert shown == [1, 0, 1]  # gamma: the lightest; beta: the biggest screen
    assert "Weight: 12% lower" in html and "Screen size: &lt;1% higher" in html


def test_bars_are_drawn_without_inline_styles(client, three):
    """A bar per number of a row with a better direction: classes, the best one full."""
    html = html_of(client.get("/compare/alpha-phone-vs-beta-phone-vs-gamma-phone"))
    bars = re.findall(r'<i class="cmp-bar b(\d+)"></i>',
                      row_html(html, "weight"))
    assert bars == ["18", "15", "20"]  # 150/170, 150/200, 150/150 in twentieths


# -- exports ---------------------------------------------------------------------------


def test_csv_export(client, three):
    response = client.get("/compare/beta-phone-vs-alpha-phone.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="pkyx-beta-phone-vs-alpha-phone.csv"')
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["Section", "Attribute", "Unit", "Beta Phone", "Alpha Phone"]
    by_label = {row[1]: row[2:] for row in rows[1:]}
    assert by_label["Screen size"] == ["in", "6.1", "6.1"]  # 15.5 cm in the row's unit
    assert by_label["Weight"] == ["g", "200", "170"]
    assert by_label["5G"] == ["", "true", "true"]
    assert by_label["Colours"] == ["", "", "black; blue"]  # missing is empty
    assert len(rows) == 1 + 4


def test_csv_numbers_are_numbers_in_the_chosen_unit(client, laptops):
    """Python's csv module reads the weight row as numbers of its unit column."""
    for units, unit, numbers in (("metric", "kg", [1.19, 1.24, 1.09]),
                                 ("imperial", "lb", [2.62, 2.73, 2.4])):
        text = client.get(laptops + ".csv", query_string={"units": units}).data.decode(
            "utf-8-sig")
        rows = {row[1]: row[2:] for row in csv.reader(io.StringIO(text))}
        assert rows["Weight"][0] == unit
        assert [float(cell) for cell in rows["Weight"][1:]] == numbers
        assert rows["Price"] == ["USD", "999", "999", "999"]


def test_csv_ratings_are_numbers_and_lists_are_joined(client, wiki, phones):
    wiki.create_entry("tester", title="Rated One", category="phones", attributes=[
        AttributeInput("rating", "4", type="rating", better="higher"),
        AttributeInput("colors", ["red", "=cmd"])])
    wiki.create_entry("tester", title="Rated Two", category="phones", attributes=[
        AttributeInput("rating", "★★", type="rating"), AttributeInput("colors", ["blue"])])
    text = client.get("/compare/rated-one-vs-rated-two.csv").data.decode("utf-8-sig")
    rows = {row[1]: row[2:] for row in csv.reader(io.StringIO(text))}
    assert rows["Rating"] == ["", "4", "2"]
    assert rows["Colours"] == ["", "'red; =cmd", "blue"]  # a part starting with = is neutralised


def test_csv_cells_cannot_be_formulas(client, wiki, phones):
    wiki.create_entry("tester", title="=HYPERLINK(1)", slug="formula", category="phones",
                      attributes=[AttributeInput("note", "@SUM(A1)", type="text"),
                                  AttributeInput("weight", "100 g")])
    wiki.create_entry("tester", title="+plus", slug="plus", category="phones",
                      attributes=[AttributeInput("note", "-2+3", type="text")])
    text = client.get("/compare/formula-vs-plus.csv").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][3:] == ["'=HYPERLINK(1)", "'+plus"]
    note = next(row for row in rows if row[1] == "Note")
    assert note[3:] == ["'@SUM(A1)", "'-2+3"]


def test_csv_parts_after_a_separator_cannot_be_formulas(client, wiki, phones):
    """`List;=1+1` splits into a formula in a ";" spreadsheet: quoted and neutralised."""
    wiki.create_entry("tester", title="Semi", slug="semi", category="phones",
                      attributes=[AttributeInput("note", "List;=1+1", type="text")])
    wiki.create_entry("tester", title="Comma", slug="comma", category="phones",
                      attributes=[AttributeInput("note", "a, @SUM(A1)", type="text")])
    wiki.create_entry("tester", title="Plain", slug="plain", category="phones",
                      attributes=[AttributeInput("note", "Wi-Fi 6; 5G", type="text")])
    text = client.get("/compare/comma-vs-plain-vs-semi.csv").data.decode("utf-8-sig")
    assert '"\'a, @SUM(A1)","Wi-Fi 6; 5G","\'List;=1+1"' in text
    note = next(row for row in csv.reader(io.StringIO(text)) if row[1] == "Note")
    assert note[3:] == ["'a, @SUM(A1)", "Wi-Fi 6; 5G", "'List;=1+1"]
    for line in text.splitlines():  # every cell quoted: a ";" reader keeps each whole
        assert line.startswith('"') and line.endswith('"')


@pytest.mark.parametrize("text, cell", [
    ("List;=1+1", "'List;=1+1"),
    ("a, +b", "'a, +b"),
    ("x,@y", "'x,@y"),
    ("ok; fine, still", "ok; fine, still"),
    ("-5", "'-5"),
    ("5-3", "5-3"),
])
def test_csv_text_is_neutralised_when_any_part_starts_a_formula(text, cell):
    """In a ; or , locale a spreadsheet splits the cell; no part may start a formula."""
    from app.web.compare import _csv_cell

    assert _csv_cell(text) == cell


def test_json_export_is_the_api_representation_in_the_readers_order(client, three):
    response = client.get("/compare/beta-phone-vs-alpha-phone.json")
    assert response.status_code == 200 and response.is_json
    data = response.get_json()
    assert [e["slug"] for e in data["entries"]] == ["beta-phone", "alpha-phone"]
    assert data["_links"]["html"]["href"] == "/compare/beta-phone-vs-alpha-phone"
    assert data["entries"][0]["_links"]["self"]["href"] == "/api/v1/entries/beta-phone"
    screen = next(row for g in data["groups"] for row in g["rows"] if row["key"] == "screen")
    assert screen["best"] == [0] and screen["differs"] is True
    assert [(c["number"], c["unit"], c["text"], c["entered"]) for c in screen["cells"]] == [
        (6.1, "in", "6.1 in", "15.5 cm"), (6.1, "in", "6.1 in", "6.1 in")]
    assert [s["slug"] for s in data["summary"]] == ["beta-phone", "alpha-phone"]


def test_json_export_in_imperial(client, laptops):
    data = client.get(laptops + ".json?units=imperial").get_json()
    weight = next(row for g in data["groups"] for row in g["rows"] if row["key"] == "weight")
    assert data["units"] == "imperial" and weight["display_unit"] == "lb"
    assert [c["number"] for c in weight["cells"]] == [2.62, 2.73, 2.4]


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_exports_of_unknown_or_bad_comparisons(client, three, suffix):
    assert client.get("/compare/alpha-phone-vs-nope" + suffix).status_code == 404
    assert client.get("/compare/alpha-phone" + suffix).status_code == 400


def test_exports_do_not_count_views(client, repos, three):
    client.get("/compare/alpha-phone-vs-beta-phone.csv")
    client.get("/compare/alpha-phone-vs-beta-phone.json")
    assert repos.comparisons.popular(5) == []


# -- autocomplete ----------------------------------------------------------------------


def test_suggest_completes_titles(client, three):
    response = client.get("/suggest", query_string={"q": "al"})
    assert response.status_code == 200
    assert response.get_json() == [
        {"slug": "alpha-phone", "title": "Alpha Phone", "category": "phones"}]


def test_suggest_uses_the_last_name(client, three):
    data = client.get("/suggest", query_string={"q": "Alpha Phone vs Ga"}).get_json()
    assert [item["slug"] for item in data] == ["gamma-phone"]
    data = client.get("/suggest", query_string={"q": "Alpha pk phone"}).get_json()
    assert {item["slug"] for item in data} == {"alpha-phone", "beta-phone", "gamma-phone"}


@pytest.mark.parametrize("q", ["", "Alpha Phone vs ", "   "])
def test_suggest_with_nothing_to_complete(client, three, q):
    assert client.get("/suggest", query_string={"q": q}).get_json() == []


def test_suggest_returns_at_most_ten(client, wiki, phones):
    for n in range(12):
        wiki.create_entry("tester", title=f"Model {n}", category="phones")
    assert len(client.get("/suggest?q=model").get_json()) == 10


def test_suggest_treats_regex_characters_as_text(client, three):
    assert client.get("/suggest", query_string={"q": ".*"}).get_json() == []


# -- escaping --------------------------------------------------------------------------


@pytest.fixture
def hostile(wiki, phones):
    """Entries whose titles and values try to inject markup."""
    wiki.create_entry("tester", title=XSS_TITLE, slug="xss-title", category="phones",
                      attributes=[AttributeInput("note", XSS_VALUE, type="text"),
                                  AttributeInput("colors", [XSS_TITLE, "ok"])])
    wiki.create_entry("tester", title=XSS_VALUE, slug="xss-value", category="phones",
                      attributes=[AttributeInput("note", XSS_TITLE, type="text")])
    return "/compare/xss-title-vs-xss-value"


def assert_escaped(html: str) -> None:
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_comparison_page_escapes_titles_and_values(client, hostile):
    html = html_of(client.get(hostile))
    assert_escaped(html)
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html


def test_suggestion_pages_escape_typed_names(client, hostile):
    response = client.get("/compare", query_string={"q": f"{XSS_TITLE} vs {XSS_VALUE}x"})
    assert response.status_code in (200, 302)
    assert_escaped(html_of(client.get("/compare", query_string={
        "q": f"nothing here vs {XSS_TITLE}zz"})))
    html = html_of(client.get("/compare/xss-title-vs-%3Cscript%3Ealert(1)%3C%2Fscript%3E"))
    assert "<script>alert(1)" not in html


def test_exports_keep_hostile_text_as_data(client, hostile):
    text = client.get(hostile + ".csv").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][3:] == [XSS_TITLE, XSS_VALUE]  # plain text in a CSV, never HTML
    data = client.get(hostile + ".json").get_json()
    assert [e["title"] for e in data["entries"]] == [XSS_TITLE, XSS_VALUE]
    assert client.get(hostile + ".json").mimetype == "application/json"


def test_suggest_json_keeps_hostile_titles_as_data(client, hostile):
    data = client.get("/suggest", query_string={"q": "<scr"}).get_json()
    assert data == [{"slug": "xss-title", "title": XSS_TITLE, "category": "phones"}]


# -- remembered comparisons: every change shows at once ---------------------------------------


def test_a_remembered_comparison_shows_an_edit_at_once(client, wiki, repos, three):
    page = "/compare/alpha-phone-vs-beta-phone"
    assert "170" in row_html(html_of(client.get(page)), "weight")
    version = repos.entries.find_slug("alpha-phone")["version"]
    wiki.set_attribute("tester", "alpha-phone", version, AttributeInput("weight", "123 g"))
    row = row_html(html_of(client.get(page)), "weight")
    assert "123" in row and "170" not in row
    assert wiki.compare(["alpha-phone", "beta-phone"]).groups  # the API's path sees it too
    cells = {cell.text for group in wiki.compare(["alpha-phone", "beta-phone"]).groups
             for row in group.rows if row.key == "weight" for cell in row.cells}
    assert "123 g" in cells


def test_a_remembered_comparison_shows_a_definition_change_at_once(client, repos, three):
    page = "/compare/alpha-phone-vs-beta-phone"
    assert "Screen size" in row_html(html_of(client.get(page)), "screen")
    definition, version = repos.definitions.get_versioned("screen")
    repos.definitions.replace(replace_fields(definition, label="Display diagonal",
                                             label_zh="屏幕对角线"), "tester", version)
    assert "Display diagonal" in row_html(html_of(client.get(page)), "screen")
    chinese = html_of(client.get(page + "?lang=zh_Hans"))
    assert "屏幕对角线" in row_html(chinese, "screen")


def test_one_comparison_in_two_languages(client, three):
    page = "/compare/alpha-phone-vs-beta-phone"
    english = html_of(client.get(page + "?lang=en"))
    chinese = html_of(client.get(page + "?lang=zh_Hans"))
    again = html_of(client.get(page + "?lang=en"))
    assert "not given" in english and "not given" in again
    assert "not given" not in chinese and "未填写" in chinese


def test_a_section_name_from_another_attribute_shows_at_once(client, repos, three):
    """A section's Chinese name may come from a definition the comparison does not show."""
    from app.domain.definitions import validate_definition

    page = "/compare/alpha-phone-vs-beta-phone?lang=zh_Hans"
    before = html_of(client.get(page))
    assert "机身" not in before
    repos.definitions.insert(validate_definition({
        "key": "depth", "label": "Depth", "type": "number", "unit": "mm", "group": "Body",
        "group_zh": "机身", "order": 330}), "tester")
    assert '<span class="compare-group-name">机身</span>' in html_of(client.get(page))
