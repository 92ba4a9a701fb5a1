"""Time (or profile) pkyx's peer scenarios in one process, without sockets or gunicorn.

Each request goes through ``app.wsgi_app`` with a prepared WSGI environ, so the figure
is what the app itself costs per request (Flask, the hooks, the view, the encoder)::

    .venv/bin/python -m bench.peers.inprocess                 # µs per request, each scenario
    .venv/bin/python -m bench.peers.inprocess --profile api-list   # + cProfile's top functions

The store is seeded once into ``--instance`` (default: a folder under /tmp, reused).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import secrets
import time
from pathlib import Path

from werkzeug.test import EnvironBuilder

from bench.peers.queries import SCENARIOS

DEFAULT_INSTANCE = Path("/tmp/pkyx-peers-inprocess/instance")


def build_app(instance: Path, entries: int):
    """A production app on a store seeded with ``entries`` (seeded on first use)."""
    if not (instance / "pkyx-store.json").exists():
        from bench.runner import _seed

        _seed(instance, entries, fresh=True)
    os.environ.update({"PKYX_INSTANCE_PATH": str(instance), "PKYX_PUBLIC_URL": "http://127.0.0.1",
                       "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(48)})
    from app import create_app

    return create_app("production")


def per_request(app, path: str, seconds: float) -> tuple[float, int]:
    """CPU µs (this thread's) per request of ``GET path``, the best slice of 100 requests
    within ``seconds`` of CPU time, and the status; CPU time, so other work on the machine
    moves it little."""
    environ = EnvironBuilder(path=path, headers={"Accept": "*/*", "Host": "127.0.0.1"}
                             ).get_environ()
    status = []

    def start_response(code, headers, exc_info=None):
        status.append(int(code.split()[0]))

    def once():
        body = app.wsgi_app(dict(environ), start_response)
        for _ in body:
            pass
        if hasattr(body, "close"):
            body.close()

    for _ in range(50):
        once()
    # The fastest of several slices: another process on the machine (or a collection of
    # the heap) slows a slice down, never speeds it up.
    best, spent = float("inf"), 0.0
    while spent < seconds:
        started = time.thread_time()
        for _ in range(100):
            once()
        slice_ = time.thread_time() - started
        spent += slice_
        best = min(best, slice_ / 100)
    return best * 1e6, status[-1]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--instance", type=Path, default=DEFAULT_INSTANCE)
    parser.add_argument("--entries", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--profile", nargs="*", default=None, metavar="SCENARIO")
    parser.add_argument("--only", nargs="*", default=None, metavar="SCENARIO")
    args = parser.parse_args(argv)
    app = build_app(args.instance, args.entries)
    from bench.peers.flask_app import app as floor

    for scenario in SCENARIOS:
        if args.only and scenario.name not in args.only:
            continue
        micros, status = per_request(app, scenario.pkyx, args.seconds)
        line = f"{scenario.name:<10} {micros:8.1f} µs  ({status})"
        if scenario.flask:
            line += f"   bare Flask {per_request(floor, scenario.flask, args.seconds)[0]:8.1f} µs"
        print(line, flush=True)
    for name in args.profile or ():
        path = next(s.pkyx for s in SCENARIOS if s.name == name)
        profiler = cProfile.Profile()
        profiler.enable()
        per_request(app, path, args.seconds)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(45)
        print(f"\n--- {name} (cumulative)\n" + out.getvalue())
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(30)
        print(f"\n--- {name} (own time)\n" + out.getvalue())
    app.extensions["pkyx.store"].close()


if __name__ == "__main__":
    main()
