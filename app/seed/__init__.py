"""Demo data: categories, attribute definitions, users with avatars, entries, history.

Everything goes through the same services an editor uses (validation, unit
conversion, revisions), so the demo also exercises the product. The catalogue lives in
``catalog.json`` beside this file; its images ship in ``app/static/demo/``.
"""

from __future__ import annotations

import json
from pathlib import Path

from flask import Flask

from ..domain.categories import check_suggested
from ..domain.definitions import validate_definition
from ..domain.errors import InvalidValue
from ..domain.images import process_image
from ..domain.revisions import SEED_COMMENT
from ..repositories import Repositories
from ..services import Accounts, AttributeInput, Wiki
from ..services.wiki import UploadedImage

__all__ = ["seed_demo", "load_catalog", "CATALOG_PATH"]

CATALOG_PATH = Path(__file__).with_name("catalog.json")
STATIC_PREFIX = "static:"


def load_catalog(path: Path = CATALOG_PATH) -> dict:
    """The demo catalogue as a dict."""
    return json.loads(path.read_text(encoding="utf-8"))


def seed_demo(app: Flask, password: str | None = None, catalog: dict | None = None) -> dict:
    """Load the demo catalogue into the app's store; return what was created."""
    password = password or app.config.get("DEMO_PASSWORD")
    if not password:
        raise InvalidValue("Give the demo users a password (--password or PKYX_DEMO_PASSWORD).",
                           "password")
    catalog = catalog or load_catalog()
    repos: Repositories = app.extensions["pkyx.repos"]
    wiki: Wiki = app.extensions["pkyx.wiki"]
    accounts: Accounts = app.extensions["pkyx.accounts"]
    static = Path(app.static_folder)

    for fields in catalog["definitions"]:
        repos.definitions.insert(validate_definition(fields), "pkyx")
    for category in catalog["categories"]:  # after the definitions its suggestions name
        more = {name: category[name] for name in ("name_zh", "description_zh")
                if category.get(name)}
        suggested = check_suggested(category.get("attributes", []))
        repos.categories.upsert(category["slug"], category["name"], category["description"],
                                attributes=suggested, **more)
    for user in catalog["users"]:
        _seed_user(accounts, user, password, static)
    for entry in catalog["entries"]:
        _seed_entry(repos, wiki, entry, static)
    for change in catalog.get("history", []):
        _seed_change(wiki, repos, change)
    return {"categories": len(catalog["categories"]), "definitions": len(catalog["definitions"]),
            "users": len(catalog["users"]), "entries": len(catalog["entries"]),
            "edits": len(catalog.get("history", []))}


def _seed_user(accounts: Accounts, user: dict, password: str, static: Path) -> None:
    """Register a demo user and upload their avatar."""
    profile = {k: user[k] for k in ("location", "website", "bio") if k in user}
    doc = accounts.register(user["username"], user["email"], password, confirmed=True,
                            **profile)
    if user.get("avatar"):
        accounts.set_avatar(doc["_id"], (static / user["avatar"]).read_bytes())


def _seed_entry(repos, wiki: Wiki, entry: dict, static: Path) -> None:
    """Create a demo entry as its author, uploading shipped images to GridFS."""
    items = []
    for key, raw in entry["attributes"].items():
        if isinstance(raw, str) and raw.startswith(STATIC_PREFIX):
            path = static / raw.removeprefix(STATIC_PREFIX)
            image = process_image(path.read_bytes(), max_side=480)
            file_id = repos.images.put(image.data, f"{entry['slug']}.{image.extension}",
                                       image.content_type)
            raw = UploadedImage(str(file_id))
        items.append(AttributeInput(key, raw))
    wiki.create_entry(entry["created_by"], title=entry["title"], category=entry["category"],
                      summary=entry.get("summary", ""), slug=entry["slug"], attributes=items,
                      comment=SEED_COMMENT)


def _seed_change(wiki: Wiki, repos, change: dict) -> None:
    """Apply one edit of the demo history as the user who made it."""
    entry = repos.entries.get(change["entry"])
    wiki.edit_entry(
        change["user"], entry["slug"], entry["version"],
        set_attributes=[AttributeInput(k, v) for k, v in change.get("set", {}).items()],
        unset=change.get("unset", []), comment=change.get("comment", ""),
    )
