"""Profiling the app under load with py-spy (``--profile``; root may trace any process).

``py-spy record --gil`` samples only the thread that holds the GIL, so with gunicorn's
eight threads the samples add up to where the worker's CPU time goes. The raw collapsed
stacks are kept beside the JSON report (``flamegraph.pl`` or speedscope read them) and
summarised into the functions with the most samples, by themselves and inclusive.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

__all__ = ["PySpy", "summarise", "profiler"]

FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^()]*?)(?::\d+)?\)$")


def profiler() -> str | None:
    """py-spy beside this Python (the venv), else on PATH, else None."""
    here = Path(sys.executable).with_name("py-spy")
    return str(here) if here.exists() else shutil.which("py-spy")


class PySpy:
    """``py-spy record`` of a process and its children for a while, in the background."""

    def __init__(self, pid: int, seconds: int, output: Path, rate: int = 200):
        self.output = output
        self.command = [profiler() or "py-spy", "record", "--pid", str(pid), "--subprocesses",
                        "--gil", "--nonblocking", "--rate", str(rate),
                        "--duration", str(seconds), "--format", "raw", "--output", str(output)]
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> PySpy:
        self.process = subprocess.Popen(self.command, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE, text=True)
        return self

    def __exit__(self, *exc) -> None:
        _, err = self.process.communicate(timeout=120)
        if self.process.returncode != 0 and not self.output.exists():
            raise RuntimeError(f"py-spy failed: {err.strip()}")


def summarise(raw: Path, top: int = 15) -> dict:
    """The functions with the most samples: by themselves, and with what they call."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = [_function(frame) for frame in stack.split(";")]
        frames = [f for f in frames if not f.startswith("process ")]  # --subprocesses root
        if frames:
            own[frames[-1]] += n
            for frame in set(frames):
                inclusive[frame] += n

    def share(counter: Counter[str], keep=lambda name: True) -> list[dict]:
        rows = [(name, n) for name, n in counter.most_common() if keep(name)][:top]
        return [{"percent": round(100 * n / total, 1), "function": name} for name, n in rows]

    return {
        "samples": total,
        "self": share(own),
        "inclusive_app": share(inclusive, lambda name: "(app/" in name),
        "inclusive_libraries": share(inclusive, lambda name: "(app/" not in name
                                     and "threading.py" not in name
                                     and "gunicorn/" not in name),
    }


def _function(frame: str) -> str:
    """``name (file:line)`` → ``name (file)``, so a function's lines count together."""
    match = FRAME.match(frame.strip())
    return f"{match['function']} ({match['file']})" if match else frame.strip()
