"""Eve 2.3.1 on mongomock with pkyx's exported entries: the peer of ``bench/peers/``.

Run by the runner in ``bench/peers/.venv`` (Eve's own pins) under gunicorn::

    PEERS_DUMP=/tmp/dump.json bench/peers/.venv/bin/gunicorn bench.peers.eve_app:app

It serves ``/entries`` (Eve's list: ``where``, ``sort``, ``max_results``),
``/entries/<slug>`` (an ``additional_lookup`` on the slug) and ``/healthz``, with Eve's
defaults otherwise (HATEOAS links, ``_meta`` with the total, ETags). The entries are
the ``entries`` collection of a pkyx dump (``manage.py export``), stored as they are.
"""

from __future__ import annotations

import os

import mongomock
from eve import Eve
from eve.io.mongo import flask_pymongo
from flask import jsonify

from bench.peers.queries import load_entries

# Eve's own PyMongo helper builds a pymongo client: give it mongomock's (one per process).
flask_pymongo.MongoClient = mongomock.MongoClient

SETTINGS = {
    "MONGO_DBNAME": "peers",
    # pkyx's documents carry these; Eve reads them for Last-Modified and _meta.
    "LAST_UPDATED": "updated_at",
    "DATE_CREATED": "created_at",
    "PAGINATION_DEFAULT": 25,
    "DOMAIN": {
        "entries": {
            "schema": {"title": {"type": "string"}, "slug": {"type": "string"},
                       "category": {"type": "string"}, "attributes": {"type": "dict"}},
            "allow_unknown": True,  # every field of the stored document is returned
            "additional_lookup": {"url": 'regex("[\\w.-]+")', "field": "slug"},
            "resource_methods": ["GET"],
            "item_methods": ["GET"],
        },
    },
}


def create_app(dump: str | None = None) -> Eve:
    """The Eve app with the dump's entries in its mongomock database."""
    app = Eve(settings=SETTINGS)

    @app.route("/healthz")
    def healthz():
        return jsonify(status="ok")

    entries = load_entries(dump or os.environ["PEERS_DUMP"])
    with app.app_context():
        app.data.driver.db["entries"].insert_many(entries)
    return app


app = create_app() if os.environ.get("PEERS_DUMP") else None
