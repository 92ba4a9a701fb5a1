"""The benchmark's verdict: ratios, targets, the table, and the JSON file.

A ratio divides a scenario's requests/s by its baseline's, measured in the same run on
the same machine: the floor (``/healthz`` through nginx and gunicorn, no store) for
what reaches the app, the static file for pages nginx serves from its cache. Ratios
travel between machines far better than raw requests/s.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Target", "TARGETS", "with_ratios", "check_targets", "table", "targets_table",
           "scale_table", "write_json"]


@dataclass(frozen=True)
class Target:
    """A scenario's requests/s must be at least ``at_least`` × its baseline's."""

    what: str
    scenarios: tuple[str, ...]
    baseline: str
    at_least: float


TARGETS = (
    Target("cached anonymous comparison page", ("compare-4-cached",), "static", 0.5),
    Target("304 answers", ("api-entry-304", "avatar-304"), "floor", 0.5),
    Target("uncached comparison page (4) and API filtered list", ("compare-4", "api-list"),
           "floor", 0.2),
    Target("hostile requests (issue 17) cost at most 2 × an ordinary comparison",
           ("hostile-compare", "hostile-compare-80", "hostile-filter"), "compare-2", 0.5),
)


def with_ratios(rows: list[dict]) -> list[dict]:
    """Add ``ratio`` (requests/s over the baseline's) to every row that has a baseline."""
    rps = {row["name"]: row["rps"] for row in rows}
    out = []
    for row in rows:
        base = rps.get(row["baseline"]) if row["baseline"] else None
        out.append({**row, "ratio": round(row["rps"] / base, 3) if base else None})
    return out


def check_targets(rows: list[dict]) -> list[dict]:
    """One verdict per scenario a target names, plus "no errors anywhere"."""
    by_name = {row["name"]: row for row in rows}
    verdicts = []
    for target in TARGETS:
        for name in target.scenarios:
            row = by_name.get(name)
            if row is None:
                continue
            base = by_name[target.baseline]["rps"]
            ratio = row["rps"] / base if base else 0.0
            verdicts.append({
                "target": f"{target.what}: {name} ≥ {target.at_least} × {target.baseline}",
                "scenario": name, "baseline": target.baseline, "at_least": target.at_least,
                "ratio": round(ratio, 3), "pass": ratio >= target.at_least,
            })
    failing = [row["name"] for row in rows if row["errors"]]
    verdicts.append({
        "target": "zero errors in every scenario", "scenario": "*", "baseline": "",
        "at_least": 0, "ratio": None, "pass": not failing, "failing": failing,
    })
    return verdicts


def table(rows: list[dict]) -> str:
    """The results as a Markdown table (it reads as plain text too)."""
    lines = ["| scenario | req/s | p50 ms | p99 ms | errors | ratio |",
             "|---|---:|---:|---:|---:|---|"]
    for row in rows:
        ratio = f"{row['ratio']:.2f} × {row['baseline']}" if row.get("ratio") is not None \
            else "—"
        errors = str(row["errors"]) + (f" ({_kinds(row)})" if row["errors"] else "")
        lines.append(f"| {row['name']} | {row['rps']:,.0f} | {row['p50_ms']:.1f} | "
                     f"{row['p99_ms']:.1f} | {errors} | {ratio} |")
    return "\n".join(lines)


def _kinds(row: dict) -> str:
    return ", ".join(f"{kind} {n}" for kind, n in row["error_kinds"].items())


def targets_table(verdicts: list[dict]) -> str:
    """PASS/MISS per target."""
    lines = []
    for verdict in verdicts:
        mark = "PASS" if verdict["pass"] else "MISS"
        if verdict["ratio"] is None:
            detail = "" if verdict["pass"] else " — errors in: " + ", ".join(verdict["failing"])
        else:
            detail = f" — {verdict['ratio']:.2f}"
        lines.append(f"{mark}  {verdict['target']}{detail}")
    return "\n".join(lines)


def scale_table(runs: list[dict]) -> str:
    """p50 (ms) and requests/s of each scale path at each store size."""
    sizes = [run["entries"] for run in runs]
    names = [row["name"] for row in runs[0]["scenarios"]]
    header = "| scenario | " + " | ".join(f"{n:,} entries" for n in sizes) + " |"
    lines = [header, "|---|" + "---:|" * len(sizes)]
    for name in names:
        cells = []
        for run in runs:
            row = next(r for r in run["scenarios"] if r["name"] == name)
            cells.append(f"{row['p50_ms']:.1f} ms, {row['rps']:,.0f}/s")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def write_json(path: Path, report: dict) -> None:
    """Write the report, creating bench/results/ when needed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
