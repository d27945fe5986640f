"""Benchmark: the shipped glossary built cold, forking warm worker vs fresh interpreter per entry.

Runs are interleaved (fork, spawn, fork, spawn, ...) so both modes see the same
machine load; the report gives medians and the ratio. Usage:

    python benchmarks/bench_build.py [--runs N] [--jobs N]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def cold_build(isolation: str, jobs: int, out: Path) -> tuple[float, dict]:
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "generator", "build", "--no-cache", "--json", "--isolation", isolation,
         "--jobs", str(jobs), "--out", str(out)], cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"build failed ({isolation}):\n{proc.stdout}\n{proc.stderr}")
    return elapsed, json.loads(proc.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    times: dict[str, list[float]] = {"fork": [], "spawn": []}
    with tempfile.TemporaryDirectory(prefix="glossary-bench-") as tmp:
        report = {}
        for _ in range(args.runs):
            for mode in ("fork", "spawn"):
                seconds, report = cold_build(mode, args.jobs, Path(tmp) / "site")
                times[mode].append(seconds)
    fork, spawn = statistics.median(times["fork"]), statistics.median(times["spawn"])
    print(f"shipped glossary: {report['entries']} entries, {report['snippets']['run']} blocks, "
          f"--jobs {args.jobs}, {args.runs} interleaved cold builds per mode (--no-cache)")
    print(f"  forking warm worker         median {fork:6.2f} s   runs {[round(t, 2) for t in times['fork']]}")
    print(f"  fresh interpreter per entry median {spawn:6.2f} s   runs {[round(t, 2) for t in times['spawn']]}")
    print(f"  ratio fresh / fork: {spawn / fork:.2f}x")


if __name__ == "__main__":
    main()
