"""pkyx beside its peers: ``.venv/bin/python bench/peers/run.py`` (``make bench-peers``).

Seeds a fresh embedded store with N entries (:mod:`bench.seed`, as ``bench/run.py``
does), exports it (``manage.py export``) and starts three servers on loopback, each
under gunicorn with the same shape (1 worker × 8 threads, gthread, no access log):

* **pkyx** from this checkout (production settings, the seeded store);
* **Eve 2.3.1** on mongomock holding the same entries (:mod:`bench.peers.eve_app`, in
  its own venv ``bench/peers/.venv``, made from ``bench/peers/requirements.txt``);
* **a bare Flask app** answering ``/healthz`` (:mod:`bench.peers.flask_app`).

Before measuring it checks that pkyx and Eve answer the list with the same entries in
the same order and the same total. Then ``wrk`` drives each scenario of
:mod:`bench.peers.queries` on each server, in interleaved rounds (every round measures
every scenario on every server, the servers' order alternating), and each ratio is the
median over the rounds of pkyx's requests/s over the peer's in that round. Results go
to ``bench/results/<date>-peers.json``; the exit status is 1 when a target is missed.

    .venv/bin/python bench/peers/run.py            # 300 entries, 5 rounds of 5 s: ~5 min
    .venv/bin/python bench/peers/run.py --quick    # 150 entries, 1 round of 2 s
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # `python bench/peers/run.py` puts bench/peers/ first

from bench.peers.queries import PER_PAGE, SCENARIOS, Scenario  # noqa: E402

PEERS = ROOT / "bench" / "peers"
PEER_VENV = PEERS / ".venv"
REQUIREMENTS = PEERS / "requirements.txt"
RESULTS = ROOT / "bench" / "results"
SERVERS = ("pkyx", "eve", "flask")
GUNICORN_SHAPE = ["--worker-class", "gthread", "--workers", "1", "--threads", "8",
                  "--keep-alive", "5", "--log-level", "warning"]


class PeersError(RuntimeError):
    """The run cannot go on; the message says why."""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/peers/run.py", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="pkyx beside Eve 2.3.1 and a bare Flask app (README.md, Benchmark).",
        epilog="examples:\n" + __doc__.rsplit("\n\n", 1)[1])
    parser.add_argument("--entries", type=int, default=None,
                        help="entries in the store, 48 to 5000 [300; quick: 150]")
    parser.add_argument("--duration", type=int, default=None,
                        help="seconds of wrk per scenario and server [5; quick: 2]")
    parser.add_argument("--rounds", type=int, default=None, help="interleaved rounds [5; quick: 1]")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections [8]")
    parser.add_argument("--only", nargs="+", metavar="SCENARIO",
                        choices=[s.name for s in SCENARIOS], help="measure only these scenarios")
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--output", type=Path, default=None,
                        help="the JSON report [bench/results/<date>-peers.json]")
    args = parser.parse_args(argv)
    args.entries = args.entries or (150 if args.quick else 300)
    args.duration = args.duration or (2 if args.quick else 5)
    args.rounds = args.rounds or (1 if args.quick else 5)
    if not 48 <= args.entries <= 5000:
        parser.error("--entries must be from 48 (the demo catalogue) to 5000")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H%M%SZ")
    output = args.output or RESULTS / f"{stamp}-peers{'-quick' if args.quick else ''}.json"
    try:
        report = run(args)
    except PeersError as exc:
        print(f"bench-peers: {exc}", file=sys.stderr)
        return 2
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=1) + "\n")
    print(table(report))
    print(f"\nwritten: {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}")
    return 0 if all(row["pass"] for row in report["ratios"]) else 1


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------- setup


def peer_venv() -> Path:
    """``bench/peers/.venv`` with the pinned peer packages (made or updated when needed)."""
    python = PEER_VENV / "bin" / "python"
    stamp = PEER_VENV / ".requirements"
    wanted = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    if python.exists() and stamp.exists() and stamp.read_text() == wanted:
        return PEER_VENV
    say("making bench/peers/.venv (Eve 2.3.1, mongomock) from bench/peers/requirements.txt")
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
    done = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "-r",
                           str(REQUIREMENTS)], capture_output=True, text=True)
    if done.returncode != 0:
        raise PeersError(f"installing bench/peers/requirements.txt failed:\n{done.stderr[-2000:]}")
    stamp.write_text(wanted)
    return PEER_VENV


def seed_and_export(workdir: Path, entries: int) -> tuple[Path, Path]:
    """A seeded instance folder and its dump (the same data for pkyx and Eve)."""
    from bench.runner import _seed  # bench/run.py's seeding, in a subprocess

    instance = workdir / "instance"
    say(f"seeding {entries:,} entries")
    _seed(instance, entries, fresh=True)
    dump = workdir / "dump.json"
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PKYX_ENV": "development",
           "PKYX_INSTANCE_PATH": str(instance)}
    done = subprocess.run([sys.executable, "manage.py", "export", str(dump)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise PeersError(f"export failed:\n{done.stderr[-2000:]}")
    return instance, dump


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """One gunicorn on a free loopback port; ``with`` starts it and stops it."""

    def __init__(self, name: str, gunicorn: Path, app: str, env: dict[str, str], log: Path):
        self.name = name
        self.port = free_port()
        self.command = [str(gunicorn), *GUNICORN_SHAPE, "--bind", f"127.0.0.1:{self.port}", app]
        self.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env}
        self.log = log
        self.process: subprocess.Popen | None = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> Server:
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env,
                                        stdout=self.log.open("wb"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise PeersError(f"{self.name} stopped at start:\n{self.log.read_text()[-2000:]}")
            try:
                if get(self.url("/healthz"))[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        raise PeersError(f"{self.name} did not answer /healthz within 120 s")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def worker_pids(self) -> list[int]:
        """The gunicorn master and its worker (for the quiet wait)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [self.process.pid, *map(int, children.read_text().split())]
        except FileNotFoundError:
            return [self.process.pid]


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def servers(workdir: Path, instance: Path, dump: Path) -> dict[str, Server]:
    venv = ROOT / ".venv" / "bin"
    pkyx_env = {"PKYX_ENV": "production", "SECRET_KEY": secrets.token_urlsafe(48),
                "PKYX_INSTANCE_PATH": str(instance), "PKYX_PUBLIC_URL": "http://127.0.0.1"}
    return {
        "pkyx": Server("pkyx", venv / "gunicorn", "app.wsgi:app", pkyx_env,
                       workdir / "pkyx.log"),
        "eve": Server("eve", peer_venv() / "bin" / "gunicorn", "bench.peers.eve_app:app",
                      {"PEERS_DUMP": str(dump)}, workdir / "eve.log"),
        "flask": Server("flask", venv / "gunicorn", "bench.peers.flask_app:app", {},
                        workdir / "flask.log"),
    }


# ----------------------------------------------------------------------------- checks


def check_equivalent(running: dict[str, Server]) -> dict:
    """pkyx and Eve answer the list with the same entries, order and total; the item too."""
    list_scenario, item_scenario = SCENARIOS[0], SCENARIOS[1]
    status, body = get(running["pkyx"].url(list_scenario.pkyx))
    peer_status, peer_body = get(running["eve"].url(list_scenario.eve))
    if status != 200 or peer_status != 200:
        raise PeersError(f"the list answered {status} (pkyx) and {peer_status} (Eve): "
                         f"{body[:300]!r} {peer_body[:300]!r}")
    ours, theirs = json.loads(body), json.loads(peer_body)
    slugs = [item["slug"] for item in ours["_items"]]
    peer_slugs = [item["slug"] for item in theirs["_items"]]
    if slugs != peer_slugs or ours["_meta"]["total"] != theirs["_meta"]["total"]:
        raise PeersError(f"pkyx and Eve disagree on the list: {slugs} ({ours['_meta']}) vs "
                         f"{peer_slugs} ({theirs['_meta']})")
    if len(slugs) != PER_PAGE:
        raise PeersError(f"the list has {len(slugs)} entries, not {PER_PAGE}: "
                         "seed more entries")
    item = json.loads(get(running["pkyx"].url(item_scenario.pkyx))[1])
    peer_item = json.loads(get(running["eve"].url(item_scenario.eve))[1])
    if item["id"] != peer_item["_id"] or item["version"] != peer_item["version"]:
        raise PeersError(f"the item differs: {item['id']} vs {peer_item['_id']}")
    for name, server in running.items():
        if get(server.url("/healthz"))[0] != 200:
            raise PeersError(f"{name}'s /healthz did not answer 200")
    return {"list_total": ours["_meta"]["total"], "list_slugs": slugs}


# ----------------------------------------------------------------------------- measuring


def measure(running: dict[str, Server], scenarios: tuple[Scenario, ...], args,
            workdir: Path) -> dict[str, dict[str, list[dict]]]:
    """Every scenario on every server it names, ``args.rounds`` times, interleaved."""
    from bench.runner import Quiet
    from bench.wrk import Load, run_wrk

    load = Load(1, args.connections, args.duration)
    quiet = Quiet([pid for server in running.values() for pid in server.worker_pids()],
                  lambda message: say(message))
    results: dict[str, dict[str, list[dict]]] = {s.name: {} for s in scenarios}
    for number in range(args.rounds):
        say(f"round {number + 1} of {args.rounds}")
        for scenario in scenarios:
            names = [name for name in SERVERS if getattr(scenario, name)]
            if number % 2:
                names.reverse()
            for name in names:
                quiet.wait()
                result = run_wrk(running[name].url(getattr(scenario, name)), load, workdir)
                if result.errors:
                    raise PeersError(f"{scenario.name} on {name}: {result.error_kinds}")
                results[scenario.name].setdefault(name, []).append(result.as_dict())
                say(f"  {scenario.name:<10} {name:<6} {result.rps:9,.0f} req/s "
                    f"p50 {result.p50_ms:6.2f} ms")
    return results


def ratios(results: dict[str, dict[str, list[dict]]], scenarios) -> list[dict]:
    """Each scenario's ratio to its peer: the median of the rounds' ratios."""
    rows = []
    for scenario in scenarios:
        ours = [run["rps"] for run in results[scenario.name]["pkyx"]]
        theirs = [run["rps"] for run in results[scenario.name][scenario.peer]]
        per_round = [round(a / b, 3) for a, b in zip(ours, theirs, strict=True)]
        ratio = round(statistics.median(per_round), 2)
        rows.append({"scenario": scenario.name, "peer": scenario.peer,
                     "pkyx_rps": round(statistics.median(ours)),
                     "peer_rps": round(statistics.median(theirs)),
                     "ratio": ratio, "ratio_rounds": per_round, "target": scenario.target,
                     "pass": ratio >= scenario.target})
    return rows


def run(args) -> dict:
    if not shutil.which("wrk"):
        raise PeersError("wrk is missing (apt-get install wrk)")
    chosen = tuple(s for s in SCENARIOS if not args.only or s.name in args.only)
    report = {"date": datetime.now(UTC).isoformat(timespec="seconds"),
              "commit": git_commit(),
              "machine": {"cpus": os.cpu_count(),
                          "load_average": [round(x, 2) for x in os.getloadavg()]},
              "settings": {"entries": args.entries, "seconds": args.duration,
                           "rounds": args.rounds, "connections": args.connections,
                           "wrk_threads": 1, "gunicorn": " ".join(GUNICORN_SHAPE)},
              "scenarios": {s.name: {"about": s.about, "pkyx": s.pkyx, "eve": s.eve,
                                     "flask": s.flask} for s in chosen}}
    with tempfile.TemporaryDirectory(prefix="pkyx-peers-") as tmp:
        workdir = Path(tmp)
        peer_venv()
        instance, dump = seed_and_export(workdir, args.entries)
        running = servers(workdir, instance, dump)
        with running["pkyx"], running["eve"], running["flask"]:
            say("servers up: " + ", ".join(f"{n} :{s.port}" for n, s in running.items()))
            report["checked"] = check_equivalent(running)
            results = measure(running, chosen, args, workdir)
    report["results"] = results
    report["ratios"] = ratios(results, chosen)
    report["machine"]["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    return report


def git_commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                          capture_output=True, text=True)
    return done.stdout.strip()


def table(report: dict) -> str:
    lines = [f"\npkyx beside its peers, {report['date']} ({report['commit']}): "
             f"{report['settings']['entries']} entries, {report['settings']['rounds']} "
             f"rounds of {report['settings']['seconds']} s, wrk -c"
             f"{report['settings']['connections']}, load average "
             f"{report['machine']['load_average'][0]}\n",
             f"{'scenario':<10} {'pkyx req/s':>11} {'peer':>6} {'peer req/s':>11} "
             f"{'ratio':>6} {'target':>7}  verdict"]
    for row in report["ratios"]:
        lines.append(f"{row['scenario']:<10} {row['pkyx_rps']:>11,} {row['peer']:>6} "
                     f"{row['peer_rps']:>11,} {row['ratio']:>6.2f} {row['target']:>7.1f}  "
                     f"{'PASS' if row['pass'] else 'MISS'}")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
