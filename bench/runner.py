"""One benchmark run: seed, start the chain, check and measure each scenario, report.

Example::

    report = run(parse_args([]), stamp="2026-11-21T120000Z")   # as bench/run.py does
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from bench import report as verdict
from bench.profile import PySpy, profiler, summarise
from bench.scenarios import (
    COMPARE_4,
    STATIC_PATH,
    UNCACHED,
    Fixture,
    Scenario,
    compare_path,
    scale_scenarios,
    scenarios,
)
from bench.wrk import Load, Result, run_wrk
from tests.deploy.chain import NGINX_PORT, ROOT, Chain, request

__all__ = ["run", "BenchError"]

RESULTS = ROOT / "bench" / "results"
#: Baselines of a one-round run: measured first and again last, and their mean
#: requests/s counts, so a machine that gets busier or quieter during the run moves both
#: ends of each ratio. With several rounds every scenario is measured once a round.
REPEATED = ("floor", "static")
BENCH_USER = "reader01"
PASSWORD = "pkyx-demo-password"
#: Before each scenario the app must be quiet: under a tenth of a CPU for this long. The
#: embedded store writes a full snapshot a second after any write (a view counts too)
#: and once after it starts, so without this a scenario pays for the one before it.
QUIET_SECONDS = 1.5
QUIET_LIMIT = 60.0


class BenchError(RuntimeError):
    """The run cannot go on; the message says why."""


class Progress:
    """Progress lines on stderr, with the seconds since the start."""

    def __init__(self):
        self.started = time.monotonic()

    def __call__(self, message: str) -> None:
        print(f"[{time.monotonic() - self.started:4.0f} s] {message}", file=sys.stderr,
              flush=True)


def run(args: argparse.Namespace, stamp: str, results: Path = RESULTS) -> dict:
    """The whole run of ``bench/run.py``; returns the report that goes to JSON.

    Raw profiles (``--profile``) go to ``results`` as ``<stamp>-profile-<name>.txt.gz``.
    """
    _check_tools(args.profile is not None)
    say = Progress()
    load = Load(args.threads, args.connections, args.duration)
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": _machine(),
        "settings": {"entries": args.entries, "seconds": load.seconds,
                     "connections": load.connections, "threads": load.threads,
                     "store": "mongodb" if os.environ.get("MONGO_URI") else "embedded",
                     "rounds": args.rounds, "quick": args.quick},
    }
    with tempfile.TemporaryDirectory(prefix="pkyx-bench-") as tmp:
        workdir = Path(tmp)
        say(f"seeding {args.entries:,} entries")
        seed = _seed(workdir / "instance", args.entries, fresh=True)
        say(f"seeded in {seed['seconds']} s; starting the chain (waits for any other chain)")
        report["seed"] = seed
        rows, profiles = _session(workdir, seed, scenarios, load, say, rounds=args.rounds,
                                  profile=args.profile, stem=str(results / stamp))
        report["scenarios"] = rows
        report["targets"] = verdict.check_targets(rows)
        report["profiles"] = profiles
        if args.scale_sizes:
            report["scale"] = _scale(workdir, args.scale_sizes, rows, load, say)
    _print(report)
    return report


def _scale(workdir: Path, sizes: tuple[int, ...], first: list[dict], load: Load,
           say: Progress) -> dict:
    """The list, entry and comparison paths at each size (the first size is the main run)."""
    names = {scenario.name for scenario in scale_scenarios(Fixture(("x",)), 1)}
    runs = [{"entries": sizes[0], "scenarios": [row for row in first if row["name"] in names]}]
    for size in sizes[1:]:
        say(f"scale: growing the store to {size:,} entries")
        seed = _seed(workdir / "instance", size, fresh=False)
        rows, _ = _session(workdir, seed, scale_scenarios, load, say)
        runs.append({"entries": size, "seed_seconds": seed["seconds"], "scenarios": rows})
    growth = {}
    for name in [row["name"] for row in runs[0]["scenarios"]]:
        p50 = [next(r["p50_ms"] for r in run["scenarios"] if r["name"] == name) for run in runs]
        growth[name] = {"p50_ms": dict(zip(map(str, sizes), p50, strict=True)),
                        "factor": round(p50[-1] / p50[0], 2) if p50[0] else None}
    return {"sizes": list(sizes), "runs": runs, "p50_growth": growth}


def _session(workdir: Path, seed: dict, choose: Callable[[Fixture, int], list[Scenario]],
             load: Load, say: Progress, *, rounds: int = 1, profile: list[str] | None = None,
             stem: str = "") -> tuple[list[dict], dict]:
    """Start the chain on the seeded store, measure the chosen scenarios, stop it.

    With several ``rounds`` the whole list runs again each round and every scenario
    counts its median round: a burst of noise (another process, the hypervisor) spoils
    one round of a few scenarios rather than the verdict.
    """
    env = {"MONGO_URI": os.environ["MONGO_URI"]} if os.environ.get("MONGO_URI") else None
    with Chain(workdir, env=env) as chain:
        say(f"chain ready: nginx :{NGINX_PORT} → gunicorn pid {chain.gunicorn_master_pid()}")
        fixture = Fixture(tuple(seed["writable"]), chain.token(BENCH_USER, PASSWORD))
        if len(fixture.writable) < load.connections:
            raise BenchError(f"{len(fixture.writable)} generated phones to write to, fewer "
                             f"than {load.connections} connections: seed more entries")
        chosen = choose(fixture, load.connections)
        quiet = Quiet(chain.worker_pids(), say)
        with _static_copy(any(s.path == STATIC_PATH for s in chosen)):
            measured: dict[str, list[dict]] = {scenario.name: [] for scenario in chosen}
            for number in range(1, rounds + 1):
                if rounds > 1:
                    say(f"round {number} of {rounds}")
                for scenario in chosen:
                    measured[scenario.name].append(_run_scenario(scenario, load, workdir, quiet))
            if rounds == 1:
                for scenario in chosen:
                    if scenario.name in REPEATED:
                        measured[scenario.name].append(
                            _run_scenario(scenario, load, workdir, quiet))
            rows = verdict.with_ratios([_combine(measured[s.name], median=rounds > 1)
                                        for s in chosen])
            profiles = {}
            if profile is not None:
                profiles = _profiles(chain, chosen, rows, profile, load, workdir, stem, quiet)
    return rows, profiles


class Quiet:
    """Waits until the app's processes are idle, from their CPU time in /proc."""

    def __init__(self, pids: list[int], say: Progress):
        self.pids = pids
        self.say = say
        self.tick = os.sysconf("SC_CLK_TCK")

    def cpu_seconds(self) -> float:
        """User and system CPU time of the processes so far (all their threads)."""
        total = 0
        for pid in self.pids:
            try:
                stat = Path(f"/proc/{pid}/stat").read_text()
            except FileNotFoundError:
                continue  # a worker that was replaced; its scenario shows the errors
            fields = stat[stat.rindex(")") + 2:].split()  # after "pid (name) "
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / self.tick

    def wait(self) -> None:
        """Return once the app used under 10 % of a CPU for QUIET_SECONDS (or at the limit)."""
        started = time.monotonic()
        quiet_since, before = started, self.cpu_seconds()
        while time.monotonic() - quiet_since < QUIET_SECONDS:
            if time.monotonic() - started > QUIET_LIMIT:
                self.say(f"the app is still busy after {QUIET_LIMIT:.0f} s; going on")
                return
            time.sleep(0.25)
            now = self.cpu_seconds()
            if now - before > 0.025:  # over 10 % of the 0.25 s
                quiet_since = time.monotonic()
            before = now
        waited = time.monotonic() - started
        if waited > QUIET_SECONDS + 2:
            self.say(f"waited {waited:.1f} s for the app to go quiet (a snapshot?)")


def _run_scenario(scenario: Scenario, load: Load, workdir: Path, quiet: Quiet) -> dict:
    """Check a scenario with one request, let the app go quiet, measure it."""
    headers, size = _preflight(scenario)
    quiet.wait()
    result = _measure(scenario, headers, load, workdir)
    quiet.say(f"{scenario.name:<17} {result.rps:9,.0f} req/s  p50 {result.p50_ms:7.1f} ms"
              f"  p99 {result.p99_ms:7.1f} ms  errors {result.errors}")
    return _row(scenario, result, size)


def _combine(runs: list[dict], *, median: bool) -> dict:
    """One row from a scenario's measurements: the median (or mean) rate and p50, the
    worst p99, every request and error."""
    row = dict(runs[0])
    if len(runs) == 1:
        return row
    middle = statistics.median if median else statistics.mean
    row["rps_runs"] = [run["rps"] for run in runs]
    row["rps"] = round(middle(row["rps_runs"]), 1)
    row["p50_ms"] = round(middle([run["p50_ms"] for run in runs]), 1)
    row["p99_ms"] = max(run["p99_ms"] for run in runs)
    row["requests"] = sum(run["requests"] for run in runs)
    row["errors"] = sum(run["errors"] for run in runs)
    row["error_kinds"] = {}
    for run in runs:
        for kind, n in run["error_kinds"].items():
            row["error_kinds"][kind] = row["error_kinds"].get(kind, 0) + n
    return row


@contextmanager
def _static_copy(wanted: bool) -> Iterator[None]:
    """Put the 4-entry comparison page under app/static/bench/ for nginx, and remove it."""
    if not wanted:
        yield
        return
    page = request("GET", compare_path(COMPARE_4), headers=UNCACHED)
    if page.status != 200:
        raise BenchError(f"the comparison page answered {page.status}")
    target = ROOT / "app" / STATIC_PATH.lstrip("/")
    target.parent.mkdir(exist_ok=True)
    target.write_bytes(page.body)
    try:
        yield
    finally:
        target.unlink(missing_ok=True)
        if not any(target.parent.iterdir()):
            target.parent.rmdir()


def _preflight(scenario: Scenario) -> tuple[dict[str, str], int]:
    """Check one request answers as the scenario expects; return its headers and size.

    A 304 scenario first GETs the resource for the ETag it then sends in If-None-Match;
    a cached one asks twice, so the measured requests find the page in nginx's cache.
    """
    headers = dict(scenario.headers)
    if scenario.conditional:
        etag = request("GET", scenario.path, headers=headers).headers.get("etag")
        if not etag:
            raise BenchError(f"{scenario.name}: {scenario.path} sent no ETag")
        headers["If-None-Match"] = etag
    answer = request("GET", scenario.path, headers=headers)
    if scenario.cache == "HIT":
        answer = request("GET", scenario.path, headers=headers)
    cache = answer.headers.get("x-cache-status", "")
    if answer.status != scenario.expect or (scenario.cache and cache != scenario.cache):
        raise BenchError(f"{scenario.name}: GET {scenario.path} answered {answer.status} "
                         f"(cache {cache or '-'}), expected {scenario.expect} "
                         f"(cache {scenario.cache or '-'}): {answer.text[:300]}")
    if scenario.items and len(answer.json()["_items"]) != scenario.items:
        raise BenchError(f"{scenario.name}: {len(answer.json()['_items'])} items, not "
                         f"{scenario.items}; seed more entries")
    return headers, len(answer.body)


def _measure(scenario: Scenario, headers: dict[str, str], load: Load, workdir: Path) -> Result:
    """wrk on one scenario."""
    if scenario.thread_per_connection:
        load = load.thread_per_connection()
    return run_wrk(f"http://127.0.0.1:{NGINX_PORT}{scenario.path}", load, workdir,
                   headers=headers, script=scenario.script, variables=scenario.variables)


def _row(scenario: Scenario, result: Result, size: int) -> dict:
    """A scenario's line of the report."""
    return {"name": scenario.name, "path": scenario.path, "about": scenario.about,
            "baseline": scenario.baseline, "bytes": size, **result.as_dict(),
            "load_average": round(os.getloadavg()[0], 2)}


def _profiles(chain: Chain, chosen: list[Scenario], rows: list[dict], names: list[str],
              load: Load, workdir: Path, stem: str, quiet: Quiet) -> dict:
    """Measure scenarios again under py-spy (named ones, or those that missed a target)."""
    if not names:
        names = [v["scenario"] for v in verdict.check_targets(rows) if not v["pass"]
                 and v["scenario"] != "*"]
        names += [row["name"] for row in rows if row["errors"] and row["name"] not in names]
    by_name = {scenario.name: scenario for scenario in chosen}
    unknown = sorted(set(names) - set(by_name))
    if unknown:
        raise BenchError(f"--profile: no scenario {', '.join(unknown)}")
    profiles = {}
    for name in names:
        scenario = by_name[name]
        headers, _ = _preflight(scenario)
        raw = workdir / f"profile-{name}.txt"
        quiet.wait()
        quiet.say(f"profiling {name} with py-spy for {load.seconds} s")
        with PySpy(chain.gunicorn_master_pid(), load.seconds + 1, raw):
            time.sleep(0.5)  # let py-spy attach before the load starts
            result = _measure(scenario, headers, load, workdir)
        kept = Path(f"{stem}-profile-{name}.txt.gz")
        kept.parent.mkdir(parents=True, exist_ok=True)
        kept.write_bytes(gzip.compress(raw.read_bytes()))
        profiles[name] = {"raw": _shown(kept), "rps_under_profiler": result.rps,
                          **summarise(raw)}
    return profiles


def _shown(path: Path) -> str:
    """A path relative to the checkout when it is inside it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _seed(instance: Path, entries: int, *, fresh: bool) -> dict:
    """Grow the store in ``instance`` (or MONGO_URI) to ``entries`` in a subprocess."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PKYX_ENV": "development",
           "PKYX_INSTANCE_PATH": str(instance), "PKYX_DEMO_PASSWORD": PASSWORD}
    if os.environ.get("MONGO_URI"):
        env["MONGO_URI"] = os.environ["MONGO_URI"]
    command = [sys.executable, "-m", "bench.seed", "--entries", str(entries),
               "--password", PASSWORD] + (["--fresh"] if fresh else [])
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=1800)
    if done.returncode != 0:
        raise BenchError(f"seeding {entries} entries failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _check_tools(profiling: bool) -> None:
    """wrk and nginx (and py-spy when profiling) must be installed."""
    missing = [tool for tool in ("wrk", "nginx") if not _which(tool)]
    if profiling and not profiler():
        missing.append("py-spy (.venv/bin/pip install py-spy)")
    if missing:
        raise BenchError("missing: " + ", ".join(missing) + " (apt-get install wrk nginx)")


def _which(tool: str) -> str | None:
    """The tool on PATH or in /usr/sbin (nginx, when root's PATH lacks it)."""
    return shutil.which(tool) or (str(Path("/usr/sbin", tool))
                                  if Path("/usr/sbin", tool).exists() else None)


def _machine() -> dict:
    """What the figures were measured on (the load average shows a busy machine)."""
    def version(command: list[str]) -> str:
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=10)
        except OSError:
            return "missing"
        return ((done.stdout + done.stderr).strip().splitlines() or ["?"])[0]

    return {"cpus": os.cpu_count(), "load_average": [round(x, 2) for x in os.getloadavg()],
            "python": platform.python_version(), "platform": platform.platform(),
            "wrk": version(["wrk", "--version"]),
            "nginx": version([_which("nginx") or "nginx", "-v"])}


def _print(report: dict) -> None:
    """The tables and verdicts on stdout."""
    settings = report["settings"]
    print(f"\npkyx benchmark {report['date']}: {settings['entries']:,} entries "
          f"({settings['store']} store), wrk -t{settings['threads']} -c{settings['connections']}"
          f" -d{settings['seconds']}s, {_rounds(settings['rounds'])}"
          f"{report['machine']['cpus']} CPUs, load average "
          f"{report['machine']['load_average'][0]} at the start\n")
    print(verdict.table(report["scenarios"]))
    print()
    print(verdict.targets_table(report["targets"]))
    if "scale" in report:
        print("\nscale (p50 and requests/s by store size):\n")
        print(verdict.scale_table(report["scale"]["runs"]))
    for name, found in report.get("profiles", {}).items():
        print(f"\nprofile of {name} ({found['samples']} samples, {found['raw']}):")
        for row in found["inclusive_app"][:10]:
            print(f"  {row['percent']:5.1f} %  {row['function']}")


def _rounds(rounds: int) -> str:
    return f"median of {rounds} rounds, " if rounds > 1 else ""
