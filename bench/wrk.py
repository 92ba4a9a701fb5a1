"""Running ``wrk`` (Debian's ``/usr/bin/wrk``) for one scenario and reading its figures.

Every run gets a Lua script that ends with ``bench/lua/summary.lua``, whose ``done()``
prints one line of JSON: requests, duration, latency percentiles and the error counts
(connect, read, write, timeout, and answers that are not 2xx/3xx).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

__all__ = ["Load", "Result", "run_wrk", "lua_globals", "WrkError"]

LUA = Path(__file__).with_name("lua")
MARKER = "BENCH-RESULT "


class WrkError(RuntimeError):
    """wrk is missing or did not print its result."""


@dataclass(frozen=True)
class Load:
    """How hard wrk pushes: its threads, open connections, seconds, and request timeout."""

    threads: int = 1
    connections: int = 8
    seconds: int = 5
    timeout: int = 10  # seconds; a slower answer counts as an error

    def thread_per_connection(self) -> Load:
        """The same load with a wrk thread for each connection (scripts with state)."""
        return Load(self.connections, self.connections, self.seconds, self.timeout)


@dataclass(frozen=True)
class Result:
    """What wrk measured for one scenario."""

    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    error_kinds: dict[str, int]

    def as_dict(self) -> dict:
        return asdict(self)


def lua_globals(variables: dict[str, object]) -> str:
    """Lua assignments for numbers, ASCII strings and lists of them.

    ``json.dumps`` quotes ASCII text the way Lua reads it (only \\" and \\\\ escapes).
    """
    lines = []
    for name, value in variables.items():
        if isinstance(value, list | tuple):
            text = "{" + ", ".join(json.dumps(str(item)) for item in value) + "}"
        elif isinstance(value, int | float):
            text = repr(value)
        else:
            text = json.dumps(str(value))
        lines.append(f"{name} = {text}")
    return "\n".join(lines) + "\n"


def run_wrk(url: str, load: Load, workdir: Path, *, headers: dict[str, str] | None = None,
            script: str | None = None, variables: dict[str, object] | None = None) -> Result:
    """Drive ``url`` for ``load.seconds`` and return the figures."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise WrkError("wrk is not installed: apt-get install wrk")
    body = lua_globals(variables or {})
    if script:
        body += (LUA / script).read_text()
    body += (LUA / "summary.lua").read_text()
    lua = workdir / f"{script or 'plain'}.lua"
    lua.write_text(body)
    command = [wrk, f"-t{load.threads}", f"-c{load.connections}", f"-d{load.seconds}s",
               f"--timeout={load.timeout}s", "-s", str(lua)]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    done = subprocess.run([*command, url], capture_output=True, text=True,
                          timeout=load.seconds + load.timeout + 30)
    for line in done.stdout.splitlines():
        if line.startswith(MARKER):
            return _result(json.loads(line.removeprefix(MARKER)))
    raise WrkError(f"wrk printed no result (exit {done.returncode}): "
                   f"{done.stderr.strip() or done.stdout.strip()}")


def _result(raw: dict) -> Result:
    """Turn wrk's microseconds and counters into a :class:`Result`."""
    seconds = raw["duration_us"] / 1e6
    kinds = {kind: raw[kind] for kind in ("connect", "read", "write", "timeout", "status")}
    return Result(
        requests=raw["requests"],
        seconds=round(seconds, 2),
        rps=round(raw["requests"] / seconds, 1) if seconds else 0.0,
        p50_ms=raw["p50_us"] / 1000,
        p90_ms=raw["p90_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        max_ms=raw["max_us"] / 1000,
        errors=sum(kinds.values()),
        error_kinds={kind: n for kind, n in kinds.items() if n},
    )
