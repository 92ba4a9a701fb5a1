"""Benchmark pkyx through its production chain: ``.venv/bin/python bench/run.py``.

Seeds a fresh store (the embedded one, or ``MONGO_URI``) with N realistic entries,
starts nginx → supervisord → gunicorn from this checkout on loopback (the deployment
tests' :class:`~tests.deploy.chain.Chain`, which waits for any other chain on this
machine to finish), drives ``wrk`` through each scenario of :mod:`bench.scenarios` for a
fixed time at a fixed concurrency, prints a table with each scenario's ratio to its
baseline and PASS/MISS per target, and writes ``bench/results/<date>.json``.

    .venv/bin/python bench/run.py                 # 300 entries, 3 rounds of 5 s, ~7 min
    .venv/bin/python bench/run.py --scale         # + 1,000 and 3,000 entries, ~11 min
    .venv/bin/python bench/run.py --quick         # smoke run: 150 entries, 1 s each
    .venv/bin/python bench/run.py --profile       # + py-spy profiles of missed targets
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCALE_SIZES = (300, 1000, 3000)
QUICK_SCALE_SIZES = (150, 300)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line (see the module docstring)."""
    parser = argparse.ArgumentParser(
        prog="bench/run.py", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Benchmark pkyx through nginx → gunicorn with wrk (README.md, Benchmark).",
        epilog="examples:\n" + __doc__.rsplit("\n\n", 1)[1])
    parser.add_argument("--entries", type=int, default=None,
                        help="entries in the store, 48 (the demo) to 5000 [300; quick: 150]")
    parser.add_argument("--duration", type=int, default=None,
                        help="seconds of wrk per scenario [5; quick: 1]")
    parser.add_argument("--rounds", type=int, default=None,
                        help="times the scenario list runs; each counts its median round "
                             "[3; quick: 1]")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections [8]")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads [1]")
    parser.add_argument("--scale", action="store_true",
                        help="also run the list, entry and comparison paths at "
                             + ", ".join(map(str, SCALE_SIZES)) + " entries")
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--profile", nargs="*", metavar="SCENARIO", default=None,
                        help="profile the app with py-spy during these scenarios "
                             "(none named: those that missed a target)")
    parser.add_argument("--output", type=Path, default=None,
                        help="the JSON report [bench/results/<date>.json]")
    args = parser.parse_args(argv)
    args.entries = args.entries or (150 if args.quick else 300)
    args.duration = args.duration or (1 if args.quick else 5)
    args.rounds = (1 if args.quick else 3) if args.rounds is None else args.rounds
    if not 48 <= args.entries <= 5000:
        parser.error("--entries must be from 48 (the demo catalogue) to 5000")
    if min(args.connections, args.threads, args.duration, args.rounds) < 1:
        parser.error("--connections, --threads, --duration and --rounds must be at least 1")
    args.scale_sizes = (QUICK_SCALE_SIZES if args.quick else SCALE_SIZES) if args.scale else ()
    if args.scale and args.entries != args.scale_sizes[0]:
        parser.error(f"--scale grows the store from {args.scale_sizes[0]} entries: "
                     "leave --entries out")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit 0 when every target passed, 1 when one was missed."""
    args = parse_args(argv)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))  # `python bench/run.py` puts bench/, not the root, first
    from bench.report import write_json
    from bench.runner import RESULTS, BenchError, run

    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H%M%SZ") + ("-quick" if args.quick else "")
    output = args.output or RESULTS / f"{stamp}.json"
    try:
        report = run(args, stamp, output.parent)
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 2
    write_json(output, report)
    print(f"\nwritten: {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}")
    return 0 if all(verdict["pass"] for verdict in report["targets"]) else 1


if __name__ == "__main__":
    raise SystemExit(main())
