"""A Hypothesis state machine drives the entry API against a small model of the wiki.

The machine creates entries (titles whose slugs collide, explicit slugs that clash),
sets, adds and deletes attributes, patches and replaces entries, reverts to earlier
versions, deletes entries and restores deleted ones, each write sent with the current
ETag, a stale one, a weak one, ``*`` or none, by the editor, an admin or nobody. Values
include ones that do not parse. The model predicts every status code and what the wiki
holds afterwards.

It also grows the category tree: editors create categories (some inside others, some
inside one that does not exist or too deep), change their descriptions (names and
parents only as admins), admins delete empty ones and merge one into another, which
moves every entry in it as an edit of its own; entries then name only categories that
exist.

After every step the invariants compare the API with the model: each live entry's
fields, attribute values and version; its ETag, which changes exactly when a write was
acknowledged; its revision count, which equals its acknowledged writes (creation is
one, a deletion and a restore one each); deleted entries answer 404; the list total and
the category counts match; each category's name, parent and version; and the revisions
collection holds one revision per acknowledged write, deletions included.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field

import pytest
from bson import ObjectId
from hypothesis import Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)

from app import create_app
from app.domain.definitions import validate_definition
from app.services.wiki import Wiki

from .conftest import API, PASSWORD, auth_header

# -- the inputs the machine chooses from, each with what the wiki should make of it -------

#: Title as sent → (title as stored, the slug it starts from).
TITLES = {
    "Pixel 8": ("Pixel 8", "pixel-8"),
    "pixel 8": ("pixel 8", "pixel-8"),
    "  Galaxy S24 ": ("Galaxy S24", "galaxy-s24"),
    "Galaxy S24": ("Galaxy S24", "galaxy-s24"),
    "Pixel 8 vs": ("Pixel 8 vs", "pixel-8-versus"),
}
#: Explicit slugs: ``None`` lets the wiki pick a free one from the title.
SLUGS = [None, None, None, "pixel-8", "pixel-8-2", "galaxy-s24"]
CATEGORIES = ["phones", "laptops"]
#: Categories editors may create: name → slug (none of them is a BAD category).
NEW_CATEGORIES = {"Foldables": "foldables", "Flip phones": "flip-phones",
                  "Gaming laptops": "gaming-laptops"}
#: Parents a new category is put in: top level, the seeded ones, a new one, a missing one.
PARENTS = [None, None, "phones", "laptops", "foldables", "nowhere"]
CATEGORY_DESCRIPTIONS = ["", "Phones that fold.", "可以折叠的手机。"]
CATEGORY_NAMES = ["Mobiles", "Phones", "折叠屏"]
#: Summary as sent → as stored.
SUMMARIES = {"": "", "A phone.": "A phone.", "  A phone.  ": "A phone.",
             "Another one.": "Another one."}
#: Inputs refused with a 400, by field (a "fault" of a write puts one of them in).
BAD = {
    "title": ["", "   ", 42],
    "slug": ["Bad Slug", "pixel-vs-galaxy", 5],
    "category": ["tablets", ""],
    "summary": [7, ["list"], "x" * 2001],
}


def faults(*fields: str):
    """Which field of a write is made invalid, if any (two writes in three are valid)."""
    return st.sampled_from([None] * (2 * len(fields)) + list(fields))


@dataclass(frozen=True)
class Value:
    """An attribute value an editor sends, and the stored form the wiki should keep."""

    key: str
    payload: dict  # {"value": …} plus "type"/"unit" when it defines a new attribute
    stored: dict | None  # None: the value is refused (400)
    needs_definition: bool = False  # valid only once the key is defined

    def valid(self, defined: set[str]) -> bool:
        """Whether the wiki accepts this value given the defined keys."""
        return self.stored is not None and (not self.needs_definition or self.key in defined)

    def as_attribute(self):
        """The value as it goes into an entry's ``attributes`` object."""
        return self.payload if len(self.payload) > 1 else self.payload["value"]


VALUES = [
    Value("weight", {"value": "187 g"}, {"value": 187, "unit": "g", "n": 187.0}),
    Value("weight", {"value": "0.2 kg"}, {"value": 0.2, "unit": "kg", "n": 200.0}),
    Value("weight", {"value": 150}, {"value": 150, "unit": "g", "n": 150.0}),
    Value("weight", {"value": "150"}, {"value": 150, "unit": "g", "n": 150.0}),
    Value("weight", {"value": "heavy"}, None),
    Value("weight", {"value": "6 in"}, None),
    Value("five_g", {"value": True}, {"value": True}),
    Value("five_g", {"value": "no"}, {"value": False}),
    Value("five_g", {"value": False}, {"value": False}),
    Value("five_g", {"value": "maybe"}, None),
    Value("five_g", {"value": 1}, None),
    Value("colors", {"value": ["red", "blue"]}, {"value": ["red", "blue"]}),
    Value("colors", {"value": "red, blue"}, {"value": ["red", "blue"]}),
    Value("colors", {"value": ["blue"]}, {"value": ["blue"]}),
    Value("colors", {"value": []}, None),
    Value("chip", {"value": "Tensor G3"}, {"value": "Tensor G3"}),
    Value("chip", {"value": "  Tensor G3 "}, {"value": "Tensor G3"}),
    Value("chip", {"value": "A17 Pro"}, {"value": "A17 Pro"}),
    Value("chip", {"value": ""}, None),
    # "ram" is defined on first use (with a type); without one it needs the definition.
    Value("ram", {"value": "8 GB", "type": "number", "unit": "GB"},
          {"value": 8, "unit": "GB", "n": 8.0}),
    Value("ram", {"value": "12 GB"}, {"value": 12, "unit": "GB", "n": 12.0},
          needs_definition=True),
    # Refused either way: not a boolean when new, not the number type once defined.
    Value("ram", {"value": "8 GB", "type": "boolean"}, None),
    Value("ghost", {"value": "boo"}, None),
]
KEYS = sorted({value.key for value in VALUES})
GOOD_VALUES = [value for value in VALUES if value.stored is not None]
BAD_VALUES = [value for value in VALUES if value.stored is None]

#: How a write's If-Match is sent; the current ETag is the most common.
IF_MATCH = ["current"] * 6 + ["stale", "missing", "star", "weak"]
#: What a precondition that is not the current ETag gets (SPEC §3: missing → 428).
REFUSED_IF_MATCH = {"stale": 412, "weak": 412, "missing": 428, "star": 428}
FAKE_ETAG = '"00000000000000000000000000000000"'
#: Writes tried without credentials: method, path, body.
UNAUTHENTICATED_WRITES = {
    "create entry": ("POST", "/entries", {"title": "Pixel 8", "category": "phones"}),
    "patch entry": ("PATCH", "/entries/{slug}", {"summary": "vandalised"}),
    "put entry": ("PUT", "/entries/{slug}", {"title": "Pixel 8", "category": "phones"}),
    "delete entry": ("DELETE", "/entries/{slug}", None),
    "put attribute": ("PUT", "/entries/{slug}/attributes/weight", {"value": "1 g"}),
    "post attribute": ("POST", "/entries/{slug}/attributes", {"key": "chip", "value": "X"}),
    "delete attribute": ("DELETE", "/entries/{slug}/attributes/weight", None),
    "revert": ("POST", "/entries/{slug}/revisions/1/revert", None),
    "restore": ("POST", "/entries/{slug}/restore", None),
}


# -- the model ------------------------------------------------------------------------------


@dataclass
class ModelEntry:
    """What the wiki should hold for one entry: its state and the state at each version
    (``None`` for the version that recorded its deletion)."""

    state: dict
    snapshots: list[dict]
    action: str = "create"
    etags: dict[int, str] = field(default_factory=dict)

    @property
    def version(self) -> int:
        """Version n is the n-th acknowledged write (creation is version 1)."""
        return len(self.snapshots)


@dataclass
class ModelCategory:
    """What the wiki should hold for one category."""

    name: str
    parent: str | None = None
    description: str = ""
    version: int = 1
    etags: list[str] = field(default_factory=list)


def _state(title: str, summary: str, category: str, attributes: dict) -> dict:
    """An entry state as the model keeps it (attributes copied, never shared)."""
    return {"title": title, "summary": summary, "category": category,
            "attributes": copy.deepcopy(attributes)}


class WikiMachine(RuleBasedStateMachine):
    """The API on a fresh embedded store, driven against :class:`ModelEntry` records."""

    entries = Bundle("entries")

    def __init__(self):
        super().__init__()
        self.app = create_app("testing")
        repos = self.app.extensions["pkyx.repos"]
        for slug in CATEGORIES:
            repos.categories.upsert(slug, slug.title())
        for fields in (
            {"key": "weight", "label": "Weight", "type": "number", "unit": "g",
             "better": "lower"},
            {"key": "five_g", "label": "5G", "type": "boolean", "better": "higher"},
            {"key": "colors", "label": "Colours", "type": "list"},
            {"key": "chip", "label": "Chip", "type": "text"},
        ):
            repos.definitions.insert(validate_definition(fields), "tester")
        self.repos = repos
        self.client = self.app.test_client()
        accounts = self.app.extensions["pkyx.accounts"]
        accounts.register("carol", "carol@example.org", PASSWORD)
        accounts.create_admin("boss", "boss@example.org", PASSWORD)
        self.auth = {"user": self._bearer("carol"), "admin": self._bearer("boss"),
                     "anonymous": {}, "bad token": {"Authorization": "Bearer not-a-token"}}
        self.live: dict[str, ModelEntry] = {}
        self.gone: set[str] = set()
        self.deleted: dict[str, ModelEntry] = {}  # the latest entry deleted at each slug
        self.defined = {"weight", "five_g", "colors", "chip"}
        self.writes = 0  # acknowledged writes over the whole run, deletions included
        self.seen_etags: dict[str, list[str]] = {}  # every ETag a slug ever had
        self.categories = {slug: ModelCategory(slug.title()) for slug in CATEGORIES}

    def teardown(self):
        self.app.extensions["pkyx.store"].close()

    def _bearer(self, username: str) -> dict:
        response = self.client.post(f"{API}/tokens", headers=auth_header(username, PASSWORD))
        assert response.status_code == 201, response.get_json()
        return {"Authorization": f"Bearer {response.get_json()['token']}"}

    # -- helpers -------------------------------------------------------------------------

    def _headers(self, slug: str, if_match: str, who: str = "user") -> dict:
        """Auth headers plus the If-Match the mode asks for."""
        headers = dict(self.auth[who])
        current = self.live[slug].etags.get(self.live[slug].version) if slug in self.live \
            else None
        stale = [tag for tag in self.seen_etags.get(slug, []) if tag != current]
        if if_match == "current":
            headers["If-Match"] = current or (stale[-1] if stale else FAKE_ETAG)
        elif if_match == "stale":
            headers["If-Match"] = stale[-1] if stale else FAKE_ETAG
        elif if_match == "weak":
            headers["If-Match"] = "W/" + (current or FAKE_ETAG)
        elif if_match == "star":
            headers["If-Match"] = "*"
        return headers

    def _refusal(self, slug: str, if_match: str) -> int | None:
        """The status a write gets before its body is read: gone entry, bad If-Match."""
        if slug not in self.live:
            return 404
        return REFUSED_IF_MATCH.get(if_match)

    def _send(self, method: str, url: str, headers: dict, body=None):
        return self.client.open(url, method=method, headers=headers, json=body)

    @staticmethod
    def _check(response, expected: int) -> None:
        assert response.status_code == expected, (
            f"{response.request.method} {response.request.path}: expected {expected}, got "
            f"{response.status_code}: {response.get_data(as_text=True)[:300]}")

    def _commit(self, slug: str, new_state: dict, response, action: str) -> None:
        """Record a write the API acknowledged: a new version, unless nothing changed."""
        entry = self.live[slug]
        if new_state != entry.state:
            entry.state = copy.deepcopy(new_state)
            entry.snapshots.append(copy.deepcopy(new_state))
            entry.action = action
            self.writes += 1
        etag = response.headers.get("ETag")
        if etag is not None:
            self._note_etag(slug, etag)

    def _note_etag(self, slug: str, etag: str) -> None:
        """Check an ETag of a live entry: the same per version, new for every new version."""
        entry = self.live[slug]
        known = entry.etags.get(entry.version)
        if known is not None:
            assert etag == known, f"{slug} v{entry.version}: ETag changed without a write"
            return
        assert etag not in self.seen_etags.setdefault(slug, []), (
            f"{slug} v{entry.version}: an acknowledged write kept an old ETag")
        entry.etags[entry.version] = etag
        self.seen_etags[slug].append(etag)

    def _free_slug(self, base: str) -> str:
        slug, n = base, 1
        while slug in self.live:
            n += 1
            slug = f"{base}-{n}"
        return slug

    def _attribute_changes(self, values: list[Value]) -> dict | None:
        """The stored values of ``values`` (later keys win), or None if one is refused."""
        defined = set(self.defined)
        stored = {}
        for value in values:
            if not value.valid(defined):
                return None
            defined.add(value.key)
            stored[value.key] = value.stored
        return stored

    def _define(self, values: list[Value]) -> None:
        self.defined |= {value.key for value in values}

    def _trail(self, slug: str | None) -> list[str]:
        """The model's slugs from the top of the tree down to ``slug``."""
        trail: list[str] = []
        while slug is not None and slug in self.categories and slug not in trail:
            trail.insert(0, slug)
            slug = self.categories[slug].parent
        return trail

    def _depth_below(self, slug: str) -> int:
        children = [c for c, model in self.categories.items() if model.parent == slug]
        return 1 + max(self._depth_below(c) for c in children) if children else 0

    def _category_headers(self, slug: str, if_match: str, who: str) -> dict:
        """Auth headers plus the If-Match the mode asks for, for a category."""
        headers = dict(self.auth[who])
        etags = self.categories[slug].etags if slug in self.categories else []
        current = etags[-1] if etags else FAKE_ETAG
        stale = etags[-2] if len(etags) > 1 else FAKE_ETAG
        headers |= {"current": {"If-Match": current}, "stale": {"If-Match": stale},
                    "weak": {"If-Match": "W/" + current}, "star": {"If-Match": "*"},
                    "missing": {}}[if_match]
        return headers

    def _note_category(self, slug: str, response) -> None:
        """Keep a category's ETag: new for every acknowledged change, the same otherwise."""
        etag = response.headers.get("ETag")
        model = self.categories[slug]
        if etag is None:
            return
        if len(model.etags) >= model.version:
            assert model.etags[model.version - 1] == etag, f"{slug}: ETag changed unseen"
        else:
            assert etag not in model.etags, f"{slug}: a change kept an old ETag"
            model.etags.append(etag)

    def _move(self, slug: str, category: str) -> None:
        """An entry the wiki moved on its own (a merge): one more version, an edit."""
        entry = self.live[slug]
        new_state = copy.deepcopy(entry.state)
        new_state["category"] = category
        entry.state = new_state
        entry.snapshots.append(copy.deepcopy(new_state))
        entry.action = "edit"
        self.writes += 1

    # -- choices that depend on the model ---------------------------------------------

    def _draw_key(self, data, slug: str) -> str:
        """An attribute key, most often one the entry has."""
        present = sorted(self.live[slug].state["attributes"]) if slug in self.live else []
        if present and data.draw(st.sampled_from([True, True, True, False]), label="present"):
            return data.draw(st.sampled_from(present), label="key")
        return data.draw(st.sampled_from(KEYS), label="key")

    @staticmethod
    def _break(data, fault: str | None, body: dict, values: list[Value]) -> list[Value]:
        """Put the refused input ``fault`` names into ``body`` (or a bad value into values)."""
        if fault == "value":
            bad = data.draw(st.sampled_from(BAD_VALUES), label="bad value")
            return [value for value in values if value.key != bad.key] + [bad]
        if fault is not None:
            body[fault] = data.draw(st.sampled_from(BAD[fault]), label=f"bad {fault}")
        return values

    # -- rules ---------------------------------------------------------------------------

    @rule(target=entries,
          title=st.sampled_from(list(TITLES)),
          slug=st.sampled_from(SLUGS),
          category=st.sampled_from(CATEGORIES + sorted(NEW_CATEGORIES.values())),
          summary=st.sampled_from(list(SUMMARIES)),
          values=st.lists(st.sampled_from(GOOD_VALUES), max_size=3, unique_by=lambda v: v.key),
          fault=faults("title", "slug", "category", "summary", "value"),
          data=st.data())
    def create_entry(self, title, slug, category, summary, values, fault, data):
        """POST /entries: 201 with a free slug, 409 for a taken explicit one, 400 if bad."""
        body = {"title": title, "category": category, "summary": summary}
        if slug is not None:
            body["slug"] = slug
        values = self._break(data, fault, body, values)
        body["attributes"] = {value.key: value.as_attribute() for value in values}
        response = self._send("POST", f"{API}/entries", self.auth["user"], body)
        attributes = self._attribute_changes(values)
        if fault is not None or attributes is None or category not in self.categories:
            self._check(response, 400)
            return multiple()
        if slug is not None and slug in self.live:
            self._check(response, 409)
            return multiple()
        self._check(response, 201)
        stored_title, base = TITLES[title]
        expected_slug = slug or self._free_slug(base)
        assert response.get_json()["slug"] == expected_slug
        assert response.headers["Location"] == f"{API}/entries/{expected_slug}"
        self._define(values)
        state = _state(stored_title, SUMMARIES[summary], category, attributes)
        self.live[expected_slug] = ModelEntry(copy.deepcopy(state), [copy.deepcopy(state)])
        self.gone.discard(expected_slug)
        self.writes += 1
        self._note_etag(expected_slug, response.headers["ETag"])
        return expected_slug

    @rule(slug=entries, value=st.sampled_from(VALUES), if_match=st.sampled_from(IF_MATCH))
    def put_attribute(self, slug, value, if_match):
        """PUT …/attributes/<key>: 201 for a new key, 200 for a change or a no-op."""
        response = self._send("PUT", f"{API}/entries/{slug}/attributes/{value.key}",
                              self._headers(slug, if_match), value.payload)
        refused = self._refusal(slug, if_match)
        if refused:
            self._check(response, refused)
            return
        if not value.valid(self.defined):
            self._check(response, 400)
            return
        entry = self.live[slug]
        self._check(response, 200 if value.key in entry.state["attributes"] else 201)
        new_state = copy.deepcopy(entry.state)
        new_state["attributes"][value.key] = value.stored
        self._define([value])
        self._commit(slug, new_state, response, "edit")

    @rule(slug=entries, value=st.sampled_from(VALUES), if_match=st.sampled_from(IF_MATCH))
    def post_attribute(self, slug, value, if_match):
        """POST …/attributes: If-Match optional, 409 for a key the entry has, else 201."""
        response = self._send("POST", f"{API}/entries/{slug}/attributes",
                              self._headers(slug, if_match),
                              {"key": value.key, **value.payload})
        if slug not in self.live:
            self._check(response, 404)
            return
        if if_match != "missing" and if_match in REFUSED_IF_MATCH:
            self._check(response, REFUSED_IF_MATCH[if_match])
            return
        entry = self.live[slug]
        if value.key in entry.state["attributes"]:
            self._check(response, 409)
            return
        if not value.valid(self.defined):
            self._check(response, 400)
            return
        self._check(response, 201)
        new_state = copy.deepcopy(entry.state)
        new_state["attributes"][value.key] = value.stored
        self._define([value])
        self._commit(slug, new_state, response, "edit")

    @rule(slug=entries, if_match=st.sampled_from(IF_MATCH), data=st.data())
    def delete_attribute(self, slug, if_match, data):
        """DELETE …/attributes/<key>: 204, or 404 for a key the entry does not have."""
        key = self._draw_key(data, slug)
        response = self._send("DELETE", f"{API}/entries/{slug}/attributes/{key}",
                              self._headers(slug, if_match))
        refused = self._refusal(slug, if_match)
        if refused:
            self._check(response, refused)
            return
        entry = self.live[slug]
        if key not in entry.state["attributes"]:
            self._check(response, 404)
            return
        self._check(response, 204)
        new_state = copy.deepcopy(entry.state)
        del new_state["attributes"][key]
        self._commit(slug, new_state, response, "edit")

    @rule(slug=entries,
          title=st.none() | st.sampled_from(list(TITLES)),
          summary=st.none() | st.sampled_from(list(SUMMARIES)),
          category=st.none() | st.sampled_from(CATEGORIES),
          value=st.none() | st.sampled_from(GOOD_VALUES),
          unset=st.booleans(),
          fault=faults("title", "summary", "category", "value"),
          if_match=st.sampled_from(IF_MATCH),
          data=st.data())
    def patch_entry(self, slug, title, summary, category, value, unset, fault, if_match, data):
        """PATCH /entries/<slug>: some fields and attributes (null removes) in one version."""
        body = {name: given for name, given in
                (("title", title), ("summary", summary), ("category", category))
                if given is not None}
        values = self._break(data, fault, body, [value] if value is not None else [])
        removed = self._draw_key(data, slug) if unset else None
        attributes = {} if removed is None else {removed: None}
        # One JSON key each: a value for the removed key, given last, replaces the null.
        attributes |= {value.key: value.as_attribute() for value in values}
        if removed in attributes and attributes[removed] is not None:
            removed = None
        if attributes:
            body["attributes"] = attributes
        response = self._send("PATCH", f"{API}/entries/{slug}", self._headers(slug, if_match),
                              body)
        refused = self._refusal(slug, if_match)
        if refused:
            self._check(response, refused)
            return
        entry = self.live[slug]
        changes = self._attribute_changes(values)
        if fault is not None or changes is None or (
                category is not None and category not in self.categories):
            self._check(response, 400)
            return
        if removed is not None and removed not in entry.state["attributes"]:
            self._check(response, 404)
            return
        self._check(response, 200)
        new_state = copy.deepcopy(entry.state)
        if title is not None:
            new_state["title"] = TITLES[title][0]
        if summary is not None:
            new_state["summary"] = SUMMARIES[summary]
        if category is not None:
            new_state["category"] = category
        if removed is not None:
            del new_state["attributes"][removed]
        new_state["attributes"] |= changes
        self._define(values)
        self._commit(slug, new_state, response, "edit")

    @rule(slug=entries,
          title=st.sampled_from(list(TITLES)),
          summary=st.none() | st.sampled_from(list(SUMMARIES)),
          category=st.sampled_from(CATEGORIES),
          values=st.lists(st.sampled_from(GOOD_VALUES), max_size=2, unique_by=lambda v: v.key),
          fault=faults("title", "summary", "category", "value"),
          if_match=st.sampled_from(IF_MATCH),
          data=st.data())
    def put_entry(self, slug, title, summary, category, values, fault, if_match, data):
        """PUT /entries/<slug>: replace fields and attributes (absent ones are removed)."""
        body = {"title": title, "category": category}
        if summary is not None:
            body["summary"] = summary
        values = self._break(data, fault, body, values)
        body["attributes"] = {value.key: value.as_attribute() for value in values}
        response = self._send("PUT", f"{API}/entries/{slug}", self._headers(slug, if_match),
                              body)
        refused = self._refusal(slug, if_match)
        if refused:
            self._check(response, refused)
            return
        attributes = self._attribute_changes(values)
        if fault is not None or attributes is None or category not in self.categories:
            self._check(response, 400)
            return
        self._check(response, 200)
        new_state = _state(TITLES[title][0], SUMMARIES[summary or ""], category, attributes)
        self._define(values)
        self._commit(slug, new_state, response, "edit")

    @rule(slug=entries, if_match=st.sampled_from(IF_MATCH), data=st.data())
    def revert(self, slug, if_match, data):
        """POST …/revisions/<v>/revert: a new version holding version v's content."""
        top = self.live[slug].version if slug in self.live else 1
        version = data.draw(st.integers(1, top + 1), label="version")
        response = self._send("POST", f"{API}/entries/{slug}/revisions/{version}/revert",
                              self._headers(slug, if_match))
        if slug not in self.live or version > top:
            self._check(response, 404)  # a version never stored, before any precondition
            return
        refused = self._refusal(slug, if_match)
        if refused:
            self._check(response, refused)
            return
        entry = self.live[slug]
        if entry.snapshots[version - 1] is None:
            self._check(response, 400)  # the version that recorded its deletion
            return
        wanted = entry.snapshots[version - 1]["category"]
        if wanted != entry.state["category"] and wanted not in self.categories:
            self._check(response, 400)  # its category was merged away meanwhile
            return
        self._check(response, 200)
        self._commit(slug, entry.snapshots[version - 1], response, "revert")

    @rule(slug=entries, who=st.sampled_from(["admin", "admin", "user"]),
          if_match=st.sampled_from(IF_MATCH))
    def delete_entry(self, slug, who, if_match):
        """DELETE /entries/<slug>: admins only (403 otherwise); the entry is gone after."""
        response = self._send("DELETE", f"{API}/entries/{slug}",
                              self._headers(slug, if_match, who))
        if who != "admin":
            self._check(response, 403)
            return
        refused = self._refusal(slug, if_match)
        if refused:
            self._check(response, refused)
            return
        self._check(response, 204)
        entry = self.deleted[slug] = self.live.pop(slug)
        entry.snapshots.append(None)  # the deletion is a version of its history
        self.gone.add(slug)
        self.writes += 1  # the deletion is recorded as a revision of the old entry

    @precondition(lambda self: self.deleted)  # else it would only ever be refused
    @rule(slug=entries, who=st.sampled_from(["admin", "admin", "admin", "user"]),
          data=st.data())
    def restore_entry(self, slug, who, data):
        """POST /entries/<slug>/restore: admins only (403); the latest entry deleted at the
        slug comes back as it was, one version more; 409 while an entry lives there or its
        category is gone, 404 if none was deleted there."""
        if data.draw(st.sampled_from([True, True, True, False]), label="a deleted one"):
            slug = data.draw(st.sampled_from(sorted(self.deleted)), label="deleted slug")
        response = self._send("POST", f"{API}/entries/{slug}/restore", dict(self.auth[who]))
        if who != "admin":
            self._check(response, 403)
            return
        if slug in self.live:
            self._check(response, 409)
            return
        entry = self.deleted.get(slug)
        if entry is None:
            self._check(response, 404)
            return
        if entry.state["category"] not in self.categories:
            self._check(response, 409)  # its category was merged away or deleted
            return
        self._check(response, 201)
        assert response.get_json()["slug"] == slug
        del self.deleted[slug]
        self.live[slug] = entry
        self.gone.discard(slug)
        restored = self._before_deletion(entry)
        entry.state = copy.deepcopy(restored)
        entry.snapshots.append(copy.deepcopy(restored))
        entry.action = "restore"
        self.writes += 1
        self._note_etag(slug, response.headers["ETag"])

    @staticmethod
    def _before_deletion(entry: ModelEntry) -> dict:
        """The state an entry had when it was deleted (its last version before)."""
        return next(state for state in reversed(entry.snapshots) if state is not None)

    @rule(slug=entries, who=st.sampled_from(["anonymous", "bad token"]),
          write=st.sampled_from(sorted(UNAUTHENTICATED_WRITES)))
    def write_without_credentials(self, slug, who, write):
        """Every write without valid credentials is a 401 and changes nothing."""
        method, path, body = UNAUTHENTICATED_WRITES[write]
        response = self._send(method, API + path.format(slug=slug),
                              self._headers(slug, "current", who), body)
        self._check(response, 401)

    @rule(name=st.sampled_from(sorted(NEW_CATEGORIES)), parent=st.sampled_from(PARENTS),
          who=st.sampled_from(["user", "user", "user", "anonymous"]))
    def create_category(self, name, parent, who):
        """POST /categories: 201; 409 for a taken slug; 400 for a missing or too deep parent."""
        body = {"name": name, **({"parent": parent} if parent else {})}
        response = self._send("POST", f"{API}/categories", self.auth[who], body)
        slug = NEW_CATEGORIES[name]
        if who == "anonymous":
            self._check(response, 401)
        elif slug in self.categories:
            self._check(response, 409)
        elif parent is not None and (parent not in self.categories
                                     or len(self._trail(parent)) + 1 > 3):
            self._check(response, 400)
        else:
            self._check(response, 201)
            self.categories[slug] = ModelCategory(name, parent)
            self._note_category(slug, response)

    @precondition(lambda self: self.categories)
    @rule(data=st.data(), change=st.sampled_from(["description", "description", "name",
                                                  "parent"]),
          who=st.sampled_from(["user", "user", "admin"]), if_match=st.sampled_from(IF_MATCH))
    def patch_category(self, data, change, who, if_match):
        """PATCH /categories/<slug>: editors change the description, admins also rename and
        move (403 for an editor), with If-Match; a parent that loops is a 400."""
        slug = data.draw(st.sampled_from(sorted(self.categories)), label="category")
        model = self.categories[slug]
        value = data.draw(st.sampled_from({"description": CATEGORY_DESCRIPTIONS,
                                           "name": CATEGORY_NAMES,
                                           "parent": PARENTS}[change]), label="value")
        response = self._send("PATCH", f"{API}/categories/{slug}",
                              self._category_headers(slug, if_match, who), {change: value})
        if if_match in REFUSED_IF_MATCH:
            self._check(response, REFUSED_IF_MATCH[if_match])
            return
        current = {"description": model.description, "name": model.name,
                   "parent": model.parent}[change]
        if change != "description" and value != current and who != "admin":
            self._check(response, 403)
            return
        if change == "parent" and value is not None and (
                value not in self.categories or slug in self._trail(value)
                or len(self._trail(value)) + 1 + self._depth_below(slug) > 3):
            self._check(response, 400)
            return
        self._check(response, 200)
        setattr(model, change, value)
        model.version += 1
        self._note_category(slug, response)

    @precondition(lambda self: self.categories)
    @rule(data=st.data(), who=st.sampled_from(["admin", "admin", "user"]))
    def delete_category(self, data, who):
        """DELETE /categories/<slug>: admins only; 409 while it holds entries or others."""
        slug = data.draw(st.sampled_from(sorted(self.categories)), label="category")
        response = self._send("DELETE", f"{API}/categories/{slug}",
                              self._category_headers(slug, "current", who))
        if who != "admin":
            self._check(response, 403)
        elif any(entry.state["category"] == slug for entry in self.live.values()) or any(
                model.parent == slug for model in self.categories.values()):
            self._check(response, 409)
        else:
            self._check(response, 204)
            del self.categories[slug]

    @precondition(lambda self: self.categories)
    @rule(data=st.data())
    def merge_category(self, data):
        """POST /categories/<slug>/merge: every entry moves (one version each), its
        subcategories follow, it is gone; into itself, a missing one or below it: 400."""
        slug = data.draw(st.sampled_from(sorted(self.categories)), label="category")
        into = data.draw(st.sampled_from(sorted(self.categories) + ["nowhere"]), label="into")
        response = self._send("POST", f"{API}/categories/{slug}/merge",
                              self._category_headers(slug, "current", "admin"),
                              {"into": into})
        if into == slug or into not in self.categories or slug in self._trail(into):
            self._check(response, 400)
            return
        self._check(response, 200)
        for entry_slug, entry in sorted(self.live.items()):
            if entry.state["category"] == slug:
                self._move(entry_slug, into)
        for model in self.categories.values():
            if model.parent == slug:
                model.parent = into
                model.version += 1
        del self.categories[slug]
        self._note_category(into, response)

    # -- invariants ----------------------------------------------------------------------

    @invariant()
    def live_entries_match_the_model(self):
        """Each live entry: fields, values, version, ETag and revision count as modelled."""
        for slug, entry in self.live.items():
            response = self.client.get(f"{API}/entries/{slug}")
            self._check(response, 200)
            body = response.get_json()
            state = entry.state
            assert (body["title"], body["summary"], body["category"], body["version"]) == (
                state["title"], state["summary"], state["category"], entry.version), slug
            _assert_attributes(slug, body["attributes"], state["attributes"])
            self._note_etag(slug, response.headers["ETag"])
            history = self.client.get(f"{API}/entries/{slug}/revisions?per_page=1")
            self._check(history, 200)
            page = history.get_json()
            assert page["_meta"]["total"] == entry.version, (
                f"{slug}: {page['_meta']['total']} revisions for {entry.version} writes")
            newest = page["_items"][0]
            assert (newest["version"], newest["action"]) == (entry.version, entry.action), slug

    @invariant()
    def deleted_entries_are_gone(self):
        """A deleted entry (whose slug was not taken again) is a 404, with its history."""
        for slug in self.gone - set(self.live):
            self._check(self.client.get(f"{API}/entries/{slug}"), 404)
            self._check(self.client.get(f"{API}/entries/{slug}/revisions"), 404)

    @invariant()
    def totals_match_the_model(self):
        """The list total, category counts, definitions and stored revisions add up."""
        listing = self.client.get(f"{API}/entries?per_page=1")
        self._check(listing, 200)
        assert listing.get_json()["_meta"]["total"] == len(self.live)
        listed = {category["slug"]: category for category in
                  self.client.get(f"{API}/categories?per_page=100").get_json()["_items"]}
        assert set(listed) == set(self.categories), f"{sorted(listed)} ≠ {sorted(self.categories)}"
        for slug, model in self.categories.items():
            expected = sum(entry.state["category"] == slug for entry in self.live.values())
            shown = listed[slug]
            assert shown["entry_count"] == expected, f"{slug}: {shown['entry_count']} ≠ {expected}"
            assert (shown["name"], shown["parent"], shown["description"], shown["version"]) == (
                model.name, model.parent, model.description, model.version), slug
            self._note_category(slug, self.client.get(f"{API}/categories/{slug}"))
        ram = self.client.get(f"{API}/attributes/ram")
        self._check(ram, 200 if "ram" in self.defined else 404)
        stored = self.repos.revisions.col.count_documents({})
        assert stored == self.writes, f"{stored} revisions stored for {self.writes} writes"


def _assert_attributes(slug: str, shown: dict, expected: dict) -> None:
    """The API's attribute values are the model's stored values (numbers up to rounding)."""
    assert set(shown) == set(expected), f"{slug}: attributes {sorted(shown)} ≠ {sorted(expected)}"
    for key, stored in expected.items():
        got = shown[key]
        assert got["value"] == stored["value"] and got.get("unit") == stored.get("unit"), (
            f"{slug}.{key}: {got} ≠ {stored}")
        if "n" in stored:
            assert math.isclose(got["n"], stored["n"], rel_tol=1e-9), f"{slug}.{key}: {got}"


# -- the tests ----------------------------------------------------------------------------

MACHINE_SETTINGS = settings(max_examples=40, stateful_step_count=30, deadline=None)


@pytest.mark.slow
def test_api_keeps_to_the_wiki_model():
    """Random sequences of API writes leave the wiki exactly as the model predicts."""
    run_state_machine_as_test(WikiMachine, settings=MACHINE_SETTINGS)


def test_create_refused_for_a_taken_slug_defines_nothing(client, make_entry, user):
    """A 409 for a taken slug leaves no new attribute definition behind.

    Found while modelling creation: the service stored the new definition before the
    insert found the slug taken, so a refused write still changed the wiki.
    """
    make_entry("Pixel 8")
    response = client.post(f"{API}/entries", headers=user.bearer, json={
        "title": "Another", "category": "phones", "slug": "pixel-8",
        "attributes": {"ram": {"value": "8 GB", "type": "number", "unit": "GB"}}})
    assert response.status_code == 409
    assert set(response.get_json()["errors"]) == {"slug"}
    assert client.get(f"{API}/attributes/ram").status_code == 404
    assert client.get(f"{API}/entries?per_page=1").get_json()["_meta"]["total"] == 1


def _accept_any_if_match(current: str) -> None:
    """A broken precondition check: any If-Match passes, so stale writes overwrite."""
    from flask import request

    from app.api.errors import ApiError

    if not request.if_match:
        raise ApiError(428, "If-Match needed.")


def _plant_lost_updates(monkeypatch) -> None:
    monkeypatch.setattr("app.api.attributes.require_if_match", _accept_any_if_match)


def _plant_unrecorded_reverts(monkeypatch) -> None:
    add = Wiki._add_revision

    def record_all_but_reverts(self, revision):
        if revision["action"] != "revert":
            return add(self, revision)
        return {**revision, "_id": ObjectId()}  # said to be stored, never stored

    monkeypatch.setattr(Wiki, "_add_revision", record_all_but_reverts)


def _plant_merges_that_leave_entries_behind(monkeypatch) -> None:
    from app.services.categories import Categories

    monkeypatch.setattr(Categories, "_move_entries", lambda self, user, slug, into, comment:
                        None)


#: A planted bug → what the machine's failure says.
BUGS = {
    "stale If-Match accepted on attribute writes": (_plant_lost_updates, "expected 412"),
    "revert records no revision": (_plant_unrecorded_reverts, "revisions"),
    "a merge leaves its entries behind": (_plant_merges_that_leave_entries_behind,
                                          r"pixel|galaxy|≠"),
}


@pytest.mark.parametrize("bug", sorted(BUGS))
def test_the_machine_catches_a_planted_bug(monkeypatch, bug):
    """With a bug planted in the app, the same machine fails (so it is able to fail)."""
    plant, message = BUGS[bug]
    plant(monkeypatch)
    catcher = settings(MACHINE_SETTINGS, max_examples=80, derandomize=True, database=None,
                       phases=[Phase.generate], print_blob=False)
    with pytest.raises(AssertionError, match=message):
        run_state_machine_as_test(WikiMachine, settings=catcher)
