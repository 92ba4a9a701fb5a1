"""What the benchmark asks the chain, one :class:`Scenario` per row of the table.

Each scenario is one URL (or, for writes, one Lua script) that ``wrk`` requests for a
fixed time at a fixed concurrency. Pages are requested in two ways:

* **uncached** — with ``Cookie: session=x``: nginx bypasses its page cache for anyone
  with a session cookie (``X-Cache-Status: BYPASS``), the app treats the unreadable
  cookie as no session and renders the anonymous page, and no cache entry is written.
  A varying query string also misses the cache, but stores every answer in nginx's
  cache on disk, which is another cost; the cookie measures the app alone.
* **cached** — anonymous, as a reader without an account: after the first answer nginx
  serves the page from its 10 s cache (``X-Cache-Status: HIT``).

The entries are demo-catalogue phones (present at every store size), so a scale run
compares like with like.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field

__all__ = ["Scenario", "Fixture", "scenarios", "scale_scenarios", "compare_path",
           "hostile_paths", "STATIC_PATH", "UNCACHED", "COMPARE_2", "COMPARE_4", "ENTRY_PAGE",
           "API_ENTRY", "AVATAR_USER", "HOSTILE", "VARIED_SETS", "varied_comparisons"]

#: The static file nginx serves, as big as the 4-entry comparison page (bench/run.py
#: writes it under app/static/bench/ for the run and deletes it after).
STATIC_PATH = "/static/bench/compare-4.html"
#: The header that makes nginx bypass its page cache (nginx.conf, $pkyx_has_session).
UNCACHED = {"Cookie": "session=x"}
COMPARE_2 = ("galaxy-s24-ultra", "iphone-15")
COMPARE_4 = ("galaxy-s24-ultra", "iphone-15", "oneplus-12", "pixel-8")
ENTRY_PAGE = "iphone-15"
API_ENTRY = "pixel-8"
AVATAR_USER = "alice"
LIST_QUERY = "category=phones&attr.weight=lt.250&sort=-attr.price,title&per_page=25"
#: The attribute the write mix edits, and its unit (phones have a price in USD).
WRITE_KEY, WRITE_UNIT = "price", "USD"


@dataclass(frozen=True)
class Fixture:
    """What the scenarios need from the seeded store and the running chain."""

    writable: tuple[str, ...]  # generated phones, one per write connection
    token: str = ""  # a Bearer token for the writes


@dataclass(frozen=True)
class Scenario:
    """One row of the benchmark."""

    name: str
    path: str
    about: str
    headers: dict[str, str] = field(default_factory=dict)
    #: The status every answer should have (anything else shows as an error).
    expect: int = 200
    #: Send If-None-Match with the ETag of a first GET (a 304 scenario).
    conditional: bool = False
    #: How many items a list must hold (0: not a list).
    items: int = 0
    #: The X-Cache-Status nginx should report once warm ("" for none: not a page).
    cache: str = ""
    #: The scenario whose requests/s this one's is divided by.
    baseline: str = "floor"
    #: A Lua script in bench/lua/ and the globals it reads; None: plain GETs.
    script: str | None = None
    variables: dict[str, object] = field(default_factory=dict)
    #: One wrk thread per connection (a script that keeps state per connection).
    thread_per_connection: bool = False


def compare_path(slugs: tuple[str, ...]) -> str:
    """The canonical address of a comparison page (sorted slugs; others redirect)."""
    return "/compare/" + "-vs-".join(sorted(slugs))


#: How many different 4-entry comparisons compare-4-varied goes through: more than the app
#: keeps aligned (services/wiki.py, Wiki.ALIGNED), so it measures a comparison drawn anew.
VARIED_SETS = 600


def varied_comparisons(slugs: tuple[str, ...], count: int = VARIED_SETS) -> list[str]:
    """``count`` different canonical addresses of 4 of ``slugs``, the same every run."""
    rng = random.Random(4)
    found: dict[str, None] = {}
    while len(found) < count:
        found[compare_path(tuple(rng.sample(slugs, 4)))] = None
    return list(found)


def _made_up(rng: random.Random, length: int, joiner: str = "-") -> str:
    """Random lowercase words, ``length`` characters in all (no "vs" among them)."""
    words: list[str] = []
    while len(joiner.join(words)) < length:
        word = "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 9)))
        words.append(word)
    return joiner.join(words)[:length].strip(joiner)


def hostile_paths() -> dict[str, str]:
    """The requests issue 17's black-box probe found slow, built the same way each run.

    * compare: six made-up slugs of 600 characters joined by -vs- (3.6 KB; 27.6 s at
      1,000 entries before the fix);
    * compare-80: six made-up slugs of 80 characters, the longest address accepted (a
      404 page with suggestions for each);
    * query: the compare box filled with six made-up names (300 characters; 2.85 s);
    * filter: 310 ``title=like.*`` filters (4 KB, as many as gunicorn's request line
      of 4,094 bytes holds; ~330 took 1.6 s at 1,000 entries);
    * filter-10: ten of them, the most a query may carry (MAX_FILTERS).
    """
    rng = random.Random(17)
    long_spec = "-vs-".join(sorted(_made_up(rng, 600) for _ in range(6)))
    spec_80 = "-vs-".join(sorted(_made_up(rng, 80) for _ in range(6)))
    names = " vs ".join(_made_up(rng, 50, "+") for _ in range(6))[:300].strip("+")
    return {"compare": f"/compare/{long_spec}", "compare-80": f"/compare/{spec_80}",
            "query": f"/compare?q={names.replace(' ', '+')}",
            "filter": "/api/v1/entries?" + "&".join(["title=like.*"] * 310),
            "filter-10": "/api/v1/entries?" + "&".join(["title=like.*"] * 10)}


#: The hostile scenarios and the status each answers (issue 17).
HOSTILE = {"compare": 400, "compare-80": 404, "query": 200, "filter": 400, "filter-10": 200}


def _hostile(name: str, path: str, about: str, expect: int, headers: dict[str, str]) -> Scenario:
    """A hostile request, measured against an ordinary comparison (compare-2).

    It answers 4xx on purpose, which wrk counts as an error; bench/lua/expect.lua counts
    only the answers whose status is not the expected one.
    """
    return Scenario(f"hostile-{name}", path, about, dict(headers), expect=expect,
                    cache="BYPASS" if headers else "", baseline="compare-2",
                    script="expect.lua", variables={"expected": expect})


def scenarios(fixture: Fixture, connections: int) -> list[Scenario]:
    """Every scenario of a full run, in the order they run (the floor first)."""
    compare_4 = compare_path(COMPARE_4)
    varied = varied_comparisons(fixture.writable)
    hostile = hostile_paths()
    entry_api = f"/api/v1/entries/{API_ENTRY}"
    avatar = f"/api/v1/users/{AVATAR_USER}/avatar"
    return [
        Scenario("floor", "/healthz", "nginx → gunicorn → Flask, no store, tiny JSON",
                 baseline=""),
        Scenario("static", STATIC_PATH, "a file from nginx, as big as the 4-entry comparison"),
        Scenario("home", "/", "home page, uncached", UNCACHED, cache="BYPASS"),
        Scenario("entry-page", f"/entries/{ENTRY_PAGE}", "entry page, uncached", UNCACHED,
                 cache="BYPASS"),
        Scenario("compare-2", compare_path(COMPARE_2), "comparison page of 2, uncached",
                 UNCACHED, cache="BYPASS"),
        Scenario("compare-4", compare_4, "comparison page of 4, uncached", UNCACHED,
                 cache="BYPASS"),
        Scenario("compare-4-cached", compare_4, "comparison page of 4, anonymous: nginx cache",
                 cache="HIT", baseline="static"),
        Scenario("compare-4-varied", varied[0], "comparison pages of 4, "
                 f"{VARIED_SETS} different sets in turn: none remembered", UNCACHED,
                 cache="BYPASS", script="paths.lua", variables={"paths": varied}),
        Scenario("api-list", f"/api/v1/entries?{LIST_QUERY}",
                 "API: filtered and sorted list, 25 items", items=25),
        Scenario("api-entry", entry_api, "API: one entry"),
        Scenario("api-entry-304", entry_api, "API: one entry, If-None-Match → 304",
                 expect=304, conditional=True),
        Scenario("api-compare", "/api/v1/compare?entries=" + ",".join(COMPARE_4),
                 "API: comparison of 4"),
        Scenario("avatar", avatar, "avatar (GridFS)"),
        Scenario("avatar-304", avatar, "avatar, If-None-Match → 304", expect=304,
                 conditional=True),
        Scenario("writes", f"/api/v1/entries/{fixture.writable[0]}",
                 "API: PATCH entry / PUT attribute with If-Match, an entry per connection",
                 script="writes.lua", thread_per_connection=True,
                 variables={"slugs": list(fixture.writable[:connections]),
                            "token": fixture.token, "key": WRITE_KEY, "unit": WRITE_UNIT}),
        _hostile("compare", hostile["compare"], "six made-up 600-character slugs → 400",
                 HOSTILE["compare"], UNCACHED),
        _hostile("compare-80", hostile["compare-80"],
                 "six made-up 80-character slugs → 404 with suggestions", HOSTILE["compare-80"],
                 UNCACHED),
        _hostile("query", hostile["query"], "compare box, six made-up names (300 characters)",
                 HOSTILE["query"], UNCACHED),
        _hostile("filter", hostile["filter"], "API: 310 title=like.* filters → 400",
                 HOSTILE["filter"], {}),
        _hostile("filter-10", hostile["filter-10"], "API: 10 title=like.* filters, the most "
                 "a query may carry", HOSTILE["filter-10"], {}),
    ]


#: The paths whose growth with the store's size the scale run shows.
SCALE_NAMES = ("entry-page", "compare-4", "compare-4-varied", "api-list", "api-entry",
               "api-compare", "hostile-compare-80", "hostile-query")


def scale_scenarios(fixture: Fixture, connections: int) -> list[Scenario]:
    """The floor (for ratios) and the list, entry and comparison paths."""
    return [s for s in scenarios(fixture, connections)
            if s.name == "floor" or s.name in SCALE_NAMES]
