"""The peer benchmark's set-up (bench/peers/): the same query and data on both sides.

No timing here: these check that the runner compares like with like — pkyx's list and
Eve's ``where``/``sort`` are one MongoDB query, and on the same exported entries,
stored in mongomock as Eve stores them, they return the same entries in the same order
with the same total; the item and the probe answer alike. Eve itself lives in
``bench/peers/.venv`` (the runner makes it), so here its query runs on mongomock directly.
"""

from __future__ import annotations

import re
from pathlib import Path

import mongomock
import pytest

from app import create_app
from app.api.query import parse_query
from app.repositories.dump import export_data, write_file
from app.repositories.filters import mongo_query
from bench.peers import queries
from bench.peers.flask_app import app as bare_flask
from bench.peers.queries import EVE_SORT, EVE_WHERE, PER_PAGE, PKYX_LIST_ARGS, SCENARIOS
from bench.peers.run import parse_args, ratios
from bench.seed import grow

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """An app with 150 entries as the benchmark seeds them, and their export."""
    app = create_app("testing", {"SEED_DEMO_DATA": True})
    with app.app_context():
        grow(app, 150, "pkyx-demo-password")
        dump = tmp_path_factory.mktemp("peers") / "dump.json"
        write_file(dump, export_data(app.extensions["pkyx.store"]))
    yield app, dump
    app.extensions["pkyx.store"].close()


def test_pkyx_reads_its_list_arguments_as_the_query_eve_is_sent(seeded):
    app, _ = seeded
    with app.app_context():
        definitions = {d.key: d for d in app.extensions["pkyx.repos"].definitions.all()}
    query = parse_query(PKYX_LIST_ARGS, definitions)
    assert mongo_query(query.clauses, query.sort) == (EVE_WHERE, EVE_SORT)
    assert query.per_page == PER_PAGE


def test_both_sides_list_the_same_entries_in_the_same_order(seeded):
    app, dump = seeded
    answer = app.test_client().get(queries.pkyx_list_path())
    assert answer.status_code == 200
    ours = answer.get_json()

    peer = mongomock.MongoClient(tz_aware=True).peers.entries  # Eve's store
    peer.insert_many(queries.load_entries(dump))
    theirs = list(peer.find(EVE_WHERE).sort(EVE_SORT).limit(PER_PAGE))

    assert len(ours["_items"]) == PER_PAGE  # the seeded store fills the page
    assert [item["slug"] for item in ours["_items"]] == [doc["slug"] for doc in theirs]
    assert ours["_meta"]["total"] == peer.count_documents(EVE_WHERE)
    weights = [doc["attributes"]["weight"]["n"] for doc in theirs]
    assert all(weight < 250 for weight in weights)


def test_the_item_is_the_same_entry_on_both_sides(seeded):
    app, dump = seeded
    item = app.test_client().get(f"/api/v1/entries/{queries.ITEM_SLUG}").get_json()
    stored = {doc["slug"]: doc for doc in queries.load_entries(dump)}[queries.ITEM_SLUG]
    assert item["id"] == str(stored["_id"])
    assert item["version"] == stored["version"]


def test_the_bare_flask_app_answers_the_probe_as_pkyx_does(seeded):
    app, _ = seeded
    ours = app.test_client().get("/healthz")
    floor = bare_flask.test_client().get("/healthz")
    assert floor.status_code == ours.status_code == 200
    assert floor.get_json() == ours.get_json()
    assert floor.headers["Cache-Control"] == ours.headers["Cache-Control"] == "no-store"


def test_scenarios_name_their_peer_and_the_issue_targets():
    targets = {s.name: (s.peer, s.target) for s in SCENARIOS}
    assert targets == {"api-list": ("eve", 5.0), "api-entry": ("eve", 3.0),
                       "healthz": ("flask", 0.9)}
    for scenario in SCENARIOS:
        assert getattr(scenario, scenario.peer)  # the peer is asked the scenario


def test_peer_requirements_are_pinned_to_eve_2_3_1():
    lines = [line for line in (ROOT / "bench/peers/requirements.txt").read_text().splitlines()
             if line and not line.startswith("#")]
    assert "Eve==2.3.1" in lines
    assert all(re.fullmatch(r"[A-Za-z0-9_.-]+==[0-9][0-9A-Za-z.]*", line) for line in lines)


def test_ratios_are_the_median_of_the_rounds():
    results = {"api-list": {"pkyx": [{"rps": 500}, {"rps": 600}, {"rps": 400}],
                            "eve": [{"rps": 100}, {"rps": 100}, {"rps": 100}]}}
    row, = ratios(results, [SCENARIOS[0]])
    assert row["ratio_rounds"] == [5.0, 6.0, 4.0]
    assert row["ratio"] == 5.0 and row["pass"]
    assert (row["pkyx_rps"], row["peer_rps"]) == (500, 100)


def test_command_line_defaults():
    args = parse_args([])
    assert (args.entries, args.duration, args.rounds, args.connections) == (300, 5, 5, 8)
    quick = parse_args(["--quick"])
    assert (quick.entries, quick.rounds) == (150, 1)
    with pytest.raises(SystemExit):
        parse_args(["--entries", "10"])
