"""Stage 4b: run every entry's snippets as guests, with a content-hash cache.

Only this module talks to the snippet worker (``snippet_worker.py``); what the
worker sends back is untrusted data and is checked before it is used.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import subprocess
import sys
import tempfile
from dataclasses import dataclass, replace
from importlib import metadata
from pathlib import Path
from typing import Callable

from . import __version__, sweeps
from .cache import ContentCache, content_key, source_digest
from .code_imports import module_name
from .config import SiteConfig
from .diagnostics import Reporter, SourcePos
from .model import BlockResult, Entry, Figure, SnippetResult
from .sweeps import Combination

PACKAGE_PARENT = Path(__file__).resolve().parent.parent
WORKER_SOURCES = tuple(Path(__file__).with_name(name)
                       for name in ("snippet_worker.py", "snippet_slots.py", "sandbox.py", "figure_svg.py"))
"""The code that runs snippets and draws their figures: its text is part of the cache key."""
# What a snippet may see of the environment: nothing of the parent's (no tokens).
PASSED_THROUGH = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


@dataclass
class ExecStats:
    run: int = 0
    """Executed blocks that ran in this build."""
    cached: int = 0
    """Executed blocks whose results came from the cache."""


def runtime_versions() -> dict[str, str]:
    """Return the versions a snippet result depends on, without importing matplotlib."""
    versions = {"python": platform.python_version(), "generator": __version__,
                "worker": source_digest(*WORKER_SOURCES)}
    for package in ("numpy", "matplotlib"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "missing"
    return versions


def snippet_key(entry: Entry, versions: dict[str, str], limits: dict[str, float] | None = None,
                params: dict | None = None, dependencies: list[Entry] = ()) -> str:
    """Return the cache key of an entry's results: its executed code, place, runtime and limits.

    The limits are part of it because a result that passed under a larger memory
    or time limit may fail under a smaller one (only passing results are cached).
    A swept entry has one key per combination: ``params`` holds its values.
    The code of every entry it imports, transitively, is part of it too.
    """
    blocks = [(s.index, s.line, s.code) for s in entry.executed]
    parts = [entry.path, entry.slug, blocks, versions, limits or {}]
    if params:
        parts.append(sorted((name, type(v).__name__, v) for name, v in params.items()))
    if dependencies:
        parts.append([_module_job(dep) for dep in dependencies])
    return content_key("snippets", *parts)


def _module_job(dependency: Entry) -> dict:
    """Return what the worker needs to run an imported entry's code as a module."""
    default = sweeps.default_combination(dependency.params)
    return {"name": module_name(dependency.slug), "path": dependency.path,
            "params": sweeps.values_of(dependency.params, default),
            "blocks": [{"line": s.line, "code": s.code} for s in dependency.executed]}


@dataclass(frozen=True)
class Run:
    """One run of an entry's blocks: the only one, or one combination of its sweep."""

    entry: Entry
    combination: Combination
    params: dict
    dependencies: tuple[Entry, ...] = ()
    """Every entry whose code this one imports, dependencies first."""

    def label(self) -> str:
        return sweeps.label(self.entry.params, self.combination)


def runs_of(entry: Entry, dependencies: list[Entry] = ()) -> list[Run]:
    """Return the runs an entry needs: one per combination of its parameters, default first."""
    return [Run(entry, c, sweeps.values_of(entry.params, c), tuple(dependencies))
            for c in sweeps.combinations(entry.params)]


def execute(entries: list[Entry], config: SiteConfig, reporter: Reporter,
            progress: Callable[[int], None] | None = None,
            worker: SnippetWorker | None = None,
            dependencies: Callable[[str], list[Entry] | None] = lambda slug: [],
            ) -> tuple[dict[str, SnippetResult], ExecStats]:
    """Return each entry's SnippetResult, running only those not in the cache.

    :param worker: a warm worker kept between builds (``glossary serve``), or one
        started for this build by ``start_worker_early`` (ended here).

    A swept entry's result is its default combination's, holding every
    combination's result in ``variants``. ``dependencies(slug)`` names the
    entries whose code an entry imports (``Glossary.code_dependencies``), or
    None when an import was refused: such an entry is not run (link reported it).
    """
    try:
        return _execute(entries, config, reporter, progress, worker, dependencies)
    finally:
        if worker is not None and not worker.kept:
            worker.close()


def start_worker_early(entries: list[Entry], config: SiteConfig,
                       dependencies: Callable[[str], list[Entry] | None]) -> SnippetWorker | None:
    """Start a worker for this build now if a snippet must run, else return None.

    The build calls this before the math stage: the worker imports numpy and
    matplotlib and draws its warm-up figure while KaTeX renders (two processes, two
    cores). ``execute`` ends it.
    """
    cache = ContentCache(config.resolve(config.cache_dir), "exec", enabled=config.use_cache)
    versions, limits = runtime_versions(), {"memory": config.memory, "timeout": config.timeout}
    for entry in entries:
        needs = dependencies(entry.slug)
        if needs is None:
            continue
        for run in runs_of(entry, needs):
            if cache.get(snippet_key(entry, versions, limits, run.params, list(needs))) is None:
                worker = SnippetWorker(config, kept=False)
                worker.start()
                return worker
    return None


def _execute(entries: list[Entry], config: SiteConfig, reporter: Reporter,
             progress: Callable[[int], None] | None, worker: SnippetWorker | None,
             dependencies: Callable[[str], list[Entry] | None],
             ) -> tuple[dict[str, SnippetResult], ExecStats]:
    cache = ContentCache(config.resolve(config.cache_dir), "exec", enabled=config.use_cache)
    versions = runtime_versions()
    done: dict[tuple[str, Combination], SnippetResult] = {}
    stats = ExecStats()
    todo: list[Run] = []
    limits = {"memory": config.memory, "timeout": config.timeout}
    needs = {entry.slug: dependencies(entry.slug) for entry in entries}
    refused = sum(1 for need in needs.values() if need is None)
    if progress and refused:
        progress(refused)
    entries = [entry for entry in entries if needs[entry.slug] is not None]
    runs = [run for entry in entries for run in runs_of(entry, needs[entry.slug])]
    finished = _entry_progress(runs, progress)
    keys = {(r.entry.slug, r.combination):
            snippet_key(r.entry, versions, limits, r.params, list(r.dependencies)) for r in runs}
    for run in runs:
        hit = cache.get(keys[run.entry.slug, run.combination])
        if hit is not None:
            done[run.entry.slug, run.combination] = _result_from_json(run, hit, cached=True)
            stats.cached += len(run.entry.executed)
            finished(run)
        else:
            todo.append(run)
    for run, data in _run_in_worker(todo, config, finished, worker):
        result = _result_from_json(run, data, cached=False)
        done[run.entry.slug, run.combination] = result
        stats.run += len(run.entry.executed)
        if result.ok:
            cache.put(keys[run.entry.slug, run.combination], data)
        else:
            _report(run, result, reporter)
    return {entry.slug: _gathered(entry, done) for entry in entries}, stats


def _entry_progress(runs: list[Run], progress: Callable[[int], None] | None):
    """Return ``finished(run)``, which ticks ``progress`` once an entry's last run is done."""
    left: dict[str, int] = {}
    for run in runs:
        left[run.entry.slug] = left.get(run.entry.slug, 0) + 1

    def finished(run: Run) -> None:
        left[run.entry.slug] -= 1
        if progress and left[run.entry.slug] == 0:
            progress(1)
    return finished


def _gathered(entry: Entry, done: dict) -> SnippetResult:
    """Return the entry's default result, with every combination's result if it is swept."""
    every = [done[entry.slug, c] for c in sweeps.combinations(entry.params)]
    if not entry.params:
        return every[0]
    return replace(every[0], variants=tuple(every))


def scrubbed_env(home: str) -> dict[str, str]:
    """Return the whole environment a snippet process gets."""
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
        "HOME": home, "TMPDIR": home, "MPLBACKEND": "Agg", "MPLCONFIGDIR": home,
        "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(PACKAGE_PARENT),
        "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
    }
    env.update({k: os.environ[k] for k in PASSED_THROUGH if k in os.environ})
    return env


class SnippetWorker:
    """The warm snippet worker process; ``glossary serve`` keeps one between rebuilds.

    Each build sends one batch of jobs and an empty line; the worker answers with
    one result per job, then ``{"batch_done": n}``. A worker that stopped (or was
    never started) is started on the next batch; ``close`` ends it.
    """

    def __init__(self, config: SiteConfig, kept: bool = True):
        self.config = config
        self.kept = kept
        """False for a worker started for one build: ``execute`` ends it."""
        self.proc: subprocess.Popen | None = None
        self._home: tempfile.TemporaryDirectory | None = None
        self._errors = None

    def start(self) -> None:
        """Start the worker (numpy and matplotlib imported, one figure drawn) unless it runs."""
        if self.proc is not None and self.proc.poll() is None:
            return
        self.close()
        mode = self.config.isolation if hasattr(os, "fork") else "spawn"
        self._home = tempfile.TemporaryDirectory(prefix="glossary-home-")
        self._errors = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "generator.snippet_worker", mode, str(self.config.workers)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._errors,
            env=scrubbed_env(self._home.name), cwd=self._home.name, text=True, encoding="utf-8")

    def run(self, jobs: list[dict]):
        """Yield the worker's raw result lines for one batch; stop early if the worker died."""
        self.start()
        proc = self.proc
        try:
            proc.stdin.write("".join(json.dumps(job) + "\n" for job in jobs) + "\n")
            proc.stdin.flush()
        except (BrokenPipeError, OSError):
            return
        for line in proc.stdout:
            data = json.loads(line)
            if "batch_done" in data:
                return
            yield data

    def failure(self) -> tuple[int | None, str]:
        """Return the exit status and the end of the stderr of a worker that stopped."""
        if self.proc is None:
            return None, ""
        try:
            code = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            code = None
        self._errors.seek(0)
        tail = self._errors.read()[-4000:].decode("utf-8", "replace")
        self.close()
        return code, tail

    def close(self) -> None:
        """End the worker (it exits at the end of its input) and remove its folders."""
        if self.proc is not None:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc.stdout.close()
            self.proc = None
        if self._errors is not None:
            self._errors.close()
            self._errors = None
        if self._home is not None:
            self._home.cleanup()
            self._home = None


def _run_in_worker(runs: list[Run], config: SiteConfig, finished: Callable[[Run], None],
                   worker: SnippetWorker | None = None):
    """Yield (run, raw result) for every run, as the worker finishes them.

    :param worker: a worker kept between builds; without it one is started and ended here.
    """
    if not runs:
        return
    jobs = [{
        "job": number, "owner": os.getpid(), "slug": entry.slug, "path": entry.path,
        "timeout": config.timeout,
        "memory": config.memory, "params": run.params,
        "modules": [_module_job(dep) for dep in run.dependencies],
        "blocks": [{"index": s.index, "line": s.line, "code": s.code} for s in entry.executed],
    } for number, run in enumerate(runs) for entry in [run.entry]]
    kept = worker is not None
    worker = worker or SnippetWorker(config)
    try:
        seen = set()
        for data in worker.run(jobs):
            number = data.get("job")
            if isinstance(number, int) and 0 <= number < len(runs) and number not in seen:
                seen.add(number)
                finished(runs[number])
                yield runs[number], data
        if len(seen) < len(runs):
            code, tail = worker.failure()
            for number, run in enumerate(runs):
                if number not in seen:
                    yield run, {"status": "crashed", "traceback": tail,
                                  "error": f"the snippet worker stopped unexpectedly (status {code})"}
    finally:
        if not kept:
            worker.close()


def _text(value, cap: int = 1_000_000) -> str:
    return str(value)[:cap] if value is not None else ""


def _result_from_json(run: Run, data: dict, cached: bool) -> SnippetResult:
    """Build a SnippetResult from worker data, trusting none of its types."""
    blocks = []
    for raw in data.get("blocks") or []:
        if not isinstance(raw, dict):
            continue
        figures = tuple(Figure(_text(f.get("svg"), 5_000_000), _text(f.get("alt"), 500))
                        for f in raw.get("figures") or [] if isinstance(f, dict))
        index = raw.get("index") if isinstance(raw.get("index"), int) else -1
        blocks.append(BlockResult(index, _text(raw.get("stdout"), 100_000),
                                  bool(raw.get("truncated")), figures))
    status = data.get("status")
    status = status if status in ("ok", "excepted", "timeout", "memory", "crashed") else "crashed"
    line = data.get("error_line")
    return SnippetResult(
        slug=run.entry.slug, combination=run.combination, status=status, blocks=tuple(blocks), error=_text(data.get("error"), 2000),
        error_line=line if isinstance(line, int) else 0, traceback=_text(data.get("traceback"), 20_000),
        seconds=float(data.get("seconds") or 0) if isinstance(data.get("seconds"), (int, float)) else 0.0,
        cached=cached)


def _report(run: Run, result: SnippetResult, reporter: Reporter) -> None:
    entry = run.entry
    line = result.error_line or (entry.executed[0].line if entry.executed else 1)
    message = result.error or "the snippet failed"
    if entry.params:
        message += f" (with {run.label()})"
    if result.status == "memory":
        message = f"memory limit of the snippets exceeded: {message}"
    reporter.error(SourcePos(entry.path, line), message, result.traceback)
