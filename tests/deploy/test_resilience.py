"""The chain under load while its worker dies or reloads, and with its database gone.

20 clients for 20 s through nginx: page views (never from nginx's cache), API reads and
comparisons, and writes with If-Match. Killing the worker with SIGKILL may fail the
requests it held (fewer than 1 %); a graceful reload (SIGHUP) must fail none and lose
no acknowledged write, although the embedded store moves from the old worker to the
new one.
"""

from __future__ import annotations

import os
import signal

from .chain import request
from .load import lost_writes, prepare_workload, run_load

CLIENTS, SECONDS = 20, 20


def test_a_killed_worker_is_replaced_and_few_requests_fail(chain):
    """SIGKILL the worker under load: < 1 % failures, and a new worker serves."""
    reads, writes = prepare_workload(chain, writers=4)
    (victim,) = chain.worker_pids()
    tally = run_load(SECONDS, CLIENTS, reads, writes,
                     during=lambda: os.kill(victim, signal.SIGKILL))
    (replacement,) = chain.worker_pids()
    assert replacement != victim
    assert tally.total > 500, tally.statuses
    assert len(tally.failures) / tally.total < 0.01, (len(tally.failures), tally.total,
                                                      tally.failures[:10])
    assert request("GET", "/readyz").status == 200
    print(f"\nSIGKILL: {tally.total} requests, {len(tally.failures)} failed, {tally.statuses}",
          tally.failures)


def test_a_graceful_reload_fails_nothing_and_loses_no_write(chain):
    """SIGHUP under load: zero failures, and every acknowledged write is still there."""
    reads, writes = prepare_workload(chain, writers=4)  # entries of its own
    (old,) = chain.worker_pids()
    tally = run_load(SECONDS, CLIENTS, reads, writes,
                     during=lambda: chain.supervisorctl("signal", "HUP", "pkyx"))
    (new,) = chain.worker_pids()
    assert new != old
    assert tally.total > 500 and not tally.failures, (tally.failures[:10], tally.statuses)
    assert len(tally.acknowledged) == len(writes)
    assert lost_writes(tally) == []  # last values stored, one revision per write
    log = chain.new_log("gunicorn-error.log")
    assert "Handling signal: hup" in log.lower() or "hang up" in log.lower(), log[-2000:]
    print(f"\nSIGHUP: {tally.total} requests, 0 failed, {tally.statuses}")
