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
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Callable

from . import __version__
from .cache import ContentCache, content_key, source_digest
from .config import SiteConfig
from .diagnostics import Reporter, SourcePos
from .model import BlockResult, Entry, Figure, SnippetResult

PACKAGE_PARENT = Path(__file__).resolve().parent.parent
WORKER_SOURCES = (Path(__file__).with_name("snippet_worker.py"), Path(__file__).with_name("sandbox.py"))
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


def snippet_key(entry: Entry, versions: dict[str, str], limits: dict[str, float] | None = None) -> str:
    """Return the cache key of an entry's results: its executed code, place, runtime and limits.

    The limits are part of it because a result that passed under a larger memory
    or time limit may fail under a smaller one (only passing results are cached).
    """
    blocks = [(s.index, s.line, s.code) for s in entry.executed]
    return content_key("snippets", entry.path, entry.slug, blocks, versions, limits or {})


def execute(entries: list[Entry], config: SiteConfig, reporter: Reporter,
            progress: Callable[[int], None] | None = None,
            worker: SnippetWorker | None = None) -> tuple[dict[str, SnippetResult], ExecStats]:
    """Return each entry's SnippetResult, running only those not in the cache.

    :param worker: a warm worker kept between builds (``glossary serve``).
    """
    cache = ContentCache(config.resolve(config.cache_dir), "exec", enabled=config.use_cache)
    versions = runtime_versions()
    results: dict[str, SnippetResult] = {}
    stats = ExecStats()
    todo: list[Entry] = []
    limits = {"memory": config.memory, "timeout": config.timeout}
    keys = {entry.slug: snippet_key(entry, versions, limits) for entry in entries}
    for entry in entries:
        hit = cache.get(keys[entry.slug])
        if hit is not None:
            results[entry.slug] = _result_from_json(entry, hit, cached=True)
            stats.cached += len(entry.executed)
            if progress:
                progress(1)
        else:
            todo.append(entry)
    for entry, data in _run_in_worker(todo, config, progress, worker):
        result = _result_from_json(entry, data, cached=False)
        results[entry.slug] = result
        stats.run += len(entry.executed)
        if result.ok:
            cache.put(keys[entry.slug], data)
        else:
            _report(entry, result, reporter)
    return results, stats


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

    def __init__(self, config: SiteConfig):
        self.config = config
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


def _run_in_worker(entries: list[Entry], config: SiteConfig, progress,
                   worker: SnippetWorker | None = None):
    """Yield (entry, raw result) for every entry, as the worker finishes them.

    :param worker: a worker kept between builds; without it one is started and ended here.
    """
    if not entries:
        return
    jobs = [{
        "job": number, "owner": os.getpid(), "slug": entry.slug, "path": entry.path,
        "timeout": config.timeout,
        "memory": config.memory,
        "blocks": [{"index": s.index, "line": s.line, "code": s.code} for s in entry.executed],
    } for number, entry in enumerate(entries)]
    kept = worker is not None
    worker = worker or SnippetWorker(config)
    try:
        seen = set()
        for data in worker.run(jobs):
            number = data.get("job")
            if isinstance(number, int) and 0 <= number < len(entries) and number not in seen:
                seen.add(number)
                if progress:
                    progress(1)
                yield entries[number], data
        if len(seen) < len(entries):
            code, tail = worker.failure()
            for number, entry in enumerate(entries):
                if number not in seen:
                    yield entry, {"status": "crashed", "traceback": tail,
                                  "error": f"the snippet worker stopped unexpectedly (status {code})"}
    finally:
        if not kept:
            worker.close()


def _text(value, cap: int = 1_000_000) -> str:
    return str(value)[:cap] if value is not None else ""


def _result_from_json(entry: Entry, data: dict, cached: bool) -> SnippetResult:
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
        slug=entry.slug, status=status, blocks=tuple(blocks), error=_text(data.get("error"), 2000),
        error_line=line if isinstance(line, int) else 0, traceback=_text(data.get("traceback"), 20_000),
        seconds=float(data.get("seconds") or 0) if isinstance(data.get("seconds"), (int, float)) else 0.0,
        cached=cached)


def _report(entry: Entry, result: SnippetResult, reporter: Reporter) -> None:
    line = result.error_line or (entry.executed[0].line if entry.executed else 1)
    message = result.error or "the snippet failed"
    if result.status == "memory":
        message = f"memory limit of the snippets exceeded: {message}"
    reporter.error(SourcePos(entry.path, line), message, result.traceback)
