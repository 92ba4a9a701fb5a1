"""The chain under load while its worker dies or reloads, and with its database gone.

20 clients for 20 s through nginx: page views (never from nginx's cache), API reads and
comparisons, and writes with If-Match. Killing the worker with SIGKILL may fail the
requests it held (fewer than 1 %); a graceful reload (SIGHUP) must fail none and lose
no acknowledged write, although the embedded store moves from the old worker to the
new one.
"""

from __future__ import annotations

import json
import os
import signal
import time
from urllib.parse import urlsplit

import pytest

from .chain import request
from .load import run_load

CLIENTS, SECONDS = 20, 20


@pytest.fixture(scope="module")
def workload(chain):
    """Pages and API reads over the demo, and one entry of its own per writer."""
    token = chain.token("dana")
    listing = request("GET", "/api/v1/entries?category=phones&per_page=6")
    assert listing.status == 200, listing.text
    slugs = [item["slug"] for item in listing.json()["_items"]]
    compare = f"/compare/{slugs[1]}-vs-{slugs[2]}"
    first = request("GET", compare)
    if first.status == 301:  # the canonical order of the names
        compare = urlsplit(first.headers["location"]).path
    assert request("GET", compare).status == 200, compare
    reads = [f"/entries/{slugs[0]}", compare,
             "/api/v1/entries?category=phones&sort=-updated_at&per_page=25",
             f"/api/v1/entries/{slugs[3]}", f"/api/v1/compare?entries={slugs[4]},{slugs[5]}",
             "/explore"]
    writes = []
    for n in range(4):
        created = request("POST", "/api/v1/entries", body=json.dumps(
            {"title": f"Load Writer Phone {n} {time.time_ns()}", "category": "phones"}
        ).encode(), headers={"Authorization": f"Bearer {token}",
                             "Content-Type": "application/json"})
        assert created.status == 201, created.text
        writes.append((created.json()["slug"], token))
    return reads, writes


def test_a_killed_worker_is_replaced_and_few_requests_fail(chain, workload):
    """SIGKILL the worker under load: < 1 % failures, and a new worker serves."""
    reads, writes = workload
    (victim,) = chain.worker_pids()
    tally = run_load(SECONDS, CLIENTS, reads, writes,
                     during=lambda: os.kill(victim, signal.SIGKILL))
    (replacement,) = chain.worker_pids()
    assert replacement != victim
    assert tally.total > 500, tally.statuses
    assert len(tally.failures) / tally.total < 0.01, (len(tally.failures), tally.total,
                                                      tally.failures[:10])
    assert request("GET", "/readyz").status == 200
    print(f"\nSIGKILL: {tally.total} requests, {len(tally.failures)} failed, {tally.statuses}")


def test_a_graceful_reload_fails_nothing_and_loses_no_write(chain, workload):
    """SIGHUP under load: zero failures, and every acknowledged write is still there."""
    reads, writes = workload
    (old,) = chain.worker_pids()
    tally = run_load(SECONDS, CLIENTS, reads, writes,
                     during=lambda: chain.supervisorctl("signal", "HUP", "pkyx"))
    (new,) = chain.worker_pids()
    assert new != old
    assert tally.total > 500 and not tally.failures, (tally.failures[:10], tally.statuses)
    assert len(tally.acknowledged) == len(writes)
    for slug, value in tally.acknowledged.items():
        weight = request("GET", f"/api/v1/entries/{slug}").json()["attributes"]["weight"]
        assert weight["value"] == float(value.split()[0]), (slug, weight, value)
    log = chain.new_log("gunicorn-error.log")
    assert "Handling signal: hup" in log.lower() or "hang up" in log.lower(), log[-2000:]
    print(f"\nSIGHUP: {tally.total} requests, 0 failed, {tally.statuses}")
