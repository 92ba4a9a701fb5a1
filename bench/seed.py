"""Grow a pkyx store to N entries of realistic data, for the benchmark.

Run it in a process of its own, against the instance folder a chain will use (the
embedded store belongs to one process at a time) or against ``MONGO_URI``::

    .venv/bin/python -m bench.seed --instance /tmp/pkyx-bench/instance --entries 1000

An empty store first gets the demo catalogue (48 entries, 4 users with avatars, some
history), as the app's first start does. Then every run adds entries until there are
N: variants of the catalogue's entries (same category, the numbers moved by up to a
quarter, a yes/no flipped now and then, some attributes left out, the same pictures),
each created through :class:`~app.services.Wiki` like an editor's (validation, unit
conversion, one revision), by bench users of whom half have an avatar
(:meth:`~app.services.Accounts.set_avatar`). Growing is incremental, so the scale run
goes 300 → 1,000 → 3,000 without starting over. The embedded store's snapshot is
written once, at the end. A JSON summary goes to stdout.
"""

from __future__ import annotations

import argparse
import functools
import io
import json
import random
import re
import sys
import time

from PIL import Image, ImageDraw

from app import create_app
from app.domain.entries import slug_from_title
from app.repositories.indexes import create_indexes
from app.seed import load_catalog, seed_demo
from app.services import AttributeInput
from app.services.wiki import UploadedImage

#: Bench users (``reader01`` …); every other one gets an avatar.
USERS = 16
SUFFIXES = ("Lite", "Plus", "Pro", "Max", "Mini", "Ultra", "Neo", "Air", "SE", "Edge")
NUMBER = re.compile(r"^(\d+(?:\.(\d+))?)(\s*\S*)$")
#: How many generated phones the summary offers as write targets (one per connection).
WRITABLE = 32


def main(argv: list[str] | None = None) -> None:
    """Parse the arguments, grow the store, print the summary as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, required=True, help="entries wanted in all")
    parser.add_argument("--fresh", action="store_true",
                        help="refuse a store that already holds data (a MongoDB database)")
    parser.add_argument("--password", default="pkyx-demo-password",
                        help="password of the demo and bench users")
    args = parser.parse_args(argv)
    started = time.monotonic()
    # No snapshot while seeding (one at the end): a snapshot a second would double the work.
    app = create_app("development", {"SNAPSHOT_DEBOUNCE_SECONDS": 3600.0,
                                     "DEMO_PASSWORD": args.password})
    store = app.extensions["pkyx.store"]
    try:
        with app.app_context():
            summary = grow(app, args.entries, args.password, fresh=args.fresh)
    finally:
        store.close()
    summary["seconds"] = round(time.monotonic() - started, 1)
    json.dump(summary, sys.stdout)
    sys.stdout.write("\n")


def grow(app, wanted: int, password: str, *, fresh: bool = False) -> dict:
    """Add demo data to an empty store, then generated entries until there are ``wanted``."""
    repos = app.extensions["pkyx.repos"]
    store = app.extensions["pkyx.store"]
    if not store.embedded:
        if fresh and (repos.entries.count() or repos.users.count()):
            raise SystemExit(f"{store.description} already holds data: point MONGO_URI at "
                             "an empty database (e.g. …/pkyx-bench) for the benchmark")
        if not repos.entries.count():
            create_indexes(store.db)
            seed_demo(app, password)
    catalog = load_catalog()
    users = _bench_users(app, password)
    have = repos.entries.count()
    rng = random.Random(have)  # the same store for the same sizes, run after run
    pictures = _pictures(repos, catalog)
    _remember_definitions(repos)
    templates = catalog["entries"]
    for number in range(have - len(templates), wanted - len(templates)):
        rounds, index = divmod(number, len(templates))
        suffix = SUFFIXES[rounds % len(SUFFIXES)]
        title = f"{templates[index]['title']} {suffix} {rounds // len(SUFFIXES) + 2}"
        _create_variant(app, templates[index], title, rng, rng.choice(users), pictures)
    return _summary(repos, catalog)


def _remember_definitions(repos) -> None:
    """Answer definition look-ups from memory while seeding this process.

    ``Wiki`` looks each attribute's definition up on its own and mongomock scans every
    definition for each look-up: nine tenths of the seeding time. The variants use only
    the catalogue's definitions, which nothing changes while the seed runs.
    """
    repos.definitions.find = functools.cache(repos.definitions.find)


def _bench_users(app, password: str) -> list[str]:
    """Register the bench users that are missing (every other one with an avatar)."""
    accounts = app.extensions["pkyx.accounts"]
    repos = app.extensions["pkyx.repos"]
    names = []
    for n in range(1, USERS + 1):
        name = f"reader{n:02d}"
        names.append(name)
        if repos.users.find(name) is not None:
            continue
        user = accounts.register(name, f"{name}@example.org", password, confirmed=True,
                                 bio="Reads comparisons for the benchmark.")
        if n % 2:
            accounts.set_avatar(user["_id"], avatar_png(n))
    return names + [user["username"] for user in load_catalog()["users"]]


def avatar_png(seed: int, side: int = 320) -> bytes:
    """A small generated picture: a coloured square with a disc (re-encoded on upload)."""
    rng = random.Random(seed)
    colour = tuple(rng.randrange(40, 220) for _ in range(3))
    image = Image.new("RGB", (side, side), colour)
    inset = side // 5
    ImageDraw.Draw(image).ellipse((inset, inset, side - inset, side - inset),
                                  fill=tuple(255 - c for c in colour))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _pictures(repos, catalog: dict) -> dict[str, str]:
    """The stored picture (GridFS id) of each catalogue entry, which its variants share."""
    found = repos.entries.by_slugs([entry["slug"] for entry in catalog["entries"]])
    return {slug: doc["attributes"]["image"]["file"] for slug, doc in found.items()
            if doc.get("attributes", {}).get("image", {}).get("file")}


def _create_variant(app, template: dict, title: str, rng: random.Random, user: str,
                    pictures: dict[str, str]) -> None:
    """Create an entry called ``title`` from a catalogue entry, as ``user``."""
    items = []
    for key, raw in template["attributes"].items():
        if key == "image":
            if template["slug"] in pictures:
                items.append(AttributeInput(key, UploadedImage(pictures[template["slug"]])))
            continue
        if rng.random() < 0.1:
            continue  # variants lack a few attributes, so compared rows have gaps
        items.append(AttributeInput(key, vary(key, raw, rng)))
    app.extensions["pkyx.wiki"].create_entry(
        user, title=title, category=template["category"], summary=template.get("summary", ""),
        slug=slug_from_title(title), attributes=items, comment="Created by the benchmark")


def vary(key: str, raw: str, rng: random.Random) -> str:
    """A plausible neighbour of a catalogue value, still valid for its type."""
    if key == "rating":
        return str(rng.randint(1, 5))
    if raw in ("yes", "no"):
        return raw if rng.random() < 0.8 else ("no" if raw == "yes" else "yes")
    match = NUMBER.match(raw)
    if match and not key.endswith(("_date", "_release", "_appeared")):
        number, decimals, unit = match.groups()
        moved = float(number) * rng.uniform(0.8, 1.25)
        text = f"{moved:.{len(decimals)}f}" if decimals else str(max(1, round(moved)))
        return text + unit
    if ", " in raw and rng.random() < 0.3:
        parts = raw.split(", ")
        rng.shuffle(parts)
        return ", ".join(parts[: max(1, len(parts) - 1)])
    return raw


def _summary(repos, catalog: dict) -> dict:
    """Counts, and generated phones the write scenario may edit (never a demo entry)."""
    demo = {entry["slug"] for entry in catalog["entries"]}
    phones, _ = repos.entries.listing("phones", "title", 1, len(demo) + WRITABLE)
    return {
        "entries": repos.entries.count(),
        "users": repos.users.count(),
        "avatars": len(repos.users.file_ids()),
        "writable": [doc["slug"] for doc in phones if doc["slug"] not in demo][:WRITABLE],
    }


if __name__ == "__main__":
    main()
