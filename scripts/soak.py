#!/usr/bin/env python3
"""A soak run: mixed reads and writes through nginx for a fixed time, then an audit.

    .venv/bin/python scripts/soak.py                 # 10 minutes, 20 clients
    .venv/bin/python scripts/soak.py --minutes 1 --clients 8

It starts the production chain from this checkout (nginx → supervisord → gunicorn, as
the deployment tests do, on the embedded store with the demo data), runs the load of
tests/deploy/load.py — uncached page views, API reads and comparisons, and attribute
writes with If-Match by four writers on entries of their own — and samples the gunicorn
worker's memory (VmRSS, VmHWM) every ``--every`` seconds, with the size of the store's
snapshot file beside it: the embedded store keeps its data in the worker, and every
write adds a revision, so RSS can only be flat while the data is; the report gives the
RSS growth per MiB of snapshot growth. Afterwards it checks that
every acknowledged write is stored (the last value, and one revision per write) and
prints a report; ``--json FILE`` keeps it. The exit status is 1 when a request failed,
a write was lost or the worker's memory grew by more than ``--max-growth`` (MiB) between
the end of the first minute and the end of the run.

This is a bounded script, not a test: nothing in the suite measures time.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.deploy.chain import Chain  # noqa: E402
from tests.deploy.conftest import prepare_instance  # noqa: E402
from tests.deploy.load import lost_writes, prepare_workload, run_load  # noqa: E402

#: The embedded store's snapshot in the instance folder (conf.Config.SNAPSHOT_FILENAME).
SNAPSHOT = "pkyx-store.json"


def memory_kib(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak) of ``pid`` in KiB, from /proc."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0])
    return fields


def snapshot_kib(path: Path) -> int:
    """The size of the embedded store's snapshot file in KiB (0 before the first)."""
    try:
        return path.stat().st_size // 1024
    except FileNotFoundError:
        return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--every", type=float, default=30.0, help="memory sample period (s)")
    parser.add_argument("--max-growth", type=float, default=32.0,
                        help="allowed RSS growth after the first minute (MiB)")
    parser.add_argument("--json", type=Path, help="write the report here too")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="pkyx-soak-") as tmp:
        workdir = Path(tmp)
        prepare_instance(workdir / "instance")
        with Chain(workdir) as chain:
            reads, writes = prepare_workload(chain, args.writers)
            (worker,) = chain.worker_pids()
            samples: list[dict] = []
            stop = threading.Event()
            started = time.monotonic()

            snapshot = chain.instance / SNAPSHOT

            def sample() -> None:
                while True:
                    samples.append({"t": round(time.monotonic() - started, 1),
                                    **memory_kib(worker), "snapshot": snapshot_kib(snapshot)})
                    if stop.wait(args.every):
                        return

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            tally = run_load(args.minutes * 60, args.clients, reads, writes)
            stop.set()
            sampler.join()
            samples.append({"t": round(time.monotonic() - started, 1), **memory_kib(worker),
                            "snapshot": snapshot_kib(snapshot)})
            lost = lost_writes(tally)
            same_worker = chain.worker_pids() == [worker]

    after_warmup = next((s for s in samples if s["t"] >= 60), samples[0])
    growth_mib = (samples[-1]["VmRSS"] - after_warmup["VmRSS"]) / 1024
    data_growth_mib = (samples[-1]["snapshot"] - after_warmup["snapshot"]) / 1024
    report = {
        "minutes": args.minutes, "clients": args.clients, "writers": args.writers,
        "requests": tally.total, "failed": len(tally.failures),
        "failures": tally.failures[:20], "statuses": {str(k): v for k, v in
                                                      sorted(tally.statuses.items(), key=str)},
        "acknowledged_writes": sum(tally.writes.values()), "lost_writes": lost,
        "worker_pid": worker, "same_worker_throughout": same_worker,
        "rss_mib": {"start": round(samples[0]["VmRSS"] / 1024, 1),
                    "after_first_minute": round(after_warmup["VmRSS"] / 1024, 1),
                    "end": round(samples[-1]["VmRSS"] / 1024, 1),
                    "peak": round(samples[-1]["VmHWM"] / 1024, 1),
                    "growth_after_first_minute": round(growth_mib, 1)},
        # The data the store holds, as its snapshot file: RSS can only be flat while
        # this is; a steady RSS / data ratio is memory in step with the data, no leak.
        "snapshot_mib": {"after_first_minute": round(after_warmup["snapshot"] / 1024, 2),
                         "end": round(samples[-1]["snapshot"] / 1024, 2),
                         "growth_after_first_minute": round(data_growth_mib, 2)},
        "rss_growth_per_snapshot_growth": round(growth_mib / data_growth_mib, 1)
        if data_growth_mib > 0 else None,
        "samples": samples,
    }
    print(json.dumps({k: v for k, v in report.items() if k != "samples"}, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    ok = not tally.failures and not lost and same_worker and growth_mib <= args.max_growth
    print("SOAK PASSED" if ok else "SOAK FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
