"""Finding and resolving what breaks the store's own rules (``manage.py check``).

Today: documents that repeat the key of a unique index. The embedded store refused such
a snapshot until an engine bug let two accounts share an e-mail address; it now opens
it read-only, and :func:`resolve_duplicates` makes the data sound again. On MongoDB the
same can happen to a database whose unique indexes were never created.

Each collection has one rule for its duplicates; the oldest document (the smallest
``_id``) always keeps its key:

* users — a repeated e-mail: the younger accounts get a placeholder address on the
  reserved ``.invalid`` domain (they still log in by user name and set a new address);
  a repeated user name: the younger accounts are renamed ``name-2``, ``name-3``… (never
  the reserved name of a deleted account);
* entries — a repeated slug: the younger entries get ``slug-2``…
* categories, attributes, revoked tokens, comparisons, reserved names of deleted
  accounts — the younger copies are removed
  (a comparison's views are added to the one kept);
* revisions — a repeated (entry, version): the younger copies are removed.
"""

from __future__ import annotations

from collections.abc import Callable

from .dump import COLLECTIONS, Duplicate, duplicates_in
from .indexes import INDEXES, create_indexes

__all__ = ["find_duplicates", "resolve_duplicates"]


def find_duplicates(store) -> list[Duplicate]:
    """Every group of documents that shares the keys of a unique index."""
    found = []
    for name in COLLECTIONS:
        fields = {key for index in INDEXES if index.collection == name and index.unique
                  for key, _ in index.keys}
        if fields:
            docs = store.db[name].find({}, {field: 1 for field in fields})
            found += duplicates_in(name, docs)
    return found


def resolve_duplicates(store, duplicates: list[Duplicate]) -> list[str]:
    """Resolve ``duplicates`` by each collection's rule, create the unique indexes.

    Returns one sentence per change, for the operator. Runs through the store's
    ``repairing`` path, so a read-only embedded store accepts it.
    """
    done: list[str] = []
    with store.repairing():
        for duplicate in duplicates:
            col = store.db[duplicate.collection]
            keeper, *others = duplicate.ids
            rule = _RULES[(duplicate.collection, duplicate.fields)]
            for ident in others:
                done.append(rule(col, keeper, ident, duplicate))
        create_indexes(store.db)
    store.repaired()
    return done


def _free(col, field: str, base: str, suffix: Callable[[int], str], also=()) -> str:
    """``base`` plus the first suffix (n = 2, 3, …) that no document's ``field`` holds (in
    ``col`` and the collections ``also``)."""
    n = 2
    while any(c.count_documents({field: base + suffix(n)}, limit=1) for c in (col, *also)):
        n += 1
    return base + suffix(n)


def _user_email(col, keeper, ident, duplicate: Duplicate) -> str:
    user = col.find_one({"_id": ident})
    address = _free(col, "email", f"{user['username_key']}.{ident}",
                    lambda n: "@duplicate.invalid" if n == 2 else f".{n}@duplicate.invalid")
    col.update_one({"_id": ident}, {"$set": {"email": address}})
    owner = col.find_one({"_id": keeper})
    return (f"users: {user['username']} shared the e-mail address {duplicate.value[0]} with "
            f"{owner['username']}, who keeps it; {user['username']}'s address is now "
            f"{address} (they log in by user name and should set a new address)")


def _user_name(col, keeper, ident, duplicate: Duplicate) -> str:
    user = col.find_one({"_id": ident})
    name = _free(col, "username_key", user["username"].casefold(), lambda n: f"-{n}",
                 also=(col.database["deleted_users"],))  # never a deleted account's name
    new = user["username"] + name[len(user["username"]):]
    col.update_one({"_id": ident}, {"$set": {"username": new, "username_key": name}})
    return f"users: the younger of two accounts named {user['username']} is now {new}"


def _entry_slug(col, keeper, ident, duplicate: Duplicate) -> str:
    slug = _free(col, "slug", duplicate.value[0], lambda n: f"-{n}")
    col.update_one({"_id": ident}, {"$set": {"slug": slug}})
    return f"entries: a second entry with the slug {duplicate.value[0]} is now {slug}"


def _remove(col, keeper, ident, duplicate: Duplicate) -> str:
    col.delete_one({"_id": ident})
    return (f"{duplicate.collection}: removed a second document with "
            f"{', '.join(duplicate.fields)} {', '.join(map(str, duplicate.value))} "
            f"(_id {ident}; {keeper} is kept)")


def _merge_views(col, keeper, ident, duplicate: Duplicate) -> str:
    views = (col.find_one({"_id": ident}) or {}).get("views", 0)
    col.update_one({"_id": keeper}, {"$inc": {"views": views}})
    return _remove(col, keeper, ident, duplicate)


_RULES: dict[tuple[str, tuple[str, ...]], Callable] = {
    ("users", ("email",)): _user_email,
    ("users", ("username_key",)): _user_name,
    ("entries", ("slug",)): _entry_slug,
    ("categories", ("slug",)): _remove,
    ("attributes", ("key",)): _remove,
    ("revisions", ("entry_id", "version")): _remove,
    ("revoked_tokens", ("jti",)): _remove,
    ("deleted_users", ("username_key",)): _remove,
    ("comparisons", ("key",)): _merge_views,
}
