"""The scenarios of the peer benchmark: each request to pkyx and its equivalent for Eve.

pkyx's filter language and Eve's ``where``/``sort`` name the same MongoDB query: the
list scenario asks pkyx for ``category=phones&attr.weight=lt.250&sort=-attr.price,title``
(which pkyx turns into :data:`EVE_WHERE` and :data:`EVE_SORT`, ``_id`` last as its
tie-break) and Eve for that filter and sort written out. ``tests/test_bench_peers.py``
holds the two to the same query, and the runner checks before measuring that both
servers answer with the same entries in the same order.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from bson import json_util
from bson.json_util import JSONOptions

__all__ = ["PKYX_LIST_ARGS", "EVE_WHERE", "EVE_SORT", "ITEM_SLUG", "PER_PAGE", "Scenario",
           "SCENARIOS", "eve_list_path", "pkyx_list_path", "load_entries"]

PER_PAGE = 25
PKYX_LIST_ARGS = {"category": "phones", "attr.weight": "lt.250",
                  "sort": "-attr.price,title", "per_page": str(PER_PAGE)}
#: The MongoDB filter and sort pkyx makes of :data:`PKYX_LIST_ARGS` (weights are stored
#: in grams as ``attributes.weight.n``; ``title`` sorts by the case-folded ``title_key``).
EVE_WHERE = {"$and": [{"category": {"$eq": "phones"}}, {"attributes.weight.n": {"$lt": 250.0}}]}
EVE_SORT = [("attributes.price.n", -1), ("title_key", 1), ("_id", 1)]
#: A demo entry every seeded store has.
ITEM_SLUG = "pixel-8"


def pkyx_list_path() -> str:
    return "/api/v1/entries?" + urlencode(PKYX_LIST_ARGS)


def eve_list_path() -> str:
    return "/entries?" + urlencode({"where": json.dumps(EVE_WHERE, separators=(",", ":")),
                                    "sort": json.dumps(EVE_SORT, separators=(",", ":")),
                                    "max_results": str(PER_PAGE)})


@dataclass(frozen=True)
class Scenario:
    """One comparison: the path asked of pkyx and of each peer (``None``: not asked)."""

    name: str
    about: str
    pkyx: str
    eve: str | None
    flask: str | None
    #: The peer pkyx's requests/s is divided by, and the ratio the issue asks for.
    peer: str
    target: float


SCENARIOS = (
    Scenario("api-list", "filtered, sorted list of 25 phones", pkyx_list_path(),
             eve_list_path(), None, "eve", 5.0),
    Scenario("api-entry", "one entry by slug", f"/api/v1/entries/{ITEM_SLUG}",
             f"/entries/{ITEM_SLUG}", None, "eve", 3.0),
    Scenario("healthz", "liveness probe: no store", "/healthz", "/healthz", "/healthz",
             "flask", 0.9),
)


def load_entries(path: str | Path) -> list[dict]:
    """The ``entries`` of a pkyx dump (``manage.py export``; gzip when it ends in ``.gz``)."""
    raw = Path(path).read_bytes()
    if str(path).endswith(".gz"):
        raw = gzip.decompress(raw)
    dump = json_util.loads(raw, json_options=JSONOptions(tz_aware=True))
    return dump["collections"]["entries"]
