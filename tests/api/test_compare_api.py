"""/api/v1/compare?entries=a,b: aligned rows, canonical order, differences and winners."""

from __future__ import annotations

import pytest

from .conftest import API


@pytest.fixture
def phones_to_compare(make_entry):
    """Two phones whose screens are given in different units, and a third one."""
    make_entry("Pixel 8", attributes={"screen": "6.1 in", "weight": "187 g", "five_g": True,
                                      "chip": "Tensor G3"})
    make_entry("Galaxy S24", attributes={"screen": "15.5 cm", "weight": "0.167 kg",
                                         "five_g": True, "colors": ["black", "violet"]})
    make_entry("iPhone 15", attributes={"screen": "6.1 in", "weight": "171 g", "five_g": True})


def _rows(body: dict) -> dict[str, dict]:
    return {row["key"]: row for group in body["groups"] for row in group["rows"]}


def test_entries_come_back_in_canonical_order(client, phones_to_compare):
    """``?entries=pixel-8,galaxy-s24`` answers in the one canonical order, same ETag both ways."""
    response = client.get(f"{API}/compare?entries=pixel-8,galaxy-s24")
    assert response.status_code == 200
    body = response.get_json()
    assert [e["slug"] for e in body["entries"]] == ["galaxy-s24", "pixel-8"]
    assert body["entries"][0]["title"] == "Galaxy S24"
    assert body["_links"]["html"]["href"] == "/compare/galaxy-s24-vs-pixel-8"
    assert body["_links"]["self"]["href"] == f"{API}/compare?entries=galaxy-s24,pixel-8"
    other = client.get(f"{API}/compare?entries=galaxy-s24,%20pixel-8")
    assert other.get_json() == body and other.headers["ETag"] == response.headers["ETag"]


def test_rows_are_aligned_with_missing_cells(client, phones_to_compare):
    """One row per attribute in the union, a cell per entry; a missing value is '—'."""
    body = client.get(f"{API}/compare?entries=pixel-8,galaxy-s24").get_json()
    rows = _rows(body)
    assert set(rows) == {"screen", "weight", "five_g", "chip", "colors"}
    assert [group["name"] for group in body["groups"]] == ["Display", "Performance", "Body",
                                                           "Connectivity"]
    chip = rows["chip"]["cells"]
    assert chip[0] == {"value": None, "text": "—", "missing": True, "best": False,
                       "number": None, "unit": None, "entered": None, "bar": None}
    assert chip[1]["value"] == "Tensor G3" and rows["chip"]["differs"] is True
    assert rows["five_g"]["differs"] is False


def test_winners_after_unit_conversion(client, phones_to_compare):
    """15.5 cm beats 6.1 in (higher is better); 0.167 kg beats 187 g (lower is better)."""
    rows = _rows(client.get(f"{API}/compare?entries=pixel-8,galaxy-s24").get_json())
    assert rows["screen"]["best"] == [0] and rows["screen"]["differs"] is True
    assert [cell["best"] for cell in rows["screen"]["cells"]] == [True, False]
    assert rows["weight"]["best"] == [0]
    assert rows["five_g"]["best"] == []


def test_equal_values_in_other_units_tie(client, make_entry):
    """6.1 in and 15.494 cm are the same screen: the row does not differ and nobody wins."""
    make_entry("Phone A", attributes={"screen": "6.1 in"})
    make_entry("Phone B", attributes={"screen": "15.494 cm"})
    rows = _rows(client.get(f"{API}/compare?entries=phone-a,phone-b").get_json())
    assert rows["screen"]["differs"] is False and rows["screen"]["best"] == []


@pytest.mark.parametrize("flag", ["true", "1", "yes", "TRUE"])
def test_only_differences(client, phones_to_compare, flag):
    """``only_differences=true`` keeps only rows that differ (and drops emptied groups)."""
    response = client.get(f"{API}/compare?entries=pixel-8,galaxy-s24&only_differences={flag}")
    assert response.status_code == 200
    rows = _rows(response.get_json())
    assert set(rows) == {"screen", "weight", "chip", "colors"}
    assert all(row["differs"] for row in rows.values())
    assert "Connectivity" not in [g["name"] for g in response.get_json()["groups"]]
    everything = client.get(f"{API}/compare?entries=pixel-8,galaxy-s24&only_differences=false")
    assert "five_g" in _rows(everything.get_json())
    assert everything.headers["ETag"] != response.headers["ETag"]


def test_three_entries(client, phones_to_compare):
    """Three entries align too; two equal best values both win."""
    body = client.get(f"{API}/compare?entries=pixel-8,iphone-15,galaxy-s24").get_json()
    assert [e["slug"] for e in body["entries"]] == ["galaxy-s24", "iphone-15", "pixel-8"]
    assert _rows(body)["weight"]["best"] == [0]
    assert len(_rows(body)["screen"]["cells"]) == 3


def test_etag_and_304(client, phones_to_compare, user):
    """The comparison has a strong ETag, 304 on If-None-Match, and a new ETag after an edit."""
    url = f"{API}/compare?entries=pixel-8,galaxy-s24"
    etag = client.get(url).headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    entry = client.get(f"{API}/entries/pixel-8")
    edited = client.patch(f"{API}/entries/pixel-8",
                          headers={**user.bearer, "If-Match": entry.headers["ETag"]},
                          json={"attributes": {"weight": "150 g"}})
    assert edited.status_code == 200
    fresh = client.get(url, headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and fresh.headers["ETag"] != etag
    assert _rows(fresh.get_json())["weight"]["best"] == [1]


def test_unknown_entry_is_404(client, phones_to_compare):
    """Comparing with an entry that does not exist is a 404 naming it."""
    response = client.get(f"{API}/compare?entries=pixel-8,nokia-3310")
    assert response.status_code == 404 and "nokia-3310" in response.get_json()["detail"]


@pytest.mark.parametrize("query", [
    "entries=pixel-8",
    "entries=a,b,c,d,e,f,g",
    "entries=pixel-8,pixel-8",
    "entries=",
    "entries=pixel-8,",
    "",
    "entries=pixel-8&entries=galaxy-s24",
    "entries=pixel-8,galaxy-s24&only_differences=maybe",
    "entries=pixel-8,galaxy-s24&sort=title",
    "entries=pixel-8,galaxy-s24&units=furlongs",
    "entries=pixel-8,galaxy-s24,pixel-8",
])
def test_bad_requests_are_400(client, phones_to_compare, query):
    """One entry, seven, a repeat, none, a second ``entries``, a bad flag or unknown param: 400."""
    response = client.get(f"{API}/compare?{query}")
    assert response.status_code == 400, response.get_json()


def test_numbers_in_one_unit_per_row_in_the_readers_system(client, phones_to_compare):
    """``units=`` shows every number of a row in one unit; the value as entered stays."""
    url = f"{API}/compare?entries=pixel-8,galaxy-s24"
    default = _rows(client.get(url).get_json())
    assert default["weight"]["display_unit"] == "g"
    assert [(c["number"], c["unit"], c["text"], c["entered"])
            for c in default["weight"]["cells"]] == [
        (167, "g", "167 g", "0.167 kg"), (187, "g", "187 g", "187 g")]
    assert [c["text"] for c in default["screen"]["cells"]] == ["6.1 in", "6.1 in"]
    imperial = client.get(url + "&units=imperial").get_json()
    assert imperial["units"] == "imperial"
    rows = _rows(imperial)
    assert rows["weight"]["unit"] == "g" and rows["weight"]["display_unit"] == "oz"
    assert [c["text"] for c in rows["weight"]["cells"]] == ["5.89 oz", "6.6 oz"]
    metric = _rows(client.get(url + "&units=metric").get_json())
    assert [c["text"] for c in metric["screen"]["cells"]] == ["15.5 cm", "15.5 cm"]
    assert rows["chip"]["display_unit"] is None and rows["chip"]["cells"][1]["number"] is None


def test_summary_counts_wins_and_names_advantages(client, phones_to_compare):
    """Per entry, in order: rows won (the rows' ``best``) and up to three advantages."""
    body = client.get(f"{API}/compare?entries=pixel-8,galaxy-s24").get_json()
    rows = list(_rows(body).values())
    assert [s["slug"] for s in body["summary"]] == ["galaxy-s24", "pixel-8"]
    for position, summary in enumerate(body["summary"]):
        assert summary["wins"] == sum(position in row["best"] for row in rows)
    assert body["decided"] == sum(1 for row in rows if row["best"])
    galaxy = body["summary"][0]
    assert galaxy["wins"] == 2
    assert [a["key"] for a in galaxy["advantages"]] == ["weight", "screen"]  # strongest first
    weight, screen = galaxy["advantages"]
    assert weight["text"] == "Weight: 11% lower" and weight["percent"] == 0.107
    assert screen["percent"] < 0.01 and screen["text"] == "Screen size: <1% higher"
    assert body["summary"][1] == {"slug": "pixel-8", "wins": 0, "advantages": []}
