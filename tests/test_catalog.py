"""Integrity checks of the demo catalogue (app/seed/catalog.json) and its images.

These tests read the files only; they import nothing from the application, so they keep
the seed data honest even while the code that loads it changes.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
CATALOG_PATH = ROOT / "app" / "seed" / "catalog.json"
STATIC = ROOT / "app" / "static"

TYPES = {"text", "number", "boolean", "rating", "url", "image", "date", "list"}
BETTER = {"higher", "lower", "none"}
ORDERED_TYPES = {"number", "rating", "date", "boolean"}  # the only ones with a "better" side
UNITS = set(
    "g kg lb oz mm cm m in ft mAh Ah Wh W Hz MHz GHz B kB MB GB TB nm MP nit ppi fps dB "
    "h s ms degC USD EUR GBP CNY JPY".split()
)
KEY_RE = re.compile(r"^[a-z0-9_]{1,40}$")
SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
USERNAME_RE = re.compile(r"^[a-z0-9_]{2,30}$")
NUMBER_RE = re.compile(r"^-?\d+(\.\d+)?(?: (?P<unit>\S+))?$")
DATE_RE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*$")
STATIC_PREFIX = "static:"
MAX_IMAGE_SIDE = 480
MAX_IMAGE_BYTES = 25 * 1024
MAX_AVATAR_BYTES = 15 * 1024
MAX_TOTAL_BYTES = int(1.5 * 1024 * 1024)

#: Units that measure the same thing, so a value may use any unit of its definition's group.
DIMENSIONS = [
    {"g", "kg", "lb", "oz"},
    {"mm", "cm", "m", "in", "ft"},
    {"mAh", "Ah"},
    {"Wh"},
    {"W"},
    {"Hz", "MHz", "GHz"},
    {"B", "kB", "MB", "GB", "TB"},
    {"nm"},
    {"MP"},
    {"nit"},
    {"ppi"},
    {"fps"},
    {"dB"},
    {"h", "s", "ms"},
    {"degC"},
]


@pytest.fixture(scope="module")
def catalog() -> dict:
    """The parsed catalogue."""
    return json.loads(CATALOG_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def definitions(catalog: dict) -> dict[str, dict]:
    """Attribute definitions keyed by attribute key."""
    return {d["key"]: d for d in catalog["definitions"]}


def same_dimension(unit: str, canonical: str) -> bool:
    """True when ``unit`` converts to ``canonical`` (currencies only to themselves)."""
    if unit == canonical:
        return True
    return any(unit in dim and canonical in dim for dim in DIMENSIONS)


def check_value(definition: dict, value: object) -> str | None:
    """Return why ``value`` does not fit ``definition``, or None when it does."""
    if not isinstance(value, str) or not value.strip():
        return "empty or not a string"
    kind = definition["type"]
    if kind == "number":
        match = NUMBER_RE.match(value)
        if not match:
            return "not a number"
        unit = match.group("unit")
        canonical = definition["unit"]
        if canonical is None:
            return f"unit {unit!r} on a count" if unit else None
        if unit is None:
            return None
        return None if same_dimension(unit, canonical) else f"{unit} is not a {canonical} unit"
    if kind == "boolean":
        return None if value in {"yes", "no"} else "not yes/no"
    if kind == "rating":
        return None if value in {"1", "2", "3", "4", "5"} else "not 1-5 stars"
    if kind == "url":
        return None if URL_RE.match(value) else "not an http(s) URL"
    if kind == "image":
        return None if value.startswith(STATIC_PREFIX) or URL_RE.match(value) else "bad image"
    if kind == "date":
        return None if DATE_RE.match(value) else "not YYYY[-MM[-DD]]"
    if kind == "list":
        items = [item.strip() for item in value.split(",")]
        return None if all(items) else "empty list item"
    return None


def test_top_level_sections(catalog: dict) -> None:
    assert set(catalog) == {"categories", "definitions", "users", "entries", "history"}


def test_categories(catalog: dict) -> None:
    categories = catalog["categories"]
    assert len(categories) >= 3
    slugs = [c["slug"] for c in categories]
    assert len(slugs) == len(set(slugs))
    for category in categories:
        assert SLUG_RE.match(category["slug"]), category
        assert category["name"].strip() and category["description"].strip()
        assert category["name_zh"].strip() and category["description_zh"].strip()
        keys = {d["key"] for d in catalog["definitions"]}
        suggested = category["attributes"]
        assert 5 <= len(suggested) == len(set(suggested)) and set(suggested) <= keys, category


def test_entry_counts(catalog: dict) -> None:
    entries = catalog["entries"]
    assert len(entries) >= 36
    per_category: dict[str, int] = {}
    for entry in entries:
        per_category[entry["category"]] = per_category.get(entry["category"], 0) + 1
    assert set(per_category) == {c["slug"] for c in catalog["categories"]}
    assert min(per_category.values()) >= 8, per_category


def test_definitions_are_valid(catalog: dict) -> None:
    keys = [d["key"] for d in catalog["definitions"]]
    assert len(keys) == len(set(keys)), "duplicate definition keys"
    for d in catalog["definitions"]:
        assert set(d) == {"key", "label", "type", "unit", "better", "group", "order",
                          "description", "label_zh", "group_zh", "description_zh"}, d
        assert d["label_zh"].strip() and d["group_zh"].strip(), d  # the Chinese pages
        assert d["description_zh"].strip() and d["description"].strip(), d
        assert KEY_RE.match(d["key"]), d["key"]
        assert d["type"] in TYPES, d
        assert d["better"] in BETTER, d
        if d["better"] != "none":
            assert d["type"] in ORDERED_TYPES, f"{d['key']}: 'better' on a {d['type']}"
        if d["type"] == "number":
            assert d["unit"] is None or d["unit"] in UNITS, d
        else:
            assert d["unit"] is None, f"{d['key']}: unit on a {d['type']}"
        assert d["label"].strip() and d["group"].strip() and d["description"].strip()
        assert isinstance(d["order"], int) and not isinstance(d["order"], bool)


def test_slugs_unique_valid_and_never_vs(catalog: dict) -> None:
    slugs = [e["slug"] for e in catalog["entries"]]
    assert len(slugs) == len(set(slugs)), "duplicate entry slugs"
    for slug in slugs:
        assert SLUG_RE.match(slug), slug
        assert "vs" not in slug.split("-"), f"{slug} contains the word 'vs'"


def test_entries_are_complete(catalog: dict, definitions: dict) -> None:
    categories = {c["slug"] for c in catalog["categories"]}
    users = {u["username"] for u in catalog["users"]}
    for entry in catalog["entries"]:
        slug = entry["slug"]
        assert entry["category"] in categories, slug
        assert entry["created_by"] in users, slug
        assert entry["title"].strip() and entry["summary"].strip(), slug
        attrs = entry["attributes"]
        assert len(attrs) >= 15, f"{slug} has {len(attrs)} attributes"
        unknown = set(attrs) - set(definitions)
        assert not unknown, f"{slug}: undefined keys {sorted(unknown)}"
        types = {definitions[k]["type"] for k in attrs}
        assert types == TYPES, f"{slug} lacks types {sorted(TYPES - types)}"
        with_unit = [k for k in attrs
                     if definitions[k]["type"] == "number" and definitions[k]["unit"]]
        assert with_unit, f"{slug} has no number with a unit"


def test_attribute_values_fit_their_types(catalog: dict, definitions: dict) -> None:
    problems = []
    for entry in catalog["entries"]:
        for key, value in entry["attributes"].items():
            why = check_value(definitions[key], value)
            if why:
                problems.append(f"{entry['slug']}.{key}={value!r}: {why}")
    assert not problems, "\n".join(problems)


def test_static_images_exist_and_are_small(catalog: dict, definitions: dict) -> None:
    total = 0
    seen = 0
    for entry in catalog["entries"]:
        for key, value in entry["attributes"].items():
            if definitions[key]["type"] != "image" or not value.startswith(STATIC_PREFIX):
                continue
            path = STATIC / value[len(STATIC_PREFIX):]
            assert path.is_file(), f"{entry['slug']}: missing {path}"
            size = path.stat().st_size
            assert size <= MAX_IMAGE_BYTES, f"{path.name} is {size} bytes"
            total += size
            seen += 1
            with Image.open(path) as img:
                img.verify()
            with Image.open(path) as img:
                assert img.format in {"PNG", "WEBP"}, path.name
                assert max(img.size) <= MAX_IMAGE_SIDE, f"{path.name} is {img.size}"
    assert seen == len(catalog["entries"]), "every entry should have a demo image"
    assert total <= MAX_TOTAL_BYTES


def test_users_and_avatars(catalog: dict) -> None:
    users = catalog["users"]
    names = [u["username"] for u in users]
    assert len(names) == len(set(names)) and len(names) >= 4
    emails = [u["email"].lower() for u in users]
    assert len(emails) == len(set(emails))
    for user in users:
        assert USERNAME_RE.match(user["username"]), user["username"]
        assert re.match(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", user["email"]), user["email"]
        assert URL_RE.match(user["website"]), user["website"]
        assert user["location"].strip() and user["bio"].strip()
        path = STATIC / user["avatar"]
        assert path.is_file(), f"missing avatar {path}"
        assert path.stat().st_size <= MAX_AVATAR_BYTES, path.name
        with Image.open(path) as img:
            assert img.format == "PNG" and img.size == (256, 256), path.name


def test_history_items(catalog: dict, definitions: dict) -> None:
    history = catalog["history"]
    assert len(history) >= 12
    entries = {e["slug"]: e for e in catalog["entries"]}
    users = {u["username"] for u in catalog["users"]}
    # replay the history so each "unset" names an attribute that exists at that point
    state = {slug: dict(e["attributes"]) for slug, e in entries.items()}
    for item in history:
        assert set(item) == {"entry", "user", "comment", "set", "unset"}, item
        assert item["entry"] in entries, item
        assert item["user"] in users, item
        assert item["comment"].strip()
        assert item["set"] or item["unset"], item
        for key, value in item["set"].items():
            assert key in definitions, item
            assert check_value(definitions[key], value) is None, (item, value)
            state[item["entry"]][key] = value
        for key in item["unset"]:
            assert key in definitions, item
            assert key in state[item["entry"]], f"{item['entry']}: unset of absent {key}"
            del state[item["entry"]][key]
    assert len({item["user"] for item in history}) >= 3
    assert any(item["unset"] for item in history)


def test_groups_and_orders_are_coherent(catalog: dict) -> None:
    """Each group occupies one band of orders, so rows never interleave across sections."""
    spans: dict[str, tuple[int, int]] = {}
    for d in catalog["definitions"]:
        low, high = spans.get(d["group"], (d["order"], d["order"]))
        spans[d["group"]] = (min(low, d["order"]), max(high, d["order"]))
    ordered = sorted(spans.items(), key=lambda item: item[1][0])
    for (name_a, (_, high_a)), (name_b, (low_b, _)) in zip(ordered, ordered[1:], strict=False):
        assert high_a < low_b, f"groups {name_a} and {name_b} overlap"
